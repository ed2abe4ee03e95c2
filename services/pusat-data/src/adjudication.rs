//! Adjudication: an enrollment the matcher could not decide alone — its fingers somewhat like
//! those of a resident on record, not clearly the same — waits, at SFE, for a person at the
//! Pusat Data (`/adjudikasi`, role `adjudikator`). They look at both records side by side and
//! decide: another person (PRR: the fingers are filed, the card may be printed) or the same
//! (DUPLICATE_RECORD naming the other NIK). Who decided and why is kept with the case, and the
//! decision reaches the berkas as a `card.status`, as the matcher's own verdicts do.

use crate::{
    dedup,
    store::{
        adjudikasi::{self, Record, Scores},
        kartu,
    },
    verdict,
};
use chrono::Utc;
use ktpel_bus::{BusError, HandlerError, outbox};
use ktpel_contract::enrollment::{EnrollmentRecord, Finger};
use ktpel_domain::StatusKartu;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, TransactionTrait,
};
use uuid::Uuid;

/// What the adjudicator found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Keputusan {
    /// Another person than the one on record: the card may be printed (PRR).
    Berbeda,
    /// The same person as the one on record, under another NIK (DUPLICATE_RECORD).
    Sama,
}

impl Keputusan {
    pub fn status(self) -> StatusKartu {
        match self {
            Self::Berbeda => StatusKartu::Prr,
            Self::Sama => StatusKartu::DuplicateRecord,
        }
    }
}

/// Why a decision was not taken; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum AdjudicationError {
    #[error("tidak ada kasus adjudikasi {0}")]
    NotFound(Uuid),
    #[error("kasus ini sudah diputuskan {decision} oleh {by}")]
    AlreadyDecided { decision: StatusKartu, by: String },
    #[error("alasan keputusan wajib diisi")]
    NoReason,
    /// The NIK's card moved on meanwhile (another enrollment of it arrived): the case is moot.
    #[error("NIK {nik} tidak lagi menunggu adjudikasi untuk perekaman ini")]
    Moved { nik: String },
    #[error("the database: {0}")]
    Db(#[from] DbErr),
    #[error("the outbox: {0}")]
    Bus(#[from] BusError),
    #[error("{0}")]
    Message(String),
}

impl From<HandlerError> for AdjudicationError {
    fn from(e: HandlerError) -> Self {
        Self::Message(e.to_string())
    }
}

/// Opens the case of `r` (region `region`), perhaps the person on record under `other`, with
/// the fingers' `scores`. The same enrollment again is the same case.
pub async fn open<C: ConnectionTrait>(
    txn: &C,
    r: &EnrollmentRecord,
    region: &str,
    other: &str,
    scores: Vec<(Finger, u32)>,
) -> Result<(), DbErr> {
    adjudikasi::Entity::insert(adjudikasi::ActiveModel {
        enrollment_id: Set(r.enrollment.enrollment_id),
        nik: Set(r.enrollment.nik.to_string()),
        other_nik: Set(other.to_owned()),
        scores: Set(Scores(scores)),
        record: Set(Record(r.clone())),
        region: Set(region.to_owned()),
        opened_at: Set(Utc::now()),
        decision: Set(None),
        decided_by: Set(None),
        reason: Set(None),
        decided_at: Set(None),
        in_gallery: Set(false),
    })
    .on_conflict_do_nothing_on([adjudikasi::Column::EnrollmentId])
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The cases waiting for a decision, the oldest first.
pub async fn open_cases<C: ConnectionTrait>(db: &C) -> Result<Vec<adjudikasi::Model>, DbErr> {
    adjudikasi::Entity::find()
        .filter(adjudikasi::Column::Decision.is_null())
        .order_by_asc(adjudikasi::Column::OpenedAt)
        .all(db)
        .await
}

/// The cases decided, the latest first (at most `limit`).
pub async fn decided_cases<C: ConnectionTrait>(
    db: &C,
    limit: u64,
) -> Result<Vec<adjudikasi::Model>, DbErr> {
    use sea_orm::QuerySelect;
    adjudikasi::Entity::find()
        .filter(adjudikasi::Column::Decision.is_not_null())
        .order_by_desc(adjudikasi::Column::DecidedAt)
        .limit(limit)
        .all(db)
        .await
}

/// One case.
pub async fn case<C: ConnectionTrait>(
    db: &C,
    enrollment_id: Uuid,
) -> Result<adjudikasi::Model, AdjudicationError> {
    adjudikasi::Entity::find_by_id(enrollment_id)
        .one(db)
        .await?
        .ok_or(AdjudicationError::NotFound(enrollment_id))
}

/// `by` decides the case of `enrollment_id` as `keputusan`, because of `reason`: in one
/// transaction the case is closed, the NIK's card status set (the fingers filed and the
/// enrollment kept on record when it is another person), and the `card.status` put in the
/// outbox. The running matcher takes the filed fingers in before its next identification
/// ([`crate::gallery::Galeri::catch_up`]).
pub async fn decide(
    db: &DatabaseConnection,
    enrollment_id: Uuid,
    keputusan: Keputusan,
    by: &str,
    reason: &str,
) -> Result<StatusKartu, AdjudicationError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AdjudicationError::NoReason);
    }
    let txn = db.begin().await?;
    let case = case(&txn, enrollment_id).await?;
    if let (Some(decision), Some(by)) = (case.decision, case.decided_by.clone()) {
        return Err(AdjudicationError::AlreadyDecided { decision, by });
    }
    let r = case.record.0.clone();
    let e = &r.enrollment;
    let card = kartu::Entity::find_by_id(e.nik.to_string())
        .one(&txn)
        .await?;
    let waiting = card
        .as_ref()
        .is_some_and(|k| k.enrollment_id == e.enrollment_id && k.status == StatusKartu::Sfe);
    if !waiting {
        return Err(AdjudicationError::Moved {
            nik: e.nik.to_string(),
        });
    }
    let status = keputusan.status();
    let note = match keputusan {
        Keputusan::Berbeda => {
            dedup::file(&txn, &e.nik, &e.fingerprints).await?;
            verdict::keep_on_record(&txn, e).await?;
            format!(
                "adjudikasi oleh {by}: bukan NIK {} ({reason}): print ready",
                case.other_nik
            )
        }
        Keputusan::Sama => format!(
            "adjudikasi oleh {by}: orang yang sama dengan NIK {} ({reason}): investigate",
            case.other_nik
        ),
    };
    let now = Utc::now();
    verdict::set_status(&txn, card, &r, status, &note, now).await?;
    let region = case.region.clone();
    let mut closed = case.into_active_model();
    closed.decision = Set(Some(status));
    closed.decided_by = Set(Some(by.to_owned()));
    closed.reason = Set(Some(reason.to_owned()));
    closed.decided_at = Set(Some(now));
    adjudikasi::Entity::update(closed).exec(&txn).await?;
    outbox::enqueue(&txn, &verdict::tell(e, &region, status, note, now)?).await?;
    outbox::notify(&txn).await?;
    txn.commit().await?;
    tracing::info!(%status, nik = %e.nik, by, "adjudicated");
    Ok(status)
}
