//! Builds the running biometric service from its settings.

use crate::{BiometricSettings, SERVICE, handlers::BiometricHandler, store::Migrator};
use ktpel_bus::{
    Broker, BusError, QueueSpec, Relay, RoutingKey, Shutdown, Topology, consumer::Consumer,
};
use ktpel_contract::{berkas::HANDOFF, enrollment::CAPTURED};
use sea_orm::DatabaseConnection;

/// Name of the biometric service's queue.
pub const QUEUE: &str = "biometric.operator";

/// Why the service could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Store(#[from] ktpel_store::StoreError),
    #[error(transparent)]
    Key(#[from] crate::seal::SealError),
}

/// A built biometric service, ready to [`Biometric::run`].
pub struct Biometric {
    pub db: DatabaseConnection,
    consumer: Consumer<BiometricHandler>,
    relay: Relay,
}

impl Biometric {
    pub async fn build(settings: &BiometricSettings, broker: Broker) -> Result<Self, BuildError> {
        let key = settings.seal_key()?;
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let topology = Topology::default();
        let region = settings.region.as_deref();
        let bindings = [
            RoutingKey::binding(&format!("{HANDOFF}.operator"), region),
            RoutingKey::binding(CAPTURED, region),
        ]
        .into_iter()
        .map(|b| b.expect("validated with the settings"));
        let queue =
            QueueSpec::new(QUEUE, bindings).with_delivery_limit(settings.amqp.delivery_limit);
        let relay = Relay::new(db.clone(), broker.clone(), SERVICE)
            .with_batch(settings.amqp.confirm_window);
        let consumer = Consumer::new(
            broker,
            db.clone(),
            topology.clone(),
            queue,
            BiometricHandler {
                exchange: topology.exchange,
                key,
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

    /// Declares the service's queue (start-up, before it reports ready).
    pub async fn declare(&self) -> Result<(), BusError> {
        self.consumer.declare().await
    }

    /// Runs the consumer and the relay until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) {
        let relay = tokio::spawn(self.relay.run(shutdown.clone()));
        if let Err(e) = self.consumer.run(shutdown.clone()).await {
            tracing::error!(error = %e, "biometric consumer stopped");
        }
        let _ = relay.await;
    }
}
