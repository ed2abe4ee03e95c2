//! What crosses between a site and the site above it, as data.
//!
//! Handoffs inside a site stay on its broker. A message for the other side is bound, by its
//! subject and the child's region code, to a durable queue of the sending site, and a shovel
//! carries it across when the link is up:
//!
//! ```text
//!  kecamatan 32.73.01                                  Dinas 32.73
//!  ktpel ──registry.ask_dinas.32.73.01.#──▶ ktpel.uplink ══shovel══▶ ktpel
//!        ──enrollment.created.32.73.01.#──▶                           │
//!        ──berkas.dinas.ppp.32.73.01.#────▶                           │
//!        ──berkas.dinas.siak.32.73.01.#───▶                           │
//!        ──card.lost.32.73.01.#───────────▶                           │
//!  ktpel ◀══shovel══ ktpel.downlink.32.73.01 ◀──card.status.32.73.01.#────┤
//!                                            ◀──intake.registry_answer.32.73.01.#
//!                                            ◀──registry.resident.32.73.01.#
//!                                            ◀──berkas.handoff.ppp.32.73.01.#
//!                                            ◀──berkas.handoff.operator.32.73.01.#
//! ```
//!
//! A subject crosses in one direction only, so nothing loops; and every binding carries the
//! child's code, so a Dinas serving many kecamatan sends each only its own answers and cards.

use crate::site::{Site, SiteKind};
use ktpel_bus::RoutingKey;
use ktpel_contract::{
    berkas::{DINAS_COUNTER, KECAMATAN_COUNTER, KECAMATAN_STATION, SIAK_DESK},
    enrollment::{CARD_STATUS, CREATED, LOST, TO_PUSAT_DATA},
    registry::{
        ANSWER_TO_DESK, ANSWER_TO_INTAKE, ASK_DINAS, PINDAH_DATANG, PINDAH_KELUAR, RESIDENT,
    },
};

/// The subjects that cross the link between a site and its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crossing {
    /// Carried up by the uplink shovel.
    pub up: &'static [&'static str],
    /// Carried down by the downlink shovel.
    pub down: &'static [&'static str],
    /// Published straight onto the parent's broker by a service of the site (the NID
    /// Scheduler: the SOP defines it, S19), not by a shovel.
    pub direct: &'static [&'static str],
}

/// A kecamatan and its Dinas: enrollments up (the Dinas prints the card and its Server AFIS
/// sends the enrollment on), the lookups the kecamatan's copy of SIAK could not answer, and
/// the berkas its counter sends to the Dinas's (S05.2) or to SIAK (S04.3); down, the residents
/// for that copy (so the desk checks NIKs while the link is down), the register's answers (to
/// intake, and to the counter's desk in the browser), the card's status, and the berkas coming
/// back to its counter (S05.5–S05.6) or station (S04.4).
/// A lost card reported at its counter (S11.2) goes up to the Dinas's card register.
const KECAMATAN: Crossing = Crossing {
    up: &[ASK_DINAS, CREATED, DINAS_COUNTER, SIAK_DESK, LOST],
    down: &[
        ANSWER_TO_INTAKE,
        ANSWER_TO_DESK,
        CARD_STATUS,
        RESIDENT,
        KECAMATAN_COUNTER,
        KECAMATAN_STATION,
    ],
    direct: &[],
};

/// A Dinas and the Pusat Data: the NID Scheduler sends enrollments itself; the verdicts
/// (SFE, PRR, DUPLICATE_RECORD) come down. S18: a family moving to another kabupaten/kota
/// goes up from the origin's SIAK, and comes down to the destination's with the enrollments
/// on record (the Pusat Data hands it on: a Dinas publishes only under its own code).
const DINAS: Crossing = Crossing {
    up: &[PINDAH_KELUAR],
    down: &[CARD_STATUS, PINDAH_DATANG],
    direct: &[TO_PUSAT_DATA],
};

const NOTHING: Crossing = Crossing {
    up: &[],
    down: &[],
    direct: &[],
};

impl Crossing {
    /// What crosses between `site` and its parent.
    pub fn of(site: &Site) -> Crossing {
        match site.kind() {
            SiteKind::Kecamatan => KECAMATAN,
            SiteKind::Dinas => DINAS,
            SiteKind::All | SiteKind::PusatData => NOTHING,
        }
    }

    /// Binding patterns `<subject>.<code>.#` for `subjects` of `site`.
    pub fn bindings(site: &Site, subjects: &[&str]) -> Vec<String> {
        let code = site.code().map(|c| c.to_string());
        subjects
            .iter()
            .map(|s| RoutingKey::binding(s, code.as_deref()).expect("contract subjects are valid"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_subject_crosses_both_ways() {
        for c in [KECAMATAN, DINAS] {
            for s in c.up.iter().chain(c.direct) {
                assert!(!c.down.contains(s), "{s} would loop");
            }
        }
    }

    #[test]
    fn bindings_carry_the_sites_code() {
        let kec: Site = "kecamatan:32.73.01".parse().unwrap();
        assert_eq!(
            Crossing::bindings(&kec, Crossing::of(&kec).down),
            [
                "intake.registry_answer.32.73.01.#",
                "desk.registry_answer.32.73.01.#",
                "card.status.32.73.01.#",
                "registry.resident.32.73.01.#",
                "berkas.handoff.ppp.32.73.01.#",
                "berkas.handoff.operator.32.73.01.#"
            ]
        );
    }
}
