//! `berkas.dinas.siak`: S05.4 at the Dinas, S04.3 from a kecamatan online to SIAK — the
//! operator enters the Formulir Biodata in SIAK, the resident gets a NIK, the KK is printed,
//! and the berkas goes on to the next desk with both (S05: the Dinas ppp; S04: the
//! kecamatan's enrollment station). The register announces the new resident to the copy of SIAK at their kecamatan
//! (where it keeps copies), so that the kecamatan's desk knows them for S01.

use super::{AtDesk, Done};
use crate::{
    seed,
    store::{kartu_keluarga, penduduk},
};
use chrono::{Datelike, Utc};
use ktpel_bus::HandlerError;
use ktpel_contract::{
    berkas::BerkasHandedOff,
    registry::{Biodata, FormulirBiodata},
};
use ktpel_domain::{KodeWilayah, Nik};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};

pub async fn handle(at: &AtDesk<'_>, m: &BerkasHandedOff) -> Result<Done, HandlerError> {
    let txn = at.txn;
    let (here, next) = super::siak_hop(m)?;
    let Some(form) = &m.biodata else {
        return Err(HandlerError::permanent(format!(
            "berkas {} reached SIAK without its Formulir Biodata",
            m.nomor_berkas
        )));
    };
    let resident = register(txn, form, &m.nomor_berkas).await?;
    // A plain insert: two berkas given the same NIK at the same moment collide on the key,
    // and the loser's transaction fails (transient); its retry takes the next serial.
    penduduk::Entity::insert(seed::row(&resident))
        .exec_without_returning(txn)
        .await?;
    super::announce(at, std::slice::from_ref(&resident))?;
    // S05.4 "prints the KK": its number travels back with the berkas (S05.5–S05.6).
    let with_siak = BerkasHandedOff {
        nik: Some(resident.nik.clone()),
        no_kk: Some(resident.no_kk.clone()),
        biodata: None,
        ..m.clone()
    };
    let (_, message) = with_siak.onward(here, next, at.operator, Utc::now())?;
    at.outbox.push(message);
    tracing::info!(nomor_berkas = %m.nomor_berkas, "new resident recorded in SIAK, KK printed");
    Ok(Done {
        kk: Some(resident.no_kk),
    })
}

/// The resident as SIAK records them: a NIK of their kecamatan, birth date and sex with the
/// next free serial; their family's KK, or a new one.
async fn register<C: ConnectionTrait>(
    txn: &C,
    form: &FormulirBiodata,
    nomor_berkas: &str,
) -> Result<Biodata, HandlerError> {
    let permanent = |e: String| HandlerError::permanent(format!("the Formulir Biodata: {e}"));
    let desa = KodeWilayah::parse(&form.desa).map_err(|e| permanent(e.to_string()))?;
    let kecamatan = desa
        .parent()
        .ok_or_else(|| permanent(format!("{desa} is not a desa/kelurahan")))?;
    let first = Nik::compose(&kecamatan, form.tanggal_lahir, form.jenis_kelamin, 1)
        .map_err(|e| permanent(e.to_string()))?;
    let prefix = &first.as_str()[..12];
    let serial = next_nik_serial(txn, prefix).await?;
    let nik = Nik::compose(&kecamatan, form.tanggal_lahir, form.jenis_kelamin, serial)
        .map_err(|e| permanent(e.to_string()))?;
    let family_known = match &form.no_kk {
        Some(kk) => penduduk::Entity::find()
            .filter(penduduk::Column::NoKk.eq(kk.clone()))
            .one(txn)
            .await?
            .is_some(),
        None => false,
    };
    let no_kk = match &form.no_kk {
        Some(kk) if family_known => kk.clone(),
        _ => {
            if let Some(kk) = &form.no_kk {
                tracing::warn!(no_kk = %kk, nomor_berkas, "the family's KK is not in SIAK: a new KK is printed");
            }
            print_kk(txn, &kecamatan, nomor_berkas).await?
        }
    };
    Ok(Biodata {
        nik,
        nama: form.nama.clone(),
        no_kk,
        jenis_kelamin: form.jenis_kelamin,
        tempat_lahir: form.tempat_lahir.clone(),
        tanggal_lahir: form.tanggal_lahir,
        alamat: form.alamat.clone(),
        desa: desa.to_string(),
        rincian: form.rincian.clone(),
    })
}

/// S05.4 "prints the KK" (and S15–S18's new KK): the next number of `kecamatan` today. The
/// number is the key — a race for it fails one transaction (transient), whose retry takes the
/// next.
pub(crate) async fn print_kk<C: ConnectionTrait>(
    txn: &C,
    kecamatan: &KodeWilayah,
    nomor_berkas: &str,
) -> Result<String, HandlerError> {
    let today = Utc::now().date_naive();
    let prefix = format!(
        "{}{:02}{:02}{:02}",
        kecamatan.digits(),
        today.day(),
        today.month(),
        today.year() % 100
    );
    let serial = next_kk_serial(txn, &prefix).await?;
    let kk = format!("{prefix}{serial:04}");
    kartu_keluarga::Entity::insert(kartu_keluarga::ActiveModel {
        no_kk: Set(kk.clone()),
        nomor_berkas: Set(nomor_berkas.to_owned()),
        printed_at: Set(Utc::now()),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(kk)
}

/// The next free NIK serial after `prefix` (kecamatan, birth date and sex).
async fn next_nik_serial<C: ConnectionTrait>(txn: &C, prefix: &str) -> Result<u16, HandlerError> {
    let taken: Vec<String> = penduduk::Entity::find()
        .select_only()
        .column(penduduk::Column::Nik)
        .filter(penduduk::Column::Nik.starts_with(prefix))
        .into_tuple()
        .all(txn)
        .await?;
    after_highest(&taken, prefix)
}

/// The next free serial of a new KK after `prefix` (kecamatan and date): KKs of families
/// registered before (the register) and printed here.
async fn next_kk_serial<C: ConnectionTrait>(txn: &C, prefix: &str) -> Result<u16, HandlerError> {
    let mut taken: Vec<String> = penduduk::Entity::find()
        .select_only()
        .column(penduduk::Column::NoKk)
        .filter(penduduk::Column::NoKk.starts_with(prefix))
        .into_tuple()
        .all(txn)
        .await?;
    taken.extend(
        kartu_keluarga::Entity::find()
            .filter(kartu_keluarga::Column::NoKk.starts_with(prefix))
            .all(txn)
            .await?
            .into_iter()
            .map(|k| k.no_kk),
    );
    after_highest(&taken, prefix)
}

/// One more than the highest 4-digit serial after `prefix` among `taken` (1 for the first).
fn after_highest(taken: &[String], prefix: &str) -> Result<u16, HandlerError> {
    let highest = taken
        .iter()
        .filter_map(|v| v.get(prefix.len()..)?.parse::<u16>().ok())
        .max()
        .unwrap_or(0);
    if highest >= 9999 {
        return Err(HandlerError::permanent(format!(
            "no serial left after {prefix}: SIAK's numbering for that day is full"
        )));
    }
    Ok(highest + 1)
}
