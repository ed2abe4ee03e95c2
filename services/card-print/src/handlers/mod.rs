//! What card-print hears: the enrollment (photo digest, index fingers), the Pusat Data's
//! verdict, and SIAK's biodata. A job enters the print queue when it has all three.

use crate::{desk, store::job};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Utc;
use ktpel_bus::{Handler, HandlerError, Incoming, Outgoing, RoutingKey, outbox};
use ktpel_contract::{
    enrollment::{CardStatusChanged, EnrollmentCreated, Finger},
    registry::{ANSWER_TO_CARD_PRINT, LOOKUP, ResidentAnswer, ResidentLookup},
};
use ktpel_domain::{Nik, StatusKartu};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel,
};

pub struct CardPrintHandler {
    pub exchange: String,
}

impl Handler for CardPrintHandler {
    async fn handle(&self, txn: &DatabaseTransaction, m: &Incoming) -> Result<(), HandlerError> {
        if m.is::<EnrollmentCreated>() {
            enrollment(txn, &m.decode()?).await
        } else if m.is::<CardStatusChanged>() {
            status(txn, &self.exchange, &m.routing_key, &m.decode()?).await
        } else if m.is::<ResidentAnswer>() {
            answer(txn, &m.decode()?).await
        } else {
            Err(HandlerError::permanent(format!(
                "card-print does not take `{}` messages",
                m.message_type
            )))
        }
    }
}

/// The job of `nik`, created empty if it is new.
async fn job_of<C: ConnectionTrait>(
    txn: &C,
    nik: &Nik,
    nomor: &str,
) -> Result<job::Model, HandlerError> {
    if let Some(j) = job::Entity::find_by_id(nik.to_string()).one(txn).await? {
        return Ok(j);
    }
    let j = job::ActiveModel {
        nik: Set(nik.to_string()),
        nomor_berkas: Set(nomor.to_owned()),
        photo_sha256: Set(None),
        right_index: Set(None),
        left_index: Set(None),
        print_ready: Set(false),
        biodata: Set(None),
        state: Set(desk::JobState::Waiting.as_str().into()),
        chip: Set(None),
        face_png: Set(None),
        encoded_by: Set(None),
        printed_by: Set(None),
        verified_by: Set(None),
        approved_by: Set(None),
        updated_at: Set(Utc::now()),
    };
    Ok(j.insert(txn).await?)
}

/// Saves `a` and puts the job in the print queue if it now has everything.
async fn save<C: ConnectionTrait>(txn: &C, a: job::ActiveModel) -> Result<(), HandlerError> {
    let j = a.update(txn).await?;
    if j.state == desk::JobState::Waiting.as_str() && desk::ready(&j) {
        let mut a = j.into_active_model();
        a.state = Set(desk::JobState::Queued.as_str().into());
        a.updated_at = Set(Utc::now());
        a.update(txn).await?;
    }
    Ok(())
}

async fn enrollment<C: ConnectionTrait>(
    txn: &C,
    e: &EnrollmentCreated,
) -> Result<(), HandlerError> {
    let j = job_of(txn, &e.nik, &e.nomor_berkas).await?;
    let finger = |f: Finger| {
        e.fingerprints
            .iter()
            .find(|t| t.finger == f)
            .map(|t| STANDARD.encode(&t.template.data))
    };
    let mut a = j.into_active_model();
    a.nomor_berkas = Set(e.nomor_berkas.clone());
    a.photo_sha256 = Set(Some(e.photo_sha256.clone()));
    a.right_index = Set(finger(Finger::RightIndex));
    a.left_index = Set(finger(Finger::LeftIndex));
    a.updated_at = Set(Utc::now());
    save(txn, a).await
}

/// PRR puts the card in line and asks SIAK for the biodata; other statuses are not ours.
async fn status<C: ConnectionTrait>(
    txn: &C,
    exchange: &str,
    routing_key: &str,
    s: &CardStatusChanged,
) -> Result<(), HandlerError> {
    if s.status != StatusKartu::Prr {
        return Ok(());
    }
    let j = job_of(txn, &s.nik, &s.nomor_berkas).await?;
    let mut a = j.into_active_model();
    a.print_ready = Set(true);
    a.updated_at = Set(Utc::now());
    save(txn, a).await?;
    let lookup = ResidentLookup {
        request_id: uuid::Uuid::now_v7(),
        nik: s.nik.clone(),
        reply_subject: ANSWER_TO_CARD_PRINT.into(),
        reply_region: None,
    };
    // Asked under the region the status came for (the berkas's kecamatan, in this Dinas's
    // kabupaten/kota, where its register answers) — not the NIK's, which may be another
    // kabupaten's for a resident who moved in.
    let region = RoutingKey::region_of(routing_key).ok_or_else(|| {
        HandlerError::permanent(format!("the status's key `{routing_key}` names no region"))
    })?;
    let key = RoutingKey::regional(LOOKUP, &region.to_string())
        .map_err(|e| HandlerError::permanent(e.to_string()))?;
    let msg = Outgoing::new(&lookup, key, &s.nomor_berkas, &s.nomor_berkas)?;
    outbox::enqueue(txn, exchange, &msg).await?;
    Ok(())
}

async fn answer<C: ConnectionTrait>(txn: &C, r: &ResidentAnswer) -> Result<(), HandlerError> {
    let Some(biodata) = &r.resident else {
        return Err(HandlerError::permanent(format!(
            "SIAK does not know NIK {} any more: the card cannot be printed",
            r.nik
        )));
    };
    let Some(j) = job::Entity::find_by_id(r.nik.to_string()).one(txn).await? else {
        return Ok(());
    };
    let mut a = j.into_active_model();
    a.biodata = Set(Some(
        serde_json::to_value(biodata).map_err(|e| HandlerError::permanent(e.to_string()))?,
    ));
    a.updated_at = Set(Utc::now());
    save(txn, a).await
}
