//! The S05 part of `ktpel demo --procedures …,S05`: residents not in SIAK apply at their
//! kecamatan's counter with the Formulir Biodata; the berkas goes to the Dinas, SIAK gives
//! each a NIK and a KK, and the berkas comes back (S05.2–S05.7). They then go on to
//! enrollment with the others (S05.7), under the NIK SIAK gave them.

use super::DemoError;
use super::progress::{Progress, message};
use crate::desk_bus::Sender;
use chrono::Utc;
use ktpel_contract::{
    berkas,
    registry::{Biodata, FormulirBiodata},
};
use ktpel_domain::{Dokumen, Nik};
use ktpel_intake::store::berkas as intake_berkas;
use ktpel_registry::store::penduduk;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use uuid::Uuid;

/// What a resident not in SIAK brings (S04.1, S05.1).
pub(crate) const DOCUMENTS: [Dokumen; 3] = [
    Dokumen::FormulirPencatatanBiodata,
    Dokumen::FormulirBiodataPenduduk,
    Dokumen::AktaKelahiranAtauIjazah,
];

/// The Formulir Biodata of a synthetic resident (the generated NIK is not on it: SIAK gives
/// one).
pub(crate) fn formulir(p: &Biodata) -> FormulirBiodata {
    FormulirBiodata {
        nama: p.nama.clone(),
        jenis_kelamin: p.jenis_kelamin,
        tempat_lahir: p.tempat_lahir.clone(),
        tanggal_lahir: p.tanggal_lahir,
        alamat: p.alamat.clone(),
        desa: p.desa.clone(),
        no_kk: None,
        rincian: p.rincian.clone(),
    }
}

/// Where the new residents apply and where SIAK is.
pub(crate) struct Desks<'a> {
    pub(crate) senders: &'a mut [Sender],
    /// The sender of each kecamatan's desk, by kecamatan code.
    pub(crate) desk_of: &'a dyn Fn(&str) -> Option<usize>,
    pub(crate) intake_dbs: &'a [DatabaseConnection],
    /// The Dinas's register.
    pub(crate) register: &'a DatabaseConnection,
}

/// Runs S05 for `newcomers` (their generated NIKs are not used: SIAK gives theirs), each at
/// the desk of `kecamatan_of` them; returns them as SIAK recorded them.
pub(crate) async fn register(
    newcomers: &[Biodata],
    kecamatan_of: impl Fn(&Biodata) -> String,
    desks: Desks<'_>,
    progress: &mut Progress,
) -> Result<Vec<Biodata>, DemoError> {
    let mut submissions = Vec::new();
    for p in newcomers {
        let k = kecamatan_of(p);
        let b = berkas::BerkasSubmitted {
            sidik_jari: Vec::new(),
            submission_id: Uuid::now_v7(),
            sop: "S05".parse().expect("S05"),
            nik: None,
            nama: p.nama.clone(),
            biodata: Some(formulir(p)),
            perubahan: None,
            kedatangan: None,
            dokumen: DOCUMENTS.to_vec(),
            kecamatan: k.clone(),
            petugas: "ppp-demo".into(),
            diterima_pada: Utc::now(),
        };
        let desk = (desks.desk_of)(&k).ok_or_else(|| DemoError::NoDesk(k.clone()))?;
        desks.senders[desk]
            .send(&message(&b, berkas::SUBMITTED, &k)?)
            .await?;
        submissions.push(b.submission_id);
    }
    let closed = || async {
        let mut rows = Vec::new();
        for db in desks.intake_dbs {
            rows.extend(
                intake_berkas::Entity::find()
                    .filter(intake_berkas::Column::SubmissionId.is_in(submissions.clone()))
                    .filter(intake_berkas::Column::ArchivedAt.is_not_null())
                    .all(db)
                    .await
                    .unwrap_or_default(),
            );
        }
        rows
    };
    let n = newcomers.len();
    let reached = progress
        .wait(
            "registered in SIAK, KK back at the kecamatan (S05)",
            n,
            || async { closed().await.len() },
        )
        .await;
    progress.reached(
        "new residents: berkas to the Dinas, SIAK, KK back (S05.2–S05.7)",
        reached,
        n,
    );
    let mut registered = Vec::new();
    for row in closed().await {
        let nik = Nik::parse(&row.nik).map_err(|source| DemoError::Nik {
            nomor_berkas: row.nomor_berkas.clone(),
            source,
        })?;
        let p = penduduk::Entity::find_by_id(nik.to_string())
            .one(desks.register)
            .await?
            .ok_or_else(|| DemoError::NotInSiak(nik.to_string()))?;
        registered.push(p.biodata()?);
    }
    Ok(registered)
}
