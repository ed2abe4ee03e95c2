//! Settings of the intake service (`config/intake.toml`, `KTPEL__…`, `KTPEL_INTAKE__…`): the
//! wiring every service has (its `region` is the desks whose berkas it takes), and which
//! counters it runs.

use ktpel_settings::{OwnSettings, ServiceSettings};
use serde::{Deserialize, Serialize};

pub type IntakeSettings = ServiceSettings<Own>;

/// Which service counters (*loket*) this intake runs: a kecamatan's, the Dinas's, or both
/// (every place on one broker). A berkas handed to a counter at the Dinas (`berkas.dinas.ppp`)
/// and one handed back to the kecamatan's (`berkas.handoff.ppp`) travel under the same
/// kecamatan code, so a Dinas's intake must not take the second (it crosses down to the
/// kecamatan), nor a kecamatan's the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counters {
    #[default]
    Both,
    Kecamatan,
    Dinas,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Own {
    /// Set by the site: `kecamatan` at a kecamatan node, `dinas` at a Dinas.
    #[serde(default)]
    pub counters: Counters,
}

impl OwnSettings for Own {
    const SERVICE: &'static str = crate::SERVICE;
}

/// A kecamatan node runs the kecamatan's counter, a Dinas the Dinas's.
impl ktpel_site::AtSite for Own {
    fn at_site(&mut self, site: &ktpel_site::SiteSettings) {
        self.counters = match site.name.kind() {
            ktpel_site::SiteKind::Kecamatan => Counters::Kecamatan,
            ktpel_site::SiteKind::Dinas => Counters::Dinas,
            ktpel_site::SiteKind::All | ktpel_site::SiteKind::PusatData => self.counters,
        };
    }
}
