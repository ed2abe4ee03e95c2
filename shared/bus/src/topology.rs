//! The one place where exchanges and queues are declared.
//!
//! ```text
//!  publishers ──▶ ktpel (topic, durable) ──binding──▶ <queue> (quorum, x-delivery-limit)
//!                    │ alternate-exchange                │ dead-letter (limit reached)
//!                    ▼                                   ▼
//!            ktpel.unrouted (fanout)            ktpel.dlx (direct) ──<queue>──▶ <queue>.dlq
//!                    ▼                                   ▲
//!            ktpel.unrouted (queue)        consumer: permanent failure, with the reason
//! ```
//!
//! Nothing is dropped silently: a message no queue is bound for goes to `ktpel.unrouted`
//! (RabbitMQ's alternate exchange), and a poison message ends in its queue's `.dlq`, where ops
//! can read the reason and replay it. Declarations are idempotent, so every service declares
//! what it uses at start and after every reconnect.

use crate::BusError;
use lapin::{
    Channel, ExchangeKind,
    options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions},
    types::{AMQPValue, FieldTable, ShortString},
};

/// The durable topic exchange every service publishes its handoffs and events to.
pub const EXCHANGE: &str = "ktpel";

/// Names of the shared exchanges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    /// The durable topic exchange for handoffs and events.
    pub exchange: String,
    /// Where dead letters go, routed by the name of the queue they died in.
    pub dead_letter_exchange: String,
    /// Alternate exchange (and its queue) for messages no binding matched.
    pub unrouted: String,
}

impl Default for Topology {
    fn default() -> Self {
        Self {
            exchange: EXCHANGE.into(),
            dead_letter_exchange: "ktpel.dlx".into(),
            unrouted: "ktpel.unrouted".into(),
        }
    }
}

/// A consumer's queue: its name, what it binds, and its redelivery limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSpec {
    pub name: String,
    /// Binding patterns on the topic exchange, e.g. `berkas.operator.32.73.#`.
    pub bindings: Vec<String>,
    /// Deliveries before the broker dead-letters the message (`x-delivery-limit`).
    pub delivery_limit: u32,
}

impl QueueSpec {
    pub fn new(name: impl Into<String>, bindings: impl IntoIterator<Item = String>) -> Self {
        Self {
            name: name.into(),
            bindings: bindings.into_iter().collect(),
            delivery_limit: 5,
        }
    }

    pub fn with_delivery_limit(mut self, limit: u32) -> Self {
        self.delivery_limit = limit;
        self
    }

    /// The name of this queue's dead-letter queue.
    pub fn dead_letter_queue(&self) -> String {
        dead_letter_queue(&self.name)
    }
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

/// `<queue>.dlq`.
pub fn dead_letter_queue(queue: &str) -> String {
    format!("{queue}.dlq")
}

impl Topology {
    /// Declares the exchanges (and the unrouted queue). Idempotent.
    pub async fn declare_exchanges(&self, ch: &Channel) -> Result<(), BusError> {
        exchange(
            ch,
            &self.unrouted,
            ExchangeKind::Fanout,
            FieldTable::default(),
        )
        .await?;
        let mut args = FieldTable::default();
        args.insert(
            "alternate-exchange".into(),
            AMQPValue::LongString(self.unrouted.as_str().into()),
        );
        exchange(ch, &self.exchange, ExchangeKind::Topic, args).await?;
        exchange(
            ch,
            &self.dead_letter_exchange,
            ExchangeKind::Direct,
            FieldTable::default(),
        )
        .await?;
        quorum_queue(ch, &self.unrouted, FieldTable::default()).await?;
        ch.queue_bind(
            self.unrouted.as_str().into(),
            self.unrouted.as_str().into(),
            "".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(BusError::amqp("queue.bind"))
    }

    /// Checks that the topic exchange exists, without declaring it (a passive declare needs
    /// no `configure` permission): for a publisher on another site's broker, which owns its
    /// exchanges, such as the NID Scheduler on the Pusat Data's.
    pub async fn check_exchange(&self, ch: &Channel) -> Result<(), BusError> {
        ch.exchange_declare(
            ShortString::from(self.exchange.as_str()),
            ExchangeKind::Topic,
            ExchangeDeclareOptions {
                passive: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .map_err(BusError::amqp("exchange.declare passive"))
    }

    /// Declares a consumer queue, its bindings and its dead-letter queue. Idempotent.
    pub async fn declare_queue(&self, ch: &Channel, spec: &QueueSpec) -> Result<(), BusError> {
        self.declare_exchanges(ch).await?;
        let dlq = spec.dead_letter_queue();
        quorum_queue(ch, &dlq, FieldTable::default()).await?;
        bind(ch, &dlq, &self.dead_letter_exchange, &spec.name).await?;

        let mut args = FieldTable::default();
        args.insert(
            "x-delivery-limit".into(),
            AMQPValue::LongInt(spec.delivery_limit.min(i32::MAX as u32) as i32),
        );
        args.insert(
            "x-dead-letter-exchange".into(),
            AMQPValue::LongString(self.dead_letter_exchange.as_str().into()),
        );
        args.insert(
            "x-dead-letter-routing-key".into(),
            AMQPValue::LongString(spec.name.as_str().into()),
        );
        // At-least-once dead-lettering needs reject-publish overflow (RabbitMQ 3.10+): a
        // message leaves the queue only once its dead-lettered copy is safe.
        args.insert(
            "x-dead-letter-strategy".into(),
            AMQPValue::LongString("at-least-once".into()),
        );
        args.insert(
            "x-overflow".into(),
            AMQPValue::LongString("reject-publish".into()),
        );
        quorum_queue(ch, &spec.name, args).await?;
        for pattern in &spec.bindings {
            bind(ch, &spec.name, &self.exchange, pattern).await?;
        }
        Ok(())
    }

    /// Declares a mailbox: a bounded queue for answers that nobody may be waiting for (a
    /// desk that sent a berkas and went home). It keeps the last `max_length` messages (the
    /// oldest dropped beyond that), each for `ttl` at most, so it never grows without bound —
    /// unlike the unrouted queue, where such answers would otherwise pile up. A quorum queue
    /// like every other: in a cluster it stays when a node is lost, where a classic queue
    /// would leave its answers with nowhere to go. Idempotent.
    pub async fn declare_mailbox(
        &self,
        ch: &Channel,
        name: &str,
        bindings: &[String],
        max_length: u32,
        ttl: std::time::Duration,
    ) -> Result<(), BusError> {
        let mut args = FieldTable::default();
        args.insert(
            "x-max-length".into(),
            AMQPValue::LongInt(max_length.min(i32::MAX as u32) as i32),
        );
        args.insert(
            "x-message-ttl".into(),
            AMQPValue::LongInt(ttl.as_millis().min(i32::MAX as u128) as i32),
        );
        quorum_queue(ch, name, args).await?;
        self.bind_all(ch, name, bindings).await
    }

    /// Declares a queue that only a shovel reads — a site's link to another site's broker
    /// (`ktpel-site`) — and binds it to the topic exchange. Quorum and durable like every
    /// queue here, but with no delivery limit and no dead-letter queue: a shovel never
    /// rejects, it holds on until the other side confirms. Declares no exchange, so a site's
    /// least-privileged user on another site's broker can run it. Idempotent.
    pub async fn declare_link_queue(
        &self,
        ch: &Channel,
        name: &str,
        bindings: &[String],
    ) -> Result<(), BusError> {
        quorum_queue(ch, name, FieldTable::default()).await?;
        self.bind_all(ch, name, bindings).await
    }

    async fn bind_all(
        &self,
        ch: &Channel,
        queue: &str,
        patterns: &[String],
    ) -> Result<(), BusError> {
        for pattern in patterns {
            bind(ch, queue, &self.exchange, pattern).await?;
        }
        Ok(())
    }
}

async fn exchange(
    ch: &Channel,
    name: &str,
    kind: ExchangeKind,
    args: FieldTable,
) -> Result<(), BusError> {
    ch.exchange_declare(
        ShortString::from(name),
        kind,
        ExchangeDeclareOptions {
            durable: true,
            ..Default::default()
        },
        args,
    )
    .await
    .map_err(BusError::amqp("exchange.declare"))
}

async fn quorum_queue(ch: &Channel, name: &str, mut args: FieldTable) -> Result<(), BusError> {
    args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    durable_queue(ch, name, args).await
}

async fn durable_queue(ch: &Channel, name: &str, args: FieldTable) -> Result<(), BusError> {
    ch.queue_declare(
        ShortString::from(name),
        QueueDeclareOptions {
            durable: true,
            ..Default::default()
        },
        args,
    )
    .await
    .map(|_| ())
    .map_err(BusError::amqp("queue.declare"))
}

async fn bind(ch: &Channel, queue: &str, exchange: &str, key: &str) -> Result<(), BusError> {
    ch.queue_bind(
        ShortString::from(queue),
        ShortString::from(exchange),
        ShortString::from(key),
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await
    .map_err(BusError::amqp("queue.bind"))
}
