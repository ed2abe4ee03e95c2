//! `berkas.submitted`: S01.1–S01.3 at the ppp desk.

use crate::store::pending;
use crate::store::{berkas, buku_harian, timeline};
use chrono::Utc;
use ktpel_bus::{HandlerError, Outgoing, RoutingKey, outbox};
use ktpel_contract::berkas::{
    ACCEPTED, BerkasAccepted, BerkasHandedOff, BerkasRefused, BerkasSubmitted, HANDOFF, REFUSED,
    Stamp,
};
use ktpel_contract::registry::{ANSWER_TO_INTAKE, Biodata, LOOKUP, ResidentLookup};
use ktpel_domain::{
    StatusKartu,
    sop::{self, Hop},
    wilayah::KodeWilayah,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

/// Checks the berkas against the checklist and asks SIAK about the NIK, all in `txn`;
/// a berkas that fails the checklist is refused at once and nothing of it is stored.
pub async fn handle<C: ConnectionTrait>(
    txn: &C,
    exchange: &str,
    m: &BerkasSubmitted,
) -> Result<(), HandlerError> {
    // The desk's own code is configuration, not the resident's input: a bad one is a
    // misconfigured desk, and no retry will fix it.
    let kecamatan = KodeWilayah::parse(&m.kecamatan)
        .map_err(|e| HandlerError::permanent(format!("the desk's kecamatan code: {e}")))?;

    // A desk that retries over a poor link sends the same submission again — perhaps because
    // the answer was lost with its connection: tell it again, change nothing.
    if let Some(b) = berkas::Entity::find()
        .filter(berkas::Column::SubmissionId.eq(m.submission_id))
        .one(txn)
        .await?
    {
        tracing::info!(submission = %m.submission_id, nomor_berkas = %b.nomor_berkas, "submission seen before; answered again");
        let next = sop::Sop::get(m.sop)
            .route()
            .and_then(|r| r.get(1))
            .map(|h| h.to_string())
            .unwrap_or_default();
        let accepted = BerkasAccepted {
            submission_id: m.submission_id,
            nomor_berkas: b.nomor_berkas.clone(),
            sop: m.sop,
            nik: m.nik.clone(),
            next_hop: next,
        };
        let msg = Outgoing::new(
            &accepted,
            key(ACCEPTED, &b.kecamatan)?,
            &b.nomor_berkas,
            &b.nomor_berkas,
        )?;
        outbox::enqueue(txn, exchange, &msg).await?;
        return Ok(());
    }

    if pending::Entity::find()
        .filter(pending::Column::SubmissionId.eq(m.submission_id))
        .one(txn)
        .await?
        .is_some()
    {
        tracing::info!(submission = %m.submission_id, "submission already waiting for SIAK");
        return Ok(());
    }

    let procedure = sop::Sop::get(m.sop);
    if !matches!(procedure.route(), Some(route) if route.len() >= 2) {
        let reason = format!("{} is not yet routed in this system", m.sop);
        return refuse(txn, exchange, m, &kecamatan, vec![reason]).await;
    }
    if let Err(missing) = procedure.checklist().check(&m.dokumen) {
        return refuse(txn, exchange, m, &kecamatan, vec![missing.to_string()]).await;
    }

    // S01.2 "verifies and validates": is the NIK in the population register? The berkas
    // waits in `intake_pending` until SIAK answers (see `registry_answer`).
    let request_id = uuid::Uuid::now_v7();
    pending::Entity::insert(pending::ActiveModel {
        request_id: Set(request_id),
        submission_id: Set(m.submission_id),
        submission: Set(
            serde_json::to_value(m).map_err(|e| HandlerError::permanent(e.to_string()))?
        ),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(txn)
    .await?;
    let lookup = ResidentLookup {
        request_id,
        nik: m.nik.clone(),
        reply_subject: ANSWER_TO_INTAKE.to_owned(),
        reply_region: Some(kecamatan.to_string()),
    };
    let id = m.submission_id.to_string();
    let msg = Outgoing::new(&lookup, key(LOOKUP, &kecamatan.to_string())?, &id, &id)?;
    outbox::enqueue(txn, exchange, &msg).await?;
    Ok(())
}

/// S01.2–S01.3 once SIAK knows the resident: buku harian, number, hand-off to the operator.
pub(crate) async fn accept<C: ConnectionTrait>(
    txn: &C,
    exchange: &str,
    m: &BerkasSubmitted,
    siak: &Biodata,
) -> Result<(), HandlerError> {
    let kecamatan = KodeWilayah::parse(&m.kecamatan)
        .map_err(|e| HandlerError::permanent(format!("the desk's kecamatan code: {e}")))?;
    let route = sop::Sop::get(m.sop)
        .route()
        .filter(|r| r.len() >= 2)
        .ok_or_else(|| HandlerError::permanent(format!("{} lost its route", m.sop)))?;

    // S01.2: the ppp writes the buku harian; the number is the salinan permohonan.
    let now = Utc::now();
    let nomor = nomor_berkas(txn, &kecamatan, now).await?;
    let desk_hop: &Hop = &route[0];
    let next: &Hop = &route[1];
    berkas::Entity::insert(berkas::ActiveModel {
        nomor_berkas: Set(nomor.clone()),
        submission_id: Set(m.submission_id),
        sop: Set(m.sop.to_string()),
        nik: Set(m.nik.to_string()),
        nama: Set(siak.nama.clone()),
        kecamatan: Set(kecamatan.to_string()),
        at_hop: Set(next.to_string()),
        status: Set(StatusKartu::BelumRekam.to_string()),
        bukti_perekaman: Set(None),
        archived_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    buku_harian::Entity::insert(buku_harian::ActiveModel {
        tanggal: Set(m.diterima_pada.date_naive()),
        desk: Set(kecamatan.to_string()),
        nomor_berkas: Set(nomor.clone()),
        nik: Set(m.nik.to_string()),
        nama: Set(m.nama.clone()),
        sop: Set(m.sop.to_string()),
        dokumen: Set(serde_json::to_value(&m.dokumen).unwrap_or_default()),
        petugas: Set(m.petugas.clone()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await?;
    timeline::Entity::insert(timeline::ActiveModel {
        nomor_berkas: Set(nomor.clone()),
        hop: Set(desk_hop.to_string()),
        step: Set(desk_hop.step.to_owned()),
        note: Set(format!(
            "diterima oleh {}, dicatat di buku harian",
            m.petugas
        )),
        at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await?;

    // S01.3: the operator receives the berkas from the ppp.
    let region = kecamatan.to_string();
    let handoff = BerkasHandedOff {
        nomor_berkas: nomor.clone(),
        sop: m.sop,
        nik: m.nik.clone(),
        nama: siak.nama.clone(),
        kecamatan: region.clone(),
        hop: 1,
        stamps: vec![Stamp {
            hop: desk_hop.to_string(),
            step: desk_hop.step.to_owned(),
            at: now,
            by: m.petugas.clone(),
        }],
        bukti_perekaman: None,
    };
    let handoff_key = key(&format!("{HANDOFF}.{}", next.desk.subject()), &region)?;
    outbox::enqueue(
        txn,
        exchange,
        &Outgoing::new(&handoff, handoff_key, &nomor, &nomor)?,
    )
    .await?;
    let accepted = BerkasAccepted {
        submission_id: m.submission_id,
        nomor_berkas: nomor.clone(),
        sop: m.sop,
        nik: m.nik.clone(),
        next_hop: next.to_string(),
    };
    outbox::enqueue(
        txn,
        exchange,
        &Outgoing::new(&accepted, key(ACCEPTED, &region)?, &nomor, &nomor)?,
    )
    .await?;
    tracing::info!(nomor_berkas = %nomor, nik = %m.nik, next = %next, "berkas accepted");
    Ok(())
}

/// S01.2 fails: tell the desk every reason. Nothing of the berkas is stored.
pub(crate) async fn refuse<C: ConnectionTrait>(
    txn: &C,
    exchange: &str,
    m: &BerkasSubmitted,
    kecamatan: &KodeWilayah,
    reasons: Vec<String>,
) -> Result<(), HandlerError> {
    tracing::info!(submission = %m.submission_id, ?reasons, "berkas refused");
    let refused = BerkasRefused {
        submission_id: m.submission_id,
        sop: m.sop,
        nik: m.nik.clone(),
        reasons,
    };
    let id = m.submission_id.to_string();
    let msg = Outgoing::new(&refused, key(REFUSED, &kecamatan.to_string())?, &id, &id)?;
    outbox::enqueue(txn, exchange, &msg).await?;
    Ok(())
}

fn key(subject: &str, region: &str) -> Result<RoutingKey, HandlerError> {
    RoutingKey::regional(subject, region).map_err(|e| HandlerError::permanent(e.to_string()))
}

/// `<kecamatan digits>-<yyyymmdd>-<nnnn>`, counting the desk's berkas of the day. Two
/// consumers racing for the same number collide on the primary key; the loser's transaction
/// fails, which is transient, and its retry takes the next number.
async fn nomor_berkas<C: ConnectionTrait>(
    txn: &C,
    kecamatan: &KodeWilayah,
    now: chrono::DateTime<Utc>,
) -> Result<String, HandlerError> {
    let prefix = format!(
        "{}-{}-",
        kecamatan.to_string().replace('.', ""),
        now.format("%Y%m%d")
    );
    let today = berkas::Entity::find()
        .filter(berkas::Column::NomorBerkas.starts_with(&prefix))
        .count(txn)
        .await?;
    Ok(format!("{prefix}{:04}", today + 1))
}
