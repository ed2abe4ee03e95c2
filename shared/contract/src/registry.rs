//! The population register (SIAK) over the bus: lookups by NIK, request and answer.
//!
//! A lookup is a message like any other (outbox, confirms, inbox), not an RPC that holds a
//! transaction open while it waits: the asker stores what it is waiting for, sends
//! [`ResidentLookup`] naming the subject it wants the answer on, and handles the
//! [`ResidentAnswer`] when it comes — minutes later if the registry was down.

use crate::Message;
use chrono::NaiveDate;
use ktpel_domain::{
    Dokumen, JenisKelamin, Nik, StatusKartu,
    biodata::{Agama, GolonganDarah, Hubungan, Kewarganegaraan, Pendidikan, StatusPerkawinan},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Routing subject of [`ResidentLookup`]: `registry.lookup.<prov>.<kab>.<kec>` (the asking
/// desk's kecamatan, so that a kecamatan's broker user may send it: topic permissions); the
/// answer goes back under the same region.
pub const LOOKUP: &str = "registry.lookup";

/// Routing subject of a [`ResidentLookup`] that a kecamatan's copy of SIAK could not answer,
/// passed up to the Dinas's register: `registry.ask_dinas.<the asking kecamatan>`.
pub const ASK_DINAS: &str = "registry.ask_dinas";

/// Routing subject of [`ResidentRecorded`]: `registry.resident.<the resident's kecamatan>`,
/// so that each kecamatan's copy of SIAK receives its own residents.
pub const RESIDENT: &str = "registry.resident";

/// Routing subject of a [`KeluargaPindah`] from the origin's register (S18: the Surat
/// Keterangan Pindah issued): `registry.pindah_keluar.<origin kabupaten/kota>`. Crosses up
/// from a Dinas to the Pusat Data.
pub const PINDAH_KELUAR: &str = "registry.pindah_keluar";
/// Routing subject of a [`KeluargaPindah`] the Pusat Data hands on to the destination,
/// each member with the enrollment on record: `registry.pindah_datang.<destination
/// kabupaten/kota>`. Crosses down from the Pusat Data to a Dinas.
pub const PINDAH_DATANG: &str = "registry.pindah_datang";

/// The subject intake asks its answers on.
pub const ANSWER_TO_INTAKE: &str = "intake.registry_answer";
/// The subject card-print asks its answers on.
pub const ANSWER_TO_CARD_PRINT: &str = "card_print.registry_answer";
/// The subject the counter's desk in the browser asks its answers on (the ppp looks a NIK up
/// in SIAK before entering the berkas, S01.2).
pub const ANSWER_TO_DESK: &str = "desk.registry_answer";

/// "Is this NIK registered, and with what data?"
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResidentLookup {
    pub request_id: Uuid,
    pub nik: Nik,
    /// The answer is published as `<reply_subject>.<reply_region>`.
    pub reply_subject: String,
    /// The region the answer goes back to: the asking site's kecamatan. The registry answers
    /// to the region of the routing key the lookup came under (what the broker let the asker
    /// publish) and refuses a lookup whose `reply_region` says otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_region: Option<String>,
}

impl Message for ResidentLookup {
    const KIND: &'static str = LOOKUP;
    const VERSION: u16 = 1;
}

/// The answer: the resident's biodata, or `None` when the NIK is not in the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResidentAnswer {
    pub request_id: Uuid,
    pub nik: Nik,
    pub resident: Option<Biodata>,
    /// Where the resident's card stands, as SIAK heard it (`card.status`); none before the
    /// first status. A replacement (S06–S14) is for a card handed over, not one in production.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_kartu: Option<StatusKartu>,
}

impl Message for ResidentAnswer {
    const KIND: &'static str = "registry.answer";
    const VERSION: u16 = 1;
}

/// The Dinas's register recorded (or changed) a resident: for the copy of SIAK at the
/// resident's kecamatan, so that its desk can check NIKs while its link is down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResidentRecorded {
    pub resident: Biodata,
}

impl Message for ResidentRecorded {
    const KIND: &'static str = RESIDENT;
    const VERSION: u16 = 1;
}

/// A resident's biodata as SIAK holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Biodata {
    pub nik: Nik,
    pub nama: String,
    /// Nomor Kartu Keluarga (16 digits).
    pub no_kk: String,
    pub jenis_kelamin: JenisKelamin,
    pub tempat_lahir: String,
    pub tanggal_lahir: NaiveDate,
    pub alamat: String,
    /// Kode wilayah of the desa/kelurahan where the resident lives (10 digits, dotted).
    pub desa: String,
    /// The other elements of the biodata; none for a resident recorded before SIAK here kept
    /// them (the card prints `-`), or in a message of version 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rincian: Option<Rincian>,
}

/// The elements of a resident's biodata beyond the name, the KK, the place and date of birth,
/// the sex and the address: what the card and the Kartu Keluarga print besides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rincian {
    /// RT and RW of the address, three digits each (`004`).
    pub rt: String,
    pub rw: String,
    pub agama: Agama,
    pub status_perkawinan: StatusPerkawinan,
    /// A line of SIAK's occupation list, in capitals.
    pub pekerjaan: String,
    pub kewarganegaraan: Kewarganegaraan,
    pub golongan_darah: GolonganDarah,
    pub pendidikan: Pendidikan,
    /// The resident's place in the family of their KK.
    pub hubungan: Hubungan,
    pub nama_ayah: String,
    pub nama_ibu: String,
}

/// The Formulir Biodata's other elements as a desk entered them, text as typed or chosen,
/// before they are checked ([`RincianDiisi::check`]): the counter's page and `ktpel intake
/// submit` both fill one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RincianDiisi {
    pub rt: String,
    pub rw: String,
    pub agama: String,
    pub status_perkawinan: String,
    pub pekerjaan: String,
    pub kewarganegaraan: String,
    pub golongan_darah: String,
    pub pendidikan: String,
    pub hubungan: String,
    pub nama_ayah: String,
    pub nama_ibu: String,
}

impl RincianDiisi {
    /// The names of the fields, in the form's order (a problem is keyed by one).
    pub const FIELDS: [&'static str; 11] = [
        "rt",
        "rw",
        "agama",
        "status_perkawinan",
        "pekerjaan",
        "pendidikan",
        "hubungan",
        "kewarganegaraan",
        "golongan_darah",
        "nama_ayah",
        "nama_ibu",
    ];

    /// The elements, or every field that is empty or wrong with why, named as in
    /// [`Self::FIELDS`]. Every element is required: the Formulir Biodata asks for each (a
    /// blood type not known is `tidak_tahu`; a parent not known is written `-`).
    pub fn check(&self) -> Result<Rincian, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        fn listed<T: std::str::FromStr<Err = ktpel_domain::biodata::NotInList>>(
            field: &'static str,
            value: &str,
            problems: &mut Vec<(&'static str, String)>,
        ) -> Option<T> {
            if value.trim().is_empty() {
                problems.push((field, "wajib dipilih".into()));
                return None;
            }
            value
                .parse()
                .map_err(|e: ktpel_domain::biodata::NotInList| {
                    problems.push((field, format!("`{}` tidak ada dalam daftar", e.given)))
                })
                .ok()
        }
        let mut checked = |field: &'static str, r: Result<String, String>| {
            r.map_err(|why| problems.push((field, why))).ok()
        };
        let rt = checked("rt", ktpel_domain::biodata::rt_rw("RT", &self.rt));
        let rw = checked("rw", ktpel_domain::biodata::rt_rw("RW", &self.rw));
        let pekerjaan = checked(
            "pekerjaan",
            ktpel_domain::biodata::pekerjaan(&self.pekerjaan),
        );
        let mut named = |field: &'static str, v: &str| {
            let v = v.trim();
            checked(
                field,
                if v.is_empty() {
                    Err("wajib diisi (tulis `-` bila tidak diketahui)".into())
                } else {
                    Ok(v.to_uppercase())
                },
            )
        };
        let (nama_ayah, nama_ibu) = (
            named("nama_ayah", &self.nama_ayah),
            named("nama_ibu", &self.nama_ibu),
        );
        let agama = listed("agama", &self.agama, &mut problems);
        let status_perkawinan = listed("status_perkawinan", &self.status_perkawinan, &mut problems);
        let pendidikan = listed("pendidikan", &self.pendidikan, &mut problems);
        let hubungan = listed("hubungan", &self.hubungan, &mut problems);
        let kewarganegaraan = listed("kewarganegaraan", &self.kewarganegaraan, &mut problems);
        let golongan_darah = listed("golongan_darah", &self.golongan_darah, &mut problems);
        // Every element is there exactly when no field had a problem.
        let rincian = || {
            Some(Rincian {
                rt: rt?,
                rw: rw?,
                agama: agama?,
                status_perkawinan: status_perkawinan?,
                pekerjaan: pekerjaan?,
                kewarganegaraan: kewarganegaraan?,
                golongan_darah: golongan_darah?,
                pendidikan: pendidikan?,
                hubungan: hubungan?,
                nama_ayah: nama_ayah?,
                nama_ibu: nama_ibu?,
            })
        };
        match rincian() {
            Some(r) if problems.is_empty() => Ok(r),
            _ => Err(problems),
        }
    }
}

/// What the desk asks SIAK to correct (S06/S07, *salah data*) or change (S13/S14, *perubahan
/// elemen data*): the new value of each element, none for one that stays. The NIK, the date
/// of birth and the sex make the NIK and are not changed here; a move to another kecamatan
/// is a relocation (S15–S18).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerubahanBiodata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nama: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tempat_lahir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alamat: Option<String>,
    /// Kode wilayah of the new desa/kelurahan, in the same kecamatan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desa: Option<String>,
    /// S13/S14: a marriage, a divorce, a death (the Akta Perkawinan/Perceraian/Kematian).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_perkawinan: Option<StatusPerkawinan>,
    /// S13/S14: another line of SIAK's occupation list, in capitals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pekerjaan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agama: Option<Agama>,
    /// S13/S14: a school finished (the ijazah).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pendidikan: Option<Pendidikan>,
}

impl PerubahanBiodata {
    /// Nothing to change.
    pub fn is_empty(&self) -> bool {
        self.nama.is_none()
            && self.tempat_lahir.is_none()
            && self.alamat.is_none()
            && self.desa.is_none()
            && !self.changes_rincian()
    }

    /// Whether it changes an element of the [`Rincian`]: only a resident SIAK holds them
    /// for can have one changed.
    pub fn changes_rincian(&self) -> bool {
        self.status_perkawinan.is_some()
            || self.pekerjaan.is_some()
            || self.agama.is_some()
            || self.pendidikan.is_some()
    }

    /// `b` with the changes made (those of the [`Rincian`] where `b` has one).
    pub fn apply(&self, b: &Biodata) -> Biodata {
        let pick = |new: &Option<String>, old: &String| new.clone().unwrap_or_else(|| old.clone());
        let rincian = b.rincian.as_ref().map(|r| Rincian {
            status_perkawinan: self.status_perkawinan.unwrap_or(r.status_perkawinan),
            pekerjaan: pick(&self.pekerjaan, &r.pekerjaan),
            agama: self.agama.unwrap_or(r.agama),
            pendidikan: self.pendidikan.unwrap_or(r.pendidikan),
            ..r.clone()
        });
        Biodata {
            nama: pick(&self.nama, &b.nama),
            tempat_lahir: pick(&self.tempat_lahir, &b.tempat_lahir),
            alamat: pick(&self.alamat, &b.alamat),
            desa: pick(&self.desa, &b.desa),
            rincian,
            ..b.clone()
        }
    }

    /// The supporting document each element changed needs, with the element's name as the
    /// counter says it: the marriage or divorce papers for a marital status, the ijazah for an
    /// education, a letter from the workplace for an occupation, one from the religious leader
    /// for a religion. The name, the place of birth and the address need only the generic
    /// supporting document of the checklist.
    pub fn dokumen_needed(&self) -> Vec<(&'static str, Dokumen)> {
        [
            (
                self.status_perkawinan.is_some(),
                "status perkawinan",
                Dokumen::BukuNikahAtauAktaCerai,
            ),
            (self.pendidikan.is_some(), "pendidikan", Dokumen::Ijazah),
            (
                self.pekerjaan.is_some(),
                "pekerjaan",
                Dokumen::SuratKeteranganKerja,
            ),
            (self.agama.is_some(), "agama", Dokumen::SuratKeteranganAgama),
        ]
        .into_iter()
        .filter(|(changed, _, _)| *changed)
        .map(|(_, element, d)| (element, d))
        .collect()
    }

    /// The elements changed, `nama: "A" → "B"`, for the timeline and the buku harian.
    pub fn describe(&self, before: &Biodata) -> Vec<String> {
        let r = before.rincian.as_ref();
        let was = |f: &dyn Fn(&Rincian) -> String| r.map(f).unwrap_or_else(|| "-".into());
        let text = [
            ("nama", &self.nama, before.nama.clone()),
            (
                "tempat_lahir",
                &self.tempat_lahir,
                before.tempat_lahir.clone(),
            ),
            ("alamat", &self.alamat, before.alamat.clone()),
            ("desa", &self.desa, before.desa.clone()),
            ("pekerjaan", &self.pekerjaan, was(&|r| r.pekerjaan.clone())),
        ];
        let listed = [
            (
                "status_perkawinan",
                self.status_perkawinan.map(|v| v.printed()),
                was(&|r| r.status_perkawinan.printed().into()),
            ),
            (
                "agama",
                self.agama.map(|v| v.printed()),
                was(&|r| r.agama.printed().into()),
            ),
            (
                "pendidikan",
                self.pendidikan.map(|v| v.printed()),
                was(&|r| r.pendidikan.printed().into()),
            ),
        ];
        text.into_iter()
            .filter_map(|(name, new, old)| new.as_ref().map(|n| format!("{name}: {old:?} → {n:?}")))
            .chain(
                listed
                    .into_iter()
                    .filter_map(|(name, new, old)| new.map(|n| format!("{name}: {old:?} → {n:?}"))),
            )
            .collect()
    }
}

/// S18, between kabupaten/kota: the family the origin's SIAK hands over to the destination's,
/// with the Surat Keterangan Pindah it issued. The origin sends it (and the family leaves its
/// register); the Pusat Data adds each member's enrollment on record and hands it to the
/// destination, whose SIAK keeps the family as arriving until their S18 berkas is processed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeluargaPindah {
    /// The Surat Keterangan Pindah's number.
    pub nomor_skp: String,
    /// Kode wilayah of the origin kabupaten/kota (`32.73`).
    pub dari: String,
    /// Kode wilayah of the destination kabupaten/kota (`32.04`).
    pub ke: String,
    pub anggota: Vec<AnggotaPindah>,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl Message for KeluargaPindah {
    const KIND: &'static str = "registry.pindah";
    const VERSION: u16 = 1;
}

/// One member of a moving family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnggotaPindah {
    pub biodata: Biodata,
    /// Where their card stands (a member with a card gets a new one at the destination).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_kartu: Option<StatusKartu>,
    /// The enrollment on record at the Pusat Data, added there: what the destination's card
    /// printing puts on the chip (no new fingerprints for a move).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rekaman: Option<Rekaman>,
}

/// An enrollment on record: the pas photo's digest and the two index-finger templates (base64),
/// and the photo and signature themselves for the new card's face where the Pusat Data holds
/// them (absent for an enrollment recorded before they travelled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rekaman {
    pub photo_sha256: String,
    pub right_index: String,
    pub left_index: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::enrollment::base64_bytes::optional"
    )]
    pub pas_foto: Option<Vec<u8>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::enrollment::base64_bytes::optional"
    )]
    pub tanda_tangan: Option<Vec<u8>>,
}

/// The Formulir permohonan kedatangan (S15–S18): where the family moves to. The berkas also
/// carries the Surat Keterangan Pindah from the place of origin (a document of the checklist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kedatangan {
    /// Kode wilayah of the desa/kelurahan of arrival (10 digits, dotted).
    pub desa: String,
    pub alamat: String,
}

/// The Formulir Biodata Penduduk (S04.1, S05.1) as the desk enters it: what SIAK records for a
/// resident not yet in the population database. SIAK gives the NIK (S05.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormulirBiodata {
    pub nama: String,
    pub jenis_kelamin: JenisKelamin,
    pub tempat_lahir: String,
    pub tanggal_lahir: NaiveDate,
    pub alamat: String,
    /// Kode wilayah of the desa/kelurahan (10 digits, dotted).
    pub desa: String,
    /// The family's KK, when the resident joins one already registered; none: a new KK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_kk: Option<String>,
    /// The form's other elements (agama, status perkawinan, pekerjaan…); none from a desk of
    /// an earlier version, and SIAK records the resident without them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rincian: Option<Rincian>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> RincianDiisi {
        RincianDiisi {
            rt: "4".into(),
            rw: "12".into(),
            agama: "islam".into(),
            status_perkawinan: "BELUM KAWIN".into(),
            pekerjaan: "pelajar/mahasiswa".into(),
            kewarganegaraan: "wni".into(),
            golongan_darah: "tidak_tahu".into(),
            pendidikan: "slta".into(),
            hubungan: "anak".into(),
            nama_ayah: "Slamet".into(),
            nama_ibu: "-".into(),
        }
    }

    #[test]
    fn a_filled_form_is_checked_into_the_elements_as_siak_keeps_them() {
        let r = filled().check().unwrap();
        assert_eq!((r.rt.as_str(), r.rw.as_str()), ("004", "012"));
        assert_eq!(r.status_perkawinan, StatusPerkawinan::BelumKawin);
        assert_eq!(r.pekerjaan, "PELAJAR/MAHASISWA");
        assert_eq!(r.golongan_darah, GolonganDarah::TidakTahu);
        assert_eq!((r.nama_ayah.as_str(), r.nama_ibu.as_str()), ("SLAMET", "-"));
    }

    /// An empty form names every field; a wrong value names its field and what was given.
    #[test]
    fn every_empty_or_wrong_field_is_named() {
        let empty = RincianDiisi::default().check().unwrap_err();
        let fields: Vec<&str> = empty.iter().map(|(f, _)| *f).collect();
        let mut expected = RincianDiisi::FIELDS.to_vec();
        expected.sort_unstable();
        let mut got = fields.clone();
        got.sort_unstable();
        assert_eq!(got, expected);
        let wrong = RincianDiisi {
            agama: "jedi".into(),
            rt: "1000".into(),
            ..filled()
        }
        .check()
        .unwrap_err();
        assert_eq!(wrong.len(), 2, "{wrong:?}");
        assert!(wrong.contains(&("agama", "`jedi` tidak ada dalam daftar".into())));
        assert!(
            wrong
                .iter()
                .any(|(f, why)| *f == "rt" && why.contains("1000"))
        );
    }
}
