//! Settings of card-print (`config/card-print.toml`, `KTPEL__…`, `KTPEL_CARD_PRINT__…`): the
//! wiring every service has (its `region` is the Dinas's kabupaten/kota: it prints for its own
//! residents), and the chip-signing key.

use crate::chip::{ChipError, signing_key};
use ed25519_dalek::SigningKey;
use ktpel_settings::{OwnSettings, Secret, ServiceSettings, SettingsError};
use serde::{Deserialize, Serialize};

pub type CardPrintSettings = ServiceSettings<Own>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Own {
    /// The Dinas's Ed25519 chip-signing key, 64 hex digits; unset: `signing_key_file`.
    pub signing_key: Option<Secret>,
    /// Created with a fresh key on first start if missing.
    pub signing_key_file: String,
    /// S06–S14: the Bozorth3 score an index finger pressed at the counter must reach against
    /// the enrollment on record for a replacement card to be made (1:1 verification).
    pub verify_score: u32,
}

impl Default for Own {
    fn default() -> Self {
        Self {
            signing_key: None,
            signing_key_file: "data/dinas-signing.key".into(),
            verify_score: crate::identity::VERIFY_SCORE,
        }
    }
}

impl Own {
    /// The chip-signing key: from `signing_key`, or the key file (made on first use).
    pub fn key(&self) -> Result<SigningKey, KeyError> {
        if let Some(hex) = &self.signing_key {
            return Ok(signing_key(hex.expose())?);
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

impl OwnSettings for Own {
    const SERVICE: &'static str = crate::SERVICE;

    fn validate(&self, _region: Option<&str>) -> Result<(), SettingsError> {
        if self.verify_score == 0 {
            return Err(SettingsError::invalid(
                "verify_score",
                "0 would verify anyone as the person on record",
            ));
        }
        if let Some(hex) = &self.signing_key {
            signing_key(hex.expose())
                .map_err(|e| SettingsError::invalid("signing_key", e.to_string()))?;
        }
        Ok(())
    }
}

/// The site sets its region and database; in a site's own folder (the demo's sites), the
/// default key file is the site's, so that each Dinas signs with a key of its own.
impl ktpel_site::AtSite for Own {
    fn in_data_dir(&mut self, dir: &str) {
        if self.signing_key.is_none() && self.signing_key_file == Own::default().signing_key_file {
            self.signing_key_file = format!("{dir}/dinas-signing.key");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktpel_site::AtSite;

    #[test]
    fn a_sites_folder_holds_its_own_key_unless_one_is_set() {
        let mut own = Own::default();
        own.in_data_dir("data/demo/dinas-32-04");
        assert_eq!(
            own.signing_key_file,
            "data/demo/dinas-32-04/dinas-signing.key"
        );

        let mut chosen = Own {
            signing_key_file: "/etc/ktpel/key".into(),
            ..Own::default()
        };
        chosen.in_data_dir("data/demo/dinas-32-04");
        assert_eq!(chosen.signing_key_file, "/etc/ktpel/key");
    }
}
