//! One file per message the biometric service takes.

pub mod captured;
pub mod delivered;
pub mod handoff;

use crate::seal::SealKey;
use ktpel_bus::{Handler, HandlerError, Incoming};
use ktpel_contract::{
    berkas::BerkasHandedOff,
    enrollment::{CardStatusChanged, EnrollmentCaptured},
};
use sea_orm::DatabaseTransaction;

/// Dispatches on the message type; anything else on the queue is a permanent failure.
pub struct BiometricHandler {
    pub exchange: String,
    pub key: SealKey,
}

impl Handler for BiometricHandler {
    async fn handle(&self, txn: &DatabaseTransaction, m: &Incoming) -> Result<(), HandlerError> {
        if m.is::<BerkasHandedOff>() {
            handoff::handle(txn, &m.decode()?).await
        } else if m.is::<EnrollmentCaptured>() {
            captured::handle(txn, &self.exchange, &self.key, &m.decode()?).await
        } else if m.is::<CardStatusChanged>() {
            delivered::handle(txn, &m.decode()?).await
        } else {
            Err(HandlerError::permanent(format!(
                "biometric does not take `{}` messages",
                m.message_type
            )))
        }
    }
}
