//! Who applies in a part of the demo, for what, and at which counter: a population of its own
//! for each run (fresh NIKs every time), spread over the kecamatan.

use super::DemoError;
use ktpel_contract::registry::Biodata;
use ktpel_domain::{KodeWilayah, SopId, sop::Sop};
use ktpel_registry::seed;

/// The kecamatan whose counters take berkas, each with the index of its desk's sender.
pub(crate) struct Counters(pub(crate) Vec<(KodeWilayah, usize)>);

impl Counters {
    /// The sender of the desk at kecamatan `k`, if the demo runs one there.
    pub(crate) fn desk_of(&self, k: &str) -> Option<usize> {
        self.0
            .iter()
            .find(|(c, _)| c.to_string() == k)
            .map(|(_, i)| *i)
    }

    /// Where `p` applies: the counter of the kecamatan they live in (the first one when the
    /// demo runs no counter there).
    pub(crate) fn kecamatan_of(&self, p: &Biodata) -> String {
        let home = KodeWilayah::parse(&p.desa)
            .ok()
            .and_then(|d| d.parent())
            .map(|k| k.to_string())
            .unwrap_or_else(|| p.nik.kecamatan().to_string());
        if self.desk_of(&home).is_some() {
            home
        } else {
            self.0[0].0.to_string()
        }
    }
}

/// The residents of a part and what each applies for.
pub(crate) struct Population {
    /// Each resident in SIAK with the procedure of their first berkas; S05's residents join
    /// once SIAK has recorded them.
    pub(crate) first: Vec<(Biodata, SopId)>,
    /// Who applies under section C, once their first card is in their hands.
    pub(crate) later: Vec<(Biodata, SopId)>,
    /// S05's residents: not in SIAK yet.
    pub(crate) newcomers: Vec<Biodata>,
    /// The procedure of a first card after S05 (S05.7) or before section C: the part's first
    /// enrollment procedure, S01 by default.
    pub(crate) enroll_as: SopId,
}

impl Population {
    /// `residents` spread over `kecamatan`, each given the procedures in turn.
    pub(crate) fn generate(
        residents: usize,
        kecamatan: &[KodeWilayah],
        procedures: &[SopId],
    ) -> Result<Self, DemoError> {
        let seed_base = chrono::Utc::now().timestamp_millis() as u64;
        let mut people = Vec::new();
        for (i, code) in kecamatan.iter().enumerate() {
            let share = residents / kecamatan.len() + usize::from(i < residents % kecamatan.len());
            people.extend(seed::generate(code, share, seed_base + i as u64)?);
        }
        let s05 = SopId::new(5).expect("S05");
        let enroll_as = procedures
            .iter()
            .copied()
            .find(|p| matches!(p.number(), 1..=3))
            .unwrap_or(SopId::new(1).expect("S01"));
        let procedure_of = |i: usize| procedures[i % procedures.len()];
        let (newcomers, registered): (Vec<_>, Vec<_>) = people
            .into_iter()
            .enumerate()
            .partition(|(i, _)| procedure_of(*i) == s05);
        let assigned: Vec<(Biodata, SopId)> = registered
            .into_iter()
            .map(|(i, p)| (p, procedure_of(i)))
            .collect();
        // Section C follows a first card: those residents enroll first.
        let replaces = |sop: &SopId| Sop::get(*sop).replaces_a_card();
        let later = assigned
            .iter()
            .filter(|(_, sop)| replaces(sop))
            .cloned()
            .collect();
        let first = assigned
            .into_iter()
            .map(|(p, sop)| {
                if replaces(&sop) {
                    (p, enroll_as)
                } else {
                    (p, sop)
                }
            })
            .collect();
        Ok(Self {
            first,
            later,
            newcomers: newcomers.into_iter().map(|(_, p)| p).collect(),
            enroll_as,
        })
    }

    /// Who is in SIAK before the part starts: everyone but S04's (S04 enters them in SIAK on
    /// the way) and S05's.
    pub(crate) fn in_siak(&self) -> Vec<Biodata> {
        self.first
            .iter()
            .filter(|(_, sop)| !Sop::get(*sop).new_resident())
            .map(|(p, _)| p.clone())
            .collect()
    }
}
