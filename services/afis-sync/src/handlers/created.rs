//! `enrollment.created`: a record for the Pusat Data joins the scheduler's queue.

use crate::store::outbound;
use chrono::Utc;
use ktpel_bus::{Context, HandlerError};
use ktpel_contract::enrollment::EnrollmentCreated;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

pub async fn handle(
    ctx: &Context<'_, super::AfisSync>,
    m: EnrollmentCreated,
) -> Result<(), HandlerError> {
    queue(ctx.txn, &m).await
}

/// Puts the record of `m` in the scheduler's queue, once (also how a bench fills it).
pub async fn queue<C: ConnectionTrait>(txn: &C, m: &EnrollmentCreated) -> Result<(), HandlerError> {
    outbound::Entity::insert(outbound::ActiveModel {
        enrollment_id: Set(m.enrollment_id),
        nomor_berkas: Set(m.nomor_berkas.clone()),
        nik: Set(m.nik.to_string()),
        enrollment: Set(
            serde_json::to_value(m).map_err(|e| HandlerError::permanent(e.to_string()))?
        ),
        queued_at: Set(Utc::now()),
        sent_at: Set(None),
        // Handled inside the span of the incoming message: its trace goes on to the Pusat Data.
        headers: Set(Some(
            serde_json::to_value(ktpel_telemetry::propagation::current_headers())
                .map_err(|e| HandlerError::permanent(e.to_string()))?,
        )),
        ..Default::default()
    })
    // The same enrollment announced twice is one record to send.
    .on_conflict_do_nothing_on([outbound::Column::EnrollmentId])
    .exec_without_returning(txn)
    .await?;
    Ok(())
}
