//! Which desks of a kind a service runs at a site: the kecamatan's, the Dinas's, or both.
//!
//! A berkas for a kecamatan's desk may be sent from the Dinas under the kecamatan's code (the
//! berkas coming back in S05.6, or from SIAK to the station in S04.4); it crosses down to the
//! kecamatan, so a Dinas's service must not take it too — nor a kecamatan's a berkas for the
//! Dinas's desk. intake (the counters) and biometric (the stations) bind by this.

use crate::{SiteKind, SiteSettings};
use ktpel_contract::berkas::desk_subject;
use ktpel_domain::sop::{Desk, Place};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DesksAt {
    /// Every place on one broker.
    #[default]
    Both,
    Kecamatan,
    Dinas,
}

impl DesksAt {
    /// What `site` runs: a kecamatan node its own desks, a Dinas the Dinas's; elsewhere as
    /// configured (`self`).
    pub fn at(self, site: &SiteSettings) -> Self {
        match site.name.kind() {
            SiteKind::Kecamatan => Self::Kecamatan,
            SiteKind::Dinas => Self::Dinas,
            SiteKind::All | SiteKind::PusatData => self,
        }
    }

    /// Whether a desk at `place` is run here (a mobile unit's desks are its kecamatan's).
    pub fn runs(self, place: Place) -> bool {
        match self {
            Self::Both => true,
            Self::Kecamatan => matches!(place, Place::Kecamatan | Place::Mobile),
            Self::Dinas => place == Place::Dinas,
        }
    }

    /// The hand-off subjects of `desk` at the places run here.
    pub fn subjects(self, desk: Desk) -> Vec<String> {
        let places: &[Place] = match self {
            Self::Both => &[Place::Kecamatan, Place::Dinas],
            Self::Kecamatan => &[Place::Kecamatan],
            Self::Dinas => &[Place::Dinas],
        };
        places.iter().map(|p| desk_subject(desk, *p)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_site_takes_its_own_desks_only() {
        let site = |name: &str| SiteSettings {
            name: name.parse().unwrap(),
            ..Default::default()
        };
        let kec = DesksAt::Both.at(&site("kecamatan:32.73.01"));
        assert_eq!(kec.subjects(Desk::Loket), ["berkas.handoff.ppp"]);
        let dinas = DesksAt::Both.at(&site("dinas:32.73"));
        assert_eq!(dinas.subjects(Desk::Perekaman), ["berkas.dinas.operator"]);
        assert!(dinas.runs(Place::Dinas) && !dinas.runs(Place::Kecamatan));
        assert!(kec.runs(Place::Mobile) && !kec.runs(Place::Dinas));
        assert!(DesksAt::Both.runs(Place::Dinas));
        assert_eq!(
            DesksAt::Both.at(&site("all")).subjects(Desk::Loket),
            ["berkas.handoff.ppp", "berkas.dinas.ppp"]
        );
    }
}
