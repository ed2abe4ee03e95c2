//! What the Pusat Data does once it knows who an enrollment is: the card status of the NIK
//! (`pusat_data_kartu`), the enrollment on record a card may be printed from, and the
//! `card.status` that tells the Dinas. The handler does it for what the matcher decides; the
//! adjudication desk for what a person decides.

use crate::store::{kartu, rekaman};
use chrono::{DateTime, Utc};
use ktpel_bus::{HandlerError, Outgoing, RoutingKey};
use ktpel_contract::enrollment::{
    CARD_STATUS, CardStatusChanged, EnrollmentCreated, EnrollmentRecord, Finger,
};
use ktpel_domain::StatusKartu;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
};

/// Sets the card status of the record's NIK to `status` for its enrollment, with `note`;
/// `existing` is the NIK's row, if it has one.
pub async fn set_status<C: ConnectionTrait>(
    txn: &C,
    existing: Option<kartu::Model>,
    r: &EnrollmentRecord,
    status: StatusKartu,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let e = &r.enrollment;
    let row = kartu::ActiveModel {
        nik: Set(e.nik.to_string()),
        status: Set(status),
        enrollment_id: Set(e.enrollment_id),
        nomor_berkas: Set(e.nomor_berkas.clone()),
        co_relation_id: Set(r.co_relation_id.clone()),
        note: Set(note.to_owned()),
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
    Ok(())
}

/// The `card.status` of `status` for the enrollment `e`, under the kecamatan `region` that took
/// the berkas (so the Dinas passes it down to that kecamatan only).
pub fn tell(
    e: &EnrollmentCreated,
    region: &str,
    status: StatusKartu,
    note: String,
    at: DateTime<Utc>,
) -> Result<Outgoing, HandlerError> {
    let key = RoutingKey::regional(CARD_STATUS, region)
        .map_err(|err| HandlerError::permanent(err.to_string()))?;
    let event = CardStatusChanged {
        nik: e.nik.clone(),
        nomor_berkas: e.nomor_berkas.clone(),
        status,
        note,
        at,
    };
    Ok(Outgoing::new(
        &event,
        key,
        &e.nomor_berkas,
        &e.nomor_berkas,
    )?)
}

/// A unique enrollment is the one on record for its NIK: what any Dinas prints from.
pub async fn keep_on_record<C: ConnectionTrait>(
    txn: &C,
    e: &EnrollmentCreated,
) -> Result<(), DbErr> {
    use base64::{Engine, engine::general_purpose::STANDARD};
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
