//! The KTP-el as PDF at its own size, ID-1 (85.60 × 53.98 mm), front and back: the print
//! preview of S21.3 and the card the kepala seksi approves. PROVINSI and KABUPATEN/KOTA head
//! the front, then the card's elements in its order, each value kept clear of the right
//! column: the pas photo as the station sealed it, the place and date of issue under it, and
//! the resident's signature. The back carries the card's number and the photo's digest,
//! which ties the card to the enrollment (and to the chip, which holds the digest).

use crate::sheet::{Align, DocumentError, Sheet, Weight, width};

/// What the card shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KartuKtp {
    pub provinsi: String,
    pub kabupaten: String,
    /// The elements in the card's order (NIK, Nama, Tempat/Tgl Lahir, …), label and value.
    pub elements: Vec<(String, String)>,
    /// The pas photo as a PNG image, the bytes the station sealed; none where card printing
    /// does not hold the image (its place then shows the digest).
    pub foto: Option<Vec<u8>>,
    /// The SHA-256 of the sealed photo, hex.
    pub photo_sha256: String,
    /// The resident's signature as the pad traced it ([`signature_points`]); none if none.
    pub tanda_tangan: Option<Vec<u8>>,
    /// Under the photo: the place and the date of issue, as printed; none before the card
    /// has its number.
    pub terbit: Option<[String; 2]>,
    /// The card's own number (the chip's), on the back; none before it has one.
    pub nomor_kartu: Option<String>,
}

/// Where the right column (photo, issue, signature) starts, from the left margin.
const PHOTO_AT: f32 = 172.0;
/// Where the values start, from the left margin.
const VALUE_AT: f32 = 52.0;
/// The pas photo's box, 3 × 4.
const PHOTO: (f32, f32) = (48.0, 64.0);
/// The signature's box.
const SIGNATURE: (f32, f32) = (52.0, 16.0);

/// A signature pad's trace as points: pairs of bytes, (x, y) on a 256 × 256 grid, one
/// stroke through them in order (a trailing odd byte is ignored).
pub fn signature_points(trace: &[u8]) -> impl Iterator<Item = (f32, f32)> + '_ {
    trace
        .chunks_exact(2)
        .map(|p| (f32::from(p[0]) / 255.0, f32::from(p[1]) / 255.0))
}

impl KartuKtp {
    /// The card as PDF: two ID-1 pages, the front and the back.
    pub fn pdf(&self) -> Result<Vec<u8>, DocumentError> {
        let mut s = Sheet::card();
        self.front(&mut s)?;
        s.next_page();
        self.back(&mut s);
        s.finish()
    }

    fn front(&self, s: &mut Sheet) -> Result<(), DocumentError> {
        s.line(
            &format!("PROVINSI {}", self.provinsi),
            6.5,
            Weight::Bold,
            Align::Center,
        );
        s.line(&self.kabupaten, 6.5, Weight::Bold, Align::Center);
        s.rule();
        let top = s.pen() + 3.0;
        for (i, (label, value)) in self.elements.iter().enumerate() {
            let value = format!(": {value}");
            // The NIK stands out, as on the card.
            let (size, weight) = if i == 0 {
                (6.5, Weight::Bold)
            } else {
                (4.8, Weight::Regular)
            };
            s.row(
                &[(0.0, label), (VALUE_AT, &value), (PHOTO_AT, "")],
                size,
                weight,
            );
        }
        // The right column: the photo, the place and date of issue, the signature.
        let x = PHOTO_AT + 2.0;
        match &self.foto {
            Some(png) => s.image_at((x, top), PHOTO, png)?,
            None => {
                let (w, h) = PHOTO;
                s.stroke_at(
                    &[
                        (x, top),
                        (x + w, top),
                        (x + w, top + h),
                        (x, top + h),
                        (x, top),
                    ],
                    0.4,
                );
                s.text_at((x + 3.0, top + 10.0), "PAS FOTO", 5.0, Weight::Bold);
                for (i, part) in self.photo_sha256.as_bytes().chunks(16).take(4).enumerate() {
                    let part = String::from_utf8_lossy(part);
                    s.text_at(
                        (x + 3.0, top + 20.0 + 6.0 * i as f32),
                        &part,
                        4.0,
                        Weight::Regular,
                    );
                }
            }
        }
        let mut y = top + PHOTO.1 + 7.0;
        for line in self.terbit.iter().flatten() {
            let centred = x + (PHOTO.0 - width(line, 4.6, Weight::Regular)) / 2.0;
            s.text_at((centred.max(PHOTO_AT), y), line, 4.6, Weight::Regular);
            y += 6.0;
        }
        if let Some(trace) = &self.tanda_tangan {
            let (w, h) = SIGNATURE;
            let points: Vec<(f32, f32)> = signature_points(trace)
                .map(|(px, py)| (PHOTO_AT + px * w, y + py * h))
                .collect();
            s.stroke_at(&points, 0.5);
        }
        Ok(())
    }

    fn back(&self, s: &mut Sheet) {
        s.line(
            "KARTU TANDA PENDUDUK ELEKTRONIK",
            7.0,
            Weight::Bold,
            Align::Center,
        );
        s.line("REPUBLIK INDONESIA", 6.0, Weight::Regular, Align::Center);
        s.rule();
        s.gap(4.0);
        let nomor = self.nomor_kartu.as_deref().unwrap_or("-");
        for (label, value) in [
            ("Nomor Kartu", nomor),
            ("Foto (SHA-256)", &self.photo_sha256),
        ] {
            s.row(
                &[(0.0, label), (56.0, ":"), (60.0, value)],
                5.2,
                Weight::Regular,
            );
        }
        s.gap(6.0);
        s.paragraph(
            &format!(
                "Kartu ini milik Pemerintah Republik Indonesia dan berlaku di seluruh wilayah \
                 Indonesia. Bagi yang menemukan kartu ini, harap menyerahkannya kepada Dinas \
                 Kependudukan dan Pencatatan Sipil {} atau kantor polisi terdekat.",
                self.kabupaten
            ),
            5.2,
        );
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
            foto: None,
            photo_sha256: "ab".repeat(32),
            tanda_tangan: Some((0..=255).collect()),
            terbit: Some(["KOTA BANDUNG".into(), "25-11-2026".into()]),
            nomor_kartu: Some("3273-2026-000001".into()),
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
            foto: None,
            photo_sha256: "ab".repeat(32),
            tanda_tangan: None,
            terbit: Some(["KOTA BANDUNG".into(), "25-11-2026".into()]),
            nomor_kartu: None,
        };
        assert!(card.pdf().is_ok());
        // Eight more lines would not fit: refused, never a card that runs over.
        let mut over = card.clone();
        for _ in 0..8 {
            over.elements.push(long("Catatan", "-"));
        }
        assert!(matches!(over.pdf(), Err(DocumentError::DoesNotFit)));
    }

    #[test]
    fn a_photo_that_is_not_a_png_is_refused() {
        let card = KartuKtp {
            provinsi: "JAWA BARAT".into(),
            kabupaten: "KOTA BANDUNG".into(),
            elements: vec![("NIK".into(), "3273010101900001".into())],
            foto: Some(b"not a picture".to_vec()),
            photo_sha256: "ab".repeat(32),
            tanda_tangan: None,
            terbit: None,
            nomor_kartu: None,
        };
        assert!(matches!(card.pdf(), Err(DocumentError::Photo(_))));
    }
}
