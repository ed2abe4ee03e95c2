//! `ktpel intake submit …`: act as a kecamatan desk and hand a berkas to intake (S01.1; for a
//! resident not yet in SIAK, S05.1–S05.2 with the Formulir Biodata).

use crate::desk_bus::DeskBusError;
use chrono::Utc;
use ktpel_bus::{BusError, Outgoing, RoutingKey, routing::RoutingKeyError};
use ktpel_contract::{
    berkas::{BerkasAccepted, BerkasRefused, BerkasSubmitted, SUBMITTED},
    enrollment::{Finger, FingerTemplate},
    registry::{FormulirBiodata, Kedatangan, PerubahanBiodata, RincianDiisi},
};
use ktpel_domain::{
    JenisKelamin, KodeWilayah, Nik,
    sop::{Dokumen, Sop, SopId},
};
use ktpel_settings::SettingsError;
use ktpel_store::StoreError;
use sea_orm::DbErr;
use std::path::PathBuf;

/// Why a desk's berkas was not submitted or not accepted, or the berkas could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum IntakeCmdError {
    /// `--jenis-kelamin` is neither L nor P.
    #[error("`{given}`: L or P")]
    Sex { given: String },
    /// A new resident's procedure without every field of the Formulir Biodata.
    #[error("{sop} takes the Formulir Biodata Penduduk: give {}", .missing.join(", "))]
    NoBiodata {
        sop: SopId,
        missing: Vec<&'static str>,
    },
    /// An element of the Formulir Biodata given, but wrong: each named with why.
    #[error("the Formulir Biodata: {}", .wrong.join("; "))]
    Rincian { wrong: Vec<String> },
    #[error("--desa must be a desa/kelurahan code")]
    NotADesa { desa: String },
    #[error("{sop} needs --nik (or, for S05, the Formulir Biodata)")]
    NoNik { sop: SopId },
    /// The desk's kecamatan does not make a routing key.
    #[error("{source}")]
    Kecamatan {
        kecamatan: String,
        source: RoutingKeyError,
    },
    /// The berkas does not encode as a message.
    #[error(transparent)]
    Encode(#[from] BusError),
    /// Sent without waiting, and the broker did not take it.
    #[error(transparent)]
    Send(#[from] DeskBusError),
    /// Sent, but intake's answer did not come.
    #[error("submitted (submission {submission_id}), but {source}: see `ktpel intake list`")]
    NoAnswer {
        submission_id: uuid::Uuid,
        source: Box<DeskBusError>,
    },
    /// A finger in `--sidik-jari` that cannot be taken, named with why.
    #[error("--sidik-jari {path}: {reason}")]
    Finger { path: String, reason: String },
    /// Intake refused the berkas.
    #[error("refused: {}", .reasons.join("; "))]
    Refused {
        submission_id: uuid::Uuid,
        reasons: Vec<String>,
    },
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading the berkas for `list`.
    #[error(transparent)]
    List(#[from] DbErr),
}

// Parsed once per run: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(clap::Subcommand)]
pub enum IntakeCommand {
    /// Submit a berkas from a kecamatan desk.
    Submit {
        /// The SOP, e.g. S01.
        #[arg(long, default_value = "S01")]
        sop: SopId,
        /// The resident's NIK (none for S05: SIAK gives it).
        #[arg(long)]
        nik: Option<Nik>,
        #[arg(long)]
        nama: String,
        #[command(flatten)]
        biodata: BiodataArgs,
        #[command(flatten)]
        perubahan: PerubahanArgs,
        /// S15–S17: the desa/kelurahan of arrival (the arrival form); the berkas is entered
        /// under its kecamatan.
        #[arg(long, requires = "alamat_tujuan")]
        desa_tujuan: Option<KodeWilayah>,
        /// S15–S17: the address of arrival.
        #[arg(long, requires = "desa_tujuan")]
        alamat_tujuan: Option<String>,
        /// Documents received, comma-separated snake_case names (formulir_permohonan,fotokopi_kk).
        #[arg(long, value_delimiter = ',')]
        dokumen: Vec<Dokumen>,
        /// The desk's kecamatan code; defaults to the NIK's (S05: the desa's; S15–S17: the
        /// desa of arrival's).
        #[arg(long)]
        kecamatan: Option<String>,
        /// S06–S14: the folder the counter's reader wrote the resident's index fingers to,
        /// `right_index` and `left_index`, each a PNG image at 500 ppi (`.png`) or an
        /// ISO/IEC 19794-2 record (`.fmr`): the printing desk verifies them 1:1 against the
        /// enrollment on record.
        #[arg(long)]
        sidik_jari: Option<PathBuf>,
        /// The ppp at the desk.
        #[arg(long, default_value = "ppp")]
        petugas: String,
        /// Seconds to wait for intake's answer (the berkas number, or why it was refused);
        /// 0: do not wait.
        #[arg(long, default_value_t = 30)]
        wait: u64,
    },
    /// The berkas intake knows, newest first, with their status and where they are.
    List {
        #[arg(long, default_value_t = 20)]
        limit: u64,
    },
}

/// The Formulir Biodata Penduduk of a resident not yet in SIAK (S05).
#[derive(clap::Args)]
pub struct BiodataArgs {
    /// L (laki-laki) or P (perempuan).
    #[arg(long, value_parser = sex)]
    jenis_kelamin: Option<JenisKelamin>,
    #[arg(long)]
    tempat_lahir: Option<String>,
    /// YYYY-MM-DD.
    #[arg(long)]
    tanggal_lahir: Option<chrono::NaiveDate>,
    #[arg(long)]
    alamat: Option<String>,
    /// The desa/kelurahan code (10 digits, e.g. 32.73.01.1001).
    #[arg(long)]
    desa: Option<KodeWilayah>,
    /// The family's KK, if the resident joins one already registered.
    #[arg(long)]
    no_kk: Option<String>,
    /// RT and RW of the address (1–999).
    #[arg(long)]
    rt: Option<String>,
    #[arg(long)]
    rw: Option<String>,
    /// The status hubungan dalam keluarga (`kepala_keluarga`, `istri`, `anak`, …).
    #[arg(long)]
    hubungan: Option<String>,
    /// `islam`, `kristen`, `katolik`, `hindu`, `buddha`, `khonghucu`, `kepercayaan`.
    #[arg(long)]
    agama: Option<String>,
    /// `belum_kawin`, `kawin`, `cerai_hidup`, `cerai_mati`.
    #[arg(long)]
    status_perkawinan: Option<String>,
    /// A line of SIAK's occupation list (`"PELAJAR/MAHASISWA"`).
    #[arg(long)]
    pekerjaan: Option<String>,
    /// The last education finished (`tidak_sekolah`, `sd`, `sltp`, `slta`, `diploma_3`, …).
    #[arg(long)]
    pendidikan: Option<String>,
    /// `wni` or `wna`.
    #[arg(long, default_value = "wni")]
    kewarganegaraan: String,
    /// `a`, `b`, `ab`, `o`, or `tidak_tahu`.
    #[arg(long, default_value = "tidak_tahu")]
    golongan_darah: String,
    /// The parents' names (`-` where not known).
    #[arg(long)]
    nama_ayah: Option<String>,
    #[arg(long)]
    nama_ibu: Option<String>,
}

/// S06/S07 (wrong data) and S13/S14 (a data element changed): what SIAK is to correct or
/// change, each element's new value.
#[derive(clap::Args)]
pub struct PerubahanArgs {
    /// The corrected or new name.
    #[arg(long)]
    ubah_nama: Option<String>,
    #[arg(long)]
    ubah_tempat_lahir: Option<String>,
    #[arg(long)]
    ubah_alamat: Option<String>,
    /// The new desa/kelurahan, in the resident's kecamatan (10 digits).
    #[arg(long)]
    ubah_desa: Option<KodeWilayah>,
    /// The new marital status (`belum_kawin`, `kawin`, `cerai_hidup`, `cerai_mati`), with the
    /// akta that records it among the documents.
    #[arg(long)]
    ubah_status_perkawinan: Option<ktpel_domain::biodata::StatusPerkawinan>,
    /// The new occupation, a line of SIAK's list (`"KARYAWAN SWASTA"`).
    #[arg(long, value_parser = ktpel_domain::biodata::pekerjaan)]
    ubah_pekerjaan: Option<String>,
    /// The new religion (`islam`, `kristen`, `katolik`, `hindu`, `buddha`, `khonghucu`,
    /// `kepercayaan`).
    #[arg(long)]
    ubah_agama: Option<ktpel_domain::biodata::Agama>,
    /// The new last education finished (`slta`, `strata_1`, …), with the ijazah.
    #[arg(long)]
    ubah_pendidikan: Option<ktpel_domain::biodata::Pendidikan>,
}

impl PerubahanArgs {
    fn change(self) -> Option<PerubahanBiodata> {
        let p = PerubahanBiodata {
            nama: self.ubah_nama,
            tempat_lahir: self.ubah_tempat_lahir,
            alamat: self.ubah_alamat,
            desa: self.ubah_desa.map(|d| d.to_string()),
            status_perkawinan: self.ubah_status_perkawinan,
            pekerjaan: self.ubah_pekerjaan,
            agama: self.ubah_agama,
            pendidikan: self.ubah_pendidikan,
        };
        (!p.is_empty()).then_some(p)
    }
}

fn sex(text: &str) -> Result<JenisKelamin, IntakeCmdError> {
    match text {
        "L" | "l" | "laki-laki" => Ok(JenisKelamin::LakiLaki),
        "P" | "p" | "perempuan" => Ok(JenisKelamin::Perempuan),
        other => Err(IntakeCmdError::Sex {
            given: other.to_owned(),
        }),
    }
}

impl BiodataArgs {
    /// The form, for a procedure that takes one; every missing field named at once.
    fn form(self, sop: SopId, nama: &str) -> Result<Option<FormulirBiodata>, IntakeCmdError> {
        if !Sop::get(sop).new_resident() {
            return Ok(None);
        }
        let mut missing = Vec::new();
        if self.jenis_kelamin.is_none() {
            missing.push("--jenis-kelamin");
        }
        if self.tempat_lahir.is_none() {
            missing.push("--tempat-lahir");
        }
        if self.tanggal_lahir.is_none() {
            missing.push("--tanggal-lahir");
        }
        if self.alamat.is_none() {
            missing.push("--alamat");
        }
        if self.desa.is_none() {
            missing.push("--desa");
        }
        let rincian = [
            ("--rt", &self.rt),
            ("--rw", &self.rw),
            ("--hubungan", &self.hubungan),
            ("--agama", &self.agama),
            ("--status-perkawinan", &self.status_perkawinan),
            ("--pekerjaan", &self.pekerjaan),
            ("--pendidikan", &self.pendidikan),
            ("--nama-ayah", &self.nama_ayah),
            ("--nama-ibu", &self.nama_ibu),
        ];
        missing.extend(rincian.iter().filter(|(_, v)| v.is_none()).map(|(f, _)| *f));
        if !missing.is_empty() {
            return Err(IntakeCmdError::NoBiodata { sop, missing });
        }
        let given = |v: Option<String>| v.unwrap_or_default();
        let rincian = RincianDiisi {
            rt: given(self.rt),
            rw: given(self.rw),
            agama: given(self.agama),
            status_perkawinan: given(self.status_perkawinan),
            pekerjaan: given(self.pekerjaan),
            kewarganegaraan: self.kewarganegaraan,
            golongan_darah: self.golongan_darah,
            pendidikan: given(self.pendidikan),
            hubungan: given(self.hubungan),
            nama_ayah: given(self.nama_ayah),
            nama_ibu: given(self.nama_ibu),
        }
        .check()
        .map_err(|wrong| IntakeCmdError::Rincian {
            wrong: wrong
                .into_iter()
                .map(|(field, why)| format!("--{}: {why}", field.replace('_', "-")))
                .collect(),
        })?;
        match (
            self.jenis_kelamin,
            self.tempat_lahir,
            self.tanggal_lahir,
            self.alamat,
            self.desa,
        ) {
            (
                Some(jenis_kelamin),
                Some(tempat_lahir),
                Some(tanggal_lahir),
                Some(alamat),
                Some(desa),
            ) => Ok(Some(FormulirBiodata {
                nama: nama.to_owned(),
                jenis_kelamin,
                tempat_lahir,
                tanggal_lahir,
                alamat,
                desa: desa.to_string(),
                no_kk: self.no_kk,
                rincian: Some(rincian),
            })),
            _ => Err(IntakeCmdError::NoBiodata { sop, missing }),
        }
    }
}

pub async fn run(cmd: IntakeCommand) -> Result<(), IntakeCmdError> {
    if let IntakeCommand::List { limit } = cmd {
        return list(limit).await;
    }
    let IntakeCommand::Submit {
        sop,
        nik,
        nama,
        biodata,
        perubahan,
        desa_tujuan,
        alamat_tujuan,
        dokumen,
        kecamatan,
        sidik_jari,
        petugas,
        wait,
    } = cmd
    else {
        unreachable!("List returned above")
    };
    let biodata = biodata.form(sop, &nama)?;
    let kedatangan = match (desa_tujuan, alamat_tujuan) {
        (Some(desa), Some(alamat)) => Some(Kedatangan {
            desa: desa.to_string(),
            alamat,
        }),
        _ => None,
    };
    let kecamatan = match kecamatan {
        Some(k) => k,
        None => {
            ktpel_intake::counter::kecamatan_of(nik.as_ref(), biodata.as_ref(), kedatangan.as_ref())
                .map(|k| k.to_string())
                .ok_or_else(|| match &biodata {
                    Some(b) => IntakeCmdError::NotADesa {
                        desa: b.desa.clone(),
                    },
                    None => IntakeCmdError::NoNik { sop },
                })?
        }
    };
    let sidik_jari = match sidik_jari {
        Some(dir) => index_fingers(&dir)?,
        None => Vec::new(),
    };
    let body = BerkasSubmitted {
        sidik_jari,
        submission_id: uuid::Uuid::now_v7(),
        sop,
        nik,
        nama,
        biodata,
        perubahan: perubahan.change(),
        kedatangan,
        dokumen,
        kecamatan: kecamatan.clone(),
        petugas,
        diterima_pada: Utc::now(),
    };
    let key = RoutingKey::regional(SUBMITTED, &kecamatan).map_err(|source| {
        IntakeCmdError::Kecamatan {
            kecamatan: kecamatan.clone(),
            source,
        }
    })?;
    let msg = Outgoing::new(
        &body,
        key,
        body.submission_id.to_string(),
        body.submission_id.to_string(),
    )?;
    if wait == 0 {
        crate::desk_bus::publish("ktpel-desk", &msg).await?;
        println!("submitted {} (submission {})", body.sop, body.submission_id);
        return Ok(());
    }
    let id = body.submission_id;
    let answer = crate::desk_bus::ask(
        "ktpel-desk",
        &msg,
        &kecamatan,
        std::time::Duration::from_secs(wait),
        |a: &BerkasAccepted| a.submission_id == id,
        |r: &BerkasRefused| r.submission_id == id,
    )
    .await
    .map_err(|source| IntakeCmdError::NoAnswer {
        submission_id: id,
        source: Box::new(source),
    })?;
    match answer {
        Ok(a) => {
            println!(
                "accepted: berkas {} (salinan permohonan for the resident), now at {}",
                a.nomor_berkas, a.next_hop
            );
            Ok(())
        }
        Err(r) => Err(IntakeCmdError::Refused {
            submission_id: r.submission_id,
            reasons: r.reasons,
        }),
    }
}

async fn list(limit: u64) -> Result<(), IntakeCmdError> {
    use ktpel_intake::store::{Migrator, berkas};
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    let settings: ktpel_intake::IntakeSettings = ktpel_settings::load(ktpel_intake::SERVICE)?;
    let db = ktpel_store::open::<Migrator>(&settings.database).await?;
    let rows = berkas::Entity::find()
        .order_by_desc(berkas::Column::CreatedAt)
        .limit(limit)
        .all(&db)
        .await?;
    for b in rows {
        println!(
            "{}  {}  {}  {:<16} {:<16} {}",
            b.nomor_berkas,
            b.created_at.format("%Y-%m-%d %H:%M"),
            b.nik,
            b.status,
            b.at_hop,
            b.nama
        );
    }
    Ok(())
}

/// The index fingers the counter's reader wrote to `dir`: `right_index` and `left_index`, as
/// `.png` or `.fmr`; those present (a missing finger is left out; intake says if none is there).
fn index_fingers(dir: &std::path::Path) -> Result<Vec<FingerTemplate>, IntakeCmdError> {
    let mut pressed = Vec::new();
    for finger in [Finger::RightIndex, Finger::LeftIndex] {
        let stem = ktpel_biometric::scanned::file_name(finger);
        let stem = stem.trim_end_matches(".png");
        for ext in ["png", "fmr"] {
            let path = dir.join(format!("{stem}.{ext}"));
            let shown = path.display().to_string();
            let bytes = match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(IntakeCmdError::Finger {
                        path: shown,
                        reason: e.to_string(),
                    });
                }
            };
            let p = ktpel_biometrics::pressed::read(finger, &bytes).map_err(|e| {
                IntakeCmdError::Finger {
                    path: shown,
                    reason: e.to_string(),
                }
            })?;
            pressed.push(p.template);
            break;
        }
    }
    Ok(pressed)
}
