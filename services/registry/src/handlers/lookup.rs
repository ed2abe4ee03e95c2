//! `registry.lookup`: answer with the resident's biodata, or with "not registered".

use crate::store::penduduk;
use ktpel_bus::{HandlerError, Outgoing, RoutingKey, outbox};
use ktpel_contract::registry::{ResidentAnswer, ResidentLookup};
use sea_orm::{ConnectionTrait, EntityTrait};

pub async fn handle<C: ConnectionTrait>(
    txn: &C,
    exchange: &str,
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
    tracing::info!(nik = %m.nik, found = resident.is_some(), "lookup answered");
    let answer = ResidentAnswer {
        request_id: m.request_id,
        nik: m.nik.clone(),
        resident,
    };
    let key = RoutingKey::regional(&m.reply_subject, &m.answer_region())
        .map_err(|e| HandlerError::permanent(format!("reply_subject: {e}")))?;
    let id = m.request_id.to_string();
    outbox::enqueue(txn, exchange, &Outgoing::new(&answer, key, &id, &id)?).await?;
    Ok(())
}
