//! A simulated capture station. No fingerprint reader, iris camera or signature pad exists
//! here, so `ktpel demo` and the tests make the capture as data: templates derived from the
//! person (the same person always gives the same templates, as a real body would), quality
//! scores in the good range, both index fingers verified, the resident's e-signature, and
//! the operator's sign-off when asked for.

use chrono::Utc;
use ktpel_contract::enrollment::{
    EnrollmentCaptured, Eye, Finger, FingerTemplate, IrisTemplate, Template,
};
use ktpel_domain::Nik;
use sha2::{Digest, Sha256};

/// Whose body is in front of the station: the templates depend only on this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person(pub String);

impl Person {
    /// The resident with this NIK (an honest resident: one body, one NIK).
    pub fn of(nik: &Nik) -> Self {
        Self(nik.to_string())
    }
}

fn template(person: &Person, part: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    for block in 0u8..4 {
        let mut h = Sha256::new();
        h.update(person.0.as_bytes());
        h.update(part.as_bytes());
        h.update([block]);
        out.extend_from_slice(&h.finalize());
    }
    out
}

/// A complete capture of `person` for berkas `nomor_berkas`, signed off by `operator` when
/// `signed_off`.
pub fn capture(
    nomor_berkas: &str,
    nik: &Nik,
    person: &Person,
    operator: &str,
    signed_off: bool,
) -> EnrollmentCaptured {
    let quality = |part: &str| 60 + template(person, part)[0] % 40;
    EnrollmentCaptured {
        capture_id: uuid::Uuid::now_v7(),
        nomor_berkas: nomor_berkas.to_owned(),
        nik: nik.clone(),
        photo: template(person, "photo"),
        signature: template(person, "signature"),
        fingerprints: Finger::ALL
            .iter()
            .map(|f| {
                let part = format!("{f:?}");
                FingerTemplate {
                    finger: *f,
                    template: Template {
                        data: template(person, &part),
                        quality: quality(&part),
                    },
                }
            })
            .collect(),
        irises: [Eye::Right, Eye::Left]
            .into_iter()
            .map(|eye| {
                let part = format!("{eye:?} iris");
                IrisTemplate {
                    eye,
                    template: Template {
                        data: template(person, &part),
                        quality: quality(&part),
                    },
                }
            })
            .collect(),
        left_index_verified: true,
        right_index_verified: true,
        resident_e_signature: template(person, "e-signature"),
        operator: operator.to_owned(),
        operator_signoff: signed_off.then(|| Template {
            data: template(&Person(operator.to_owned()), "RightIndex"),
            quality: 90,
        }),
        captured_at: Utc::now(),
    }
}

/// The pas photo and signature of `person` taken again for a replacement card (S08, S10,
/// S12): a new photo — a face changes over the years — and no fingerprints or irises, those
/// on record standing.
pub fn recapture(
    nomor_berkas: &str,
    nik: &Nik,
    person: &Person,
    operator: &str,
) -> EnrollmentCaptured {
    EnrollmentCaptured {
        photo: template(person, "photo, taken again"),
        signature: template(person, "signature, taken again"),
        fingerprints: Vec::new(),
        irises: Vec::new(),
        ..capture(nomor_berkas, nik, person, operator, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simulated_capture_passes_the_checks_and_depends_only_on_the_person() {
        let nik = Nik::parse("3273014107900001").unwrap();
        let a = capture("B-1", &nik, &Person::of(&nik), "op", true);
        let b = capture("B-2", &nik, &Person::of(&nik), "op", true);
        assert!(crate::checks::problems(&a).is_empty());
        let again = recapture("B-3", &nik, &Person::of(&nik), "op");
        assert!(crate::checks::recapture_problems(&again).is_empty());
        assert!(
            !crate::checks::problems(&again).is_empty(),
            "not an enrollment"
        );
        assert_ne!(again.photo, a.photo);
        assert_eq!(a.fingerprints, b.fingerprints);
        let other = capture("B-3", &nik, &Person("someone else".into()), "op", true);
        assert_ne!(a.fingerprints, other.fingerprints);
        assert!(
            !crate::checks::problems(&capture("B-4", &nik, &Person::of(&nik), "op", false))
                .is_empty()
        );
    }
}
