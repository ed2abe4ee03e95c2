//! `pusat_data.enrollment`: SFE on arrival, then PRR or DUPLICATE_RECORD — or, when the
//! matcher cannot tell, SFE until an adjudicator decides.

use super::PusatData;
use crate::{
    adjudication,
    dedup::{self, DedupError, Verdict},
    store::kartu,
    verdict,
};
use chrono::Utc;
use ktpel_bus::{Context, HandlerError, RoutingKey};
use ktpel_contract::enrollment::EnrollmentRecord;
use ktpel_domain::{StatusKartu, wilayah::Level};
use sea_orm::EntityTrait;

pub async fn handle(ctx: &Context<'_, PusatData>, r: EnrollmentRecord) -> Result<(), HandlerError> {
    let txn = ctx.txn;
    let e = &r.enrollment;
    let region = answer_region(ctx.routing_key(), &r)?;
    let existing = kartu::Entity::find_by_id(e.nik.to_string())
        .one(txn)
        .await?;
    let from = match &existing {
        Some(k) if k.enrollment_id == e.enrollment_id => return Ok(()), // this one, again
        Some(k) => k.status,
        None => StatusKartu::BelumRekam,
    };
    let sfe = from.transition(StatusKartu::Sfe).map_err(|err| {
        HandlerError::permanent(format!(
            "enrollment {} for NIK {}: {err}",
            e.enrollment_id, e.nik
        ))
    })?;
    let service = ctx.service;
    let verdict = dedup::check(
        txn,
        &service.galeri,
        &e.nik,
        &e.fingerprints,
        service.duplicate_min_fingers,
    )
    .await
    .map_err(|err| match err {
        DedupError::Template(why) => HandlerError::permanent(format!(
            "enrollment {} for NIK {}: {why}",
            e.enrollment_id, e.nik
        )),
        DedupError::Db(db) => db.into(),
    })?;
    let (status, note) = match verdict {
        Verdict::Unique => {
            dedup::file(txn, &e.nik, &e.fingerprints).await?;
            verdict::keep_on_record(txn, e).await?;
            if let Ok(Some(probe)) = crate::gallery::probe(&e.fingerprints) {
                service.galeri.insert(&e.nik.to_string(), &probe);
            }
            (StatusKartu::Prr, "unique: print ready".to_owned())
        }
        Verdict::DuplicateOf { why, .. } => {
            (StatusKartu::DuplicateRecord, format!("{why}: investigate"))
        }
        Verdict::Adjudicate { other, scores } => {
            // SFE stays until an adjudicator decides (`/adjudikasi`).
            adjudication::open(txn, &r, &region, &other, scores).await?;
            (
                sfe,
                format!("menunggu adjudikasi: sidik jari mirip dengan NIK {other}"),
            )
        }
    };
    let now = Utc::now();
    verdict::set_status(txn, existing, &r, status, &note, now).await?;
    // Tell the Dinas: first SFE, then the verdict, in this order (one correlation id).
    let received = if status == StatusKartu::Sfe {
        note.clone()
    } else {
        "received at the Pusat Data".to_owned()
    };
    ctx.outbox
        .push(verdict::tell(e, &region, StatusKartu::Sfe, received, now)?);
    if status != StatusKartu::Sfe {
        let status = sfe
            .transition(status)
            .expect("SFE goes to PRR or DUPLICATE_RECORD");
        ctx.outbox
            .push(verdict::tell(e, &region, status, note, now)?);
    }
    tracing::info!(%status, "enrollment deduplicated");
    Ok(())
}

/// Where the verdict goes: the kecamatan that took the berkas, which must lie in the
/// kabupaten/kota of the Server AFIS that sent it (the region of the routing key, which the
/// broker's topic permissions checked) — a Dinas cannot have verdicts sent into another
/// Dinas's region by writing another `kecamatan` in the body.
fn answer_region(routing_key: &str, r: &EnrollmentRecord) -> Result<String, HandlerError> {
    let sender = RoutingKey::region_of(routing_key).ok_or_else(|| {
        HandlerError::permanent(format!("the record's key `{routing_key}` names no region"))
    })?;
    let kabupaten = sender
        .lineage()
        .into_iter()
        .find(|k| k.level() == Level::KabupatenKota)
        .unwrap_or(sender)
        .to_string();
    let region = r
        .enrollment
        .kecamatan
        .clone()
        .unwrap_or_else(|| r.co_relation_id.clone());
    if region == kabupaten || region.starts_with(&format!("{kabupaten}.")) {
        Ok(region)
    } else {
        Err(HandlerError::permanent(format!(
            "the berkas's kecamatan {region} is not in {kabupaten}, whose Server AFIS sent it"
        )))
    }
}
