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
    /// `register`: the Dinas's SIAK, the truth. `copy`: a kecamatan's copy of its own
    /// residents, kept from what the register announces, so the desk there checks NIKs while
    /// its link is down; what the copy does not know it asks the register.
    pub mode: Mode,
    /// Whether the register announces every resident it records to the copies at the
    /// kecamatan (a Dinas with kecamatan nodes).
    pub announce: bool,
}

/// What a registry is: the register, or a kecamatan's copy of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Register,
    Copy,
}

impl Default for RegistrySettings {
    fn default() -> Self {
        Self {
            amqp: AmqpSettings::default(),
            database: DatabaseSettings::sqlite_for(crate::SERVICE),
            telemetry: TelemetrySettings::default(),
            region: None,
            mode: Mode::Register,
            announce: false,
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
        if self.mode == Mode::Copy && self.region.is_none() {
            return Err(SettingsError::invalid(
                "region",
                "a copy of SIAK keeps one kecamatan's residents: give its code",
            ));
        }
        if self.mode == Mode::Copy && self.announce {
            return Err(SettingsError::invalid(
                "announce",
                "only the register announces residents; a copy receives them",
            ));
        }
        Ok(())
    }
}
