//! Builds the running card-print service from its settings.

use crate::{
    CardPrintSettings, SERVICE, config::KeyError, handlers::CardPrintHandler, store::Migrator,
};
use ed25519_dalek::SigningKey;
use ktpel_bus::{Broker, BusError, QueueSpec, RoutingKey, Shutdown, Topology, Worker};
use ktpel_contract::{
    berkas::PRINTING_DESK,
    enrollment::{CARD_STATUS, CREATED, LOST},
    registry::{ANSWER_TO_CARD_PRINT, PINDAH_DATANG, PINDAH_KELUAR},
};
use sea_orm::DatabaseConnection;

pub const QUEUE: &str = "card_print.jobs";

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Store(#[from] ktpel_store::StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
}

pub struct CardPrint {
    pub db: DatabaseConnection,
    /// The Dinas chip-signing key, for the desk actions.
    pub key: SigningKey,
    worker: Worker<CardPrintHandler>,
}

impl CardPrint {
    pub async fn build(settings: &CardPrintSettings, broker: Broker) -> Result<Self, BuildError> {
        let key = settings.own.key()?;
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let region = settings.region.as_deref();
        let bindings = [
            RoutingKey::binding(CREATED, region),
            RoutingKey::binding(CARD_STATUS, region),
            RoutingKey::binding(ANSWER_TO_CARD_PRINT, None),
            // Section C: a replacement's berkas at the printing desk; a lost card reported.
            RoutingKey::binding(PRINTING_DESK, region),
            RoutingKey::binding(LOST, region),
            // S18: families leaving (their cards revoked) and arriving (their enrollments).
            RoutingKey::binding(PINDAH_KELUAR, region),
            RoutingKey::binding(PINDAH_DATANG, region),
        ]
        .map(|b| b.expect("validated with the settings"));
        let handler = CardPrintHandler {
            exchange: Topology::default().exchange,
        };
        let queue = QueueSpec::new(QUEUE, bindings);
        let worker = Worker::new(SERVICE, &db, &broker, &settings.amqp, queue, handler);
        Ok(Self { db, key, worker })
    }

    pub async fn declare(&self) -> Result<(), BusError> {
        self.worker.declare().await
    }

    pub async fn run(self, shutdown: Shutdown) {
        self.worker.run(shutdown).await
    }
}

ktpel_site::service!(CardPrint, crate::config::Own);
