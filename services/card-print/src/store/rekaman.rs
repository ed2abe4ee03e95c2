//! `card_print_rekaman`: the enrollment on record of a resident who moved in from another
//! kabupaten/kota (S18), as the Pusat Data handed it on.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "card_print_rekaman")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nik: String,
    pub photo_sha256: String,
    pub right_index: String,
    pub left_index: String,
    /// The Surat Keterangan Pindah it came with.
    pub nomor_skp: String,
    /// The pas photo and signature for the new card's face, where the Pusat Data sent them.
    #[sea_orm(column_type = "Blob", nullable)]
    pub pas_foto: Option<Vec<u8>>,
    #[sea_orm(column_type = "Blob", nullable)]
    pub tanda_tangan: Option<Vec<u8>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
