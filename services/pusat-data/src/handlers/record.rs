//! `pusat_data.enrollment`: SFE on arrival, then PRR or DUPLICATE_RECORD.

use super::PusatData;
use crate::{
    dedup::{self, Verdict},
    store::{kartu, rekaman},
};
use chrono::Utc;
use ktpel_bus::{Context, HandlerError, Outgoing, RoutingKey};
use ktpel_contract::enrollment::{CARD_STATUS, CardStatusChanged, EnrollmentRecord};
use ktpel_domain::{StatusKartu, wilayah::Level};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};

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
    let (status, note) = match dedup::check(
        txn,
        &e.nik,
        &e.fingerprints,
        ctx.service.duplicate_min_fingers,
    )
    .await?
    {
        Verdict::Unique => {
            dedup::file(txn, &e.nik, &e.fingerprints).await?;
            keep_on_record(txn, e).await?;
            (StatusKartu::Prr, "unique: print ready".to_owned())
        }
        Verdict::DuplicateOf { other, fingers } => (
            StatusKartu::DuplicateRecord,
            format!("{fingers} fingerprints identical to those of NIK {other}: investigate"),
        ),
    };
    let status = sfe
        .transition(status)
        .expect("SFE goes to PRR or DUPLICATE_RECORD");
    let now = Utc::now();
    let row = kartu::ActiveModel {
        nik: Set(e.nik.to_string()),
        status: Set(status),
        enrollment_id: Set(e.enrollment_id),
        nomor_berkas: Set(e.nomor_berkas.clone()),
        co_relation_id: Set(r.co_relation_id.clone()),
        note: Set(note.clone()),
        updated_at: Set(now),
    };
    match existing {
        Some(k) => {
            let mut k = k.into_active_model();
            k.status = row.status;
            k.enrollment_id = row.enrollment_id;
            k.nomor_berkas = row.nomor_berkas;
            k.co_relation_id = row.co_relation_id;
            k.note = row.note;
            k.updated_at = row.updated_at;
            k.update(txn).await?;
        }
        None => {
            kartu::Entity::insert(row)
                .exec_without_returning(txn)
                .await?;
        }
    }
    // Tell the Dinas: first SFE, then the verdict, in this order (one correlation id), under
    // the kecamatan that took the berkas, so the Dinas passes it down to that kecamatan only.
    let key = RoutingKey::regional(CARD_STATUS, &region)
        .map_err(|err| HandlerError::permanent(err.to_string()))?;
    for (status, note) in [
        (StatusKartu::Sfe, "received at the Pusat Data".to_owned()),
        (status, note),
    ] {
        let event = CardStatusChanged {
            nik: e.nik.clone(),
            nomor_berkas: e.nomor_berkas.clone(),
            status,
            note,
            at: now,
        };
        let msg = Outgoing::new(&event, key.clone(), &e.nomor_berkas, &e.nomor_berkas)?;
        ctx.outbox.push(msg);
    }
    tracing::info!(%status, "enrollment deduplicated");
    Ok(())
}

/// A unique enrollment is the one on record for its NIK: what any Dinas prints from.
async fn keep_on_record<C: ConnectionTrait>(
    txn: &C,
    e: &ktpel_contract::enrollment::EnrollmentCreated,
) -> Result<(), HandlerError> {
    use base64::{Engine, engine::general_purpose::STANDARD};
    use ktpel_contract::enrollment::Finger;
    let finger = |f: Finger| {
        e.fingerprints
            .iter()
            .find(|t| t.finger == f)
            .map(|t| STANDARD.encode(&t.template.data))
            .unwrap_or_default()
    };
    rekaman::Entity::insert(rekaman::ActiveModel {
        nik: Set(e.nik.to_string()),
        photo_sha256: Set(e.photo_sha256.clone()),
        right_index: Set(finger(Finger::RightIndex)),
        left_index: Set(finger(Finger::LeftIndex)),
        enrolled_at: Set(e.enrolled_at),
        pas_foto: Set(e.pas_foto.clone()),
        tanda_tangan: Set(e.tanda_tangan.clone()),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(rekaman::Column::Nik)
            .update_columns([
                rekaman::Column::PhotoSha256,
                rekaman::Column::RightIndex,
                rekaman::Column::LeftIndex,
                rekaman::Column::EnrolledAt,
                rekaman::Column::PasFoto,
                rekaman::Column::TandaTangan,
            ])
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
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
