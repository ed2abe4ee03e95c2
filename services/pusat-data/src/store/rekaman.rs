//! `pusat_data_rekaman`: the enrollment on record of a NIK whose card may be printed — the
//! pas photo's digest and the two index-finger templates (base64).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pusat_data_rekaman")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nik: String,
    pub photo_sha256: String,
    pub right_index: String,
    pub left_index: String,
    pub enrolled_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
