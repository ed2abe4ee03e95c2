//! `registry_kartu_keluarga`: each KK printed for a new family (S05.4).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_kartu_keluarga")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub no_kk: String,
    /// The berkas it was printed for.
    pub nomor_berkas: String,
    pub printed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
