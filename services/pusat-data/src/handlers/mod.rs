//! One file per message the Pusat Data takes.

pub mod pindah;
pub mod record;

use ktpel_bus::{Handler, HandlerError, Incoming};
use ktpel_contract::{enrollment::EnrollmentRecord, registry::KeluargaPindah};
use sea_orm::DatabaseTransaction;

pub struct PusatDataHandler {
    pub exchange: String,
    pub duplicate_min_fingers: usize,
}

impl Handler for PusatDataHandler {
    async fn handle(&self, txn: &DatabaseTransaction, m: &Incoming) -> Result<(), HandlerError> {
        if m.is::<EnrollmentRecord>() {
            record::handle(txn, self, &m.routing_key, &m.decode()?).await
        } else if m.is::<KeluargaPindah>() {
            pindah::handle(txn, &self.exchange, &m.routing_key, &m.decode()?).await
        } else {
            Err(HandlerError::permanent(format!(
                "the Pusat Data does not take `{}` messages",
                m.message_type
            )))
        }
    }
}
