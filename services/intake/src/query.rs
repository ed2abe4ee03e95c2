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
    pub sop: ktpel_domain::SopId,
    pub nik: String,
    pub nama: String,
    pub status: ktpel_domain::StatusKartu,
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

/// Berkas per procedure and card status (the ops room's view; no NIK, no name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromQueryResult)]
pub struct ProcedureCount {
    pub sop: String,
    pub status: String,
    pub count: i64,
}

/// Berkas per procedure and card status.
pub async fn per_procedure<C: ConnectionTrait>(db: &C) -> Result<Vec<ProcedureCount>, DbErr> {
    berkas::Entity::find()
        .select_only()
        .column(berkas::Column::Sop)
        .column(berkas::Column::Status)
        .column_as(berkas::Column::NomorBerkas.count(), "count")
        .group_by(berkas::Column::Sop)
        .group_by(berkas::Column::Status)
        .order_by_asc(berkas::Column::Sop)
        .order_by_asc(berkas::Column::Status)
        .into_model::<ProcedureCount>()
        .all(db)
        .await
}

/// The berkas still open, by the hop the counter last handed them to, and how long the
/// oldest has been out since its last entry in the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenAtHop {
    pub hop: String,
    pub count: u64,
    pub oldest_seconds: f64,
}

/// The berkas not yet archived, grouped by [`OpenAtHop`] (the counter's view: the desks
/// beyond it keep their own pending work); every hop of the catalogue is there, at 0 when
/// no berkas is.
pub async fn open_at_hops<C: ConnectionTrait>(
    db: &C,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<OpenAtHop>, DbErr> {
    #[derive(FromQueryResult)]
    struct Open {
        nomor_berkas: String,
        at_hop: String,
        created_at: chrono::DateTime<chrono::Utc>,
    }
    #[derive(FromQueryResult)]
    struct Last {
        nomor_berkas: String,
        last: chrono::DateTime<chrono::Utc>,
    }
    let open: Vec<Open> = berkas::Entity::find()
        .select_only()
        .column(berkas::Column::NomorBerkas)
        .column(berkas::Column::AtHop)
        .column(berkas::Column::CreatedAt)
        .filter(berkas::Column::ArchivedAt.is_null())
        .into_model()
        .all(db)
        .await?;
    let last: std::collections::HashMap<String, chrono::DateTime<chrono::Utc>> =
        timeline::Entity::find()
            .select_only()
            .column(timeline::Column::NomorBerkas)
            .column_as(timeline::Column::At.max(), "last")
            .filter(
                timeline::Column::NomorBerkas.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(berkas::Column::NomorBerkas)
                        .from(berkas::Entity)
                        .and_where(berkas::Column::ArchivedAt.is_null())
                        .to_owned(),
                ),
            )
            .group_by(timeline::Column::NomorBerkas)
            .into_model::<Last>()
            .all(db)
            .await?
            .into_iter()
            .map(|l| (l.nomor_berkas, l.last))
            .collect();
    // Every hop a counter can hand a berkas to, at 0 until one is there: "none waits at
    // operator@kecamatan" is a reading, not a gap.
    let mut hops: std::collections::BTreeMap<String, OpenAtHop> = ktpel_domain::SopId::all()
        .filter_map(|id| ktpel_domain::sop::Sop::get(id).route())
        .flat_map(|route| route.iter().skip(1))
        .map(|hop| {
            let hop = hop.to_string();
            (
                hop.clone(),
                OpenAtHop {
                    hop,
                    count: 0,
                    oldest_seconds: 0.0,
                },
            )
        })
        .collect();
    for b in open {
        let since = last.get(&b.nomor_berkas).copied().unwrap_or(b.created_at);
        let age = (now - since).num_milliseconds().max(0) as f64 / 1000.0;
        let entry = hops.entry(b.at_hop.clone()).or_insert(OpenAtHop {
            hop: b.at_hop,
            count: 0,
            oldest_seconds: 0.0,
        });
        entry.count += 1;
        entry.oldest_seconds = entry.oldest_seconds.max(age);
    }
    Ok(hops.into_values().collect())
}

/// How many berkas of these residents are in one of `statuses` (one query; for
/// `ktpel demo`, which follows its own residents among whatever else intake holds).
pub async fn count_in_status<C: ConnectionTrait>(
    db: &C,
    niks: &[String],
    statuses: &[ktpel_domain::StatusKartu],
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
