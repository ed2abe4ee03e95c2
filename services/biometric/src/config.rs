//! Settings of the biometric service (`config/biometric.toml`, `KTPEL__…`,
//! `KTPEL_BIOMETRIC__…`): the wiring every service has (its `region` is the stations' whose
//! berkas it serves), and the sealing key.

use crate::seal::{SealError, SealKey};
use ktpel_settings::{OwnSettings, Secret, ServiceSettings, SettingsError};
use ktpel_site::DesksAt;
use serde::{Deserialize, Serialize};

pub type BiometricSettings = ServiceSettings<Own>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Own {
    /// 64 hex digits; when unset the key lives in `key_file`.
    pub encryption_key: Option<Secret>,
    /// Created with a fresh key on first start if missing.
    pub key_file: String,
    /// S20: the site's bundle keys (signing its backups), created on first use.
    pub bundle_key_file: String,
    /// S20: the bundle key of the online Server AFIS that imports this site's backups (its
    /// `ktpel backup keys`); unset: `ktpel backup export --to KEY` must say.
    pub bundle_recipient: Option<String>,
    /// S20: how long a backup bundle may wait before it is imported.
    pub bundle_valid_days: u32,
    /// How many days a station may go without the Pusat Data having its records before it
    /// says so (MOSIP's "maximum days without sync").
    pub max_days_offline: u32,
    /// Which enrollment stations it runs; set by the site: a kecamatan's, the Dinas's, or
    /// both on one broker (`ktpel_site::DesksAt`).
    pub stations: DesksAt,
}

impl Default for Own {
    fn default() -> Self {
        Self {
            encryption_key: None,
            key_file: "data/biometric.key".into(),
            bundle_key_file: "data/site.key".into(),
            bundle_recipient: None,
            bundle_valid_days: 30,
            max_days_offline: 7,
            stations: DesksAt::Both,
        }
    }
}

impl Own {
    /// The sealing key: from `encryption_key`, or else the key file.
    pub fn seal_key(&self) -> Result<SealKey, SealError> {
        match &self.encryption_key {
            Some(hex) => SealKey::from_hex(hex.expose()),
            None => SealKey::from_file(std::path::Path::new(&self.key_file)),
        }
    }
}

impl OwnSettings for Own {
    const SERVICE: &'static str = crate::SERVICE;

    fn validate(&self, _region: Option<&str>) -> Result<(), SettingsError> {
        if let Some(hex) = &self.encryption_key {
            SealKey::from_hex(hex.expose())
                .map_err(|e| SettingsError::invalid("encryption_key", e.to_string()))?;
        }
        if let Some(key) = &self.bundle_recipient {
            key.parse::<ktpel_bundle::PublicKey>()
                .map_err(|e| SettingsError::invalid("bundle_recipient", e.to_string()))?;
        }
        if self.bundle_valid_days == 0 {
            return Err(SettingsError::invalid(
                "bundle_valid_days",
                "a bundle valid for 0 days can never be imported",
            ));
        }
        Ok(())
    }
}

/// A kecamatan node runs the kecamatan's stations, a Dinas the Dinas's.
impl ktpel_site::AtSite for Own {
    fn at_site(&mut self, site: &ktpel_site::SiteSettings) {
        self.stations = self.stations.at(site);
    }
}
