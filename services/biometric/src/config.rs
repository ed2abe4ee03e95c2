//! Settings of the biometric service (`config/biometric.toml`, `KTPEL__…`,
//! `KTPEL_BIOMETRIC__…`): the wiring every service has (its `region` is the stations' whose
//! berkas it serves), and the sealing key.

use crate::seal::{SealError, SealKey};
use ktpel_settings::{OwnSettings, ServiceSettings, SettingsError};
use serde::{Deserialize, Serialize};

pub type BiometricSettings = ServiceSettings<Own>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Own {
    /// 64 hex digits; when unset the key lives in `key_file`.
    pub encryption_key: Option<String>,
    /// Created with a fresh key on first start if missing.
    pub key_file: String,
}

impl Default for Own {
    fn default() -> Self {
        Self {
            encryption_key: None,
            key_file: "data/biometric.key".into(),
        }
    }
}

impl Own {
    /// The sealing key: from `encryption_key`, or else the key file.
    pub fn seal_key(&self) -> Result<SealKey, SealError> {
        match &self.encryption_key {
            Some(hex) => SealKey::from_hex(hex),
            None => SealKey::from_file(std::path::Path::new(&self.key_file)),
        }
    }
}

impl OwnSettings for Own {
    const SERVICE: &'static str = crate::SERVICE;

    fn validate(&self, _region: Option<&str>) -> Result<(), SettingsError> {
        if let Some(hex) = &self.encryption_key {
            SealKey::from_hex(hex)
                .map_err(|e| SettingsError::invalid("encryption_key", e.to_string()))?;
        }
        Ok(())
    }
}

/// The site sets only its region and database.
impl ktpel_site::AtSite for Own {}
