//! What distribution takes from the bus: `card.printed`, S22.1, the petugas_distribusi
//! receives the printed card.

use crate::store::kartu;
use chrono::Utc;
use ktpel_bus::{Context, HandlerError, Router, Scope};
use ktpel_contract::enrollment::{CardPrinted, PRINTED};
use ktpel_domain::KodeWilayah;
use sea_orm::{ActiveValue::Set, EntityTrait};

/// What distribution's handlers share: nothing beyond their context.
pub struct Distribution;

/// Everything distribution takes, for the region it serves.
pub fn router(region: Option<&str>) -> Router<Distribution> {
    Router::new(crate::SERVICE, Distribution, region)
        // S22.1: the printed card reaches the petugas_distribusi.
        .route::<CardPrinted>(PRINTED, Scope::Region, card_printed)
}

/// S22.1: the card waits at distribution for its batch (or, for a B variant, at the Dinas
/// desk for the resident).
async fn card_printed(ctx: &Context<'_, Distribution>, c: CardPrinted) -> Result<(), HandlerError> {
    let kecamatan = KodeWilayah::parse(&c.desa)
        .ok()
        .and_then(|d| d.parent())
        .ok_or_else(|| HandlerError::permanent(format!("desa code {} is not a desa", c.desa)))?;
    let now = Utc::now();
    kartu::Entity::insert(kartu::ActiveModel {
        nik: Set(c.nik.to_string()),
        nomor_berkas: Set(c.nomor_berkas),
        nama: Set(c.nama),
        desa: Set(c.desa),
        kecamatan: Set(kecamatan.to_string()),
        batch_id: Set(None),
        // A B variant's card waits at the Dinas desk for the resident, who was told to
        // come back for it when the berkas was taken.
        notified_at: Set(c.at_dinas_desk.then_some(now)),
        tanda_terima_by: Set(None),
        handed_over_at: Set(None),
        received_at: Set(now),
        nomor_kartu: Set((!c.nomor_kartu.is_empty()).then_some(c.nomor_kartu)),
        at_dinas_desk: Set(c.at_dinas_desk),
        handed_over_by: Set(None),
    })
    .on_conflict_do_nothing_on([kartu::Column::NomorBerkas, kartu::Column::Nik])
    .exec_without_returning(ctx.txn)
    .await?;
    Ok(())
}
