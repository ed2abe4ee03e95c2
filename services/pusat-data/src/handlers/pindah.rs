//! `registry.pindah_keluar` (S18): a family one Dinas's SIAK hands over to another
//! kabupaten/kota. The Pusat Data hands it on to the destination Dinas
//! (`registry.pindah_datang.<destination>`) with each member's enrollment on record and
//! national card status, so the destination can print their cards without enrolling them again.
//! A Dinas may only send under its own code (topic permissions), so it cannot publish into
//! another's region itself.

use super::PusatData;
use crate::store::{kartu, rekaman};
use ktpel_bus::{Context, HandlerError, Outgoing, RoutingKey};
use ktpel_contract::registry::{KeluargaPindah, PINDAH_DATANG, Rekaman};
use ktpel_domain::{KodeWilayah, wilayah::Level};
use sea_orm::EntityTrait;

pub async fn handle(ctx: &Context<'_, PusatData>, m: KeluargaPindah) -> Result<(), HandlerError> {
    let (txn, routing_key) = (ctx.txn, ctx.routing_key());
    let permanent = |why: String| HandlerError::permanent(format!("{}: {why}", m.nomor_skp));
    let sender = RoutingKey::region_of(routing_key)
        .ok_or_else(|| permanent(format!("the key `{routing_key}` names no region")))?;
    if sender.to_string() != m.dari {
        return Err(permanent(format!(
            "sent by {sender} for a family of {}: a Dinas hands over its own residents",
            m.dari
        )));
    }
    let ke = KodeWilayah::parse(&m.ke)
        .ok()
        .filter(|k| k.level() == Level::KabupatenKota)
        .ok_or_else(|| permanent(format!("`{}` is not a kabupaten/kota", m.ke)))?;
    let mut handed_on = m.clone();
    for member in &mut handed_on.anggota {
        let nik = member.biodata.nik.to_string();
        if let Some(r) = rekaman::Entity::find_by_id(nik.clone()).one(txn).await? {
            member.rekaman = Some(Rekaman {
                photo_sha256: r.photo_sha256,
                right_index: r.right_index,
                left_index: r.left_index,
                pas_foto: r.pas_foto,
                tanda_tangan: r.tanda_tangan,
            });
        }
        if let Some(k) = kartu::Entity::find_by_id(nik).one(txn).await?
            && member.status_kartu.is_none()
        {
            member.status_kartu = Some(k.status);
        }
    }
    let key = RoutingKey::regional(PINDAH_DATANG, &ke.to_string())
        .map_err(|e| permanent(e.to_string()))?;
    let message = Outgoing::new(&handed_on, key, &m.nomor_skp, &m.nomor_skp)?;
    ctx.outbox.push(message);
    tracing::info!(nomor_skp = %m.nomor_skp, dari = %m.dari, %ke, "family handed on to its destination");
    Ok(())
}
