//! `pusat_data_kartu`: the card status per NIK, the national view.

use ktpel_domain::StatusKartu;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pusat_data_kartu")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nik: String,
    /// `SFE`, `PRR`, `DUPLICATE_RECORD`, …
    pub status: StatusKartu,
    pub enrollment_id: Uuid,
    pub nomor_berkas: String,
    /// The site that sent the enrollment.
    pub co_relation_id: String,
    pub note: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
