//! `intake_timeline`: every hop a berkas passed, for "where is berkas X?".

use sea_orm::entity::prelude::*;

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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
