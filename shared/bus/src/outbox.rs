//! The transactional outbox and its relay.
//!
//! A service never publishes from a handler or a request directly: it writes its state change
//! and its outgoing messages ([`enqueue`]) in one database transaction. Either both happen or
//! neither does, so a crash can never leave a berkas stamped "sent to the operator" with no
//! message on its way, or a message about a change that was rolled back.
//!
//! The [`Relay`] then publishes unsent rows in `id` order with publisher confirms and marks
//! them sent. While the broker is unreachable it waits with backoff and keeps everything; once
//! the broker is back it publishes the backlog in order. A crash between publish and mark can
//! publish a row twice; its `message_id` is fixed in the row, so the consumer's inbox drops
//! the copy. Delivery is at least once, effects exactly once.
//!
//! On PostgreSQL the relay claims its rows with `FOR UPDATE SKIP LOCKED` in a transaction that
//! lasts until they are published and marked, so relays of several replicas of a service never
//! publish the same row (each takes rows the others have not locked; the order between two
//! replicas' batches is then not kept, the order within each is). A desk command, writing from
//! a process of its own, calls [`notify`]: PostgreSQL delivers the `NOTIFY` when the desk's
//! transaction commits, and the relay, which listens, publishes at once. Handlers wake their
//! relay in-process ([`Waker`]). On SQLite a short poll stands in for the `NOTIFY`.

use crate::{
    Broker, BusError, Outgoing, Shutdown,
    publisher::{Publication, Publisher},
};
use ktpel_store::entities::outbox;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::{collections::BTreeMap, sync::Arc, time::Duration};
use tokio::sync::Notify;

tokio::task_local! {
    /// Whether the consumer transaction running in this task has enqueued anything.
    static ENQUEUED: std::cell::Cell<bool>;
}

/// Runs a consumer's transaction `f` and tells whether it enqueued anything, so the consumer
/// wakes its relay only for commits that gave it work (most commits write no message: a
/// timeline entry, a status), not to look at an empty outbox after each. A handler enqueues
/// in its own task, with the transaction it was given.
pub(crate) async fn noting_enqueues<F: std::future::Future>(f: F) -> (F::Output, bool) {
    ENQUEUED
        .scope(std::cell::Cell::new(false), async move {
            let output = f.await;
            (output, ENQUEUED.with(|e| e.get()))
        })
        .await
}

/// Writes `message` to the outbox inside the caller's transaction, for `exchange`.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    exchange: &str,
    message: &Outgoing,
) -> Result<(), BusError> {
    // Outside a consumer (a desk, an import) there is nothing to note.
    let _ = ENQUEUED.try_with(|e| e.set(true));
    let headers = serde_json::to_value(&message.headers).map_err(|source| BusError::Encode {
        message_type: message.message_type.clone(),
        source,
    })?;
    let row = outbox::ActiveModel {
        message_id: Set(message.message_id),
        aggregate_id: Set(message.aggregate_id.clone()),
        exchange: Set(exchange.to_owned()),
        routing_key: Set(message.routing_key.as_str().to_owned()),
        message_type: Set(message.message_type.clone()),
        correlation_id: Set(message.correlation_id.clone()),
        headers: Set(headers),
        body: Set(message.body.clone()),
        created_at: Set(chrono::Utc::now()),
        published_at: Set(None),
        ..Default::default()
    };
    outbox::Entity::insert(row)
        .exec_without_returning(db)
        .await
        .map_err(BusError::db("outbox insert"))?;
    Ok(())
}

/// For a transaction written outside the relay's process — a desk command's: on PostgreSQL
/// the relays of the database hear of it when it commits (`NOTIFY`, delivered at commit, once
/// per transaction), so the desk's decision leaves at once rather than at the next poll.
/// Writers in the relay's own process wake it with its [`Waker`] instead: `NOTIFY` takes a
/// lock that serializes committing transactions, a price a desk's one commit pays easily and
/// a consumer's stream of commits does not.
pub async fn notify<C: ConnectionTrait>(txn: &C) -> Result<(), BusError> {
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("NOTIFY {NOTIFY_CHANNEL}"))
            .await
            .map_err(BusError::db("outbox notify"))?;
    }
    Ok(())
}

/// The PostgreSQL channel on which a committed outbox write wakes the relays of its database.
pub const NOTIFY_CHANNEL: &str = "ktpel_outbox";

/// How many rows still wait to be published (outbox lag, for status and metrics).
pub async fn pending<C: ConnectionTrait>(db: &C) -> Result<u64, BusError> {
    outbox::Entity::find()
        .filter(outbox::Column::PublishedAt.is_null())
        .count(db)
        .await
        .map_err(BusError::db("outbox count"))
}

/// When the oldest row still waiting to be published was written, if one waits.
pub async fn oldest_pending<C: ConnectionTrait>(
    db: &C,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, BusError> {
    outbox::Entity::find()
        .select_only()
        .column(outbox::Column::CreatedAt)
        .filter(outbox::Column::PublishedAt.is_null())
        .order_by_asc(outbox::Column::Id)
        .into_tuple()
        .one(db)
        .await
        .map_err(BusError::db("outbox oldest"))
}

/// Wakes a [`Relay`] right after a transaction that enqueued something commits, so messages do
/// not wait for the next poll. Cheap to clone.
#[derive(Clone, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Publishes the outbox of one database.
pub struct Relay {
    db: DatabaseConnection,
    broker: Broker,
    app_id: String,
    batch: u64,
    poll: Duration,
    waker: Waker,
    published: Arc<std::sync::atomic::AtomicU64>,
    published_metric: crate::metrics::Published,
}

impl Relay {
    /// A relay for the outbox in `db`; `app_id` names the service in the AMQP properties.
    pub fn new(db: DatabaseConnection, broker: Broker, app_id: impl Into<String>) -> Self {
        let app_id = app_id.into();
        // PostgreSQL wakes the relay on every committed write (NOTIFY): the poll is only a
        // fallback. SQLite has no such signal across processes: a desk command's write waits
        // for the poll.
        let poll = if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            Duration::from_millis(500)
        } else {
            Duration::from_millis(100)
        };
        Self {
            published_metric: crate::metrics::Published::new(&app_id),
            db,
            broker,
            app_id,
            batch: 500,
            poll,
            waker: Waker::default(),
            published: Arc::default(),
        }
    }

    /// Rows published per round trip of confirms (the pipelined window).
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1) as u64;
        self
    }

    /// How often to look for rows when nobody wakes the relay.
    pub fn with_poll_interval(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    /// The handle to wake this relay after a commit.
    pub fn waker(&self) -> Waker {
        self.waker.clone()
    }

    /// Messages confirmed by the broker since this relay started.
    pub fn published_counter(&self) -> Arc<std::sync::atomic::AtomicU64> {
        self.published.clone()
    }

    /// Runs until `shutdown`: publish, mark, wait, and on any broker failure reconnect with
    /// backoff and go on from the oldest unsent row.
    pub async fn run(self, shutdown: Shutdown) {
        if self.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            tokio::spawn(listen(
                self.db.clone(),
                self.waker.clone(),
                shutdown.clone(),
            ));
        }
        let mut backoff = self.broker.reconnect_backoff();
        while !shutdown.is_cancelled() {
            let publisher = match self.connect(&shutdown).await {
                Ok(p) => p,
                Err(BusError::Shutdown) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox relay cannot open a confirm channel");
                    continue;
                }
            };
            match self.drain_until_failure(&publisher, &shutdown).await {
                Ok(()) => return, // shutdown
                Err(e) => {
                    let delay = backoff.next().unwrap_or(Duration::from_secs(5));
                    tracing::warn!(error = %e, ?delay, "outbox relay paused; will retry");
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
    }

    async fn connect(&self, shutdown: &Shutdown) -> Result<Publisher, BusError> {
        let channel = self.broker.channel_with_retry(shutdown).await?;
        Publisher::new(channel, self.app_id.clone()).await
    }

    /// Publishes batches until the outbox is empty, then sleeps until woken or polled.
    /// A batch short of the limit emptied the outbox as it stood at the claim: the relay waits
    /// for the next wake rather than claiming again to find nothing (a commit while it was
    /// publishing left a wake behind, so nothing waits for the poll). Returns `Ok` only at
    /// shutdown.
    async fn drain_until_failure(
        &self,
        publisher: &Publisher,
        shutdown: &Shutdown,
    ) -> Result<(), BusError> {
        loop {
            if shutdown.is_cancelled() {
                return Ok(());
            }
            let sent = self.publish_batch(publisher).await?;
            if (sent as u64) < self.batch {
                tokio::select! {
                    _ = shutdown.cancelled() => return Ok(()),
                    _ = self.waker.0.notified() => {}
                    _ = tokio::time::sleep(self.poll) => {}
                }
            }
        }
    }

    /// Publishes up to one batch of unsent rows in order and marks them sent. On PostgreSQL
    /// the rows are claimed (`FOR UPDATE SKIP LOCKED`) until they are marked, so no other
    /// replica's relay publishes them too.
    pub async fn publish_batch(&self, publisher: &Publisher) -> Result<usize, BusError> {
        use sea_orm::TransactionTrait;
        let postgres = self.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        let unsent = || {
            outbox::Entity::find()
                .filter(outbox::Column::PublishedAt.is_null())
                .order_by_asc(outbox::Column::Id)
                .limit(self.batch)
        };
        if !postgres {
            // SQLite: one process per file, and a write transaction held over the network
            // would stop every other writer of the service.
            let rows = unsent()
                .all(&self.db)
                .await
                .map_err(BusError::db("outbox read"))?;
            return self.publish_and_mark(publisher, &self.db, rows).await;
        }
        // Most wakes come from a consumer's commit that enqueued nothing, or after another
        // wake took the rows: one look by the partial index settles it, where the claim would
        // take three round trips (BEGIN, SELECT … FOR UPDATE, COMMIT) to find nothing.
        let waiting: Option<i64> = unsent()
            .select_only()
            .column(outbox::Column::Id)
            .limit(1)
            .into_tuple()
            .one(&self.db)
            .await
            .map_err(BusError::db("outbox read"))?;
        if waiting.is_none() {
            return Ok(0);
        }
        let claim = self
            .db
            .begin()
            .await
            .map_err(BusError::db("outbox claim"))?;
        let rows = unsent()
            .lock_with_behavior(
                sea_orm::sea_query::LockType::Update,
                sea_orm::sea_query::LockBehavior::SkipLocked,
            )
            .all(&claim)
            .await
            .map_err(BusError::db("outbox claim"))?;
        let sent = self.publish_and_mark(publisher, &claim, rows).await?;
        claim
            .commit()
            .await
            .map_err(BusError::db("outbox mark sent"))?;
        Ok(sent)
    }

    /// Publishes `rows` pipelined with confirms, then marks them sent in one statement.
    async fn publish_and_mark<C: ConnectionTrait>(
        &self,
        publisher: &Publisher,
        db: &C,
        rows: Vec<outbox::Model>,
    ) -> Result<usize, BusError> {
        if rows.is_empty() {
            return Ok(0);
        }
        let headers: Vec<BTreeMap<String, String>> = rows
            .iter()
            .map(|r| serde_json::from_value(r.headers.clone()).unwrap_or_default())
            .collect();
        let batch: Vec<Publication<'_>> = rows
            .iter()
            .zip(&headers)
            .map(|(r, h)| Publication {
                exchange: &r.exchange,
                routing_key: &r.routing_key,
                message_id: r.message_id,
                correlation_id: &r.correlation_id,
                message_type: &r.message_type,
                headers: h,
                body: &r.body,
            })
            .collect();
        publisher.publish_all(&batch).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        outbox::Entity::update_many()
            .col_expr(
                outbox::Column::PublishedAt,
                sea_orm::sea_query::Expr::value(chrono::Utc::now()),
            )
            .filter(outbox::Column::Id.is_in(ids))
            .exec(db)
            .await
            .map_err(BusError::db("outbox mark sent"))?;
        self.published
            .fetch_add(rows.len() as u64, std::sync::atomic::Ordering::Relaxed);
        self.published_metric.add(rows.len());
        tracing::debug!(count = rows.len(), "outbox batch published");
        Ok(rows.len())
    }
}

/// Wakes the relay whenever a transaction that wrote to the outbox of `db` commits, in any
/// process (PostgreSQL `LISTEN`); until `shutdown`. Without it the relay still polls.
async fn listen(db: DatabaseConnection, waker: Waker, shutdown: Shutdown) {
    use sea_orm::sqlx::postgres::PgListener;
    let mut listener = match PgListener::connect_with(db.get_postgres_connection_pool()).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "outbox relay cannot LISTEN; it polls instead");
            return;
        }
    };
    if let Err(e) = listener.listen(NOTIFY_CHANNEL).await {
        tracing::warn!(error = %e, "outbox relay cannot LISTEN; it polls instead");
        return;
    }
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            heard = listener.recv() => match heard {
                Ok(_) => waker.wake(),
                Err(e) => {
                    // The listener dials again on the next recv; the poll covers the gap.
                    tracing::warn!(error = %e, "outbox relay lost its LISTEN connection");
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            },
        }
    }
}
