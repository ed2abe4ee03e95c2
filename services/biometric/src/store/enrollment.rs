//! `biometric_enrollment`: stored enrollments, the biometric data sealed (see `seal`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "biometric_enrollment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub enrollment_id: Uuid,
    #[sea_orm(unique)]
    pub nomor_berkas: String,
    #[sea_orm(unique)]
    pub bukti_perekaman: String,
    pub nik: String,
    pub photo_sha256: String,
    /// The whole capture as JSON, sealed with AES-256-GCM.
    #[sea_orm(column_type = "Blob")]
    pub sealed_capture: Vec<u8>,
    pub operator: String,
    pub enrolled_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
