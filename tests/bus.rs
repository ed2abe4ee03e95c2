//! The messaging backbone against the real RabbitMQ (a fresh vhost per test) and a real
//! database: the numbered tests each check one of the backbone's guarantees.

use backon::ExponentialBuilder;
use ktpel_bus::{
    Broker, Context, Handler, HandlerError, Incoming, Message, Outbox, Outgoing, QueueSpec, Relay,
    Router, RoutingKey, Scope, Shutdown, Topology,
    consumer::{AfterCommit, Consumer, Outcome, QUEUE_HEADER, REASON_HEADER},
    outbox,
    publisher::{Publication, Publisher},
};
use ktpel_tests::{Backend, TestDatabase, TestVhost, effects, eventually, proxy::Proxy};
use lapin::options::BasicGetOptions;
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use serde::{Deserialize, Serialize};
use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

const WAIT: Duration = Duration::from_secs(30);
const QUEUE: &str = "test.effects";

#[derive(Debug, Serialize, Deserialize)]
struct Ping {
    aggregate: String,
    seq: i64,
    #[serde(default)]
    poison: bool,
}

impl Message for Ping {
    const KIND: &'static str = "test.ping";
    const VERSION: u16 = 1;
}

/// A message with a NIK: deserializing it validates the NIK (S01.2, "verifies and validates").
#[derive(Debug, Serialize, Deserialize)]
struct Enrol {
    nik: ktpel_domain::Nik,
}

impl Message for Enrol {
    const KIND: &'static str = "test.enrol";
    const VERSION: u16 = 1;
}

/// Writes one effect per message; can be told to fail transiently a number of times.
#[derive(Default)]
struct Recorder {
    transient_failures_left: AtomicU32,
    attempts: Mutex<Vec<Instant>>,
    trace_ids: Mutex<Vec<Option<String>>>,
}

impl Handler for Recorder {
    async fn handle(
        &self,
        txn: &DatabaseTransaction,
        _outbox: &Outbox,
        m: &Incoming,
    ) -> Result<(), HandlerError> {
        self.attempts.lock().unwrap().push(Instant::now());
        self.trace_ids
            .lock()
            .unwrap()
            .push(ktpel_telemetry::propagation::trace_id(
                &tracing::Span::current(),
            ));
        if m.is::<Ping>() {
            let ping: Ping = m.decode()?;
            if ping.poison {
                return Err(HandlerError::permanent(
                    "poison pill: this berkas can never be processed",
                ));
            }
            let left = self.transient_failures_left.load(Ordering::SeqCst);
            if left > 0 {
                self.transient_failures_left
                    .store(left - 1, Ordering::SeqCst);
                return Err(HandlerError::transient("the registry did not answer"));
            }
            effects::record(txn, &m.message_id.to_string(), &ping.aggregate, ping.seq).await?;
            Ok(())
        } else if m.is::<Enrol>() {
            let enrol: Enrol = m.decode()?;
            effects::record(txn, &m.message_id.to_string(), &enrol.nik.to_string(), 0).await?;
            Ok(())
        } else {
            Err(HandlerError::permanent(format!(
                "unknown message type `{}`",
                m.message_type
            )))
        }
    }
}

fn fast_backoff() -> ExponentialBuilder {
    ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(50))
        .with_max_delay(Duration::from_millis(500))
        .with_jitter()
        .without_max_times()
}

/// One test's world: a vhost, a database, a broker handle, a relay and a consumer.
struct Rig {
    vhost: TestVhost,
    db_guard: TestDatabase,
    db: DatabaseConnection,
    broker: Broker,
    topology: Topology,
    shutdown: Shutdown,
    recorder: Arc<Recorder>,
    outcomes: Arc<Mutex<Vec<(Incoming, Outcome)>>>,
}

impl Rig {
    async fn new(backend: Backend) -> Self {
        ktpel_tests::telemetry();
        let vhost = TestVhost::new();
        let db_guard = TestDatabase::new(backend).await;
        let db = db_guard.open::<effects::Migrator>().await;
        let broker = Broker::with_backoff(vhost.url(), "test-service", fast_backoff());
        Self {
            vhost,
            db_guard,
            db,
            broker,
            topology: Topology::default(),
            shutdown: Shutdown::new(),
            recorder: Arc::default(),
            outcomes: Arc::default(),
        }
    }

    fn queue() -> QueueSpec {
        QueueSpec::new(QUEUE, [RoutingKey::binding("test", None).unwrap()]).with_delivery_limit(3)
    }

    fn consumer(&self) -> Consumer<Arc<Recorder>> {
        let outcomes = self.outcomes.clone();
        Consumer::new(
            self.broker.clone(),
            self.db.clone(),
            self.topology.clone(),
            Self::queue(),
            self.recorder.clone(),
        )
        // Four messages at once: the order tests check that one aggregate stays in order.
        .with_partitions(4)
        .with_retry(
            ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(100))
                .with_factor(3.0)
                .with_jitter()
                .with_max_times(4),
        )
        .with_outcome_observer(move |m, o| outcomes.lock().unwrap().push((m.clone(), o.clone())))
    }

    /// Declares the queue before anything is published, so nothing is unrouted.
    async fn declare(&self) {
        let ch = self.broker.channel().await.unwrap();
        self.topology
            .declare_queue(&ch, &Self::queue())
            .await
            .unwrap();
    }

    /// A consumer of one partition that applies up to `batch` waiting deliveries at once.
    fn spawn_batching_consumer(&self, batch: usize) {
        let c = self.consumer().with_partitions(1).with_batch(batch);
        let s = self.shutdown.clone();
        tokio::spawn(async move { c.run(s).await });
    }

    fn spawn_consumer(&self) {
        let c = self.consumer();
        let s = self.shutdown.clone();
        tokio::spawn(async move { c.run(s).await });
    }

    fn spawn_relay(&self, broker: Broker) -> outbox::Waker {
        let relay = Relay::new(self.db.clone(), broker, "test-service")
            .with_poll_interval(Duration::from_millis(50));
        let waker = relay.waker();
        tokio::spawn(relay.run(self.shutdown.clone()));
        waker
    }

    /// Writes pings to the outbox in one transaction per message, as a service would.
    async fn enqueue(&self, pings: impl IntoIterator<Item = Ping>) -> Vec<uuid::Uuid> {
        let mut ids = Vec::new();
        for ping in pings {
            let key = RoutingKey::regional("test.ping", "32.73.01").unwrap();
            let msg =
                Outgoing::new(&ping, key, ping.aggregate.clone(), ping.aggregate.clone()).unwrap();
            ids.push(msg.message_id);
            let txn = self.db.begin().await.unwrap();
            outbox::enqueue(&txn, &msg).await.unwrap();
            txn.commit().await.unwrap();
        }
        ids
    }

    /// Publishes raw bytes with a given type, bypassing the outbox (to send malformed input).
    async fn publish_raw(&self, message_type: &str, body: &[u8]) {
        let publisher = Publisher::new(self.broker.channel().await.unwrap(), "test-raw")
            .await
            .unwrap();
        publisher
            .publish(&Publication {
                exchange: &self.topology.exchange,
                routing_key: "test.raw.32.73.01",
                message_id: uuid::Uuid::now_v7(),
                correlation_id: "raw",
                message_type,
                headers: &BTreeMap::new(),
                body,
            })
            .await
            .unwrap();
    }

    async fn effects(&self) -> Vec<effects::Effect> {
        effects::all(&self.db).await
    }

    /// The outcomes observed once there are `n`: a consumer reports a message's outcome after
    /// its commit and ack, so its effect can be seen a moment before.
    async fn wait_for_outcomes(&self, n: usize) -> Vec<Outcome> {
        let outcomes = || {
            self.outcomes
                .lock()
                .unwrap()
                .iter()
                .map(|(_, o)| o.clone())
                .collect::<Vec<_>>()
        };
        eventually(WAIT, || async { outcomes().len() >= n }).await;
        outcomes()
    }

    async fn wait_for_effects(&self, n: usize) -> Vec<effects::Effect> {
        let ok = eventually(WAIT, || async { self.effects().await.len() >= n }).await;
        let got = self.effects().await;
        assert!(ok, "expected {n} effects, got {}", got.len());
        got
    }

    /// Takes every message out of the queue's dead-letter queue: (type, reason, body).
    async fn dead_letters(&self) -> Vec<(String, String, String)> {
        let ch = self.broker.channel().await.unwrap();
        let mut out = Vec::new();
        while let Some(m) = ch
            .basic_get(
                Self::queue().dead_letter_queue().into(),
                BasicGetOptions { no_ack: true },
            )
            .await
            .unwrap()
        {
            let props = &m.delivery.properties;
            let headers = props.headers().clone().unwrap_or_default();
            let reason = headers
                .inner()
                .get(REASON_HEADER)
                .and_then(|v| v.as_long_string().map(|s| s.to_string()))
                .unwrap_or_default();
            let queue = headers
                .inner()
                .get(QUEUE_HEADER)
                .and_then(|v| v.as_long_string().map(|s| s.to_string()));
            assert_eq!(
                queue.as_deref(),
                Some(QUEUE),
                "the dead letter names its queue"
            );
            out.push((
                props
                    .kind()
                    .as_ref()
                    .map(|k| k.to_string())
                    .unwrap_or_default(),
                reason,
                String::from_utf8_lossy(&m.delivery.data).into_owned(),
            ));
        }
        out
    }

    async fn queue_depth(&self, name: &str) -> u32 {
        self.broker.queue_depth(name).await.unwrap()
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

fn pings(aggregate: &str, n: i64) -> Vec<Ping> {
    (0..n)
        .map(|seq| Ping {
            aggregate: aggregate.into(),
            seq,
            poison: false,
        })
        .collect()
}

// 1. A published message is handled exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_message_is_handled_exactly_once() {
    let rig = Rig::new(Backend::Sqlite).await;
    rig.declare().await;
    rig.spawn_consumer();
    rig.spawn_relay(rig.broker.clone());
    let ids = rig.enqueue(pings("berkas-1", 20)).await;

    let effects = rig.wait_for_effects(20).await;
    // Give a duplicate the time to show up if there were one.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let effects_after = rig.effects().await;
    assert_eq!(
        effects_after, effects,
        "no effect was added after all 20 arrived"
    );
    let mut seen: Vec<String> = effects.iter().map(|e| e.message_id.clone()).collect();
    seen.sort();
    let mut expected: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    expected.sort();
    assert_eq!(seen, expected, "each message has exactly one effect");
    assert_eq!(
        outbox::pending(&rig.db).await.unwrap(),
        0,
        "the outbox is drained"
    );
    assert_eq!(rig.queue_depth(QUEUE).await, 0);
}

// 2. The consumer dies after its effect commits but before it acks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivery_after_commit_does_not_double_the_effect() {
    let rig = Rig::new(Backend::Sqlite).await;
    rig.declare().await;
    let crashing = rig.consumer().with_after_commit(|_| AfterCommit::Crash);
    let crashed = tokio::spawn(crashing.run(rig.shutdown.clone()));
    rig.spawn_relay(rig.broker.clone());
    let ids = rig.enqueue(pings("berkas-2", 1)).await;

    let result = tokio::time::timeout(WAIT, crashed)
        .await
        .expect("the consumer crashes")
        .unwrap();
    assert!(
        result.is_err(),
        "the hook made the consumer stop before its ack"
    );
    assert_eq!(
        rig.effects().await.len(),
        1,
        "the effect committed before the crash"
    );

    // A new consumer (the restarted process) gets the unacked message again.
    rig.spawn_consumer();
    let outcomes = rig.outcomes.clone();
    let redelivered = eventually(WAIT, || {
        let outcomes = outcomes.clone();
        async move {
            outcomes
                .lock()
                .unwrap()
                .iter()
                .any(|(m, o)| m.redelivered && *o == Outcome::Duplicate)
        }
    })
    .await;
    assert!(
        redelivered,
        "the message came again and was recognised: {:?}",
        rig.outcomes
            .lock()
            .unwrap()
            .iter()
            .map(|(m, o)| (m.redelivered, o.clone()))
            .collect::<Vec<_>>()
    );
    let effects = rig.effects().await;
    assert_eq!(effects.len(), 1, "still one effect");
    assert_eq!(effects[0].message_id, ids[0].to_string());
    assert_eq!(
        rig.recorder.attempts.lock().unwrap().len(),
        1,
        "the handler ran once"
    );
    assert!(
        eventually(WAIT, || async { rig.queue_depth(QUEUE).await == 0 }).await,
        "and it was acked"
    );
}

// 3. A handler fails transiently three times, then succeeds: one effect, and the waits grew.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_back_off_and_then_succeed_once() {
    let rig = Rig::new(Backend::Sqlite).await;
    rig.recorder
        .transient_failures_left
        .store(3, Ordering::SeqCst);
    rig.declare().await;
    rig.spawn_consumer();
    rig.spawn_relay(rig.broker.clone());
    rig.enqueue(pings("berkas-3", 1)).await;

    let effects = rig.wait_for_effects(1).await;
    assert_eq!(effects.len(), 1);
    let attempts = rig.recorder.attempts.lock().unwrap().clone();
    assert_eq!(attempts.len(), 4, "three failures and one success");
    let waits: Vec<Duration> = attempts.windows(2).map(|w| w[1] - w[0]).collect();
    // Backoff 100 ms × 3ⁿ with jitter below one step: [100,200), [300,600), [900,1800) ms.
    assert!(
        waits[0] >= Duration::from_millis(100),
        "first wait {waits:?}"
    );
    assert!(
        waits[1] > waits[0] && waits[2] > waits[1],
        "the waits grew: {waits:?}"
    );
    assert_eq!(rig.wait_for_outcomes(1).await, vec![Outcome::Applied]);
}

// 3b. Transient failures that outlast the retries return the message to the queue; the
// quorum queue's delivery limit finally dead-letters it instead of letting it circle for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_never_recovers_is_dead_lettered_by_the_delivery_limit() {
    let rig = Rig::new(Backend::Sqlite).await;
    rig.recorder
        .transient_failures_left
        .store(u32::MAX, Ordering::SeqCst);
    rig.declare().await;
    let consumer = rig.consumer().with_retry(
        ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(10))
            .with_max_times(1),
    );
    tokio::spawn(consumer.run(rig.shutdown.clone()));
    rig.spawn_relay(rig.broker.clone());
    rig.enqueue(pings("berkas-3b", 1)).await;

    let dlq = Rig::queue().dead_letter_queue();
    assert!(eventually(WAIT, || async { rig.queue_depth(&dlq).await == 1 }).await);
    assert!(rig.effects().await.is_empty());
    let requeued = rig
        .outcomes
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Requeued(_)))
        .count();
    // delivery limit 3: the first delivery and three redeliveries, then the broker gives up.
    assert!(requeued >= 3, "requeued {requeued} times");
}

// 4. Permanent failure, a body that is not JSON, an invalid NIK, an unknown type: each goes to
// the dead-letter queue with a readable reason, and the next good message is still handled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_messages_are_dead_lettered_with_a_reason_and_the_consumer_carries_on() {
    let rig = Rig::new(Backend::Sqlite).await;
    rig.declare().await;
    rig.spawn_consumer();
    rig.spawn_relay(rig.broker.clone());

    rig.enqueue([Ping {
        aggregate: "berkas-4".into(),
        seq: 0,
        poison: true,
    }])
    .await;
    rig.publish_raw("test.ping.v1", b"{not json").await;
    rig.publish_raw("test.enrol.v1", br#"{"nik":"3273014107900000"}"#)
        .await;
    rig.publish_raw("test.enrol.v1", br#"{"nik":"12345"}"#)
        .await;
    rig.publish_raw("test.ping.v9", br#"{"aggregate":"x","seq":1}"#)
        .await;
    rig.enqueue(pings("berkas-4-good", 1)).await;

    let effects = rig.wait_for_effects(1).await;
    assert_eq!(
        effects[0].aggregate, "berkas-4-good",
        "the good message after the bad ones was handled"
    );
    let dlq = Rig::queue().dead_letter_queue();
    assert!(eventually(WAIT, || async { rig.queue_depth(&dlq).await == 5 }).await);
    let dead = rig.dead_letters().await;
    let reason_of = |needle: &str| {
        dead.iter()
            .find(|(_, _, body)| body.contains(needle))
            .map(|(_, r, _)| r.clone())
            .unwrap_or_else(|| panic!("no dead letter with body containing {needle}: {dead:?}"))
    };
    assert!(reason_of("poison").contains("poison pill"));
    assert!(reason_of("{not json").contains("not valid"), "{dead:?}");
    let zero_serial = reason_of("3273014107900000").to_lowercase();
    assert!(
        zero_serial.contains("nik") && zero_serial.contains("serial"),
        "{zero_serial}"
    );
    let short = reason_of("12345\"").to_lowercase();
    assert!(short.contains("nik") && short.contains("16"), "{short}");
    assert!(reason_of("\"x\"").contains("unknown message type `test.ping.v9`"));
    assert_eq!(
        rig.queue_depth(QUEUE).await,
        0,
        "nothing is stuck in the work queue"
    );
    assert_eq!(
        ktpel_bus::inbox::count(&rig.db, QUEUE).await.unwrap(),
        1,
        "only the good one is in the inbox"
    );
}

// 5. The broker is unreachable while the outbox fills: once it is back every message is
// published, handled once, in order per aggregate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_waits_out_an_unreachable_broker_and_keeps_order() {
    let rig = Rig::new(Backend::Postgres).await;
    rig.declare().await;
    rig.spawn_consumer();
    let proxy = Proxy::start("127.0.0.1:5672".parse().unwrap()).await;
    let relay_broker = Broker::with_backoff(
        rig.vhost.url_via(proxy.addr),
        "relay-behind-proxy",
        fast_backoff(),
    );
    let waker = rig.spawn_relay(relay_broker.clone());
    rig.enqueue(pings("warmup", 1)).await;
    waker.wake();
    rig.wait_for_effects(1).await;

    proxy.cut();
    assert!(
        eventually(WAIT, || async { !relay_broker.is_connected().await }).await,
        "the relay noticed"
    );
    let aggregates = ["A", "B", "C", "D", "E"];
    let mut all = Vec::new();
    for seq in 0..20 {
        for a in aggregates {
            all.push(Ping {
                aggregate: a.into(),
                seq,
                poison: false,
            });
        }
    }
    rig.enqueue(all).await;
    waker.wake();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        rig.effects().await.len(),
        1,
        "nothing got through while the broker was unreachable"
    );
    assert_eq!(
        outbox::pending(&rig.db).await.unwrap(),
        100,
        "the outbox kept every message"
    );

    proxy.restore();
    let effects = rig.wait_for_effects(101).await;
    assert_eq!(effects.len(), 101);
    let mut ids: Vec<&str> = effects.iter().map(|e| e.message_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 101, "each message was handled once");
    for a in aggregates {
        let seqs: Vec<i64> = effects
            .iter()
            .filter(|e| e.aggregate == a)
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, (0..20).collect::<Vec<_>>(), "aggregate {a} in order");
    }
    assert_eq!(outbox::pending(&rig.db).await.unwrap(), 0);
}

// 5b. Ops close every connection from the broker side mid-stream: relay and consumer recover
// by themselves and nothing is lost or doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_closed_by_the_broker_recover_by_themselves() {
    let rig = Rig::new(Backend::Sqlite).await;
    rig.declare().await;
    rig.spawn_consumer();
    rig.spawn_relay(rig.broker.clone());
    rig.enqueue(pings("before", 10)).await;
    rig.wait_for_effects(10).await;

    rig.vhost.close_all_connections();
    rig.enqueue(pings("after", 10)).await;
    let effects = rig.wait_for_effects(20).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rig.effects().await.len(), 20, "nothing doubled");
    let after: Vec<i64> = effects
        .iter()
        .filter(|e| e.aggregate == "after")
        .map(|e| e.seq)
        .collect();
    assert_eq!(after, (0..10).collect::<Vec<_>>());
}

// 6. The trace id of a consumed message equals the publisher's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trace_id_crosses_the_bus() {
    let rig = Rig::new(Backend::Sqlite).await;
    rig.declare().await;
    rig.spawn_consumer();
    rig.spawn_relay(rig.broker.clone());

    use tracing::Instrument;
    let span = tracing::info_span!("intake desk");
    let publisher_trace =
        ktpel_telemetry::propagation::trace_id(&span).expect("the publisher's span has a trace id");
    rig.enqueue(pings("untraced", 1)).await;
    let traced = rig
        .enqueue(pings("traced", 1))
        .instrument(span.clone())
        .await;
    assert_eq!(traced.len(), 1);
    rig.wait_for_effects(2).await;
    let effects = rig.effects().await;
    let index = effects
        .iter()
        .position(|e| e.aggregate == "traced")
        .unwrap();
    let consumer_trace = rig.recorder.trace_ids.lock().unwrap()[index].clone();
    assert_eq!(consumer_trace.as_deref(), Some(publisher_trace.as_str()));
    let untraced = rig.recorder.trace_ids.lock().unwrap()[1 - index].clone();
    assert_ne!(
        untraced.as_deref(),
        Some(publisher_trace.as_str()),
        "a message from outside the span has another trace"
    );
}

// Deliveries that are waiting are applied in one transaction; a poison message and
// a transient failure inside a batch sink nothing else: the batch rolls back and its messages
// are handled one by one, so each good one is applied exactly once, in order, and only the
// poison is dead-lettered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_message_in_a_batch_sinks_none_of_its_neighbours() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let rig = Rig::new(backend).await;
        rig.declare().await;
        rig.recorder
            .transient_failures_left
            .store(1, Ordering::SeqCst);
        // Everything waits in the queue before the consumer starts: the batches are full.
        // The transient failure hits the first message; the poison sits far from it, in a
        // later batch of its own.
        let mut all = pings("berkas-batch", 40);
        all[30].poison = true;
        rig.enqueue(all).await;
        rig.spawn_relay(rig.broker.clone());
        assert!(eventually(WAIT, || async { rig.queue_depth(QUEUE).await == 40 }).await);
        rig.spawn_batching_consumer(16);

        let effects = rig.wait_for_effects(39).await;
        let dlq = Rig::queue().dead_letter_queue();
        assert!(eventually(WAIT, || async { rig.queue_depth(&dlq).await == 1 }).await);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let effects_now = rig.effects().await;
        assert_eq!(effects_now.len(), 39, "{backend:?}: each good message once");
        let seqs: Vec<i64> = effects.iter().map(|e| e.seq).collect();
        let expected: Vec<i64> = (0..40).filter(|s| *s != 30).collect();
        assert_eq!(seqs, expected, "{backend:?}: in order, the poison left out");
        let dead = rig.dead_letters().await;
        assert_eq!(dead.len(), 1, "{dead:?}");
        assert!(dead[0].1.contains("poison pill"), "{dead:?}");
        assert_eq!(
            ktpel_bus::inbox::count(&rig.db, QUEUE).await.unwrap(),
            39,
            "{backend:?}: the inbox holds the good ones"
        );
        // The handler ran more often than the 40 messages and the one transient failure
        // account for: the messages before the poison in its batch ran, were rolled back with
        // it, and ran again one by one.
        let attempts = rig.recorder.attempts.lock().unwrap().len();
        assert!(
            attempts > 40 + 1,
            "{backend:?}: {attempts} attempts — the poison's batch was not rolled back"
        );
        let applied = rig
            .outcomes
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Applied))
            .count();
        assert_eq!(applied, 39, "{backend:?}");
        assert_eq!(rig.queue_depth(QUEUE).await, 0, "{backend:?}: nothing left");
    }
}

// A batch of good deliveries is one transaction: all applied once, in order per aggregate,
// with no fallback.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_deliveries_are_applied_together_once_each() {
    let rig = Rig::new(Backend::Postgres).await;
    rig.declare().await;
    let mut all = pings("berkas-x", 30);
    all.extend(pings("berkas-y", 30));
    rig.enqueue(all).await;
    rig.spawn_relay(rig.broker.clone());
    assert!(eventually(WAIT, || async { rig.queue_depth(QUEUE).await == 60 }).await);
    rig.spawn_batching_consumer(64);
    let effects = rig.wait_for_effects(60).await;
    for a in ["berkas-x", "berkas-y"] {
        let seqs: Vec<i64> = effects
            .iter()
            .filter(|e| e.aggregate == a)
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, (0..30).collect::<Vec<_>>(), "{a} in order");
    }
    // Every handler call committed: no batch had to fall back.
    assert_eq!(rig.recorder.attempts.lock().unwrap().len(), 60);
    assert_eq!(ktpel_bus::inbox::count(&rig.db, QUEUE).await.unwrap(), 60);
}

/// Spawns `consumer` and returns its count of committed transactions.
fn spawn_counting(
    rig: &Rig,
    consumer: Consumer<Arc<Recorder>>,
) -> tokio::sync::watch::Receiver<u64> {
    let committed = consumer.committed();
    let s = rig.shutdown.clone();
    tokio::spawn(async move { consumer.run(s).await });
    committed
}

// Without a batch wait, a delivery that arrives alone is a transaction of its own; each
// commit is counted (what instant desks wait on).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_commit_is_counted_and_a_lone_delivery_is_its_own_transaction() {
    let rig = Rig::new(Backend::Postgres).await;
    rig.declare().await;
    rig.spawn_relay(rig.broker.clone());
    let mut committed = spawn_counting(&rig, rig.consumer().with_partitions(1).with_batch(64));
    for (i, ping) in pings("berkas-x", 5).into_iter().enumerate() {
        rig.enqueue([ping]).await;
        rig.wait_for_outcomes(i + 1).await;
        assert_eq!(*committed.borrow_and_update(), i as u64 + 1);
    }
}

// With a batch wait, deliveries arriving a moment apart share one transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partition_waits_for_more_deliveries_to_fill_its_batch() {
    let rig = Rig::new(Backend::Postgres).await;
    rig.declare().await;
    rig.spawn_relay(rig.broker.clone());
    let consumer = rig
        .consumer()
        .with_partitions(1)
        .with_batch(64)
        .with_batch_wait(Duration::from_secs(3));
    let committed = spawn_counting(&rig, consumer);
    for ping in pings("berkas-x", 5) {
        rig.enqueue([ping]).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let effects = rig.wait_for_effects(5).await;
    assert_eq!(
        effects.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (0..5).collect::<Vec<_>>()
    );
    rig.wait_for_outcomes(5).await;
    assert_eq!(
        *committed.borrow(),
        1,
        "five deliveries 100 ms apart, one transaction"
    );
}

/// Waits (up to `within`) until the relay has published every row of the outbox, then checks
/// that the queue holds exactly `written`, each once, in the order written.
async fn assert_published_in_order(rig: &Rig, written: &[uuid::Uuid], within: Duration) {
    assert!(
        eventually(within, || async {
            outbox::pending(&rig.db).await.unwrap() == 0
        })
        .await,
        "{} rows still wait to be published",
        outbox::pending(&rig.db).await.unwrap()
    );
    let published = drain_ids(rig, QUEUE).await;
    let written: Vec<String> = written.iter().map(|i| i.to_string()).collect();
    assert_eq!(published, written, "each once, in order");
}

/// Takes every message waiting in `queue` (no consumer on it): their message ids.
async fn drain_ids(rig: &Rig, queue: &str) -> Vec<String> {
    let ch = rig.broker.channel().await.unwrap();
    let mut ids = Vec::new();
    while let Some(m) = ch
        .basic_get(queue.into(), BasicGetOptions { no_ack: true })
        .await
        .unwrap()
    {
        ids.push(
            m.delivery
                .properties
                .message_id()
                .as_ref()
                .map(|i| i.to_string())
                .unwrap_or_default(),
        );
    }
    ids
}

// Relays of two replicas of a service on one PostgreSQL database claim their rows
// with FOR UPDATE SKIP LOCKED: every row is published exactly once, none by both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relays_on_one_database_never_publish_the_same_row() {
    let rig = Rig::new(Backend::Postgres).await;
    rig.declare().await;
    let ids = rig.enqueue(pings("berkas-r", 600)).await;
    for replica in ["replica-a", "replica-b"] {
        let relay = Relay::new(rig.db.clone(), rig.broker.clone(), replica).with_batch(25);
        tokio::spawn(relay.run(rig.shutdown.clone()));
    }
    assert!(
        eventually(WAIT, || async {
            outbox::pending(&rig.db).await.unwrap() == 0
        })
        .await
    );
    // Anything a second relay published twice would arrive just after: give it the time.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut published = drain_ids(&rig, QUEUE).await;
    assert_eq!(published.len(), 600, "each row once, none twice");
    published.sort();
    published.dedup();
    assert_eq!(published.len(), 600);
    let mut written: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    written.sort();
    assert_eq!(published, written);
}

// On PostgreSQL a desk's write to the outbox from another process (here another
// connection pool, with nobody calling the relay's waker) reaches the broker when it commits,
// not at the next poll: the relay LISTENs for the NOTIFY the desk's transaction sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_elsewhere_wakes_the_relay_at_once() {
    let rig = Rig::new(Backend::Postgres).await;
    rig.declare().await;
    let relay = Relay::new(rig.db.clone(), rig.broker.clone(), "test-service")
        .with_poll_interval(Duration::from_secs(3600));
    tokio::spawn(relay.run(rig.shutdown.clone()));
    // Let it drain (nothing) and start listening.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let desk = rig.db_guard.open::<effects::Migrator>().await;
    let key = RoutingKey::regional("test.ping", "32.73.01").unwrap();
    let ping = &pings("berkas-n", 1)[0];
    let msg = Outgoing::new(ping, key, "berkas-n", "berkas-n").unwrap();
    let txn = desk.begin().await.unwrap();
    outbox::enqueue(&txn, &msg).await.unwrap();
    outbox::notify(&txn).await.unwrap();
    txn.commit().await.unwrap();
    // An hour's poll away: only the NOTIFY can have brought it.
    assert!(
        eventually(WAIT, || async { rig.queue_depth(QUEUE).await == 1 }).await,
        "the relay never heard of the commit"
    );
    assert_eq!(drain_ids(&rig, QUEUE).await, [msg.message_id.to_string()]);
}

// A relay whose batch came back short goes to sleep instead of claiming again, and
// relies on the wake of every commit made while it was publishing. Writers commit one message
// at a time and wake it in-process; the poll is an hour away, so a lost wake would leave
// messages in the outbox.
async fn every_woken_commit_is_published_without_the_poll(backend: Backend) {
    let rig = Rig::new(backend).await;
    rig.declare().await;
    let relay = Relay::new(rig.db.clone(), rig.broker.clone(), "test-service")
        .with_poll_interval(Duration::from_secs(3600));
    let waker = relay.waker();
    tokio::spawn(relay.run(rig.shutdown.clone()));
    let mut written = Vec::new();
    for ping in pings("berkas-w", 150) {
        written.extend(rig.enqueue([ping]).await);
        waker.wake();
    }
    assert_published_in_order(&rig, &written, WAIT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_woken_commit_is_published_without_the_poll_sqlite() {
    every_woken_commit_is_published_without_the_poll(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_woken_commit_is_published_without_the_poll_postgres() {
    every_woken_commit_is_published_without_the_poll(Backend::Postgres).await;
}

// The relay deletes what it published once it is older than the retention (here none at all,
// looked at every 50 ms), and only that: every message still reaches the queue, once, in
// order. A relay without a retention keeps its rows.
async fn a_relay_prunes_what_it_published_after_the_retention(backend: Backend) {
    use ktpel_store::entities::outbox as table;
    use sea_orm::{EntityTrait, PaginatorTrait};
    // A rig whose relay keeps published rows `retention` long, with 40 pings published.
    let published = |retention: Option<Duration>| async move {
        let rig = Rig::new(backend).await;
        rig.declare().await;
        let relay = Relay::new(rig.db.clone(), rig.broker.clone(), "test-service")
            .with_retention(retention)
            .with_prune_every(Duration::from_millis(50));
        let waker = relay.waker();
        tokio::spawn(relay.run(rig.shutdown.clone()));
        let written = rig.enqueue(pings("berkas-r", 40)).await;
        waker.wake();
        (rig, written)
    };
    let (rig, written) = published(Some(Duration::ZERO)).await;
    let rows = || async { table::Entity::find().count(&rig.db).await.unwrap() };
    assert!(
        eventually(WAIT, || async { rows().await == 0 }).await,
        "{} published rows were kept",
        rows().await
    );
    assert_published_in_order(&rig, &written, WAIT).await;

    let (keeper, written) = published(None).await;
    assert_published_in_order(&keeper, &written, WAIT).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        table::Entity::find().count(&keeper.db).await.unwrap(),
        40,
        "without a retention every row stays"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_prunes_what_it_published_after_the_retention_sqlite() {
    a_relay_prunes_what_it_published_after_the_retention(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_prunes_what_it_published_after_the_retention_postgres() {
    a_relay_prunes_what_it_published_after_the_retention(Backend::Postgres).await;
}

/// Hands every ping on to `fwd.ping` through the outbox, as a desk's service hands a berkas on.
struct Forwarder;

impl Handler for Forwarder {
    async fn handle(
        &self,
        _txn: &DatabaseTransaction,
        outbox: &Outbox,
        m: &Incoming,
    ) -> Result<(), HandlerError> {
        let ping: Ping = m.decode()?;
        let key = RoutingKey::regional("fwd.ping", "32.73.01").unwrap();
        let onward = Outgoing::new(&ping, key, ping.aggregate.clone(), ping.aggregate.clone())?;
        outbox.push(onward);
        Ok(())
    }
}

// A consumer wakes its relay only after a transaction that enqueued something. Its
// handler here hands every message on through the outbox, in batches and one by one; the relay
// polls once an hour, so each hand-off reaches the broker only if its commit woke the relay.
async fn a_consumer_that_enqueues_wakes_its_relay(batch: usize) {
    const ONWARD: &str = "test.forwarded";
    let rig = Rig::new(Backend::Postgres).await;
    rig.declare().await;
    let ch = rig.broker.channel().await.unwrap();
    let onward = QueueSpec::new(ONWARD, [RoutingKey::binding("fwd", None).unwrap()]);
    rig.topology.declare_queue(&ch, &onward).await.unwrap();
    let relay = Relay::new(rig.db.clone(), rig.broker.clone(), "test-service")
        .with_poll_interval(Duration::from_secs(3600));
    let waker = relay.waker();
    tokio::spawn(relay.run(rig.shutdown.clone()));
    let consumer = Consumer::new(
        rig.broker.clone(),
        rig.db.clone(),
        rig.topology.clone(),
        Rig::queue(),
        Forwarder,
    )
    .with_batch(batch)
    .with_outbox(waker.clone());
    tokio::spawn(consumer.run(rig.shutdown.clone()));
    rig.enqueue(pings("berkas-f", 40)).await;
    waker.wake();
    assert!(
        eventually(WAIT, || async { rig.queue_depth(ONWARD).await == 40 }).await,
        "{} of 40 handed on reached the broker",
        rig.queue_depth(ONWARD).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_that_enqueues_wakes_its_relay_in_batches() {
    a_consumer_that_enqueues_wakes_its_relay(16).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_that_enqueues_wakes_its_relay_one_by_one() {
    a_consumer_that_enqueues_wakes_its_relay(1).await;
}

/// Hands each ping on as two messages, then fails transiently the first two times it meets
/// every fifth ping: after enqueueing, so the failed attempts' messages must go with them.
struct FlakyFanOut {
    failures: Mutex<BTreeMap<i64, u32>>,
}

impl Handler for FlakyFanOut {
    async fn handle(
        &self,
        _txn: &DatabaseTransaction,
        outbox: &Outbox,
        m: &Incoming,
    ) -> Result<(), HandlerError> {
        let ping: Ping = m.decode()?;
        for half in 0..2 {
            let onward = Ping {
                aggregate: "onward".into(),
                seq: ping.seq * 2 + half,
                poison: false,
            };
            let key = RoutingKey::regional("fwd.ping", "32.73.01").unwrap();
            let message = Outgoing::new(&onward, key, "onward", "onward")?;
            outbox.push(message);
        }
        if ping.seq % 5 == 0 {
            let mut failures = self.failures.lock().unwrap();
            let seen = failures.entry(ping.seq).or_default();
            if *seen < 2 {
                *seen += 1;
                return Err(HandlerError::transient("the registry did not answer"));
            }
        }
        Ok(())
    }
}

// A consumer writes the messages its handlers enqueue together, just before its
// commit. A failed batch (it falls back to one by one) and a retried transaction leave none of
// their messages behind: each ping is handed on exactly twice, in order.
async fn a_retried_transaction_hands_each_message_on_once_and_in_order(backend: Backend) {
    const PINGS: i64 = 40;
    let rig = Rig::new(backend).await;
    rig.declare().await;
    rig.spawn_relay(rig.broker.clone());
    rig.enqueue(pings("berkas-o", PINGS)).await;
    assert!(
        eventually(WAIT, || async {
            rig.queue_depth(QUEUE).await == PINGS as u32
        })
        .await
    );
    let consumer = Consumer::new(
        rig.broker.clone(),
        rig.db.clone(),
        rig.topology.clone(),
        Rig::queue(),
        FlakyFanOut {
            failures: Mutex::default(),
        },
    )
    .with_batch(16)
    .with_retry(fast_backoff().with_max_times(5));
    tokio::spawn(consumer.run(rig.shutdown.clone()));
    let onward = || async {
        use ktpel_store::entities::outbox as table;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        table::Entity::find()
            .filter(table::Column::AggregateId.eq("onward"))
            .order_by_asc(table::Column::Id)
            .all(&rig.db)
            .await
            .unwrap()
            .iter()
            .map(|r| serde_json::from_slice::<Ping>(&r.body).unwrap().seq)
            .collect::<Vec<i64>>()
    };
    assert!(
        eventually(WAIT, || async {
            onward().await.len() >= 2 * PINGS as usize && rig.queue_depth(QUEUE).await == 0
        })
        .await,
        "{} handed on",
        onward().await.len()
    );
    assert_eq!(onward().await, (0..2 * PINGS).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_transaction_hands_each_message_on_once_and_in_order_sqlite() {
    a_retried_transaction_hands_each_message_on_once_and_in_order(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_transaction_hands_each_message_on_once_and_in_order_postgres() {
    a_retried_transaction_hands_each_message_on_once_and_in_order(Backend::Postgres).await;
}

// A backlog of many of the relay's batches reaches the queue once each and in the
// order it was written.
async fn a_relay_publishes_a_backlog_of_many_batches_in_order(backend: Backend) {
    let rig = Rig::new(backend).await;
    rig.declare().await;
    let written = rig.enqueue(pings("berkas-b", 100)).await;
    let relay = Relay::new(rig.db.clone(), rig.broker.clone(), "test-service").with_batch(7);
    tokio::spawn(relay.run(rig.shutdown.clone()));
    assert_published_in_order(&rig, &written, WAIT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_publishes_a_backlog_of_many_batches_in_order_sqlite() {
    a_relay_publishes_a_backlog_of_many_batches_in_order(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_publishes_a_backlog_of_many_batches_in_order_postgres() {
    a_relay_publishes_a_backlog_of_many_batches_in_order(Backend::Postgres).await;
}

// A relay holds the claim of the batch in flight and borrows a second connection to
// claim the next; on a PostgreSQL pool of one it marks each batch before claiming the next (and
// its LISTEN has a connection of its own, outside the pool), so it still publishes its backlog
// rather than waiting on itself for the pool's timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_on_a_pool_of_one_connection_publishes_its_backlog() {
    let rig = Rig::new(Backend::Postgres).await;
    rig.declare().await;
    let written = rig.enqueue(pings("berkas-1", 30)).await;
    let mut settings = rig.db_guard.settings.clone();
    settings.max_connections = 1;
    let db = ktpel_store::open::<effects::Migrator>(&settings)
        .await
        .unwrap();
    let relay = Relay::new(db, rig.broker.clone(), "test-service").with_batch(7);
    tokio::spawn(relay.run(rig.shutdown.clone()));
    assert_published_in_order(&rig, &written, Duration::from_secs(8)).await;
}

/// The route of the router tests: each ping an effect.
async fn record_ping(ctx: &Context<'_, ()>, ping: Ping) -> Result<(), HandlerError> {
    effects::record(
        ctx.txn,
        &ctx.message.message_id.to_string(),
        &ping.aggregate,
        ping.seq,
    )
    .await?;
    Ok(())
}

// A service's router takes the messages its list names, on the subjects it names; a type it
// does not name is dead-lettered with the reason; and a dead letter put back on its queue by
// name (the dead-letters runbook's replay, through the default exchange) is routed by the key
// it first came with.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_router_takes_its_list_refuses_the_rest_and_takes_a_replayed_dead_letter() {
    let rig = Rig::new(Backend::Sqlite).await;
    let router = Router::new("test", (), None).route::<Ping>("test.ping", Scope::Any, record_ping);
    let queue = QueueSpec::new(QUEUE, router.bindings()).with_delivery_limit(3);
    let ch = rig.broker.channel().await.unwrap();
    rig.topology.declare_queue(&ch, &queue).await.unwrap();
    let outcomes = rig.outcomes.clone();
    let consumer = Consumer::new(
        rig.broker.clone(),
        rig.db.clone(),
        rig.topology.clone(),
        queue,
        router,
    )
    .with_outcome_observer(move |m, o| outcomes.lock().unwrap().push((m.clone(), o.clone())));
    tokio::spawn(consumer.run(rig.shutdown.clone()));
    rig.spawn_relay(rig.broker.clone());

    // A ping on its subject.
    rig.enqueue(pings("routed", 1)).await;
    // A type the list does not name, on a subject it does.
    let publisher = Publisher::new(ch.clone(), "test-raw").await.unwrap();
    let enrol = serde_json::to_vec(&serde_json::json!({ "nik": "3273014107900001" })).unwrap();
    publisher
        .publish(&Publication {
            exchange: &rig.topology.exchange,
            routing_key: "test.ping.32.73.01",
            message_id: uuid::Uuid::now_v7(),
            correlation_id: "unknown",
            message_type: &Enrol::message_type(),
            headers: &BTreeMap::new(),
            body: &enrol,
        })
        .await
        .unwrap();
    // A dead letter put back on the queue by its name, its first key in the header.
    let replayed = serde_json::to_vec(&Ping {
        aggregate: "replayed".into(),
        seq: 7,
        poison: false,
    })
    .unwrap();
    let headers = BTreeMap::from([(
        ktpel_bus::consumer::ORIGINAL_KEY_HEADER.to_owned(),
        "test.ping.32.73.01".to_owned(),
    )]);
    publisher
        .publish(&Publication {
            exchange: "",
            routing_key: QUEUE,
            message_id: uuid::Uuid::now_v7(),
            correlation_id: "replayed",
            message_type: &Ping::message_type(),
            headers: &headers,
            body: &replayed,
        })
        .await
        .unwrap();

    let outcomes = rig.wait_for_outcomes(3).await;
    let refused: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::DeadLettered(_)))
        .collect();
    assert_eq!(refused.len(), 1, "{outcomes:?}");
    assert!(
        matches!(refused[0], Outcome::DeadLettered(reason)
            if reason.contains("test does not take `test.enrol.v1` messages on `test.ping.32.73.01`")),
        "{refused:?}"
    );
    let mut aggregates: Vec<String> = rig
        .effects()
        .await
        .into_iter()
        .map(|e| e.aggregate)
        .collect();
    aggregates.sort();
    assert_eq!(aggregates, ["replayed", "routed"]);
}

/// Given a cluster's nodes, the broker handle connects to the first that answers, and says
/// which nodes it tried when none does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_broker_connects_to_the_next_node_when_one_does_not_answer() {
    let vhost = TestVhost::new();
    // A port nothing listens on: a node that is down.
    let down = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let dead = format!("amqp://guest:guest@{down}/{}", vhost.name);
    let broker = Broker::new(vec![dead.clone(), vhost.url()], "test-nodes");
    assert!(broker.answers().await, "the second node answers");
    assert!(broker.redacted_url().contains(&down.to_string()));
    broker.close().await;

    let none = Broker::new(vec![dead.clone(), dead], "test-no-node");
    let e = none.channel().await.unwrap_err();
    assert!(
        e.to_string().contains(&down.to_string()) && e.to_string().contains("unreachable"),
        "{e}"
    );
}
