//! A simulated capture station. No fingerprint reader, iris camera or signature pad exists
//! here, so `ktpel demo` and the tests make the capture as data: templates derived from the
//! person (the same person always gives the same templates, as a real body would), quality
//! scores in the good range, both index fingers verified, the resident's e-signature, and
//! the operator's sign-off when asked for. The pas photo is a real PNG (a drawn head and
//! shoulders, [`portrait`]) and the signature a pad's trace ([`signature_trace`]), so the card
//! printed from them shows them.

use chrono::Utc;
use ktpel_biometrics::{iso, synth};
use ktpel_contract::enrollment::{
    EnrollmentCaptured, Eye, Finger, FingerTemplate, IrisTemplate, Template, TemplateFormat,
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

/// The pas photo of `person` (`take` tells one sitting from another): a 3 × 4 portrait,
/// 96 × 128 pixels, an RGB PNG. A head and shoulders on the red background of a KTP-el photo;
/// the face's tone, size and the clothes come from the person and the sitting.
pub fn portrait(person: &Person, take: &str) -> Vec<u8> {
    const W: u32 = 96;
    const H: u32 = 128;
    let seed = template(person, take);
    let pick = |i: usize, choices: &[[u8; 3]]| choices[usize::from(seed[i]) % choices.len()];
    let skin = pick(
        0,
        &[
            [0xe0, 0xb0, 0x8a],
            [0xc6, 0x8e, 0x64],
            [0x9c, 0x68, 0x44],
            [0xd9, 0xa0, 0x70],
        ],
    );
    let hair = pick(
        1,
        &[[0x1a, 0x14, 0x10], [0x30, 0x22, 0x18], [0x0c, 0x0c, 0x0c]],
    );
    let clothes = pick(
        2,
        &[
            [0x20, 0x30, 0x60],
            [0xf0, 0xf0, 0xf0],
            [0x40, 0x40, 0x40],
            [0x6a, 0x20, 0x30],
        ],
    );
    let background = [0xc8, 0x14, 0x2e];
    let (rx, ry) = (18.0 + f32::from(seed[3] % 5), 24.0 + f32::from(seed[4] % 5));
    let inside = |x: f32, y: f32, (cx, cy): (f32, f32), (ax, ay): (f32, f32)| {
        ((x - cx) / ax).powi(2) + ((y - cy) / ay).powi(2) <= 1.0
    };
    let mut pixels = Vec::with_capacity((W * H * 3) as usize);
    for y in 0..H {
        for x in 0..W {
            let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
            let colour = if inside(fx, fy, (48.0, 60.0), (rx, ry)) {
                let eye = [36.0, 60.0]
                    .iter()
                    .any(|ex| inside(fx, fy, (*ex, 56.0), (2.5, 2.0)));
                let mouth = (68.0..71.0).contains(&(fy - 6.0)) && (fx - 48.0).abs() < 7.0;
                if fy < 60.0 - ry * 0.55 {
                    hair
                } else if eye || mouth {
                    [0x30, 0x18, 0x14]
                } else {
                    skin
                }
            } else if inside(fx, fy, (48.0, 60.0), (rx + 3.0, ry + 3.0)) && fy < 56.0 {
                hair
            } else if inside(fx, fy, (48.0, 142.0), (46.0, 52.0)) {
                clothes
            } else if (fx - 48.0).abs() < 8.0 && (80.0..96.0).contains(&fy) {
                skin
            } else {
                background
            };
            pixels.extend_from_slice(&colour);
        }
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, W, H);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("a PNG header in memory");
    writer.write_image_data(&pixels).expect("pixels in memory");
    writer.finish().expect("a PNG in memory");
    png
}

/// The signature pad's trace of `person` (`take` tells one sitting from another): 48 points
/// left to right rising and falling as a hand does, pairs of bytes (x, y) on the pad's
/// 256 × 256 grid.
pub fn signature_trace(person: &Person, take: &str) -> Vec<u8> {
    let seed = template(person, take);
    let (a, b) = (
        40.0 + f32::from(seed[0] % 40),
        15.0 + f32::from(seed[1] % 25),
    );
    let (f, g) = (
        0.3 + f32::from(seed[2] % 20) / 40.0,
        0.9 + f32::from(seed[3] % 20) / 20.0,
    );
    let phase = f32::from(seed[4]) / 40.0;
    (0..48u8)
        .flat_map(|i| {
            let t = f32::from(i);
            let y = 128.0 + a * (f * t + phase).sin() + b * (g * t).cos();
            [8 + i * 5, y.clamp(0.0, 255.0) as u8]
        })
        .collect()
}

/// The ten fingers of `person` as the scanner reads them at the sitting of berkas
/// `nomor_berkas`: each an ISO/IEC 19794-2 record of a synthetic impression
/// ([`ktpel_biometrics::synth`]). The person's fingers are the same at every sitting; each
/// sitting presses them a little differently (turned, shifted, some minutiae lost), as at a
/// real scanner, so two enrollments of one body are alike but never byte for byte. Over
/// 1,000 synthetic people pressed twice, every pair scored at least 20 on both index fingers
/// and 40 on the right.
pub fn fingerprints(person: &Person, nomor_berkas: &str) -> Vec<FingerTemplate> {
    let seed = |part: &str| {
        let digest = template(person, part);
        u64::from_le_bytes(digest[..8].try_into().expect("eight bytes"))
    };
    let body = seed("fingers");
    let sitting = seed(nomor_berkas) as u32;
    // A scanner's quality gate has a finger that left only part of its print pressed again:
    // what the station sends is whole. (The matcher's own measures include partial prints.)
    let pressed = synth::Variation {
        partial: 0.0,
        ..synth::Variation::default()
    };
    Finger::ALL
        .iter()
        .map(|f| {
            let t = synth::impression(body, crate::scanned::position(*f), sitting, &pressed);
            FingerTemplate {
                finger: *f,
                template: Template {
                    data: iso::encode(&t).expect("a synthetic impression fits a record"),
                    quality: t.quality,
                    format: TemplateFormat::Iso19794_2,
                },
            }
        })
        .collect()
}

/// The index fingers of `person` pressed on a counter's reader at `sitting` (S06–S14: the
/// resident applying for a replacement card), for the printing desk's 1:1 verification.
pub fn index_fingers(person: &Person, sitting: &str) -> Vec<FingerTemplate> {
    fingerprints(person, sitting)
        .into_iter()
        .filter(|f| matches!(f.finger, Finger::RightIndex | Finger::LeftIndex))
        .collect()
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
        photo: portrait(person, "photo"),
        signature: signature_trace(person, "signature"),
        fingerprints: fingerprints(person, nomor_berkas),
        irises: [Eye::Right, Eye::Left]
            .into_iter()
            .map(|eye| {
                let part = format!("{eye:?} iris");
                IrisTemplate {
                    eye,
                    template: Template {
                        data: template(person, &part),
                        quality: quality(&part),
                        format: TemplateFormat::Vendor,
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
            format: TemplateFormat::Vendor,
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
        photo: portrait(person, "photo, taken again"),
        signature: signature_trace(person, "signature, taken again"),
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
        assert_ne!(again.signature, a.signature);
        assert_eq!(a.photo, b.photo, "the same face");
        assert_ne!(
            a.fingerprints, b.fingerprints,
            "another sitting, another impression"
        );
        let same = capture("B-1", &nik, &Person::of(&nik), "op", true);
        assert_eq!(
            a.fingerprints, same.fingerprints,
            "the same sitting read again"
        );
        let other = capture("B-3", &nik, &Person("someone else".into()), "op", true);
        assert_ne!(a.fingerprints, other.fingerprints);
        // Every finger an ISO record of its own position; one body's fingers match across
        // sittings, another's do not.
        let decoded = |c: &EnrollmentCaptured, i: usize| {
            iso::decode(&c.fingerprints[i].template.data).expect("an ISO record")
        };
        for (i, f) in Finger::ALL.iter().enumerate() {
            assert_eq!(decoded(&a, i).finger.code(), f.iso_position());
        }
        let score = |x: &EnrollmentCaptured, y: &EnrollmentCaptured| {
            ktpel_biometrics::score::compare(&decoded(x, 1), &decoded(y, 1))
        };
        assert!(score(&a, &b) >= 40, "{}", score(&a, &b));
        assert!(score(&a, &other) < 20, "{}", score(&a, &other));
        assert!(
            !crate::checks::problems(&capture("B-4", &nik, &Person::of(&nik), "op", false))
                .is_empty()
        );
    }
}
