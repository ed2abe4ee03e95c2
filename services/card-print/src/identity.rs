//! S06–S14: a replacement card is made only for the person on record. The resident presses
//! their index fingers on the counter's reader when they apply; the records travel on the
//! routing slip to the printing desk, which holds the enrollment the first card was made
//! from. There each pressed finger is compared 1:1 with the same finger of the record
//! (Bozorth3), and the card is opened only when one of them reaches `verify_score`: a 1:1
//! verification instead of the 1:N identification of a first enrollment.

use base64::{Engine, engine::general_purpose::STANDARD};
use ktpel_biometrics::{iso, score};
use ktpel_contract::enrollment::{Finger, FingerTemplate, TemplateFormat};

/// The score one pressed index finger must reach against the record, by default: NBIS's own
/// guidance for a probable match. Over 1,000 synthetic people pressed twice, every genuine
/// right index scored at least 40; impostor pairs stay far below (see the tests).
pub const VERIFY_SCORE: u32 = 40;

/// The index-finger templates of the enrollment on record (base64, as the job keeps them).
#[derive(Debug, Clone, Copy)]
pub struct OnRecord<'a> {
    pub right_index: Option<&'a str>,
    pub left_index: Option<&'a str>,
}

impl OnRecord<'_> {
    fn of(&self, f: Finger) -> Option<&str> {
        match f {
            Finger::RightIndex => self.right_index,
            Finger::LeftIndex => self.left_index,
            _ => None,
        }
    }
}

/// The fingers compared and their scores: the person is the one on record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub scores: Vec<(Finger, u32)>,
}

impl Verified {
    /// For the berkas's timeline.
    pub fn catatan(&self) -> String {
        format!(
            "sidik jari cocok 1:1 dengan rekaman ({})",
            scores(&self.scores)
        )
    }
}

fn scores(s: &[(Finger, u32)]) -> String {
    s.iter()
        .map(|(f, n)| format!("{} {n}", f.nama()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why the card is not made: the person could not be verified as the one on record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("no index finger was pressed at the counter: a replacement card is verified 1:1")]
    NothingPressed,
    #[error("the {} pressed is not a readable ISO/IEC 19794-2 record: {reason}", .finger.nama())]
    Pressed { finger: Finger, reason: String },
    /// The record holds no ISO record of any finger pressed: enrolled before the station sent
    /// ISO records, or that finger was missing at enrollment.
    #[error(
        "the enrollment on record holds no ISO/IEC 19794-2 record of the fingers pressed ({pressed}): it cannot be verified 1:1; the resident enrolls again"
    )]
    NotOnRecord { pressed: String },
    #[error(
        "the fingers pressed do not match the enrollment on record ({scores}; {threshold} needed): the card is not made"
    )]
    NoMatch { scores: String, threshold: u32 },
}

impl IdentityError {
    /// The reason in Bahasa Indonesia, for the berkas's timeline and the desks.
    pub fn pesan(&self) -> String {
        match self {
            Self::NothingPressed => {
                "sidik jari telunjuk tidak dipindai di loket: KTP-el pengganti diverifikasi 1:1"
                    .into()
            }
            Self::Pressed { finger, reason } => {
                format!("sidik jari {} tidak terbaca: {reason}", finger.nama())
            }
            Self::NotOnRecord { pressed } => format!(
                "rekaman tidak memuat templat ISO jari yang dipindai ({pressed}): verifikasi 1:1 tidak dapat dilakukan, penduduk merekam ulang"
            ),
            Self::NoMatch { scores, threshold } => format!(
                "sidik jari tidak cocok dengan rekaman ({scores}; perlu {threshold}): kartu tidak dibuat"
            ),
        }
    }
}

/// Verifies the fingers `pressed` against the enrollment `on_record`: verified when any
/// pressed index finger scores at least `threshold` against the same finger of the record.
pub fn verify(
    on_record: OnRecord<'_>,
    pressed: &[FingerTemplate],
    threshold: u32,
) -> Result<Verified, IdentityError> {
    let index: Vec<&FingerTemplate> = pressed
        .iter()
        .filter(|f| matches!(f.finger, Finger::RightIndex | Finger::LeftIndex))
        .collect();
    if index.is_empty() {
        return Err(IdentityError::NothingPressed);
    }
    let mut compared = Vec::new();
    for f in &index {
        let unreadable = |reason: String| IdentityError::Pressed {
            finger: f.finger,
            reason,
        };
        if f.template.format != TemplateFormat::Iso19794_2 {
            return Err(unreadable("a device's own template".into()));
        }
        let probe = iso::decode_as(&f.template.data, f.finger.iso_position())
            .map_err(|e| unreadable(e.to_string()))?;
        // The record's finger, if it is an ISO record (a vendor template is not compared).
        let Some(kept) = on_record
            .of(f.finger)
            .and_then(|b64| STANDARD.decode(b64).ok())
            .and_then(|bytes| iso::decode_as(&bytes, f.finger.iso_position()).ok())
        else {
            continue;
        };
        compared.push((f.finger, score::compare(&probe, &kept)));
    }
    if compared.is_empty() {
        let pressed = index.iter().map(|f| f.finger.nama()).collect::<Vec<_>>();
        return Err(IdentityError::NotOnRecord {
            pressed: pressed.join(", "),
        });
    }
    if compared.iter().any(|(_, s)| *s >= threshold) {
        Ok(Verified { scores: compared })
    } else {
        Err(IdentityError::NoMatch {
            scores: scores(&compared),
            threshold,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktpel_biometrics::synth;
    use ktpel_contract::enrollment::Template;

    /// Person `p`'s index fingers as the reader gives them at sitting `sitting`.
    fn pressed(p: u64, sitting: u32) -> Vec<FingerTemplate> {
        let whole = synth::Variation {
            partial: 0.0,
            ..synth::Variation::default()
        };
        [Finger::RightIndex, Finger::LeftIndex]
            .into_iter()
            .map(|finger| {
                let position = ktpel_biometrics::Finger::from_code(finger.iso_position()).unwrap();
                let t = synth::impression(p, position, sitting, &whole);
                FingerTemplate {
                    finger,
                    template: Template {
                        data: iso::encode(&t).unwrap(),
                        quality: t.quality,
                        format: TemplateFormat::Iso19794_2,
                    },
                }
            })
            .collect()
    }

    /// What the printing job keeps of an enrollment: the index fingers in base64.
    fn kept(fingers: &[FingerTemplate]) -> (String, String) {
        let b64 = |f: Finger| {
            STANDARD.encode(
                &fingers
                    .iter()
                    .find(|t| t.finger == f)
                    .unwrap()
                    .template
                    .data,
            )
        };
        (b64(Finger::RightIndex), b64(Finger::LeftIndex))
    }

    fn record(k: &(String, String)) -> OnRecord<'_> {
        OnRecord {
            right_index: Some(&k.0),
            left_index: Some(&k.1),
        }
    }

    #[test]
    fn the_person_on_record_is_verified_and_another_is_not() {
        // 200 people enrolled at sitting 0, pressing again at the counter (sitting 1); each
        // also tried against the next person's record.
        let records: Vec<_> = (0..200).map(|p| kept(&pressed(p, 0))).collect();
        let mut refused_genuine = Vec::new();
        let mut accepted_impostor = Vec::new();
        for p in 0..200u64 {
            let again = pressed(p, 1);
            if verify(record(&records[p as usize]), &again, VERIFY_SCORE).is_err() {
                refused_genuine.push(p);
            }
            let other = &records[(p as usize + 1) % records.len()];
            if verify(record(other), &again, VERIFY_SCORE).is_ok() {
                accepted_impostor.push(p);
            }
        }
        assert!(refused_genuine.is_empty(), "refused: {refused_genuine:?}");
        assert!(
            accepted_impostor.is_empty(),
            "accepted: {accepted_impostor:?}"
        );
    }

    #[test]
    fn an_impostor_is_refused_with_the_scores() {
        let k = kept(&pressed(1, 0));
        let err = verify(record(&k), &pressed(2, 1), VERIFY_SCORE).unwrap_err();
        let IdentityError::NoMatch { scores, threshold } = &err else {
            panic!("{err}");
        };
        assert_eq!(*threshold, VERIFY_SCORE);
        assert!(
            scores.contains("telunjuk kanan") && scores.contains("telunjuk kiri"),
            "{scores}"
        );
        assert!(
            err.pesan().contains("kartu tidak dibuat"),
            "{}",
            err.pesan()
        );
    }

    #[test]
    fn one_index_finger_is_enough_when_it_matches() {
        let k = kept(&pressed(3, 0));
        let left_only: Vec<_> = pressed(3, 1)
            .into_iter()
            .filter(|f| f.finger == Finger::LeftIndex)
            .collect();
        let v = verify(record(&k), &left_only, 1).unwrap();
        assert_eq!(v.scores.len(), 1);
        assert!(v.catatan().contains("telunjuk kiri"), "{}", v.catatan());
    }

    #[test]
    fn nothing_pressed_or_another_finger_is_not_a_verification() {
        let k = kept(&pressed(4, 0));
        assert_eq!(
            verify(record(&k), &[], VERIFY_SCORE),
            Err(IdentityError::NothingPressed)
        );
        let mut thumb = pressed(4, 1);
        thumb.truncate(1);
        thumb[0].finger = Finger::RightThumb;
        assert_eq!(
            verify(record(&k), &thumb, VERIFY_SCORE),
            Err(IdentityError::NothingPressed)
        );
    }

    #[test]
    fn an_unreadable_press_is_named() {
        let k = kept(&pressed(5, 0));
        let mut bad = pressed(5, 1);
        bad[1].template.data = b"not a record".to_vec();
        let err = verify(record(&k), &bad, VERIFY_SCORE).unwrap_err();
        assert!(
            matches!(
                &err,
                IdentityError::Pressed {
                    finger: Finger::LeftIndex,
                    ..
                }
            ),
            "{err}"
        );
        // A right index record filed as the left.
        let mut swapped = pressed(5, 1);
        swapped[1].template.data = swapped[0].template.data.clone();
        let err = verify(record(&k), &swapped, VERIFY_SCORE).unwrap_err();
        assert!(err.to_string().contains("position 2"), "{err}");
    }

    #[test]
    fn a_record_without_iso_templates_cannot_be_verified() {
        let vendor = STANDARD.encode([7u8; 64]);
        let old = OnRecord {
            right_index: Some(&vendor),
            left_index: None,
        };
        let err = verify(old, &pressed(6, 1), VERIFY_SCORE).unwrap_err();
        assert!(matches!(err, IdentityError::NotOnRecord { .. }), "{err}");
        assert!(err.pesan().contains("merekam ulang"), "{}", err.pesan());
    }
}
