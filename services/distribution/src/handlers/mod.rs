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
        kartu::Entity::insert(kartu::ActiveModel {
            nik: Set(c.nik.to_string()),
            nomor_berkas: Set(c.nomor_berkas),
            nama: Set(c.nama),
            desa: Set(c.desa),
            kecamatan: Set(kecamatan.to_string()),
            batch_id: Set(None),
            notified_at: Set(None),
            tanda_terima_by: Set(None),
            handed_over_at: Set(None),
            received_at: Set(Utc::now()),
        })
        .on_conflict_do_nothing_on([kartu::Column::Nik])
        .exec_without_returning(txn)
        .await?;
        Ok(())
    }
}
