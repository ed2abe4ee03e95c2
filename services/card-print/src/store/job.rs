//! `card_print_job`: one card to make, from "waiting for data" to "approved" — one per berkas
//! and resident (a first card, or a replacement).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "card_print_job")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nomor_berkas: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub nik: String,
    /// From `enrollment.created`: the photo digest and the index templates (base64).
    pub photo_sha256: Option<String>,
    pub right_index: Option<String>,
    pub left_index: Option<String>,
    /// The Pusat Data said PRR.
    pub print_ready: bool,
    /// SIAK's biodata (JSON), once it answered.
    pub biodata: Option<Json>,
    /// See [`crate::desk::JobState`].
    pub state: String,
    #[sea_orm(column_type = "Blob", nullable)]
    pub chip: Option<Vec<u8>>,
    #[sea_orm(column_type = "Blob", nullable)]
    pub face_png: Option<Vec<u8>>,
    pub encoded_by: Option<String>,
    pub printed_by: Option<String>,
    pub verified_by: Option<String>,
    pub approved_by: Option<String>,
    pub updated_at: DateTimeUtc,
    /// The card's number in the register, given when its chip is encoded (S21.2).
    pub nomor_kartu: Option<String>,
    /// A replacement's routing slip (section C), handed on once the kepala_seksi approved.
    pub slip: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
