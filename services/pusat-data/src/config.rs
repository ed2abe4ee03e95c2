//! Settings of the Pusat Data (`config/pusat-data.toml`, `KTPEL__…`, `KTPEL_PUSAT_DATA__…`).

use ktpel_settings::{OwnSettings, ServiceSettings, SettingsError};
use serde::{Deserialize, Serialize};

pub type PusatDataSettings = ServiceSettings<Own>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Own {
    /// Fingers that must match another NIK's for a duplicate (at least 1).
    pub duplicate_min_fingers: usize,
}

impl Default for Own {
    fn default() -> Self {
        Self {
            duplicate_min_fingers: 2,
        }
    }
}

impl OwnSettings for Own {
    const SERVICE: &'static str = crate::SERVICE;

    fn validate(&self, _region: Option<&str>) -> Result<(), SettingsError> {
        if self.duplicate_min_fingers == 0 || self.duplicate_min_fingers > 10 {
            return Err(SettingsError::invalid(
                "duplicate_min_fingers",
                "must be between 1 and 10",
            ));
        }
        Ok(())
    }
}

/// The site sets only its region and database.
impl ktpel_site::AtSite for Own {}
