//! One file per message intake takes.

pub mod card_status;
pub mod handed_back;
pub mod registry_answer;
pub mod submitted;

use ktpel_bus::{Handler, HandlerError, Incoming};
use sea_orm::DatabaseTransaction;

/// Dispatches on the message type; anything else on intake's queue is a permanent failure.
pub struct IntakeHandler {
    pub exchange: String,
    /// The counters run here: a berkas is taken only at a counter of this site.
    pub counters: ktpel_site::DesksAt,
}

impl Handler for IntakeHandler {
    async fn handle(&self, txn: &DatabaseTransaction, m: &Incoming) -> Result<(), HandlerError> {
        if m.is::<ktpel_contract::berkas::BerkasSubmitted>() {
            submitted::handle(txn, &self.exchange, self.counters, &m.decode()?).await
        } else if m.is::<ktpel_contract::enrollment::CardStatusChanged>() {
            card_status::handle(txn, &m.decode()?).await
        } else if m.is::<ktpel_contract::berkas::BerkasHandedOff>() {
            handed_back::handle(txn, &self.exchange, &m.decode()?).await
        } else if m.is::<ktpel_contract::registry::ResidentAnswer>() {
            registry_answer::handle(txn, &self.exchange, &m.decode()?).await
        } else {
            Err(HandlerError::permanent(format!(
                "intake does not take `{}` messages",
                m.message_type
            )))
        }
    }
}
