//! `berkas.dinas.siak` for a relocating family (S15.3 from the kecamatan of arrival, S16.4 and
//! S17.3 at the Dinas): the arrival (*proses kedatangan*). The whole family of the applicant's
//! KK moves to the address on the arrival form under a new KK; the berkas goes on to printing
//! with the new KK's number and the members who get a new KTP-el — those whose card was in
//! their hands (a member with none yet enrolls under S01; one whose card is being made gets
//! it at the old address and applies again). Kept once per berkas, the family before and
//! after; the copy of SIAK at the kecamatan of arrival hears each member.

use super::{AtDesk, Done, biodata_entry::print_kk};
use crate::{
    seed,
    store::{pendatang, penduduk, perubahan},
};
use chrono::Utc;
use ktpel_bus::HandlerError;
use ktpel_contract::{berkas::BerkasHandedOff, registry::Biodata};
use ktpel_domain::{KodeWilayah, Nik, StatusKartu};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};

/// The applicant's whole family as this register holds it (S15–S17), or as another
/// kabupaten/kota's SIAK handed it over (S18), with the card statuses of those handed over
/// (the register's own are in its rows already).
async fn family_of<C: ConnectionTrait>(
    txn: &C,
    nik: &Nik,
) -> Result<(Vec<Biodata>, Vec<Option<StatusKartu>>), HandlerError> {
    let invalid = |e: String| HandlerError::permanent(format!("SIAK holds an invalid NIK: {e}"));
    if let Some(applicant) = penduduk::Entity::find_by_id(nik.to_string())
        .one(txn)
        .await?
    {
        let family = penduduk::Entity::find()
            .filter(penduduk::Column::NoKk.eq(applicant.no_kk.clone()))
            .all(txn)
            .await?;
        let before = family
            .iter()
            .map(|p| p.biodata())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(e.to_string()))?;
        let none = vec![None; before.len()];
        return Ok((before, none));
    }
    let Some(arriving) = pendatang::Entity::find_by_id(nik.to_string())
        .one(txn)
        .await?
    else {
        return Err(HandlerError::permanent(format!(
            "NIK {nik} is not in SIAK, nor handed over by another kabupaten/kota"
        )));
    };
    let family = pendatang::Entity::find()
        .filter(pendatang::Column::NomorSkp.eq(arriving.nomor_skp.clone()))
        .all(txn)
        .await?;
    let mut before = Vec::new();
    let mut statuses = Vec::new();
    for p in family {
        before.push(serde_json::from_value(p.biodata).map_err(|e| invalid(e.to_string()))?);
        statuses.push(p.status_kartu);
    }
    Ok((before, statuses))
}

pub async fn handle(at: &AtDesk<'_>, m: &BerkasHandedOff) -> Result<Done, HandlerError> {
    let txn = at.txn;
    let permanent =
        |why: String| HandlerError::permanent(format!("berkas {}: {why}", m.nomor_berkas));
    let (here, next) = super::siak_hop(m)?;
    let nik = m
        .nik
        .as_ref()
        .ok_or_else(|| permanent("no NIK of the family to move".into()))?;
    let arrival = m
        .kedatangan
        .as_ref()
        .ok_or_else(|| permanent(format!("{} reached SIAK without the arrival form", m.sop)))?;
    let desa = KodeWilayah::parse(&arrival.desa)
        .map_err(|e| permanent(format!("the arrival form's desa/kelurahan: {e}")))?;
    let kecamatan = desa
        .parent()
        .ok_or_else(|| permanent(format!("{desa} is not a desa/kelurahan")))?;

    let after: Vec<Biodata> = match perubahan::Entity::find_by_id(m.nomor_berkas.clone())
        .one(txn)
        .await?
    {
        // A copy of the slip: the family moved already.
        Some(kept) => serde_json::from_value(kept.after)
            .map_err(|e| permanent(format!("the kept arrival is unreadable: {e}")))?,
        None => {
            let (before, statuses) = family_of(txn, nik).await?;
            let no_kk = print_kk(txn, &kecamatan, &m.nomor_berkas).await?;
            let after: Vec<Biodata> = before
                .iter()
                .map(|b| Biodata {
                    no_kk: no_kk.clone(),
                    desa: desa.to_string(),
                    alamat: arrival.alamat.clone(),
                    ..b.clone()
                })
                .collect();
            super::perubahan::keep(txn, m, nik, &before, &after).await?;
            for member in &after {
                seed::upsert(txn, member).await?;
            }
            // S18: the family handed over by another kabupaten/kota is recorded here now,
            // with the card status it came with, and is no longer arriving.
            for (member, status) in after.iter().zip(&statuses) {
                if let Some(status) = status {
                    penduduk::Entity::update_many()
                        .col_expr(penduduk::Column::StatusKartu, Expr::value(*status))
                        .filter(penduduk::Column::Nik.eq(member.nik.to_string()))
                        .exec(txn)
                        .await?;
                }
            }
            pendatang::Entity::delete_many()
                .filter(pendatang::Column::Nik.is_in(after.iter().map(|b| b.nik.to_string())))
                .exec(txn)
                .await?;
            super::announce(at, &after)?;
            tracing::info!(nomor_berkas = %m.nomor_berkas, members = after.len(), %no_kk, "family arrived; new KK printed");
            after
        }
    };
    let members: Vec<String> = after.iter().map(|b| b.nik.to_string()).collect();
    let with_card: Vec<Nik> = penduduk::Entity::find()
        .filter(penduduk::Column::Nik.is_in(members))
        .filter(penduduk::Column::StatusKartu.eq(StatusKartu::CardActivated))
        .all(txn)
        .await?
        .iter()
        .filter_map(|p| Nik::parse(&p.nik).ok())
        .collect();
    let moved = BerkasHandedOff {
        no_kk: after.first().map(|b| b.no_kk.clone()),
        anggota: with_card,
        ..m.clone()
    };
    let (_, message) = moved.onward(here, next, at.operator, Utc::now())?;
    at.outbox.push(message);
    Ok(Done { kk: moved.no_kk })
}
