//! `biometric_operator_inbox`: berkas handed to the operator and not yet enrolled (S01.3).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "biometric_operator_inbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nomor_berkas: String,
    pub nik: String,
    /// The whole `berkas.handoff` body: the slip goes on from here unchanged but stamped.
    pub handoff: Json,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
