//! `pusat_data_sidik_jari`: every enrolled fingerprint template — its digest, whose it is, and
//! the ISO/IEC 19794-2 record the gallery is built from (none for a device's own template,
//! which is matched by digest alone).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pusat_data_sidik_jari")]
pub struct Model {
    /// SHA-256 of the template, hex.
    #[sea_orm(primary_key, auto_increment = false)]
    pub template_sha256: String,
    pub finger: String,
    pub nik: String,
    #[sea_orm(column_type = "Blob", nullable)]
    pub iso: Option<Vec<u8>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
