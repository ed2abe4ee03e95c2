//! `registry.resident` at a kecamatan's copy of SIAK: keep the resident as the register
//! announced them (a newer announcement replaces an older one).

use crate::seed;
use ktpel_bus::HandlerError;
use ktpel_contract::registry::ResidentRecorded;
use sea_orm::ConnectionTrait;

pub async fn handle<C: ConnectionTrait>(txn: &C, m: &ResidentRecorded) -> Result<(), HandlerError> {
    seed::upsert(txn, &m.resident).await?;
    tracing::debug!(nik = %m.resident.nik, "resident kept in the kecamatan's copy");
    Ok(())
}
