//! The Surat Keterangan Pindah (S18): the letter the origin's Dinas issues to a family
//! moving to another kabupaten/kota, listing who moves; the destination's SIAK takes them in
//! on it.

use crate::berita_acara::title_case;
use crate::sheet::{DocumentError, Sheet, Weight};
use crate::tanggal;
use chrono::NaiveDate;

/// One member who moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pindah {
    pub nik: String,
    pub nama: String,
    pub tempat_lahir: String,
    pub tanggal_lahir: NaiveDate,
}

/// What the letter says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuratPindah {
    pub nomor: String,
    pub tanggal: NaiveDate,
    pub provinsi: String,
    /// The origin kabupaten/kota (its Dinas issues the letter), name and code.
    pub dari: String,
    pub dari_kode: String,
    /// The destination kabupaten/kota, name and code.
    pub ke: String,
    pub ke_kode: String,
    pub anggota: Vec<Pindah>,
}

impl SuratPindah {
    /// The letter as PDF (A4).
    pub fn pdf(&self) -> Result<Vec<u8>, DocumentError> {
        let mut s = Sheet::new();
        s.letterhead(&self.dari, &self.provinsi);
        s.letter_title("SURAT KETERANGAN PINDAH", &self.nomor);
        let n = self.anggota.len();
        s.paragraph(
            &format!(
                "Pada hari ini {}, Dinas Kependudukan dan Pencatatan Sipil {} ({}) menerangkan \
                 bahwa {n} ({}) orang anggota keluarga berikut pindah ke {} ({}):",
                tanggal::dalam_kata(self.tanggal),
                title_case(&self.dari),
                self.dari_kode,
                tanggal::terbilang(n as u64),
                title_case(&self.ke),
                self.ke_kode
            ),
            10.0,
        );
        s.gap(6.0);
        s.row(
            &[
                (0.0, "No"),
                (28.0, "NIK"),
                (150.0, "Nama"),
                (330.0, "Tempat, tanggal lahir"),
            ],
            9.0,
            Weight::Bold,
        );
        s.rule();
        for (i, a) in self.anggota.iter().enumerate() {
            let lahir = format!("{}, {}", a.tempat_lahir, tanggal::singkat(a.tanggal_lahir));
            s.row(
                &[
                    (0.0, &(i + 1).to_string()),
                    (28.0, &a.nik),
                    (150.0, &a.nama),
                    (330.0, &lahir),
                ],
                9.0,
                Weight::Regular,
            );
        }
        s.rule();
        s.gap(10.0);
        let tempat = format!(
            "{}, {}",
            title_case(&self.dari),
            tanggal::singkat(self.tanggal)
        );
        s.columns(
            &[""],
            &[&tempat, "Kepala Dinas Kependudukan", "dan Pencatatan Sipil"],
            10.0,
        );
        s.gap(40.0);
        s.columns(&[""], &["( .............................. )"], 10.0);
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_the_same_bytes_every_time() {
        let letter = SuratPindah {
            nomor: "SKP-3273-20261207-0001".into(),
            tanggal: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            provinsi: "JAWA BARAT".into(),
            dari: "KOTA BANDUNG".into(),
            dari_kode: "32.73".into(),
            ke: "KABUPATEN BANDUNG".into(),
            ke_kode: "32.04".into(),
            anggota: vec![Pindah {
                nik: "3273010101900001".into(),
                nama: "Warga Satu".into(),
                tempat_lahir: "Bandung".into(),
                tanggal_lahir: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            }],
        };
        let pdf = letter.pdf().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(pdf, letter.pdf().unwrap());
    }
}
