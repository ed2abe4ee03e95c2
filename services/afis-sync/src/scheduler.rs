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
use ktpel_contract::enrollment::{EnrollmentRecord, TO_PUSAT_DATA};
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
        if let Some(p) = publisher {
            p.close().await;
        }
        self.state.status.store(0, Ordering::SeqCst);
    }

    /// Sends batches until the queue is empty, the scheduler is paused, or a send fails.
    ///
    /// The work is pipelined: while the Pusat Data's broker stores one batch (its confirms),
    /// the next batch is read and encoded and the one before is marked sent. Order is kept,
    /// since batches go out one after another on one channel; a batch is counted only once
    /// it is confirmed and marked.
    async fn drain(&self, publisher: &mut Option<Publisher>) {
        if let Err(e) = self.drain_pipelined(publisher).await {
            tracing::warn!(error = %e, "NID Scheduler cannot reach the Pusat Data; records stay queued");
            *publisher = None;
            self.set_error(Some(e.to_string()));
        } else {
            self.set_error(None);
        }
    }

    async fn drain_pipelined(&self, publisher: &mut Option<Publisher>) -> Result<(), BusError> {
        let mut batch = self.read_batch(None).await?;
        let mut confirmed: Option<Batch> = None;
        while !batch.is_empty() && self.handle().status() == SchedulerStatus::Running {
            let publisher = self.publisher(publisher).await?;
            let in_flight = publisher.start_all(&batch.publications()).await?;
            let (stored, next, marked) = tokio::join!(
                in_flight.confirmed(),
                self.read_batch(batch.last_id()),
                self.mark_sent(confirmed.take()),
            );
            marked?;
            stored?;
            confirmed = Some(batch);
            batch = match next {
                Ok(next) => next,
                Err(e) => {
                    // The confirmed batch is still marked, so it is not sent again.
                    self.mark_sent(confirmed).await?;
                    return Err(e);
                }
            };
        }
        self.mark_sent(confirmed).await
    }

    fn set_error(&self, e: Option<String>) {
        if let Ok(mut last) = self.state.last_error.lock() {
            *last = e;
        }
    }

    /// The confirm channel to the Pusat Data, opened on first use and after a failure.
    async fn publisher<'p>(
        &self,
        publisher: &'p mut Option<Publisher>,
    ) -> Result<&'p Publisher, BusError> {
        if publisher.is_none() {
            let channel = self.pusat_data.channel().await?;
            // The Pusat Data owns its exchange; a Dinas's user there may not declare it.
            Topology::default().check_exchange(&channel).await?;
            *publisher = Some(Publisher::new(channel, crate::SERVICE).await?);
        }
        Ok(publisher.as_ref().expect("set above"))
    }

    /// The oldest unsent records after `after` (a batch in flight), encoded as they go out.
    async fn read_batch(&self, after: Option<i64>) -> Result<Batch, BusError> {
        use sea_orm::{TransactionTrait, sea_query::ExprTrait as _};
        let read = |source| BusError::Db {
            operation: "read the scheduler queue",
            source,
        };
        // In the order of the waiting records' index, not sorted (see `follow_the_index`).
        let txn = self.db.begin().await.map_err(read)?;
        ktpel_store::follow_the_index(&txn).await.map_err(read)?;
        let mut query = outbound::Entity::find().filter(outbound::Column::SentAt.is_null());
        if let Some(after) = after {
            query = query.filter(outbound::Column::Id.gt(after));
        }
        // The enrollment as the text it was stored as: it goes out inside the record as it is,
        // not parsed and written again (a batch of 500 is about 1.2 MB of JSON).
        let rows: Vec<(i64, uuid::Uuid, String, String, Option<serde_json::Value>)> = query
            .select_only()
            .column(outbound::Column::Id)
            .column(outbound::Column::EnrollmentId)
            .column(outbound::Column::NomorBerkas)
            .column_as(
                Expr::col(outbound::Column::Enrollment).cast_as("text"),
                "enrollment",
            )
            .column(outbound::Column::Headers)
            .order_by_asc(outbound::Column::Id)
            .limit(self.batch)
            .into_tuple()
            .all(&txn)
            .await
            .map_err(read)?;
        txn.commit().await.map_err(read)?;
        let co_relation = self.co_relation.to_string();
        let records = rows
            .into_iter()
            .map(
                |(id, enrollment_id, nomor_berkas, enrollment, headers)| Record {
                    id,
                    enrollment_id,
                    nomor_berkas,
                    body: record_body(&co_relation, &enrollment),
                    headers: headers
                        .and_then(|h| serde_json::from_value(h).ok())
                        .unwrap_or_default(),
                },
            )
            .collect();
        Ok(Batch {
            records,
            key: RoutingKey::regional(TO_PUSAT_DATA, &co_relation)
                .expect("a validated co-relation id"),
            message_type: EnrollmentRecord::message_type(),
        })
    }

    /// Marks a confirmed batch sent and counts it.
    async fn mark_sent(&self, batch: Option<Batch>) -> Result<(), BusError> {
        let Some(batch) = batch.filter(|b| !b.is_empty()) else {
            return Ok(());
        };
        let now = Utc::now();
        outbound::Entity::update_many()
            .col_expr(outbound::Column::SentAt, Expr::value(now))
            .filter(outbound::Column::Id.is_in(batch.records.iter().map(|r| r.id)))
            .exec(&self.db)
            .await
            .map_err(|source| BusError::Db {
                operation: "mark records sent",
                source,
            })?;
        self.state
            .sent_since_restart
            .fetch_add(batch.records.len() as u64, Ordering::SeqCst);
        if let Ok(mut t) = self.state.last_sent_at.lock() {
            *t = Some(now);
        }
        tracing::info!(
            count = batch.records.len(),
            "records sent to the Pusat Data"
        );
        Ok(())
    }
}

/// The body of an [`EnrollmentRecord`] for `enrollment`, the `enrollment.created` body as it was
/// stored (JSON written by this service when the enrollment arrived): the same JSON as
/// serialising the record, without parsing the enrollment and writing it again.
fn record_body(co_relation_id: &str, enrollment: &str) -> Vec<u8> {
    let mut body = Vec::with_capacity(enrollment.len() + co_relation_id.len() + 40);
    body.extend_from_slice(br#"{"co_relation_id":"#);
    serde_json::to_writer(&mut body, co_relation_id).expect("a string serialises");
    body.extend_from_slice(br#","enrollment":"#);
    body.extend_from_slice(enrollment.as_bytes());
    body.push(b'}');
    body
}

/// Records read from the queue and encoded for the Pusat Data.
struct Batch {
    records: Vec<Record>,
    key: RoutingKey,
    message_type: String,
}

struct Record {
    id: i64,
    /// The message id: the same however often the record is sent.
    enrollment_id: uuid::Uuid,
    nomor_berkas: String,
    body: Vec<u8>,
    headers: BTreeMap<String, String>,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The last record's id: the next batch starts after it.
    fn last_id(&self) -> Option<i64> {
        self.records.last().map(|r| r.id)
    }

    fn publications(&self) -> Vec<Publication<'_>> {
        self.records
            .iter()
            .map(|r| Publication {
                exchange: "ktpel",
                routing_key: self.key.as_str(),
                message_id: r.enrollment_id,
                correlation_id: &r.nomor_berkas,
                message_type: &self.message_type,
                headers: &r.headers,
                body: &r.body,
            })
            .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use ktpel_contract::enrollment::EnrollmentCreated;

    // The record is spliced from the stored enrollment's text: it must read back as the record
    // the contract describes, the enrollment unchanged, whatever the Co-Relation Id holds.
    #[test]
    fn a_record_spliced_from_the_stored_enrollment_is_the_contracts_record() {
        let enrollment = EnrollmentCreated {
            enrollment_id: uuid::Uuid::now_v7(),
            bukti_perekaman: "BP-\"1\"".into(),
            nomor_berkas: "327301-20261205-0001".into(),
            nik: ktpel_domain::Nik::parse("3273010101900001").unwrap(),
            photo_sha256: "ab".repeat(32),
            fingerprints: vec![],
            enrolled_at: Utc::now(),
            kecamatan: Some("32.73.01".into()),
            pas_foto: None,
            tanda_tangan: None,
        };
        // Stored the way the handler stores it: a JSON value, read back as its text.
        let stored = serde_json::to_value(&enrollment).unwrap().to_string();
        let body = record_body("32.73.01 \"x\"", &stored);
        let record: EnrollmentRecord = serde_json::from_slice(&body).expect("valid JSON");
        assert_eq!(
            record,
            EnrollmentRecord {
                co_relation_id: "32.73.01 \"x\"".into(),
                enrollment,
            }
        );
    }
}
