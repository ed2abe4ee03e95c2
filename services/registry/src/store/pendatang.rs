//! `registry_pendatang`: a resident arriving from another kabupaten/kota (S18), as the origin's
//! SIAK handed them over, until their S18 berkas records them in this register.

use ktpel_domain::StatusKartu;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_pendatang")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nik: String,
    pub nomor_skp: String,
    /// The origin kabupaten/kota.
    pub dari: String,
    /// The biodata as the origin held it (JSON).
    pub biodata: Json,
    pub status_kartu: Option<StatusKartu>,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
