//! `registry.resident` at a kecamatan's copy of SIAK: keep the resident as the register
//! announced them (a newer announcement replaces an older one).

use super::Registry;
use crate::seed;
use ktpel_bus::{Context, HandlerError};
use ktpel_contract::registry::ResidentRecorded;

pub async fn handle(ctx: &Context<'_, Registry>, m: ResidentRecorded) -> Result<(), HandlerError> {
    seed::upsert(ctx.txn, &m.resident).await?;
    tracing::debug!("resident kept in the kecamatan's copy");
    Ok(())
}
