//! `berkas.dinas.siak` for a correction (S06.4, S07.3: *salah data*) or a changed data element
//! (S13.4, S14.3: *perubahan elemen data*): the operator changes the resident's biodata in
//! SIAK as the berkas says, and hands the berkas on to printing. The change is kept with the
//! biodata before and after, once per berkas; the copy of SIAK at the resident's kecamatan
//! hears the new biodata.

use super::{AtDesk, Done};
use crate::{
    seed,
    store::{penduduk, perubahan},
};
use chrono::Utc;
use ktpel_bus::HandlerError;
use ktpel_contract::berkas::BerkasHandedOff;
use ktpel_domain::KodeWilayah;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

/// Keeps what the SIAK desk did for berkas `m` of `nik` — the biodata before and after (a
/// person's, or a family's list) — once: the key is the berkas.
pub(crate) async fn keep<C: ConnectionTrait, T: serde::Serialize>(
    txn: &C,
    m: &BerkasHandedOff,
    nik: &ktpel_domain::Nik,
    before: &T,
    after: &T,
) -> Result<(), HandlerError> {
    let json = |v: &T| {
        serde_json::to_value(v)
            .map_err(|e| HandlerError::permanent(format!("berkas {}: {e}", m.nomor_berkas)))
    };
    perubahan::Entity::insert(perubahan::ActiveModel {
        nomor_berkas: Set(m.nomor_berkas.clone()),
        nik: Set(nik.to_string()),
        sop: Set(m.sop),
        before: Set(json(before)?),
        after: Set(json(after)?),
        at: Set(Utc::now()),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

pub async fn handle(at: &AtDesk<'_>, m: &BerkasHandedOff) -> Result<Done, HandlerError> {
    let txn = at.txn;
    let permanent =
        |why: String| HandlerError::permanent(format!("berkas {}: {why}", m.nomor_berkas));
    let (here, next) = super::siak_hop(m)?;
    let nik = m
        .nik
        .as_ref()
        .ok_or_else(|| permanent("no NIK to change".into()))?;
    let change = m
        .perubahan
        .as_ref()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| permanent(format!("{} reached SIAK without the data to change", m.sop)))?;
    if perubahan::Entity::find_by_id(m.nomor_berkas.clone())
        .one(txn)
        .await?
        .is_none()
    {
        let row = penduduk::Entity::find_by_id(nik.to_string())
            .one(txn)
            .await?
            .ok_or_else(|| permanent(format!("NIK {nik} is not in SIAK")))?;
        let before = row
            .biodata()
            .map_err(|e| permanent(format!("SIAK holds {nik} with an invalid NIK: {e}")))?;
        let after = change.apply(&before);
        // A move to another kecamatan is a relocation (S15–S18), not a change here.
        let kecamatan = |desa: &str| KodeWilayah::parse(desa).ok().and_then(|d| d.parent());
        if kecamatan(&after.desa).is_none() || kecamatan(&after.desa) != kecamatan(&before.desa) {
            return Err(permanent(format!(
                "desa/kelurahan {} is not in the resident's kecamatan: a move is a relocation (S15–S18)",
                after.desa
            )));
        }
        keep(txn, m, nik, &before, &after).await?;
        seed::upsert(txn, &after).await?;
        super::announce(at, std::slice::from_ref(&after))?;
        tracing::info!(nomor_berkas = %m.nomor_berkas, "biodata changed in SIAK");
    }
    let (_, message) = m.onward(here, next, at.operator, Utc::now())?;
    at.outbox.push(message);
    Ok(Done { kk: None })
}
