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
    pub afis_sync: DatabaseConnection,
    pub pusat_data: DatabaseConnection,
    /// The NID Scheduler's panel and controls.
    pub panel: ktpel_afis_sync::panel::PanelSource,
    pub scheduler: ktpel_afis_sync::scheduler::SchedulerHandle,
    /// Sits between the NID Scheduler and the Pusat Data's broker: cut it to make the Pusat
    /// Data unreachable.
    pub pusat_data_link: crate::proxy::Proxy,
    _databases: Vec<TestDatabase>,
}

/// A hex key for the biometric seal in tests.
pub const TEST_SEAL_KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

impl System {
    /// Starts registry, intake, biometric, the NID Scheduler and the Pusat Data, with
    /// `residents` in SIAK.
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
        let biometric = ktpel_biometric::Biometric::build(
            &ktpel_biometric::BiometricSettings {
                database,
                encryption_key: Some(TEST_SEAL_KEY.into()),
                ..Default::default()
            },
            connect("biometric"),
        )
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
        tokio::spawn(registry.run(shutdown.clone()));
        tokio::spawn(intake.run(shutdown.clone()));
        tokio::spawn(biometric.run(shutdown.clone()));
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
            afis_sync: dbs.3,
            pusat_data: dbs.4,
            panel,
            scheduler,
            pusat_data_link,
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
        let publisher = ktpel_bus::publisher::Publisher::new(
            self.broker.channel().await.expect("channel"),
            "test",
        )
        .await
        .expect("confirm mode");
        publisher
            .publish(&ktpel_bus::publisher::Publication {
                exchange: "ktpel",
                routing_key: msg.routing_key.as_str(),
                message_id: msg.message_id,
                correlation_id: &msg.correlation_id,
                message_type: &msg.message_type,
                headers: &msg.headers,
                body: &msg.body,
            })
            .await
            .expect("published");
    }
}

impl Drop for System {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
