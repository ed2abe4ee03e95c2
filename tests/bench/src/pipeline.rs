//! The S01 pipeline benchmark: `cargo run --release -p bench -- pipeline --residents N`.
//!
//! Runs S01 for N registered residents through all seven services on PostgreSQL (each its
//! own database, one vhost), with the desks working as a pipeline: the kecamatan desk submits
//! every berkas at once, and the enrollment operator, the NID Scheduler's "run now", the
//! print desk (encode, print, verify, kepala_seksi approval) and the distribution desk
//! (batch, receipt, hand-over), each at their own desk at the same time, take whatever has
//! reached them, over and over, until every card is `CARD_ACTIVATED`. Reported: residents per second end to end, and per resident the
//! time from the desk's submission (S01.1) to the hand-over's tanda terima (S22.4).
//!
//! The baseline, measured in the same run: raw lapin moving each resident through a chain of
//! quorum queues as long as the number of deliveries the services handled per resident
//! (counted afterwards from their inbox tables), with messages of the mean size the system
//! published (counted from the outbox tables, the NID Scheduler's outbound records and the
//! desks' own messages). Each hop is what a service minimally does with the broker: consume,
//! publish the next message with a confirm, ack. No storage, no desks.
//!
//! `--count-statements` also counts what each service asked of PostgreSQL per resident
//! ([`crate::statements`]).

use futures_util::StreamExt;
use ktpel_domain::KodeWilayah;
use ktpel_tests::{Backend, TestVhost, system::System};
use lapin::{
    BasicProperties, Confirmation,
    options::{BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions},
    options::{ConfirmSelectOptions, QueueDeclareOptions},
    types::{AMQPValue, FieldTable},
};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};
use std::{
    collections::{HashMap, HashSet},
    io::Write,
    sync::Arc,
    time::{Duration, Instant},
};

#[derive(clap::Args)]
pub struct Args {
    /// Residents put through S01 per run.
    #[arg(long, default_value_t = 200)]
    residents: usize,
    /// Runs of each pipeline; the best (by residents/s) of each is reported.
    #[arg(long, default_value_t = 1)]
    runs: u32,
    /// How often an idle desk looks again for work (paced desks).
    #[arg(long, default_value_t = 50)]
    desk_poll_ms: u64,
    /// `paced`: people at the desks, looking again every `--desk-poll-ms`, logging in at
    /// each round, one card at a time. `instant`: desks that act as soon as work appears
    /// (looking again whenever their service commits a transaction, and the NID Scheduler's
    /// operator pressing "run now" whenever an enrollment is queued), logged in once, eight
    /// cards at a time at the print desk — the figure is then the machinery's, not the
    /// people's.
    #[arg(long, value_enum, default_value_t = Desks::Paced)]
    desks: Desks,
    /// Consumer prefetch at each hop of the baseline.
    #[arg(long, default_value_t = 100)]
    prefetch: u16,
    /// Open loop: berkas arrive at this rate (per second) for `--seconds` instead of all at
    /// once, and the bench reports latencies — S01.3 to PRR and submission to CARD_ACTIVATED —
    /// beside the raw chain fed at the same rate. `--residents` is then rate × seconds.
    #[arg(long)]
    rate: Option<f64>,
    /// How long berkas keep arriving in the open loop.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Every consumer's partitions (`amqp.partitions`); the default is the services'.
    #[arg(long, default_value_t = ktpel_settings::AmqpSettings::default().partitions)]
    partitions: u16,
    /// How long a partition waits to fill its batch (`amqp.batch_wait_ms`); the default is
    /// the services'.
    #[arg(long, default_value_t = ktpel_settings::AmqpSettings::default().batch_wait_ms)]
    batch_wait_ms: u64,
    /// Records the Pusat Data shortlists per index finger (`shortlist`); the default is the
    /// service's.
    #[arg(long, default_value_t = ktpel_pusat_data::config::Own::default().shortlist)]
    shortlist: usize,
    /// Triangles agreeing on one pose for a shortlisted record to be compared
    /// (`agreeing_triangles`; 0: every one); the default is the service's.
    #[arg(long, default_value_t = ktpel_pusat_data::config::Own::default().agreeing_triangles)]
    agreeing_triangles: u32,
    /// How the print desk takes a card through S21.2–S21.4 (instant desks): `together`, one
    /// operator in one sitting (one write of the card), or `step-by-step` (encode, print and verify
    /// each on its own).
    #[arg(long, value_enum, default_value_t = Sitting::Together)]
    print_sitting: Sitting,
    /// Also count the statements and transactions each service asked of PostgreSQL per
    /// resident (closed loop), from `pg_stat_statements` (the server must load it:
    /// `scripts/services.sh stats-postgres`); adds some 22 s to each run.
    #[arg(long, conflicts_with = "rate")]
    count_statements: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Sitting {
    Together,
    StepByStep,
}

impl From<Sitting> for ktpel_card_print::desk::Sitting {
    fn from(s: Sitting) -> Self {
        match s {
            Sitting::Together => Self::Together,
            Sitting::StepByStep => Self::StepByStep,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Desks {
    Paced,
    Instant,
}

/// One run of one pipeline.
struct Run {
    elapsed: Duration,
    /// Per resident, submission to the last hop, sorted.
    latencies: Vec<Duration>,
    /// For the system: the median time of each leg of the berkas's timeline, in order.
    legs: Vec<(String, Duration)>,
    /// For the system, with `--count-statements`: what it asked of PostgreSQL.
    statements: Option<crate::statements::Counted>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        percentile(&self.latencies, p)
    }
}

/// The `p` quantile (0.5, 0.99, 1.0 for the max) of `sorted` durations.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1);
    sorted.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// A population of `n` residents of Sukasari, the seven services started on PostgreSQL with
/// them in SIAK, and how often the desks look for work.
async fn start_system(
    args: &Args,
    n: usize,
) -> (
    Vec<ktpel_contract::registry::Biodata>,
    Arc<System>,
    Duration,
) {
    let region = KodeWilayah::parse("32.73.01").expect("Sukasari, Bandung");
    let people = ktpel_registry::seed::generate(&region, n, rand_seed()).expect("a population");
    let amqp = ktpel_settings::AmqpSettings {
        partitions: args.partitions,
        batch_wait_ms: args.batch_wait_ms,
        ..Default::default()
    };
    let pusat_data = ktpel_pusat_data::config::Own {
        shortlist: args.shortlist,
        agreeing_triangles: args.agreeing_triangles,
        ..Default::default()
    };
    let system = Arc::new(System::start_tuned(Backend::Postgres, &people, amqp, pusat_data).await);
    let poll = match args.desks {
        Desks::Paced => Duration::from_millis(args.desk_poll_ms),
        // Instant desks are woken by their service's commits; this is only a safety net.
        Desks::Instant => Duration::from_millis(100),
    };
    (people, system, poll)
}

/// What crossed the broker in a run of the system, for the baseline to copy.
struct Traffic {
    published: u64,
    bytes: u64,
    deliveries: u64,
}

impl Traffic {
    fn hops_per_resident(&self, residents: usize) -> usize {
        (self.deliveries as f64 / residents as f64).round().max(1.0) as usize
    }

    fn mean_size(&self) -> usize {
        (self.bytes / self.published.max(1)) as usize
    }
}

pub async fn run(args: Args) {
    if let Some(rate) = args.rate {
        return open_loop(&args, rate).await;
    }
    println!(
        "pipeline benchmark: S01 for {} residents on PostgreSQL, {:?} desks (paced: polling every {} ms), consumers of {} partitions waiting {} ms to fill a batch, best of {}",
        args.residents,
        args.desks,
        args.desk_poll_ms,
        args.partitions,
        args.batch_wait_ms,
        args.runs
    );
    let mut best_system: Option<(Run, Traffic)> = None;
    let mut best_raw: Option<Run> = None;
    for _ in 0..args.runs {
        let (system, traffic) = s01(&args).await;
        let hops = traffic.hops_per_resident(args.residents);
        let size = traffic.mean_size();
        let raw = raw_lapin(args.residents, hops, size, args.prefetch).await;
        eprintln!(
            "  run: system {:.2}s, raw lapin {:.2}s ({} hops of {} B)",
            system.elapsed.as_secs_f64(),
            raw.elapsed.as_secs_f64(),
            hops,
            size
        );
        if best_system
            .as_ref()
            .is_none_or(|(b, _)| system.rate() > b.rate())
        {
            best_system = Some((system, traffic));
        }
        if best_raw.as_ref().is_none_or(|b| raw.rate() > b.rate()) {
            best_raw = Some(raw);
        }
    }
    let (system, traffic) = best_system.expect("at least one run");
    let raw = best_raw.expect("at least one run");
    let hops = traffic.hops_per_resident(args.residents);
    println!();
    println!(
        "per run: {} messages published ({} B mean), {} deliveries handled = {} hops per resident",
        traffic.published,
        traffic.mean_size(),
        traffic.deliveries,
        hops
    );
    println!();
    println!(
        "| pipeline | residents | seconds | residents/s | p50 | p99 | residents/s vs raw | p50 vs raw |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let row = |name: &str, r: &Run| {
        println!(
            "| {name} | {} | {:.2} | {:.1} | {} | {} | {:.3} | {:.1}× |",
            r.latencies.len(),
            r.elapsed.as_secs_f64(),
            r.rate(),
            ms(r.percentile(0.50)),
            ms(r.percentile(0.99)),
            r.rate() / raw.rate(),
            r.percentile(0.50).as_secs_f64() / raw.percentile(0.50).as_secs_f64(),
        )
    };
    row(
        &format!(
            "raw lapin: {hops} hops of consume → publish+confirm → ack, {} B",
            traffic.mean_size()
        ),
        &raw,
    );
    row(
        "ktpel S01: 7 services, PostgreSQL, desks (S01.1 submit → S22.4 CARD_ACTIVATED)",
        &system,
    );
    print_legs(&system.legs);
    if let Some(counted) = &system.statements {
        crate::statements::print(counted, args.residents);
    }
}

/// The median of each leg of the berkas's timeline: where the time goes.
fn print_legs(legs: &[(String, Duration)]) {
    println!();
    println!("| leg of the berkas's timeline (ktpel S01) | median |");
    println!("|---|---:|");
    for (leg, median) in legs {
        println!("| {leg} | {} |", ms(*median));
    }
}

/// S01 through the whole system; returns the run and what crossed the broker.
async fn s01(args: &Args) -> (Run, Traffic) {
    let n = args.residents;
    let (people, system, poll) = start_system(args, n).await;
    let counter = match args.count_statements {
        true => crate::statements::Counter::start(&system).await,
        false => None,
    };

    let start = Instant::now();
    system.submit_all(&people).await;
    let desks = tokio::spawn(desks(
        system.clone(),
        poll,
        args.desks,
        args.print_sitting.into(),
    ));
    wait_for_activation(&system, n, start).await;
    let elapsed = start.elapsed();
    desks.abort();
    let _ = desks.await;

    // Counted before the bench reads the timelines and the traffic: those reads are its own.
    let statements = match counter {
        Some(c) => Some(c.finish(8).await.expect("pg_stat_statements read")),
        None => None,
    };
    let timelines = timelines(&system.intake).await;
    let latencies = latencies(&timelines);
    assert_eq!(latencies.len(), n, "every resident has a full timeline");
    let legs = legs(&timelines);
    let traffic = traffic(&system).await;
    (
        Run {
            elapsed,
            latencies,
            legs,
            statements,
        },
        traffic,
    )
}

/// Shows progress until `n` cards are CARD_ACTIVATED.
async fn wait_for_activation(system: &System, n: usize, start: Instant) {
    let mut last = usize::MAX;
    loop {
        let activated = activated(&system.intake).await;
        if activated != last {
            // Progress on stderr, so that stdout is the tables alone.
            eprint!(
                "\r  CARD_ACTIVATED {activated}/{n} ({:.1}s)   ",
                start.elapsed().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
            last = activated;
        }
        if activated >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!();
}

/// The open loop: S01 berkas submitted at a fixed `rate` whatever the system's progress, as
/// residents walk in; then the raw chain fed at the same rate.
async fn open_loop(args: &Args, rate: f64) {
    let n = (rate * args.seconds as f64).round().max(1.0) as usize;
    let period = Duration::from_secs_f64(1.0 / rate);
    println!(
        "open-loop benchmark: S01 berkas arriving at {rate} per second for {} s ({n} berkas) on PostgreSQL, {:?} desks, consumers of {} partitions waiting {} ms to fill a batch",
        args.seconds, args.desks, args.partitions, args.batch_wait_ms
    );
    let (people, system, poll) = start_system(args, n).await;
    let desks = tokio::spawn(desks(
        system.clone(),
        poll,
        args.desks,
        args.print_sitting.into(),
    ));
    let start = Instant::now();
    let mut submitted = HashMap::with_capacity(n);
    let mut arrivals = tokio::time::interval(period);
    for p in &people {
        arrivals.tick().await;
        submitted.insert(p.nik.to_string(), chrono::Utc::now());
        system.submit_as("S01", p).await;
    }
    let lag = start.elapsed().saturating_sub(period * n as u32);
    wait_for_activation(&system, n, start).await;
    desks.abort();
    let _ = desks.await;

    let nik_of: HashMap<String, String> = ktpel_intake::store::berkas::Entity::find()
        .all(&system.intake)
        .await
        .expect("the berkas")
        .into_iter()
        .map(|b| (b.nomor_berkas, b.nik))
        .collect();
    let (mut handoff_to_prr, mut submit_to_activated) = (Vec::new(), Vec::new());
    let timelines = timelines(&system.intake).await;
    for t in &timelines {
        let at = |status: &str| t.iter().find(|e| e.note.starts_with(status)).map(|e| e.at);
        let (Some(first), Some(prr), Some(activated)) =
            (t.first(), at("PRR"), at("CARD_ACTIVATED"))
        else {
            continue;
        };
        // Intake's first entry is stamped in the transaction that hands the berkas to the
        // operator (S01.3).
        let handoff = first.at;
        let submit = nik_of
            .get(&first.nomor_berkas)
            .and_then(|nik| submitted.get(nik))
            .copied()
            .expect("every berkas was submitted by the bench");
        handoff_to_prr.push((prr - handoff).to_std().unwrap_or_default());
        submit_to_activated.push((activated - submit).to_std().unwrap_or_default());
    }
    assert_eq!(
        handoff_to_prr.len(),
        n,
        "every berkas reached PRR and CARD_ACTIVATED"
    );
    let traffic = traffic(&system).await;
    let hops = traffic.hops_per_resident(n);
    let raw = raw_lapin_paced(n, hops, traffic.mean_size(), args.prefetch, Some(period)).await;

    handoff_to_prr.sort();
    submit_to_activated.sort();
    let stats = |sorted: &[Duration]| {
        (
            percentile(sorted, 0.50),
            percentile(sorted, 0.99),
            percentile(sorted, 1.0),
        )
    };
    println!();
    println!(
        "submissions fell {} behind the {rate}/s schedule; {hops} deliveries per berkas ({} B mean)",
        ms(lag),
        traffic.mean_size()
    );
    println!();
    println!(
        "| open loop, {rate} berkas/s for {} s | p50 | p99 | max | p99 vs raw |",
        args.seconds
    );
    println!("|---|---:|---:|---:|---:|");
    let raw_p99 = raw.percentile(0.99);
    let row = |name: &str, (p50, p99, max): (Duration, Duration, Duration)| {
        println!(
            "| {name} | {} | {} | {} | {:.1}× |",
            ms(p50),
            ms(p99),
            ms(max),
            p99.as_secs_f64() / raw_p99.as_secs_f64()
        );
    };
    row(
        &format!("raw lapin: {hops} hops of consume → publish+confirm → ack, same rate"),
        stats(&raw.latencies),
    );
    row(
        "ktpel S01.3 hand-off to the operator → PRR (capture, AFIS sync, Pusat Data)",
        stats(&handoff_to_prr),
    );
    row(
        "ktpel submission → CARD_ACTIVATED (S22.4)",
        stats(&submit_to_activated),
    );
    print_legs(&legs(&timelines));
}

fn rand_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7)
}

/// The people at the desks, each at their own desk, taking what has reached them and looking
/// again: the enrollment operator, the NID Scheduler's operator, the print desk, the
/// distribution desk.
async fn desks(
    system: Arc<System>,
    poll: Duration,
    mode: Desks,
    sitting: ktpel_card_print::desk::Sitting,
) {
    // Instant desks look again when their service has committed something (what reached the
    // desk comes in a transaction of its consumer), paced ones every `poll`.
    let woken_by = |commits: &tokio::sync::watch::Receiver<u64>| match mode {
        Desks::Instant => Some(commits.clone()),
        Desks::Paced => None,
    };
    let mut captured = HashSet::new();
    let mut station = woken_by(&system.commits.biometric);
    let enroll = async {
        loop {
            if system.enroll_new(&mut captured).await == 0 {
                until_more(&mut station, poll).await;
            }
        }
    };
    // The NID Scheduler's operator presses "run now" rather than waiting for the interval:
    // instant, whenever an enrollment has been queued for it.
    let mut queued = woken_by(&system.commits.afis_sync);
    let schedule = async {
        loop {
            system.scheduler.run_now();
            until_more(&mut queued, poll).await;
        }
    };
    let mut print_jobs = woken_by(&system.commits.card_print);
    let print = async {
        match mode {
            Desks::Paced => loop {
                if system.print_queue().await == 0 {
                    until_more(&mut print_jobs, poll).await;
                }
            },
            Desks::Instant => {
                let (op, kasi) = system.print_desk_login().await;
                loop {
                    if system.print_queue_as(&op, &kasi, 8, sitting).await == 0 {
                        until_more(&mut print_jobs, poll).await;
                    }
                }
            }
        }
    };
    let mut cards = woken_by(&system.commits.distribution);
    let distribute = async {
        loop {
            if system.distribute_all().await == 0 {
                until_more(&mut cards, poll).await;
            }
        }
    };
    tokio::join!(enroll, schedule, print, distribute);
}

/// Waits until there may be more work: `commits` changed (at most `poll`), or, without them
/// (paced desks, or a service that stopped), `poll` passed.
async fn until_more(commits: &mut Option<tokio::sync::watch::Receiver<u64>>, poll: Duration) {
    match commits {
        Some(rx) => {
            if let Ok(Err(_stopped)) = tokio::time::timeout(poll, rx.changed()).await {
                *commits = None;
            }
        }
        None => tokio::time::sleep(poll).await,
    }
}

/// How many berkas are `CARD_ACTIVATED`: the bench's own look at intake, in a statement
/// marked as the bench's, which the statement count leaves out.
async fn activated(intake: &DatabaseConnection) -> usize {
    crate::statements::bench_asks();
    let row = intake
        .query_one_raw(sea_orm::Statement::from_string(
            intake.get_database_backend(),
            format!(
                "SELECT COUNT(*) AS n FROM intake_berkas WHERE status = 'CARD_ACTIVATED' {}",
                crate::statements::BENCH_MARK
            ),
        ))
        .await
        .expect("berkas activated")
        .expect("a count");
    row.try_get::<i64>("", "n").expect("a count") as usize
}

type Timeline = Vec<ktpel_intake::store::timeline::Model>;

/// Every berkas's timeline as intake recorded it, each in the order its steps were stamped
/// (each entry is stamped where it happened — intake, the Pusat Data, a desk — and intake may
/// hear of them out of order).
async fn timelines(intake: &DatabaseConnection) -> Vec<Timeline> {
    use ktpel_intake::store::timeline;
    let mut by_berkas: HashMap<String, Timeline> = HashMap::new();
    for t in timeline::Entity::find()
        .all(intake)
        .await
        .expect("timelines")
    {
        by_berkas.entry(t.nomor_berkas.clone()).or_default().push(t);
    }
    let mut out: Vec<Timeline> = by_berkas.into_values().collect();
    for t in &mut out {
        t.sort_by_key(|e| e.at);
    }
    out
}

/// Per berkas: first timeline entry (the desk's submission received, S01.1–S01.2) to the
/// `CARD_ACTIVATED` entry (S22.4), sorted.
fn latencies(timelines: &[Timeline]) -> Vec<Duration> {
    let mut out: Vec<Duration> = timelines
        .iter()
        .filter_map(|t| {
            let first = t.first()?.at;
            let done = t.iter().find(|e| e.note.starts_with("CARD_ACTIVATED"))?.at;
            (done - first).to_std().ok()
        })
        .collect();
    out.sort();
    out
}

/// The median time of each leg of a berkas's way, from intake's timelines: where the time
/// goes. Legs are listed in the order first seen; where berkas took their steps in different
/// orders (the Pusat Data can answer before intake has archived the berkas), both appear.
fn legs(timelines: &[Timeline]) -> Vec<(String, Duration)> {
    use ktpel_intake::store::timeline;
    let label = |t: &timeline::Model| match t.note.split_once(':') {
        Some((status, _)) if status.chars().all(|c| c.is_ascii_uppercase() || c == '_') => {
            format!("{} {status}", t.step)
        }
        _ => t.step.clone(),
    };
    let mut order: Vec<String> = Vec::new();
    let mut samples: HashMap<String, Vec<Duration>> = HashMap::new();
    for entries in timelines {
        for pair in entries.windows(2) {
            let leg = format!("{} → {}", label(&pair[0]), label(&pair[1]));
            let took = (pair[1].at - pair[0].at).to_std().unwrap_or_default();
            if !samples.contains_key(&leg) {
                order.push(leg.clone());
            }
            samples.entry(leg).or_default().push(took);
        }
    }
    order
        .into_iter()
        .map(|leg| {
            let mut v = samples.remove(&leg).unwrap_or_default();
            v.sort();
            let median = v.get(v.len() / 2).copied().unwrap_or_default();
            (leg, median)
        })
        .collect()
}

/// Counts what crossed the broker: every service's outbox and inbox, the NID Scheduler's
/// outbound records, and what the desks published.
async fn traffic(system: &System) -> Traffic {
    use ktpel_store::entities::{inbox, outbox};
    use std::sync::atomic::Ordering::Relaxed;
    let mut t = Traffic {
        published: system.sent.messages.load(Relaxed),
        bytes: system.sent.bytes.load(Relaxed),
        deliveries: 0,
    };
    for db in [
        &system.registry,
        &system.intake,
        &system.biometric,
        &system.afis_sync,
        &system.pusat_data,
        &system.card_print,
        &system.distribution,
    ] {
        for m in outbox::Entity::find().all(db).await.expect("outbox") {
            t.published += 1;
            t.bytes += m.body.len() as u64;
        }
        t.deliveries += inbox::Entity::find().count(db).await.expect("inbox");
    }
    for r in ktpel_afis_sync::store::outbound::Entity::find()
        .all(&system.afis_sync)
        .await
        .expect("the NID Scheduler's records")
    {
        t.published += 1;
        t.bytes += r.enrollment.to_string().len() as u64;
    }
    t
}

/// The baseline: each resident's message passes `hops` quorum queues, each hop consuming,
/// publishing the next with a confirm, then acking.
async fn raw_lapin(residents: usize, hops: usize, size: usize, prefetch: u16) -> Run {
    raw_lapin_paced(residents, hops, size, prefetch, None).await
}

/// The baseline chain, fed one message every `period` (open loop) or all at once.
async fn raw_lapin_paced(
    residents: usize,
    hops: usize,
    size: usize,
    prefetch: u16,
    period: Option<Duration>,
) -> Run {
    let vhost = TestVhost::new();
    let conn = lapin::Connection::connect(&vhost.url(), Default::default())
        .await
        .expect("broker");
    let queue = |i: usize| format!("bench.hop{i}");
    let setup = conn.create_channel().await.expect("channel");
    let mut quorum = FieldTable::default();
    quorum.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    for i in 0..=hops {
        setup
            .queue_declare(
                queue(i).as_str().into(),
                QueueDeclareOptions {
                    durable: true,
                    ..Default::default()
                },
                quorum.clone(),
            )
            .await
            .expect("declare a hop");
    }
    // Hops 1..=hops: consume from queue i-1, publish to queue i, ack. Queue `hops` is the end.
    for i in 1..=hops {
        let ch = conn.create_channel().await.expect("channel");
        ch.basic_qos(prefetch, BasicQosOptions::default())
            .await
            .expect("qos");
        ch.confirm_select(ConfirmSelectOptions::default())
            .await
            .expect("confirms");
        let mut consumer = ch
            .basic_consume(
                queue(i - 1).as_str().into(),
                format!("hop{i}").as_str().into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("consume");
        let next = queue(i);
        tokio::spawn(async move {
            while let Some(Ok(d)) = consumer.next().await {
                let (ch, next) = (ch.clone(), next.clone());
                tokio::spawn(async move {
                    let confirm = ch
                        .basic_publish(
                            "".into(),
                            next.as_str().into(),
                            BasicPublishOptions::default(),
                            &d.data,
                            d.properties.clone(),
                        )
                        .await
                        .expect("publish");
                    assert!(matches!(
                        confirm.await.expect("confirm"),
                        Confirmation::Ack(_)
                    ));
                    d.ack(BasicAckOptions::default()).await.expect("ack");
                });
            }
        });
    }
    let sink = conn.create_channel().await.expect("channel");
    sink.basic_qos(prefetch, BasicQosOptions::default())
        .await
        .expect("qos");
    let mut done = sink
        .basic_consume(
            queue(hops).as_str().into(),
            "sink".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("consume");
    let source = conn.create_channel().await.expect("channel");
    source
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .expect("confirms");

    let start = Instant::now();
    // The end of the chain is read while messages are still being sent: a message's time
    // is its own trip, not the wait for the sender to finish.
    let sink = tokio::spawn(async move {
        let mut arrived = Vec::with_capacity(residents);
        while arrived.len() < residents {
            let d = done.next().await.expect("a delivery").expect("a delivery");
            let r: usize = std::str::from_utf8(&d.data[..8])
                .ok()
                .and_then(|s| s.parse().ok())
                .expect("the resident's number");
            arrived.push((r, Instant::now()));
            d.ack(BasicAckOptions::default()).await.expect("ack");
        }
        arrived
    });
    let mut sent_at = Vec::with_capacity(residents);
    let mut arrivals = period.map(tokio::time::interval);
    for r in 0..residents {
        if let Some(a) = &mut arrivals {
            a.tick().await;
        }
        let mut body = format!("{r:08}").into_bytes();
        body.resize(size.max(8), b'x');
        let props = BasicProperties::default()
            .with_delivery_mode(2)
            .with_message_id(uuid::Uuid::now_v7().to_string().into());
        sent_at.push(Instant::now());
        let confirm = source
            .basic_publish(
                "".into(),
                queue(0).as_str().into(),
                BasicPublishOptions::default(),
                &body,
                props,
            )
            .await
            .expect("publish");
        assert!(matches!(
            confirm.await.expect("confirm"),
            Confirmation::Ack(_)
        ));
    }
    let arrived = sink.await.expect("the end of the chain");
    let elapsed = start.elapsed();
    let mut latencies: Vec<Duration> = arrived
        .into_iter()
        .map(|(r, at)| at.duration_since(sent_at[r]))
        .collect();
    latencies.sort();
    let _ = conn.close(200, "done".into()).await;
    Run {
        elapsed,
        latencies,
        legs: Vec::new(),
        statements: None,
    }
}
