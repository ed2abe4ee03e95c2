//! `berkas.handoff.operator`: S01.3, the operator receives the berkas from the ppp.

use super::Biometric;
use crate::store::operator_inbox;
use chrono::Utc;
use ktpel_bus::{Context, HandlerError};
use ktpel_contract::berkas::BerkasHandedOff;
use sea_orm::{ActiveValue::Set, EntityTrait};

pub async fn handle(ctx: &Context<'_, Biometric>, m: BerkasHandedOff) -> Result<(), HandlerError> {
    // Only a resident with a NIK is enrolled: SIAK gives a new one theirs first (S05).
    let Some(nik) = &m.nik else {
        return Err(HandlerError::permanent(format!(
            "berkas {} has no NIK: a resident is registered in SIAK before enrollment",
            m.nomor_berkas
        )));
    };
    let row = operator_inbox::ActiveModel {
        nomor_berkas: Set(m.nomor_berkas.clone()),
        nik: Set(nik.to_string()),
        handoff: Set(serde_json::to_value(&m).map_err(|e| HandlerError::permanent(e.to_string()))?),
        received_at: Set(Utc::now()),
    };
    // The same berkas handed over twice (a re-sent slip) stays one piece of work.
    operator_inbox::Entity::insert(row)
        .on_conflict_do_nothing_on([operator_inbox::Column::NomorBerkas])
        .exec_without_returning(ctx.txn)
        .await?;
    tracing::info!(nomor_berkas = %m.nomor_berkas, "berkas waits at the operator");
    Ok(())
}
