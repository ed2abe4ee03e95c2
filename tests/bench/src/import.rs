//! `cargo run --release -p bench -- import --records N`: an S20 backup of N enrollments
//! imported at an online Server AFIS in one go.
//!
//! The bundle is made once (the kecamatan's export is not timed). The clock runs over what
//! the operator waits for at the Server AFIS: the file checked (signature, header) and
//! decrypted, and every record queued for the NID Scheduler in one transaction (PostgreSQL,
//! then SQLite). Beside it, in the same run: raw lapin publishing the same N records (their
//! JSON, persistent, to a quorum queue, pipelined confirms in windows of 500) — what it would
//! cost just to put them on the broker, with no checking and no storage.

use crate::bus::declare_quorum_queue;
use chrono::Utc;
use ktpel_afis_sync::{import, store::Migrator};
use ktpel_bundle::{SiteKeys, TrustedSites};
use ktpel_contract::enrollment::EnrollmentCreated;
use ktpel_domain::KodeWilayah;
use ktpel_tests::{Backend, TestDatabase, TestVhost};
use lapin::{
    BasicProperties, Confirmation,
    options::{BasicPublishOptions, ConfirmSelectOptions},
};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Enrollments in the bundle.
    #[arg(long, default_value_t = 5000)]
    records: usize,
    /// Runs of each; the best of each is reported.
    #[arg(long, default_value_t = 3)]
    runs: u32,
}

const KECAMATAN: &str = "32.73.01";
const WINDOW: usize = 500;

pub async fn run(args: Args) {
    let site = KodeWilayah::parse(KECAMATAN).unwrap();
    let records = records(&site, args.records);
    let (kecamatan, afis) = (SiteKeys::generate(), SiteKeys::generate());
    let trusted = TrustedSites::default().with(site, kecamatan.signing_public());
    let now = Utc::now();
    let (_, file) = ktpel_bundle::seal(
        &kecamatan,
        &site,
        &afis.bundle_public(),
        now,
        now + chrono::Duration::days(30),
        &records,
    )
    .unwrap();
    println!(
        "import benchmark: an S20 bundle of {} enrollments from {KECAMATAN} ({} bytes, ten fingerprint templates each), best of {}",
        records.len(),
        file.len(),
        args.runs
    );
    let (mut raw, mut pg, mut sqlite) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..args.runs {
        raw.push(raw_lapin(&records).await);
        pg.push(ktpel(&file, &afis, &trusted, Backend::Postgres, records.len()).await);
        sqlite.push(ktpel(&file, &afis, &trusted, Backend::Sqlite, records.len()).await);
    }
    let best = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
    let n = records.len() as f64;
    let rate = |d: Duration| n / d.as_secs_f64();
    let raw = best(&raw);
    println!();
    println!("| S20 import at the Server AFIS | records | seconds | records/s | vs raw lapin |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| raw lapin: publish the same records (persistent, quorum queue, confirms in windows of {WINDOW}) | {} | {:.2} | {:.0} | 1.00 |",
        records.len(),
        raw.as_secs_f64(),
        rate(raw)
    );
    for (name, d) in [("PostgreSQL", best(&pg)), ("SQLite", best(&sqlite))] {
        println!(
            "| ktpel backup import: verify, decrypt, queue every record in one transaction ({name}) | {} | {:.2} | {:.0} | {:.2} |",
            records.len(),
            d.as_secs_f64(),
            rate(d),
            rate(d) / rate(raw)
        );
    }
}

/// N enrollments of residents of `site`, as a station captures them.
pub(crate) fn records(site: &KodeWilayah, n: usize) -> Vec<EnrollmentCreated> {
    ktpel_registry::seed::generate(site, n, 20)
        .unwrap()
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let nomor = format!("327301-20261125-{i:05}");
            let c = ktpel_biometric::station::capture(
                &nomor,
                &p.nik,
                &ktpel_biometric::station::Person::of(&p.nik),
                "operator-bench",
                true,
            );
            EnrollmentCreated {
                enrollment_id: uuid::Uuid::now_v7(),
                bukti_perekaman: format!("BP-{i}"),
                nomor_berkas: nomor,
                nik: p.nik,
                photo_sha256: "00".repeat(32),
                fingerprints: c.fingerprints,
                enrolled_at: Utc::now(),
                kecamatan: Some(KECAMATAN.into()),
                pas_foto: None,
                tanda_tangan: None,
            }
        })
        .collect()
}

async fn ktpel(
    file: &[u8],
    keys: &SiteKeys,
    trusted: &TrustedSites,
    backend: Backend,
    n: usize,
) -> Duration {
    let guard = TestDatabase::new(backend).await;
    let db = guard.open::<Migrator>().await;
    let start = Instant::now();
    let opened = import::open(file, keys, trusted, Utc::now()).unwrap();
    let summary = import::import(&db, "32.73", &opened, |_| {}).await.unwrap();
    let elapsed = start.elapsed();
    assert_eq!(summary.new as usize, n, "{summary}");
    elapsed
}

async fn raw_lapin(records: &[EnrollmentCreated]) -> Duration {
    let vhost = TestVhost::new();
    let conn = lapin::Connection::connect(&vhost.url(), Default::default())
        .await
        .unwrap();
    let ch = conn.create_channel().await.unwrap();
    declare_quorum_queue(&ch, "bench.import").await;
    ch.confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    let start = Instant::now();
    publish_confirmed(&ch, "", "bench.import", records, WINDOW, |r| {
        (serde_json::to_vec(r).unwrap(), r.enrollment_id)
    })
    .await;
    let elapsed = start.elapsed();
    let _ = conn.close(200, "done".into()).await;
    elapsed
}

/// Publishes `items` to `exchange` with `routing_key` (persistent), `window` at a time, each
/// window's confirms awaited together; `encode` gives a body and message id (timed with the
/// rest, as a service's encoding is). The window's publishes wait for lapin's I/O loop
/// together, as `ktpel_bus::Publisher::start_all` does: a baseline that waited for each write
/// in turn would flatter the services (the NID Scheduler at 0.90 of such a baseline was at 0.65
/// of this one in the same minute).
pub(crate) async fn publish_confirmed<T>(
    ch: &lapin::Channel,
    exchange: &str,
    routing_key: &str,
    items: &[T],
    window: usize,
    encode: impl Fn(&T) -> (Vec<u8>, uuid::Uuid),
) {
    for chunk in items.chunks(window.max(1)) {
        let bodies: Vec<_> = chunk.iter().map(&encode).collect();
        let started = futures_util::future::join_all(bodies.iter().map(|(body, message_id)| {
            ch.basic_publish(
                exchange.into(),
                routing_key.into(),
                BasicPublishOptions::default(),
                body,
                BasicProperties::default()
                    .with_delivery_mode(2)
                    .with_message_id(message_id.to_string().into()),
            )
        }))
        .await;
        for confirm in started {
            assert!(matches!(
                confirm.unwrap().await.unwrap(),
                Confirmation::Ack(_)
            ));
        }
    }
}
