//! Every enrollment on record, and the 1:N identification of a new one against them all: the
//! new enrollment's indexed fingers (both index fingers by default) shortlist the records
//! sharing the most triangles ([`crate::index`]); each shortlisted record is compared with
//! Bozorth3 finger by finger, on every finger both have; the thresholds decide.
//!
//! - two or more fingers scoring at least `clear`: the same person — a duplicate;
//! - two or more at `grey`, or one at `single`: a case for a person to adjudicate;
//! - otherwise nobody on record is this person.
//!
//! The defaults come from the synthetic population (1,000 people searched again with both
//! index fingers, 3,000 never enrolled; `bench matcher` measures them at larger sizes) and
//! from real prints: Bozorth3 scores a stranger's finger at most in the low 20s (real
//! impostor pairs 15–18), a mate's typically well over 100, but a poor impression (partial,
//! distorted) of a mate can score in the 20s. So two fingers each at 20 decide; two at 15, or
//! one at 40 alone, go to a person.

use crate::{
    index::Index,
    minutia::{Finger, Template},
    score::{bozorth3, xyt},
};
use fprint_bozorth3::Minutia as Xyt;
use rayon::prelude::*;
use std::collections::HashMap;

/// The Bozorth3 scores that decide, and how long the shortlist is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Two fingers each scoring this or more: the same person.
    pub clear: u32,
    /// Two fingers each scoring this or more (but not both `clear`): for adjudication.
    pub grey: u32,
    /// One finger scoring this or more, whatever the others: for adjudication.
    pub single: u32,
    /// How many records, per indexed finger, are shortlisted.
    pub shortlist: usize,
    /// How many of a shortlisted finger's triangles must agree on one pose with the probe's
    /// for its record to be compared in full: fewer, and it is a stranger's print.
    pub agreeing: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            clear: 20,
            grey: 15,
            single: 40,
            shortlist: 5,
            agreeing: 4,
        }
    }
}

/// What an identification found, for the record it found most like the probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Nobody on record is this person.
    Unique,
    /// The same person is on record under `nik`: the fingers and their scores.
    Duplicate {
        nik: String,
        fingers: Vec<(Finger, u32)>,
    },
    /// Perhaps the person on record under `nik`: for a person to decide.
    Adjudicate {
        nik: String,
        fingers: Vec<(Finger, u32)>,
    },
}

/// One enrolled finger.
struct Enrolled {
    record: u32,
    xyt: Vec<Xyt>,
}

/// The gallery: the records, their fingers, and the index of the indexed fingers.
pub struct Gallery {
    niks: Vec<String>,
    by_nik: HashMap<String, u32>,
    /// Each record's fingers, by finger.
    fingers: Vec<HashMap<Finger, u32>>,
    enrolled: Vec<Enrolled>,
    /// One index per indexed finger.
    indexes: HashMap<Finger, Index>,
    thresholds: Thresholds,
}

impl Gallery {
    /// An empty gallery indexing `indexed` fingers.
    pub fn new(thresholds: Thresholds, indexed: &[Finger]) -> Self {
        Self {
            niks: Vec::new(),
            by_nik: HashMap::new(),
            fingers: Vec::new(),
            enrolled: Vec::new(),
            indexes: indexed.iter().map(|f| (*f, Index::new())).collect(),
            thresholds,
        }
    }

    /// How many records are on record.
    pub fn len(&self) -> usize {
        self.niks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.niks.is_empty()
    }

    /// The index's postings, over every indexed finger (memory: about 4 bytes each).
    pub fn postings(&self) -> usize {
        self.indexes.values().map(Index::postings).sum()
    }

    /// Enrolls `templates` under `nik`; a NIK already on record gets the new templates (a
    /// re-enrollment replaces its fingers in the comparison, the old stay in the index and
    /// still point to the record).
    pub fn insert(&mut self, nik: &str, templates: &[Template]) {
        let record = match self.by_nik.get(nik) {
            Some(r) => *r,
            None => {
                let r = self.niks.len() as u32;
                self.niks.push(nik.to_owned());
                self.by_nik.insert(nik.to_owned(), r);
                self.fingers.push(HashMap::new());
                r
            }
        };
        for t in templates {
            let entry = self.enrolled.len() as u32;
            self.enrolled.push(Enrolled {
                record,
                xyt: xyt(t),
            });
            self.fingers[record as usize].insert(t.finger, entry);
            if let Some(index) = self.indexes.get_mut(&t.finger) {
                index.insert(entry, t);
            }
        }
    }

    /// The records most like `probe`, compared with Bozorth3: each with its fingers' scores,
    /// the highest first. `except` (the enrollment's own NIK) is left out.
    ///
    /// A record is compared first on the fingers that shortlisted it; its other fingers only
    /// when one of those reaches `grey` — below that no decision could come of the record
    /// unless another finger alone reached `single`, and a finger that alike shortlists the
    /// record itself. Most records of a shortlist are strangers shortlisted by one finger,
    /// so this halves the comparisons of an enrollment found to be nobody.
    pub fn candidates(
        &self,
        probe: &[Template],
        except: Option<&str>,
    ) -> Vec<(String, Vec<(Finger, u32)>)> {
        // Each shortlisted record, with the fingers that shortlisted it.
        let mut shortlisted: Vec<(u32, Vec<Finger>)> = Vec::new();
        for t in probe {
            if let Some(index) = self.indexes.get(&t.finger) {
                for found in index.shortlist(t, self.thresholds.shortlist) {
                    if found.agreeing < self.thresholds.agreeing {
                        continue;
                    }
                    let record = self.enrolled[found.entry as usize].record;
                    match shortlisted.iter_mut().find(|(r, _)| *r == record) {
                        Some((_, by)) => by.push(t.finger),
                        None => shortlisted.push((record, vec![t.finger])),
                    }
                }
            }
        }
        let probe: Vec<(Finger, Vec<Xyt>)> = probe.iter().map(|t| (t.finger, xyt(t))).collect();
        let grey = self.thresholds.grey;
        // The records are compared on every core (rayon's pool): an identification is one
        // enrollment's, one at a time (a duplicate enrolling twice at once must meet its
        // other self), so its comparisons are what can run side by side.
        let mut out: Vec<(String, Vec<(Finger, u32)>)> = shortlisted
            .into_par_iter()
            .filter(|(r, _)| except != Some(self.niks[*r as usize].as_str()))
            .map(|(r, by)| {
                let enrolled = &self.fingers[r as usize];
                let score = |finger: &Finger, p: &[Xyt]| {
                    let entry = enrolled.get(finger)?;
                    Some((*finger, bozorth3(p, &self.enrolled[*entry as usize].xyt)))
                };
                let (first, rest): (Vec<_>, Vec<_>) =
                    probe.iter().partition(|(finger, _)| by.contains(finger));
                let mut scores: Vec<(Finger, u32)> =
                    first.iter().filter_map(|(f, p)| score(f, p)).collect();
                if scores.iter().any(|(_, s)| *s >= grey) {
                    scores.extend(rest.iter().filter_map(|(f, p)| score(f, p)));
                }
                scores.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                (self.niks[r as usize].clone(), scores)
            })
            .collect();
        out.sort_by(|a, b| rank(&b.1).cmp(&rank(&a.1)).then(a.0.cmp(&b.0)));
        out
    }

    /// The decision for `probe`, enrolled under `except` (left out of the search).
    pub fn identify(&self, probe: &[Template], except: Option<&str>) -> Decision {
        self.thresholds.decide(self.candidates(probe, except))
    }

    /// Decides with `thresholds` from now on.
    pub fn set_thresholds(&mut self, thresholds: Thresholds) {
        self.thresholds = thresholds;
    }

    /// Whether `nik` is on record.
    pub fn contains(&self, nik: &str) -> bool {
        self.by_nik.contains_key(nik)
    }
}

impl Thresholds {
    /// The decision for `candidates`, the most alike first (as [`Gallery::candidates`] gives
    /// them): the first that is a duplicate or a case for adjudication decides.
    pub fn decide(self, candidates: Vec<(String, Vec<(Finger, u32)>)>) -> Decision {
        let at_least = |fingers: &[(Finger, u32)], score: u32| {
            fingers.iter().filter(|(_, s)| *s >= score).count()
        };
        for (nik, fingers) in candidates {
            if at_least(&fingers, self.clear) >= 2 {
                return Decision::Duplicate { nik, fingers };
            }
            if at_least(&fingers, self.grey) >= 2 || at_least(&fingers, self.single) >= 1 {
                return Decision::Adjudicate { nik, fingers };
            }
        }
        Decision::Unique
    }
}

/// How strongly a record's scores say "the same person": the second best finger first (two
/// fingers decide), then the best.
fn rank(scores: &[(Finger, u32)]) -> (u32, u32) {
    let best = scores.first().map_or(0, |s| s.1);
    let second = scores.get(1).map_or(0, |s| s.1);
    (second, best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{Variation, impression};

    fn enrollment(person: u64, sitting: u32) -> Vec<Template> {
        Finger::ALL
            .iter()
            .map(|f| impression(person, *f, sitting, &Variation::default()))
            .collect()
    }

    fn nik(person: u64) -> String {
        format!("32730101019{person:05}")
    }

    #[test]
    fn the_same_person_under_another_nik_is_a_duplicate_and_a_stranger_is_not() {
        let mut g = Gallery::new(
            Thresholds::default(),
            &[Finger::RightIndex, Finger::LeftIndex],
        );
        for p in 0..200 {
            g.insert(&nik(p), &enrollment(p, 0));
        }
        assert_eq!(g.len(), 200);
        // Person 17 again, another sitting, another NIK.
        match g.identify(&enrollment(17, 1), Some("3273019999900001")) {
            Decision::Duplicate {
                nik: found,
                fingers,
            } => {
                assert_eq!(found, nik(17));
                let clear = Thresholds::default().clear;
                assert!(fingers.iter().filter(|(_, s)| *s >= clear).count() >= 2);
            }
            other => panic!("not found: {other:?}"),
        }
        // Somebody never enrolled.
        assert_eq!(g.identify(&enrollment(5000, 0), None), Decision::Unique);
        // One's own record is not a duplicate of oneself.
        assert_eq!(
            g.identify(&enrollment(17, 1), Some(&nik(17))),
            Decision::Unique
        );
    }

    /// Somebody never enrolled shares triangles' keys with prints on record by chance, but no
    /// pose: nobody is compared with Bozorth3 at all. With no floor on the agreeing triangles,
    /// the shortlisted strangers are.
    #[test]
    fn a_strangers_identification_compares_nobody() {
        let mut g = Gallery::new(
            Thresholds::default(),
            &[Finger::RightIndex, Finger::LeftIndex],
        );
        for p in 0..300 {
            g.insert(&nik(p), &enrollment(p, 0));
        }
        let strangers: Vec<_> = (0..10).map(|p| enrollment(7000 + p, 0)).collect();
        let compared: usize = strangers.iter().map(|s| g.candidates(s, None).len()).sum();
        assert_eq!(compared, 0);
        g.set_thresholds(Thresholds {
            agreeing: 0,
            ..Thresholds::default()
        });
        let compared: usize = strangers.iter().map(|s| g.candidates(s, None).len()).sum();
        assert!(compared >= 10 * 5, "{compared}");
    }

    /// One finger alike and the rest not (a single finger, say, misfiled): for a person to
    /// decide, not a duplicate.
    #[test]
    fn one_finger_alike_goes_to_adjudication() {
        let mut g = Gallery::new(
            Thresholds::default(),
            &[Finger::RightIndex, Finger::LeftIndex],
        );
        for p in 0..50 {
            g.insert(&nik(p), &enrollment(p, 0));
        }
        // A person on record whose right index, taken again, scores clearly on its own.
        let v = Variation::default();
        let again = |p: u64| impression(p, Finger::RightIndex, 1, &v);
        let person = (0..50)
            .find(|p| {
                crate::score::compare(&again(*p), &impression(*p, Finger::RightIndex, 0, &v))
                    >= Thresholds::default().single
            })
            .expect("a finger that matches clearly");
        let mut probe = enrollment(9000, 0);
        probe[1] = again(person);
        match g.identify(&probe, None) {
            Decision::Adjudicate { nik: found, .. } => assert_eq!(found, nik(person)),
            other => panic!("{other:?}"),
        }
    }
}
