//! The Kartu Keluarga (S04.3, S05.4, S15–S18): the family's card as SIAK prints it, A4
//! landscape: the number, the address and its region, and the table of the family's members.

use crate::sheet::{Align, DocumentError, Sheet, Weight};
use crate::tanggal;
use chrono::NaiveDate;

/// One member of the family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anggota {
    pub nik: String,
    pub nama: String,
    /// "laki-laki" or "perempuan".
    pub jenis_kelamin: String,
    pub tempat_lahir: String,
    pub tanggal_lahir: NaiveDate,
}

/// What a Kartu Keluarga says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KartuKeluarga {
    pub no_kk: String,
    pub alamat: String,
    /// Names of the desa/kelurahan, kecamatan, kabupaten/kota and province, with the desa's
    /// code.
    pub desa: String,
    pub desa_kode: String,
    pub kecamatan: String,
    pub kabupaten: String,
    pub provinsi: String,
    /// The members, eldest first.
    pub anggota: Vec<Anggota>,
}

impl KartuKeluarga {
    /// The card as PDF (A4 landscape).
    pub fn pdf(&self) -> Result<Vec<u8>, DocumentError> {
        let mut s = Sheet::landscape();
        s.line("KARTU KELUARGA", 16.0, Weight::Bold, Align::Center);
        s.line(
            &format!("No. {}", self.no_kk),
            12.0,
            Weight::Bold,
            Align::Center,
        );
        s.gap(8.0);
        let half = s.text_width() / 2.0;
        let desa = format!("{} ({})", self.desa, self.desa_kode);
        let rows: [[(&str, &str); 2]; 3] = [
            [("Alamat", &self.alamat), ("Kecamatan", &self.kecamatan)],
            [
                ("Desa/Kelurahan", &desa),
                ("Kabupaten/Kota", &self.kabupaten),
            ],
            [("", ""), ("Provinsi", &self.provinsi)],
        ];
        for [(l1, v1), (l2, v2)] in rows {
            let (v1, v2) = (format!(": {v1}"), format!(": {v2}"));
            let mut cells: Vec<(f32, &str)> = Vec::new();
            if !l1.is_empty() {
                cells.extend([(0.0, l1), (100.0, v1.as_str())]);
            }
            cells.extend([(half, l2), (half + 100.0, v2.as_str())]);
            s.row(&cells, 9.5, Weight::Regular);
        }
        s.gap(6.0);
        let columns = [
            (0.0, "No"),
            (24.0, "Nama Lengkap"),
            (220.0, "NIK"),
            (340.0, "Jenis Kelamin"),
            (430.0, "Tempat Lahir"),
            (560.0, "Tanggal Lahir"),
        ];
        s.row(&columns, 9.0, Weight::Bold);
        s.rule();
        for (i, a) in self.anggota.iter().enumerate() {
            s.row(
                &[
                    (0.0, &(i + 1).to_string()),
                    (24.0, &a.nama),
                    (220.0, &a.nik),
                    (340.0, &a.jenis_kelamin),
                    (430.0, &a.tempat_lahir),
                    (560.0, &tanggal::singkat(a.tanggal_lahir)),
                ],
                9.0,
                Weight::Regular,
            );
        }
        s.rule();
        s.gap(12.0);
        s.columns(
            &["KEPALA KELUARGA"],
            &[&format!(
                "KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL {}",
                self.kabupaten.to_uppercase()
            )],
            9.0,
        );
        s.gap(36.0);
        let kepala = self
            .anggota
            .first()
            .map(|a| format!("( {} )", a.nama))
            .unwrap_or_default();
        s.columns(&[&kepala], &["( .............................. )"], 9.0);
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family() -> KartuKeluarga {
        let born = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        KartuKeluarga {
            no_kk: "3273010101260001".into(),
            alamat: "Jl. Sarijadi No. 1".into(),
            desa: "SARIJADI".into(),
            desa_kode: "32.73.01.1001".into(),
            kecamatan: "SUKASARI".into(),
            kabupaten: "KOTA BANDUNG".into(),
            provinsi: "JAWA BARAT".into(),
            anggota: vec![
                Anggota {
                    nik: "3273010101800001".into(),
                    nama: "Budi Santoso".into(),
                    jenis_kelamin: "laki-laki".into(),
                    tempat_lahir: "Bandung".into(),
                    tanggal_lahir: born(1980, 1, 1),
                },
                Anggota {
                    nik: "3273014101850002".into(),
                    nama: "Dewi Lestari".into(),
                    jenis_kelamin: "perempuan".into(),
                    tempat_lahir: "Garut".into(),
                    tanggal_lahir: born(1985, 1, 1),
                },
            ],
        }
    }

    #[test]
    fn a_landscape_a4_pdf_the_same_bytes_every_time() {
        let kk = family();
        let pdf = kk.pdf().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(pdf, kk.pdf().unwrap());
        // Landscape: the media box is wider than high.
        assert!(
            String::from_utf8_lossy(&pdf).contains("/MediaBox [0 0 841.89 595.28]")
                || String::from_utf8_lossy(&pdf).contains("/MediaBox[0 0 841.89 595.28]"),
            "landscape A4"
        );
        let mut moved = kk.clone();
        moved.alamat = "Jl. Lain No. 2".into();
        assert_ne!(pdf, moved.pdf().unwrap());
    }
}
