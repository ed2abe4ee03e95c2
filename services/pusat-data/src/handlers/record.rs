//! `pusat_data.enrollment`: SFE on arrival, then PRR or DUPLICATE_RECORD.

use super::PusatDataHandler;
use crate::{
    dedup::{self, Verdict},
    store::kartu,
};
use chrono::Utc;
use ktpel_bus::{HandlerError, Outgoing, RoutingKey, outbox};
use ktpel_contract::enrollment::{CARD_STATUS, CardStatusChanged, EnrollmentRecord};
use ktpel_domain::StatusKartu;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};

pub async fn handle<C: ConnectionTrait>(
    txn: &C,
    h: &PusatDataHandler,
    r: &EnrollmentRecord,
) -> Result<(), HandlerError> {
    let e = &r.enrollment;
    let existing = kartu::Entity::find_by_id(e.nik.to_string())
        .one(txn)
        .await?;
    let from = match &existing {
        Some(k) if k.enrollment_id == e.enrollment_id => return Ok(()), // this one, again
        Some(k) => k
            .status
            .parse::<StatusKartu>()
            .map_err(|err| HandlerError::permanent(err.to_string()))?,
        None => StatusKartu::BelumRekam,
    };
    let sfe = from.transition(StatusKartu::Sfe).map_err(|err| {
        HandlerError::permanent(format!(
            "enrollment {} for NIK {}: {err}",
            e.enrollment_id, e.nik
        ))
    })?;
    let (status, note) =
        match dedup::check(txn, &e.nik, &e.fingerprints, h.duplicate_min_fingers).await? {
            Verdict::Unique => {
                dedup::file(txn, &e.nik, &e.fingerprints).await?;
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
        status: Set(status.to_string()),
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
    let region = e.kecamatan.as_deref().unwrap_or(&r.co_relation_id);
    let key = RoutingKey::regional(CARD_STATUS, region)
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
        outbox::enqueue(txn, &h.exchange, &msg).await?;
    }
    tracing::info!(nik = %e.nik, %status, "enrollment deduplicated");
    Ok(())
}
