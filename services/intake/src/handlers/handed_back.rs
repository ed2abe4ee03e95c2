//! `berkas.handoff.ppp` and `berkas.dinas.ppp`: a berkas at a service counter further along
//! its route.
//!
//! At the route's last hop the ppp closes the berkas: archives it (S01.7) and gives the bukti
//! perekaman (S01.8), or, for a new resident, gives the KK and tells them that enrollment can
//! now be done (S05.6–S05.7). At a hop in between — the Dinas's counter in S05 — the ppp
//! writes the buku harian (a berkas from a kecamatan is opened here under its number) and
//! hands the berkas on to the next desk.

use crate::store::{
    berkas,
    timeline::{self, Entry},
};
use chrono::{DateTime, Utc};
use ktpel_bus::{Context, HandlerError};
use ktpel_contract::berkas::BerkasHandedOff;
use ktpel_domain::{
    StatusKartu,
    sop::{Desk, Hop, Sop},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};

/// The berkas at this counter: closed at its route's last hop (S01.7–S01.8, S05.6–S05.7),
/// else recorded and handed on (S05.3, S05.5).
pub async fn handle(
    ctx: &Context<'_, super::Intake>,
    m: BerkasHandedOff,
) -> Result<(), HandlerError> {
    let (txn, outbox) = (ctx.txn, ctx.outbox);
    let route = Sop::get(m.sop)
        .route()
        .ok_or_else(|| HandlerError::permanent(format!("{} has no route", m.sop)))?;
    let here = route
        .get(m.hop)
        .filter(|h| h.desk == Desk::Loket)
        .ok_or_else(|| {
            HandlerError::permanent(format!(
                "berkas {}: hop {} of {} is not a service counter",
                m.nomor_berkas, m.hop, m.sop
            ))
        })?;
    let row = match berkas::Entity::find_by_id(m.nomor_berkas.clone())
        .one(txn)
        .await?
    {
        Some(row) => row,
        // S05.3: the Dinas's counter opens the berkas that a kecamatan sent.
        None if m.hop > 0 => open_here(txn, &m, here).await?,
        None => {
            return Err(HandlerError::permanent(format!(
                "berkas {} was never accepted by this intake",
                m.nomor_berkas
            )));
        }
    };
    let next = route.get(m.hop + 1);
    // A copy of a slip this counter already acted on: closed, or (in between) stamped. (A
    // route may cite one step at several hops — S03 is one paragraph — but only its last
    // hop closes.)
    if row.archived_at.is_some() {
        return Ok(());
    }
    // What this counter has recorded of the berkas: (hop, step, time to the millisecond — the
    // databases keep less than chrono does).
    let known: Vec<(String, String, i64)> = timeline::Entity::find()
        .filter(timeline::Column::NomorBerkas.eq(m.nomor_berkas.clone()))
        .all(txn)
        .await?
        .into_iter()
        .map(|t| (t.hop, t.step, t.at.timestamp_millis()))
        .collect();
    let done_here = known
        .iter()
        .any(|(hop, step, _)| *hop == here.to_string() && step == here.step);
    if next.is_some() && done_here {
        return Ok(());
    }
    let now = Utc::now();
    let mut entries = stamps_not_yet_here(&m, &known);
    match next {
        None => entries.extend(closing(&m, here, now)),
        Some(_) => entries.push(Entry::new(
            here.to_string(),
            here.step.to_owned(),
            here.action.to_owned(),
            now,
        )),
    }
    timeline::write(txn, &m.nomor_berkas, entries).await?;
    let mut row = row.into_active_model();
    if let Some(nik) = &m.nik {
        row.nik = Set(nik.to_string());
    }
    match next {
        None => {
            row.at_hop = Set("arsip".into());
            row.bukti_perekaman = Set(m.bukti_perekaman.clone());
            row.archived_at = Set(Some(now));
            row.update(txn).await?;
            tracing::info!(nomor_berkas = %m.nomor_berkas, "berkas closed at the counter");
        }
        Some(next) => {
            row.at_hop = Set(next.to_string());
            row.update(txn).await?;
            let (_, message) = m.onward(here, next, format!("ppp@{}", here.place), now)?;
            outbox.push(message);
            tracing::info!(nomor_berkas = %m.nomor_berkas, %next, "berkas handed on");
        }
    }
    Ok(())
}

/// The berkas as this counter first sees it (a kecamatan's, arriving at the Dinas).
async fn open_here<C: ConnectionTrait>(
    txn: &C,
    m: &BerkasHandedOff,
    here: &Hop,
) -> Result<berkas::Model, HandlerError> {
    let row = berkas::ActiveModel {
        nomor_berkas: Set(m.nomor_berkas.clone()),
        // Its own key here: the submission was the kecamatan desk's.
        submission_id: Set(uuid::Uuid::now_v7()),
        sop: Set(m.sop),
        nik: Set(m.nik.as_ref().map(|n| n.to_string()).unwrap_or_default()),
        nama: Set(m.nama.clone()),
        kecamatan: Set(m.kecamatan.clone()),
        at_hop: Set(here.to_string()),
        status: Set(StatusKartu::BelumRekam),
        bukti_perekaman: Set(None),
        archived_at: Set(None),
        created_at: Set(Utc::now()),
    };
    Ok(row.insert(txn).await?)
}

/// The hops done elsewhere since the berkas was last here, from the slip's stamps: those not
/// in `known` by hop, step and time (a route may cite one step at several hops: S03).
fn stamps_not_yet_here(m: &BerkasHandedOff, known: &[(String, String, i64)]) -> Vec<Entry> {
    m.stamps
        .iter()
        .filter(|s| !known.contains(&(s.hop.clone(), s.step.clone(), s.at.timestamp_millis())))
        .map(|s| {
            Entry::new(
                s.hop.clone(),
                s.step.clone(),
                format!("selesai oleh {}", s.by),
                s.at,
            )
        })
        .collect()
}

/// The last hop: archived, and what the resident takes home.
fn closing(m: &BerkasHandedOff, here: &Hop, now: DateTime<Utc>) -> Vec<Entry> {
    let hop = here.to_string();
    let procedure = Sop::get(m.sop);
    let archived = match &m.no_kk {
        // S15–S17: the family's new KK signed and stamped here, the cards to distribution.
        Some(kk) if procedure.relocation() => {
            format!(
                "KK {kk} ditandatangani dan dicap; kartu ke petugas distribusi; berkas diarsipkan"
            )
        }
        _ => "berkas diarsipkan".to_owned(),
    };
    let mut entries = vec![Entry::new(hop.clone(), here.step.to_owned(), archived, now)];
    if let Some(bukti) = &m.bukti_perekaman {
        // S01.8/S02.8; S03 is one paragraph of SOP.md, cited whole.
        let step = if here.step.contains('.') {
            format!("{}.8", m.sop)
        } else {
            here.step.to_owned()
        };
        entries.push(Entry::new(
            hop,
            step,
            format!("bukti perekaman {bukti} diberikan kepada penduduk"),
            now,
        ));
    } else if let (Some(kk), Some(nik), true) = (&m.no_kk, &m.nik, procedure.new_resident()) {
        // S05.6–S05.7: the KK, and enrollment (S01/S02/S03) can now be done.
        entries.push(Entry::new(
            hop,
            format!("{}.7", m.sop),
            format!(
                "KK {kk} diserahkan; penduduk terdaftar dengan NIK {nik}, perekaman KTP-el dapat dilakukan (S01/S02/S03)"
            ),
            now,
        ));
    }
    entries
}
