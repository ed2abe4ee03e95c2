//! A capture from the scanners' images: the ten fingers as PNG files at 500 ppi, each turned
//! into its template (minutiae found by MINDTCT, written as an ISO/IEC 19794-2 record), and
//! the pas photo as taken. A finger too poor to enroll is refused with its name, for the
//! operator to scan again, before anything is sent.
//!
//! The irises, the signature pad and the operator's sign-off are still the simulated
//! station's ([`crate::station`]): there is no iris camera or pad here.

use crate::station::{self, Person};
use ktpel_biometrics::{
    Finger as Position,
    pressed::{self, PressError},
};
use ktpel_contract::enrollment::{EnrollmentCaptured, Finger, FingerTemplate};
use ktpel_domain::Nik;

pub use ktpel_biometrics::pressed::{MIN_MINUTIAE, MIN_QUALITY};

/// Why the scanned images make no capture; every finger that failed is named.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{}", .0.join("; "))]
    Fingers(Vec<String>),
    #[error("pas foto: {0}")]
    Photo(String),
}

/// What a scanner gives with no finger on the glass: a white 400 × 500 image. No finger is
/// enrolled from it (a test's, or a trainee's, example of a scan to refuse).
pub fn empty_glass() -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, 400, 500);
    e.set_color(png::ColorType::Grayscale);
    let mut w = e.write_header().expect("a PNG header in memory");
    w.write_image_data(&vec![255; 400 * 500])
        .expect("pixels in memory");
    w.finish().expect("a PNG in memory");
    out
}

/// The file each finger's image is read from: `right_thumb.png` … `left_little.png`.
pub fn file_name(finger: Finger) -> String {
    let name = serde_json::to_value(finger)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    format!("{name}.png")
}

/// The ISO finger position of a finger.
pub(crate) fn position(finger: Finger) -> Position {
    Position::from_code(finger.iso_position()).expect("one of the ten")
}

/// One finger's image scanned: its template, with the quality and the count of minutiae the
/// operator sees; or why the finger must be scanned again, named by the finger's file.
pub fn scan(finger: Finger, png: &[u8]) -> Result<Scanned, String> {
    let name = file_name(finger);
    let p = pressed::read(finger, png).map_err(|e| match e {
        PressError::Poor { .. } => format!("{name}: {}: rekam ulang jari ini", e.pesan()),
        e => format!("{name}: {}", e.pesan()),
    })?;
    Ok(Scanned {
        minutiae: p.minutiae,
        template: p.template,
    })
}

/// A finger scanned well enough to enroll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    pub template: FingerTemplate,
    pub minutiae: usize,
}

/// The capture of berkas `nomor_berkas` from the ten fingers' PNG images (`fingers`, in any
/// order) and the photo; `person` gives what is still simulated.
pub fn capture(
    nomor_berkas: &str,
    nik: &Nik,
    person: &Person,
    fingers: &[(Finger, Vec<u8>)],
    photo: Vec<u8>,
    operator: &str,
    signed_off: bool,
) -> Result<EnrollmentCaptured, ScanError> {
    crate::checks::pas_foto(&photo).map_err(ScanError::Photo)?;
    let mut problems = Vec::new();
    let mut scanned = Vec::with_capacity(fingers.len());
    for (finger, png) in fingers {
        match scan(*finger, png) {
            Ok(s) => scanned.push(s.template),
            Err(why) => problems.push(why),
        }
    }
    let enrolled = of_scans(
        nomor_berkas,
        nik,
        person,
        scanned,
        photo,
        operator,
        signed_off,
    );
    match enrolled {
        // A finger whose scan was refused is already named, with why.
        Err(ScanError::Fingers(missing)) => {
            let named: Vec<String> = problems.clone();
            problems.extend(missing.into_iter().filter(|m| {
                !named
                    .iter()
                    .any(|p| p.split(':').next() == m.split(':').next())
            }));
        }
        Err(e) => return Err(e),
        Ok(c) if problems.is_empty() => return Ok(c),
        Ok(_) => {}
    }
    // Named in the order of the ten fingers.
    problems.sort_by_key(|p| {
        Finger::ALL
            .iter()
            .position(|f| p.starts_with(&file_name(*f)))
    });
    Err(ScanError::Fingers(problems))
}

/// The capture of berkas `nomor_berkas` from fingers already scanned (`templates`, each a
/// [`scan`]'s) and the photo: every one of the ten must be there, the missing are named.
pub fn of_scans(
    nomor_berkas: &str,
    nik: &Nik,
    person: &Person,
    templates: Vec<FingerTemplate>,
    photo: Vec<u8>,
    operator: &str,
    signed_off: bool,
) -> Result<EnrollmentCaptured, ScanError> {
    crate::checks::pas_foto(&photo).map_err(ScanError::Photo)?;
    let missing: Vec<String> = Finger::ALL
        .iter()
        .filter(|f| !templates.iter().any(|t| t.finger == **f))
        .map(|f| format!("{}: tidak ada gambar", file_name(*f)))
        .collect();
    if !missing.is_empty() {
        return Err(ScanError::Fingers(missing));
    }
    let mut templates = templates;
    templates.sort_by_key(|t| Finger::ALL.iter().position(|f| *f == t.finger));
    Ok(EnrollmentCaptured {
        photo,
        fingerprints: templates,
        ..station::capture(nomor_berkas, nik, person, operator, signed_off)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_finger_is_read_from_the_file_of_its_name() {
        assert_eq!(file_name(Finger::RightThumb), "right_thumb.png");
        assert_eq!(file_name(Finger::LeftLittle), "left_little.png");
        assert_eq!(position(Finger::LeftIndex), Position::LeftIndex);
    }

    /// A blank image and a missing one: both fingers named, nothing captured.
    #[test]
    fn a_finger_too_poor_or_missing_is_named() {
        let blank = empty_glass();
        let nik = Nik::parse("3273014107900001").unwrap();
        let fingers: Vec<(Finger, Vec<u8>)> = Finger::ALL[..9]
            .iter()
            .map(|f| (*f, blank.clone()))
            .collect();
        let photo = station::portrait(&Person::of(&nik), "photo");
        let err = capture("B-1", &nik, &Person::of(&nik), &fingers, photo, "op", true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("right_thumb.png: kualitas 0 dengan 0 minutiae"),
            "{err}"
        );
        assert!(err.contains("left_little.png: tidak ada gambar"), "{err}");
        assert_eq!(
            err.matches("right_thumb.png").count(),
            1,
            "named once: {err}"
        );
        let err = capture(
            "B-1",
            &nik,
            &Person::of(&nik),
            &fingers,
            b"x".to_vec(),
            "op",
            true,
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("pas foto:"), "{err}");
    }
}
