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
    /// The kecamatan whose desk took the berkas (unset on records stored before it was kept:
    /// it is the first part of the berkas number then).
    pub kecamatan: Option<String>,
    /// When a card status from the Pusat Data showed that it has the record; until then the
    /// record is unsent and goes into every S20 backup.
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
