//! Settings of the intake service (`config/intake.toml`, `KTPEL__…`, `KTPEL_INTAKE__…`): the
//! wiring every service has (its `region` is the desks whose berkas it takes), and which
//! counters it runs.

use ktpel_settings::{OwnSettings, ServiceSettings};
use ktpel_site::DesksAt;
use serde::{Deserialize, Serialize};

pub type IntakeSettings = ServiceSettings<Own>;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Own {
    /// Which service counters (*loket*) it runs; set by the site: `kecamatan` at a kecamatan
    /// node, `dinas` at a Dinas (`ktpel_site::DesksAt`).
    #[serde(default)]
    pub counters: DesksAt,
}

impl OwnSettings for Own {
    const SERVICE: &'static str = crate::SERVICE;
}

/// A kecamatan node runs the kecamatan's counter, a Dinas the Dinas's.
impl ktpel_site::AtSite for Own {
    fn at_site(&mut self, site: &ktpel_site::SiteSettings) {
        self.counters = self.counters.at(site);
    }
}
