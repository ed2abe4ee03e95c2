//! The moving parts every service has: one consumer for its queue and one relay for its
//! outbox, assembled the same way everywhere, declared at start, run until shutdown.

use crate::{
    Broker, BusError, Handler, QueueSpec, Relay, Shutdown, Topology, consumer::Consumer,
    topology::Mailbox,
};
use ktpel_settings::AmqpSettings;
use sea_orm::DatabaseConnection;

/// A service's database, consumer and relay.
pub struct Worker<H> {
    db: DatabaseConnection,
    consumer: Consumer<H>,
    relay: Relay,
}

impl<H: Handler> Worker<H> {
    /// The consumer of `queue` (with `amqp`'s prefetch, partitions, batch and delivery limit) and
    /// the relay of the outbox in `db` (with its confirm window and retention); each commit of
    /// the consumer wakes the relay.
    pub fn new(
        app_id: &str,
        db: &DatabaseConnection,
        broker: &Broker,
        amqp: &AmqpSettings,
        queue: QueueSpec,
        handler: H,
    ) -> Self {
        let relay = Relay::new(db.clone(), broker.clone(), app_id)
            .with_batch(amqp.confirm_window)
            .with_retention(amqp.outbox_retention());
        let consumer = Consumer::new(
            broker.clone(),
            db.clone(),
            Topology::default(),
            queue.with_delivery_limit(amqp.delivery_limit),
            handler,
        )
        .with_prefetch(amqp.prefetch)
        .with_partitions(usize::from(amqp.partitions))
        .with_batch(usize::from(amqp.batch))
        .with_batch_wait(std::time::Duration::from_millis(amqp.batch_wait_ms))
        .with_outbox(relay.waker());
        Self {
            db: db.clone(),
            consumer,
            relay,
        }
    }

    /// The service's database (status pages, desks, tests).
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Declares `mailbox` with the queue (at start and after every reconnect): where the
    /// service's answers wait, bounded, for a desk that did not stay to listen (instead of
    /// piling up as unrouted).
    pub fn with_mailbox(mut self, mailbox: Mailbox) -> Self {
        self.consumer = self.consumer.with_mailbox(mailbox);
        self
    }

    /// How many transactions the consumer has committed ([`Consumer::committed`]).
    pub fn committed(&self) -> tokio::sync::watch::Receiver<u64> {
        self.consumer.committed()
    }

    /// Declares the queue and the mailboxes now (start-up, before the service reports ready).
    pub async fn declare(&self) -> Result<(), BusError> {
        self.consumer.declare().await
    }

    /// Runs the consumer and the relay until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) {
        let relay = tokio::spawn(self.relay.run(shutdown.clone()));
        if let Err(e) = self.consumer.run(shutdown).await {
            tracing::error!(error = %e, "consumer stopped");
        }
        let _ = relay.await;
    }
}
