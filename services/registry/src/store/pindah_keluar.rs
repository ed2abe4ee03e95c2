//! `registry_pindah_keluar`: a family that left this register for another kabupaten/kota (S18),
//! with the Surat Keterangan Pindah issued for it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_pindah_keluar")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nomor_skp: String,
    /// The applicant.
    pub nik: String,
    /// The destination kabupaten/kota.
    pub ke: String,
    /// The family as it left (JSON list of biodata).
    pub keluarga: Json,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
