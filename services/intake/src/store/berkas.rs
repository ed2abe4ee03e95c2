//! `intake_berkas`: one row per accepted berkas.

use ktpel_domain::StatusKartu;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intake_berkas")]
pub struct Model {
    /// `<kecamatan>-<yyyymmdd>-<nnnn>`: printed on the salinan permohonan.
    #[sea_orm(primary_key, auto_increment = false)]
    pub nomor_berkas: String,
    /// The desk's id for the submission: a retried submission finds its berkas here.
    #[sea_orm(unique)]
    pub submission_id: Uuid,
    pub sop: ktpel_domain::SopId,
    pub nik: String,
    pub nama: String,
    pub kecamatan: String,
    /// The hop the berkas is at now (`operator@kecamatan`, `arsip`).
    pub at_hop: String,
    /// The resident's card status as last heard (`BELUM_REKAM` until enrolled).
    pub status: StatusKartu,
    /// S01.8: the proof of enrollment given to the resident.
    pub bukti_perekaman: Option<String>,
    /// S01.7: when the ppp archived the berkas.
    pub archived_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
