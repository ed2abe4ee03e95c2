//! `enrollment.captured`: S01.4–S01.6, check, seal and store the enrollment, issue the bukti
//! perekaman, send the record to the NID Scheduler and the berkas back to the ppp.

use super::Biometric;
use crate::{
    checks,
    store::{enrollment, operator_inbox, recapture},
};
use chrono::Utc;
use ktpel_bus::{Context, HandlerError, Outgoing, RoutingKey};
use ktpel_contract::{
    berkas::BerkasHandedOff,
    enrollment::{CREATED, EnrollmentCaptured, EnrollmentCreated, EnrollmentRefused, REFUSED},
};
use ktpel_domain::sop::Sop;
use sea_orm::{ActiveValue::Set, EntityTrait, ModelTrait, QueryFilter};
use sha2::{Digest, Sha256};

pub async fn handle(
    ctx: &Context<'_, Biometric>,
    c: EnrollmentCaptured,
) -> Result<(), HandlerError> {
    let (txn, key) = (ctx.txn, &ctx.service.key);
    if recapture::Entity::find_by_id(c.nomor_berkas.clone())
        .one(txn)
        .await?
        .is_some()
    {
        tracing::info!(nomor_berkas = %c.nomor_berkas, "already re-captured; nothing to do");
        return Ok(());
    }
    if enrollment::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(
            &enrollment::Column::NomorBerkas,
            c.nomor_berkas.clone(),
        ))
        .one(txn)
        .await?
        .is_some()
    {
        tracing::info!(nomor_berkas = %c.nomor_berkas, "already enrolled; nothing to do");
        return Ok(());
    }
    // The station may be quicker than the slip: wait (transient) until the berkas is here.
    let Some(waiting) = operator_inbox::Entity::find_by_id(c.nomor_berkas.clone())
        .one(txn)
        .await?
    else {
        return Err(HandlerError::transient(format!(
            "berkas {} has not reached the operator yet",
            c.nomor_berkas
        )));
    };
    let slip: BerkasHandedOff = serde_json::from_value(waiting.handoff.clone())
        .map_err(|e| HandlerError::permanent(format!("a stored slip is unreadable: {e}")))?;
    let region = slip.kecamatan.clone();
    let recapturing = Sop::get(slip.sop).recaptures();

    let mut reasons = if recapturing {
        checks::recapture_problems(&c)
    } else {
        checks::problems(&c)
    };
    if slip.nik.as_ref() != Some(&c.nik) {
        reasons.push(format!(
            "the capture is for NIK {}, berkas {} is for NIK {}",
            c.nik,
            c.nomor_berkas,
            slip.nik.as_ref().map_or("(none)".into(), |n| n.to_string())
        ));
    }
    if !reasons.is_empty() {
        tracing::info!(nomor_berkas = %c.nomor_berkas, ?reasons, "enrollment refused");
        let refused = EnrollmentRefused {
            capture_id: c.capture_id,
            nomor_berkas: c.nomor_berkas.clone(),
            nik: c.nik.clone(),
            reasons,
        };
        let key = key_for(REFUSED, &region)?;
        ctx.outbox.push(Outgoing::new(
            &refused,
            key,
            &c.nomor_berkas,
            &c.nomor_berkas,
        )?);
        return Ok(());
    }
    if recapturing {
        return recaptured(ctx, &c, waiting, &slip).await;
    }

    // S01.6: store on the server, sealed; the bukti perekaman is the resident's proof.
    let now = Utc::now();
    let enrollment_id = uuid::Uuid::now_v7();
    let bukti = format!("BP-{}", enrollment_id.simple());
    let plain = serde_json::to_vec(&c).map_err(|e| HandlerError::permanent(e.to_string()))?;
    let photo_sha256 = hex(&Sha256::digest(&c.photo));
    enrollment::Entity::insert(enrollment::ActiveModel {
        enrollment_id: Set(enrollment_id),
        nomor_berkas: Set(c.nomor_berkas.clone()),
        bukti_perekaman: Set(bukti.clone()),
        nik: Set(c.nik.to_string()),
        photo_sha256: Set(photo_sha256.clone()),
        sealed_capture: Set(key.seal(&plain)),
        operator: Set(c.operator.clone()),
        enrolled_at: Set(now),
        kecamatan: Set(Some(region.clone())),
        delivered_at: Set(None),
    })
    .exec_without_returning(txn)
    .await?;
    waiting.delete(txn).await?;

    let created = EnrollmentCreated {
        enrollment_id,
        bukti_perekaman: bukti.clone(),
        nomor_berkas: c.nomor_berkas.clone(),
        nik: c.nik.clone(),
        photo_sha256,
        fingerprints: c.fingerprints.clone(),
        enrolled_at: now,
        kecamatan: Some(region.clone()),
        pas_foto: Some(c.photo.clone()),
        tanda_tangan: Some(c.signature.clone()),
    };
    ctx.outbox.push(Outgoing::new(
        &created,
        key_for(CREATED, &region)?,
        &c.nomor_berkas,
        &c.nomor_berkas,
    )?);

    // S01.6 "hands the berkas back to the ppp": the next hop of the slip.
    let route = Sop::get(slip.sop).route().unwrap_or_default();
    let here = route.get(slip.hop);
    if let (Some(here), Some(next)) = (here, route.get(slip.hop + 1)) {
        let with_bukti = BerkasHandedOff {
            bukti_perekaman: Some(bukti.clone()),
            ..slip.clone()
        };
        let (_, message) = with_bukti.onward(here, next, c.operator.clone(), now)?;
        ctx.outbox.push(message);
    }
    tracing::info!(nomor_berkas = %c.nomor_berkas, %bukti, "enrollment stored");
    Ok(())
}

/// S08.3, S10.3, S12.3: the photo and/or signature captured again for a replacement card,
/// sealed and kept; the berkas goes on to printing with the new photo's digest. Not an
/// enrollment: no `enrollment.created`, no bukti perekaman, nothing for the Pusat Data.
async fn recaptured(
    ctx: &Context<'_, Biometric>,
    c: &EnrollmentCaptured,
    waiting: operator_inbox::Model,
    slip: &BerkasHandedOff,
) -> Result<(), HandlerError> {
    let (txn, key) = (ctx.txn, &ctx.service.key);
    let now = Utc::now();
    // Only what is captured again is kept: the fingerprints and irises on record stand.
    let kept = EnrollmentCaptured {
        fingerprints: Vec::new(),
        irises: Vec::new(),
        ..c.clone()
    };
    let plain = serde_json::to_vec(&kept).map_err(|e| HandlerError::permanent(e.to_string()))?;
    let photo_sha256 = (!c.photo.is_empty()).then(|| hex(&Sha256::digest(&c.photo)));
    recapture::Entity::insert(recapture::ActiveModel {
        nomor_berkas: Set(c.nomor_berkas.clone()),
        nik: Set(c.nik.to_string()),
        photo_sha256: Set(photo_sha256.clone().unwrap_or_default()),
        sealed_capture: Set(key.seal(&plain)),
        operator: Set(c.operator.clone()),
        captured_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    waiting.delete(txn).await?;
    let route = Sop::get(slip.sop).route().unwrap_or_default();
    if let (Some(here), Some(next)) = (route.get(slip.hop), route.get(slip.hop + 1)) {
        // What was not taken again stays as the slip had it.
        let again = |b: &Vec<u8>| (!b.is_empty()).then(|| b.clone());
        let with_photo = BerkasHandedOff {
            foto_sha256: photo_sha256.or(slip.foto_sha256.clone()),
            pas_foto: again(&c.photo).or(slip.pas_foto.clone()),
            tanda_tangan: again(&c.signature).or(slip.tanda_tangan.clone()),
            ..slip.clone()
        };
        let (_, message) = with_photo.onward(here, next, c.operator.clone(), now)?;
        ctx.outbox.push(message);
    }
    tracing::info!(nomor_berkas = %c.nomor_berkas, "photo and signature re-captured");
    Ok(())
}

fn key_for(subject: &str, region: &str) -> Result<RoutingKey, HandlerError> {
    RoutingKey::regional(subject, region).map_err(|e| HandlerError::permanent(e.to_string()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
