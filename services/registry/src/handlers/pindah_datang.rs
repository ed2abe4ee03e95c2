//! `registry.pindah_datang` at the destination's register (S18): the family another
//! kabupaten/kota's SIAK handed over, kept as arriving — a desk asking about one of them hears
//! their biodata and card status — until their S18 berkas records them here.

use super::Registry;
use crate::store::pendatang;
use chrono::Utc;
use ktpel_bus::{Context, HandlerError};
use ktpel_contract::registry::KeluargaPindah;
use sea_orm::{ActiveValue::Set, EntityTrait};

pub async fn handle(ctx: &Context<'_, Registry>, m: KeluargaPindah) -> Result<(), HandlerError> {
    for member in &m.anggota {
        let biodata = serde_json::to_value(&member.biodata)
            .map_err(|e| HandlerError::permanent(e.to_string()))?;
        pendatang::Entity::insert(pendatang::ActiveModel {
            nik: Set(member.biodata.nik.to_string()),
            nomor_skp: Set(m.nomor_skp.clone()),
            dari: Set(m.dari.clone()),
            biodata: Set(biodata),
            status_kartu: Set(member.status_kartu),
            received_at: Set(Utc::now()),
        })
        .on_conflict_do_nothing_on([pendatang::Column::Nik])
        .exec_without_returning(ctx.txn)
        .await?;
    }
    tracing::info!(nomor_skp = %m.nomor_skp, members = m.anggota.len(), dari = %m.dari, "family arriving from another kabupaten/kota");
    Ok(())
}
