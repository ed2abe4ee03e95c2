//! `intake_pending`: berkas that passed the checklist and wait for SIAK's answer about the NIK.
//! A row is deleted when the answer comes; only then does the berkas exist (accepted) or not
//! (refused), so nothing is left half-stored.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "intake_pending")]
pub struct Model {
    /// The id of the lookup sent to the registry; its answer carries it back.
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: Uuid,
    #[sea_orm(unique)]
    pub submission_id: Uuid,
    /// The `berkas.submitted` body as received.
    pub submission: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
