//! Sites on brokers of their own, linked by RabbitMQ shovels: least privilege between sites.

use ktpel_bus::{
    Broker, Outgoing, QueueSpec, RoutingKey, Shutdown, Topology,
    publisher::{Publication, Publisher},
};
use ktpel_contract::{
    berkas::{self, BerkasSubmitted},
    enrollment::{CARD_STATUS, CardStatusChanged},
    registry::{ASK_DINAS, Biodata, ResidentLookup},
};
use ktpel_domain::{Dokumen, KodeWilayah, StatusKartu};
use ktpel_intake::{Intake, IntakeSettings, store::berkas as berkas_store};
use ktpel_registry::{Registry, RegistrySettings};
use ktpel_site::{Link, Service, Site, link::downlink_queue};
use ktpel_tests::{TestBroker, TestDatabase, TestVhost, eventually, next_message, sites};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::time::Duration;

#[derive(serde::Serialize, serde::Deserialize)]
struct Probe {
    sent_by: String,
}

impl ktpel_bus::Message for Probe {
    const KIND: &'static str = "test.probe";
    const VERSION: u16 = 1;
}

/// A message as a site would send it to its parent.
fn message(subject: &str, region: &str) -> Outgoing {
    let key = RoutingKey::regional(subject, region).unwrap();
    let probe = Probe {
        sent_by: "32.73.01".into(),
    };
    Outgoing::new(&probe, key, "t", "t").unwrap()
}

/// Publishes `m` as `broker`'s user and waits for the confirm; the error if the broker refused.
async fn publish(broker: &Broker, m: &Outgoing) -> Result<(), String> {
    let ch = broker.channel().await.map_err(|e| e.to_string())?;
    let publisher = Publisher::new(ch, "test")
        .await
        .map_err(|e| e.to_string())?;
    publisher
        .publish(&Publication::of("ktpel", m))
        .await
        .map_err(|e| e.to_string())
}

/// The Dinas's queue `test.enrollments` of what kecamatan 32.73.01 enrolls.
async fn enrollments_queue(at_dinas: &Broker) {
    let ch = at_dinas.channel().await.unwrap();
    Topology::default()
        .declare_queue(
            &ch,
            &QueueSpec::new("test.enrollments", ["enrollment.created.32.73.01.#".into()]),
        )
        .await
        .unwrap();
}

/// Reads one message from `queue` as `broker`'s user; the error if the broker refused.
async fn read(broker: &Broker, queue: &str) -> Result<(), String> {
    let ch = broker.channel().await.map_err(|e| e.to_string())?;
    ch.basic_get(
        queue.into(),
        lapin::options::BasicGetOptions { no_ack: false },
    )
    .await
    .map(|_| ())
    .map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kecamatan_may_not_publish_or_read_for_another() {
    ktpel_tests::telemetry();
    let dinas = TestVhost::new();
    let sukasari: Site = "kecamatan:32.73.01".parse().unwrap();
    let coblong: Site = "kecamatan:32.73.02".parse().unwrap();
    let user = sites::grant(&dinas, &sukasari).await;
    let _other = sites::grant(&dinas, &coblong).await;
    let as_sukasari = || Broker::new(dinas.url_as(&user.name, &user.password), "sukasari");

    // What goes up from its own region is let through …
    let b = as_sukasari();
    publish(&b, &message("registry.ask_dinas", "32.73.01"))
        .await
        .expect("its own SIAK lookup");
    publish(&b, &message("enrollment.created", "32.73.01.1001"))
        .await
        .expect("its own enrollment, down to the desa");
    read(&b, &downlink_queue(&sukasari))
        .await
        .expect("its own downlink queue");
    b.close().await;

    // … anything in another kecamatan's name, or that does not go up, is refused by the broker.
    for (subject, region) in [
        ("berkas.submitted", "32.73.02"),
        ("registry.ask_dinas", "32.73.02"),
        ("registry.lookup", "32.73.01"),
        ("enrollment.created", "32.73.02"),
        ("berkas.submitted", "32.73.01"),
        ("card.status", "32.73.01"),
    ] {
        let b = as_sukasari();
        let refused = publish(&b, &message(subject, region)).await;
        b.close().await;
        let e = refused.expect_err(&format!("{subject}.{region} must be refused"));
        assert!(e.contains("ACCESS_REFUSED"), "{subject}.{region}: {e}");
    }
    for queue in [
        downlink_queue(&coblong),
        ktpel_intake::startup::QUEUE.to_owned(),
    ] {
        let b = as_sukasari();
        let refused = read(&b, &queue).await;
        b.close().await;
        let e = refused.expect_err(&format!("reading {queue} must be refused"));
        assert!(e.contains("ACCESS_REFUSED"), "{queue}: {e}");
    }
}

/// A kecamatan node for [`each_kecamatan_gets_back_only_its_own`]: its intake on a vhost of
/// the second broker, linked to the Dinas, and a queue that keeps whatever comes down.
struct Kecamatan {
    site: Site,
    vhost: TestVhost,
    intake: sea_orm::DatabaseConnection,
    /// Its copy of SIAK.
    registry: sea_orm::DatabaseConnection,
    broker: Broker,
    _dbs: [TestDatabase; 2],
    _user: sites::SiteUser,
}

const CAME_DOWN: &str = "test.came_down";

impl Kecamatan {
    async fn start(dinas: &TestVhost, code: &str, shutdown: &Shutdown) -> Self {
        let site: Site = format!("kecamatan:{code}").parse().unwrap();
        let vhost = TestVhost::on(TestBroker::site());
        let db = TestDatabase::sqlite();
        let broker = Broker::new(vhost.url(), format!("intake-{code}"));
        let intake = Intake::build(
            &IntakeSettings {
                database: db.settings.clone(),
                region: Some(code.into()),
                ..Default::default()
            },
            broker.clone(),
        )
        .await
        .unwrap();
        intake.declare().await.unwrap();
        let ch = broker.channel().await.unwrap();
        Topology::default()
            .declare_queue(
                &ch,
                &QueueSpec::new(
                    CAME_DOWN,
                    ["intake.registry_answer.#".into(), "card.status.#".into()],
                ),
            )
            .await
            .unwrap();
        let db_conn = intake.db();
        tokio::spawn(intake.run(shutdown.clone()));
        let copy_db = TestDatabase::sqlite();
        let copy = Registry::build(
            &RegistrySettings {
                database: copy_db.settings.clone(),
                region: Some(code.into()),
                own: ktpel_registry::config::Own {
                    mode: ktpel_registry::config::Mode::Copy,
                    ..Default::default()
                },
                ..Default::default()
            },
            Broker::new(vhost.url(), format!("registry-{code}")),
        )
        .await
        .unwrap();
        copy.declare().await.unwrap();
        let registry = copy.db();
        tokio::spawn(copy.run(shutdown.clone()));
        let user = sites::grant(dinas, &site).await;
        sites::link(&vhost, &site, dinas.url_as(&user.name, &user.password)).await;
        Self {
            site,
            vhost,
            intake: db_conn,
            registry,
            broker,
            _dbs: [db, copy_db],
            _user: user,
        }
    }

    /// The routing keys of everything that came down to this kecamatan so far.
    async fn came_down(&self) -> Vec<String> {
        let mut keys = Vec::new();
        while let Some(m) = next_message(&self.broker, CAME_DOWN, Duration::from_millis(300)).await
        {
            keys.push(m.delivery.routing_key.to_string());
        }
        keys
    }
}

/// The Dinas's register (SIAK of 32.73) running on `dinas`, announcing to kecamatan copies when
/// `announce`; its database and its connection to it.
async fn register(
    dinas: &TestVhost,
    announce: bool,
    shutdown: &Shutdown,
) -> (TestDatabase, sea_orm::DatabaseConnection) {
    let database = TestDatabase::sqlite();
    let registry = Registry::build(
        &RegistrySettings {
            database: database.settings.clone(),
            region: Some("32.73".into()),
            own: ktpel_registry::config::Own {
                announce,
                ..Default::default()
            },
            ..Default::default()
        },
        Broker::new(dinas.url(), "registry"),
    )
    .await
    .unwrap();
    registry.declare().await.unwrap();
    let db = registry.db();
    tokio::spawn(registry.run(shutdown.clone()));
    (database, db)
}

fn submission(r: &Biodata, desk: &str) -> BerkasSubmitted {
    BerkasSubmitted {
        sidik_jari: Vec::new(),
        submission_id: uuid::Uuid::now_v7(),
        sop: "S01".parse().unwrap(),
        nik: Some(r.nik.clone()),
        nama: r.nama.clone(),
        biodata: None,
        perubahan: None,
        kedatangan: None,
        dokumen: vec![Dokumen::FormulirPermohonan, Dokumen::FotokopiKk],
        kecamatan: desk.into(),
        petugas: format!("ppp-{desk}"),
        diterima_pada: chrono::Utc::now(),
    }
}

/// Two kecamatan nodes on one Dinas: SIAK's answers and the cards' statuses
/// go back only to the kecamatan whose desk sent the berkas — also for a resident whose NIK
/// was issued in the other kecamatan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_kecamatan_gets_back_only_its_own() {
    ktpel_tests::telemetry();
    let shutdown = Shutdown::new();
    let _stop = shutdown.clone().drop_guard();
    let dinas = TestVhost::new();
    let people = |code: &str, n, seed| {
        ktpel_registry::seed::generate(&KodeWilayah::parse(code).unwrap(), n, seed).unwrap()
    };
    let (sukasari_people, coblong_people) = (people("32.73.01", 4, 1), people("32.73.02", 3, 2));
    let (_registry_db, register) = register(&dinas, true, &shutdown).await;
    let sukasari = Kecamatan::start(&dinas, "32.73.01", &shutdown).await;
    let coblong = Kecamatan::start(&dinas, "32.73.02", &shutdown).await;

    // The register announces each resident to the copy at their kecamatan, and only there.
    for people in [&sukasari_people, &coblong_people] {
        ktpel_registry::seed::record(&register, true, people)
            .await
            .unwrap();
    }
    for (k, people) in [(&sukasari, &sukasari_people), (&coblong, &coblong_people)] {
        let db = k.registry.clone();
        let copied = eventually(Duration::from_secs(30), || async {
            ktpel_registry::store::penduduk::Entity::find()
                .count(&db)
                .await
                .unwrap()
                == people.len() as u64
        })
        .await;
        assert!(copied, "{} keeps a copy of its own residents", k.site);
    }
    // The last Sukasari resident has moved and applies at Coblong's desk.
    let (stays, moved) = sukasari_people.split_at(3);
    let desk = |k: &Kecamatan| Broker::new(k.vhost.url(), "desk");
    for (k, residents) in [
        (&sukasari, stays),
        (&coblong, &coblong_people[..]),
        (&coblong, moved),
    ] {
        let code = k.site.code().unwrap().to_string();
        let b = desk(k);
        for r in residents {
            let m = Outgoing::new(
                &submission(r, &code),
                RoutingKey::regional(berkas::SUBMITTED, &code).unwrap(),
                "t",
                "t",
            )
            .unwrap();
            publish(&b, &m).await.unwrap();
        }
        b.close().await;
    }
    let accepted = |k: &Kecamatan, n: u64| {
        let db = k.intake.clone();
        async move {
            eventually(Duration::from_secs(30), || async {
                berkas_store::Entity::find().count(&db).await.unwrap() == n
            })
            .await
        }
    };
    assert!(accepted(&sukasari, 3).await, "Sukasari accepted its 3");
    assert!(accepted(&coblong, 4).await, "Coblong accepted its 4");
    let niks = |k: &Kecamatan| {
        let db = k.intake.clone();
        async move {
            let mut v: Vec<String> = berkas_store::Entity::find()
                .all(&db)
                .await
                .unwrap()
                .into_iter()
                .map(|b| b.nik)
                .collect();
            v.sort();
            v
        }
    };
    let expect = |rs: &[&Biodata]| {
        let mut v: Vec<String> = rs.iter().map(|r| r.nik.to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(
        niks(&sukasari).await,
        expect(&stays.iter().collect::<Vec<_>>())
    );
    assert_eq!(
        niks(&coblong).await,
        expect(&coblong_people.iter().chain(moved).collect::<Vec<_>>())
    );

    // The Dinas announces a card for each kecamatan, as card-print does.
    let at_dinas = Broker::new(dinas.url(), "card-print");
    for (code, r) in [("32.73.01", &stays[0]), ("32.73.02", &moved[0])] {
        let status = CardStatusChanged {
            nik: r.nik.clone(),
            nomor_berkas: format!("{}-test", code.replace('.', "")),
            status: StatusKartu::CardPrinted,
            note: "printed".into(),
            at: chrono::Utc::now(),
        };
        let key = RoutingKey::regional(CARD_STATUS, code).unwrap();
        publish(&at_dinas, &Outgoing::new(&status, key, "t", "t").unwrap())
            .await
            .unwrap();
    }
    at_dinas.close().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    for (k, answers) in [(&sukasari, 3), (&coblong, 4)] {
        let code = k.site.code().unwrap().to_string();
        let keys = k.came_down().await;
        assert!(
            keys.iter().all(|key| key.ends_with(&code)),
            "{code} got another kecamatan's: {keys:?}"
        );
        let count = |subject: &str| keys.iter().filter(|k| k.starts_with(subject)).count();
        assert_eq!(count("intake.registry_answer"), answers, "{code}: {keys:?}");
        assert_eq!(count(CARD_STATUS), 1, "{code}: {keys:?}");
        // Answers no desk waited for are kept, bounded, not piled up as unrouted.
        assert_eq!(
            k.broker
                .queue_depth(ktpel_intake::startup::DESK_ANSWERS)
                .await
                .unwrap(),
            answers as u32,
            "{code}"
        );
        // (This kecamatan runs no enrollment station, so only its hand-offs to the operator
        // find no queue.)
        while let Some(m) = next_message(&k.broker, "ktpel.unrouted", Duration::ZERO).await {
            let key = m.delivery.routing_key.to_string();
            assert!(
                key.starts_with("berkas.handoff.operator."),
                "unrouted: {key}"
            );
        }
    }
    shutdown.cancel();
}

/// The second broker's amqps port and the folder of its test CA (made by
/// `scripts/services.sh site-broker` when it starts the node).
fn tls() -> (u16, std::path::PathBuf) {
    let port = std::env::var("KTPEL_TEST_SITE_TLS_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5675);
    let dir = std::env::var("KTPEL_TEST_SITE_TLS_DIR")
        .unwrap_or_else(|_| "/var/tmp/ktpel-rabbitmq/ktpel-site/tls".into());
    (port, dir.into())
}

/// A kecamatan's link to its Dinas over amqps, the Dinas's certificate checked against the CA
/// the kecamatan was given: with a CA that did not sign it the link stays down and
/// the enrollment waits at the kecamatan; with the right one it crosses. The password shows
/// nowhere in what the status reports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_over_amqps_crosses_only_to_a_verified_dinas() {
    ktpel_tests::telemetry();
    let (port, dir) = tls();
    // This time the Dinas is on the second broker (it has the amqps port), the kecamatan on
    // the shared one, whose broker runs the shovels.
    let dinas = TestVhost::on(TestBroker::site());
    let kecamatan = TestVhost::new();
    let site: Site = "kecamatan:32.73.01".parse().unwrap();
    let at_dinas = Broker::new(dinas.url(), "dinas");
    enrollments_queue(&at_dinas).await;
    let user = sites::grant(&dinas, &site).await;
    let url_with = |ca: &str| {
        format!(
            "amqps://{}:{}@localhost:{port}/{}?cacertfile={}&verify=verify_peer&server_name_indication=localhost",
            user.name,
            user.password,
            dinas.name,
            dir.join(ca).display()
        )
    };
    let at_kecamatan = Broker::new(kecamatan.url(), "kecamatan");
    let management = kecamatan.broker.management();
    let link = |ca: &str| Link {
        site,
        parent_url: url_with(ca).into(),
        local_vhost: kecamatan.name.clone(),
        reconnect_seconds: 1,
    };

    // A Dinas the kecamatan cannot verify: the link does not come up.
    let unverified = link("other-ca.pem");
    unverified
        .declare(&at_kecamatan, &management)
        .await
        .unwrap();
    let m = message("enrollment.created", "32.73.01");
    publish(&at_kecamatan, &m).await.unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let states = unverified.states(&at_kecamatan, &management).await;
    assert!(
        states.iter().all(|s| s.state != "running"),
        "a link to an unverified peer must not run: {states:?}"
    );
    assert_eq!(
        at_kecamatan
            .queue_depth(ktpel_site::link::UPLINK_QUEUE)
            .await
            .unwrap(),
        1,
        "the enrollment waits at the kecamatan"
    );
    assert_eq!(at_dinas.queue_depth("test.enrollments").await.unwrap(), 0);
    assert!(
        !format!("{states:?}").contains(&user.password),
        "no password in the status: {states:?}"
    );

    // Given the Dinas's CA, the link verifies it and the enrollment crosses.
    let verified = link("ca.pem");
    verified.declare(&at_kecamatan, &management).await.unwrap();
    let crossed = eventually(Duration::from_secs(30), || async {
        at_dinas.queue_depth("test.enrollments").await.unwrap_or(0) == 1
    })
    .await;
    let states = verified.states(&at_kecamatan, &management).await;
    assert!(crossed, "the enrollment crossed over amqps: {states:?}");
    // Both shovels verified the Dinas; the downlink may still be starting when the uplink
    // has already carried the enrollment.
    assert!(
        eventually(Duration::from_secs(30), || async {
            verified
                .states(&at_kecamatan, &management)
                .await
                .iter()
                .all(|s| s.state == "running")
        })
        .await,
        "{:?}",
        verified.states(&at_kecamatan, &management).await
    );
    let states = verified.states(&at_kecamatan, &management).await;
    assert!(!format!("{states:?}").contains(&user.password));
    at_kecamatan.close().await;
    at_dinas.close().await;
}

/// A kecamatan granted after its residents were recorded gets them when the register
/// announces its region again (`ktpel registry announce`), and only its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_kecamatan_gets_its_residents_when_announced_again() {
    ktpel_tests::telemetry();
    let shutdown = Shutdown::new();
    let _stop = shutdown.clone().drop_guard();
    let dinas = TestVhost::new();
    let (_register_db, db) = register(&dinas, true, &shutdown).await;
    let people = |code: &str, n, seed| {
        ktpel_registry::seed::generate(&KodeWilayah::parse(code).unwrap(), n, seed).unwrap()
    };
    // Recorded (and announced to nobody) before the kecamatan existed.
    let (sukasari, coblong) = (people("32.73.01", 5, 3), people("32.73.02", 4, 4));
    for p in [&sukasari, &coblong] {
        ktpel_registry::seed::record(&db, true, p).await.unwrap();
    }
    let late = Kecamatan::start(&dinas, "32.73.01", &shutdown).await;
    let count = || async {
        ktpel_registry::store::penduduk::Entity::find()
            .count(&late.registry)
            .await
            .unwrap()
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(count().await, 0, "nothing reached a kecamatan granted late");
    let n = ktpel_registry::seed::announce_region(&db, &KodeWilayah::parse("32.73.01").unwrap())
        .await
        .unwrap();
    assert_eq!(n, 5);
    assert!(
        eventually(Duration::from_secs(30), || async { count().await == 5 }).await,
        "the late kecamatan has its 5 residents"
    );
    // Announcements nobody took are kept, bounded, at the Dinas — not unrouted.
    let at_dinas = Broker::new(dinas.url(), "check");
    assert_eq!(at_dinas.queue_depth("ktpel.unrouted").await.unwrap(), 0);
    assert_eq!(
        at_dinas
            .queue_depth(ktpel_registry::startup::ANNOUNCED)
            .await
            .unwrap(),
        5 + 4 + 5
    );
    at_dinas.close().await;
    shutdown.cancel();
}

/// A kecamatan cannot have the Dinas answer into another kecamatan's downlink: a lookup whose
/// `reply_region` is not the region it was sent under, or whose `reply_subject` is not a
/// subject answers go to, is dead-lettered with the reason, and nothing is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dinas_answers_only_the_region_that_asked() {
    ktpel_tests::telemetry();
    let shutdown = Shutdown::new();
    let _stop = shutdown.clone().drop_guard();
    let dinas = TestVhost::new();
    let _register = register(&dinas, false, &shutdown).await;
    let (sukasari, coblong): (Site, Site) = (
        "kecamatan:32.73.01".parse().unwrap(),
        "kecamatan:32.73.02".parse().unwrap(),
    );
    let user = sites::grant(&dinas, &sukasari).await;
    let _other = sites::grant(&dinas, &coblong).await;
    let as_sukasari = Broker::new(dinas.url_as(&user.name, &user.password), "sukasari");
    let nik = ktpel_registry::seed::generate(&KodeWilayah::parse("32.73.01").unwrap(), 1, 5)
        .unwrap()[0]
        .nik
        .clone();
    for (reply_subject, reply_region, reason) in [
        (
            "intake.registry_answer",
            Some("32.73.02"),
            "is not the region the lookup was sent for",
        ),
        ("card.status", None, "is not a subject answers go to"),
    ] {
        let lookup = ResidentLookup {
            request_id: uuid::Uuid::now_v7(),
            nik: nik.clone(),
            reply_subject: reply_subject.into(),
            reply_region: reply_region.map(str::to_owned),
        };
        let key = RoutingKey::regional(ASK_DINAS, "32.73.01").unwrap();
        let m = Outgoing::new(&lookup, key, "t", "t").unwrap();
        publish(&as_sukasari, &m)
            .await
            .expect("its own region's key passes the broker");
        let admin = Broker::new(dinas.url(), "check");
        let dead = next_message(
            &admin,
            &ktpel_bus::topology::dead_letter_queue(ktpel_registry::startup::QUEUE),
            Duration::from_secs(30),
        )
        .await
        .unwrap_or_else(|| panic!("the lookup for {reply_subject} is dead-lettered"));
        let why = dead
            .delivery
            .properties
            .headers()
            .as_ref()
            .and_then(|h| {
                h.inner()
                    .get(ktpel_bus::consumer::REASON_HEADER)
                    .and_then(|v| v.as_long_string().map(|s| s.to_string()))
            })
            .unwrap_or_default();
        assert!(why.contains(reason), "{why}");
        admin.close().await;
    }
    // Nothing went down to Coblong.
    let admin = Broker::new(dinas.url(), "check");
    assert_eq!(
        admin.queue_depth(&downlink_queue(&coblong)).await.unwrap(),
        0
    );
    admin.close().await;
    as_sukasari.close().await;
    shutdown.cancel();
}

/// A kecamatan's link to a Dinas whose broker is a three-node cluster, given every node's URL
/// (`site.parent_url` as a list): the node the uplink shovel is connected to is killed
/// (`kill -9`); the shovel dials another node of the list, and what the kecamatan sends next
/// reaches the Dinas's queue, replicated on the nodes that remain. On a cluster of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
// The cluster's turn is held by whole tests, one at a time; no task of this test takes it.
#[allow(clippy::await_holding_lock)]
async fn a_link_to_a_clustered_dinas_survives_losing_the_node_it_is_connected_to() {
    ktpel_tests::telemetry();
    let cluster = ktpel_tests::cluster::TestCluster::of_three();
    let _turn = cluster.take();
    let dinas = cluster.vhost();
    let kecamatan = TestVhost::on(TestBroker::site());
    let site: Site = "kecamatan:32.73.01".parse().unwrap();
    let at_dinas = Broker::new(cluster.urls_as(&dinas, "guest", "guest"), "dinas");
    enrollments_queue(&at_dinas).await;
    let user = sites::grant(&dinas, &site).await;
    let parent = cluster
        .urls_as(&dinas, &user.name, &user.password)
        .join(",");
    let _link = sites::link(&kecamatan, &site, parent).await;
    let at_kecamatan = Broker::new(kecamatan.url(), "kecamatan");
    // At least `n`: a link is at least once. The enrollment the lost node took in but could
    // not confirm before it died is sent again through the next node, and the Dinas's inbox
    // drops the copy by its message id.
    let arrived = |n: u32| {
        let at_dinas = at_dinas.clone();
        async move {
            eventually(Duration::from_secs(120), || async {
                at_dinas
                    .queue_depth("test.enrollments")
                    .await
                    .is_ok_and(|depth| depth >= n)
            })
            .await
        }
    };
    publish(&at_kecamatan, &message("enrollment.created", "32.73.01"))
        .await
        .unwrap();
    assert!(arrived(1).await, "the first enrollment crosses");

    let uplink = cluster
        .node_of_connection(&user.name, "ktpel-uplink")
        .expect("the uplink shovel is connected to a node of the cluster");
    cluster.kill(uplink);
    // The shovel dials another node of the list by itself.
    let elsewhere = eventually(Duration::from_secs(60), || async {
        cluster
            .node_of_connection(&user.name, "ktpel-uplink")
            .is_some_and(|n| n != uplink)
    })
    .await;
    assert!(elsewhere, "the uplink dialled another node, was {uplink}");
    // Sent once the Dinas's queue has its new leader: RabbitMQ 3.10 may leave a publish
    // made during the election unconfirmed, and a shovel waiting for that confirm holds the
    // message until it restarts (the runbook of a lost node says what to do).
    let dead = cluster.nodes[uplink].name();
    let led = eventually(Duration::from_secs(60), || async {
        cluster
            .queues(&dinas.name, &["name", "leader"])
            .iter()
            .any(|q| q[0] == "test.enrollments" && q.get(1).is_some_and(|l| *l != dead))
    })
    .await;
    assert!(led, "test.enrollments has a leader on a node that runs");
    publish(&at_kecamatan, &message("enrollment.created", "32.73.01"))
        .await
        .unwrap();
    assert!(
        arrived(2).await,
        "the enrollment sent after the uplink's node died crosses too"
    );
    cluster.start();
    at_kecamatan.close().await;
    at_dinas.close().await;
}
