//! The moving parts every service has: one consumer for its queue and one relay for its
//! outbox, assembled the same way everywhere, declared at start, run until shutdown.

use crate::{Broker, BusError, Handler, QueueSpec, Relay, Shutdown, Topology, consumer::Consumer};
use ktpel_settings::AmqpSettings;
use sea_orm::DatabaseConnection;

/// A service's consumer and relay.
pub struct Worker<H> {
    consumer: Consumer<H>,
    relay: Relay,
    broker: Broker,
    /// Bounded homes for the answers it sends that nobody may be waiting for.
    mailboxes: Vec<Mailbox>,
}

/// A bounded queue for a service's answers to desks that may not be listening (see
/// [`Topology::declare_mailbox`]): the last [`Mailbox::KEPT`] answers, a day at most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: String,
    pub bindings: Vec<String>,
}

impl Mailbox {
    /// How many answers a mailbox keeps.
    pub const KEPT: u32 = 10_000;
    /// How long it keeps one.
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
}

impl<H: Handler> Worker<H> {
    /// The consumer of `queue` (with `amqp`'s prefetch, partitions and delivery limit) and
    /// the relay of the outbox in `db`; each commit of the consumer wakes the relay.
    pub fn new(
        app_id: &str,
        db: &DatabaseConnection,
        broker: &Broker,
        amqp: &AmqpSettings,
        queue: QueueSpec,
        handler: H,
    ) -> Self {
        let relay = Relay::new(db.clone(), broker.clone(), app_id).with_batch(amqp.confirm_window);
        let consumer = Consumer::new(
            broker.clone(),
            db.clone(),
            Topology::default(),
            queue.with_delivery_limit(amqp.delivery_limit),
            handler,
        )
        .with_prefetch(amqp.prefetch)
        .with_partitions(usize::from(amqp.partitions))
        .with_outbox(relay.waker());
        Self {
            consumer,
            relay,
            broker: broker.clone(),
            mailboxes: Vec::new(),
        }
    }

    /// Declares `mailbox` with the queue: where the service's answers wait, bounded, for a
    /// desk that did not stay to listen (instead of piling up as unrouted).
    pub fn with_mailbox(mut self, mailbox: Mailbox) -> Self {
        self.mailboxes.push(mailbox);
        self
    }

    /// Declares the queue and the mailboxes now (start-up, before the service reports ready).
    pub async fn declare(&self) -> Result<(), BusError> {
        self.consumer.declare().await?;
        if self.mailboxes.is_empty() {
            return Ok(());
        }
        let ch = self.broker.channel().await?;
        let mut result = Ok(());
        for m in &self.mailboxes {
            result = Topology::default()
                .declare_mailbox(&ch, &m.name, &m.bindings, Mailbox::KEPT, Mailbox::TTL)
                .await;
            if result.is_err() {
                break;
            }
        }
        let _ = ch.close(200, "declared".into()).await;
        result
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
