//! "Where is berkas X?" and "how many berkas per status?", read from intake's own tables.

use crate::store::{berkas, timeline};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};

/// A berkas and every hop it passed, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BerkasTimeline {
    pub nomor_berkas: String,
    pub sop: String,
    pub nik: String,
    pub nama: String,
    pub status: String,
    pub at_hop: String,
    pub bukti_perekaman: Option<String>,
    pub timeline: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub at: chrono::DateTime<chrono::Utc>,
    pub step: String,
    pub hop: String,
    pub note: String,
}

/// The berkas `nomor_berkas` with its timeline, if intake knows it.
pub async fn where_is<C: ConnectionTrait>(
    db: &C,
    nomor_berkas: &str,
) -> Result<Option<BerkasTimeline>, DbErr> {
    let Some(b) = berkas::Entity::find_by_id(nomor_berkas.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let timeline = timeline::Entity::find()
        .filter(timeline::Column::NomorBerkas.eq(nomor_berkas))
        .order_by_asc(timeline::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|t| Entry {
            at: t.at,
            step: t.step,
            hop: t.hop,
            note: t.note,
        })
        .collect();
    Ok(Some(BerkasTimeline {
        nomor_berkas: b.nomor_berkas,
        sop: b.sop,
        nik: b.nik,
        nama: b.nama,
        status: b.status,
        at_hop: b.at_hop,
        bukti_perekaman: b.bukti_perekaman,
        timeline,
    }))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromQueryResult)]
pub struct StatusCount {
    pub status: String,
    pub count: i64,
}

/// Berkas per card status.
pub async fn per_status<C: ConnectionTrait>(db: &C) -> Result<Vec<StatusCount>, DbErr> {
    berkas::Entity::find()
        .select_only()
        .column(berkas::Column::Status)
        .column_as(berkas::Column::NomorBerkas.count(), "count")
        .group_by(berkas::Column::Status)
        .order_by_asc(berkas::Column::Status)
        .into_model::<StatusCount>()
        .all(db)
        .await
}

/// How many berkas of these residents are in one of `statuses` (one query; for
/// `ktpel demo`, which follows its own residents among whatever else intake holds).
pub async fn count_in_status<C: ConnectionTrait>(
    db: &C,
    niks: &[String],
    statuses: &[&str],
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    berkas::Entity::find()
        .filter(berkas::Column::Nik.is_in(niks.iter().map(String::as_str)))
        .filter(berkas::Column::Status.is_in(statuses.iter().copied()))
        .count(db)
        .await
}

/// The numbers of the berkas accepted from `submissions` (a desk following its own berkas).
pub async fn numbers_of<C: ConnectionTrait>(
    db: &C,
    submissions: &[uuid::Uuid],
) -> Result<Vec<String>, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    crate::store::berkas::Entity::find()
        .select_only()
        .column(crate::store::berkas::Column::NomorBerkas)
        .filter(crate::store::berkas::Column::SubmissionId.is_in(submissions.to_vec()))
        .into_tuple()
        .all(db)
        .await
}
