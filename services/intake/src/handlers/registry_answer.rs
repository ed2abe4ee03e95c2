//! `registry.answer`: SIAK has answered about a berkas's NIK (S01.2, "verifies and validates").

use super::submitted::{accept, refuse};
use crate::store::pending;
use ktpel_bus::HandlerError;
use ktpel_contract::{berkas::BerkasSubmitted, registry::ResidentAnswer};
use ktpel_domain::KodeWilayah;
use sea_orm::{ConnectionTrait, EntityTrait, ModelTrait};

pub async fn handle<C: ConnectionTrait>(
    txn: &C,
    exchange: &str,
    answer: &ResidentAnswer,
) -> Result<(), HandlerError> {
    let Some(waiting) = pending::Entity::find_by_id(answer.request_id)
        .one(txn)
        .await?
    else {
        // Answered before (a duplicate answer with another message id): nothing waits.
        tracing::info!(request = %answer.request_id, "no berkas waits for this answer");
        return Ok(());
    };
    let submission: BerkasSubmitted = serde_json::from_value(waiting.submission.clone())
        .map_err(|e| HandlerError::permanent(format!("a stored submission is unreadable: {e}")))?;
    waiting.delete(txn).await?;
    match &answer.resident {
        Some(siak) => accept(txn, exchange, &submission, &siak.nama).await,
        None => {
            let kecamatan = KodeWilayah::parse(&submission.kecamatan)
                .map_err(|e| HandlerError::permanent(e.to_string()))?;
            let reason = format!(
                "NIK {} is not registered in the population register (SIAK): register the resident first (S04/S05)",
                answer.nik
            );
            refuse(txn, exchange, &submission, &kecamatan, vec![reason]).await
        }
    }
}
