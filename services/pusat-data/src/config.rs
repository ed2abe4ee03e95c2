//! Settings of the Pusat Data (`config/pusat-data.toml`, `KTPEL__…`, `KTPEL_PUSAT_DATA__…`).

use ktpel_settings::{AmqpSettings, DatabaseSettings, SettingsError, TelemetrySettings, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PusatDataSettings {
    pub amqp: AmqpSettings,
    pub database: DatabaseSettings,
    pub telemetry: TelemetrySettings,
    /// Fingers that must match another NIK's for a duplicate (at least 1).
    pub duplicate_min_fingers: usize,
}

impl Default for PusatDataSettings {
    fn default() -> Self {
        Self {
            amqp: AmqpSettings::default(),
            database: DatabaseSettings::sqlite_for("pusat-data"),
            telemetry: TelemetrySettings::default(),
            duplicate_min_fingers: 2,
        }
    }
}

impl Validate for PusatDataSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.amqp.validate()?;
        self.database.validate()?;
        self.telemetry.validate()?;
        if self.duplicate_min_fingers == 0 || self.duplicate_min_fingers > 10 {
            return Err(SettingsError::invalid(
                "duplicate_min_fingers",
                "must be between 1 and 10",
            ));
        }
        Ok(())
    }
}
