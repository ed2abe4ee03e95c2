//! One file per message the registry takes.

pub mod lookup;

use ktpel_bus::{Handler, HandlerError, Incoming};
use ktpel_contract::registry::ResidentLookup;
use sea_orm::DatabaseTransaction;

/// Dispatches on the message type; anything else on the registry's queue is permanent.
pub struct RegistryHandler {
    pub exchange: String,
}

impl Handler for RegistryHandler {
    async fn handle(&self, txn: &DatabaseTransaction, m: &Incoming) -> Result<(), HandlerError> {
        if m.is::<ResidentLookup>() {
            lookup::handle(txn, &self.exchange, &m.decode()?).await
        } else {
            Err(HandlerError::permanent(format!(
                "the registry does not take `{}` messages",
                m.message_type
            )))
        }
    }
}
