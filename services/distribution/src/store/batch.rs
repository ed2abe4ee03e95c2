//! `distribution_batch`: one hand-over from the Dinas to a kecamatan, with its Berita Acara.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "distribution_batch")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub batch_id: Uuid,
    pub kecamatan: String,
    pub petugas: String,
    /// The Berita Acara Serah Terima (HTML).
    pub berita_acara: String,
    pub created_at: DateTimeUtc,
    pub received_by: Option<String>,
    pub received_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
