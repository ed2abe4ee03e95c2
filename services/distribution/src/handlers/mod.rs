//! `card.printed`: S22.1, the petugas_distribusi receives the printed card.

use crate::store::kartu;
use chrono::Utc;
use ktpel_bus::{Handler, HandlerError, Incoming};
use ktpel_contract::enrollment::CardPrinted;
use ktpel_domain::KodeWilayah;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, EntityTrait};

pub struct DistributionHandler;

impl Handler for DistributionHandler {
    async fn handle(&self, txn: &DatabaseTransaction, m: &Incoming) -> Result<(), HandlerError> {
        if !m.is::<CardPrinted>() {
            return Err(HandlerError::permanent(format!(
                "distribution does not take `{}` messages",
                m.message_type
            )));
        }
        let c: CardPrinted = m.decode()?;
        let kecamatan = KodeWilayah::parse(&c.desa)
            .ok()
            .and_then(|d| d.parent())
            .ok_or_else(|| {
                HandlerError::permanent(format!("desa code {} is not a desa", c.desa))
            })?;
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
        })
        .on_conflict_do_nothing_on([kartu::Column::NomorBerkas, kartu::Column::Nik])
        .exec_without_returning(txn)
        .await?;
        Ok(())
    }
}
