//! `biometric_recapture`: a pas photo and signature captured again for a replacement card
//! (S08, S10, S12), sealed; one per berkas.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "biometric_recapture")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nomor_berkas: String,
    pub nik: String,
    pub photo_sha256: String,
    /// The photo and signature (JSON), sealed with the station key.
    pub sealed_capture: Vec<u8>,
    pub operator: String,
    pub captured_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
