//! S02.6, S03 and S20.1: the site's enrollments that the Pusat Data does not have yet, as
//! records for an offline backup bundle, and how long the station has gone without sending.
//!
//! A record is unsent until a card status for its berkas comes back (`handlers::delivered`),
//! whichever way it travelled: exporting marks nothing, so a bundle lost on the way loses no
//! record, and the next export carries it again (the Server AFIS drops what it already has).

use crate::{
    seal::{SealError, SealKey},
    store::enrollment,
};
use chrono::{DateTime, Duration, Utc};
use ktpel_bundle::{Header, PublicKey, SealError as BundleSealError, SiteKeys};
use ktpel_contract::{
    berkas,
    enrollment::{EnrollmentCaptured, EnrollmentCreated},
};
use ktpel_domain::{KodeWilayah, Nik};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::fmt;

/// Why the backup could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("the enrollment database: {0}")]
    Db(#[from] DbErr),
    #[error("enrollment {enrollment_id}: {source}")]
    Sealed {
        enrollment_id: uuid::Uuid,
        source: SealError,
    },
    #[error("enrollment {enrollment_id}: the stored capture is unreadable: {reason}")]
    Unreadable {
        enrollment_id: uuid::Uuid,
        reason: String,
    },
    #[error(transparent)]
    Bundle(#[from] BundleSealError),
}

/// The records of every enrollment the Pusat Data does not have yet, oldest first, as the
/// NID Scheduler takes them (`enrollment.created`).
pub async fn unsent(
    db: &DatabaseConnection,
    key: &SealKey,
) -> Result<Vec<EnrollmentCreated>, BackupError> {
    let rows = enrollment::Entity::find()
        .filter(enrollment::Column::DeliveredAt.is_null())
        .order_by_asc(enrollment::Column::EnrolledAt)
        .all(db)
        .await?;
    rows.into_iter().map(|row| record(row, key)).collect()
}

fn record(row: enrollment::Model, key: &SealKey) -> Result<EnrollmentCreated, BackupError> {
    let id = row.enrollment_id;
    let plain = key
        .open(&row.sealed_capture)
        .map_err(|source| BackupError::Sealed {
            enrollment_id: id,
            source,
        })?;
    let unreadable = |reason: String| BackupError::Unreadable {
        enrollment_id: id,
        reason,
    };
    let capture: EnrollmentCaptured =
        serde_json::from_slice(&plain).map_err(|e| unreadable(e.to_string()))?;
    let nik = Nik::parse(&row.nik).map_err(|e| unreadable(e.to_string()))?;
    Ok(EnrollmentCreated {
        enrollment_id: id,
        bukti_perekaman: row.bukti_perekaman,
        kecamatan: row
            .kecamatan
            .or_else(|| berkas::kecamatan_of(&row.nomor_berkas)),
        nomor_berkas: row.nomor_berkas,
        nik,
        photo_sha256: row.photo_sha256,
        fingerprints: capture.fingerprints,
        enrolled_at: row.enrolled_at,
        pas_foto: Some(capture.photo),
        tanda_tangan: Some(capture.signature),
    })
}

/// How many enrollments the Pusat Data does not have yet.
pub async fn unsent_count(db: &DatabaseConnection) -> Result<u64, DbErr> {
    enrollment::Entity::find()
        .filter(enrollment::Column::DeliveredAt.is_null())
        .count(db)
        .await
}

/// What goes into a bundle file, and the file.
pub struct Export {
    pub header: Header,
    pub file: Vec<u8>,
}

/// S20.1: the site's unsent enrollments as one bundle for the Server AFIS whose bundle key is
/// `recipient`, valid for `valid_days`; `None` when there is nothing to send.
pub async fn export(
    db: &DatabaseConnection,
    key: &SealKey,
    site_keys: &SiteKeys,
    site: &KodeWilayah,
    recipient: &PublicKey,
    valid_days: u32,
) -> Result<Option<Export>, BackupError> {
    let records = unsent(db, key).await?;
    if records.is_empty() {
        return Ok(None);
    }
    let now = Utc::now();
    let (header, file) = ktpel_bundle::seal(
        site_keys,
        site,
        recipient,
        now,
        now + Duration::days(i64::from(valid_days)),
        &records,
    )?;
    Ok(Some(Export { header, file }))
}

/// How long the station has gone without the Pusat Data having its records (MOSIP's "days
/// without sync"): the age of its oldest unsent enrollment, against the allowed maximum.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Offline {
    pub unsent: u64,
    pub oldest: Option<DateTime<Utc>>,
    pub days: f64,
    pub max_days: u32,
    pub too_long: bool,
}

impl Offline {
    pub async fn measure(
        db: &DatabaseConnection,
        max_days: u32,
        now: DateTime<Utc>,
    ) -> Result<Self, DbErr> {
        let unsent = unsent_count(db).await?;
        let oldest: Option<DateTime<Utc>> = enrollment::Entity::find()
            .filter(enrollment::Column::DeliveredAt.is_null())
            .select_only()
            .column(enrollment::Column::EnrolledAt)
            .order_by_asc(enrollment::Column::EnrolledAt)
            .into_tuple()
            .one(db)
            .await?;
        let days = oldest.map_or(0.0, |t| (now - t).num_seconds().max(0) as f64 / 86_400.0);
        Ok(Self {
            unsent,
            oldest,
            days,
            max_days,
            too_long: days > f64::from(max_days),
        })
    }
}

impl fmt::Display for Offline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.oldest {
            None => write!(f, "every enrollment has reached the Pusat Data"),
            Some(oldest) => {
                write!(
                    f,
                    "{} enrollment(s) not yet at the Pusat Data, the oldest from {} ({:.1} days; at most {})",
                    self.unsent,
                    oldest.format("%Y-%m-%d %H:%M UTC"),
                    self.days,
                    self.max_days
                )?;
                if self.too_long {
                    write!(
                        f,
                        " — OFFLINE TOO LONG: restore the link or carry a backup to an online Server AFIS (S20: `ktpel backup export`)"
                    )?;
                }
                Ok(())
            }
        }
    }
}
