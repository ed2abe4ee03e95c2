//! Settings of the registry (`config/registry.toml`, `KTPEL__…`).

use ktpel_settings::{AmqpSettings, DatabaseSettings, SettingsError, TelemetrySettings, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySettings {
    pub amqp: AmqpSettings,
    pub database: DatabaseSettings,
    pub telemetry: TelemetrySettings,
    /// The region whose lookups this registry answers (`32.73`); unset answers every region.
    pub region: Option<String>,
}

impl Default for RegistrySettings {
    fn default() -> Self {
        Self {
            amqp: AmqpSettings::default(),
            database: DatabaseSettings::sqlite_for(crate::SERVICE),
            telemetry: TelemetrySettings::default(),
            region: None,
        }
    }
}

impl Validate for RegistrySettings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.amqp.validate()?;
        self.database.validate()?;
        self.telemetry.validate()?;
        if let Some(region) = &self.region {
            ktpel_bus::RoutingKey::binding(ktpel_contract::registry::LOOKUP, Some(region))
                .map_err(|e| SettingsError::invalid("region", e.to_string()))?;
        }
        Ok(())
    }
}
