//! A finger pressed on a reader, as the reader hands it over: a PNG image at 500 ppi (its
//! minutiae found here), or the ISO/IEC 19794-2 record a reader's SDK writes itself. Either
//! way the result is the record the bus carries, refused with the reason when the finger must
//! be pressed again.

use crate::{Finger as Position, extract, iso};
use ktpel_contract::enrollment::{Finger, FingerTemplate, Template, TemplateFormat};

/// The fewest minutiae, and the lowest quality (the mean of MINDTCT's reliability), a finger
/// is taken with: under either, it could not be told from another's.
pub const MIN_MINUTIAE: usize = 12;
pub const MIN_QUALITY: u8 = 20;

/// Why a pressed finger is not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PressError {
    #[error(transparent)]
    Image(#[from] extract::ExtractError),
    #[error(transparent)]
    Record(#[from] iso::IsoError),
    #[error(
        "kualitas {quality} dengan {minutiae} minutiae (paling sedikit {MIN_QUALITY} dan {MIN_MINUTIAE})"
    )]
    Poor { quality: u8, minutiae: usize },
    #[error("neither a PNG image nor an ISO/IEC 19794-2 record")]
    Unknown,
}

impl PressError {
    /// Why the finger must be pressed again, in Bahasa Indonesia, for the desks' pages.
    pub fn pesan(&self) -> String {
        match self {
            Self::Image(e) => e.pesan(),
            Self::Record(e) => e.pesan(),
            // Already in Bahasa Indonesia: the operator reads it as the reader's driver does.
            Self::Poor { .. } => self.to_string(),
            Self::Unknown => "bukan citra PNG dan bukan rekaman ISO/IEC 19794-2".into(),
        }
    }
}

/// A finger pressed well enough: its record, and how many minutiae it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pressed {
    pub template: FingerTemplate,
    pub minutiae: usize,
}

/// The finger `finger` from the file a reader gave (`bytes`: PNG or ISO record).
pub fn read(finger: Finger, bytes: &[u8]) -> Result<Pressed, PressError> {
    let position = Position::from_code(finger.iso_position()).expect("one of the ten");
    let t = if bytes.starts_with(b"\x89PNG") {
        extract::from_png(bytes, position, 500)?
    } else if bytes.starts_with(b"FMR\0") {
        iso::decode_as(bytes, position.code())?
    } else {
        return Err(PressError::Unknown);
    };
    if t.minutiae.len() < MIN_MINUTIAE || t.quality < MIN_QUALITY {
        return Err(PressError::Poor {
            quality: t.quality,
            minutiae: t.minutiae.len(),
        });
    }
    Ok(Pressed {
        minutiae: t.minutiae.len(),
        template: FingerTemplate {
            finger,
            template: Template {
                data: iso::encode(&t)?,
                quality: t.quality,
                format: TemplateFormat::Iso19794_2,
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth;

    fn record(person: u64, finger: Finger) -> Vec<u8> {
        let position = Position::from_code(finger.iso_position()).unwrap();
        let whole = synth::Variation {
            partial: 0.0,
            ..synth::Variation::default()
        };
        iso::encode(&synth::impression(person, position, 0, &whole)).unwrap()
    }

    #[test]
    fn a_readers_record_is_taken_as_the_finger_it_is_of() {
        let bytes = record(1, Finger::RightIndex);
        let p = read(Finger::RightIndex, &bytes).unwrap();
        assert_eq!(p.template.template.format, TemplateFormat::Iso19794_2);
        assert!(p.minutiae >= MIN_MINUTIAE);
        assert_eq!(
            read(Finger::LeftIndex, &bytes),
            Err(PressError::Record(iso::IsoError::OtherFinger {
                filed: 7,
                recorded: 2
            }))
        );
    }

    #[test]
    fn anything_else_is_refused_with_why() {
        assert_eq!(
            read(Finger::RightIndex, b"GIF89a"),
            Err(PressError::Unknown)
        );
        let truncated = &record(2, Finger::RightIndex)[..20];
        assert!(matches!(
            read(Finger::RightIndex, truncated),
            Err(PressError::Record(_))
        ));
        assert!(matches!(
            read(Finger::RightIndex, b"\x89PNG\r\n\x1a\nbroken"),
            Err(PressError::Image(_))
        ));
    }

    /// What the desks' pages say, in Bahasa Indonesia, for each way a finger is refused.
    #[test]
    fn the_pages_say_why_in_bahasa_indonesia() {
        let why = |bytes: &[u8]| read(Finger::RightIndex, bytes).unwrap_err().pesan();
        assert_eq!(
            why(b"GIF89a"),
            "bukan citra PNG dan bukan rekaman ISO/IEC 19794-2"
        );
        let truncated = &record(2, Finger::RightIndex)[..20];
        assert!(
            why(truncated).starts_with("rekaman berukuran 20 byte"),
            "{}",
            why(truncated)
        );
        assert!(
            why(b"\x89PNG\r\n\x1a\nbroken").starts_with("bukan citra PNG yang dapat dibaca"),
            "{}",
            why(b"\x89PNG\r\n\x1a\nbroken")
        );
        let other = record(2, Finger::LeftIndex);
        assert_eq!(
            why(&other),
            "rekaman ini jari posisi 7, tetapi diajukan sebagai posisi 2"
        );
    }
}
