//! Builds the running registry from its settings.

use crate::{RegistrySettings, SERVICE, handlers::RegistryHandler, store::Migrator};
use ktpel_bus::{
    Broker, BusError, QueueSpec, Relay, RoutingKey, Shutdown, Topology, consumer::Consumer,
};
use ktpel_contract::registry::LOOKUP;
use sea_orm::DatabaseConnection;

/// Name of the registry's queue.
pub const QUEUE: &str = "registry.lookup";

/// A built registry, ready to [`Registry::run`].
pub struct Registry {
    pub db: DatabaseConnection,
    consumer: Consumer<RegistryHandler>,
    relay: Relay,
}

impl Registry {
    /// Opens and migrates the database; nothing touches the broker until declared or run.
    pub async fn build(
        settings: &RegistrySettings,
        broker: Broker,
    ) -> Result<Self, ktpel_store::StoreError> {
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let topology = Topology::default();
        let binding = RoutingKey::binding(LOOKUP, settings.region.as_deref())
            .expect("validated with the settings");
        let queue =
            QueueSpec::new(QUEUE, [binding]).with_delivery_limit(settings.amqp.delivery_limit);
        let relay = Relay::new(db.clone(), broker.clone(), SERVICE)
            .with_batch(settings.amqp.confirm_window);
        let consumer = Consumer::new(
            broker,
            db.clone(),
            topology.clone(),
            queue,
            RegistryHandler {
                exchange: topology.exchange,
            },
        )
        .with_prefetch(settings.amqp.prefetch)
        .with_partitions(usize::from(settings.amqp.partitions))
        .with_outbox(relay.waker());
        Ok(Self {
            db,
            consumer,
            relay,
        })
    }

    /// Declares the registry's queue (start-up, before the service reports ready).
    pub async fn declare(&self) -> Result<(), BusError> {
        self.consumer.declare().await
    }

    /// Runs the consumer and the relay until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) {
        let relay = tokio::spawn(self.relay.run(shutdown.clone()));
        if let Err(e) = self.consumer.run(shutdown.clone()).await {
            tracing::error!(error = %e, "registry consumer stopped");
        }
        let _ = relay.await;
    }
}
