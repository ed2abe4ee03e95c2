//! `card_register`: every card the Dinas issued, by number — the one valid card of each NIK,
//! and the others revoked (replaced, or lost) and, when handed in, archived (S22.5).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "card_register")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nomor_kartu: String,
    pub nik: String,
    pub nomor_berkas: String,
    /// The procedure the card was made under (S01, S06, …).
    pub sop: ktpel_domain::SopId,
    /// Approved by the kepala_seksi: the card exists.
    pub issued_at: DateTimeUtc,
    /// Handed to the resident (`CARD_ACTIVATED`).
    pub activated_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_reason: Option<String>,
    /// The old card was handed in and archived (S22.5).
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
