//! `pusat_data_sidik_jari`: a digest of every enrolled fingerprint template, and whose it is.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pusat_data_sidik_jari")]
pub struct Model {
    /// SHA-256 of the template, hex.
    #[sea_orm(primary_key, auto_increment = false)]
    pub template_sha256: String,
    pub finger: String,
    pub nik: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
