//! What an enrollment must have before it may be stored (S01.4–S01.6).

use ktpel_biometrics::iso::IsoError;
use ktpel_contract::enrollment::{EnrollmentCaptured, Eye, Finger, TemplateFormat};
use std::collections::BTreeSet;

/// Templates below this quality are re-captured, not stored (devices report 0–100).
pub const MIN_QUALITY: u8 = 20;

/// Every reason the capture cannot be accepted; empty when it can.
pub fn problems(c: &EnrollmentCaptured) -> Vec<String> {
    let mut reasons = Vec::new();
    if c.operator_signoff
        .as_ref()
        .is_none_or(|t| t.data.is_empty())
    {
        reasons.push("S01.6: operator belum memvalidasi perekaman dengan sidik jarinya".into());
    }
    if c.photo.is_empty() {
        reasons.push("S01.4: pas foto belum diambil".into());
    } else if let Err(why) = pas_foto(&c.photo) {
        reasons.push(format!("S01.4: {why}"));
    }
    if c.signature.is_empty() {
        reasons.push("S01.4: tanda tangan belum diambil".into());
    }
    let fingers: BTreeSet<Finger> = c.fingerprints.iter().map(|f| f.finger).collect();
    let missing: Vec<String> = Finger::ALL
        .iter()
        .filter(|f| !fingers.contains(f))
        .map(|f| format!("{f:?}"))
        .collect();
    if !missing.is_empty() || c.fingerprints.len() != 10 {
        reasons.push(format!(
            "S01.4: diperlukan sepuluh sidik jari yang berbeda (kurang: {})",
            if missing.is_empty() {
                "tidak ada, tetapi ada jari yang terekam dua kali".into()
            } else {
                missing.join(", ")
            }
        ));
    }
    let eyes: BTreeSet<Eye> = c.irises.iter().map(|i| i.eye).collect();
    if eyes.len() != 2 || c.irises.len() != 2 {
        reasons.push("S01.4: kedua iris mata diperlukan".into());
    }
    let poor: Vec<String> = c
        .fingerprints
        .iter()
        .filter(|f| f.template.quality < MIN_QUALITY || f.template.data.is_empty())
        .map(|f| format!("{:?} ({})", f.finger, f.template.quality))
        .chain(
            c.irises
                .iter()
                .filter(|i| i.template.quality < MIN_QUALITY || i.template.data.is_empty())
                .map(|i| format!("{:?} iris ({})", i.eye, i.template.quality)),
        )
        .collect();
    if !poor.is_empty() {
        reasons.push(format!(
            "S01.4: kualitas di bawah {MIN_QUALITY}, rekam ulang: {}",
            poor.join(", ")
        ));
    }
    let unreadable: Vec<String> = c
        .fingerprints
        .iter()
        .filter(|f| f.template.format == TemplateFormat::Iso19794_2)
        .filter_map(|f| {
            ktpel_biometrics::iso::decode_as(&f.template.data, f.finger.iso_position())
                .err()
                .map(|e| match e {
                    IsoError::OtherFinger { recorded, .. } => {
                        format!("{:?} (rekaman untuk posisi jari {recorded})", f.finger)
                    }
                    e => format!("{:?} ({e})", f.finger),
                })
        })
        .collect();
    if !unreadable.is_empty() {
        reasons.push(format!(
            "S01.4: templat ISO/IEC 19794-2 tidak sah, rekam ulang: {}",
            unreadable.join("; ")
        ));
    }
    if !c.left_index_verified || !c.right_index_verified {
        reasons.push("S01.5: kedua jari telunjuk harus diverifikasi 1:1".into());
    }
    if c.resident_e_signature.is_empty() {
        reasons.push("S01.5: penduduk belum menandatangani pernyataan data".into());
    }
    reasons
}

/// The smallest pas photo the card can print sharply (its box is 48 × 64 points), and the
/// largest the station takes, in pixels.
const PHOTO_PIXELS: (std::ops::RangeInclusive<u32>, std::ops::RangeInclusive<u32>) =
    (64..=2400, 80..=3200);

/// What is checked of the pas photo: a PNG that decodes (what the card's PDF embeds), in
/// portrait, of a size the card can print. Whether it shows one face is not checked.
pub fn pas_foto(photo: &[u8]) -> Result<(u32, u32), String> {
    let decoder = png::Decoder::new(std::io::Cursor::new(photo));
    let mut reader = decoder
        .read_info()
        .map_err(|e| format!("pas foto bukan gambar PNG yang terbaca: {e}"))?;
    let (w, h) = (reader.info().width, reader.info().height);
    if !PHOTO_PIXELS.0.contains(&w) || !PHOTO_PIXELS.1.contains(&h) || h < w {
        return Err(format!(
            "pas foto {w} × {h} piksel: diperlukan potret (tinggi ≥ lebar), lebar {}–{}, tinggi {}–{}",
            PHOTO_PIXELS.0.start(),
            PHOTO_PIXELS.0.end(),
            PHOTO_PIXELS.1.start(),
            PHOTO_PIXELS.1.end()
        ));
    }
    let mut pixels = vec![0; reader.output_buffer_size()];
    reader
        .next_frame(&mut pixels)
        .map_err(|e| format!("pas foto terpotong atau rusak: {e}"))?;
    Ok((w, h))
}

/// A re-capture for a replacement card (S08, S10, S12): the photo and the signature, signed
/// off by the operator; fingerprints and irises are not taken again (those on record stand),
/// and any the station sent are not kept.
pub fn recapture_problems(c: &EnrollmentCaptured) -> Vec<String> {
    let mut reasons = Vec::new();
    if c.operator_signoff
        .as_ref()
        .is_none_or(|t| t.data.is_empty())
    {
        reasons.push("operator belum memvalidasi perekaman ulang dengan sidik jarinya".into());
    }
    if !c.photo.is_empty()
        && let Err(why) = pas_foto(&c.photo)
    {
        reasons.push(why);
    }
    if c.photo.is_empty() && c.signature.is_empty() {
        reasons.push(
            "perekaman ulang mengambil pas foto dan/atau tanda tangan: keduanya belum diambil"
                .into(),
        );
    }
    reasons
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ktpel_contract::enrollment::{FingerTemplate, IrisTemplate, Template};

    /// A complete, valid capture (also used by the handler tests).
    pub fn capture() -> EnrollmentCaptured {
        let t = |seed: u8| Template {
            data: vec![seed; 64],
            quality: 80,
            format: TemplateFormat::Vendor,
        };
        EnrollmentCaptured {
            capture_id: uuid::Uuid::now_v7(),
            nomor_berkas: "327301-20261125-0001".into(),
            nik: ktpel_domain::Nik::parse("3273014107900001").unwrap(),
            photo: crate::station::portrait(&crate::station::Person("test".into()), "photo"),
            signature: vec![4, 5],
            fingerprints: Finger::ALL
                .iter()
                .enumerate()
                .map(|(i, f)| FingerTemplate {
                    finger: *f,
                    template: t(i as u8),
                })
                .collect(),
            irises: [Eye::Right, Eye::Left]
                .into_iter()
                .map(|eye| IrisTemplate {
                    eye,
                    template: t(100),
                })
                .collect(),
            left_index_verified: true,
            right_index_verified: true,
            resident_e_signature: vec![9; 32],
            operator: "operator-1".into(),
            operator_signoff: Some(t(200)),
            captured_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_complete_capture_passes() {
        assert_eq!(problems(&capture()), Vec::<String>::new());
    }

    #[test]
    fn a_recapture_needs_a_photo_or_signature_and_the_signoff() {
        let mut c = capture();
        c.fingerprints.clear();
        c.irises.clear();
        assert!(recapture_problems(&c).is_empty());
        c.photo.clear();
        assert!(recapture_problems(&c).is_empty(), "the signature alone");
        c.signature.clear();
        c.operator_signoff = None;
        let reasons = recapture_problems(&c).join("; ");
        assert!(reasons.contains("keduanya belum diambil"), "{reasons}");
        assert!(
            reasons.contains("belum memvalidasi perekaman ulang"),
            "{reasons}"
        );
    }

    /// A photo that is not a PNG, one cut short, one in landscape or too small: each refused
    /// with what is wrong, at enrollment and at a re-capture.
    #[test]
    fn a_photo_the_card_cannot_print_is_refused() {
        let good = capture().photo;
        assert_eq!(pas_foto(&good), Ok((96, 128)));
        let landscape = {
            let mut png = Vec::new();
            let mut e = png::Encoder::new(&mut png, 128, 96);
            e.set_color(png::ColorType::Rgb);
            let mut w = e.write_header().unwrap();
            w.write_image_data(&[0; 128 * 96 * 3]).unwrap();
            w.finish().unwrap();
            png
        };
        for (photo, expected) in [
            (b"\xff\xd8 not a png".to_vec(), "bukan gambar PNG"),
            (good[..good.len() / 2].to_vec(), "terpotong atau rusak"),
            (landscape, "128 × 96 piksel"),
        ] {
            let mut c = capture();
            c.photo = photo;
            let p = problems(&c).join("; ");
            assert!(p.contains("S01.4") && p.contains(expected), "{p}");
            c.fingerprints.clear();
            c.irises.clear();
            assert!(recapture_problems(&c).join("; ").contains(expected));
        }
    }

    #[test]
    fn no_operator_signoff_is_refused() {
        let mut c = capture();
        c.operator_signoff = None;
        let p = problems(&c);
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("S01.6"));
    }

    #[test]
    fn every_problem_is_named() {
        let mut c = capture();
        c.fingerprints.pop();
        c.irises.pop();
        c.left_index_verified = false;
        c.resident_e_signature.clear();
        c.photo.clear();
        c.fingerprints[0].template.quality = 5;
        let p = problems(&c).join("\n");
        for needle in [
            "LeftLittle",
            "iris",
            "telunjuk",
            "menandatangani",
            "pas foto",
            "kualitas di bawah",
        ] {
            assert!(p.contains(needle), "{needle} in {p}");
        }
    }

    /// A template that says it is an ISO record must be one, of the finger it is filed under:
    /// garbage, and a right index filed as the left, are named.
    #[test]
    fn an_iso_template_that_is_not_one_is_refused() {
        let mut c = capture();
        let person = crate::station::Person("iso".into());
        c.fingerprints = crate::station::fingerprints(&person, "B-1");
        assert!(problems(&c).is_empty(), "{:?}", problems(&c));
        c.fingerprints[0].template.data.truncate(20);
        let right_index = c.fingerprints[1].template.data.clone();
        c.fingerprints[6].template.data = right_index;
        let p = problems(&c).join("\n");
        assert!(p.contains("templat ISO/IEC 19794-2 tidak sah"), "{p}");
        assert!(p.contains("RightThumb ("), "{p}");
        assert!(p.contains("LeftIndex (rekaman untuk posisi jari 2)"), "{p}");
        assert!(!p.contains("RightIndex ("), "{p}");
    }
}
