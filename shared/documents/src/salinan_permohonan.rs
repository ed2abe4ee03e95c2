//! The salinan permohonan (S01.2, and every procedure's first step): the resident's copy of
//! the application the counter accepted — the berkas number to ask after it with, the
//! procedure, who applied, the documents handed in, who received them and when.

use crate::sheet::{Align, DocumentError, Sheet, Weight};
use crate::tanggal;
use chrono::NaiveDate;

/// What the counter's receipt says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalinanPermohonan {
    pub nomor_berkas: String,
    /// "S01 — Perekaman KTP-el …": the procedure's id and Indonesian title.
    pub prosedur: String,
    /// Empty for a new resident, whose NIK SIAK gives later (S05).
    pub nik: String,
    pub nama: String,
    pub kecamatan: String,
    pub kecamatan_kode: String,
    /// The documents handed in, as named on paper.
    pub dokumen: Vec<String>,
    /// The ppp who received the berkas (the counter's book records who).
    pub petugas: String,
    /// The day the counter's book records the berkas on.
    pub tanggal: NaiveDate,
}

impl SalinanPermohonan {
    /// The receipt as PDF (A4).
    pub fn pdf(&self) -> Result<Vec<u8>, DocumentError> {
        let mut s = Sheet::new();
        s.heading(
            "SALINAN PERMOHONAN KTP-EL",
            &format!("Kecamatan {} ({})", self.kecamatan, self.kecamatan_kode),
        );
        let nik = if self.nik.is_empty() {
            "(diberikan SIAK setelah pencatatan)".to_owned()
        } else {
            self.nik.clone()
        };
        let diterima = format!(
            "{}, {}",
            tanggal::hari(self.tanggal),
            tanggal::singkat(self.tanggal)
        );
        s.fields(&[
            ("Nomor berkas", self.nomor_berkas.as_str()),
            ("Permohonan", self.prosedur.as_str()),
            ("NIK", nik.as_str()),
            ("Nama", self.nama.as_str()),
            ("Diterima", diterima.as_str()),
            ("Petugas", self.petugas.as_str()),
        ]);
        s.gap(8.0);
        s.line("Dokumen yang diserahkan:", 10.0, Weight::Bold, Align::Left);
        for (i, d) in self.dokumen.iter().enumerate() {
            s.row(
                &[(0.0, &format!("{}.", i + 1)), (20.0, d)],
                10.0,
                Weight::Regular,
            );
        }
        s.gap(10.0);
        s.paragraph(
            &format!(
                "Simpan salinan ini. Tanyakan perkembangan permohonan dengan nomor berkas {} \
                 di loket kecamatan.",
                self.nomor_berkas
            ),
            10.0,
        );
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt() -> SalinanPermohonan {
        SalinanPermohonan {
            nomor_berkas: "327301-20261207-0001".into(),
            prosedur: "S01 — Perekaman KTP-el".into(),
            nik: "3273010101900001".into(),
            nama: "Warga Satu".into(),
            kecamatan: "SUKASARI".into(),
            kecamatan_kode: "32.73.01".into(),
            dokumen: vec![
                "Formulir Permohonan KTP-el".into(),
                "Fotokopi Kartu Keluarga".into(),
            ],
            petugas: "ppp1".into(),
            tanggal: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        }
    }

    #[test]
    fn a_pdf_the_same_bytes_every_time() {
        let r = receipt();
        let pdf = r.pdf().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(pdf, r.pdf().unwrap());
        let mut newcomer = r.clone();
        newcomer.nik = String::new();
        assert_ne!(pdf, newcomer.pdf().unwrap());
    }
}
