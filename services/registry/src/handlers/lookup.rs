//! `registry.lookup` (and `registry.ask_dinas` at the register): answer with the resident's
//! biodata, or with "not registered". A kecamatan's copy that does not know the NIK passes
//! the lookup up to the register unchanged, which answers the asker directly.
//!
//! The answer goes to the region of the routing key the lookup came under — the region the
//! broker's topic permissions let the asker publish for — and only on a subject of an asker:
//! a kecamatan cannot have the Dinas answer into another kecamatan's downlink by writing
//! another `reply_region` or `reply_subject` in the body.

use super::Registry;
use crate::{
    config::Mode,
    store::{pendatang, penduduk},
};
use ktpel_bus::{Context, HandlerError, Outgoing, RoutingKey};
use ktpel_contract::registry::{
    ANSWER_TO_CARD_PRINT, ANSWER_TO_DESK, ANSWER_TO_INTAKE, ASK_DINAS, ResidentAnswer,
    ResidentLookup,
};
use sea_orm::EntityTrait;

/// The subjects a lookup may ask its answer on.
const ASKERS: [&str; 3] = [ANSWER_TO_INTAKE, ANSWER_TO_CARD_PRINT, ANSWER_TO_DESK];

pub async fn handle(ctx: &Context<'_, Registry>, m: ResidentLookup) -> Result<(), HandlerError> {
    let (txn, routing_key) = (ctx.txn, ctx.routing_key());
    let region = RoutingKey::region_of(routing_key)
        .ok_or_else(|| {
            HandlerError::permanent(format!("the lookup's key `{routing_key}` names no region"))
        })?
        .to_string();
    if let Some(asked) = &m.reply_region
        && *asked != region
    {
        return Err(HandlerError::permanent(format!(
            "reply_region {asked} is not the region the lookup was sent for ({region})"
        )));
    }
    if !ASKERS.contains(&m.reply_subject.as_str()) {
        return Err(HandlerError::permanent(format!(
            "reply_subject `{}` is not a subject answers go to ({})",
            m.reply_subject,
            ASKERS.join(", ")
        )));
    }
    let row = penduduk::Entity::find_by_id(m.nik.to_string())
        .one(txn)
        .await?;
    let resident = match &row {
        Some(row) => Some(row.biodata().map_err(|e| {
            HandlerError::permanent(format!(
                "the register holds {} with an invalid NIK: {e}",
                row.nik
            ))
        })?),
        None => None,
    };
    let mut status_kartu = row.and_then(|r| r.status_kartu);
    // S18: a resident handed over by another kabupaten/kota, not recorded here yet.
    let resident = match resident {
        Some(r) => Some(r),
        None => match pendatang::Entity::find_by_id(m.nik.to_string())
            .one(txn)
            .await?
        {
            Some(p) => {
                status_kartu = p.status_kartu;
                Some(serde_json::from_value(p.biodata).map_err(|e| {
                    HandlerError::permanent(format!("an arriving resident is unreadable: {e}"))
                })?)
            }
            None => None,
        },
    };
    let id = m.request_id.to_string();
    if resident.is_none() && ctx.service.mode == Mode::Copy {
        // Not one of this kecamatan's residents as far as the copy knows (moved in, or not
        // announced yet): the register decides. It waits in the uplink while the link is down.
        let key = RoutingKey::regional(ASK_DINAS, &region)
            .map_err(|e| HandlerError::permanent(e.to_string()))?;
        ctx.outbox.push(Outgoing::new(&m, key, &id, &id)?);
        tracing::info!(request = %m.request_id, "not in the kecamatan's copy; asked the Dinas");
        return Ok(());
    }
    tracing::info!(request = %m.request_id, found = resident.is_some(), "lookup answered");
    let answer = ResidentAnswer {
        request_id: m.request_id,
        nik: m.nik,
        resident,
        status_kartu,
    };
    let key = RoutingKey::regional(&m.reply_subject, &region)
        .map_err(|e| HandlerError::permanent(format!("reply_subject: {e}")))?;
    ctx.outbox.push(Outgoing::new(&answer, key, &id, &id)?);
    Ok(())
}
