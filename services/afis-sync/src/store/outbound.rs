//! `afis_outbound`: enrollments waiting for, or done with, the trip to the Pusat Data.
//! `sent_at` is set only once the Pusat Data's broker confirmed the record.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "afis_outbound")]
pub struct Model {
    /// Arrival order: records leave in the order they came.
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub enrollment_id: Uuid,
    pub nomor_berkas: String,
    pub nik: String,
    /// The `enrollment.created` body.
    pub enrollment: Json,
    pub queued_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// The trace context (`traceparent`, …) the enrollment arrived with; unset for records
    /// queued before it was kept.
    pub headers: Option<Json>,
    /// The S20 bundle the record came in, when a bundle brought it first.
    pub bundle_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
