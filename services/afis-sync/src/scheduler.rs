//! The NID Scheduler's loop (S19): drain the queue of enrollments to the Pusat Data.
//!
//! Every `interval` — or at once when woken ([`SchedulerHandle::run_now`], or a new
//! enrollment) — it sends the oldest unsent records in batches, each batch confirmed by the
//! Pusat Data's broker before it is marked sent and counted. When the Pusat Data cannot be
//! reached the records stay queued, the counter does not move, the error is kept for the
//! panel, and the next run tries again. A record keeps one message id (its enrollment id)
//! however often it is sent, so a re-send after a lost confirm is dropped by the Pusat
//! Data's inbox: nothing is sent twice.

use crate::store::outbound;
use chrono::{DateTime, Utc};
use ktpel_bus::{
    Broker, BusError, Message, RoutingKey, Shutdown, Topology,
    publisher::{Publication, Publisher},
};
use ktpel_contract::enrollment::{EnrollmentCreated, EnrollmentRecord, TO_PUSAT_DATA};
use ktpel_domain::KodeWilayah;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use serde::Serialize;
use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU8, AtomicU64, Ordering},
    },
    time::Duration,
};
use tokio::sync::Notify;

/// Scheduler Current Status, as the panel shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SchedulerStatus {
    Running,
    Stopped,
    Paused,
}

impl std::fmt::Display for SchedulerStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Running => "RUNNING",
            Self::Stopped => "STOPPED",
            Self::Paused => "PAUSED",
        })
    }
}

/// What the loop and the panel share.
#[derive(Default)]
struct State {
    /// 0 stopped, 1 running, 2 paused.
    status: AtomicU8,
    sent_since_restart: AtomicU64,
    wake: Notify,
    last_error: Mutex<Option<String>>,
    last_sent_at: Mutex<Option<DateTime<Utc>>>,
}

/// A handle on a running scheduler: read its counters, pause, resume, run now.
#[derive(Clone)]
pub struct SchedulerHandle(Arc<State>);

impl SchedulerHandle {
    pub fn status(&self) -> SchedulerStatus {
        match self.0.status.load(Ordering::SeqCst) {
            1 => SchedulerStatus::Running,
            2 => SchedulerStatus::Paused,
            _ => SchedulerStatus::Stopped,
        }
    }

    /// No. of Records sent after Restart: confirmed sends since this process started.
    pub fn sent_since_restart(&self) -> u64 {
        self.0.sent_since_restart.load(Ordering::SeqCst)
    }

    /// Why the last run could not send, if it could not.
    pub fn last_error(&self) -> Option<String> {
        self.0
            .last_error
            .lock()
            .map(|e| e.clone())
            .unwrap_or_default()
    }

    pub fn last_sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_sent_at.lock().map(|t| *t).unwrap_or_default()
    }

    /// Stops sending until [`SchedulerHandle::resume`]; records keep queueing.
    pub fn pause(&self) {
        let _ = self
            .0
            .status
            .compare_exchange(1, 2, Ordering::SeqCst, Ordering::SeqCst);
    }

    pub fn resume(&self) {
        if self
            .0
            .status
            .compare_exchange(2, 1, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            self.run_now();
        }
    }

    /// Runs at once instead of waiting for the interval.
    pub fn run_now(&self) {
        self.0.wake.notify_one();
    }
}

/// The loop; [`Scheduler::run`] it with a shutdown signal.
pub struct Scheduler {
    db: DatabaseConnection,
    pusat_data: Broker,
    co_relation: KodeWilayah,
    interval: Duration,
    batch: u64,
    state: Arc<State>,
}

impl Scheduler {
    pub fn new(
        db: DatabaseConnection,
        pusat_data: Broker,
        co_relation: KodeWilayah,
        interval: Duration,
        batch: u64,
    ) -> Self {
        Self {
            db,
            pusat_data,
            co_relation,
            interval,
            batch: batch.max(1),
            state: Arc::default(),
        }
    }

    pub fn handle(&self) -> SchedulerHandle {
        SchedulerHandle(self.state.clone())
    }

    /// Runs until `shutdown`; the status is RUNNING (or PAUSED) meanwhile, STOPPED after.
    pub async fn run(self, shutdown: Shutdown) {
        self.state.status.store(1, Ordering::SeqCst);
        let mut publisher: Option<Publisher> = None;
        loop {
            if self.handle().status() == SchedulerStatus::Running {
                self.drain(&mut publisher).await;
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = self.state.wake.notified() => {}
                _ = tokio::time::sleep(self.interval) => {}
            }
        }
        self.state.status.store(0, Ordering::SeqCst);
    }

    /// Sends batches until the queue is empty or a send fails.
    async fn drain(&self, publisher: &mut Option<Publisher>) {
        loop {
            match self.send_batch(publisher).await {
                Ok(0) => {
                    self.set_error(None);
                    return;
                }
                Ok(_) => self.set_error(None),
                Err(e) => {
                    tracing::warn!(error = %e, "NID Scheduler cannot reach the Pusat Data; records stay queued");
                    *publisher = None;
                    self.set_error(Some(e.to_string()));
                    return;
                }
            }
        }
    }

    fn set_error(&self, e: Option<String>) {
        if let Ok(mut last) = self.state.last_error.lock() {
            *last = e;
        }
    }

    /// One batch: publish in order, wait for every confirm, then mark sent and count.
    async fn send_batch(&self, publisher: &mut Option<Publisher>) -> Result<usize, BusError> {
        let rows = outbound::Entity::find()
            .filter(outbound::Column::SentAt.is_null())
            .order_by_asc(outbound::Column::Id)
            .limit(self.batch)
            .all(&self.db)
            .await
            .map_err(|source| BusError::Db {
                operation: "read the scheduler queue",
                source,
            })?;
        if rows.is_empty() {
            return Ok(0);
        }
        if publisher.is_none() {
            let channel = self.pusat_data.channel().await?;
            // The Pusat Data owns its exchange; a Dinas's user there may not declare it.
            Topology::default().check_exchange(&channel).await?;
            *publisher = Some(Publisher::new(channel, crate::SERVICE).await?);
        }
        let publisher = publisher.as_ref().expect("set above");
        let key = RoutingKey::regional(TO_PUSAT_DATA, &self.co_relation.to_string())
            .expect("a validated co-relation id");
        let bodies: Vec<Vec<u8>> = rows
            .iter()
            .map(|r| {
                let enrollment: EnrollmentCreated = serde_json::from_value(r.enrollment.clone())
                    .map_err(|source| BusError::Encode {
                        message_type: EnrollmentRecord::message_type(),
                        source,
                    })?;
                serde_json::to_vec(&EnrollmentRecord {
                    co_relation_id: self.co_relation.to_string(),
                    enrollment,
                })
                .map_err(|source| BusError::Encode {
                    message_type: EnrollmentRecord::message_type(),
                    source,
                })
            })
            .collect::<Result<_, _>>()?;
        let headers: Vec<BTreeMap<String, String>> = rows
            .iter()
            .map(|r| {
                r.headers
                    .clone()
                    .and_then(|h| serde_json::from_value(h).ok())
                    .unwrap_or_default()
            })
            .collect();
        let message_type = EnrollmentRecord::message_type();
        let batch: Vec<Publication<'_>> = rows
            .iter()
            .zip(&bodies)
            .zip(&headers)
            .map(|((r, body), headers)| Publication {
                exchange: "ktpel",
                routing_key: key.as_str(),
                message_id: r.enrollment_id,
                correlation_id: &r.nomor_berkas,
                message_type: &message_type,
                headers,
                body,
            })
            .collect();
        publisher.publish_all(&batch).await?;
        let now = Utc::now();
        outbound::Entity::update_many()
            .col_expr(outbound::Column::SentAt, Expr::value(now))
            .filter(outbound::Column::Id.is_in(rows.iter().map(|r| r.id)))
            .exec(&self.db)
            .await
            .map_err(|source| BusError::Db {
                operation: "mark records sent",
                source,
            })?;
        self.state
            .sent_since_restart
            .fetch_add(rows.len() as u64, Ordering::SeqCst);
        if let Ok(mut t) = self.state.last_sent_at.lock() {
            *t = Some(now);
        }
        tracing::info!(count = rows.len(), "records sent to the Pusat Data");
        Ok(rows.len())
    }
}

/// Records sent since install (every confirmed send ever), and records still waiting.
pub async fn totals(db: &DatabaseConnection) -> Result<(u64, u64), sea_orm::DbErr> {
    let sent = outbound::Entity::find()
        .filter(outbound::Column::SentAt.is_not_null())
        .count(db)
        .await?;
    let waiting = outbound::Entity::find()
        .filter(outbound::Column::SentAt.is_null())
        .count(db)
        .await?;
    Ok((sent, waiting))
}
