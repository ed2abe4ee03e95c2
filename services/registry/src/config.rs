//! Settings of the registry (`config/registry.toml`, `KTPEL__…`, `KTPEL_REGISTRY__…`): the
//! wiring every service has (its `region` is the region whose lookups it answers), and what
//! kind of SIAK it is.

use ktpel_settings::{OwnSettings, ServiceSettings, SettingsError};
use serde::{Deserialize, Serialize};

pub type RegistrySettings = ServiceSettings<Own>;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Own {
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

impl OwnSettings for Own {
    const SERVICE: &'static str = crate::SERVICE;

    fn validate(&self, region: Option<&str>) -> Result<(), SettingsError> {
        if self.mode == Mode::Copy && region.is_none() {
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

/// A kecamatan keeps a copy of its residents; a Dinas's register announces to them.
impl ktpel_site::AtSite for Own {
    fn at_site(&mut self, site: &ktpel_site::SiteSettings) {
        match site.name.kind() {
            ktpel_site::SiteKind::Kecamatan => self.mode = Mode::Copy,
            ktpel_site::SiteKind::Dinas => self.announce = true,
            ktpel_site::SiteKind::All | ktpel_site::SiteKind::PusatData => {}
        }
    }
}
