//! The tanda terima KTP-el (S22.4–S22.5): the resident signs for their card, the ppp who
//! handed it over countersigns, and the paper goes to the archive.

use crate::sheet::{DocumentError, Sheet};
use crate::tanggal;
use chrono::NaiveDateTime;

/// What a tanda terima says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TandaTerima {
    pub nomor_berkas: String,
    /// The card's number in the Dinas's card register, where it has one.
    pub nomor_kartu: String,
    pub nik: String,
    pub nama: String,
    /// Where: "Kecamatan SUKASARI (32.73.01)", or the Dinas desk.
    pub tempat: String,
    /// Who received the card (the resident, or who they sent).
    pub penerima: String,
    /// The ppp who handed it over.
    pub petugas: String,
    /// When, on the Dinas's clock ([`tanggal::wib`]).
    pub diserahkan: NaiveDateTime,
}

impl TandaTerima {
    /// The paper as PDF (A4).
    pub fn pdf(&self) -> Result<Vec<u8>, DocumentError> {
        let mut s = Sheet::new();
        s.heading("TANDA TERIMA KTP-EL", &self.tempat);
        let diserahkan = format!(
            "{}, {} pukul {} WIB",
            tanggal::hari(self.diserahkan.date()),
            tanggal::singkat(self.diserahkan.date()),
            self.diserahkan.format("%H:%M")
        );
        s.fields(&[
            ("Nomor berkas", self.nomor_berkas.as_str()),
            ("Nomor kartu", self.nomor_kartu.as_str()),
            ("NIK", self.nik.as_str()),
            ("Nama", self.nama.as_str()),
            ("Diserahkan", diserahkan.as_str()),
        ]);
        s.gap(10.0);
        s.paragraph(
            &format!(
                "Pada hari ini {} telah diterima satu keping KTP-el atas nama {} dalam \
                 keadaan baik.",
                tanggal::dalam_kata(self.diserahkan.date()),
                self.nama
            ),
            10.0,
        );
        s.gap(10.0);
        s.columns(
            &["Yang menyerahkan,", "Petugas"],
            &["Yang menerima,", ""],
            10.0,
        );
        s.gap(36.0);
        let petugas = format!("( {} )", self.petugas);
        let penerima = format!("( {} )", self.penerima);
        s.columns(&[&petugas], &[&penerima], 10.0);
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_the_same_bytes_every_time() {
        let t = TandaTerima {
            nomor_berkas: "327301-20261207-0001".into(),
            nomor_kartu: "3273-2026-000001".into(),
            nik: "3273010101900001".into(),
            nama: "Warga Satu".into(),
            tempat: "Kecamatan SUKASARI (32.73.01)".into(),
            penerima: "Warga Satu".into(),
            petugas: "ani".into(),
            diserahkan: chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap(),
        };
        let pdf = t.pdf().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(pdf, t.pdf().unwrap());
        let mut other = t.clone();
        other.penerima = "Adiknya".into();
        assert_ne!(pdf, other.pdf().unwrap());
    }
}
