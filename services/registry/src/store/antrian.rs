//! `registry_antrian`: the SIAK operator's worklist — each berkas at SIAK's desk with the
//! message it came with, until the operator does its work at `/siak` (S04.3, S05.4, S06/S07,
//! S13/S14, S15–S18). Keyed by the berkas, so a message delivered twice waits once.

use ktpel_contract::berkas::BerkasHandedOff;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_antrian")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nomor_berkas: String,
    pub sop: ktpel_domain::SopId,
    /// The kecamatan the berkas was entered at: whose staff may see it.
    pub kecamatan: String,
    /// The [`BerkasHandedOff`] as it arrived.
    pub berkas: Json,
    pub arrived_at: DateTimeUtc,
}

impl Model {
    /// The berkas as it arrived.
    pub fn berkas(&self) -> Result<BerkasHandedOff, serde_json::Error> {
        serde_json::from_value(self.berkas.clone())
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
