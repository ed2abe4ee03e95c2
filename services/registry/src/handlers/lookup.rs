//! `registry.lookup` (and `registry.ask_dinas` at the register): answer with the resident's
//! biodata, or with "not registered". A kecamatan's copy that does not know the NIK passes
//! the lookup up to the register unchanged, which answers the asker directly.

use crate::{config::Mode, store::penduduk};
use ktpel_bus::{HandlerError, Outgoing, RoutingKey, outbox};
use ktpel_contract::registry::{ASK_DINAS, ResidentAnswer, ResidentLookup};
use sea_orm::{ConnectionTrait, EntityTrait};

pub async fn handle<C: ConnectionTrait>(
    txn: &C,
    exchange: &str,
    mode: Mode,
    m: &ResidentLookup,
) -> Result<(), HandlerError> {
    let resident = match penduduk::Entity::find_by_id(m.nik.to_string())
        .one(txn)
        .await?
    {
        Some(row) => Some(row.biodata().map_err(|e| {
            HandlerError::permanent(format!(
                "the register holds {} with an invalid NIK: {e}",
                row.nik
            ))
        })?),
        None => None,
    };
    let id = m.request_id.to_string();
    if resident.is_none() && mode == Mode::Copy {
        // Not one of this kecamatan's residents as far as the copy knows (moved in, or not
        // announced yet): the register decides. It waits in the uplink while the link is down.
        let key = RoutingKey::regional(ASK_DINAS, &m.answer_region())
            .map_err(|e| HandlerError::permanent(format!("reply_region: {e}")))?;
        outbox::enqueue(txn, exchange, &Outgoing::new(m, key, &id, &id)?).await?;
        tracing::info!(nik = %m.nik, "not in the kecamatan's copy; asked the Dinas");
        return Ok(());
    }
    tracing::info!(nik = %m.nik, found = resident.is_some(), "lookup answered");
    let answer = ResidentAnswer {
        request_id: m.request_id,
        nik: m.nik.clone(),
        resident,
    };
    let key = RoutingKey::regional(&m.reply_subject, &m.answer_region())
        .map_err(|e| HandlerError::permanent(format!("reply_subject: {e}")))?;
    outbox::enqueue(txn, exchange, &Outgoing::new(&answer, key, &id, &id)?).await?;
    Ok(())
}
