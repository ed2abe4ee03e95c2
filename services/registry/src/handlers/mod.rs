//! One file per message the registry takes.

pub mod biodata_entry;
pub mod card_status;
pub mod kedatangan;
pub mod lookup;
pub mod perubahan;
pub mod pindah_datang;
pub mod recorded;

use crate::config::Mode;
use ktpel_bus::{Handler, HandlerError, Incoming};
use ktpel_contract::{
    berkas::BerkasHandedOff,
    enrollment::CardStatusChanged,
    registry::{KeluargaPindah, ResidentLookup, ResidentRecorded},
};
use ktpel_domain::sop::{Desk, Hop, SiakWork, Sop};

/// The SIAK desk's hop of the slip and the one after it, or why the berkas is not SIAK's.
pub(crate) fn siak_hop(m: &BerkasHandedOff) -> Result<(&'static Hop, &'static Hop), HandlerError> {
    let route = Sop::get(m.sop).route().unwrap_or_default();
    let (Some(here), Some(next)) = (route.get(m.hop), route.get(m.hop + 1)) else {
        return Err(HandlerError::permanent(format!(
            "berkas {}: hop {} of {} is not one SIAK acts at",
            m.nomor_berkas, m.hop, m.sop
        )));
    };
    if here.desk != Desk::Siak {
        return Err(HandlerError::permanent(format!(
            "berkas {}: {here} is not the SIAK desk",
            m.nomor_berkas
        )));
    }
    Ok((here, next))
}
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
            // The SIAK desk: what the operator does depends on the procedure.
            let b: BerkasHandedOff = m.decode()?;
            match Sop::get(b.sop).siak_work() {
                Some(SiakWork::Register) => {
                    biodata_entry::handle(txn, &self.exchange, self.announce, &b).await
                }
                Some(SiakWork::Correct | SiakWork::Change) => {
                    perubahan::handle(txn, &self.exchange, self.announce, &b).await
                }
                Some(SiakWork::Arrival) => {
                    kedatangan::handle(txn, &self.exchange, self.announce, &b).await
                }
                None => Err(HandlerError::permanent(format!(
                    "berkas {}: {} has no work at the SIAK desk",
                    b.nomor_berkas, b.sop
                ))),
            }
        } else if m.is::<KeluargaPindah>() && self.mode == Mode::Register {
            pindah_datang::handle(txn, &m.decode()?).await
        } else if m.is::<CardStatusChanged>() {
            card_status::handle(txn, &m.decode()?).await
        } else {
            Err(HandlerError::permanent(format!(
                "the registry does not take `{}` messages",
                m.message_type
            )))
        }
    }
}
