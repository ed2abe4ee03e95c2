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
    /// Who does the work of SIAK's desk at the register (S04.3, S05.4, S06/S07, S13/S14,
    /// S15–S18) as a berkas reaches it.
    #[serde(default)]
    pub entry: Entry,
}

/// Who does SIAK's desk work at the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// The registry, as the berkas arrives: the counter's forms are taken as entered (a demo,
    /// a Dinas whose counters enter straight into SIAK).
    #[default]
    Automatic,
    /// The SIAK operator at `/siak`: each berkas waits on SIAK's worklist until the operator
    /// enters it (the SOP's own steps).
    Desk,
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
        if self.mode == Mode::Copy && self.entry == Entry::Desk {
            return Err(SettingsError::invalid(
                "entry",
                "SIAK's desk is at the register; a copy of SIAK has no berkas to enter",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siak_s_desk_is_at_the_register_only() {
        let desk = |mode| Own {
            mode,
            announce: false,
            entry: Entry::Desk,
        };
        assert!(desk(Mode::Register).validate(None).is_ok());
        let err = desk(Mode::Copy).validate(Some("32.73.01")).unwrap_err();
        assert!(
            err.to_string().contains("SIAK's desk is at the register"),
            "{err}"
        );
        // Unset, the register does the desk's work itself.
        assert_eq!(Own::default().entry, Entry::Automatic);
    }
}
