//! The Berita Acara Serah Terima KTP-el (S22.3): the Dinas hands a kecamatan its printed
//! cards. On the Dinas's letterhead, with its number, the date written out in words, the
//! cards listed by desa/kelurahan, and a signature block for each side.

use crate::sheet::{DocumentError, Sheet, Weight};
use crate::tanggal;
use chrono::NaiveDate;

/// One card in the hand-over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kartu {
    pub nik: String,
    pub nama: String,
    pub nomor_berkas: String,
}

/// The cards of one desa/kelurahan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desa {
    pub kode: String,
    pub nama: String,
    pub kartu: Vec<Kartu>,
}

/// What a Berita Acara says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeritaAcara {
    /// `BAST-…`, the batch's number.
    pub nomor: String,
    pub tanggal: NaiveDate,
    /// The kabupaten/kota of the Dinas ("KOTA BANDUNG").
    pub kabupaten: String,
    pub provinsi: String,
    pub kecamatan_kode: String,
    pub kecamatan: String,
    /// The petugas pendistribusian who hands the cards over.
    pub petugas: String,
    pub desa: Vec<Desa>,
}

impl BeritaAcara {
    /// How many cards it hands over.
    pub fn jumlah(&self) -> usize {
        self.desa.iter().map(|d| d.kartu.len()).sum()
    }

    /// The document as PDF (A4).
    pub fn pdf(&self) -> Result<Vec<u8>, DocumentError> {
        let mut s = Sheet::new();
        s.letterhead(&self.kabupaten, &self.provinsi);
        s.letter_title("BERITA ACARA SERAH TERIMA KTP-EL", &self.nomor);
        let n = self.jumlah();
        s.paragraph(
            &format!(
                "Pada hari ini {}, Dinas Kependudukan dan Pencatatan Sipil {} menyerahkan \
                 {n} ({}) keping KTP-el kepada Kecamatan {} ({}), dengan rincian sebagai berikut:",
                tanggal::dalam_kata(self.tanggal),
                title_case(&self.kabupaten),
                tanggal::terbilang(n as u64),
                self.kecamatan,
                self.kecamatan_kode
            ),
            10.0,
        );
        s.gap(6.0);
        let columns = [
            (0.0, "No"),
            (28.0, "NIK"),
            (150.0, "Nama"),
            (330.0, "Nomor berkas"),
        ];
        s.row(&columns, 9.0, Weight::Bold);
        s.rule();
        let mut no = 0;
        for desa in &self.desa {
            s.row(
                &[(0.0, &format!("Kel/Desa {} ({})", desa.nama, desa.kode))],
                9.0,
                Weight::Bold,
            );
            for k in &desa.kartu {
                no += 1;
                s.row(
                    &[
                        (0.0, &no.to_string()),
                        (28.0, &k.nik),
                        (150.0, &k.nama),
                        (330.0, &k.nomor_berkas),
                    ],
                    9.0,
                    Weight::Regular,
                );
            }
        }
        s.rule();
        s.gap(8.0);
        s.paragraph(
            "Demikian Berita Acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana \
             mestinya.",
            10.0,
        );
        s.gap(10.0);
        let tempat = format!(
            "{}, {}",
            title_case(&self.kabupaten),
            tanggal::singkat(self.tanggal)
        );
        let penerima = format!("Petugas Kecamatan {}", self.kecamatan);
        s.columns(
            &["", "Yang menyerahkan,", "Petugas Pendistribusian KTP-el"],
            &[&tempat, "Yang menerima,", &penerima],
            10.0,
        );
        s.gap(40.0);
        let petugas = format!("( {} )", self.petugas);
        s.columns(&[&petugas], &["( .............................. )"], 10.0);
        s.finish()
    }
}

/// "KOTA BANDUNG" as "Kota Bandung".
pub(crate) fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample(cards: usize) -> BeritaAcara {
        BeritaAcara {
            nomor: "BAST-0001".into(),
            tanggal: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            kabupaten: "KOTA BANDUNG".into(),
            provinsi: "JAWA BARAT".into(),
            kecamatan_kode: "32.73.01".into(),
            kecamatan: "Sukasari".into(),
            petugas: "petugas1".into(),
            desa: vec![Desa {
                kode: "32.73.01.1001".into(),
                nama: "Sarijadi".into(),
                kartu: (0..cards)
                    .map(|i| Kartu {
                        nik: format!("32730101019{:05}", i),
                        nama: format!("Warga {i}"),
                        nomor_berkas: format!("S01-32.73.01-{i:06}"),
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn it_is_a_pdf_and_the_same_bytes_every_time() {
        let ba = sample(3);
        let a = ba.pdf().unwrap();
        assert!(a.starts_with(b"%PDF-"), "a PDF");
        assert_eq!(a, ba.pdf().unwrap(), "reproducible byte for byte");
        let mut other = ba.clone();
        other.petugas = "petugas2".into();
        assert_ne!(a, other.pdf().unwrap());
    }

    #[test]
    fn a_long_list_runs_onto_more_pages() {
        // Each page object of krilla's output says `/Type/Page/…`.
        let pages = |pdf: &[u8]| String::from_utf8_lossy(pdf).matches("/Type/Page/").count();
        assert_eq!(pages(&sample(3).pdf().unwrap()), 1);
        assert_eq!(pages(&sample(120).pdf().unwrap()), 3);
    }

    #[test]
    fn names_are_written_as_a_letter_has_them() {
        assert_eq!(title_case("KOTA BANDUNG"), "Kota Bandung");
        assert_eq!(
            title_case("kabupaten bandung barat"),
            "Kabupaten Bandung Barat"
        );
    }
}
