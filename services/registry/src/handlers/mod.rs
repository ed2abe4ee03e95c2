//! What the registry takes from the bus, one file per message; [`router`] lists it.

pub mod biodata_entry;
pub mod card_status;
pub mod kedatangan;
pub mod lookup;
pub mod perubahan;
pub mod pindah_datang;
pub mod recorded;

use crate::{
    config::{Entry, Mode},
    seed,
    store::antrian,
};
use chrono::Utc;
use ktpel_bus::{Context, HandlerError, Outbox, Router, Scope};
use ktpel_contract::{
    berkas::{BerkasHandedOff, SIAK_DESK},
    enrollment::{CARD_STATUS, CardStatusChanged},
    registry::{
        ASK_DINAS, Biodata, KeluargaPindah, LOOKUP, PINDAH_DATANG, RESIDENT, ResidentLookup,
        ResidentRecorded,
    },
};
use ktpel_domain::sop::{Desk, Hop, SiakWork, Sop};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, EntityTrait, sea_query::OnConflict};

/// What the registry's handlers share: what kind of SIAK it is.
#[derive(Debug, Clone, Copy)]
pub struct Registry {
    /// The register, or a kecamatan's copy of it.
    pub mode: Mode,
    /// Whether new residents are announced to the kecamatan's copies.
    pub announce: bool,
    /// Who does SIAK's desk work: the registry as a berkas arrives, or the operator at `/siak`.
    pub entry: Entry,
}

impl From<&crate::config::Own> for Registry {
    fn from(own: &crate::config::Own) -> Self {
        Self {
            mode: own.mode,
            announce: own.announce,
            entry: own.entry,
        }
    }
}

/// SIAK's desk at work on one berkas: in a transaction, with what it sends on the commit, by
/// whom (the registry on its own, or the SIAK operator at `/siak`).
pub struct AtDesk<'a> {
    pub txn: &'a DatabaseTransaction,
    pub outbox: &'a Outbox,
    pub registry: &'a Registry,
    /// Who the berkas's timeline says did the work.
    pub operator: &'a str,
}

/// What SIAK's desk did for a berkas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    /// The number of the Kartu Keluarga printed, where the work printed one (a new resident's,
    /// S04.3/S05.4; an arriving family's, S15–S18).
    pub kk: Option<String>,
}

/// Who the timeline names when the registry does the desk's work on its own.
const AUTOMATIC: &str = "operator@dinas (SIAK)";

/// Everything the registry takes, for the region it serves: a copy of SIAK takes less than
/// the register, and what its mode does not take is refused (dead-lettered with the reason).
pub fn router(registry: Registry, region: Option<&str>) -> Router<Registry> {
    let mode = registry.mode;
    let router = Router::new(crate::SERVICE, registry, region)
        // S01.2 "verifies and validates": a desk asks whether the NIK is in SIAK.
        .route::<ResidentLookup>(LOOKUP, Scope::Region, lookup::handle)
        // Section C (S06–S18): the card must be in the resident's hands; SIAK keeps its status.
        .route::<CardStatusChanged>(CARD_STATUS, Scope::Region, card_status::handle);
    match mode {
        Mode::Register => router
            // S01.2 at a kecamatan whose copy does not know the NIK: the register answers.
            .route::<ResidentLookup>(ASK_DINAS, Scope::Region, lookup::handle)
            // S04.3, S05.4, S06/S07, S13/S14, S15–S18: the berkas at SIAK's desk at the Dinas.
            .route::<BerkasHandedOff>(SIAK_DESK, Scope::Region, siak_desk)
            // S18: a family handed over by another kabupaten/kota's SIAK.
            .route::<KeluargaPindah>(PINDAH_DATANG, Scope::Region, pindah_datang::handle),
        Mode::Copy => router
            // S01.2 while the link is down: the copy keeps the residents the register records.
            .route::<ResidentRecorded>(RESIDENT, Scope::Region, recorded::handle),
    }
}

/// A berkas at SIAK's desk: the registry does its work now, or puts it on the SIAK operator's
/// worklist (once, however often it is delivered) for `/siak`.
async fn siak_desk(ctx: &Context<'_, Registry>, b: BerkasHandedOff) -> Result<(), HandlerError> {
    match ctx.service.entry {
        Entry::Automatic => {
            let at = AtDesk {
                txn: ctx.txn,
                outbox: ctx.outbox,
                registry: ctx.service,
                operator: AUTOMATIC,
            };
            work(&at, &b).await.map(drop)
        }
        Entry::Desk => {
            // A berkas that is not SIAK's is dead-lettered now, not left on the worklist.
            siak_hop(&b)?;
            work_of(&b)?;
            let berkas = serde_json::to_value(&b)
                .map_err(|e| HandlerError::permanent(format!("berkas {}: {e}", b.nomor_berkas)))?;
            antrian::Entity::insert(antrian::ActiveModel {
                nomor_berkas: Set(b.nomor_berkas.clone()),
                sop: Set(b.sop),
                kecamatan: Set(b.kecamatan.clone()),
                berkas: Set(berkas),
                arrived_at: Set(Utc::now()),
            })
            .on_conflict(
                OnConflict::column(antrian::Column::NomorBerkas)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(ctx.txn)
            .await?;
            tracing::info!(nomor_berkas = %b.nomor_berkas, "berkas on SIAK's worklist");
            Ok(())
        }
    }
}

/// What SIAK's desk does for `b`'s procedure, or why it has nothing to do.
pub fn work_of(b: &BerkasHandedOff) -> Result<SiakWork, HandlerError> {
    Sop::get(b.sop).siak_work().ok_or_else(|| {
        HandlerError::permanent(format!(
            "berkas {}: {} has no work at the SIAK desk",
            b.nomor_berkas, b.sop
        ))
    })
}

/// SIAK's desk work on `b`: what the operator does depends on the procedure.
pub async fn work(at: &AtDesk<'_>, b: &BerkasHandedOff) -> Result<Done, HandlerError> {
    match work_of(b)? {
        SiakWork::Register => biodata_entry::handle(at, b).await,
        SiakWork::Correct | SiakWork::Change => perubahan::handle(at, b).await,
        SiakWork::Arrival => kedatangan::handle(at, b).await,
    }
}

/// Announces `people` to the copies of SIAK at their kecamatan, where the register keeps
/// copies: sent with the handler's commit.
pub(crate) fn announce(at: &AtDesk<'_>, people: &[Biodata]) -> Result<(), HandlerError> {
    if at.registry.announce {
        for message in
            seed::announcements(people).map_err(|e| HandlerError::permanent(e.to_string()))?
        {
            at.outbox.push(message);
        }
    }
    Ok(())
}

/// The SIAK desk's hop of the slip and the one after it, or why the berkas is not SIAK's.
pub(crate) fn siak_hop(m: &BerkasHandedOff) -> Result<(&'static Hop, &'static Hop), HandlerError> {
    let route = Sop::get(m.sop).route().unwrap_or_default();
    let (Some(here), Some(next)) = (route.get(m.hop), route.get(m.hop + 1)) else {
        return Err(HandlerError::permanent(format!(
            "berkas {}: hop {} of {} is not one SIAK acts at",
            m.nomor_berkas, m.hop, m.sop
        )));
    };
    if here.desk != Desk::Siak {
        return Err(HandlerError::permanent(format!(
            "berkas {}: {here} is not the SIAK desk",
            m.nomor_berkas
        )));
    }
    Ok((here, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktpel_bus::Message;

    fn registry(mode: Mode, announce: bool) -> Registry {
        Registry {
            mode,
            announce,
            entry: Entry::Automatic,
        }
    }

    fn takes(mode: Mode, region: &str) -> Vec<String> {
        router(registry(mode, false), Some(region))
            .routes()
            .map(|(t, s)| format!("{t}@{s}"))
            .collect()
    }

    fn on<M: Message>(subject: &str) -> String {
        format!("{}@{subject}", M::message_type())
    }

    #[test]
    fn the_register_takes_lookups_statuses_the_siak_desk_and_arriving_families() {
        let r = router(registry(Mode::Register, true), Some("32.73"));
        assert_eq!(
            r.bindings(),
            [
                "registry.lookup.32.73.#",
                "card.status.32.73.#",
                "registry.ask_dinas.32.73.#",
                "berkas.dinas.siak.32.73.#",
                "registry.pindah_datang.32.73.#",
            ]
        );
        assert_eq!(
            takes(Mode::Register, "32.73"),
            [
                on::<ResidentLookup>(LOOKUP),
                on::<CardStatusChanged>(CARD_STATUS),
                on::<ResidentLookup>(ASK_DINAS),
                on::<BerkasHandedOff>(SIAK_DESK),
                on::<KeluargaPindah>(PINDAH_DATANG),
            ]
        );
    }

    #[test]
    fn a_copy_takes_lookups_statuses_and_the_registers_announcements_only() {
        let r = router(registry(Mode::Copy, false), Some("32.73.01"));
        assert_eq!(
            r.bindings(),
            [
                "registry.lookup.32.73.01.#",
                "card.status.32.73.01.#",
                "registry.resident.32.73.01.#",
            ]
        );
        assert_eq!(
            takes(Mode::Copy, "32.73.01"),
            [
                on::<ResidentLookup>(LOOKUP),
                on::<CardStatusChanged>(CARD_STATUS),
                on::<ResidentRecorded>(RESIDENT),
            ]
        );
    }
}
