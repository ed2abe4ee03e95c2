//! One file per message the NID Scheduler takes.

pub mod created;

use ktpel_bus::{Handler, HandlerError, Incoming};
use ktpel_contract::enrollment::EnrollmentCreated;
use sea_orm::DatabaseTransaction;

/// Queues new enrollments; wakes the scheduler after each commit.
pub struct AfisSyncHandler;

impl Handler for AfisSyncHandler {
    async fn handle(&self, txn: &DatabaseTransaction, m: &Incoming) -> Result<(), HandlerError> {
        if m.is::<EnrollmentCreated>() {
            created::handle(txn, &m.decode()?).await
        } else {
            Err(HandlerError::permanent(format!(
                "afis-sync does not take `{}` messages",
                m.message_type
            )))
        }
    }
}
