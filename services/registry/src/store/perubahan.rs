//! `registry_perubahan`: a correction (S06/S07) or a change of a data element (S13/S14) made
//! at the SIAK desk, with the biodata before and after; or a family's arrival (S15–S18), the
//! family before and after (JSON lists) — one per berkas.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_perubahan")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nomor_berkas: String,
    pub nik: String,
    pub sop: ktpel_domain::SopId,
    pub before: Json,
    pub after: Json,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
