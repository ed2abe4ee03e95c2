//! Builds the running service from its settings: database, broker, consumer, relay.

use crate::{IntakeSettings, SERVICE, handlers::IntakeHandler, store::Migrator};
use ktpel_bus::{Broker, QueueSpec, Relay, RoutingKey, Shutdown, Topology, consumer::Consumer};
use ktpel_contract::{
    berkas::{HANDOFF, SUBMITTED},
    registry::ANSWER_TO_INTAKE,
};
use sea_orm::DatabaseConnection;

/// Name of intake's queue.
pub const QUEUE: &str = "intake.berkas";

/// A built intake service, ready to [`Intake::run`].
pub struct Intake {
    pub db: DatabaseConnection,
    pub broker: Broker,
    consumer: Consumer<IntakeHandler>,
    relay: Relay,
}

impl Intake {
    /// Opens and migrates the database; nothing touches the broker until [`Intake::run`].
    pub async fn build(
        settings: &IntakeSettings,
        broker: Broker,
    ) -> Result<Self, ktpel_store::StoreError> {
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let topology = Topology::default();
        let binding = RoutingKey::binding(SUBMITTED, settings.region.as_deref())
            .expect("validated with the settings");
        // The registry answers on its own subject, whatever region this intake serves.
        let answers = RoutingKey::binding(ANSWER_TO_INTAKE, None).expect("a valid subject");
        // The berkas comes back to the ppp after enrollment (S01.7).
        let back = RoutingKey::binding(&format!("{HANDOFF}.ppp"), settings.region.as_deref())
            .expect("validated with the settings");
        let queue = QueueSpec::new(QUEUE, [binding, answers, back])
            .with_delivery_limit(settings.amqp.delivery_limit);
        let relay = Relay::new(db.clone(), broker.clone(), SERVICE)
            .with_batch(settings.amqp.confirm_window);
        let consumer = Consumer::new(
            broker.clone(),
            db.clone(),
            topology.clone(),
            queue,
            IntakeHandler {
                exchange: topology.exchange.clone(),
            },
        )
        .with_prefetch(settings.amqp.prefetch)
        .with_partitions(usize::from(settings.amqp.partitions))
        .with_outbox(relay.waker());
        Ok(Self {
            db,
            broker,
            consumer,
            relay,
        })
    }

    /// Declares intake's queue on the broker (start-up, before the service reports ready).
    pub async fn declare(&self) -> Result<(), ktpel_bus::BusError> {
        self.consumer.declare().await
    }

    /// Runs the consumer and the relay until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) {
        let relay = tokio::spawn(self.relay.run(shutdown.clone()));
        if let Err(e) = self.consumer.run(shutdown.clone()).await {
            tracing::error!(error = %e, "intake consumer stopped");
        }
        let _ = relay.await;
    }
}
