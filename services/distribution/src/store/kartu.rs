//! `distribution_kartu`: a printed card and where it is between the Dinas and the resident —
//! one per berkas and resident (a first card, or a replacement).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "distribution_kartu")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nomor_berkas: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub nik: String,
    pub nama: String,
    pub desa: String,
    pub kecamatan: String,
    pub batch_id: Option<Uuid>,
    /// When the resident was told to collect (S22.4).
    pub notified_at: Option<DateTimeUtc>,
    /// Who signed the tanda terima, and when (S22.4–S22.5).
    pub tanda_terima_by: Option<String>,
    pub handed_over_at: Option<DateTimeUtc>,
    pub received_at: DateTimeUtc,
    /// The card's number in the Dinas's card register.
    pub nomor_kartu: Option<String>,
    /// A B variant's card: the resident collects it at the Dinas desk, no batch (section C).
    pub at_dinas_desk: bool,
    /// The ppp who handed the card over (S22.4); none for cards handed over before this was
    /// kept.
    pub handed_over_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
