//! The bukti perekaman (S01.8, the enrollment's receipt): the resident's proof that their
//! biometrics were taken — the number to show at the counter, the berkas, when and by whom.

use crate::sheet::{DocumentError, Sheet};
use crate::tanggal;
use chrono::NaiveDateTime;

/// What the station's receipt says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuktiPerekaman {
    pub nomor_bukti: String,
    pub nomor_berkas: String,
    pub nik: String,
    pub kecamatan: String,
    pub kecamatan_kode: String,
    /// The enrollment operator who signed the record off.
    pub operator: String,
    /// When, on the Dinas's clock ([`tanggal::wib`]).
    pub direkam: NaiveDateTime,
}

impl BuktiPerekaman {
    /// The receipt as PDF (A4).
    pub fn pdf(&self) -> Result<Vec<u8>, DocumentError> {
        let mut s = Sheet::new();
        s.heading(
            "BUKTI PEREKAMAN KTP-EL",
            &format!("Kecamatan {} ({})", self.kecamatan, self.kecamatan_kode),
        );
        let direkam = format!(
            "{}, {} pukul {} WIB",
            tanggal::hari(self.direkam.date()),
            tanggal::singkat(self.direkam.date()),
            self.direkam.format("%H:%M")
        );
        s.fields(&[
            ("Nomor bukti", self.nomor_bukti.as_str()),
            ("Nomor berkas", self.nomor_berkas.as_str()),
            ("NIK", self.nik.as_str()),
            ("Direkam", direkam.as_str()),
            ("Operator", self.operator.as_str()),
        ]);
        s.gap(10.0);
        s.paragraph(
            "Foto, tanda tangan, sidik jari dan iris mata telah direkam. Simpan bukti ini \
             sampai KTP-el diserahkan kepada Anda.",
            10.0,
        );
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_the_same_bytes_every_time() {
        let b = BuktiPerekaman {
            nomor_bukti: "BP-327301-0001".into(),
            nomor_berkas: "327301-20261207-0001".into(),
            nik: "3273010101900001".into(),
            kecamatan: "SUKASARI".into(),
            kecamatan_kode: "32.73.01".into(),
            operator: "oki".into(),
            direkam: chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
                .unwrap()
                .and_hms_opt(9, 15, 0)
                .unwrap(),
        };
        let pdf = b.pdf().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(pdf, b.pdf().unwrap());
        let mut other = b.clone();
        other.operator = "eko".into();
        assert_ne!(pdf, other.pdf().unwrap());
    }
}
