//! Settings of distribution (`config/distribution.toml`, `KTPEL__…`, `KTPEL_DISTRIBUTION__…`).

use ktpel_settings::{AmqpSettings, DatabaseSettings, SettingsError, TelemetrySettings, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributionSettings {
    pub amqp: AmqpSettings,
    pub database: DatabaseSettings,
    pub telemetry: TelemetrySettings,
    /// The Dinas's kabupaten/kota (`32.73`).
    pub region: Option<String>,
}

impl Default for DistributionSettings {
    fn default() -> Self {
        Self {
            amqp: AmqpSettings::default(),
            database: DatabaseSettings::sqlite_for("distribution"),
            telemetry: TelemetrySettings::default(),
            region: None,
        }
    }
}

impl Validate for DistributionSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.amqp.validate()?;
        self.database.validate()?;
        self.telemetry.validate()?;
        if let Some(region) = &self.region {
            ktpel_bus::RoutingKey::binding("card.printed", Some(region))
                .map_err(|e| SettingsError::invalid("region", e.to_string()))?;
        }
        Ok(())
    }
}
