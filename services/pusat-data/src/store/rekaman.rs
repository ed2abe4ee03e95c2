//! `pusat_data_rekaman`: the enrollment on record of a NIK whose card may be printed — the
//! pas photo's digest and the two index-finger templates (base64), and the photo and the
//! signature a new card's face shows (none for an enrollment recorded before they travelled).

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
    #[sea_orm(column_type = "Blob", nullable)]
    pub pas_foto: Option<Vec<u8>>,
    #[sea_orm(column_type = "Blob", nullable)]
    pub tanda_tangan: Option<Vec<u8>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
