//! Builds the running registry from its settings.

use crate::{RegistrySettings, SERVICE, config::Mode, handlers::RegistryHandler, store::Migrator};
use ktpel_bus::{Broker, BusError, Mailbox, QueueSpec, RoutingKey, Shutdown, Topology, Worker};
use ktpel_contract::{
    berkas::SIAK_DESK,
    enrollment::CARD_STATUS,
    registry::{ASK_DINAS, LOOKUP, PINDAH_DATANG, RESIDENT},
};
use sea_orm::DatabaseConnection;

/// Name of the registry's queue.
pub const QUEUE: &str = "registry.lookup";

/// At an announcing register: a bounded [`Mailbox`] of its announcements, so that those for a
/// kecamatan that runs no node (no downlink queue takes them) do not pile up as unrouted.
pub const ANNOUNCED: &str = "registry.announced";

/// A built registry, ready to [`Registry::run`].
pub struct Registry {
    pub db: DatabaseConnection,
    worker: Worker<RegistryHandler>,
}

impl Registry {
    /// Opens and migrates the database; nothing touches the broker until declared or run.
    pub async fn build(
        settings: &RegistrySettings,
        broker: Broker,
    ) -> Result<Self, ktpel_store::StoreError> {
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let region = settings.region.as_deref();
        // Lookups of its region; the register also takes what the copies could not answer,
        // a copy the residents the register announces.
        let second = match settings.own.mode {
            Mode::Register => ASK_DINAS,
            Mode::Copy => RESIDENT,
        };
        // And the card's status, for replacements (section C).
        let mut subjects = vec![LOOKUP.to_owned(), second.to_owned(), CARD_STATUS.to_owned()];
        if settings.own.mode == Mode::Register {
            // S05.4: the berkas of a new resident at SIAK's desk at the Dinas.
            subjects.push(SIAK_DESK.to_owned());
            // S18: families handed over by another kabupaten/kota's SIAK.
            subjects.push(PINDAH_DATANG.to_owned());
        }
        let bindings: Vec<String> = subjects
            .iter()
            .map(|s| RoutingKey::binding(s, region).expect("validated with the settings"))
            .collect();
        let handler = RegistryHandler {
            exchange: Topology::default().exchange,
            mode: settings.own.mode,
            announce: settings.own.announce,
        };
        let queue = QueueSpec::new(QUEUE, bindings);
        let mut worker = Worker::new(SERVICE, &db, &broker, &settings.amqp, queue, handler);
        if settings.own.announce {
            worker = worker.with_mailbox(Mailbox {
                name: ANNOUNCED.into(),
                bindings: vec![RoutingKey::binding(RESIDENT, region).expect("validated")],
            });
        }
        Ok(Self { db, worker })
    }

    /// Declares the registry's queue (start-up, before the service reports ready).
    pub async fn declare(&self) -> Result<(), BusError> {
        self.worker.declare().await
    }

    /// Runs the consumer and the relay until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) {
        self.worker.run(shutdown).await
    }
}

ktpel_site::service!(Registry, crate::config::Own);
