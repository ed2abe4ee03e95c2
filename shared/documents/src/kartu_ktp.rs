//! The KTP-el's face as PDF at its own size, ID-1 (85.60 × 53.98 mm): the print preview of
//! S21.3 and the card the kepala seksi approves. PROVINSI and KABUPATEN/KOTA head it, then
//! the card's elements in its order, each value kept clear of the photo's place on the right.
//! The photo itself stays sealed in the biometric service: its place carries the photo's
//! digest, which ties the card to the enrollment.

use crate::sheet::{Align, DocumentError, Sheet, Weight};

/// What the card's face shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KartuKtp {
    pub provinsi: String,
    pub kabupaten: String,
    /// The elements in the card's order (NIK, Nama, Tempat/Tgl Lahir, …), label and value.
    pub elements: Vec<(String, String)>,
    /// The SHA-256 of the sealed photo, hex.
    pub photo_sha256: String,
}

/// Where the photo's place starts, from the left margin.
const PHOTO_AT: f32 = 172.0;

impl KartuKtp {
    /// The face as PDF, one ID-1 page.
    pub fn pdf(&self) -> Result<Vec<u8>, DocumentError> {
        let mut s = Sheet::card();
        s.line(
            &format!("PROVINSI {}", self.provinsi),
            7.0,
            Weight::Bold,
            Align::Center,
        );
        s.line(&self.kabupaten, 7.0, Weight::Bold, Align::Center);
        s.rule();
        for (i, (label, value)) in self.elements.iter().enumerate() {
            let value = format!(": {value}");
            // The NIK stands out, as on the card.
            let (size, weight) = if i == 0 {
                (6.5, Weight::Bold)
            } else {
                (5.2, Weight::Regular)
            };
            let photo = if i == 1 { "PAS FOTO" } else { "" };
            s.row(
                &[(0.0, label), (62.0, &value), (PHOTO_AT, photo)],
                size,
                weight,
            );
        }
        let digest: String = self.photo_sha256.chars().take(16).collect();
        s.row(
            &[(PHOTO_AT, &format!("foto {digest}"))],
            3.5,
            Weight::Regular,
        );
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_1_pdf_the_same_bytes_every_time() {
        let card = KartuKtp {
            provinsi: "JAWA BARAT".into(),
            kabupaten: "KOTA BANDUNG".into(),
            elements: vec![
                ("NIK".into(), "3273010101900001".into()),
                ("Nama".into(), "WARGA SATU".into()),
                ("Berlaku Hingga".into(), "SEUMUR HIDUP".into()),
            ],
            photo_sha256: "ab".repeat(32),
        };
        let pdf = card.pdf().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(
            String::from_utf8_lossy(&pdf).contains("242.65 153.01"),
            "ID-1 size"
        );
        assert_eq!(pdf, card.pdf().unwrap());
    }
}
