//! `desk_jejak`: what was done at the desks, by whom, when (the audit trail).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "desk_jejak")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub username: String,
    /// What was done, e.g. `masuk`, `gagal_masuk`, `ajukan_berkas`.
    pub action: String,
    pub nomor_berkas: Option<String>,
    /// A line of detail: never a NIK, a name or a password.
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
