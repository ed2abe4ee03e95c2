//! Consuming: effects exactly once, failures sorted into "try again" and "never".
//!
//! For each delivery the [`Consumer`]:
//!
//! 1. reads the envelope (id, type); a delivery without one is dead-lettered at once;
//! 2. opens a transaction, records the message id in the inbox — a redelivery of a message
//!    whose effect already committed stops here and is acked — and runs the [`Handler`] in
//!    the same transaction, so the effect, the inbox row and any outgoing messages (the outbox)
//!    commit together;
//! 3. acks only after the commit.
//!
//! The handler answers with a [`HandlerError`]:
//! - **transient** (the database is busy, a peer is down): the transaction rolls back and the
//!   attempt is repeated with exponential backoff and jitter ([`backon`]). When the attempts
//!   are used up the message is returned to the queue (`nack`, requeue); the quorum queue counts
//!   deliveries and dead-letters it once `x-delivery-limit` is reached, so a message that can
//!   never succeed does not circle for ever, and one that fails during a long outage is not
//!   thrown away after a few seconds either.
//! - **permanent** (the body is not JSON, an unknown type or version, an invalid NIK): retrying
//!   the same bytes cannot help. A copy goes to the queue's dead-letter queue with the reason
//!   in the `x-ktpel-reason` header (confirmed by the broker), then the original is acked, and
//!   the consumer carries on with the next message.
//!
//! **Batches.** A partition that finds several deliveries waiting — or that gets more within
//! [`Consumer::with_batch_wait`] of the first — applies up to [`Consumer::with_batch`] of them
//! in one transaction — each with its inbox row, in queue order — and acks them after the one
//! commit: one commit (one fsync) for many messages. If
//! anything in the batch fails, the transaction rolls back and the same deliveries are handled
//! one by one as above, so only the bad message is retried or dead-lettered and its
//! neighbours commit without it. (The acks go one by one after the commit: an ack with
//! `multiple` would also ack what the other partitions hold on the shared channel.)

use crate::Mailbox;
pub use crate::outcome::Outcome;
use crate::{
    Broker, BusError, Incoming, Shutdown,
    outbox::{Outbox, Waker},
    publisher::{Publication, Publisher},
    topology::{QueueSpec, Topology},
};
use backon::{ExponentialBuilder, Retryable};
use futures_util::StreamExt;
use lapin::{
    Channel,
    message::Delivery,
    options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions},
    types::FieldTable,
};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use std::{collections::BTreeMap, future::Future, sync::Arc, time::Duration};
use tracing::Instrument;
use uuid::Uuid;

/// Header that carries why a message was dead-lettered by a consumer.
pub const REASON_HEADER: &str = "x-ktpel-reason";
/// Header that names the queue whose consumer dead-lettered the message.
pub const QUEUE_HEADER: &str = "x-ktpel-queue";
/// Header that keeps the routing key a dead-lettered message first came with: a dead letter
/// put back on its queue by name (a replay) is routed by it.
pub const ORIGINAL_KEY_HEADER: &str = "x-ktpel-original-routing-key";

/// How a handler failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandlerError {
    /// Worth another try later: the database is locked, a dependency is down.
    #[error("transient failure: {0}")]
    Transient(String),
    /// Never worth retrying: the message itself is wrong. The text is the dead-letter reason.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

impl HandlerError {
    pub fn transient(reason: impl Into<String>) -> Self {
        Self::Transient(reason.into())
    }

    pub fn permanent(reason: impl Into<String>) -> Self {
        Self::Permanent(reason.into())
    }

    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }
}

/// A database error inside a handler is transient: the same message may well succeed once
/// the database answers again.
impl From<sea_orm::DbErr> for HandlerError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Transient(format!("database: {e}"))
    }
}

impl From<BusError> for HandlerError {
    fn from(e: BusError) -> Self {
        match e {
            BusError::Encode { .. } => Self::Permanent(e.to_string()),
            other => Self::Transient(other.to_string()),
        }
    }
}

/// What a service does with a message. The effect must go through `txn`, and any outgoing
/// messages onto `outbox`, so that they commit with the inbox row. A service declares its
/// handlers in a [`crate::Router`], which is a `Handler`; tests may write one by hand.
pub trait Handler: Send + Sync + 'static {
    fn handle(
        &self,
        txn: &DatabaseTransaction,
        outbox: &Outbox,
        message: &Incoming,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send;
}

/// A shared handler is a handler (a test keeps one `Arc` to look inside).
impl<H: Handler> Handler for Arc<H> {
    fn handle(
        &self,
        txn: &DatabaseTransaction,
        outbox: &Outbox,
        message: &Incoming,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send {
        (**self).handle(txn, outbox, message)
    }
}

/// What to do right after a commit, before the ack. Only tests ask for anything but
/// `Continue`: `Crash` makes the consumer stop as if the process died at the worst moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterCommit {
    Continue,
    Crash,
}

type AfterCommitHook = Arc<dyn Fn(&Incoming) -> AfterCommit + Send + Sync>;
type OutcomeHook = Arc<dyn Fn(&Incoming, &Outcome) + Send + Sync>;

/// A consumer of one queue.
pub struct Consumer<H> {
    broker: Broker,
    db: DatabaseConnection,
    topology: Topology,
    queue: QueueSpec,
    handler: Arc<H>,
    app_id: String,
    prefetch: u16,
    /// Messages handled at once, each partition in order (see [`Consumer::with_partitions`]).
    partitions: usize,
    /// The most deliveries one partition applies in one transaction.
    batch: usize,
    /// How long a partition with a delivery in hand waits for more to fill its batch.
    batch_wait: Duration,
    /// Counts the transactions this consumer committed (see [`Consumer::committed`]).
    committed: tokio::sync::watch::Sender<u64>,
    retry: ExponentialBuilder,
    outbox: Option<Waker>,
    /// Declared with the queue, at start and after every reconnect.
    mailboxes: Vec<Mailbox>,
    after_commit: Option<AfterCommitHook>,
    on_outcome: Option<OutcomeHook>,
    metrics: crate::metrics::ConsumerMetrics,
}

impl<H: Handler> Consumer<H> {
    pub fn new(
        broker: Broker,
        db: DatabaseConnection,
        topology: Topology,
        queue: QueueSpec,
        handler: H,
    ) -> Self {
        Self {
            metrics: crate::metrics::ConsumerMetrics::new(&queue.name, broker.name()),
            app_id: broker.name().to_owned(),
            broker,
            db,
            topology,
            queue,
            handler: Arc::new(handler),
            prefetch: 64,
            partitions: 1,
            batch: 1,
            batch_wait: Duration::ZERO,
            committed: tokio::sync::watch::Sender::new(0),
            retry: ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(50))
                .with_max_delay(Duration::from_secs(2))
                .with_factor(2.0)
                .with_jitter()
                .with_max_times(5),
            outbox: None,
            mailboxes: Vec::new(),
            after_commit: None,
            on_outcome: None,
        }
    }

    /// Declares `mailbox` with the queue, at start and whenever the consumer reconnects (a
    /// broker that lost its definitions gets it back).
    pub fn with_mailbox(mut self, mailbox: Mailbox) -> Self {
        self.mailboxes.push(mailbox);
        self
    }

    /// The queue on `channel`, and the mailboxes, each on a channel of its own.
    ///
    /// A mailbox that an earlier version declared as a classic queue cannot be declared as a
    /// quorum one under the same name (PRECONDITION_FAILED): it is deleted and declared again
    /// — what it held are answers nobody waited for. A classic one whose node is down cannot
    /// even be deleted ("home node … is down"): the consumer goes on without it until the
    /// node is back, rather than stop the berkas with it.
    async fn declare_on(&self, channel: &lapin::Channel) -> Result<(), BusError> {
        self.topology.declare_queue(channel, &self.queue).await?;
        for m in &self.mailboxes {
            let declared = self.declare_mailbox(m).await;
            match declared {
                Ok(()) => {}
                Err(e) if e.is_inequivalent_queue() => {
                    tracing::warn!(mailbox = %m.name, "mailbox declared by an earlier version as a classic queue: replacing it with a quorum queue");
                    let own = self.broker.channel().await?;
                    own.queue_delete(m.name.as_str().into(), Default::default())
                        .await
                        .map_err(BusError::amqp("queue.delete"))?;
                    let _ = own.close(200, "deleted".into()).await;
                    self.declare_mailbox(m).await?;
                }
                Err(e) if e.is_unavailable_queue() => {
                    tracing::warn!(mailbox = %m.name, error = %e, "mailbox unavailable (its node is down?): going on without it");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// `m` declared on a channel of its own (a refused declare closes its channel).
    async fn declare_mailbox(&self, m: &Mailbox) -> Result<(), BusError> {
        let own = self.broker.channel().await?;
        self.topology
            .declare_mailbox(&own, &m.name, &m.bindings, Mailbox::KEPT, Mailbox::TTL)
            .await?;
        let _ = own.close(200, "declared".into()).await;
        Ok(())
    }

    /// Deliveries the broker may push before they are acked (basic.qos).
    pub fn with_prefetch(mut self, prefetch: u16) -> Self {
        self.prefetch = prefetch.max(1);
        self
    }

    /// Handles up to `n` messages at once. Messages with the same correlation id (the same
    /// berkas) always go to the same partition, so they are still handled in queue order.
    pub fn with_partitions(mut self, n: usize) -> Self {
        self.partitions = n.max(1);
        self
    }

    /// Applies up to `n` waiting deliveries of a partition in one transaction (1: each in its
    /// own). By default a batch never waits for more: it takes what has arrived.
    pub fn with_batch(mut self, n: usize) -> Self {
        self.batch = n.max(1);
        self
    }

    /// A partition with a delivery in hand waits up to `wait` for more to fill its batch.
    /// Under load, when deliveries come a few milliseconds apart, each transaction (and its
    /// commit's flush) then carries several; at rest, each hop is `wait` slower.
    pub fn with_batch_wait(mut self, wait: Duration) -> Self {
        self.batch_wait = wait;
        self
    }

    /// How many transactions this consumer has committed, changing after each: what a desk
    /// waits on to look for new work as soon as some may have arrived, rather than polling.
    pub fn committed(&self) -> tokio::sync::watch::Receiver<u64> {
        self.committed.subscribe()
    }

    /// The backoff between transient attempts, and how many there are.
    pub fn with_retry(mut self, retry: ExponentialBuilder) -> Self {
        self.retry = retry;
        self
    }

    /// Wakes this relay after each commit, so outgoing messages leave at once.
    pub fn with_outbox(mut self, waker: Waker) -> Self {
        self.outbox = Some(waker);
        self
    }

    /// Test hook: decide after each commit whether to "crash" before the ack (for a batch,
    /// the crash leaves the whole batch unacked).
    pub fn with_after_commit(
        mut self,
        hook: impl Fn(&Incoming) -> AfterCommit + Send + Sync + 'static,
    ) -> Self {
        self.after_commit = Some(Arc::new(hook));
        self
    }

    /// Observer of every outcome (metrics, tests).
    pub fn with_outcome_observer(
        mut self,
        hook: impl Fn(&Incoming, &Outcome) + Send + Sync + 'static,
    ) -> Self {
        self.on_outcome = Some(Arc::new(hook));
        self
    }

    /// Declares this consumer's queue (and the exchanges) now, so that messages published
    /// before the first delivery are not unroutable. [`Consumer::run`] declares it again
    /// after every reconnect.
    pub async fn declare(&self) -> Result<(), BusError> {
        let channel = self.broker.channel().await?;
        self.declare_on(&channel).await?;
        let _ = channel.close(200, "declared".into()).await;
        Ok(())
    }

    /// Runs until `shutdown`, reconnecting with backoff whenever the channel is lost.
    ///
    /// Returns `Err(BusError::Shutdown)`-free: `Ok(())` at shutdown, `Err` only when the
    /// after-commit hook asked for a crash.
    pub async fn run(self, shutdown: Shutdown) -> Result<(), Crashed> {
        let this = Arc::new(self);
        this.run_shared(shutdown).await
    }

    async fn run_shared(self: Arc<Self>, shutdown: Shutdown) -> Result<(), Crashed> {
        let mut backoff = self.broker.reconnect_backoff();
        while !shutdown.is_cancelled() {
            match self.consume_until_failure(&shutdown).await {
                Ok(Stop::Shutdown) => return Ok(()),
                Ok(Stop::Crash) => return Err(Crashed),
                Ok(Stop::Continue) => {}
                Err(BusError::Shutdown) => return Ok(()),
                Err(e) => {
                    let delay = backoff.next().unwrap_or(Duration::from_secs(5));
                    tracing::warn!(queue = %self.queue.name, error = %e, ?delay, "consumer lost its channel; reconnecting");
                    tokio::select! {
                        _ = shutdown.cancelled() => return Ok(()),
                        _ = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
        Ok(())
    }

    async fn consume_until_failure(
        self: &Arc<Self>,
        shutdown: &Shutdown,
    ) -> Result<Stop, BusError> {
        let channel = self.broker.channel_with_retry(shutdown).await?;
        self.declare_on(&channel).await?;
        channel
            .basic_qos(self.prefetch, BasicQosOptions::default())
            .await
            .map_err(BusError::amqp("basic.qos"))?;
        let dead_letters =
            Arc::new(Publisher::new(self.broker.channel().await?, self.app_id.clone()).await?);
        let mut deliveries = channel
            .basic_consume(
                self.queue.name.as_str().into(),
                format!("{}-{}", self.app_id, Uuid::now_v7()).into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(BusError::amqp("basic.consume"))?;
        tracing::info!(queue = %self.queue.name, partitions = self.partitions, "consuming");

        // One worker per partition; a message goes to the partition of its correlation id,
        // so messages about one berkas are handled one after the other, in queue order,
        // while different berkas proceed in parallel.
        let mut partitions = Vec::with_capacity(self.partitions);
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..self.partitions {
            let (tx, mut rx) = tokio::sync::mpsc::channel::<Delivery>(usize::from(self.prefetch));
            partitions.push(tx);
            let (this, ch, dl, stop) = (
                self.clone(),
                channel.clone(),
                dead_letters.clone(),
                shutdown.clone(),
            );
            workers.spawn(async move {
                while let Some(first) = rx.recv().await {
                    // At shutdown, deliveries not started yet go back to the queue when the
                    // channel closes; the batch in hand is finished first.
                    if stop.is_cancelled() {
                        break;
                    }
                    let mut batch = vec![first];
                    let until = tokio::time::Instant::now() + this.batch_wait;
                    while batch.len() < this.batch {
                        let next = match rx.try_recv() {
                            Ok(next) => Some(next),
                            Err(_) if this.batch_wait.is_zero() => None,
                            Err(_) => tokio::time::timeout_at(until, rx.recv())
                                .await
                                .ok()
                                .flatten(),
                        };
                        match next {
                            Some(next) => batch.push(next),
                            None => break,
                        }
                    }
                    if let Stop::Crash = this.process_batch(&ch, &dl, batch).await? {
                        return Ok(Stop::Crash);
                    }
                }
                Ok::<Stop, BusError>(Stop::Shutdown)
            });
        }
        let stop = loop {
            tokio::select! {
                _ = shutdown.cancelled() => break Ok(Stop::Shutdown),
                ended = workers.join_next() => {
                    // A worker only ends early on a crash or a channel failure.
                    break match ended {
                        Some(Ok(result)) => result,
                        Some(Err(join)) => Err(BusError::Worker(join.to_string())),
                        None => Ok(Stop::Shutdown),
                    };
                }
                next = deliveries.next() => match next {
                    Some(Ok(delivery)) => {
                        let partition = self.partition_of(&delivery);
                        if partitions[partition].send(delivery).await.is_err() {
                            break Err(BusError::Worker("a partition worker stopped".into()));
                        }
                    }
                    Some(Err(source)) => break Err(BusError::Amqp { operation: "consume", source }),
                    None => break Err(BusError::Amqp {
                        operation: "consume",
                        source: lapin::ErrorKind::InvalidChannelState(
                            lapin::ChannelState::Closed,
                            "basic.deliver",
                        )
                        .into(),
                    }),
                },
            }
        };
        drop(partitions);
        if matches!(stop, Ok(Stop::Shutdown)) {
            // Let each worker finish the message in hand.
            while workers.join_next().await.is_some() {}
        } else {
            workers.abort_all();
        }
        dead_letters.close().await;
        let _ = channel.close(200, "consumer stopping".into()).await;
        stop
    }

    /// The partition of a delivery: a stable hash of its correlation id (the aggregate).
    fn partition_of(&self, delivery: &Delivery) -> usize {
        use std::hash::{Hash, Hasher};
        if self.partitions == 1 {
            return 0;
        }
        let mut hasher = std::hash::DefaultHasher::new();
        delivery
            .properties
            .correlation_id()
            .as_ref()
            .map(|c| c.as_str())
            .unwrap_or_default()
            .hash(&mut hasher);
        (hasher.finish() % self.partitions as u64) as usize
    }

    /// Handles deliveries of one partition, in order: together in one transaction when they
    /// all apply, else one by one.
    async fn process_batch(
        &self,
        channel: &Channel,
        dead_letters: &Publisher,
        batch: Vec<Delivery>,
    ) -> Result<Stop, BusError> {
        if batch.len() > 1 {
            let started = std::time::Instant::now();
            let incoming: Result<Vec<Incoming>, _> =
                batch.iter().map(Incoming::from_delivery).collect();
            if let Ok(incoming) = incoming {
                match self.waking_relay(self.apply_together(&incoming)).await {
                    Ok(applied) => {
                        if self.crashes_after(&incoming, &applied) {
                            return Ok(Stop::Crash);
                        }
                        // The acks go out together: each awaits only its frame's write, and
                        // one after another they would wait for the I/O loop once each.
                        futures_util::future::try_join_all(
                            batch.iter().map(|delivery| ack(channel, delivery)),
                        )
                        .await?;
                        for (m, applied) in incoming.iter().zip(applied) {
                            let outcome = if applied {
                                Outcome::Applied
                            } else {
                                Outcome::Duplicate
                            };
                            self.metrics.delivered();
                            self.metrics
                                .settled(&outcome, started.elapsed(), &m.headers);
                            self.observe(m, &outcome);
                        }
                        return Ok(Stop::Continue);
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, size = batch.len(), queue = %self.queue.name, "a batch failed; handling its messages one by one");
                    }
                }
            }
        }
        for delivery in batch {
            if let Stop::Crash = self.process(channel, dead_letters, delivery).await? {
                return Ok(Stop::Crash);
            }
        }
        Ok(Stop::Continue)
    }

    /// Applies `messages` in one transaction, each with its inbox row, in order; for each,
    /// whether it was applied now (`false`: the inbox had it). Any failure rolls back all.
    async fn apply_together(
        &self,
        messages: &[Incoming],
    ) -> Result<(Vec<bool>, Sent), HandlerError> {
        let outbox = Outbox::default();
        let txn = ktpel_store::begin_write(&self.db).await?;
        let ids: Vec<(Uuid, &str)> = messages
            .iter()
            .map(|m| (m.message_id, m.message_type.as_str()))
            .collect();
        let mut new = match crate::inbox::record_all(&txn, &self.queue.name, &ids).await {
            Ok(new) => new,
            Err(e) => {
                let _ = txn.rollback().await;
                return Err(e.into());
            }
        };
        let mut applied = Vec::with_capacity(messages.len());
        for m in messages {
            // `remove`: should one id come twice in a batch, only its first copy applies.
            let first_time = new.remove(&m.message_id);
            if first_time
                && let Err(e) = self
                    .handler
                    .handle(&txn, &outbox, m)
                    .instrument(self.span_of(m))
                    .await
            {
                let _ = txn.rollback().await;
                return Err(e);
            }
            applied.push(first_time);
        }
        let sent = match outbox.write(&txn).await {
            Ok(written) => Sent(written),
            Err(e) => {
                let _ = txn.rollback().await;
                return Err(e.into());
            }
        };
        txn.commit().await?;
        Ok((applied, sent))
    }

    /// Handles one delivery to the end: ack, dead-letter, or requeue.
    async fn process(
        &self,
        channel: &Channel,
        dead_letters: &Publisher,
        delivery: Delivery,
    ) -> Result<Stop, BusError> {
        self.metrics.delivered();
        let started = std::time::Instant::now();
        let incoming = match Incoming::from_delivery(&delivery) {
            Ok(m) => m,
            Err(e) => {
                let reason = format!("unreadable envelope: {e}");
                self.dead_letter(dead_letters, &delivery, &reason).await?;
                ack(channel, &delivery).await?;
                let outcome = Outcome::DeadLettered(reason);
                self.metrics
                    .settled(&outcome, started.elapsed(), &Default::default());
                return Ok(Stop::Continue);
            }
        };
        // The whole handling runs inside the span (never a guard held across an await).
        self.settle(channel, dead_letters, &delivery, &incoming, started)
            .instrument(self.span_of(&incoming))
            .await
    }

    /// The span of handling `m`, a child of the span that sent it (the trace crosses the bus).
    fn span_of(&self, m: &Incoming) -> tracing::Span {
        let span = tracing::info_span!(
            "consume",
            queue = %self.queue.name,
            message_type = %m.message_type,
            message_id = %m.message_id,
            correlation_id = m.correlation_id.as_deref().unwrap_or(""),
        );
        ktpel_telemetry::propagation::set_parent_from(&span, &m.headers);
        span
    }

    /// Applies the message and then acks, dead-letters or requeues it.
    async fn settle(
        &self,
        channel: &Channel,
        dead_letters: &Publisher,
        delivery: &Delivery,
        incoming: &Incoming,
        started: std::time::Instant,
    ) -> Result<Stop, BusError> {
        let outcome = match self.waking_relay(self.apply_with_retries(incoming)).await {
            Ok(applied) => {
                let outcome = if applied {
                    Outcome::Applied
                } else {
                    Outcome::Duplicate
                };
                if self.crashes_after(std::slice::from_ref(incoming), &[applied]) {
                    self.observe(incoming, &outcome);
                    return Ok(Stop::Crash);
                }
                ack(channel, delivery).await?;
                outcome
            }
            Err(HandlerError::Permanent(reason)) => {
                tracing::warn!(%reason, "dead-lettering");
                self.dead_letter(dead_letters, delivery, &reason).await?;
                ack(channel, delivery).await?;
                Outcome::DeadLettered(reason)
            }
            Err(HandlerError::Transient(reason)) => {
                tracing::warn!(%reason, delivery_count = incoming.delivery_count, "retries used up; returning the message to the queue");
                channel
                    .basic_nack(
                        delivery.delivery_tag,
                        BasicNackOptions {
                            requeue: true,
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(BusError::amqp("basic.nack"))?;
                Outcome::Requeued(reason)
            }
        };
        self.metrics
            .settled(&outcome, started.elapsed(), &incoming.headers);
        self.observe(incoming, &outcome);
        Ok(Stop::Continue)
    }

    /// Whether the after-commit hook asks to "crash" now, after the commit of `messages`
    /// (those `applied` now) and before their acks: for a batch, the crash leaves every one
    /// of them unacked, as a process dying there would.
    fn crashes_after(&self, messages: &[Incoming], applied: &[bool]) -> bool {
        let Some(hook) = &self.after_commit else {
            return false;
        };
        let crash = messages
            .iter()
            .zip(applied)
            .any(|(m, applied)| *applied && hook(m) == AfterCommit::Crash);
        if crash {
            tracing::warn!("simulated crash after commit, before ack");
        }
        crash
    }

    fn observe(&self, incoming: &Incoming, outcome: &Outcome) {
        if let Some(hook) = &self.on_outcome {
            hook(incoming, outcome);
        }
    }

    /// Runs `apply` (this consumer's transaction), counts the commit, and wakes the relay when
    /// it committed messages to the outbox: a transaction that failed committed nothing, and
    /// one that sent nothing gives the relay nothing to do.
    async fn waking_relay<T>(
        &self,
        apply: impl std::future::Future<Output = Result<(T, Sent), HandlerError>>,
    ) -> Result<T, HandlerError> {
        let (result, sent) = apply.await?;
        if sent.0 > 0
            && let Some(w) = &self.outbox
        {
            w.wake();
        }
        self.committed.send_modify(|n| *n += 1);
        Ok(result)
    }

    /// Runs the transaction (inbox + handler) with backoff on transient failures.
    /// `Ok(true)`: applied now; `Ok(false)`: it had been applied before.
    async fn apply_with_retries(&self, incoming: &Incoming) -> Result<(bool, Sent), HandlerError> {
        (|| self.apply_once(incoming))
            .retry(self.retry)
            .sleep(tokio::time::sleep)
            .when(HandlerError::is_transient)
            .notify(|e, wait| {
                self.metrics.retried();
                tracing::info!(error = %e, ?wait, "transient failure; retrying");
            })
            .await
    }

    async fn apply_once(&self, incoming: &Incoming) -> Result<(bool, Sent), HandlerError> {
        // A fresh outbox for each attempt: what a rolled-back attempt pushed went with it.
        let outbox = Outbox::default();
        let txn = ktpel_store::begin_write(&self.db).await?;
        let first_time = crate::inbox::record(
            &txn,
            &self.queue.name,
            incoming.message_id,
            &incoming.message_type,
        )
        .await?;
        if !first_time {
            txn.rollback().await?;
            return Ok((false, Sent(0)));
        }
        let handled = match self.handler.handle(&txn, &outbox, incoming).await {
            Ok(()) => outbox.write(&txn).await.map_err(HandlerError::from),
            Err(e) => Err(e),
        };
        match handled {
            Ok(written) => {
                txn.commit().await?;
                Ok((true, Sent(written)))
            }
            Err(e) => {
                // Roll back explicitly so the failure is not hidden behind a drop.
                let _ = txn.rollback().await;
                Err(e)
            }
        }
    }

    /// Publishes a copy of `delivery` to the dead-letter exchange with the reason, confirmed.
    async fn dead_letter(
        &self,
        publisher: &Publisher,
        delivery: &Delivery,
        reason: &str,
    ) -> Result<(), BusError> {
        let p = &delivery.properties;
        let mut headers: BTreeMap<String, String> =
            crate::headers::from_field_table(p.headers().as_ref());
        headers.insert(REASON_HEADER.into(), reason.to_owned());
        headers.insert(QUEUE_HEADER.into(), self.queue.name.clone());
        headers.insert(ORIGINAL_KEY_HEADER.into(), delivery.routing_key.to_string());
        // Keep the original id when it is readable, so a replay is still deduplicated.
        let message_id = p
            .message_id()
            .as_ref()
            .and_then(|id| Uuid::parse_str(id.as_str()).ok())
            .unwrap_or_else(Uuid::now_v7);
        let message_type = p
            .kind()
            .as_ref()
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default();
        let correlation_id = p
            .correlation_id()
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default();
        publisher
            .publish(&Publication {
                exchange: &self.topology.dead_letter_exchange,
                routing_key: &self.queue.name,
                message_id,
                correlation_id: &correlation_id,
                message_type: &message_type,
                headers: &headers,
                body: &delivery.data,
            })
            .await
    }
}

/// The consumer stopped because its after-commit hook simulated a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the consumer simulated a crash between commit and ack")]
pub struct Crashed;

/// How many outbox rows a committed transaction wrote.
struct Sent(usize);

enum Stop {
    Continue,
    Shutdown,
    Crash,
}

async fn ack(channel: &Channel, delivery: &Delivery) -> Result<(), BusError> {
    channel
        .basic_ack(delivery.delivery_tag, BasicAckOptions::default())
        .await
        .map_err(BusError::amqp("basic.ack"))
}
