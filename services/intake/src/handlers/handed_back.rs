//! `berkas.handoff.ppp`: the berkas comes back from the operator with the bukti perekaman;
//! the ppp archives it (S01.7) and gives the bukti to the resident (S01.8).

use crate::store::{berkas, timeline};
use chrono::Utc;
use ktpel_bus::HandlerError;
use ktpel_contract::berkas::BerkasHandedOff;
use ktpel_domain::sop::Sop;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};

pub async fn handle<C: ConnectionTrait>(txn: &C, m: &BerkasHandedOff) -> Result<(), HandlerError> {
    let Some(row) = berkas::Entity::find_by_id(m.nomor_berkas.clone())
        .one(txn)
        .await?
    else {
        return Err(HandlerError::permanent(format!(
            "berkas {} was never accepted by this intake",
            m.nomor_berkas
        )));
    };
    if row.archived_at.is_some() {
        return Ok(()); // handed back twice: archived already
    }
    let now = Utc::now();
    // The hops done elsewhere since intake handed the berkas on (its own stamp is the first).
    let mut entries: Vec<(String, String, String, chrono::DateTime<Utc>)> = m
        .stamps
        .iter()
        .skip(1)
        .map(|s| {
            (
                s.hop.clone(),
                s.step.clone(),
                format!("selesai oleh {}", s.by),
                s.at,
            )
        })
        .collect();
    let here = Sop::get(m.sop).route().and_then(|r| r.get(m.hop));
    let hop = here.map(|h| h.to_string()).unwrap_or_else(|| "ppp".into());
    let step = here.map(|h| h.step).unwrap_or("S01.7");
    entries.push((
        hop.clone(),
        step.to_owned(),
        "berkas diarsipkan".into(),
        now,
    ));
    if let Some(bukti) = &m.bukti_perekaman {
        // S01.8/S02.8; S03 is one paragraph of SOP.md, cited whole.
        let s08 = if step.contains('.') {
            format!("{}.8", m.sop)
        } else {
            step.to_owned()
        };
        entries.push((
            hop,
            s08,
            format!("bukti perekaman {bukti} diberikan kepada penduduk"),
            now,
        ));
    }
    for (hop, step, note, at) in entries {
        timeline::Entity::insert(timeline::ActiveModel {
            nomor_berkas: Set(m.nomor_berkas.clone()),
            hop: Set(hop),
            step: Set(step),
            note: Set(note),
            at: Set(at),
            ..Default::default()
        })
        .exec_without_returning(txn)
        .await?;
    }
    let mut row = row.into_active_model();
    row.at_hop = Set("arsip".into());
    row.bukti_perekaman = Set(m.bukti_perekaman.clone());
    row.archived_at = Set(Some(now));
    row.update(txn).await?;
    tracing::info!(nomor_berkas = %m.nomor_berkas, "berkas archived, bukti perekaman given");
    Ok(())
}
