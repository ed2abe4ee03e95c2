//! `ktpel demo --residents N`: the whole S01 in one process — every service, a synthetic
//! population in SIAK, and this command acting as the kecamatan desk, the enrollment
//! operator, the print operator and kepala_seksi, the petugas_distribusi and the kecamatan's
//! ppp. It prints how many berkas reached each stage and when, ending in `completed N/N`, or
//! in where the rest are stuck.

use crate::run::{self, Process, ServiceName};
use chrono::Utc;
use ktpel_biometric::{station, store::operator_inbox};
use ktpel_bus::{Broker, Outgoing, RoutingKey, Shutdown, Topology, publisher};
use ktpel_card_print::{CardPrintSettings, desk as print_desk, operators};
use ktpel_contract::{berkas, enrollment::CAPTURED, registry::Biodata};
use ktpel_distribution::{desk as dist_desk, store::kartu};
use ktpel_domain::{Dokumen, KodeWilayah, Nik};
use ktpel_intake::query;
use ktpel_registry::seed;
use sea_orm::EntityTrait;
use std::{
    collections::HashSet,
    io::Write,
    time::{Duration, Instant},
};

const STAGE_TIMEOUT: Duration = Duration::from_secs(180);

fn load<T>(name: &str) -> Result<T, String>
where
    T: Default + serde::Serialize + serde::de::DeserializeOwned + ktpel_settings::Validate,
{
    ktpel_settings::load(name).map_err(|e| e.to_string())
}

/// One line of the final table.
struct Stage {
    name: &'static str,
    reached: usize,
    at: Duration,
}

pub async fn run(residents: usize, region: KodeWilayah) -> Result<(), String> {
    let process: Process = load("ktpel")?;
    let mut telemetry_settings = process.telemetry.clone();
    telemetry_settings
        .log_filter
        .get_or_insert_with(|| "warn".into());
    let telemetry =
        ktpel_telemetry::init("ktpel-demo", &telemetry_settings).map_err(|e| e.to_string())?;
    let broker = Broker::new(&process.amqp.url, "ktpel-demo");
    let shutdown = Shutdown::new();
    let err = |e: &dyn std::fmt::Display| e.to_string();

    // Every service, as `ktpel up` runs them.
    let built = run::build_all(&ServiceName::ALL, &broker).await?;
    let db_of = |name: &str| {
        built
            .iter()
            .find(|b| b.name == name)
            .map(|b| b.db.clone())
            .ok_or_else(|| format!("{name} was not built"))
    };
    let registry_db = db_of(ktpel_registry::SERVICE)?;
    let intake_db = db_of(ktpel_intake::SERVICE)?;
    let biometric_db = db_of(ktpel_biometric::SERVICE)?;
    let print_db = db_of(ktpel_card_print::SERVICE)?;
    let dist_db = db_of(ktpel_distribution::SERVICE)?;
    let scheduler = built
        .iter()
        .find_map(|b| b.panel.as_ref())
        .map(|p| p.scheduler.clone())
        .ok_or("the NID Scheduler was not built")?;
    // The print desk signs with the key card-print made or read at its build.
    let key = load::<CardPrintSettings>(ktpel_card_print::SERVICE)?
        .key()
        .map_err(|e| err(&e))?;
    let tasks = run::spawn_all(built, &shutdown);

    // A population of its own for this run (fresh NIKs every time).
    let people = seed::generate(&region, residents, Utc::now().timestamp_millis() as u64)
        .map_err(|e| err(&e))?;
    seed::store(&registry_db, &people)
        .await
        .map_err(|e| err(&e))?;
    let ours: HashSet<String> = people.iter().map(|p| p.nik.to_string()).collect();
    let kecamatan_of = |p: &Biodata| p.nik.kecamatan().to_string();
    println!("ktpel demo: {residents} residents of {region} through S01 (SIAK seeded)");

    let start = Instant::now();
    let mut stages = Vec::new();
    let publisher =
        publisher::Publisher::new(broker.channel().await.map_err(|e| err(&e))?, "ktpel-demo")
            .await
            .map_err(|e| err(&e))?;
    let exchange = Topology::default().exchange;
    let send = |m: Outgoing| {
        let (publisher, exchange) = (&publisher, &exchange);
        async move {
            publisher
                .publish(&publisher::Publication::of(exchange, &m))
                .await
                .map_err(|e| e.to_string())
        }
    };

    // S01.1–S01.2 at the desk.
    for p in &people {
        let b = berkas::BerkasSubmitted {
            submission_id: uuid::Uuid::now_v7(),
            sop: "S01".parse().expect("S01"),
            nik: p.nik.clone(),
            nama: p.nama.clone(),
            dokumen: vec![Dokumen::FormulirPermohonan, Dokumen::FotokopiKk],
            kecamatan: kecamatan_of(p),
            petugas: "ppp-demo".into(),
            diterima_pada: Utc::now(),
        };
        let key = RoutingKey::regional(berkas::SUBMITTED, &kecamatan_of(p)).map_err(|e| err(&e))?;
        let m = Outgoing::new(&b, key, "demo", "demo").map_err(|e| err(&e))?;
        send(m).await?;
    }
    stages.push(Stage {
        name: "submitted at the desk (S01.1)",
        reached: residents,
        at: start.elapsed(),
    });

    let at_operator = || async {
        operator_inbox::Entity::find()
            .all(&biometric_db)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|w| ours.contains(&w.nik))
            .collect::<Vec<_>>()
    };
    let reached = wait("at the operator (S01.3)", residents, start, || async {
        at_operator().await.len()
    })
    .await;
    stages.push(Stage {
        name: "accepted, at the operator (S01.2–S01.3)",
        reached,
        at: start.elapsed(),
    });

    // S01.4–S01.6 at the station.
    for w in at_operator().await {
        let nik = Nik::parse(&w.nik).map_err(|e| err(&e))?;
        let c = station::capture(
            &w.nomor_berkas,
            &nik,
            &station::Person::of(&nik),
            "operator-demo",
            true,
        );
        let key =
            RoutingKey::regional(CAPTURED, &nik.kecamatan().to_string()).map_err(|e| err(&e))?;
        let m = Outgoing::new(&c, key, "demo", "demo").map_err(|e| err(&e))?;
        send(m).await?;
    }
    scheduler.run_now();
    let our_niks: Vec<String> = ours.iter().cloned().collect();
    let status_count = |wanted: &'static [&'static str]| {
        let (db, niks) = (&intake_db, &our_niks);
        async move {
            query::count_in_status(db, niks, wanted)
                .await
                .unwrap_or_default() as usize
        }
    };
    const AFTER_PRR: &[&str] = &["PRR", "CARD_PRINTED", "CARD_SHIPPED", "CARD_ACTIVATED"];
    let reached = wait("print ready (PRR)", residents, start, || async {
        scheduler.run_now();
        status_count(AFTER_PRR).await
    })
    .await;
    stages.push(Stage {
        name: "enrolled, sent by the NID Scheduler, PRR (S01.6, S19)",
        reached,
        at: start.elapsed(),
    });

    // S21 at the Dinas.
    operators::add(
        &print_db,
        "operator-demo",
        "demo",
        operators::Role::Operator,
    )
    .await
    .map_err(|e| err(&e))?;
    operators::add(&print_db, "kasi-demo", "demo", operators::Role::KepalaSeksi)
        .await
        .map_err(|e| err(&e))?;
    let op = operators::login(&print_db, "operator-demo", "demo")
        .await
        .map_err(|e| err(&e))?;
    let kasi = operators::login(&print_db, "kasi-demo", "demo")
        .await
        .map_err(|e| err(&e))?;
    let in_queue = || async {
        print_desk::queue(&print_db)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|j| ours.contains(&j.nik))
            .collect::<Vec<_>>()
    };
    wait("in the print queue", residents, start, || async {
        in_queue().await.len()
    })
    .await;
    for job in in_queue().await {
        print_desk::make_card(&print_db, &exchange, &key, &op, &kasi, &job.nik)
            .await
            .map_err(|e| err(&e))?;
    }
    const AFTER_PRINT: &[&str] = &["CARD_PRINTED", "CARD_SHIPPED", "CARD_ACTIVATED"];
    let reached = wait("CARD_PRINTED", residents, start, || {
        status_count(AFTER_PRINT)
    })
    .await;
    stages.push(Stage {
        name: "encoded, printed, verified, approved (S21)",
        reached,
        at: start.elapsed(),
    });

    // S22.
    let in_distribution = || async {
        kartu::Entity::find()
            .all(&dist_db)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|c| ours.contains(&c.nik))
            .count()
    };
    wait("at distribution", residents, start, in_distribution).await;
    for b in dist_desk::make_batches(&dist_db, &exchange, "petugas-demo")
        .await
        .map_err(|e| err(&e))?
    {
        dist_desk::confirm_receipt(&dist_db, b.batch_id, "ppp-demo")
            .await
            .map_err(|e| err(&e))?;
    }
    let reached = wait("CARD_SHIPPED", residents, start, || {
        status_count(&["CARD_SHIPPED", "CARD_ACTIVATED"])
    })
    .await;
    stages.push(Stage {
        name: "batched with a Berita Acara, received (S22.2–S22.3)",
        reached,
        at: start.elapsed(),
    });
    for c in dist_desk::awaiting_collection(&dist_db)
        .await
        .map_err(|e| err(&e))?
    {
        if ours.contains(&c.nik) {
            dist_desk::hand_over(&dist_db, &exchange, &c.nik, "ppp-demo", &c.nama)
                .await
                .map_err(|e| err(&e))?;
        }
    }
    let done = wait("CARD_ACTIVATED", residents, start, || {
        status_count(&["CARD_ACTIVATED"])
    })
    .await;
    stages.push(Stage {
        name: "handed over with a tanda terima: CARD_ACTIVATED (S22.4)",
        reached: done,
        at: start.elapsed(),
    });

    println!();
    println!("| stage | berkas | seconds |");
    println!("|---|---:|---:|");
    for s in &stages {
        println!(
            "| {} | {}/{residents} | {:.2} |",
            s.name,
            s.reached,
            s.at.as_secs_f64()
        );
    }
    if done == residents {
        println!("completed {done}/{residents}");
    } else {
        let stuck = stages
            .iter()
            .find(|s| s.reached < residents)
            .map(|s| s.name)
            .unwrap_or("?");
        println!(
            "completed {done}/{residents}; stuck first at: {stuck} (see http://127.0.0.1:8080 under `ktpel up`, and the .dlq queues)"
        );
    }
    shutdown.cancel();
    for t in tasks {
        let _ = t.await;
    }
    // Close the desk's own channel first, so closing the connection leaves nothing open.
    let _ = publisher.channel().close(200, "demo done".into()).await;
    broker.close().await;
    telemetry.shutdown();
    if done == residents {
        Ok(())
    } else {
        Err(format!("{} berkas did not finish", residents - done))
    }
}

/// Waits until `count` reaches `n` (or the stage times out), showing progress on one line.
async fn wait<F, Fut>(label: &str, n: usize, start: Instant, mut count: F) -> usize
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let deadline = Instant::now() + STAGE_TIMEOUT;
    loop {
        let k = count().await;
        print!(
            "\r  {label}: {k}/{n}  ({:.1}s)   ",
            start.elapsed().as_secs_f64()
        );
        let _ = std::io::stdout().flush();
        if k >= n || Instant::now() >= deadline {
            println!();
            return k;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
