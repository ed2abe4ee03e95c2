//! The services of the system, started together on one test vhost, each with its own fresh
//! database, talking only through the broker — the way `ktpel up` runs them, minus HTTP.

use crate::{Backend, TestDatabase, TestVhost};
use ktpel_bus::{Broker, Shutdown};
use ktpel_contract::registry::Biodata;
use sea_orm::DatabaseConnection;

/// A running system; dropping it stops the services and removes vhost and databases.
pub struct System {
    pub vhost: TestVhost,
    /// Used by the test to publish and inspect; services have their own connections.
    pub broker: Broker,
    pub shutdown: Shutdown,
    pub intake: DatabaseConnection,
    pub registry: DatabaseConnection,
    pub biometric: DatabaseConnection,
    /// What it takes to kill and restart the biometric service.
    biometric_process: std::sync::Mutex<Process>,
    biometric_settings: ktpel_biometric::BiometricSettings,
    pub afis_sync: DatabaseConnection,
    pub pusat_data: DatabaseConnection,
    pub card_print: DatabaseConnection,
    /// The Dinas's chip-signing key (card-print's).
    pub dinas_key: ed25519_dalek::SigningKey,
    pub distribution: DatabaseConnection,
    /// The NID Scheduler's panel and controls.
    pub panel: ktpel_afis_sync::panel::PanelSource,
    pub scheduler: ktpel_afis_sync::scheduler::SchedulerHandle,
    /// Sits between the NID Scheduler and the Pusat Data's broker: cut it to make the Pusat
    /// Data unreachable.
    pub pusat_data_link: crate::proxy::Proxy,
    /// What the desks and stations of the test published: messages and body bytes.
    pub sent: SentCounter,
    /// The desks' publisher (one channel in confirm mode), made on first use.
    publisher: tokio::sync::OnceCell<ktpel_bus::publisher::Publisher>,
    _databases: Vec<TestDatabase>,
}

/// Messages and body bytes published from outside the services.
#[derive(Default)]
pub struct SentCounter {
    pub messages: std::sync::atomic::AtomicU64,
    pub bytes: std::sync::atomic::AtomicU64,
}

/// A service running as if in a process of its own: its task, its stop signal, its broker
/// connection.
struct Process {
    task: tokio::task::JoinHandle<()>,
    stop: Shutdown,
    broker: Broker,
}

/// A hex key for the biometric seal in tests.
pub const TEST_SEAL_KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

impl System {
    /// Starts every service — registry, intake, biometric, the NID Scheduler, the Pusat Data,
    /// card-print and distribution — with `residents` in SIAK.
    pub async fn start(backend: Backend, residents: &[Biodata]) -> Self {
        crate::telemetry();
        let vhost = TestVhost::new();
        let shutdown = Shutdown::new();
        let mut databases = Vec::new();
        let db = || async {
            let d = TestDatabase::new(backend).await;
            let settings = d.settings.clone();
            (d, settings)
        };
        let connect = |name: &str| Broker::new(vhost.url(), name.to_owned());

        let (d, database) = db().await;
        databases.push(d);
        let registry = ktpel_registry::Registry::build(
            &ktpel_registry::RegistrySettings {
                database,
                ..Default::default()
            },
            connect("registry"),
        )
        .await
        .expect("registry builds");
        ktpel_registry::seed::store(&registry.db, residents)
            .await
            .expect("seed SIAK");

        let (d, database) = db().await;
        databases.push(d);
        let intake = ktpel_intake::Intake::build(
            &ktpel_intake::IntakeSettings {
                database,
                ..Default::default()
            },
            connect("intake"),
        )
        .await
        .expect("intake builds");

        let (d, database) = db().await;
        databases.push(d);
        let biometric_settings = ktpel_biometric::BiometricSettings {
            database,
            encryption_key: Some(TEST_SEAL_KEY.into()),
            ..Default::default()
        };
        let biometric_broker = connect("biometric");
        let biometric =
            ktpel_biometric::Biometric::build(&biometric_settings, biometric_broker.clone())
                .await
                .expect("biometric builds");

        let (d, database) = db().await;
        databases.push(d);
        let pusat_data = ktpel_pusat_data::PusatData::build(
            &ktpel_pusat_data::PusatDataSettings {
                database,
                ..Default::default()
            },
            connect("pusat-data"),
        )
        .await
        .expect("pusat-data builds");

        let (d, database) = db().await;
        databases.push(d);
        let pusat_data_link = crate::proxy::Proxy::start("127.0.0.1:5672".parse().unwrap()).await;
        let afis = ktpel_afis_sync::AfisSync::build_with(
            &ktpel_afis_sync::AfisSyncSettings {
                database,
                co_relation_id: "32.73.01".into(),
                interval_seconds: 1,
                ..Default::default()
            },
            connect("afis-sync"),
            Broker::with_backoff(
                vhost.url_via(pusat_data_link.addr),
                "afis-sync-pusat-data",
                backon::ExponentialBuilder::default()
                    .with_max_delay(std::time::Duration::from_millis(500))
                    .without_max_times(),
            ),
        )
        .await
        .expect("afis-sync builds");

        let (d, database) = db().await;
        databases.push(d);
        let card_print = ktpel_card_print::CardPrint::build(
            &ktpel_card_print::CardPrintSettings {
                database,
                signing_key: Some(TEST_SEAL_KEY.into()),
                ..Default::default()
            },
            connect("card-print"),
        )
        .await
        .expect("card-print builds");

        let (d, database) = db().await;
        databases.push(d);
        let distribution = ktpel_distribution::Distribution::build(
            &ktpel_distribution::DistributionSettings {
                database,
                ..Default::default()
            },
            connect("distribution"),
        )
        .await
        .expect("distribution builds");

        // The Dinas's print desk staff (S21): an operator and a kepala seksi.
        for (user, role) in [
            ("op1", ktpel_card_print::operators::Role::Operator),
            ("kasi1", ktpel_card_print::operators::Role::KepalaSeksi),
        ] {
            ktpel_card_print::operators::add(
                &card_print.db,
                user,
                &format!("rahasia-{user}"),
                role,
            )
            .await
            .expect("add the print desk's staff");
        }
        card_print.declare().await.expect("declare card-print");
        distribution.declare().await.expect("declare distribution");
        registry.declare().await.expect("declare registry");
        intake.declare().await.expect("declare intake");
        biometric.declare().await.expect("declare biometric");
        afis.declare().await.expect("declare afis-sync");
        pusat_data.declare().await.expect("declare pusat-data");
        let dbs = (
            registry.db.clone(),
            intake.db.clone(),
            biometric.db.clone(),
            afis.db.clone(),
            pusat_data.db.clone(),
        );
        let (panel, scheduler) = (afis.panel(), afis.scheduler());
        let (card_print_db, dinas_key, distribution_db) = (
            card_print.db.clone(),
            card_print.key.clone(),
            distribution.db.clone(),
        );
        tokio::spawn(card_print.run(shutdown.clone()));
        tokio::spawn(distribution.run(shutdown.clone()));
        tokio::spawn(registry.run(shutdown.clone()));
        tokio::spawn(intake.run(shutdown.clone()));
        let biometric_stop = shutdown.child_token();
        let biometric_task = tokio::spawn(biometric.run(biometric_stop.clone()));
        tokio::spawn(afis.run(shutdown.clone()));
        tokio::spawn(pusat_data.run(shutdown.clone()));
        let broker = connect("test");
        Self {
            vhost,
            broker,
            shutdown,
            registry: dbs.0,
            intake: dbs.1,
            biometric: dbs.2,
            biometric_process: std::sync::Mutex::new(Process {
                task: biometric_task,
                stop: biometric_stop,
                broker: biometric_broker,
            }),
            biometric_settings,
            afis_sync: dbs.3,
            pusat_data: dbs.4,
            card_print: card_print_db,
            dinas_key,
            distribution: distribution_db,
            panel,
            scheduler,
            pusat_data_link,
            sent: SentCounter::default(),
            publisher: Default::default(),
            _databases: databases,
        }
    }

    /// Declares a queue the test reads from, bound to `patterns`, before anything is sent.
    pub async fn listen(&self, queue: &str, patterns: &[&str]) {
        let ch = self.broker.channel().await.expect("channel");
        ktpel_bus::Topology::default()
            .declare_queue(
                &ch,
                &ktpel_bus::QueueSpec::new(queue, patterns.iter().map(|p| p.to_string())),
            )
            .await
            .expect("declare the test's queue");
    }

    /// Publishes `body` as a desk or station would (confirmed, with the standard properties).
    pub async fn send<M: ktpel_bus::Message>(&self, body: &M, subject: &str, region: &str) {
        let key = ktpel_bus::RoutingKey::regional(subject, region).expect("routing key");
        let msg = ktpel_bus::Outgoing::new(body, key, "test", "test").expect("encode");
        let publisher = self
            .publisher
            .get_or_init(|| async {
                ktpel_bus::publisher::Publisher::new(
                    self.broker.channel().await.expect("channel"),
                    "test",
                )
                .await
                .expect("confirm mode")
            })
            .await;
        publisher
            .publish(&ktpel_bus::publisher::Publication::of("ktpel", &msg))
            .await
            .expect("published");
        use std::sync::atomic::Ordering::Relaxed;
        self.sent.messages.fetch_add(1, Relaxed);
        self.sent.bytes.fetch_add(msg.body.len() as u64, Relaxed);
    }
}

impl System {
    /// Kills the biometric service the way a crashed process dies — its task aborted mid-work,
    /// its connection gone (so the broker returns unacknowledged messages to the queue) — and
    /// starts it again on the same database.
    pub async fn kill_and_restart_biometric(&self) {
        let (task, stop, broker) = {
            let p = self.biometric_process.lock().expect("not poisoned");
            (p.task.abort_handle(), p.stop.clone(), p.broker.clone())
        };
        task.abort();
        stop.cancel(); // the relay task of the dead "process" stops too
        broker.close().await;
        let broker = Broker::new(self.vhost.url(), "biometric-restarted");
        let biometric = ktpel_biometric::Biometric::build(&self.biometric_settings, broker.clone())
            .await
            .expect("biometric rebuilds");
        let stop = self.shutdown.child_token();
        let task = tokio::spawn(biometric.run(stop.clone()));
        *self.biometric_process.lock().expect("not poisoned") = Process { task, stop, broker };
    }
}

impl Drop for System {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// The people at the desks, acting through the services' desk functions — what the HTTP and
/// CLI front ends call.
impl System {
    /// Submits a berkas for each resident from the Sukasari desk (S01.1).
    pub async fn submit_all(&self, residents: &[Biodata]) {
        for r in residents {
            let b = ktpel_contract::berkas::BerkasSubmitted {
                submission_id: uuid::Uuid::now_v7(),
                sop: "S01".parse().expect("S01"),
                nik: r.nik.clone(),
                nama: r.nama.clone(),
                dokumen: vec![
                    ktpel_domain::Dokumen::FormulirPermohonan,
                    ktpel_domain::Dokumen::FotokopiKk,
                ],
                kecamatan: "32.73.01".into(),
                petugas: "ppp-sukasari".into(),
                diterima_pada: chrono::Utc::now(),
            };
            self.send(&b, ktpel_contract::berkas::SUBMITTED, "32.73.01")
                .await;
        }
    }

    /// The operator enrolls every berkas waiting at the station (S01.3–S01.6); returns how many.
    pub async fn enroll_waiting(&self) -> usize {
        self.enroll_new(&mut Default::default()).await
    }

    /// Enrolls the berkas waiting at the station that are not in `captured` yet, and adds
    /// them to it (for a desk that keeps working while earlier captures are in flight).
    pub async fn enroll_new(&self, captured: &mut std::collections::HashSet<String>) -> usize {
        use ktpel_biometric::{station, store::operator_inbox};
        use sea_orm::EntityTrait;
        let waiting: Vec<_> = operator_inbox::Entity::find()
            .all(&self.biometric)
            .await
            .expect("read the operator's inbox")
            .into_iter()
            .filter(|w| captured.insert(w.nomor_berkas.clone()))
            .collect();
        for w in &waiting {
            let nik = ktpel_domain::Nik::parse(&w.nik).expect("a stored NIK");
            let c = station::capture(
                &w.nomor_berkas,
                &nik,
                &station::Person::of(&nik),
                "operator-1",
                true,
            );
            self.send(&c, ktpel_contract::enrollment::CAPTURED, "32.73.01")
                .await;
        }
        waiting.len()
    }

    /// S21 for every card in the print queue: login, encode, print, verify, approve.
    pub async fn print_queue(&self) -> usize {
        use ktpel_card_print::{desk, operators};
        let queue = desk::queue(&self.card_print)
            .await
            .expect("the print queue");
        if queue.is_empty() {
            return 0;
        }
        let op = operators::login(&self.card_print, "op1", "rahasia-op1")
            .await
            .expect("login");
        let kasi = operators::login(&self.card_print, "kasi1", "rahasia-kasi1")
            .await
            .expect("login");
        for job in &queue {
            desk::make_card(
                &self.card_print,
                "ktpel",
                &self.dinas_key,
                &op,
                &kasi,
                &job.nik,
            )
            .await
            .expect("encode, print, verify, approve");
        }
        queue.len()
    }

    /// S22 for every card that reached distribution: batches, receipt, hand-over.
    pub async fn distribute_all(&self) -> usize {
        use ktpel_distribution::desk;
        let batches = desk::make_batches(&self.distribution, "ktpel", "petugas-1")
            .await
            .expect("make batches");
        for b in &batches {
            desk::confirm_receipt(&self.distribution, b.batch_id, "ppp-sukasari")
                .await
                .expect("receipt");
        }
        let waiting = desk::awaiting_collection(&self.distribution)
            .await
            .expect("cards awaiting collection");
        for c in &waiting {
            desk::hand_over(&self.distribution, "ktpel", &c.nik, "ppp-sukasari", &c.nama)
                .await
                .expect("hand over");
        }
        waiting.len()
    }
}
