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
    /// Under the photo: the place and the date of issue, as printed; none before the card
    /// has its number.
    pub terbit: Option<[String; 2]>,
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
        // The right column, beside the elements: the photo's place with its digest, and
        // under it the place and the date of issue.
        let n = self.elements.len();
        let mut right = vec![String::new(); n];
        let digest: String = self.photo_sha256.chars().take(16).collect();
        for (i, text) in [(1, "PAS FOTO".to_owned()), (3, digest)] {
            if i < n {
                right[i] = text;
            }
        }
        for (k, line) in self.terbit.iter().flatten().enumerate() {
            if let Some(i) = (n + k).checked_sub(3).filter(|i| *i > 3) {
                right[i] = line.clone();
            }
        }
        for (i, (label, value)) in self.elements.iter().enumerate() {
            let value = format!(": {value}");
            // The NIK stands out, as on the card.
            let (size, weight) = if i == 0 {
                (6.5, Weight::Bold)
            } else {
                (5.2, Weight::Regular)
            };
            s.row(
                &[(0.0, label), (62.0, &value), (PHOTO_AT, &right[i])],
                size,
                weight,
            );
        }
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
            terbit: Some(["KOTA BANDUNG".into(), "25-11-2026".into()]),
        };
        let pdf = card.pdf().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(
            String::from_utf8_lossy(&pdf).contains("242.65 153.01"),
            "ID-1 size"
        );
        assert_eq!(pdf, card.pdf().unwrap());
    }

    /// Every element of a KTP-el, the longest of their values, and the place and date of
    /// issue: still one card.
    #[test]
    fn the_whole_card_stays_on_one_card() {
        let long = |label: &str, value: &str| (label.to_owned(), value.to_owned());
        let card = KartuKtp {
            provinsi: "KEPULAUAN BANGKA BELITUNG".into(),
            kabupaten: "KABUPATEN KEPULAUAN SERIBU".into(),
            elements: vec![
                long("NIK", "3273010101900001"),
                long("Nama", "SITI NURHALIZA PUTRI RAHAYU"),
                long("Tempat/Tgl Lahir", "KOTA BANDUNG, 01-07-1990"),
                long("Jenis Kelamin", "PEREMPUAN"),
                long("Gol. Darah", "AB"),
                long("Alamat", "JL. MERDEKA NO. 1"),
                long("RT/RW", "001/002"),
                long("Kel/Desa", "SUKARASA"),
                long("Kecamatan", "SUKASARI"),
                long("Agama", "KEPERCAYAAN TERHADAP TUHAN YME"),
                long("Status Perkawinan", "CERAI HIDUP"),
                long("Pekerjaan", "BURUH TANI/PERKEBUNAN"),
                long("Kewarganegaraan", "WNI"),
                long("Berlaku Hingga", "SEUMUR HIDUP"),
            ],
            photo_sha256: "ab".repeat(32),
            terbit: Some(["KOTA BANDUNG".into(), "25-11-2026".into()]),
        };
        assert!(card.pdf().is_ok());
        // Two more lines would not fit: refused, never a second card.
        let mut over = card.clone();
        over.elements.push(long("Catatan", "-"));
        over.elements.push(long("Catatan", "-"));
        assert!(matches!(over.pdf(), Err(DocumentError::DoesNotFit)));
    }
}
