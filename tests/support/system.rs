//! The services of the system, started together, each with its own fresh database, talking
//! only through the broker — the way `ktpel up` runs them, minus HTTP: on one test vhost
//! ([`Layout::OneBroker`]) or as three sites on brokers of their own, linked by shovels
//! ([`Layout::Sites`]).

use crate::{Backend, TestBroker, TestDatabase, TestVhost, sites};
use ktpel_bus::{Broker, Shutdown};
use ktpel_contract::registry::Biodata;
use ktpel_site::{Place, Service};
use sea_orm::DatabaseConnection;

/// Where the services run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Every service on one vhost of the shared broker, as `ktpel up` runs them.
    OneBroker,
    /// The kecamatan 32.73.01 (intake, biometric) on the second broker; the Dinas 32.73
    /// (registry, the NID Scheduler, card-print, distribution) and the Pusat Data each on a
    /// vhost of its own on the shared broker. The kecamatan links to the Dinas and the Dinas
    /// to the Pusat Data with shovels, each site with its least-privileged user up there.
    Sites,
}

/// A running system; dropping it stops the services and removes vhosts and databases.
pub struct System {
    /// The vhost of the desks and stations the test acts as (the kecamatan's, with sites),
    /// where intake and biometric run.
    pub vhost: TestVhost,
    /// The Dinas's and the Pusat Data's vhosts, with [`Layout::Sites`].
    pub other_vhosts: Vec<TestVhost>,
    /// The sites' links, with [`Layout::Sites`]: the kecamatan's, then the Dinas's.
    pub links: Vec<ktpel_site::Link>,
    _site_users: Vec<sites::SiteUser>,
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
    /// With [`Layout::Sites`]: sits between the kecamatan's broker and the Dinas's; cut it to
    /// cut the kecamatan's WAN link.
    pub dinas_link: Option<crate::proxy::Proxy>,
    /// With [`Layout::Sites`]: the kecamatan's copy of SIAK.
    pub registry_copy: Option<DatabaseConnection>,
    /// With [`Layout::Sites`]: the Dinas's own intake (its counter: S05.3, section C's B
    /// variants, S17), and the test's connection to the Dinas's broker, where its desk sends.
    pub intake_dinas: Option<DatabaseConnection>,
    dinas_broker: Option<Broker>,
    dinas_publisher: tokio::sync::OnceCell<ktpel_bus::publisher::Publisher>,
    /// What the desks and stations of the test published: messages and body bytes.
    pub sent: SentCounter,
    /// Each desk's service's commits, for desks that look for work when some may have come.
    pub commits: Commits,
    /// The desks' publisher (one channel in confirm mode), made on first use.
    publisher: tokio::sync::OnceCell<ktpel_bus::publisher::Publisher>,
    _databases: Vec<TestDatabase>,
}

/// Changes after each transaction a service's consumer commits ([`ktpel_site::Service::committed`]).
/// The biometric service's is of its first process: it ends when that one is killed.
pub struct Commits {
    pub biometric: tokio::sync::watch::Receiver<u64>,
    pub afis_sync: tokio::sync::watch::Receiver<u64>,
    pub card_print: tokio::sync::watch::Receiver<u64>,
    pub distribution: tokio::sync::watch::Receiver<u64>,
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
    /// card-print and distribution — on one broker, with `residents` in SIAK.
    pub async fn start(backend: Backend, residents: &[Biodata]) -> Self {
        Self::start_in(Layout::OneBroker, backend, residents).await
    }

    /// Starts every service laid out as `layout`, with `residents` in SIAK.
    pub async fn start_in(layout: Layout, backend: Backend, residents: &[Biodata]) -> Self {
        Self::start_pooled(
            layout,
            backend,
            residents,
            false,
            Default::default(),
            Default::default(),
        )
        .await
    }

    /// [`System::start`] with the database pools `ktpel up` has (`database.max_connections`'s
    /// default) rather than the tests' smaller ones: for the benchmarks, which measure the
    /// system as it is run.
    pub async fn start_as_deployed(backend: Backend, residents: &[Biodata]) -> Self {
        Self::start_tuned(backend, residents, Default::default(), Default::default()).await
    }

    /// [`System::start_as_deployed`] with every consumer and relay tuned as `amqp` says
    /// (partitions, batch, batch wait…; its URL is not used), and the Pusat Data's matcher as
    /// `pusat_data` says: for the benchmarks' comparisons.
    pub async fn start_tuned(
        backend: Backend,
        residents: &[Biodata],
        amqp: ktpel_settings::AmqpSettings,
        pusat_data: ktpel_pusat_data::config::Own,
    ) -> Self {
        Self::start_pooled(
            Layout::OneBroker,
            backend,
            residents,
            true,
            amqp,
            pusat_data,
        )
        .await
    }

    async fn start_pooled(
        layout: Layout,
        backend: Backend,
        residents: &[Biodata],
        as_deployed: bool,
        amqp: ktpel_settings::AmqpSettings,
        pusat_data_own: ktpel_pusat_data::config::Own,
    ) -> Self {
        crate::telemetry();
        let shutdown = Shutdown::new();
        let sites = match layout {
            Layout::OneBroker => None,
            Layout::Sites => Some(Sites::start().await),
        };
        let vhost = match layout {
            Layout::OneBroker => TestVhost::new(),
            Layout::Sites => TestVhost::on(TestBroker::site()),
        };
        let (kecamatan_url, dinas_url, pusat_data_url) = match &sites {
            None => (vhost.url(), vhost.url(), vhost.url()),
            Some(s) => (vhost.url(), s.dinas.url(), s.pusat_data.url()),
        };
        // Each service placed at its site the way `ktpel up --site` places it: the kecamatan's
        // serve it, the Dinas's its kabupaten/kota, and so on (`ktpel_site::wiring`).
        let place = |site: &str| Place {
            site: ktpel_site::SiteSettings {
                name: site.parse().expect("a site"),
                parent_url: None,
                ..Default::default()
            },
            data_dir: None,
        };
        let (at_kecamatan, at_dinas, at_pusat_data) = match layout {
            Layout::OneBroker => (Place::default(), Place::default(), Place::default()),
            Layout::Sites => (
                place("kecamatan:32.73.01"),
                place("dinas:32.73"),
                place("pusat-data"),
            ),
        };
        let mut databases = Vec::new();
        let db = || async {
            let d = match as_deployed {
                true => TestDatabase::as_deployed(backend).await,
                false => TestDatabase::new(backend).await,
            };
            let settings = d.settings.clone();
            (d, settings)
        };
        let connect_to = |url: &str, name: &str| Broker::new(url, name.to_owned());

        let (d, database) = db().await;
        databases.push(d);
        let registry = ktpel_registry::Registry::build(
            &placed(
                &at_dinas,
                ktpel_registry::RegistrySettings {
                    database,
                    amqp: amqp.clone(),
                    ..Default::default()
                },
            ),
            connect_to(&dinas_url, "registry"),
        )
        .await
        .expect("registry builds");
        // With sites, the Dinas's register announces its residents to the kecamatan's copy.
        ktpel_registry::seed::record(&registry.db(), sites.is_some(), residents)
            .await
            .expect("seed SIAK");

        let (d, database) = db().await;
        databases.push(d);
        let intake = ktpel_intake::Intake::build(
            &placed(
                &at_kecamatan,
                ktpel_intake::IntakeSettings {
                    database,
                    amqp: amqp.clone(),
                    ..Default::default()
                },
            ),
            connect_to(&kecamatan_url, "intake"),
        )
        .await
        .expect("intake builds");

        let (d, database) = db().await;
        databases.push(d);
        let biometric_settings = placed(
            &at_kecamatan,
            ktpel_biometric::BiometricSettings {
                database,
                amqp: amqp.clone(),
                own: ktpel_biometric::config::Own {
                    encryption_key: Some(TEST_SEAL_KEY.into()),
                    ..Default::default()
                },
                ..Default::default()
            },
        );
        let biometric_broker = connect_to(&kecamatan_url, "biometric");
        let biometric =
            ktpel_biometric::Biometric::build(&biometric_settings, biometric_broker.clone())
                .await
                .expect("biometric builds");

        let (d, database) = db().await;
        databases.push(d);
        let pusat_data = ktpel_pusat_data::PusatData::build(
            &placed(
                &at_pusat_data,
                ktpel_pusat_data::PusatDataSettings {
                    database,
                    amqp: amqp.clone(),
                    own: pusat_data_own,
                    ..Default::default()
                },
            ),
            connect_to(&pusat_data_url, "pusat-data"),
        )
        .await
        .expect("pusat-data builds");

        let (d, database) = db().await;
        databases.push(d);
        let pusat_data_link = crate::proxy::Proxy::start(TestBroker::shared().addr()).await;
        let dinas_link = match &sites {
            Some(_) => Some(crate::proxy::Proxy::start(TestBroker::shared().addr()).await),
            None => None,
        };
        // The NID Scheduler reaches the Pusat Data's broker through the proxy: as the Dinas's
        // own user there with sites, as the test's user on one broker.
        let scheduler_url = match &sites {
            None => vhost.url_via(pusat_data_link.addr),
            Some(s) => s.pusat_data.url_as_via(
                &s.dinas_user.name,
                &s.dinas_user.password,
                pusat_data_link.addr,
            ),
        };
        let afis = ktpel_afis_sync::AfisSync::build_with(
            // With sites, the Dinas's Server AFIS sends its kecamatan's enrollments.
            &placed(
                &at_dinas,
                ktpel_afis_sync::AfisSyncSettings {
                    database,
                    amqp: amqp.clone(),
                    own: ktpel_afis_sync::config::Own {
                        co_relation_id: "32.73.01".into(),
                        interval_seconds: 1,
                        ..Default::default()
                    },
                    ..Default::default()
                },
            ),
            connect_to(&dinas_url, "afis-sync"),
            Broker::with_backoff(
                scheduler_url,
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
            &placed(
                &at_dinas,
                ktpel_card_print::CardPrintSettings {
                    database,
                    amqp: amqp.clone(),
                    own: ktpel_card_print::config::Own {
                        signing_key: Some(TEST_SEAL_KEY.into()),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            ),
            connect_to(&dinas_url, "card-print"),
        )
        .await
        .expect("card-print builds");

        let (d, database) = db().await;
        databases.push(d);
        let distribution = ktpel_distribution::Distribution::build(
            &placed(
                &at_dinas,
                ktpel_distribution::DistributionSettings {
                    database,
                    amqp: amqp.clone(),
                    ..Default::default()
                },
            ),
            connect_to(&dinas_url, "distribution"),
        )
        .await
        .expect("distribution builds");

        card_print.declare().await.expect("declare card-print");
        distribution.declare().await.expect("declare distribution");
        registry.declare().await.expect("declare registry");
        let registry_copy = match &sites {
            None => None,
            Some(_) => {
                let (d, database) = db().await;
                databases.push(d);
                // Placed at the kecamatan, the registry is a copy of SIAK.
                let copy = ktpel_registry::Registry::build(
                    &placed(
                        &at_kecamatan,
                        ktpel_registry::RegistrySettings {
                            database,
                            amqp: amqp.clone(),
                            ..Default::default()
                        },
                    ),
                    connect_to(&kecamatan_url, "registry-copy"),
                )
                .await
                .expect("the kecamatan's copy of SIAK builds");
                copy.declare().await.expect("declare the copy");
                let db = copy.db();
                tokio::spawn(copy.run(shutdown.clone()));
                Some(db)
            }
        };
        let intake_dinas = match &sites {
            None => None,
            Some(_) => {
                let (d, database) = db().await;
                databases.push(d);
                // Placed at the Dinas, intake runs the Dinas's counter.
                let counter = ktpel_intake::Intake::build(
                    &placed(
                        &at_dinas,
                        ktpel_intake::IntakeSettings {
                            database,
                            amqp: amqp.clone(),
                            ..Default::default()
                        },
                    ),
                    connect_to(&dinas_url, "intake-dinas"),
                )
                .await
                .expect("the Dinas's intake builds");
                counter.declare().await.expect("declare the Dinas's intake");
                let db = counter.db();
                tokio::spawn(counter.run(shutdown.clone()));
                Some(db)
            }
        };
        let dinas_broker = sites
            .as_ref()
            .map(|_| connect_to(&dinas_url, "test-dinas-desk"));
        intake.declare().await.expect("declare intake");
        biometric.declare().await.expect("declare biometric");
        afis.declare().await.expect("declare afis-sync");
        pusat_data.declare().await.expect("declare pusat-data");
        let dbs = (
            registry.db(),
            intake.db(),
            biometric.db(),
            afis.db(),
            pusat_data.db(),
        );
        let (panel, scheduler) = (afis.panel(), afis.scheduler());
        let commits = {
            Commits {
                biometric: biometric.committed(),
                afis_sync: afis.committed(),
                card_print: card_print.committed(),
                distribution: distribution.committed(),
            }
        };
        let (card_print_db, dinas_key, distribution_db) =
            (card_print.db(), card_print.key.clone(), distribution.db());
        tokio::spawn(card_print.run(shutdown.clone()));
        tokio::spawn(distribution.run(shutdown.clone()));
        tokio::spawn(registry.run(shutdown.clone()));
        tokio::spawn(intake.run(shutdown.clone()));
        let biometric_stop = shutdown.child_token();
        let biometric_task = tokio::spawn(biometric.run(biometric_stop.clone()));
        tokio::spawn(afis.run(shutdown.clone()));
        tokio::spawn(pusat_data.run(shutdown.clone()));
        let (other_vhosts, links, site_users) = match sites {
            None => Default::default(),
            Some(s) => {
                s.link(&vhost, dinas_link.as_ref().expect("with sites"))
                    .await
            }
        };
        let broker = connect_to(&kecamatan_url, "test");
        Self {
            vhost,
            other_vhosts,
            links,
            _site_users: site_users,
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
            dinas_link,
            registry_copy,
            intake_dinas,
            dinas_broker,
            dinas_publisher: Default::default(),
            sent: SentCounter::default(),
            commits,
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
        self.send_via(&self.broker, &self.publisher, body, subject, region)
            .await
    }

    /// Publishes `body` as a desk at the Dinas would: on the Dinas's broker with sites.
    pub async fn send_at_dinas<M: ktpel_bus::Message>(
        &self,
        body: &M,
        subject: &str,
        region: &str,
    ) {
        match &self.dinas_broker {
            Some(b) => {
                self.send_via(b, &self.dinas_publisher, body, subject, region)
                    .await
            }
            None => self.send(body, subject, region).await,
        }
    }

    async fn send_via<M: ktpel_bus::Message>(
        &self,
        broker: &Broker,
        publisher: &tokio::sync::OnceCell<ktpel_bus::publisher::Publisher>,
        body: &M,
        subject: &str,
        region: &str,
    ) {
        let key = ktpel_bus::RoutingKey::regional(subject, region).expect("routing key");
        let msg = ktpel_bus::Outgoing::new(body, key, "test", "test").expect("encode");
        let publisher = publisher
            .get_or_init(|| async {
                ktpel_bus::publisher::Publisher::new(
                    broker.channel().await.expect("channel"),
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

/// `settings` as a service placed at `place` has them.
fn placed<S: ktpel_settings::OwnSettings + ktpel_site::AtSite>(
    place: &Place,
    mut settings: ktpel_settings::ServiceSettings<S>,
) -> ktpel_settings::ServiceSettings<S> {
    place.apply(&mut settings);
    settings
}

/// The Dinas and the Pusat Data of [`Layout::Sites`], before the services start.
struct Sites {
    dinas: TestVhost,
    pusat_data: TestVhost,
    /// The Dinas's user on the Pusat Data's broker (its NID Scheduler and its downlink).
    dinas_user: sites::SiteUser,
    /// The kecamatan's user on the Dinas's broker.
    kecamatan_user: sites::SiteUser,
}

impl Sites {
    async fn start() -> Self {
        let (dinas, pusat_data) = (TestVhost::new(), TestVhost::new());
        // The Pusat Data declares its exchanges before anyone is let in.
        let admin = Broker::new(pusat_data.url(), "test-admin");
        let ch = admin.channel().await.expect("channel");
        ktpel_bus::Topology::default()
            .declare_exchanges(&ch)
            .await
            .expect("declare the Pusat Data's exchanges");
        admin.close().await;
        let dinas_user = sites::grant(&pusat_data, &"dinas:32.73".parse().unwrap()).await;
        // Granted before the Dinas's services start: its downlink queue is there before the
        // register announces the residents.
        let kecamatan_user = sites::grant(&dinas, &"kecamatan:32.73.01".parse().unwrap()).await;
        Self {
            dinas,
            pusat_data,
            dinas_user,
            kecamatan_user,
        }
    }

    /// Declares both sites' links, once every service declared its queues; the kecamatan's
    /// goes through `proxy`.
    async fn link(
        self,
        kecamatan: &TestVhost,
        proxy: &crate::proxy::Proxy,
    ) -> (Vec<TestVhost>, Vec<ktpel_site::Link>, Vec<sites::SiteUser>) {
        let sukasari: ktpel_site::Site = "kecamatan:32.73.01".parse().unwrap();
        let kecamatan_user = self.kecamatan_user;
        let up_to_dinas = sites::link(
            kecamatan,
            &sukasari,
            self.dinas
                .url_as_via(&kecamatan_user.name, &kecamatan_user.password, proxy.addr),
        )
        .await;
        let up_to_pusat_data = sites::link(
            &self.dinas,
            &"dinas:32.73".parse().unwrap(),
            self.pusat_data
                .url_as(&self.dinas_user.name, &self.dinas_user.password),
        )
        .await;
        (
            vec![self.dinas, self.pusat_data],
            vec![up_to_dinas, up_to_pusat_data],
            vec![kecamatan_user, self.dinas_user],
        )
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
        self.submit_all_as("S01", residents).await
    }

    /// Submits a berkas under procedure `sop` (S01, S02, S03) for each resident at the
    /// Sukasari desk.
    pub async fn submit_all_as(&self, sop: &str, residents: &[Biodata]) {
        for r in residents {
            self.submit_as(sop, r).await;
        }
    }

    /// Submits one resident's berkas under procedure `sop` at the Sukasari desk.
    pub async fn submit_as(&self, sop: &str, r: &Biodata) {
        let b = ktpel_contract::berkas::BerkasSubmitted {
            sidik_jari: Vec::new(),
            submission_id: uuid::Uuid::now_v7(),
            sop: sop.parse().expect("an SOP id"),
            nik: Some(r.nik.clone()),
            nama: r.nama.clone(),
            biodata: None,
            perubahan: None,
            kedatangan: None,
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

    /// S01 to the resident's hands for each of `people` — their first cards — waiting for each
    /// step; SIAK has heard every card handed over, so replacements may follow.
    pub async fn first_cards(&self, people: &[Biodata]) {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let n = people.len() as u64;
        let wait = std::time::Duration::from_secs(120);
        self.submit_all(people).await;
        assert!(
            crate::eventually(wait, || async {
                ktpel_biometric::store::operator_inbox::Entity::find()
                    .count(&self.biometric)
                    .await
                    .unwrap_or(0)
                    >= n
            })
            .await,
            "every berkas reached the station"
        );
        self.enroll_waiting().await;
        assert!(
            crate::eventually(wait, || async {
                self.scheduler.run_now();
                ktpel_card_print::desk::queue(&self.card_print)
                    .await
                    .map(|q| q.len() as u64)
                    .unwrap_or(0)
                    == n
            })
            .await,
            "every first card is print ready"
        );
        self.print_queue().await;
        assert!(
            crate::eventually(wait, || async {
                ktpel_distribution::store::kartu::Entity::find()
                    .count(&self.distribution)
                    .await
                    .unwrap_or(0)
                    == n
            })
            .await,
            "every first card reached distribution"
        );
        self.distribute_all().await;
        assert!(
            crate::eventually(wait, || async {
                ktpel_registry::store::penduduk::Entity::find()
                    .filter(
                        ktpel_registry::store::penduduk::Column::StatusKartu
                            .eq(ktpel_domain::StatusKartu::CardActivated),
                    )
                    .count(&self.registry)
                    .await
                    .unwrap_or(0)
                    == n
            })
            .await,
            "SIAK heard every first card handed over"
        );
    }

    /// A replacement's berkas (section C) for `r` under `sop`, with one document of each group
    /// of the checklist, at the Sukasari desk (A) or the Dinas's (B: the resident's kecamatan
    /// entered). Returns the submission id.
    pub async fn submit_replacement(
        &self,
        sop: &str,
        r: &Biodata,
        perubahan: Option<ktpel_contract::registry::PerubahanBiodata>,
    ) -> uuid::Uuid {
        self.submit_section_c(sop, r, perubahan, None, &r.nik).await
    }

    /// A replacement's berkas for `r` whose index fingers at the counter are pressed by the
    /// person of NIK `presser` (someone else's, to see the card refused).
    pub async fn submit_replacement_pressed_by(
        &self,
        sop: &str,
        r: &Biodata,
        presser: &ktpel_domain::Nik,
    ) -> uuid::Uuid {
        self.submit_section_c(sop, r, None, None, presser).await
    }

    /// A relocation's berkas (S15–S17) for `r`'s family, entered under the kecamatan of
    /// arrival. Returns the submission id.
    pub async fn submit_relocation(
        &self,
        sop: &str,
        r: &Biodata,
        kedatangan: ktpel_contract::registry::Kedatangan,
    ) -> uuid::Uuid {
        self.submit_section_c(sop, r, None, Some(kedatangan), &r.nik)
            .await
    }

    async fn submit_section_c(
        &self,
        sop: &str,
        r: &Biodata,
        perubahan: Option<ktpel_contract::registry::PerubahanBiodata>,
        kedatangan: Option<ktpel_contract::registry::Kedatangan>,
        presser: &ktpel_domain::Nik,
    ) -> uuid::Uuid {
        let kecamatan = match &kedatangan {
            Some(k) => ktpel_domain::KodeWilayah::parse(&k.desa)
                .expect("a desa code")
                .parent()
                .expect("a desa")
                .to_string(),
            None => "32.73.01".to_owned(),
        };
        let id: ktpel_domain::sop::SopId = sop.parse().expect("an SOP id");
        let procedure = ktpel_domain::sop::Sop::get(id);
        let dokumen = ktpel_contract::berkas::dokumen_lengkap(id, perubahan.as_ref());
        // S06–S14: the resident presses their index fingers on the counter's reader.
        let sidik_jari = match procedure.replacement() {
            Some(_) => ktpel_biometric::station::index_fingers(
                &ktpel_biometric::station::Person::of(presser),
                &format!("loket {sop}"),
            ),
            None => Vec::new(),
        };
        let b = ktpel_contract::berkas::BerkasSubmitted {
            sidik_jari,
            submission_id: uuid::Uuid::now_v7(),
            sop: id,
            nik: Some(r.nik.clone()),
            nama: r.nama.clone(),
            biodata: None,
            perubahan,
            kedatangan,
            dokumen,
            kecamatan: kecamatan.clone(),
            petugas: match procedure.collection() {
                ktpel_domain::sop::Collection::DinasDesk => "ppp-dinas".into(),
                ktpel_domain::sop::Collection::Kecamatan => "ppp-sukasari".into(),
            },
            diterima_pada: chrono::Utc::now(),
        };
        let at_dinas = procedure.route().and_then(|r| r.first()).map(|h| h.place)
            == Some(ktpel_domain::sop::Place::Dinas);
        if at_dinas {
            self.send_at_dinas(&b, ktpel_contract::berkas::SUBMITTED, &kecamatan)
                .await;
        } else {
            self.send(&b, ktpel_contract::berkas::SUBMITTED, &kecamatan)
                .await;
        }
        b.submission_id
    }

    /// S21 for every card in the print queue: login, encode, print, verify, approve.
    pub async fn print_queue(&self) -> usize {
        let queue = ktpel_card_print::desk::queue(&self.card_print)
            .await
            .expect("the print queue");
        if queue.is_empty() {
            return 0;
        }
        let (op, kasi) = self.print_desk_login().await;
        self.print_queue_as(&op, &kasi, 1, ktpel_card_print::desk::Sitting::Together)
            .await
    }

    /// The print operator and the kepala_seksi at the print desk (signing in is the account
    /// store's, tested on its own).
    pub async fn print_desk_login(
        &self,
    ) -> (
        ktpel_card_print::operators::Session,
        ktpel_card_print::operators::Session,
    ) {
        print_desk()
    }

    /// Makes every card in the print queue as `op` and `kasi`, `stations` cards at a time,
    /// each in `sitting`; how many there were.
    pub async fn print_queue_as(
        &self,
        op: &ktpel_card_print::operators::Session,
        kasi: &ktpel_card_print::operators::Session,
        stations: usize,
        sitting: ktpel_card_print::desk::Sitting,
    ) -> usize {
        use futures_util::StreamExt;
        use ktpel_card_print::desk;
        let queue = desk::queue(&self.card_print)
            .await
            .expect("the print queue");
        futures_util::stream::iter(&queue)
            .for_each_concurrent(stations.max(1), |job| async move {
                desk::make_card(
                    &self.card_print,
                    &self.dinas_key,
                    (op, kasi),
                    &job.nik,
                    sitting,
                )
                .await
                .expect("encode, print, verify, approve");
            })
            .await;
        queue.len()
    }

    /// S22 for every card that reached distribution: batches, receipt, hand-over.
    pub async fn distribute_all(&self) -> usize {
        use ktpel_distribution::desk;
        let batches = desk::make_batches(&self.distribution, "petugas-1")
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
            desk::hand_over(&self.distribution, &c.nik, "ppp-sukasari", &c.nama)
                .await
                .expect("hand over");
        }
        waiting.len()
    }
}

/// With [`Layout::Sites`]: a second Dinas on a vhost of its own, linked to the same Pusat Data
/// as the first, with the services a family moving in needs (S18): its register, its counter,
/// its card printing (with its own key and desk staff) and distribution.
pub struct SecondDinas {
    pub vhost: TestVhost,
    pub registry: DatabaseConnection,
    pub intake: DatabaseConnection,
    pub card_print: DatabaseConnection,
    pub dinas_key: ed25519_dalek::SigningKey,
    pub distribution: DatabaseConnection,
    pub link: ktpel_site::Link,
    /// The test's connection to this Dinas's broker, where its desk sends.
    pub broker: Broker,
    _user: sites::SiteUser,
    _databases: Vec<TestDatabase>,
}

/// The second Dinas's chip-signing key: not the first's.
pub const SECOND_DINAS_KEY: &str =
    "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

impl System {
    /// Starts the Dinas of kabupaten/kota `code` beside the first (see [`SecondDinas`]).
    pub async fn second_dinas(&self, backend: Backend, code: &str) -> SecondDinas {
        let pusat_data = self
            .other_vhosts
            .get(1)
            .expect("a Pusat Data: Layout::Sites");
        let site: ktpel_site::Site = format!("dinas:{code}").parse().expect("a Dinas");
        let user = sites::grant(pusat_data, &site).await;
        let vhost = TestVhost::new();
        let place = Place {
            site: ktpel_site::SiteSettings {
                name: site,
                parent_url: None,
                ..Default::default()
            },
            data_dir: None,
        };
        let stop = self.shutdown.child_token();
        let mut databases = Vec::new();
        let db = || async {
            let d = TestDatabase::new(backend).await;
            let settings = d.settings.clone();
            (d, settings)
        };
        let (d, database) = db().await;
        databases.push(d);
        let registry = ktpel_registry::Registry::build(
            &placed(
                &place,
                ktpel_registry::RegistrySettings {
                    database,
                    ..Default::default()
                },
            ),
            Broker::new(vhost.url(), "registry-2"),
        )
        .await
        .expect("the second register builds");
        let (d, database) = db().await;
        databases.push(d);
        let intake = ktpel_intake::Intake::build(
            &placed(
                &place,
                ktpel_intake::IntakeSettings {
                    database,
                    ..Default::default()
                },
            ),
            Broker::new(vhost.url(), "intake-2"),
        )
        .await
        .expect("the second intake builds");
        let (d, database) = db().await;
        databases.push(d);
        let card_print = ktpel_card_print::CardPrint::build(
            &placed(
                &place,
                ktpel_card_print::CardPrintSettings {
                    database,
                    own: ktpel_card_print::config::Own {
                        signing_key: Some(SECOND_DINAS_KEY.into()),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            ),
            Broker::new(vhost.url(), "card-print-2"),
        )
        .await
        .expect("the second card-print builds");
        let (d, database) = db().await;
        databases.push(d);
        let distribution = ktpel_distribution::Distribution::build(
            &placed(
                &place,
                ktpel_distribution::DistributionSettings {
                    database,
                    ..Default::default()
                },
            ),
            Broker::new(vhost.url(), "distribution-2"),
        )
        .await
        .expect("the second distribution builds");
        registry.declare().await.expect("declare");
        intake.declare().await.expect("declare");
        card_print.declare().await.expect("declare");
        distribution.declare().await.expect("declare");
        let dbs = (
            registry.db(),
            intake.db(),
            card_print.db(),
            card_print.key.clone(),
            distribution.db(),
        );
        tokio::spawn(registry.run(stop.clone()));
        tokio::spawn(intake.run(stop.clone()));
        tokio::spawn(card_print.run(stop.clone()));
        tokio::spawn(distribution.run(stop.clone()));
        let link = sites::link(&vhost, &site, pusat_data.url_as(&user.name, &user.password)).await;
        let broker = Broker::new(vhost.url(), "test-second-dinas");
        SecondDinas {
            vhost,
            registry: dbs.0,
            intake: dbs.1,
            card_print: dbs.2,
            dinas_key: dbs.3,
            distribution: dbs.4,
            link,
            broker,
            _user: user,
            _databases: databases,
        }
    }
}

/// The print operator `op1` and the kepala_seksi `kasi1` at BCardMgmt.
pub fn print_desk() -> (
    ktpel_card_print::operators::Session,
    ktpel_card_print::operators::Session,
) {
    use ktpel_card_print::operators::{Role, Session};
    (
        Session {
            username: "op1".into(),
            role: Role::Operator,
        },
        Session {
            username: "kasi1".into(),
            role: Role::KepalaSeksi,
        },
    )
}
