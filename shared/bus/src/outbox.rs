//! The transactional outbox and its relay.
//!
//! A service never publishes from a handler or a request directly: it writes its state change
//! and its outgoing messages ([`enqueue`]) in one database transaction. Either both happen or
//! neither does, so a crash can never leave a berkas stamped "sent to the operator" with no
//! message on its way, or a message about a change that was rolled back.
//!
//! A consumer's handlers push onto the [`Outbox`] they are given; the consumer writes what
//! they pushed together just before its commit (one multi-row `INSERT` for a batch of
//! deliveries). A writer outside a consumer calls [`enqueue`], or [`enqueue_all`] for many
//! messages in one commit.
//!
//! The [`Relay`] then publishes unsent rows in `id` order with publisher confirms and marks
//! them sent, pipelined: while the broker confirms one batch, the next is claimed and the one
//! before is marked. While the broker is unreachable it waits with backoff and keeps
//! everything; once the broker is back it publishes the backlog in order. A crash between
//! publish and mark can publish a row twice; its `message_id` is fixed in the row, so the
//! consumer's inbox drops the copy. Delivery is at least once, effects exactly once.
//!
//! On PostgreSQL the relay claims its rows with `FOR UPDATE SKIP LOCKED` in a transaction that
//! lasts until they are published and marked, so relays of several replicas of a service never
//! publish the same row (each takes rows the others have not locked; the order between two
//! replicas' batches is then not kept, the order within each is). A desk command, writing from
//! a process of its own, calls [`notify`]: PostgreSQL delivers the `NOTIFY` when the desk's
//! transaction commits, and the relay, which listens, publishes at once. Handlers wake their
//! relay in-process ([`Waker`]). On SQLite a short poll stands in for the `NOTIFY`.
//!
//! Published rows are kept for a while (what left, and when, for an operator asking) and then
//! deleted ([`prune`], run by the relay at start and every [`PRUNE_EVERY`]): otherwise the
//! table grows by every message the service ever sent.

use crate::{
    Broker, BusError, Outgoing, Shutdown,
    publisher::{Publication, Publisher},
};
use ktpel_store::entities::outbox;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use std::{collections::BTreeMap, sync::Arc, time::Duration};
use tokio::sync::Notify;

/// What a consumer's handlers send, in the transaction they were given: pushed here, written
/// together just before the consumer commits (one multi-row `INSERT` for a whole batch of
/// deliveries, where there was one statement — one round trip — per message). The consumer
/// also learns from it whether to wake its relay: most commits send nothing (a timeline
/// entry, a status), and those give the relay no work.
///
/// Writers outside a consumer (a desk, an import) call [`enqueue`] or [`enqueue_all`], which
/// write at once in their own transaction.
#[derive(Debug, Default)]
pub struct Outbox {
    messages: std::sync::Mutex<Vec<Outgoing>>,
}

impl Outbox {
    /// Sends `message` when the transaction commits (and not at all if it rolls back).
    pub fn push(&self, message: Outgoing) {
        self.lock().push(message);
    }

    /// How many messages wait for the commit.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Writes what was pushed, in the order it was pushed, into `txn`; the caller commits
    /// next. Returns how many rows it wrote.
    pub async fn write<C: ConnectionTrait>(&self, txn: &C) -> Result<usize, BusError> {
        let messages = std::mem::take(&mut *self.lock());
        let count = messages.len();
        enqueue_all(txn, &messages).await?;
        Ok(count)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Outgoing>> {
        // A handler that panicked while pushing leaves a whole message or none: the list is
        // never half-written, so a poisoned lock's contents are still good.
        self.messages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Writes `message` to the outbox inside the caller's transaction, at once: for a writer
/// outside a consumer (a desk, an import). A consumer's handler pushes onto its [`Outbox`].
pub async fn enqueue<C: ConnectionTrait>(db: &C, message: &Outgoing) -> Result<(), BusError> {
    insert_rows(db, vec![row(message)?]).await
}

/// Writes `messages` to the outbox inside the caller's transaction, in order, in one statement
/// per thousand: for a writer with many messages in one commit (an import).
pub async fn enqueue_all<C: ConnectionTrait>(
    db: &C,
    messages: &[Outgoing],
) -> Result<(), BusError> {
    let rows = messages.iter().map(row).collect::<Result<Vec<_>, _>>()?;
    insert_rows(db, rows).await
}

/// The outbox row of `message`, for the exchange every service publishes to.
fn row(message: &Outgoing) -> Result<outbox::ActiveModel, BusError> {
    let headers = serde_json::to_value(&message.headers).map_err(|source| BusError::Encode {
        message_type: message.message_type.clone(),
        source,
    })?;
    Ok(outbox::ActiveModel {
        message_id: Set(message.message_id),
        aggregate_id: Set(message.aggregate_id.clone()),
        exchange: Set(crate::topology::EXCHANGE.to_owned()),
        routing_key: Set(message.routing_key.as_str().to_owned()),
        message_type: Set(message.message_type.clone()),
        correlation_id: Set(message.correlation_id.clone()),
        headers: Set(headers),
        body: Set(message.body.clone()),
        created_at: Set(chrono::Utc::now()),
        published_at: Set(None),
        ..Default::default()
    })
}

/// Inserts `rows` in order (ids ascend with it), a thousand to a statement: ten columns a row
/// keep a statement well inside PostgreSQL's 65,535 parameters.
async fn insert_rows<C: ConnectionTrait>(
    db: &C,
    rows: Vec<outbox::ActiveModel>,
) -> Result<(), BusError> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(1000).collect();
        outbox::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await
            .map_err(BusError::db("outbox insert"))?;
    }
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

/// Rows [`prune`] deletes per statement.
const PRUNE_CHUNK: u64 = 1000;

/// How often a relay with a retention deletes the rows published before it.
pub const PRUNE_EVERY: Duration = Duration::from_secs(10 * 60);

/// Deletes the rows published before `before`, oldest first, [`PRUNE_CHUNK`] to a statement;
/// returns how many. A row still waiting is never deleted, however old.
///
/// Each statement looks only at the oldest rows by `id` (ids ascend with time, and the primary
/// key's index gives them in order), so a table with nothing to delete costs one short read
/// rather than a scan for old `published_at`s (which has no index). It goes on while a
/// statement deleted something — a row still waiting at the front does not stop it — and
/// stops between statements once `shutdown` is cancelled (the first prune after an upgrade
/// may have a long history to delete).
pub async fn prune<C: ConnectionTrait>(
    db: &C,
    before: chrono::DateTime<chrono::Utc>,
    shutdown: &Shutdown,
) -> Result<u64, BusError> {
    let mut deleted = 0;
    while !shutdown.is_cancelled() {
        match prune_chunk(db, before).await? {
            0 => break,
            done => deleted += done,
        }
    }
    Ok(deleted)
}

/// One statement of [`prune`]: the rows published before `before` among the oldest
/// [`PRUNE_CHUNK`].
async fn prune_chunk<C: ConnectionTrait>(
    db: &C,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<u64, BusError> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
    let oldest = Query::select()
        .columns([outbox::Column::Id, outbox::Column::PublishedAt])
        .from(outbox::Entity)
        .order_by(outbox::Column::Id, Order::Asc)
        .limit(PRUNE_CHUNK)
        .to_owned();
    let published_before = Query::select()
        .column(outbox::Column::Id)
        .from_subquery(oldest, Alias::new("oldest"))
        .and_where(Expr::col(outbox::Column::PublishedAt).lt(before))
        .to_owned();
    Ok(outbox::Entity::delete_many()
        .filter(outbox::Column::Id.in_subquery(published_before))
        .exec(db)
        .await
        .map_err(BusError::db("outbox prune"))?
        .rows_affected)
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
    /// How long published rows are kept; `None` keeps them all.
    retention: Option<Duration>,
    prune_every: Duration,
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
            retention: None,
            prune_every: PRUNE_EVERY,
        }
    }

    /// Deletes published rows once they are `retention` old ([`prune`]), at start and every
    /// [`PRUNE_EVERY`]; `None` keeps every row.
    pub fn with_retention(mut self, retention: Option<Duration>) -> Self {
        self.retention = retention;
        self
    }

    /// How often to prune (tests: [`PRUNE_EVERY`] is too long to wait for); at least 1 ms.
    pub fn with_prune_every(mut self, every: Duration) -> Self {
        self.prune_every = every.max(Duration::from_millis(1));
        self
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
        if let Some(retention) = self.retention {
            tokio::spawn(prune_every(
                self.db.clone(),
                retention,
                self.prune_every,
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
                Ok(()) => return publisher.close().await, // shutdown
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

    /// Publishes until the outbox is empty, then sleeps until woken or polled. Returns `Ok`
    /// only at shutdown.
    async fn drain_until_failure(
        &self,
        publisher: &Publisher,
        shutdown: &Shutdown,
    ) -> Result<(), BusError> {
        loop {
            if shutdown.is_cancelled() {
                return Ok(());
            }
            self.drain(publisher).await?;
            tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                _ = self.waker.0.notified() => {}
                _ = tokio::time::sleep(self.poll) => {}
            }
        }
    }

    /// Publishes batches until one comes back short of the limit: that one emptied the outbox
    /// as it stood at its claim, and a commit since left a wake behind, so the relay then waits
    /// for the wake rather than claiming again to find nothing.
    ///
    /// The work is pipelined: while the broker confirms one batch, the one before is marked
    /// sent and the next is claimed, so the database's work and the broker's overlap. Batches
    /// go out one after another on one channel, each only once the one before is confirmed, so
    /// order is kept. The relay holds the claim of the batch in flight and borrows one more
    /// connection at a time for the rest; nothing else waits on its locks, so a busy pool only
    /// delays it. A pool of one cannot lend the second: there each batch is marked before the
    /// next is claimed. If a publish fails, the batches not confirmed are released (rolled
    /// back) and go out again from the next drain.
    async fn drain(&self, publisher: &Publisher) -> Result<(), BusError> {
        let overlap = self.db.get_database_backend() != sea_orm::DatabaseBackend::Postgres
            || self
                .db
                .get_postgres_connection_pool()
                .options()
                .get_max_connections()
                >= 2;
        let mut batch = self.claim(None, true).await?;
        let mut confirmed: Option<Claim> = None;
        while !batch.rows.is_empty() {
            let full = batch.rows.len() as u64 == self.batch;
            let last = batch.rows.last().map(|r| r.id);
            let in_flight = match publisher.start_all(&batch.publications()).await {
                Ok(in_flight) => in_flight,
                Err(e) => {
                    batch.release().await;
                    self.mark_sent(confirmed).await?;
                    return Err(e);
                }
            };
            let (stored, next) = tokio::join!(in_flight.confirmed(), async {
                self.mark_sent(confirmed.take()).await?;
                match full && overlap {
                    true => self.claim(last, false).await,
                    false => Ok(Claim::default()),
                }
            });
            match (stored, next) {
                (Ok(()), Ok(_)) if full && !overlap => {
                    self.mark_sent(Some(batch)).await?;
                    batch = self.claim(last, false).await?;
                }
                (Ok(()), Ok(next)) => {
                    confirmed = Some(batch);
                    batch = next;
                }
                (Ok(()), Err(e)) => {
                    // Confirmed, so marked: it is not published again.
                    self.mark_sent(Some(batch)).await?;
                    return Err(e);
                }
                (Err(e), next) => {
                    batch.release().await;
                    if let Ok(next) = next {
                        next.release().await;
                    }
                    return Err(e);
                }
            }
        }
        batch.release().await;
        self.mark_sent(confirmed).await
    }

    /// Takes up to one batch of unsent rows after `after` (the batch in flight), in order. On
    /// PostgreSQL they are claimed (`FOR UPDATE SKIP LOCKED`) until [`Self::mark_sent`]
    /// commits, so no other replica's relay publishes them too. On SQLite (one process per
    /// file) they are only read: a write transaction held over the network would stop every
    /// other writer of the service. `look_first`: most wakes find nothing (a consumer's commit
    /// that enqueued nothing, or rows another wake took), and one look by the partial index
    /// settles it where a claim takes three round trips (BEGIN, SELECT … FOR UPDATE, COMMIT).
    async fn claim(&self, after: Option<i64>, look_first: bool) -> Result<Claim, BusError> {
        use sea_orm::TransactionTrait;
        let unsent = || next_batch(after, self.batch);
        if self.db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            let rows = unsent()
                .all(&self.db)
                .await
                .map_err(BusError::db("outbox read"))?;
            return Ok(Claim::of(None, rows));
        }
        if look_first {
            let waiting: Option<i64> = unsent()
                .select_only()
                .column(outbox::Column::Id)
                .limit(1)
                .into_tuple()
                .one(&self.db)
                .await
                .map_err(BusError::db("outbox read"))?;
            if waiting.is_none() {
                return Ok(Claim::default());
            }
        }
        let txn = self
            .db
            .begin()
            .await
            .map_err(BusError::db("outbox claim"))?;
        ktpel_store::follow_the_index(&txn)
            .await
            .map_err(BusError::db("outbox claim"))?;
        let rows = unsent()
            .lock_with_behavior(
                sea_orm::sea_query::LockType::Update,
                sea_orm::sea_query::LockBehavior::SkipLocked,
            )
            .all(&txn)
            .await
            .map_err(BusError::db("outbox claim"))?;
        Ok(Claim::of(Some(txn), rows))
    }

    /// Marks a confirmed batch sent in one statement (and commits its claim), and counts it.
    async fn mark_sent(&self, claim: Option<Claim>) -> Result<(), BusError> {
        let Some(Claim { txn, rows, .. }) = claim.filter(|c| !c.rows.is_empty()) else {
            return Ok(());
        };
        let mark = outbox::Entity::update_many()
            .col_expr(
                outbox::Column::PublishedAt,
                sea_orm::sea_query::Expr::value(chrono::Utc::now()),
            )
            .filter(outbox::Column::Id.is_in(rows.iter().map(|r| r.id)));
        match txn {
            Some(txn) => {
                mark.exec(&txn)
                    .await
                    .map_err(BusError::db("outbox mark sent"))?;
                txn.commit()
                    .await
                    .map_err(BusError::db("outbox mark sent"))?;
            }
            None => {
                mark.exec(&self.db)
                    .await
                    .map_err(BusError::db("outbox mark sent"))?;
            }
        }
        self.published
            .fetch_add(rows.len() as u64, std::sync::atomic::Ordering::Relaxed);
        self.published_metric.add(rows.len());
        tracing::debug!(count = rows.len(), "outbox batch published");
        Ok(())
    }
}

/// The relay's next batch: up to `limit` rows waiting to be published after `after` (the
/// batch in flight), in order. On PostgreSQL read it in a transaction that
/// [follows the index](ktpel_store::follow_the_index).
pub fn next_batch(after: Option<i64>, limit: u64) -> sea_orm::Select<outbox::Entity> {
    outbox::Entity::find()
        .filter(outbox::Column::PublishedAt.is_null())
        .apply_if(after, |q, last| q.filter(outbox::Column::Id.gt(last)))
        .order_by_asc(outbox::Column::Id)
        .limit(limit)
}

/// Rows taken from the outbox to publish; on PostgreSQL with the transaction that holds their
/// locks and will mark them sent (dropped, it rolls back and releases them).
#[derive(Default)]
struct Claim {
    txn: Option<sea_orm::DatabaseTransaction>,
    rows: Vec<outbox::Model>,
    headers: Vec<BTreeMap<String, String>>,
}

impl Claim {
    fn of(txn: Option<sea_orm::DatabaseTransaction>, rows: Vec<outbox::Model>) -> Self {
        let headers = rows
            .iter()
            .map(|r| serde_json::from_value(r.headers.clone()).unwrap_or_default())
            .collect();
        Self { txn, rows, headers }
    }

    /// Gives the rows back unpublished: rolls the claim back (a failed rollback is the
    /// connection's loss, which releases the locks as surely).
    async fn release(self) {
        if let Some(txn) = self.txn {
            let _ = txn.rollback().await;
        }
    }

    fn publications(&self) -> Vec<Publication<'_>> {
        self.rows
            .iter()
            .zip(&self.headers)
            .map(|(r, h)| Publication {
                exchange: &r.exchange,
                routing_key: &r.routing_key,
                message_id: r.message_id,
                correlation_id: &r.correlation_id,
                message_type: &r.message_type,
                headers: h,
                body: &r.body,
            })
            .collect()
    }
}

/// Deletes the rows of `db` published more than `retention` ago ([`prune`]), now and then
/// every `every`, until `shutdown`. A failure is logged and tried again at the next round:
/// nothing waits on it.
async fn prune_every(
    db: DatabaseConnection,
    retention: Duration,
    every: Duration,
    shutdown: Shutdown,
) {
    let mut rounds = tokio::time::interval(every);
    rounds.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = rounds.tick() => {}
        }
        // A retention too long to count back from now keeps everything.
        let Some(before) = chrono::Duration::from_std(retention)
            .ok()
            .and_then(|r| chrono::Utc::now().checked_sub_signed(r))
        else {
            continue;
        };
        match prune(&db, before, &shutdown).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, %before, "outbox: published rows pruned"),
            Err(e) => tracing::warn!(error = %e, "outbox: pruning failed; will try again"),
        }
    }
}

/// Wakes the relay whenever a transaction that wrote to the outbox of `db` commits, in any
/// process (PostgreSQL `LISTEN`); until `shutdown`. Without it the relay still polls.
async fn listen(db: DatabaseConnection, waker: Waker, shutdown: Shutdown) {
    use sea_orm::sqlx::postgres::{PgListener, PgPoolOptions};
    // A connection of its own, outside the service's pool: a listener holds its connection for
    // good, and the pool's are for the service's transactions (the relay's among them).
    let own = PgPoolOptions::new().max_connections(1).connect_lazy_with(
        db.get_postgres_connection_pool()
            .connect_options()
            .as_ref()
            .clone(),
    );
    let mut listener = match PgListener::connect_with(&own).await {
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
