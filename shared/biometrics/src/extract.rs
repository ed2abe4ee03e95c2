//! A fingerprint image to its template: the PNG decoded to 8-bit gray (a colour image by its
//! luminance, transparency ignored) and its minutiae found by MINDTCT, NIST NBIS's detector
//! (the pure-Rust port `fprint-mindtct`).
//!
//! The template's quality is the mean of MINDTCT's reliability of the minutiae it kept
//! (0–100): a print with few clear ridges gives few, unreliable minutiae and a low mean. It is
//! the extractor's own measure, not NFIQ 2, for which no maintained Rust crate exists.

use crate::minutia::{Finger, Kind, Minutia, Template};

/// Why an image gives no template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("not a PNG image that can be read: {0}")]
    Png(String),
    #[error("the image cannot be searched for minutiae: {0}")]
    Image(String),
    #[error("the image is {width} × {height} pixels: larger than a finger at 500 ppi")]
    TooLarge { width: u32, height: u32 },
}

impl ExtractError {
    /// The fault in Bahasa Indonesia, for the desks' pages.
    pub fn pesan(&self) -> String {
        match self {
            Self::Png(e) => format!("bukan citra PNG yang dapat dibaca ({e})"),
            Self::Image(e) => format!("minutiae tidak dapat dicari pada citra ini ({e})"),
            Self::TooLarge { width, height } => {
                format!("citra {width} × {height} piksel: lebih besar dari satu jari pada 500 ppi")
            }
        }
    }
}

/// The largest side taken, pixels (a finger at 500 ppi is under 800).
const LARGEST: u32 = 2000;

/// The 8-bit gray pixels of a PNG, with its width and height.
pub fn gray(png_bytes: &[u8]) -> Result<(Vec<u8>, u32, u32), ExtractError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder
        .read_info()
        .map_err(|e| ExtractError::Png(e.to_string()))?;
    let (width, height) = (reader.info().width, reader.info().height);
    if width > LARGEST || height > LARGEST {
        return Err(ExtractError::TooLarge { width, height });
    }
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader
        .next_frame(&mut buf)
        .map_err(|e| ExtractError::Png(e.to_string()))?;
    let channels = frame.color_type.samples();
    let luminance = |p: &[u8]| match p.len() {
        1 | 2 => p[0],
        // ITU-R BT.601 weights, in integers.
        _ => ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8,
    };
    let pixels = buf[..frame.buffer_size()]
        .chunks_exact(channels)
        .map(luminance)
        .collect();
    Ok((pixels, width, height))
}

/// The template of `finger` in a PNG image scanned at `ppi`.
pub fn from_png(png_bytes: &[u8], finger: Finger, ppi: u16) -> Result<Template, ExtractError> {
    let (pixels, width, height) = gray(png_bytes)?;
    let image = fprint_mindtct::GrayImage::new(&pixels, width as usize, height as usize, ppi)
        .map_err(|e| ExtractError::Image(e.to_string()))?;
    let found = fprint_mindtct::detect_minutiae(image);
    // MINDTCT counts y up from the bottom; a template counts it down from the top.
    let top = height as i32 - 1;
    let minutiae: Vec<Minutia> = found
        .iter()
        .filter(|m| (0..width as i32).contains(&m.x) && (0..=top).contains(&m.y))
        .map(|m| Minutia {
            x: m.x as u16,
            y: (top - m.y) as u16,
            angle: m.theta.rem_euclid(360) as u16,
            kind: Kind::Other,
            quality: m.quality.clamp(0, 100) as u8,
        })
        .collect();
    let quality = if minutiae.is_empty() {
        0
    } else {
        (minutiae.iter().map(|m| u32::from(m.quality)).sum::<u32>() / minutiae.len() as u32) as u8
    };
    Ok(Template {
        finger,
        width: width as u16,
        height: height as u16,
        ppi,
        quality,
        minutiae,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_fingerprint_image_is_refused_with_why() {
        assert!(matches!(
            from_png(b"GIF89a", Finger::RightIndex, 500),
            Err(ExtractError::Png(_))
        ));
        let tiny = {
            let mut out = Vec::new();
            let mut e = png::Encoder::new(&mut out, 8, 8);
            e.set_color(png::ColorType::Grayscale);
            let mut w = e.write_header().unwrap();
            w.write_image_data(&[200; 64]).unwrap();
            w.finish().unwrap();
            out
        };
        assert!(matches!(
            from_png(&tiny, Finger::RightIndex, 500),
            Err(ExtractError::Image(_))
        ));
    }
}
