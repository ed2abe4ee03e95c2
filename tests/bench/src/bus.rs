//! The bus benchmark (see the crate docs).

use backon::ExponentialBuilder;
use futures_util::StreamExt;
use ktpel_bus::{
    Broker, Handler, HandlerError, Incoming, Message, Outbox, Outgoing, QueueSpec, Relay,
    RoutingKey, Shutdown, Topology, consumer::Consumer, outbox,
};
use ktpel_tests::{Backend, TestDatabase, TestVhost};
use lapin::{
    options::{
        BasicAckOptions, BasicConsumeOptions, BasicQosOptions, ConfirmSelectOptions,
        QueueDeclareOptions,
    },
    types::{AMQPValue, FieldTable},
};
use sea_orm::{DatabaseTransaction, TransactionTrait};
use serde::{Deserialize, Serialize};
use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

#[derive(clap::Args)]
pub struct Args {
    /// Messages per run.
    #[arg(long, default_value_t = 5000)]
    messages: u64,
    /// Body size in bytes.
    #[arg(long, default_value_t = 1024)]
    size: usize,
    /// Publisher confirms in flight (the relay's batch).
    #[arg(long, default_value_t = 500)]
    window: usize,
    /// Consumer prefetch.
    #[arg(long, default_value_t = 500)]
    prefetch: u16,
    /// Consumer partitions (messages handled at once).
    #[arg(long, default_value_t = 8)]
    partitions: usize,
    /// The most deliveries a consumer partition applies in one transaction (1: one each).
    #[arg(long, default_value_t = 64)]
    batch: usize,
    /// Concurrent writers filling the outbox.
    #[arg(long, default_value_t = 8)]
    writers: u64,
    /// Messages each writer enqueues per transaction: 1 is a desk's decision, more is a
    /// consumer batch's handlers or an import writing many in one commit.
    #[arg(long, default_value_t = 1)]
    per_txn: u64,
    /// Runs of each pipeline; the best of each is reported.
    #[arg(long, default_value_t = 3)]
    runs: u32,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct Payload {
    seq: u64,
    filler: String,
}

impl Message for Payload {
    const KIND: &'static str = "bench.payload";
    const VERSION: u16 = 1;
}

pub async fn run(args: Args) {
    println!(
        "bus benchmark: {} messages of {} B, confirm window {}, prefetch {}, {} consumer partitions, batches of up to {}, {} outbox writers of {} per transaction, best of {}",
        args.messages,
        args.size,
        args.window,
        args.prefetch,
        args.partitions,
        args.batch,
        args.writers,
        args.per_txn,
        args.runs
    );
    let mut raw = Vec::new();
    let mut ktpel = Vec::new();
    for _ in 0..args.runs {
        raw.push(raw_lapin(&args).await);
        ktpel.push(backbone(&args).await);
    }
    let best = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
    let (raw, ktpel) = (best(&raw), best(&ktpel));
    let rate = |d: Duration| args.messages as f64 / d.as_secs_f64();
    println!();
    println!("| pipeline | messages | seconds | msg/s | vs raw lapin |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| raw lapin: publish+confirm → quorum queue → consume+ack | {} | {:.2} | {:.0} | 1.00 |",
        args.messages,
        raw.as_secs_f64(),
        rate(raw)
    );
    println!(
        "| ktpel: outbox txn (PostgreSQL) → relay+confirm → quorum queue → inbox+handler txn → ack | {} | {:.2} | {:.0} | {:.2} |",
        args.messages,
        ktpel.as_secs_f64(),
        rate(ktpel),
        rate(ktpel) / rate(raw)
    );
}

pub(crate) fn body(seq: u64, size: usize) -> Payload {
    Payload {
        seq,
        filler: "x".repeat(size.saturating_sub(32)),
    }
}

/// The baseline: the same broker work with no storage.
async fn raw_lapin(args: &Args) -> Duration {
    let vhost = TestVhost::new();
    let conn = lapin::Connection::connect(&vhost.url(), Default::default())
        .await
        .expect("broker");
    let ch = conn.create_channel().await.unwrap();
    declare_quorum_queue(&ch, "bench.raw").await;
    let consumer_ch = conn.create_channel().await.unwrap();
    consumer_ch
        .basic_qos(args.prefetch, BasicQosOptions::default())
        .await
        .unwrap();
    let mut consumer = consumer_ch
        .basic_consume(
            "bench.raw".into(),
            "bench".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    ch.confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    let n = args.messages;
    let start = Instant::now();
    let consume = tokio::spawn(async move {
        let mut got = 0;
        while got < n {
            let d = consumer.next().await.unwrap().unwrap();
            d.ack(BasicAckOptions::default()).await.unwrap();
            got += 1;
        }
    });
    let seqs: Vec<u64> = (0..n).collect();
    crate::import::publish_confirmed(&ch, "", "bench.raw", &seqs, args.window, |seq| {
        (
            serde_json::to_vec(&body(*seq, args.size)).unwrap(),
            uuid::Uuid::now_v7(),
        )
    })
    .await;
    consume.await.unwrap();
    let elapsed = start.elapsed();
    let _ = conn.close(200, "done".into()).await;
    elapsed
}

/// Counts handled messages; the effect is the inbox row and the commit.
pub(crate) struct Count(pub(crate) Arc<AtomicU64>);

impl Handler for Count {
    async fn handle(
        &self,
        _txn: &DatabaseTransaction,
        _outbox: &Outbox,
        m: &Incoming,
    ) -> Result<(), HandlerError> {
        let _: Payload = m.decode()?;
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// The backbone with its storage on PostgreSQL.
async fn backbone(args: &Args) -> Duration {
    let vhost = TestVhost::new();
    let db_guard = TestDatabase::as_deployed(Backend::Postgres).await;
    let db = db_guard.open::<ktpel_store::migrations::BusOnly>().await;
    let broker = Broker::with_backoff(
        vhost.url(),
        "bench",
        ExponentialBuilder::default().without_max_times(),
    );
    let topology = Topology::default();
    let queue = QueueSpec::new("bench.ktpel", [RoutingKey::binding("bench", None).unwrap()]);
    let ch = broker.channel().await.unwrap();
    topology.declare_queue(&ch, &queue).await.unwrap();
    let shutdown = Shutdown::new();
    let handled = Arc::new(AtomicU64::new(0));
    let relay = Relay::new(db.clone(), broker.clone(), "bench").with_batch(args.window);
    let waker = relay.waker();
    let published = relay.published_counter();
    let consumer = Consumer::new(
        broker.clone(),
        db.clone(),
        topology.clone(),
        queue,
        Count(handled.clone()),
    )
    .with_prefetch(args.prefetch)
    .with_partitions(args.partitions)
    .with_batch(args.batch);

    let start = Instant::now();
    tokio::spawn(relay.run(shutdown.clone()));
    tokio::spawn(consumer.run(shutdown.clone()));
    let mut writers = Vec::new();
    for w in 0..args.writers {
        let (db, waker) = (db.clone(), waker.clone());
        let (n, writers_n, size, per_txn) =
            (args.messages, args.writers, args.size, args.per_txn.max(1));
        writers.push(tokio::spawn(async move {
            let mut seq = w;
            while seq < n {
                let mut messages = Vec::new();
                while seq < n && (messages.len() as u64) < per_txn {
                    let key = RoutingKey::regional("bench.payload", "32.73.01").unwrap();
                    let msg = Outgoing::new(
                        &body(seq, size),
                        key,
                        format!("agg-{w}"),
                        format!("agg-{w}"),
                    )
                    .unwrap();
                    messages.push(msg);
                    seq += writers_n;
                }
                // Many in one commit are written the way the register's seeding writes them.
                let txn = db.begin().await.unwrap();
                outbox::enqueue_all(&txn, &messages).await.unwrap();
                txn.commit().await.unwrap();
                waker.wake();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let written = start.elapsed();
    let handled_when_written = handled.load(Ordering::Relaxed);
    let published_when_written = published.load(Ordering::Relaxed);
    while handled.load(Ordering::Relaxed) < args.messages {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let elapsed = start.elapsed();
    eprintln!(
        "  backbone run: outbox written after {:.2}s ({} published, {} handled by then), all handled after {:.2}s",
        written.as_secs_f64(),
        published_when_written,
        handled_when_written,
        elapsed.as_secs_f64()
    );
    shutdown.cancel();
    broker.close().await;
    drop(db);
    elapsed
}

/// A durable quorum queue, as the raw baselines use.
pub(crate) async fn declare_quorum_queue(ch: &lapin::Channel, queue: &str) {
    let mut args = FieldTable::default();
    args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    ch.queue_declare(
        queue.into(),
        QueueDeclareOptions {
            durable: true,
            ..Default::default()
        },
        args,
    )
    .await
    .unwrap();
}
