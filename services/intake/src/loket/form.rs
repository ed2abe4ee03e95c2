//! The counter's form as it was typed, what is wrong with each field, and the berkas it makes.
//! Every value is kept as typed, so a refused form comes back with all of it.

use crate::counter::kecamatan_of;
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{NaiveDate, Utc};
use ktpel_biometrics::pressed;
use ktpel_contract::enrollment::{Finger, FingerTemplate};
use ktpel_contract::registry::RincianDiisi;
use ktpel_contract::{
    berkas::BerkasSubmitted,
    registry::{FormulirBiodata, Kedatangan, PerubahanBiodata},
};
use ktpel_domain::{
    Dokumen, JenisKelamin, KodeWilayah, Nik, SopId,
    sop::{SiakWork, Sop},
    wilayah::Level,
};
use std::collections::BTreeMap;

/// The fields of the counter's form, as typed.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub sop: String,
    pub nik: String,
    pub nama: String,
    pub dokumen: Vec<String>,
    pub jenis_kelamin: String,
    pub tempat_lahir: String,
    pub tanggal_lahir: String,
    pub alamat: String,
    pub desa: String,
    pub no_kk: String,
    /// The Formulir Biodata's other elements (RT/RW, agama, status perkawinan, …).
    pub rincian: RincianDiisi,
    pub ubah_nama: String,
    pub ubah_tempat_lahir: String,
    pub ubah_alamat: String,
    pub ubah_desa: String,
    pub ubah_status_perkawinan: String,
    pub ubah_pekerjaan: String,
    pub ubah_agama: String,
    pub ubah_pendidikan: String,
    pub desa_tujuan: String,
    pub alamat_tujuan: String,
    /// S06–S14: the index fingers pressed on the counter's reader, each the ISO/IEC 19794-2
    /// record in base64 (kept in the form, so a refused form need not be pressed again).
    pub jari_right_index: String,
    pub jari_left_index: String,
    /// Why a finger the reader gave could not be taken (press it again).
    pub jari_salah: Vec<String>,
    /// The CSRF token the form came with.
    pub csrf: String,
}

/// What is wrong, field by field (`""`: the berkas as a whole).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(BTreeMap<&'static str, Vec<String>>);

impl Problems {
    pub fn add(&mut self, field: &'static str, problem: impl Into<String>) {
        self.0.entry(field).or_default().push(problem.into());
    }

    /// What is wrong with `field`, as one line; empty when nothing.
    pub fn of(&self, field: &str) -> String {
        self.0.get(field).map(|p| p.join("; ")).unwrap_or_default()
    }

    /// Every problem, with the field it is about.
    pub fn all(&self) -> Vec<String> {
        self.0.values().flatten().cloned().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Form {
    /// The form from its posted `pairs` (a checkbox posts its name once per ticked box).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "sop" => &mut f.sop,
                "nik" => &mut f.nik,
                "nama" => &mut f.nama,
                "dokumen" => {
                    f.dokumen.push(value);
                    continue;
                }
                "jenis_kelamin" => &mut f.jenis_kelamin,
                "tempat_lahir" => &mut f.tempat_lahir,
                "tanggal_lahir" => &mut f.tanggal_lahir,
                "alamat" => &mut f.alamat,
                "desa" => &mut f.desa,
                "no_kk" => &mut f.no_kk,
                "rt" => &mut f.rincian.rt,
                "rw" => &mut f.rincian.rw,
                "agama" => &mut f.rincian.agama,
                "status_perkawinan" => &mut f.rincian.status_perkawinan,
                "pekerjaan" => &mut f.rincian.pekerjaan,
                "pendidikan" => &mut f.rincian.pendidikan,
                "hubungan" => &mut f.rincian.hubungan,
                "kewarganegaraan" => &mut f.rincian.kewarganegaraan,
                "golongan_darah" => &mut f.rincian.golongan_darah,
                "nama_ayah" => &mut f.rincian.nama_ayah,
                "nama_ibu" => &mut f.rincian.nama_ibu,
                "ubah_nama" => &mut f.ubah_nama,
                "ubah_tempat_lahir" => &mut f.ubah_tempat_lahir,
                "ubah_alamat" => &mut f.ubah_alamat,
                "ubah_desa" => &mut f.ubah_desa,
                "ubah_status_perkawinan" => &mut f.ubah_status_perkawinan,
                "ubah_pekerjaan" => &mut f.ubah_pekerjaan,
                "ubah_agama" => &mut f.ubah_agama,
                "ubah_pendidikan" => &mut f.ubah_pendidikan,
                "jari_right_index" => &mut f.jari_right_index,
                "jari_left_index" => &mut f.jari_left_index,
                "jari_salah" => {
                    f.jari_salah.push(value);
                    continue;
                }
                "desa_tujuan" => &mut f.desa_tujuan,
                "alamat_tujuan" => &mut f.alamat_tujuan,
                "csrf" => &mut f.csrf,
                _ => continue,
            };
            *slot = value;
        }
        f
    }

    /// S06–S14: the index fingers pressed, each read again from what the form kept; every
    /// one that cannot be taken named. Other procedures take none at the counter.
    fn sidik_jari(&self, procedure: &Sop, problems: &mut Problems) -> Vec<FingerTemplate> {
        if procedure.replacement().is_none() {
            return Vec::new();
        }
        for why in &self.jari_salah {
            problems.add("sidik_jari", why.clone());
        }
        let mut pressed = Vec::new();
        for (finger, kept) in [
            (Finger::RightIndex, &self.jari_right_index),
            (Finger::LeftIndex, &self.jari_left_index),
        ] {
            if kept.is_empty() {
                continue;
            }
            let read = STANDARD
                .decode(kept.trim())
                .map_err(|e| format!("isian rusak ({e})"))
                .and_then(|bytes| pressed::read(finger, &bytes).map_err(|e| e.pesan()));
            match read {
                Ok(p) => pressed.push(p.template),
                Err(e) => problems.add(
                    "sidik_jari",
                    format!("{}: {e}, pindai ulang", finger.nama()),
                ),
            }
        }
        if pressed.is_empty() && problems.of("sidik_jari").is_empty() {
            problems.add(
                "sidik_jari",
                "pindai sidik jari telunjuk penduduk: KTP-el pengganti dibuat hanya untuk pemilik rekaman (verifikasi 1:1)",
            );
        }
        pressed
    }

    /// Whether `finger` was pressed and kept.
    pub fn pressed(&self, finger: &str) -> bool {
        match finger {
            "right_index" => !self.jari_right_index.is_empty(),
            "left_index" => !self.jari_left_index.is_empty(),
            _ => false,
        }
    }

    /// Whether document `d` was ticked.
    pub fn has(&self, d: &Dokumen) -> bool {
        self.dokumen.iter().any(|n| n == d.name())
    }

    /// The berkas this form makes at a counter of `kecamatan` (the account's; none: the
    /// Dinas's counter, which takes berkas of every kecamatan), received by `petugas`; or
    /// every field that is wrong.
    pub fn berkas(
        &self,
        sop: SopId,
        kecamatan: Option<&KodeWilayah>,
        petugas: &str,
    ) -> Result<BerkasSubmitted, Problems> {
        let procedure = Sop::get(sop);
        let mut problems = Problems::default();
        let text = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        let nama = text(&self.nama);
        if nama.is_none() {
            problems.add("nama", "isi nama sesuai Formulir Permohonan");
        }
        let nik = match (procedure.new_resident(), text(&self.nik)) {
            (false, None) => {
                problems.add(
                    "nik",
                    "isi NIK pemohon (penduduk yang belum terdaftar: S05)",
                );
                None
            }
            (_, Some(n)) => match n.parse::<Nik>() {
                Ok(nik) => Some(nik),
                Err(e) => {
                    problems.add("nik", e.pesan());
                    None
                }
            },
            (true, None) => None,
        };
        let mut dokumen = Vec::new();
        for name in &self.dokumen {
            match name.parse::<Dokumen>() {
                Ok(d) => dokumen.push(d),
                Err(_) => problems.add("dokumen", format!("dokumen tidak dikenal: `{name}`")),
            }
        }
        let desa = |field: &'static str, v: &str, problems: &mut Problems| match text(v) {
            None => None,
            Some(v) => match KodeWilayah::parse(&v) {
                Ok(k) if k.level() == Level::DesaKelurahan => Some(k.to_string()),
                Ok(_) => {
                    problems.add(
                        field,
                        "kode desa/kelurahan punya 10 angka, mis. 32.73.01.1001",
                    );
                    None
                }
                Err(e) => {
                    problems.add(field, e.pesan());
                    None
                }
            },
        };
        let biodata = if procedure.new_resident() {
            self.biodata(nama.as_deref().unwrap_or_default(), &mut problems, desa)
        } else {
            None
        };
        let perubahan = match procedure.siak_work() {
            Some(SiakWork::Correct | SiakWork::Change) => {
                let p = PerubahanBiodata {
                    nama: text(&self.ubah_nama),
                    tempat_lahir: text(&self.ubah_tempat_lahir),
                    alamat: text(&self.ubah_alamat),
                    desa: desa("ubah_desa", &self.ubah_desa, &mut problems),
                    status_perkawinan: chosen(
                        "ubah_status_perkawinan",
                        &self.ubah_status_perkawinan,
                        &mut problems,
                    ),
                    pekerjaan: text(&self.ubah_pekerjaan).and_then(|p| {
                        ktpel_domain::biodata::pekerjaan(&p)
                            .map_err(|e| problems.add("ubah_pekerjaan", e))
                            .ok()
                    }),
                    agama: chosen("ubah_agama", &self.ubah_agama, &mut problems),
                    pendidikan: chosen("ubah_pendidikan", &self.ubah_pendidikan, &mut problems),
                };
                (!p.is_empty()).then_some(p)
            }
            _ => None,
        };
        let kedatangan = if procedure.relocation() {
            let d = desa("desa_tujuan", &self.desa_tujuan, &mut problems);
            match (d, text(&self.alamat_tujuan)) {
                (Some(desa), Some(alamat)) => Some(Kedatangan { desa, alamat }),
                (d, a) => {
                    if d.is_none() && problems.of("desa_tujuan").is_empty() {
                        problems.add("desa_tujuan", "isi desa/kelurahan tujuan");
                    }
                    if a.is_none() {
                        problems.add("alamat_tujuan", "isi alamat tujuan");
                    }
                    None
                }
            }
        } else {
            None
        };
        let sidik_jari = self.sidik_jari(procedure, &mut problems);
        let kecamatan = kecamatan
            .cloned()
            .or_else(|| kecamatan_of(nik.as_ref(), biodata.as_ref(), kedatangan.as_ref()));
        if !problems.is_empty() {
            return Err(problems);
        }
        let Some(kecamatan) = kecamatan else {
            problems.add("", "kecamatan berkas tidak dapat ditentukan");
            return Err(problems);
        };
        Ok(BerkasSubmitted {
            sidik_jari,
            submission_id: uuid::Uuid::now_v7(),
            sop,
            nik,
            nama: nama.unwrap_or_default(),
            biodata,
            perubahan,
            kedatangan,
            dokumen,
            kecamatan: kecamatan.to_string(),
            petugas: petugas.to_owned(),
            diterima_pada: Utc::now(),
        })
    }

    /// The Formulir Biodata Penduduk, every missing or wrong field named.
    fn biodata(
        &self,
        nama: &str,
        problems: &mut Problems,
        desa: impl Fn(&'static str, &str, &mut Problems) -> Option<String>,
    ) -> Option<FormulirBiodata> {
        let jenis_kelamin = match self.jenis_kelamin.as_str() {
            "L" => Some(JenisKelamin::LakiLaki),
            "P" => Some(JenisKelamin::Perempuan),
            _ => {
                problems.add("jenis_kelamin", "pilih laki-laki atau perempuan");
                None
            }
        };
        let tanggal_lahir = match NaiveDate::parse_from_str(self.tanggal_lahir.trim(), "%Y-%m-%d") {
            Ok(d) if d > Utc::now().date_naive() => {
                problems.add("tanggal_lahir", "tanggal lahir tidak boleh di masa depan");
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                problems.add("tanggal_lahir", "isi tanggal lahir (TTTT-BB-HH)");
                None
            }
        };
        let required = |field: &'static str, v: &str, problems: &mut Problems| {
            let v = v.trim();
            if v.is_empty() {
                problems.add(field, "wajib diisi");
                None
            } else {
                Some(v.to_owned())
            }
        };
        let tempat_lahir = required("tempat_lahir", &self.tempat_lahir, problems);
        let alamat = required("alamat", &self.alamat, problems);
        let desa_code = desa("desa", &self.desa, problems);
        if desa_code.is_none() && problems.of("desa").is_empty() {
            problems.add("desa", "isi kode desa/kelurahan");
        }
        let no_kk = Some(self.no_kk.trim().to_owned()).filter(|k| !k.is_empty());
        if let Some(kk) = &no_kk
            && !(kk.len() == 16 && kk.bytes().all(|c| c.is_ascii_digit()))
        {
            problems.add("no_kk", "nomor KK punya 16 angka");
        }
        let rincian = self
            .rincian
            .check()
            .map_err(|wrong| {
                for (field, why) in wrong {
                    problems.add(field, why);
                }
            })
            .ok();
        Some(FormulirBiodata {
            nama: nama.to_owned(),
            jenis_kelamin: jenis_kelamin?,
            tempat_lahir: tempat_lahir?,
            tanggal_lahir: tanggal_lahir?,
            alamat: alamat?,
            desa: desa_code?,
            no_kk,
            rincian: Some(rincian?),
        })
    }
}

/// An element chosen from its list (`""`: it does not change); one that is none of the
/// list's is a problem of its field.
fn chosen<T: std::str::FromStr<Err = ktpel_domain::biodata::NotInList>>(
    field: &'static str,
    value: &str,
    problems: &mut Problems,
) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    value
        .parse()
        .map_err(|e: ktpel_domain::biodata::NotInList| {
            problems.add(field, format!("`{}` tidak ada dalam daftar", e.given))
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Form {
        Form::from_pairs(
            p.iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn an_s01_form_makes_its_berkas_under_the_counters_kecamatan() {
        let f = pairs(&[
            ("nik", "3273010107051234"),
            ("nama", "Ani"),
            ("dokumen", "formulir_permohonan"),
            ("dokumen", "fotokopi_kk"),
        ]);
        let k = KodeWilayah::parse("32.73.01").unwrap();
        let b = f.berkas(SopId::new(1).unwrap(), Some(&k), "ppp1").unwrap();
        assert_eq!(b.kecamatan, "32.73.01");
        assert_eq!(
            b.dokumen,
            [Dokumen::FormulirPermohonan, Dokumen::FotokopiKk]
        );
        assert_eq!(b.petugas, "ppp1");
    }

    #[test]
    fn every_wrong_field_is_named_at_once() {
        let f = pairs(&[("nik", "12"), ("nama", " "), ("dokumen", "surat_cinta")]);
        let p = f.berkas(SopId::new(1).unwrap(), None, "ppp1").unwrap_err();
        assert!(!p.of("nik").is_empty());
        assert!(!p.of("nama").is_empty());
        assert!(p.of("dokumen").contains("surat_cinta"));
        assert_eq!(p.all().len(), 3);
    }

    #[test]
    fn a_new_resident_needs_the_whole_formulir_biodata() {
        let f = pairs(&[("nama", "Budi"), ("tanggal_lahir", "2999-01-01")]);
        let p = f.berkas(SopId::new(5).unwrap(), None, "ppp1").unwrap_err();
        for field in [
            "jenis_kelamin",
            "tanggal_lahir",
            "tempat_lahir",
            "alamat",
            "desa",
        ]
        .into_iter()
        .chain(RincianDiisi::FIELDS)
        {
            assert!(!p.of(field).is_empty(), "{field}: {p:?}");
        }
        assert!(p.of("nik").is_empty(), "S05 takes no NIK");
    }

    /// S05: the whole Formulir Biodata, its elements as SIAK keeps them.
    #[test]
    fn a_new_residents_formulir_carries_every_element() {
        use ktpel_domain::biodata::{Hubungan, Pendidikan};
        let f = pairs(&[
            ("nama", "Budi"),
            ("jenis_kelamin", "L"),
            ("tempat_lahir", "Bandung"),
            ("tanggal_lahir", "2008-05-01"),
            ("alamat", "Jl. Merdeka No. 1"),
            ("desa", "32.73.01.1001"),
            ("rt", "3"),
            ("rw", "7"),
            ("agama", "islam"),
            ("status_perkawinan", "belum_kawin"),
            ("pekerjaan", "PELAJAR/MAHASISWA"),
            ("pendidikan", "slta"),
            ("hubungan", "anak"),
            ("kewarganegaraan", "wni"),
            ("golongan_darah", "tidak_tahu"),
            ("nama_ayah", "Slamet"),
            ("nama_ibu", "Sari"),
        ]);
        let b = f.berkas(SopId::new(5).unwrap(), None, "ppp1").unwrap();
        let r = b.biodata.unwrap().rincian.unwrap();
        assert_eq!((r.rt.as_str(), r.rw.as_str()), ("003", "007"));
        assert_eq!(r.hubungan, Hubungan::Anak);
        assert_eq!(r.pendidikan, Pendidikan::Slta);
        assert_eq!(r.nama_ibu, "SARI");
    }

    /// S13: a divorce and a new occupation, chosen from their lists; a status that is none of
    /// the list's, and an occupation longer than any of SIAK's, named at their fields.
    #[test]
    fn a_change_of_marital_status_and_occupation_is_taken_from_its_lists() {
        use ktpel_domain::biodata::StatusPerkawinan;
        let pressed = right_index_record();
        let form = |status: &str, pekerjaan: &str| {
            pairs(&[
                ("nik", "3273010107051234"),
                ("nama", "Ani"),
                ("dokumen", "formulir_permohonan"),
                ("dokumen", "ktp_el_lama"),
                ("dokumen", "dokumen_pendukung"),
                ("ubah_status_perkawinan", status),
                ("ubah_pekerjaan", pekerjaan),
                ("jari_right_index", &pressed),
            ])
        };
        let k = KodeWilayah::parse("32.73.01").unwrap();
        let s13 = SopId::new(13).unwrap();
        let b = form("cerai_hidup", "wiraswasta")
            .berkas(s13, Some(&k), "ppp1")
            .unwrap();
        let change = b.perubahan.unwrap();
        assert_eq!(change.status_perkawinan, Some(StatusPerkawinan::CeraiHidup));
        assert_eq!(change.pekerjaan.as_deref(), Some("WIRASWASTA"));
        let p = form("menikah", &"X".repeat(61))
            .berkas(s13, Some(&k), "ppp1")
            .unwrap_err();
        assert!(p.of("ubah_status_perkawinan").contains("menikah"), "{p:?}");
        assert!(p.of("ubah_pekerjaan").contains("lebih dari 60"), "{p:?}");
    }

    /// A right index finger as a reader's ISO record, in base64 as the form keeps it.
    fn right_index_record() -> String {
        use ktpel_biometrics::{iso, synth};
        let whole = synth::Variation {
            partial: 0.0,
            ..synth::Variation::default()
        };
        let t = synth::impression(9, ktpel_biometrics::Finger::RightIndex, 0, &whole);
        STANDARD.encode(iso::encode(&t).unwrap())
    }

    /// S09: a replacement is the person on record's: without an index finger pressed, with
    /// one the reader could not read, or with a kept record that is not one, the field says
    /// so; with one, the berkas carries it. A first card takes no fingers at the counter.
    #[test]
    fn a_replacement_needs_an_index_finger_pressed() {
        let k = KodeWilayah::parse("32.73.01").unwrap();
        let s09 = SopId::new(9).unwrap();
        let base = [
            ("nik", "3273010107051234"),
            ("nama", "Ani"),
            ("dokumen", "formulir_permohonan"),
            ("dokumen", "ktp_el_rusak"),
            ("dokumen", "dokumen_pendukung"),
        ];
        let with = |extra: &[(&str, &str)]| {
            let mut all = base.to_vec();
            all.extend_from_slice(extra);
            pairs(&all).berkas(s09, Some(&k), "ppp1")
        };
        let p = with(&[]).unwrap_err();
        assert!(
            p.of("sidik_jari").contains("pindai sidik jari telunjuk"),
            "{p:?}"
        );
        let p = with(&[("jari_left_index", "bm90IGEgcmVjb3Jk")]).unwrap_err();
        assert!(p.of("sidik_jari").starts_with("telunjuk kiri"), "{p:?}");
        let p = with(&[("jari_salah", "telunjuk kanan: kualitas 5, pindai ulang")]).unwrap_err();
        assert!(p.of("sidik_jari").contains("kualitas 5"), "{p:?}");
        let pressed = right_index_record();
        let b = with(&[("jari_right_index", &pressed)]).unwrap();
        assert_eq!(b.sidik_jari.len(), 1);
        assert_eq!(b.sidik_jari[0].finger, Finger::RightIndex);
        // The right index's record filed as the left is refused by what it is.
        let p = with(&[("jari_left_index", &pressed)]).unwrap_err();
        assert!(
            p.of("sidik_jari")
                .contains("rekaman ini jari posisi 2, tetapi diajukan sebagai posisi 7"),
            "{p:?}"
        );
        // A first card's fingers are the station's, not the counter's.
        let s01 = pairs(&[
            ("nik", "3273010107051234"),
            ("nama", "Ani"),
            ("dokumen", "formulir_permohonan"),
            ("dokumen", "fotokopi_kk"),
            ("jari_right_index", &pressed),
        ])
        .berkas(SopId::new(1).unwrap(), Some(&k), "ppp1")
        .unwrap();
        assert!(s01.sidik_jari.is_empty());
    }
}
