//! The messaging backbone of the KTP-el services, on RabbitMQ through lapin.
//!
//! The berkas moves between services the way paper moves between desks, and this crate makes
//! sure none of it is lost or handled twice on the way (DESIGN.md, "Messaging"):
//!
//! - [`topology`]: the one place that declares exchanges and queues — a durable topic exchange,
//!   a dead-letter exchange, durable quorum queues with a delivery limit, and a dead-letter
//!   queue per consumer queue;
//! - [`message`]: what a message is on the wire — typed, versioned bodies and the AMQP
//!   properties every message carries (UUIDv7 id, correlation id, `type` with schema version,
//!   timestamp, app id, W3C `traceparent`);
//! - [`outbox`]: state change and outgoing messages commit in one transaction; a [`Relay`]
//!   publishes them with publisher confirms, in order, and waits out broker outages;
//! - [`router`]: what a service handles, declared once — the queue's bindings and the
//!   dispatch to its handlers both come from the list;
//! - [`consumer`]: manual acks after commit, an inbox against redelivery, retries with backoff
//!   for transient failures, the dead-letter queue with a readable reason for permanent ones;
//! - [`broker`]: the connection, re-established with backoff whenever it drops.

pub mod broker;
pub mod consumer;
mod error;
mod headers;
pub mod inbox;
pub mod message;
pub mod metrics;
pub mod outbox;
mod outcome;
pub mod publisher;
pub mod router;
pub mod routing;
pub mod topology;
pub mod worker;

pub use broker::Broker;
pub use consumer::{Consumer, Handler, HandlerError};
pub use error::BusError;
pub use message::{Incoming, Message, Outgoing};
pub use outbox::{Outbox, Relay};
pub use router::{Context, Router, Scope};
pub use routing::RoutingKey;
pub use topology::Mailbox;
pub use topology::{QueueSpec, Topology};
pub use worker::Worker;

/// Cancels every long-running task of the bus (consumers, relays) for a graceful shutdown.
pub use tokio_util::sync::CancellationToken as Shutdown;
