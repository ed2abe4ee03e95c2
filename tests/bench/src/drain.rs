//! `cargo run --release -p bench -- drain --messages N`: a kecamatan's backlog after a link
//! outage.
//!
//! N enrollments wait in the kecamatan's uplink queue, on its own broker, while its link to
//! the Dinas is cut (a TCP proxy in front of the Dinas's broker). The link is restored, and the
//! clock runs until the Dinas has applied all N: the uplink shovel (`ack-mode: on-confirm`)
//! carries them to the Dinas's exchange, a quorum queue, and a consumer that applies each with
//! its inbox row in a PostgreSQL transaction. Beside it, in the same run and through the same
//! kind of proxy: raw lapin moving the same messages between the same two brokers — consume
//! from a quorum queue on the kecamatan's broker, publish to one on the Dinas's with pipelined
//! confirms, ack after the confirm, and a consumer there that acks — with no storage.

use crate::bus::{Count, body, declare_quorum_queue};
use futures_util::StreamExt;
use ktpel_bus::{
    Broker, Outgoing, QueueSpec, RoutingKey, Shutdown, Topology,
    consumer::Consumer,
    publisher::{Publication, Publisher},
};
use ktpel_site::{Link, Site, link::UPLINK_QUEUE};
use ktpel_tests::{Backend, TestBroker, TestDatabase, TestVhost, proxy::Proxy, sites};
use lapin::{
    BasicProperties, Confirmation,
    options::{
        BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
        ConfirmSelectOptions,
    },
    types::FieldTable,
};
use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

#[derive(clap::Args)]
pub struct Args {
    /// Enrollments waiting at the kecamatan.
    #[arg(long, default_value_t = 5000)]
    messages: u64,
    /// Body size in bytes.
    #[arg(long, default_value_t = 1024)]
    size: usize,
    /// Prefetch of the consumers, and the raw mover's confirm window.
    #[arg(long, default_value_t = 500)]
    prefetch: u16,
    /// Consumer partitions at the Dinas.
    #[arg(long, default_value_t = 8)]
    partitions: usize,
    /// The most deliveries a Dinas partition applies in one transaction (1: one each).
    #[arg(long, default_value_t = 64)]
    batch: usize,
    /// Runs of each; the best of each is reported.
    #[arg(long, default_value_t = 3)]
    runs: u32,
}

const SUBJECT: &str = ktpel_contract::enrollment::CREATED;
const KECAMATAN: &str = "32.73.01";

pub async fn run(args: Args) {
    println!(
        "drain benchmark: {} messages of {} B waiting at kecamatan {KECAMATAN} (broker {}), \
         the Dinas on broker {}, prefetch {}, {} consumer partitions, batches of up to {}, best of {}",
        args.messages,
        args.size,
        TestBroker::site().addr(),
        TestBroker::shared().addr(),
        args.prefetch,
        args.partitions,
        args.batch,
        args.runs
    );
    let (mut raw, mut ktpel) = (Vec::new(), Vec::new());
    for _ in 0..args.runs {
        raw.push(raw_lapin(&args).await);
        ktpel.push(link(&args).await);
    }
    let best = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
    let (raw, ktpel) = (best(&raw), best(&ktpel));
    let rate = |d: Duration| args.messages as f64 / d.as_secs_f64();
    println!();
    println!("| backlog drain after a link outage | messages | seconds | msg/s | vs raw lapin |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| raw lapin: consume (kecamatan) → publish+confirm (Dinas) → ack; consume+ack at the Dinas | {} | {:.2} | {:.0} | 1.00 |",
        args.messages,
        raw.as_secs_f64(),
        rate(raw)
    );
    println!(
        "| ktpel: uplink shovel (on-confirm) → Dinas quorum queue → inbox+handler txn (PostgreSQL) → ack | {} | {:.2} | {:.0} | {:.2} |",
        args.messages,
        ktpel.as_secs_f64(),
        rate(ktpel),
        rate(ktpel) / rate(raw)
    );
}

/// The ktpel path: the backlog in the uplink queue, the link restored, applied at the Dinas.
async fn link(args: &Args) -> Duration {
    let (kecamatan, dinas) = (TestVhost::on(TestBroker::site()), TestVhost::new());
    let site: Site = format!("kecamatan:{KECAMATAN}").parse().unwrap();
    let db_guard = TestDatabase::as_deployed(Backend::Postgres).await;
    let db = db_guard.open::<ktpel_store::migrations::BusOnly>().await;

    // The Dinas: a consumer of the kecamatan's enrollments, applying each with its inbox.
    let at_dinas = Broker::new(dinas.url(), "bench-dinas");
    let topology = Topology::default();
    let queue = QueueSpec::new(
        "bench.enrollments",
        [RoutingKey::binding(SUBJECT, Some(KECAMATAN)).unwrap()],
    );
    let ch = at_dinas.channel().await.unwrap();
    topology.declare_queue(&ch, &queue).await.unwrap();
    let user = sites::grant(&dinas, &site).await;

    // The kecamatan: its link declared, but cut; the backlog published into its uplink.
    let proxy = Proxy::start(TestBroker::shared().addr()).await;
    proxy.cut();
    let link = Link {
        site,
        parent_url: dinas
            .url_as_via(&user.name, &user.password, proxy.addr)
            .into(),
        local_vhost: kecamatan.name.clone(),
        reconnect_seconds: 1,
    };
    let at_kecamatan = Broker::new(kecamatan.url(), "bench-kecamatan");
    link.declare(&at_kecamatan, &kecamatan.broker.management())
        .await
        .unwrap();
    let publisher = Publisher::new(at_kecamatan.channel().await.unwrap(), "bench")
        .await
        .unwrap();
    let messages: Vec<Outgoing> = (0..args.messages)
        .map(|seq| {
            let key = RoutingKey::regional(SUBJECT, KECAMATAN).unwrap();
            let id = format!("berkas-{}", seq % 64);
            Outgoing::new(&body(seq, args.size), key, &id, &id).unwrap()
        })
        .collect();
    for chunk in messages.chunks(args.prefetch as usize) {
        let batch: Vec<Publication<'_>> = chunk
            .iter()
            .map(|m| Publication::of(&topology.exchange, m))
            .collect();
        publisher.publish_all(&batch).await.unwrap();
    }
    while at_kecamatan.queue_depth(UPLINK_QUEUE).await.unwrap() < args.messages as u32 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let shutdown = Shutdown::new();
    let handled = Arc::new(AtomicU64::new(0));
    let consumer = Consumer::new(
        at_dinas.clone(),
        db.clone(),
        topology.clone(),
        queue,
        Count(handled.clone()),
    )
    .with_prefetch(args.prefetch)
    .with_partitions(args.partitions)
    .with_batch(args.batch);
    tokio::spawn(consumer.run(shutdown.clone()));
    let start = Instant::now();
    proxy.restore();
    // When the shovel has carried everything across, and when the Dinas has applied it.
    let mut crossed = None;
    while handled.load(Ordering::Relaxed) < args.messages {
        if crossed.is_none() && at_kecamatan.queue_depth(UPLINK_QUEUE).await.unwrap_or(1) == 0 {
            crossed = Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = start.elapsed();
    let crossed = crossed.unwrap_or(elapsed);
    eprintln!(
        "  link run: the uplink emptied after {:.2}s (the shovel redials every {}s), all {} applied at the Dinas after {:.2}s",
        crossed.as_secs_f64(),
        link.reconnect_seconds,
        args.messages,
        elapsed.as_secs_f64()
    );
    shutdown.cancel();
    let _ = publisher.channel().close(200, "done".into()).await;
    at_kecamatan.close().await;
    at_dinas.close().await;
    drop(user);
    elapsed
}

/// The baseline: the same messages moved by hand from one broker to the other, no storage.
async fn raw_lapin(args: &Args) -> Duration {
    let (kecamatan, dinas) = (TestVhost::on(TestBroker::site()), TestVhost::new());
    let proxy = Proxy::start(TestBroker::shared().addr()).await;
    let from = lapin::Connection::connect(&kecamatan.url(), Default::default())
        .await
        .unwrap();
    let to = lapin::Connection::connect(&dinas.url_via(proxy.addr), Default::default())
        .await
        .unwrap();
    let (out_ch, in_ch) = (
        from.create_channel().await.unwrap(),
        to.create_channel().await.unwrap(),
    );
    declare_quorum_queue(&out_ch, "bench.waiting").await;
    declare_quorum_queue(&in_ch, "bench.arrived").await;
    // The backlog.
    out_ch
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    let props = || BasicProperties::default().with_delivery_mode(2);
    for chunk in (0..args.messages)
        .collect::<Vec<_>>()
        .chunks(args.prefetch as usize)
    {
        let mut pending = Vec::new();
        for seq in chunk {
            let payload = serde_json::to_vec(&body(*seq, args.size)).unwrap();
            pending.push(
                out_ch
                    .basic_publish(
                        "".into(),
                        "bench.waiting".into(),
                        BasicPublishOptions::default(),
                        &payload,
                        props().with_message_id(uuid::Uuid::now_v7().to_string().into()),
                    )
                    .await
                    .unwrap(),
            );
        }
        for c in pending {
            assert!(matches!(c.await.unwrap(), Confirmation::Ack(_)));
        }
    }
    // The Dinas's consumer.
    let arrive_ch = to.create_channel().await.unwrap();
    arrive_ch
        .basic_qos(args.prefetch, BasicQosOptions::default())
        .await
        .unwrap();
    let mut arrivals = arrive_ch
        .basic_consume(
            "bench.arrived".into(),
            "dinas".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let n = args.messages;
    let start = Instant::now();
    let arrived = tokio::spawn(async move {
        for _ in 0..n {
            let d = arrivals.next().await.unwrap().unwrap();
            d.ack(BasicAckOptions::default()).await.unwrap();
        }
    });
    // The mover: a window of deliveries, published and confirmed, then acked at the source.
    let move_ch = from.create_channel().await.unwrap();
    move_ch
        .basic_qos(args.prefetch, BasicQosOptions::default())
        .await
        .unwrap();
    in_ch
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    let mut waiting = move_ch
        .basic_consume(
            "bench.waiting".into(),
            "mover".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let mut moved = 0;
    while moved < n {
        let window = (args.prefetch as u64).min(n - moved);
        let mut batch = Vec::new();
        for _ in 0..window {
            let d = waiting.next().await.unwrap().unwrap();
            let confirm = in_ch
                .basic_publish(
                    "".into(),
                    "bench.arrived".into(),
                    BasicPublishOptions::default(),
                    &d.data,
                    d.properties.clone(),
                )
                .await
                .unwrap();
            batch.push((d, confirm));
        }
        for (d, confirm) in batch {
            assert!(matches!(confirm.await.unwrap(), Confirmation::Ack(_)));
            d.ack(BasicAckOptions::default()).await.unwrap();
        }
        moved += window;
    }
    arrived.await.unwrap();
    let elapsed = start.elapsed();
    let _ = from.close(200, "done".into()).await;
    let _ = to.close(200, "done".into()).await;
    elapsed
}
