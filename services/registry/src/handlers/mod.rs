//! One file per message the registry takes.

pub mod biodata_entry;
pub mod lookup;
pub mod recorded;

use crate::config::Mode;
use ktpel_bus::{Handler, HandlerError, Incoming};
use ktpel_contract::{
    berkas::BerkasHandedOff,
    registry::{ResidentLookup, ResidentRecorded},
};
use sea_orm::DatabaseTransaction;

/// Dispatches on the message type; anything else on the registry's queue is permanent.
pub struct RegistryHandler {
    pub exchange: String,
    pub mode: Mode,
    /// Whether new residents are announced to the kecamatan's copies.
    pub announce: bool,
}

impl Handler for RegistryHandler {
    async fn handle(&self, txn: &DatabaseTransaction, m: &Incoming) -> Result<(), HandlerError> {
        if m.is::<ResidentLookup>() {
            lookup::handle(txn, &self.exchange, self.mode, &m.routing_key, &m.decode()?).await
        } else if m.is::<ResidentRecorded>() && self.mode == Mode::Copy {
            recorded::handle(txn, &m.decode()?).await
        } else if m.is::<BerkasHandedOff>() && self.mode == Mode::Register {
            biodata_entry::handle(txn, &self.exchange, self.announce, &m.decode()?).await
        } else {
            Err(HandlerError::permanent(format!(
                "the registry does not take `{}` messages",
                m.message_type
            )))
        }
    }
}
