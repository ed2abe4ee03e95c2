//! `cargo run --release -p bench -- matcher`: the Pusat Data's 1:N identification on a
//! synthetic population ([`ktpel_biometrics::synth`], template level), both index fingers an
//! enrollment.
//!
//! - **Accuracy.** `--people` are enrolled (impression 0); each is searched again with
//!   impression 1 (mated), and `--non-mated` people never enrolled are searched. A search's
//!   score is the shortlisted record's weaker index finger (both must match). Reported: FNIR at
//!   FPIR 0.1 % and 1 %, and the DET points at thresholds around the configured one.
//! - **Speed.** Bozorth3 comparisons per second on one core, beside NIST's own Bozorth3 in C
//!   (`nbis-rs`) on the same ISO records in the same run, with how alike their scores are;
//!   then (against what comparing the whole gallery would cost) for each gallery
//!   size in `--galleries`: the time to build the gallery's index, the identification
//!   latency p50/p99 of one enrollment, the comparisons one identification makes, and the
//!   memory the index holds per enrolled finger.
//! - **Baseline** for both: the same gallery with every shortlisted record compared in full
//!   (20 per finger, no floor on the triangles agreeing on one pose), taken in turns with the
//!   configured thresholds.
//! - **Start.** With `--rebuild N`: N residents' index fingers written as ISO records to a
//!   Pusat Data database on PostgreSQL, and the time the Pusat Data takes to build its gallery
//!   from it ([`ktpel_pusat_data::gallery::Galeri::load`]), as at every start.

use ktpel_biometrics::{
    Finger, Gallery, Template, Thresholds, iso,
    score::{bozorth3, xyt},
    synth::{Variation, impression},
};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// People enrolled for the accuracy test, each searched again.
    #[arg(long, default_value_t = 1000)]
    people: u64,
    /// People never enrolled, searched.
    #[arg(long, default_value_t = 10_000)]
    non_mated: u64,
    /// Gallery sizes (residents) for the latency test.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    galleries: Vec<u64>,
    /// Identifications timed per gallery.
    #[arg(long, default_value_t = 200)]
    searches: u64,
    /// Residents written to a Pusat Data database on PostgreSQL, whose gallery is then built
    /// as the service builds it at start (0: not measured).
    #[arg(long, default_value_t = 0)]
    rebuild: u64,
}

const INDEXED: [Finger; 2] = [Finger::RightIndex, Finger::LeftIndex];

fn enrollment(person: u64, sitting: u32) -> Vec<Template> {
    INDEXED
        .iter()
        .map(|f| impression(person, *f, sitting, &Variation::default()))
        .collect()
}

fn nik(person: u64) -> String {
    format!("{person:016}")
}

fn gallery(people: std::ops::Range<u64>) -> (Gallery, Duration) {
    let started = Instant::now();
    let mut g = Gallery::new(Thresholds::default(), &INDEXED);
    for p in people {
        g.insert(&nik(p), &enrollment(p, 0));
    }
    (g, started.elapsed())
}

/// The search's score for the person it names: the best record's weaker finger.
fn search(g: &Gallery, probe: &[Template]) -> Option<(String, u32)> {
    g.candidates(probe, None)
        .into_iter()
        .next()
        .map(|(nik, scores)| (nik, scores.get(1).map_or(0, |s| s.1)))
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

pub async fn run(args: Args) {
    println!(
        "Matcher benchmark: {} people enrolled and searched again, {} never enrolled searched; galleries of {:?} residents; both index fingers",
        args.people, args.non_mated, args.galleries
    );
    // Accuracy, configured and baseline.
    let (mut g, _) = gallery(0..args.people);
    let configured = Thresholds::default();
    for (name, thresholds) in [("configured", configured), ("baseline", baseline())] {
        g.set_thresholds(thresholds);
        println!();
        println!(
            "{name}: shortlist {} per finger, compared when {} or more triangles agree",
            thresholds.shortlist, thresholds.agreeing
        );
        accuracy(&g, &args);
    }
    speed(&args);
    if args.rebuild > 0 {
        rebuild(args.rebuild).await;
    }
}

/// Every shortlisted record compared: 20 per finger, whatever their triangles' poses.
fn baseline() -> Thresholds {
    Thresholds {
        shortlist: 20,
        agreeing: 0,
        ..Thresholds::default()
    }
}

fn accuracy(g: &Gallery, args: &Args) {
    let mated: Vec<u32> = (0..args.people)
        .map(|p| match search(g, &enrollment(p, 1)) {
            Some((found, score)) if found == nik(p) => score,
            _ => 0, // the mate missed: no threshold finds it
        })
        .collect();
    let non_mated: Vec<u32> = (0..args.non_mated)
        .map(|p| search(g, &enrollment(1_000_000_000 + p, 0)).map_or(0, |(_, s)| s))
        .collect();
    let rate = |scores: &[u32], t: u32, at_or_above: bool| {
        scores.iter().filter(|s| (**s >= t) == at_or_above).count() as f64 / scores.len() as f64
    };
    let fpir = |t| rate(&non_mated, t, true);
    let fnir = |t| rate(&mated, t, false);
    println!();
    println!("| FPIR at most | threshold | FPIR | FNIR |");
    println!("|---:|---:|---:|---:|");
    for target in [0.001, 0.01] {
        let t = (1..=400).find(|t| fpir(*t) <= target).unwrap_or(400);
        println!(
            "| {:.1} % | {t} | {:.2} % | {:.2} % |",
            target * 100.0,
            fpir(t) * 100.0,
            fnir(t) * 100.0
        );
    }
    let configured = Thresholds::default().clear;
    println!("| threshold (configured: {configured}) | FPIR | FNIR |");
    println!("|---:|---:|---:|");
    for t in [8, 10, 11, 12, 13, 15, 20, 25, 30, 40] {
        println!(
            "| {t} | {:.2} % | {:.2} % |",
            fpir(t) * 100.0,
            fnir(t) * 100.0
        );
    }
}

fn speed(args: &Args) {
    // Bozorth3 alone, one core.
    let templates: Vec<_> = (0..200u64)
        .map(|p| xyt(&impression(p, Finger::RightIndex, 0, &Variation::default())))
        .collect();
    let started = Instant::now();
    let mut comparisons = 0u64;
    while started.elapsed() < Duration::from_secs(3) {
        for (i, a) in templates.iter().enumerate() {
            std::hint::black_box(bozorth3(a, &templates[(i * 7 + 3) % templates.len()]));
            comparisons += 1;
        }
    }
    let per_second = comparisons as f64 / started.elapsed().as_secs_f64();
    // The same pairs with NBIS's own Bozorth3 in C (nbis-rs), from the same ISO records.
    let records: Vec<_> = (0..200u64)
        .map(|p| {
            let t = impression(p, Finger::RightIndex, 0, &Variation::default());
            nbis::load_iso_19794_2_2005(&iso::encode(&t).expect("a record"))
                .expect("NBIS reads the record")
        })
        .collect();
    let started = Instant::now();
    let mut c_comparisons = 0u64;
    while started.elapsed() < Duration::from_secs(3) {
        for (i, a) in records.iter().enumerate() {
            std::hint::black_box(a.compare(&records[(i * 7 + 3) % records.len()]));
            c_comparisons += 1;
        }
    }
    let c_per_second = c_comparisons as f64 / started.elapsed().as_secs_f64();
    // Do both score alike? Mated pairs (impressions 0 and 1) and non-mated ones.
    let mut differences = Vec::new();
    for p in 0..100u64 {
        for (a, b) in [(p, p), (p, p + 1000)] {
            let first = impression(a, Finger::RightIndex, 0, &Variation::default());
            let second = impression(b, Finger::RightIndex, 1, &Variation::default());
            let ours = i64::from(bozorth3(&xyt(&first), &xyt(&second)));
            let load = |t: &Template| {
                nbis::load_iso_19794_2_2005(&iso::encode(t).expect("a record"))
                    .expect("NBIS reads the record")
            };
            let theirs = i64::from(load(&first).compare(&load(&second)));
            differences.push((ours - theirs).abs());
        }
    }
    differences.sort_unstable();
    println!();
    println!("| Bozorth3 on one core | comparisons/s | ÷ C |");
    println!("|---|---:|---:|");
    println!("| NBIS in C (nbis-rs), baseline | {c_per_second:.0} | 1.00 |");
    println!(
        "| pure Rust (fprint-bozorth3) | {per_second:.0} | {:.2} |",
        per_second / c_per_second
    );
    println!(
        "Scores of the two on 200 pairs (100 mated, 100 not): equal on {}, differing by at most {} (median {}).",
        differences.iter().filter(|d| **d == 0).count(),
        differences.last().copied().unwrap_or(0),
        differences[differences.len() / 2]
    );
    println!();
    println!(
        "| residents | index built, s | identify p50 ms | p99 ms | baseline p50 ms | p99 ms | speed-up at p50 | comparisons (baseline) | vs. whole gallery | index bytes per finger |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    // The baseline's identifications taken in turns with the configured ones, so that both
    // meet the same machine.
    for &size in &args.galleries {
        let (mut g, built) = gallery(0..size);
        let (mut times, mut baseline_times) = (Vec::new(), Vec::new());
        for p in 0..args.searches {
            // Half mated, half never enrolled.
            let person = if p % 2 == 0 {
                p * (size / args.searches).max(1) % size
            } else {
                2_000_000_000 + p
            };
            let probe = enrollment(person, 1);
            g.set_thresholds(Thresholds::default());
            let started = Instant::now();
            std::hint::black_box(g.identify(&probe, None));
            times.push(started.elapsed());
            g.set_thresholds(baseline());
            let started = Instant::now();
            std::hint::black_box(g.identify(&probe, None));
            baseline_times.push(started.elapsed());
        }
        times.sort();
        baseline_times.sort();
        let compared = |t: Thresholds| INDEXED.len() * t.shortlist * INDEXED.len();
        let whole = (size as f64 * INDEXED.len() as f64) / per_second;
        println!(
            "| {size} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | ≤ {} ({}) | whole gallery: {:.1} s | {:.0} |",
            built.as_secs_f64(),
            quantile(&times, 0.5).as_secs_f64() * 1e3,
            quantile(&times, 0.99).as_secs_f64() * 1e3,
            quantile(&baseline_times, 0.5).as_secs_f64() * 1e3,
            quantile(&baseline_times, 0.99).as_secs_f64() * 1e3,
            quantile(&baseline_times, 0.5).as_secs_f64() / quantile(&times, 0.5).as_secs_f64(),
            compared(Thresholds::default()),
            compared(baseline()),
            whole,
            g.postings() as f64 * 10.0 / (size as f64 * INDEXED.len() as f64),
        );
    }
}

/// Writes `residents` residents' index fingers to a fresh Pusat Data database and builds the
/// gallery from it as the service does at start.
async fn rebuild(residents: u64) {
    use ktpel_pusat_data::{gallery::Galeri, store::sidik_jari};
    use ktpel_tests::{Backend, TestDatabase};
    use sea_orm::{ActiveValue::Set, EntityTrait};
    use sha2::{Digest, Sha256};
    let guard = TestDatabase::as_deployed(Backend::Postgres).await;
    let db = guard.open::<ktpel_pusat_data::store::Migrator>().await;
    let started = Instant::now();
    let people: Vec<u64> = (0..residents).collect();
    for chunk in people.chunks(2_000) {
        let rows = chunk.iter().flat_map(|p| {
            enrollment(*p, 0).into_iter().map(move |t| {
                let record = iso::encode(&t).expect("a record");
                sidik_jari::ActiveModel {
                    template_sha256: Set(Sha256::digest(&record)
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect()),
                    finger: Set(match t.finger {
                        Finger::RightIndex => "RightIndex".to_owned(),
                        _ => "LeftIndex".to_owned(),
                    }),
                    nik: Set(nik(*p)),
                    iso: Set(Some(record)),
                }
            })
        });
        sidik_jari::Entity::insert_many(rows)
            .exec_without_returning(&db)
            .await
            .expect("rows written");
    }
    let written = started.elapsed();
    let started = Instant::now();
    let galeri = Galeri::load(&db, Thresholds::default())
        .await
        .expect("the gallery built");
    let built = started.elapsed();
    assert_eq!(galeri.len() as u64, residents);
    println!();
    println!(
        "| residents in the database | written (with their synthesis), s | gallery built from it, s |"
    );
    println!("|---:|---:|---:|");
    println!(
        "| {residents} | {:.1} | {:.1} |",
        written.as_secs_f64(),
        built.as_secs_f64()
    );
}
