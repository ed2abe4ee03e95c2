//! `cargo run --release -p bench -- scheduler --records N`: the NID Scheduler (S19) draining
//! N waiting enrollments to the Pusat Data.
//!
//! N records wait in the Server AFIS's queue (`afis_outbound`, PostgreSQL; filled before the
//! clock starts, as after a week the Pusat Data could not be reached). The clock runs from
//! the scheduler's start (it drains at once) until the scheduler's records-sent counter reads N: each batch read in `id`
//! order, published to the Pusat Data's exchange with pipelined confirms, and marked sent.
//! Beside it, in the same run: raw lapin publishing the same N records (the same JSON, the same
//! exchange and routing key, persistent, to the same kind of quorum queue) with confirms in
//! windows of the same size — what putting them on the broker costs with no storage.

use crate::import::{publish_confirmed, records};
use ktpel_afis_sync::{
    scheduler::{Scheduler, SchedulerHandle},
    store::Migrator,
};
use ktpel_bus::{Broker, QueueSpec, RoutingKey, Shutdown, Topology};
use ktpel_contract::enrollment::{EnrollmentCreated, EnrollmentRecord, TO_PUSAT_DATA};
use ktpel_domain::KodeWilayah;
use ktpel_tests::{Backend, TestDatabase, TestVhost};
use lapin::options::ConfirmSelectOptions;
use sea_orm::TransactionTrait;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Records waiting for the Pusat Data.
    #[arg(long, default_value_t = 10_000)]
    records: usize,
    /// Records per batch (the scheduler's `batch`), and the raw publisher's confirm window.
    #[arg(long, default_value_t = 500)]
    batch: u64,
    /// Runs of each; the best of each is reported.
    #[arg(long, default_value_t = 3)]
    runs: u32,
}

const CO_RELATION: &str = "32.73";
const QUEUE: &str = "bench.pusat-data";

pub async fn run(args: Args) {
    let site = KodeWilayah::parse("32.73.01").unwrap();
    let records = records(&site, args.records);
    println!(
        "NID Scheduler benchmark: {} enrollments waiting at the Server AFIS (PostgreSQL), batches of {}, best of {}",
        records.len(),
        args.batch,
        args.runs
    );
    let (mut raw, mut ktpel) = (Vec::new(), Vec::new());
    for _ in 0..args.runs {
        raw.push(raw_lapin(&records, args.batch as usize).await);
        ktpel.push(scheduler(&records, args.batch).await);
    }
    let best = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
    let (raw, ktpel) = (best(&raw), best(&ktpel));
    let n = records.len() as f64;
    let rate = |d: Duration| n / d.as_secs_f64();
    println!();
    println!("| to the Pusat Data | records | seconds | records/s | vs raw lapin |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| raw lapin: publish the same records (persistent, quorum queue, confirms in windows of {}) | {} | {:.2} | {:.0} | 1.00 |",
        args.batch,
        records.len(),
        raw.as_secs_f64(),
        rate(raw)
    );
    println!(
        "| NID Scheduler: read a batch, publish with confirms, mark it sent, count | {} | {:.2} | {:.0} | {:.2} |",
        records.len(),
        ktpel.as_secs_f64(),
        rate(ktpel),
        rate(ktpel) / rate(raw)
    );
}

/// A vhost with the Pusat Data's exchange and a quorum queue bound to what the scheduler
/// sends, so every publish is routed and stored as at the Pusat Data.
async fn pusat_data(vhost: &TestVhost) -> Broker {
    let broker = Broker::new(vhost.url(), "bench-pusat-data");
    let ch = broker.channel().await.unwrap();
    let queue = QueueSpec::new(QUEUE, [RoutingKey::binding(TO_PUSAT_DATA, None).unwrap()]);
    Topology::default()
        .declare_queue(&ch, &queue)
        .await
        .unwrap();
    broker
}

async fn scheduler(records: &[EnrollmentCreated], batch: u64) -> Duration {
    let vhost = TestVhost::new();
    let broker = pusat_data(&vhost).await;
    let guard = TestDatabase::as_deployed(Backend::Postgres).await;
    let db = guard.open::<Migrator>().await;
    let txn = db.begin().await.unwrap();
    for r in records {
        ktpel_afis_sync::handlers::created::queue(&txn, r)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();

    let scheduler = Scheduler::new(
        db.clone(),
        broker.clone(),
        KodeWilayah::parse(CO_RELATION).unwrap(),
        // No timed run within the bench: only the drain at start.
        Duration::from_secs(3600),
        batch,
    );
    let handle: SchedulerHandle = scheduler.handle();
    let shutdown = Shutdown::new();
    // A starting scheduler drains at once, as "Run Now" does.
    let start = Instant::now();
    let running = tokio::spawn(scheduler.run(shutdown.clone()));
    while handle.sent_since_restart() < records.len() as u64 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let elapsed = start.elapsed();
    shutdown.cancel();
    let _ = running.await;
    let (sent, waiting) = ktpel_afis_sync::scheduler::totals(&db).await.unwrap();
    assert_eq!(
        (sent, waiting),
        (records.len() as u64, 0),
        "every record marked sent"
    );
    broker.close().await;
    elapsed
}

async fn raw_lapin(records: &[EnrollmentCreated], window: usize) -> Duration {
    let vhost = TestVhost::new();
    let broker = pusat_data(&vhost).await;
    broker.close().await;
    let conn = lapin::Connection::connect(&vhost.url(), Default::default())
        .await
        .unwrap();
    let ch = conn.create_channel().await.unwrap();
    ch.confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    let key = RoutingKey::regional(TO_PUSAT_DATA, CO_RELATION).unwrap();
    let start = Instant::now();
    publish_confirmed(
        &ch,
        &Topology::default().exchange,
        key.as_str(),
        records,
        window,
        |r| {
            let record = EnrollmentRecord {
                co_relation_id: CO_RELATION.into(),
                enrollment: r.clone(),
            };
            (serde_json::to_vec(&record).unwrap(), r.enrollment_id)
        },
    )
    .await;
    let elapsed = start.elapsed();
    let _ = conn.close(200, "done".into()).await;
    elapsed
}
