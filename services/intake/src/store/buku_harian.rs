//! `intake_buku_harian`: the daily register of the desk (S01.2: "writes it in the buku harian").

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "intake_buku_harian")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tanggal: Date,
    /// The desk: kode wilayah of its kecamatan.
    pub desk: String,
    pub nomor_berkas: String,
    pub nik: String,
    pub nama: String,
    pub sop: ktpel_domain::SopId,
    /// The documents received, as their snake_case names.
    pub dokumen: Json,
    pub petugas: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
