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
    /// The other elements, as printed; none for a member SIAK recorded before it kept them
    /// (each prints `-`).
    pub rincian: Option<RincianAnggota>,
}

/// A member's other elements, each as the card prints it (`ISLAM`, `SLTA/SEDERAJAT`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RincianAnggota {
    pub agama: String,
    pub pendidikan: String,
    pub pekerjaan: String,
    pub golongan_darah: String,
    pub status_perkawinan: String,
    pub hubungan: String,
    pub kewarganegaraan: String,
    pub nama_ayah: String,
    pub nama_ibu: String,
}

/// A column of the family table: where it starts, its heading, and a member's value.
type Column = (f32, &'static str, fn(&Anggota) -> String);

impl Anggota {
    /// An element of the member's rincian, or `-` where SIAK holds none.
    fn rincian_or_dash(&self, element: fn(&RincianAnggota) -> &String) -> String {
        self.rincian
            .as_ref()
            .map_or_else(|| "-".to_owned(), |r| element(r).clone())
    }
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
    /// A table of the members, numbered, with `columns`: its heading row, then a row each.
    fn table(&self, s: &mut Sheet, columns: &[Column]) {
        const SIZE: f32 = 6.0;
        let heading: Vec<(f32, &str)> = std::iter::once((0.0, "No"))
            .chain(columns.iter().map(|(x, title, _)| (*x, *title)))
            .collect();
        s.row(&heading, SIZE, Weight::Bold);
        s.rule();
        for (i, a) in self.anggota.iter().enumerate() {
            let values: Vec<(f32, String)> = std::iter::once((0.0, (i + 1).to_string()))
                .chain(columns.iter().map(|(x, _, value)| (*x, value(a))))
                .collect();
            let cells: Vec<(f32, &str)> = values.iter().map(|(x, v)| (*x, v.as_str())).collect();
            s.row(&cells, SIZE, Weight::Regular);
        }
        s.rule();
    }

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
        // Two tables, as on the card: who each member is, then their place in the family.
        // Columns placed for the widest value of each list at 6 pt (the agama `KEPERCAYAAN
        // TERHADAP TUHAN YME`, the pendidikan `AKADEMI/DIPLOMA III/S. MUDA`).
        let who: [Column; 9] = [
            (14.0, "Nama Lengkap", |a| a.nama.clone()),
            (124.0, "NIK", |a| a.nik.clone()),
            (190.0, "Kelamin", |a| a.jenis_kelamin.clone()),
            (232.0, "Tempat Lahir", |a| a.tempat_lahir.clone()),
            (290.0, "Tanggal Lahir", |a| {
                tanggal::singkat(a.tanggal_lahir)
            }),
            (350.0, "Agama", |a| a.rincian_or_dash(|r| &r.agama)),
            (476.0, "Pendidikan", |a| {
                a.rincian_or_dash(|r| &r.pendidikan)
            }),
            (582.0, "Jenis Pekerjaan", |a| {
                a.rincian_or_dash(|r| &r.pekerjaan)
            }),
            (670.0, "Gol. Drh", |a| {
                a.rincian_or_dash(|r| &r.golongan_darah)
            }),
        ];
        let place: [Column; 5] = [
            (14.0, "Status Perkawinan", |a| {
                a.rincian_or_dash(|r| &r.status_perkawinan)
            }),
            (104.0, "Hubungan dalam Keluarga", |a| {
                a.rincian_or_dash(|r| &r.hubungan)
            }),
            (214.0, "Kewarganegaraan", |a| {
                a.rincian_or_dash(|r| &r.kewarganegaraan)
            }),
            (294.0, "Nama Ayah", |a| a.rincian_or_dash(|r| &r.nama_ayah)),
            (494.0, "Nama Ibu", |a| a.rincian_or_dash(|r| &r.nama_ibu)),
        ];
        self.table(&mut s, &who);
        s.gap(6.0);
        self.table(&mut s, &place);
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
                    rincian: Some(RincianAnggota {
                        agama: "ISLAM".into(),
                        pendidikan: "AKADEMI/DIPLOMA III/S. MUDA".into(),
                        pekerjaan: "BURUH TANI/PERKEBUNAN".into(),
                        golongan_darah: "AB".into(),
                        status_perkawinan: "KAWIN".into(),
                        hubungan: "KEPALA KELUARGA".into(),
                        kewarganegaraan: "WNI".into(),
                        nama_ayah: "Slamet Santoso".into(),
                        nama_ibu: "Sari".into(),
                    }),
                },
                Anggota {
                    nik: "3273014101850002".into(),
                    nama: "Dewi Lestari".into(),
                    jenis_kelamin: "perempuan".into(),
                    tempat_lahir: "Garut".into(),
                    tanggal_lahir: born(1985, 1, 1),
                    rincian: None,
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
