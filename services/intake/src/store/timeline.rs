//! `intake_timeline`: every hop a berkas passed, for "where is berkas X?".

use ktpel_domain::StatusKartu;
use sea_orm::{QuerySelect, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intake_timeline")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub nomor_berkas: String,
    /// `role@place`.
    pub hop: String,
    /// The SOP step (`S01.2`).
    pub step: String,
    pub note: String,
    pub at: DateTimeUtc,
    /// The card status the line records (`PRR`, `CARD_ACTIVATED`…), on the lines that record
    /// one: what the berkas's cards are counted from.
    pub status: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// One line of a berkas's timeline, before it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `role@place`.
    pub hop: String,
    /// The SOP step (`S01.2`).
    pub step: String,
    pub note: String,
    pub at: DateTimeUtc,
    /// The card status the line records, if it records one.
    pub status: Option<StatusKartu>,
}

impl Entry {
    /// A line that records no card status.
    pub fn new(
        hop: impl Into<String>,
        step: impl Into<String>,
        note: impl Into<String>,
        at: DateTimeUtc,
    ) -> Self {
        Self {
            hop: hop.into(),
            step: step.into(),
            note: note.into(),
            at,
            status: None,
        }
    }
}

/// Writes `entries` on the timeline of `nomor_berkas`, in order, in one statement.
pub async fn write<C: ConnectionTrait>(
    db: &C,
    nomor_berkas: &str,
    entries: Vec<Entry>,
) -> Result<(), DbErr> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows = entries.into_iter().map(|e| ActiveModel {
        nomor_berkas: sea_orm::ActiveValue::Set(nomor_berkas.to_owned()),
        hop: sea_orm::ActiveValue::Set(e.hop),
        step: sea_orm::ActiveValue::Set(e.step),
        note: sea_orm::ActiveValue::Set(e.note),
        at: sea_orm::ActiveValue::Set(e.at),
        status: sea_orm::ActiveValue::Set(e.status.map(|s| s.to_string())),
        ..Default::default()
    });
    Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}

/// How many lines of the berkas's timeline record `status` (one per card that reached it).
pub async fn count_status<C: ConnectionTrait>(
    db: &C,
    nomor_berkas: &str,
    status: StatusKartu,
) -> Result<u64, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::NomorBerkas.eq(nomor_berkas))
        .filter(Column::Status.eq(status.to_string()))
        .count(db)
        .await
}
