//! Settings of the biometric service (`config/biometric.toml`, `KTPEL__…`,
//! `KTPEL_BIOMETRIC__…`).

use crate::seal::{SealError, SealKey};
use ktpel_settings::{AmqpSettings, DatabaseSettings, SettingsError, TelemetrySettings, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BiometricSettings {
    pub amqp: AmqpSettings,
    pub database: DatabaseSettings,
    pub telemetry: TelemetrySettings,
    /// The region whose berkas this station serves (`32.73.01`); unset serves all.
    pub region: Option<String>,
    /// 64 hex digits; when unset the key lives in `key_file`.
    pub encryption_key: Option<String>,
    /// Created with a fresh key on first start if missing.
    pub key_file: String,
}

impl Default for BiometricSettings {
    fn default() -> Self {
        Self {
            amqp: AmqpSettings::default(),
            database: DatabaseSettings::sqlite_for(crate::SERVICE),
            telemetry: TelemetrySettings::default(),
            region: None,
            encryption_key: None,
            key_file: "data/biometric.key".into(),
        }
    }
}

impl BiometricSettings {
    /// The sealing key: from `encryption_key`, or else the key file.
    pub fn seal_key(&self) -> Result<SealKey, SealError> {
        match &self.encryption_key {
            Some(hex) => SealKey::from_hex(hex),
            None => SealKey::from_file(std::path::Path::new(&self.key_file)),
        }
    }
}

impl Validate for BiometricSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.amqp.validate()?;
        self.database.validate()?;
        self.telemetry.validate()?;
        if let Some(hex) = &self.encryption_key {
            SealKey::from_hex(hex)
                .map_err(|e| SettingsError::invalid("encryption_key", e.to_string()))?;
        }
        if let Some(region) = &self.region {
            ktpel_bus::RoutingKey::binding("berkas.handoff.operator", Some(region))
                .map_err(|e| SettingsError::invalid("region", e.to_string()))?;
        }
        Ok(())
    }
}
