//! Settings of the intake service (`config/intake.toml`, `KTPEL__…`).

use ktpel_settings::{AmqpSettings, DatabaseSettings, SettingsError, TelemetrySettings, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeSettings {
    pub amqp: AmqpSettings,
    pub database: DatabaseSettings,
    pub telemetry: TelemetrySettings,
    /// The region this intake serves, as a kode wilayah prefix (`32.73` for one kabupaten/kota);
    /// unset serves every region. It becomes the binding of the intake queue.
    pub region: Option<String>,
}

impl Default for IntakeSettings {
    fn default() -> Self {
        Self {
            amqp: AmqpSettings::default(),
            database: DatabaseSettings::sqlite_for(crate::SERVICE),
            telemetry: TelemetrySettings::default(),
            region: None,
        }
    }
}

impl Validate for IntakeSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.amqp.validate()?;
        self.database.validate()?;
        self.telemetry.validate()?;
        if let Some(region) = &self.region {
            ktpel_bus::RoutingKey::binding(ktpel_contract::berkas::SUBMITTED, Some(region))
                .map_err(|e| SettingsError::invalid("region", e.to_string()))?;
        }
        Ok(())
    }
}
