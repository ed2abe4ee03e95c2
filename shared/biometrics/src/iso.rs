//! The ISO/IEC 19794-2:2005 finger minutiae record ("FMR"), one finger view a record: what the
//! station sends and the Pusat Data keeps, readable by any AFIS that reads the standard.
//!
//! The layout, big-endian: a 24-byte header (`FMR\0`, version ` 20\0`, the record's length in
//! 4 bytes, the capture equipment, the image's width and height in pixels, its resolution in
//! pixels per centimetre, the number of finger views, a reserved byte); each view's 4-byte
//! header (finger position, view number and impression type, finger quality, number of
//! minutiae); 6 bytes a minutia (type in the top 2 bits and `x` in 14; `y` in 14; the angle
//! in units of 360/256 degrees; quality); then the length of the extended data (0: none).

use crate::minutia::{Finger, Kind, Minutia, Template};

const HEADER: usize = 24;
const VIEW_HEADER: usize = 4;
const MINUTIA: usize = 6;
const EXTENDED_LENGTH: usize = 2;

/// Why bytes are not a finger minutiae record this can take, each fault named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsoError {
    #[error("not an ISO/IEC 19794-2 finger minutiae record (it does not start with FMR)")]
    NotFmr,
    #[error("version `{0}` of ISO/IEC 19794-2; this reads 2005's ` 20`")]
    Version(String),
    #[error("the record is {actual} bytes but says {stated}")]
    Length { stated: usize, actual: usize },
    #[error("the record holds {0} finger views; this takes one a record")]
    Views(u8),
    #[error("finger position {0} is none of the ten fingers")]
    Finger(u8),
    #[error("the record says {stated} minutiae but has room for {room}")]
    Minutiae { stated: usize, room: usize },
    #[error("minutia {index} at ({x}, {y}) lies outside the {width} × {height} image")]
    Outside {
        index: usize,
        x: u16,
        y: u16,
        width: u16,
        height: u16,
    },
    #[error("resolution {0} pixels per centimetre")]
    Resolution(u16),
    #[error("a template of {0} minutiae: a record holds at most 255")]
    TooMany(usize),
    /// A record filed under one finger that holds another's.
    #[error("the record is of finger position {recorded}, filed as position {filed}")]
    OtherFinger { filed: u8, recorded: u8 },
}

impl IsoError {
    /// The fault in Bahasa Indonesia, for the desks' pages.
    pub fn pesan(&self) -> String {
        match self {
            Self::NotFmr => "bukan rekaman minutiae ISO/IEC 19794-2 (tidak diawali FMR)".into(),
            Self::Version(v) => {
                format!("ISO/IEC 19794-2 versi `{v}`; yang dibaca hanya versi 2005 (` 20`)")
            }
            Self::Length { stated, actual } => {
                format!("rekaman berukuran {actual} byte, padahal tertulis {stated}")
            }
            Self::Views(n) => {
                format!("rekaman memuat {n} tampilan jari; satu rekaman hanya satu jari")
            }
            Self::Finger(code) => format!("posisi jari {code} bukan salah satu dari sepuluh jari"),
            Self::Minutiae { stated, room } => {
                format!("rekaman menyebut {stated} minutiae, tetapi hanya memuat {room}")
            }
            Self::Outside {
                index,
                x,
                y,
                width,
                height,
            } => {
                format!("minutia ke-{index} di ({x}, {y}) berada di luar citra {width} × {height}")
            }
            Self::Resolution(r) => format!("resolusi {r} piksel per sentimeter tidak dapat dibaca"),
            Self::TooMany(n) => {
                format!("templat {n} minutiae: satu rekaman memuat paling banyak 255")
            }
            Self::OtherFinger { filed, recorded } => format!(
                "rekaman ini jari posisi {recorded}, tetapi diajukan sebagai posisi {filed}"
            ),
        }
    }
}

/// Pixels per inch as the record's pixels per centimetre, rounded (500 ppi → 197).
fn ppcm(ppi: u16) -> u16 {
    ((f32::from(ppi) / 2.54).round()) as u16
}

/// Pixels per centimetre back as pixels per inch, rounded to the nearest 10 (197 → 500).
fn ppi(ppcm: u16) -> u16 {
    ((f32::from(ppcm) * 2.54 / 10.0).round() * 10.0) as u16
}

/// The template as a record.
pub fn encode(t: &Template) -> Result<Vec<u8>, IsoError> {
    let n = t.minutiae.len();
    let count = u8::try_from(n).map_err(|_| IsoError::TooMany(n))?;
    let length = HEADER + VIEW_HEADER + n * MINUTIA + EXTENDED_LENGTH;
    let mut out = Vec::with_capacity(length);
    out.extend_from_slice(b"FMR\0");
    out.extend_from_slice(b" 20\0");
    out.extend_from_slice(&(length as u32).to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes()); // no certification, device type unreported
    out.extend_from_slice(&t.width.to_be_bytes());
    out.extend_from_slice(&t.height.to_be_bytes());
    out.extend_from_slice(&ppcm(t.ppi).to_be_bytes());
    out.extend_from_slice(&ppcm(t.ppi).to_be_bytes());
    out.push(1); // one finger view
    out.push(0);
    out.push(t.finger.code());
    out.push(0); // view 0, live-scan plain impression
    out.push(t.quality.min(100));
    out.push(count);
    for m in &t.minutiae {
        let kind: u16 = match m.kind {
            Kind::Other => 0,
            Kind::Ending => 1,
            Kind::Bifurcation => 2,
        };
        out.extend_from_slice(&((kind << 14) | (m.x & 0x3fff)).to_be_bytes());
        out.extend_from_slice(&(m.y & 0x3fff).to_be_bytes());
        // 360/256 degrees a unit, rounded to the nearest.
        out.push(((u32::from(m.angle % 360) * 256 + 180) / 360 % 256) as u8);
        out.push(m.quality.min(100));
    }
    out.extend_from_slice(&0u16.to_be_bytes()); // no extended data
    Ok(out)
}

/// The template of a record filed as the finger of ISO position `filed`: a record of another
/// finger is refused as one that cannot be read, since comparing it would compare two fingers.
pub fn decode_as(bytes: &[u8], filed: u8) -> Result<Template, IsoError> {
    let t = decode(bytes)?;
    if t.finger.code() != filed {
        return Err(IsoError::OtherFinger {
            filed,
            recorded: t.finger.code(),
        });
    }
    Ok(t)
}

/// The template a record holds; every fault of the record named.
pub fn decode(bytes: &[u8]) -> Result<Template, IsoError> {
    if bytes.len() < 4 || &bytes[..4] != b"FMR\0" {
        return Err(IsoError::NotFmr);
    }
    if bytes.len() < HEADER + VIEW_HEADER + EXTENDED_LENGTH {
        return Err(IsoError::Length {
            stated: HEADER + VIEW_HEADER + EXTENDED_LENGTH,
            actual: bytes.len(),
        });
    }
    if &bytes[4..8] != b" 20\0" {
        return Err(IsoError::Version(
            String::from_utf8_lossy(&bytes[4..7]).into_owned(),
        ));
    }
    let be16 = |at: usize| u16::from_be_bytes([bytes[at], bytes[at + 1]]);
    let stated = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
    if stated != bytes.len() {
        return Err(IsoError::Length {
            stated,
            actual: bytes.len(),
        });
    }
    let (width, height, resolution) = (be16(14), be16(16), be16(18));
    if resolution == 0 {
        return Err(IsoError::Resolution(resolution));
    }
    if bytes[22] != 1 {
        return Err(IsoError::Views(bytes[22]));
    }
    let view = HEADER;
    let finger = Finger::from_code(bytes[view]).ok_or(IsoError::Finger(bytes[view]))?;
    let quality = bytes[view + 2].min(100);
    let n = usize::from(bytes[view + 3]);
    let room = (bytes.len() - HEADER - VIEW_HEADER - EXTENDED_LENGTH) / MINUTIA;
    if n > room {
        return Err(IsoError::Minutiae { stated: n, room });
    }
    let mut minutiae = Vec::with_capacity(n);
    for index in 0..n {
        let at = view + VIEW_HEADER + index * MINUTIA;
        let first = be16(at);
        let kind = match first >> 14 {
            1 => Kind::Ending,
            2 => Kind::Bifurcation,
            _ => Kind::Other,
        };
        let (x, y) = (first & 0x3fff, be16(at + 2) & 0x3fff);
        if x >= width || y >= height {
            return Err(IsoError::Outside {
                index,
                x,
                y,
                width,
                height,
            });
        }
        minutiae.push(Minutia {
            x,
            y,
            angle: ((u32::from(bytes[at + 4]) * 360 + 128) / 256 % 360) as u16,
            kind,
            quality: bytes[at + 5].min(100),
        });
    }
    Ok(Template {
        finger,
        width,
        height,
        ppi: ppi(resolution),
        quality,
        minutiae,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> Template {
        Template {
            finger: Finger::LeftIndex,
            width: 400,
            height: 500,
            ppi: 500,
            quality: 77,
            minutiae: vec![
                Minutia {
                    x: 10,
                    y: 20,
                    angle: 0,
                    kind: Kind::Ending,
                    quality: 60,
                },
                Minutia {
                    x: 399,
                    y: 499,
                    angle: 359,
                    kind: Kind::Bifurcation,
                    quality: 100,
                },
            ],
        }
    }

    #[test]
    fn a_record_is_written_as_the_standard_lays_it_out_and_read_back() {
        let t = template();
        let bytes = encode(&t).unwrap();
        assert_eq!(&bytes[..8], b"FMR\0 20\0");
        assert_eq!(bytes.len(), 24 + 4 + 2 * 6 + 2);
        assert_eq!(u32::from_be_bytes(bytes[8..12].try_into().unwrap()), 42);
        assert_eq!(
            u16::from_be_bytes([bytes[18], bytes[19]]),
            197,
            "500 ppi in px/cm"
        );
        assert_eq!(bytes[24], 7, "left index finger");
        // The first minutia: an ending (01) at x = 10.
        assert_eq!(u16::from_be_bytes([bytes[28], bytes[29]]), (1 << 14) | 10);
        let back = decode(&bytes).unwrap();
        assert_eq!(back.ppi, 500);
        assert_eq!(back.minutiae[0], t.minutiae[0]);
        // 359° is 255.3 units: written as 255, read back as 359 (358.6).
        assert_eq!(back.minutiae[1].angle, 359);
        assert_eq!(back, t);
    }

    /// Every fault is named, and none panics on bytes cut anywhere.
    #[test]
    fn a_broken_record_is_refused_with_what_is_wrong() {
        let good = encode(&template()).unwrap();
        let mut version = good.clone();
        version[4..8].copy_from_slice(b"030\0");
        let mut finger = good.clone();
        finger[24] = 11;
        let mut count = good.clone();
        count[27] = 9;
        let mut outside = good.clone();
        outside[28..30].copy_from_slice(&((1u16 << 14) | 400).to_be_bytes());
        let mut views = good.clone();
        views[22] = 2;
        for (bytes, expected) in [
            (b"ANSI".to_vec(), IsoError::NotFmr),
            (version, IsoError::Version("030".into())),
            (finger, IsoError::Finger(11)),
            (count, IsoError::Minutiae { stated: 9, room: 2 }),
            (views, IsoError::Views(2)),
            (
                outside,
                IsoError::Outside {
                    index: 0,
                    x: 400,
                    y: 20,
                    width: 400,
                    height: 500,
                },
            ),
        ] {
            assert_eq!(decode(&bytes), Err(expected));
        }
        for cut in 0..good.len() {
            assert!(decode(&good[..cut]).is_err(), "cut at {cut}");
        }
        let too_many = Template {
            minutiae: vec![template().minutiae[0]; 256],
            ..template()
        };
        assert_eq!(encode(&too_many), Err(IsoError::TooMany(256)));
    }
}
