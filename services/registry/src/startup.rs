//! Builds the running registry from its settings.

use crate::{RegistrySettings, SERVICE, handlers::RegistryHandler, store::Migrator};
use ktpel_bus::{Broker, BusError, QueueSpec, RoutingKey, Shutdown, Topology, Worker};
use ktpel_contract::registry::LOOKUP;
use sea_orm::DatabaseConnection;

/// Name of the registry's queue.
pub const QUEUE: &str = "registry.lookup";

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
        let binding = RoutingKey::binding(LOOKUP, settings.region.as_deref())
            .expect("validated with the settings");
        let handler = RegistryHandler {
            exchange: Topology::default().exchange,
        };
        let queue = QueueSpec::new(QUEUE, [binding]);
        let worker = Worker::new(SERVICE, &db, &broker, &settings.amqp, queue, handler);
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
