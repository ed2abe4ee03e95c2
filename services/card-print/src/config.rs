//! Settings of card-print (`config/card-print.toml`, `KTPEL__…`, `KTPEL_CARD_PRINT__…`).

use crate::chip::{ChipError, signing_key};
use ed25519_dalek::SigningKey;
use ktpel_settings::{AmqpSettings, DatabaseSettings, SettingsError, TelemetrySettings, Validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardPrintSettings {
    pub amqp: AmqpSettings,
    pub database: DatabaseSettings,
    pub telemetry: TelemetrySettings,
    /// The Dinas's kabupaten/kota (`32.73`): it prints for its own residents.
    pub region: Option<String>,
    /// The Dinas's Ed25519 chip-signing key, 64 hex digits; unset: `signing_key_file`.
    pub signing_key: Option<String>,
    /// Created with a fresh key on first start if missing.
    pub signing_key_file: String,
}

impl Default for CardPrintSettings {
    fn default() -> Self {
        Self {
            amqp: AmqpSettings::default(),
            database: DatabaseSettings::sqlite_for("card-print"),
            telemetry: TelemetrySettings::default(),
            region: None,
            signing_key: None,
            signing_key_file: "data/dinas-signing.key".into(),
        }
    }
}

impl CardPrintSettings {
    /// The chip-signing key: from `signing_key`, or the key file (made on first use).
    pub fn key(&self) -> Result<SigningKey, KeyError> {
        if let Some(hex) = &self.signing_key {
            return Ok(signing_key(hex)?);
        }
        let path = std::path::Path::new(&self.signing_key_file);
        if !path.exists() {
            let mut seed = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut seed);
            let key = SigningKey::from_bytes(&seed);
            let hex: String = key.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
            ktpel_settings::write_secret_file(path, &hex)?;
            tracing::warn!(path = %path.display(), "created a new Dinas chip-signing key; back it up");
        }
        Ok(signing_key(&std::fs::read_to_string(path)?)?)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Key(#[from] ChipError),
    #[error("the signing key file: {0}")]
    File(#[from] std::io::Error),
}

impl Validate for CardPrintSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.amqp.validate()?;
        self.database.validate()?;
        self.telemetry.validate()?;
        if let Some(hex) = &self.signing_key {
            signing_key(hex).map_err(|e| SettingsError::invalid("signing_key", e.to_string()))?;
        }
        if let Some(region) = &self.region {
            ktpel_bus::RoutingKey::binding("card.status", Some(region))
                .map_err(|e| SettingsError::invalid("region", e.to_string()))?;
        }
        Ok(())
    }
}
