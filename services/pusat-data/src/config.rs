//! Settings of the Pusat Data (`config/pusat-data.toml`, `KTPEL__…`, `KTPEL_PUSAT_DATA__…`).

use ktpel_biometrics::Thresholds;
use ktpel_settings::{OwnSettings, ServiceSettings, SettingsError};
use serde::{Deserialize, Serialize};

pub type PusatDataSettings = ServiceSettings<Own>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Own {
    /// Identical templates (a device's own, matched byte for byte) that must match another
    /// NIK's for a duplicate (at least 1).
    pub duplicate_min_fingers: usize,
    /// Bozorth3 score that two index fingers must each reach for the same person
    /// (DUPLICATE_RECORD). `docs/biometrics.md` has the error rates measured for it.
    pub clear_score: u32,
    /// Two fingers each at this score (but not both at `clear_score`) go to adjudication.
    pub grey_score: u32,
    /// One finger alone at this score goes to adjudication.
    pub single_score: u32,
    /// How many enrollments on record, per index finger, are shortlisted.
    pub shortlist: usize,
    /// How many of a shortlisted finger's triangles must agree on one pose with the new
    /// enrollment's for its record to be compared in full (0: every shortlisted record is).
    pub agreeing_triangles: u32,
}

impl Default for Own {
    fn default() -> Self {
        let t = Thresholds::default();
        Self {
            duplicate_min_fingers: 2,
            clear_score: t.clear,
            grey_score: t.grey,
            single_score: t.single,
            shortlist: t.shortlist,
            agreeing_triangles: t.agreeing,
        }
    }
}

impl Own {
    /// The matcher's thresholds.
    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            clear: self.clear_score,
            grey: self.grey_score,
            single: self.single_score,
            shortlist: self.shortlist,
            agreeing: self.agreeing_triangles,
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
        if self.grey_score == 0 || self.grey_score > self.clear_score {
            return Err(SettingsError::invalid(
                "grey_score",
                "must be above 0 and at most clear_score (the grey zone lies under a clear match)",
            ));
        }
        if self.single_score < self.clear_score {
            return Err(SettingsError::invalid(
                "single_score",
                "must be at least clear_score (one finger alone needs more than each of two)",
            ));
        }
        if self.shortlist == 0 {
            return Err(SettingsError::invalid("shortlist", "must be at least 1"));
        }
        Ok(())
    }
}

/// The site sets only its region and database.
impl ktpel_site::AtSite for Own {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_out_of_order_are_refused_by_name() {
        assert!(Own::default().validate(None).is_ok());
        for (own, name) in [
            (
                Own {
                    grey_score: 30,
                    ..Own::default()
                },
                "grey_score",
            ),
            (
                Own {
                    single_score: 10,
                    ..Own::default()
                },
                "single_score",
            ),
            (
                Own {
                    shortlist: 0,
                    ..Own::default()
                },
                "shortlist",
            ),
        ] {
            let err = own.validate(None).unwrap_err().to_string();
            assert!(err.contains(name), "{err}");
        }
    }
}
