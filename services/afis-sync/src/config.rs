//! Settings of the NID Scheduler (`config/afis-sync.toml`, `KTPEL__…`, `KTPEL_AFIS_SYNC__…`).

use ktpel_domain::{KodeWilayah, wilayah::Level};
use ktpel_settings::{AmqpSettings, DatabaseSettings, SettingsError, TelemetrySettings, Validate};
use serde::{Deserialize, Serialize};

/// `PRODUCTION`, or `TRAINING` for a test site (S19.4: the window must show PRODUCTION).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Mode {
    Production,
    Training,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AfisSyncSettings {
    pub amqp: AmqpSettings,
    pub database: DatabaseSettings,
    pub telemetry: TelemetrySettings,
    pub mode: Mode,
    /// The site's Co-Relation Id: its region code down to the kecamatan or kelurahan.
    pub co_relation_id: String,
    /// The region whose enrollments this Server AFIS sends, as a kode wilayah prefix: a
    /// Dinas's serves its kabupaten/kota (`32.73`). Unset: its own Co-Relation Id's.
    pub serves: Option<String>,
    /// The Pusat Data's broker; unset means the local broker (one-machine setups, where a
    /// shovel or federation link carries the queue onwards).
    pub pusat_data_amqp_url: Option<String>,
    /// Seconds between scheduled runs.
    pub interval_seconds: u64,
    /// Records per run and per round of confirms.
    pub batch: u64,
}

impl Default for AfisSyncSettings {
    fn default() -> Self {
        Self {
            amqp: AmqpSettings::default(),
            database: DatabaseSettings::sqlite_for("afis-sync"),
            telemetry: TelemetrySettings::default(),
            mode: Mode::Production,
            co_relation_id: "32.73.01".into(),
            serves: None,
            pusat_data_amqp_url: None,
            interval_seconds: 5,
            batch: 200,
        }
    }
}

impl AfisSyncSettings {
    /// The region whose enrollments this Server AFIS takes (`serves`, or its Co-Relation Id).
    pub fn served_region(&self) -> &str {
        self.serves.as_deref().unwrap_or(&self.co_relation_id)
    }

    pub fn co_relation(&self) -> KodeWilayah {
        KodeWilayah::parse(&self.co_relation_id).expect("validated with the settings")
    }
}

impl Validate for AfisSyncSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.amqp.validate()?;
        self.database.validate()?;
        self.telemetry.validate()?;
        let code = KodeWilayah::parse(&self.co_relation_id)
            .map_err(|e| SettingsError::invalid("co_relation_id", e.to_string()))?;
        if code.level() < Level::Kecamatan {
            return Err(SettingsError::invalid(
                "co_relation_id",
                "must go down to the kecamatan or kelurahan (e.g. 32.73.01)",
            ));
        }
        if let Some(serves) = &self.serves {
            KodeWilayah::parse(serves)
                .map_err(|e| SettingsError::invalid("serves", e.to_string()))?;
        }
        if let Some(url) = &self.pusat_data_amqp_url
            && !(url.starts_with("amqp://") || url.starts_with("amqps://"))
        {
            return Err(SettingsError::invalid(
                "pusat_data_amqp_url",
                format!("`{url}` is not an amqp:// URL"),
            ));
        }
        if self.interval_seconds == 0 || self.batch == 0 {
            return Err(SettingsError::invalid(
                "interval_seconds",
                "interval_seconds and batch must be at least 1",
            ));
        }
        Ok(())
    }
}
