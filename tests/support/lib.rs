//! What the system tests need to isolate themselves on the shared RabbitMQ and PostgreSQL.
//!
//! Every test gets a fresh RabbitMQ vhost ([`TestVhost`]) and a fresh database
//! ([`TestDatabase`]: a SQLite file in a temporary folder, or a new PostgreSQL database),
//! removed again when the value is dropped, so tests run in parallel without seeing each
//! other. The services are the real ones, on the machine: nothing is mocked.
//!
//! Where they are: `KTPEL_TEST_AMQP_URL` (default `amqp://guest:guest@127.0.0.1:5672`, no
//! vhost; `KTPEL_TEST_NODE` names its node for `rabbitmqctl -n` where it is not the default
//! one) and `KTPEL_TEST_POSTGRES_URL` (default `postgres://postgres:postgres@127.0.0.1:5432/test`, a
//! database the test user may connect to and create databases from). Vhosts are made with
//! `rabbitmqctl`, which must run on the broker's machine.
//!
//! Tests of sites need a second broker, another site's: `KTPEL_TEST_SITE_AMQP_URL` (default
//! `amqp://guest:guest@127.0.0.1:5673`), its node `KTPEL_TEST_SITE_NODE` (default
//! `ktpel-site@localhost`) and its management API `KTPEL_TEST_SITE_MANAGEMENT_URL` (default
//! `http://127.0.0.1:15673`); `scripts/services.sh site-broker` starts it.

pub mod cluster;
pub mod effects;
pub mod pdf;
pub mod proxy;
pub mod sites;
pub mod statuses;
pub mod system;

/// A RabbitMQ node the tests use: its AMQP URL (no vhost), its node name for `rabbitmqctl
/// -n`, its management API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestBroker {
    pub amqp: String,
    pub node: Option<String>,
    pub management: String,
}

impl TestBroker {
    /// The machine's shared broker (a Dinas's, the Pusat Data's, or every place's).
    pub fn shared() -> Self {
        Self {
            amqp: amqp_base(),
            // Another node than rabbitmqctl's default (a benchmark on a cluster's node).
            node: std::env::var("KTPEL_TEST_NODE").ok(),
            management: std::env::var("KTPEL_TEST_MANAGEMENT_URL")
                .unwrap_or_else(|_| "http://127.0.0.1:15672".into()),
        }
    }

    /// The second node, another site's broker (a kecamatan's).
    pub fn site() -> Self {
        Self {
            amqp: std::env::var("KTPEL_TEST_SITE_AMQP_URL")
                .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5673".into())
                .trim_end_matches('/')
                .to_owned(),
            node: Some(
                std::env::var("KTPEL_TEST_SITE_NODE")
                    .unwrap_or_else(|_| "ktpel-site@localhost".into()),
            ),
            management: std::env::var("KTPEL_TEST_SITE_MANAGEMENT_URL")
                .unwrap_or_else(|_| "http://127.0.0.1:15673".into()),
        }
    }

    /// The third node, which one test stops and starts (`KTPEL_TEST_RESTART_AMQP_URL`,
    /// `KTPEL_TEST_RESTART_NODE`, `KTPEL_TEST_RESTART_MANAGEMENT_URL`; defaults
    /// `amqp://guest:guest@127.0.0.1:5674`, `ktpel-restart@localhost`, port 15674).
    pub fn restartable() -> Self {
        let var =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
        Self {
            amqp: var(
                "KTPEL_TEST_RESTART_AMQP_URL",
                "amqp://guest:guest@127.0.0.1:5674",
            )
            .trim_end_matches('/')
            .to_owned(),
            node: Some(var("KTPEL_TEST_RESTART_NODE", "ktpel-restart@localhost")),
            management: var(
                "KTPEL_TEST_RESTART_MANAGEMENT_URL",
                "http://127.0.0.1:15674",
            ),
        }
    }

    /// `rabbitmqctl stop_app`: the node stops serving, as in a broker restart.
    pub fn stop_app(&self) {
        self.rabbitmqctl(&["stop_app"]);
    }

    /// `rabbitmqctl start_app`, and waits until the node serves again.
    pub fn start_app(&self) {
        self.rabbitmqctl(&["start_app"]);
        self.rabbitmqctl(&["await_startup"]);
    }

    /// The vhosts and users whose names start with `prefix`, each with the `rabbitmqctl`
    /// command that deletes it.
    pub fn named(&self, prefix: &str) -> Vec<(&'static str, String)> {
        let mut found = Vec::new();
        for (list, delete) in [
            ("list_vhosts", "delete_vhost"),
            ("list_users", "delete_user"),
        ] {
            let mut cmd = Command::new("rabbitmqctl");
            if let Some(node) = &self.node {
                cmd.args(["-n", node]);
            }
            let Ok(out) = cmd.args(["-q", list]).output() else {
                continue;
            };
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                let name = line.split_whitespace().next().unwrap_or_default();
                if name.starts_with(prefix) {
                    found.push((delete, name.to_owned()));
                }
            }
        }
        found
    }

    /// Deletes the vhosts and users whose names start with `prefix` (what a test's `ktpel
    /// demo --kecamatan` made, if it did not remove them itself).
    pub fn delete_all_named(&self, prefix: &str) {
        for (delete, name) in self.named(prefix) {
            let mut cmd = Command::new("rabbitmqctl");
            if let Some(node) = &self.node {
                cmd.args(["-n", node]);
            }
            let _ = cmd.args(["-q", delete, &name]).output();
        }
    }

    /// The management API as the test's admin user.
    pub fn management(&self) -> ktpel_site::Management {
        let (user, password) = ktpel_site::amqp_url::credentials_of(&self.amqp);
        ktpel_site::Management::new(&self.management, &user, &password)
    }

    /// `host:port` of the AMQP listener.
    pub fn addr(&self) -> std::net::SocketAddr {
        let host = self
            .amqp
            .rsplit_once('@')
            .map(|(_, h)| h)
            .unwrap_or("127.0.0.1:5672");
        host.parse().expect("the test AMQP URL names host:port")
    }

    fn rabbitmqctl(&self, args: &[&str]) {
        let mut all = Vec::new();
        if let Some(node) = &self.node {
            all.extend(["-n", node.as_str()]);
        }
        all.extend_from_slice(args);
        rabbitmqctl(&all)
    }
}

use ktpel_store::DatabaseSettings;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use std::process::Command;
use uuid::Uuid;

/// A vhost of its own on a test broker, deleted on drop.
pub struct TestVhost {
    pub name: String,
    pub broker: TestBroker,
}

impl TestVhost {
    /// Creates `ktpel-test-<uuid>` on the shared broker and lets the test user in.
    pub fn new() -> Self {
        Self::on(TestBroker::shared())
    }

    /// Creates `ktpel-test-<uuid>` on `broker` and lets the test user in.
    pub fn on(broker: TestBroker) -> Self {
        let name = format!("ktpel-test-{}", Uuid::now_v7().simple());
        broker.rabbitmqctl(&["add_vhost", &name]);
        broker.rabbitmqctl(&[
            "set_permissions",
            "-p",
            &name,
            &user_of(&broker.amqp),
            ".*",
            ".*",
            ".*",
        ]);
        Self { name, broker }
    }

    /// The AMQP URL of this vhost.
    pub fn url(&self) -> String {
        format!("{}/{}", self.broker.amqp, self.name)
    }

    /// The same vhost reached through `host:port` (a [`proxy::Proxy`]).
    pub fn url_via(&self, addr: std::net::SocketAddr) -> String {
        self.url_through(None, addr)
    }

    /// This vhost as `user:password` (another site's user) sees it, through `addr` if given.
    pub fn url_as(&self, user: &str, password: &str) -> String {
        format!(
            "amqp://{user}:{password}@{}/{}",
            self.broker.addr(),
            self.name
        )
    }

    fn url_through(&self, user: Option<(&str, &str)>, addr: std::net::SocketAddr) -> String {
        let (scheme_user, _) = self
            .broker
            .amqp
            .rsplit_once('@')
            .expect("the test AMQP URL has user@host");
        match user {
            None => format!("{scheme_user}@{addr}/{}", self.name),
            Some((u, p)) => format!("amqp://{u}:{p}@{addr}/{}", self.name),
        }
    }

    /// This vhost as `user:password` sees it through `addr` (a [`proxy::Proxy`]).
    pub fn url_as_via(&self, user: &str, password: &str, addr: std::net::SocketAddr) -> String {
        self.url_through(Some((user, password)), addr)
    }

    /// The type of `queue` in this vhost (`quorum`, `classic`), if it exists.
    pub fn queue_type(&self, queue: &str) -> Option<String> {
        let mut cmd = Command::new("rabbitmqctl");
        if let Some(node) = &self.broker.node {
            cmd.args(["-n", node]);
        }
        let out = cmd
            .args(["-q", "list_queues", "-p", &self.name, "name", "type"])
            .output()
            .expect("rabbitmqctl");
        String::from_utf8_lossy(&out.stdout).lines().find_map(|l| {
            let mut cols = l.split('\t');
            (cols.next() == Some(queue)).then(|| cols.next().unwrap_or_default().trim().to_owned())
        })
    }

    /// Closes every client connection to this vhost from the broker side, as ops would with
    /// `rabbitmqctl close_all_connections`.
    pub fn close_all_connections(&self) {
        self.broker.rabbitmqctl(&[
            "close_all_connections",
            "-p",
            &self.name,
            "closed by a test",
        ]);
    }
}

impl Default for TestVhost {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestVhost {
    fn drop(&mut self) {
        let mut cmd = Command::new("rabbitmqctl");
        if let Some(node) = &self.broker.node {
            cmd.args(["-n", node]);
        }
        let _ = cmd.args(["-q", "delete_vhost", &self.name]).output();
    }
}

fn amqp_base() -> String {
    std::env::var("KTPEL_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672".into())
        .trim_end_matches('/')
        .to_owned()
}

fn user_of(base: &str) -> String {
    let after_scheme = base.split("://").nth(1).unwrap_or_default();
    after_scheme
        .split(['@', ':'])
        .next()
        .unwrap_or("guest")
        .to_owned()
}

fn rabbitmqctl(args: &[&str]) {
    let out = Command::new("rabbitmqctl")
        .arg("-q")
        .args(args)
        .output()
        .expect("rabbitmqctl must be on PATH for the system tests (it comes with RabbitMQ)");
    assert!(
        out.status.success(),
        "rabbitmqctl {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The PostgreSQL server of its own that one test restarts and kills
/// (`scripts/services.sh restart-postgres`; `KTPEL_TEST_RESTART_POSTGRES_PORT`, default 5434,
/// and `KTPEL_TEST_RESTART_POSTGRES_DIR`, default `/var/tmp/ktpel-postgres/ktpel-restart`:
/// its data directory is `data` there). Never the shared server.
pub struct TestPostgresServer {
    pub port: u16,
    dir: std::path::PathBuf,
}

impl TestPostgresServer {
    pub fn restartable() -> Self {
        let port = std::env::var("KTPEL_TEST_RESTART_POSTGRES_PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(5434);
        let dir = std::env::var("KTPEL_TEST_RESTART_POSTGRES_DIR")
            .unwrap_or_else(|_| "/var/tmp/ktpel-postgres/ktpel-restart".into())
            .into();
        Self { port, dir }
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// `psql -Atc sql` on `database`, as it ended.
    fn run_psql(&self, database: &str, sql: &str) -> std::process::Output {
        Command::new("psql")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", "postgres", "-d", database, "-Atc", sql])
            .output()
            .expect("psql must be on PATH (it comes with PostgreSQL)")
    }

    /// `psql -Atc sql` on `database`: what it printed.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let out = self.run_psql(database, sql);
        assert!(
            out.status.success(),
            "psql {sql:?} on {database}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// A fresh database for each of `services`, named `<prefix>_<service>` (`-` as `_`),
    /// dropped with the value (a failed test's too).
    pub fn databases<'a>(&'a self, prefix: &str, services: &[&str]) -> TestPostgresDatabases<'a> {
        let names: Vec<(String, String)> = services
            .iter()
            .map(|s| (s.to_string(), format!("{prefix}_{s}").replace('-', "_")))
            .collect();
        for (_, name) in &names {
            self.psql(
                "postgres",
                &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            );
            self.psql("postgres", &format!("CREATE DATABASE \"{name}\""));
        }
        TestPostgresDatabases {
            server: self,
            names,
        }
    }

    /// Takes the server for one test (the tests that restart it take turns) and makes sure
    /// it runs (a test that failed while it was down left it so).
    pub fn take(&self) -> std::sync::MutexGuard<'static, ()> {
        static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        let up = std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok();
        if !up {
            self.start();
        }
        turn
    }

    /// `pg_ctl …` as the postgres user, on the server's data directory; what it said if it
    /// failed.
    fn pg_ctl(&self, args: &str) -> Result<(), String> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's binaries in /usr/lib/postgresql")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin/pg_ctl")))
            .filter(|p| p.exists())
            .max()
            .expect("pg_ctl");
        let line = format!(
            "{} -D {}/data -l {}/log -w {args}",
            bin.display(),
            self.dir.display(),
            self.dir.display()
        );
        let out = Command::new("su")
            .args(["postgres", "-c", &line])
            .output()
            .expect("su postgres");
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "pg_ctl {args}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// `pg_ctl restart -m fast`: every connection cut, the server back at once.
    pub fn restart_fast(&self) {
        self.pg_ctl("-m fast restart")
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// `kill -9` of the postmaster: the server gone without a word.
    pub fn kill(&self) {
        let pid = std::fs::read_to_string(self.dir.join("data/postmaster.pid"))
            .expect("the postmaster's pid file");
        let pid = pid.lines().next().unwrap_or_default().trim().to_owned();
        let status = Command::new("kill")
            .args(["-9", &pid])
            .status()
            .expect("kill");
        assert!(status.success(), "kill -9 {pid}");
    }

    /// Starts the server after a kill: again until it starts, for its last backends hold its
    /// shared memory until they notice the postmaster died and leave.
    pub fn start(&self) {
        let mut last = String::new();
        for _ in 0..20 {
            match self.pg_ctl("start") {
                Ok(()) => return,
                Err(e) => last = e,
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        panic!("{last}");
    }
}

/// Databases on a [`TestPostgresServer`], one a service, dropped on drop.
pub struct TestPostgresDatabases<'a> {
    server: &'a TestPostgresServer,
    /// (service, database name).
    names: Vec<(String, String)>,
}

impl TestPostgresDatabases<'_> {
    fn name(&self, service: &str) -> &str {
        self.names
            .iter()
            .find(|(s, _)| s == service)
            .map(|(_, n)| n.as_str())
            .unwrap_or_else(|| panic!("no database for {service}"))
    }

    /// `service`'s database URL.
    pub fn url(&self, service: &str) -> String {
        self.server.url(self.name(service))
    }

    /// `SELECT count(*) FROM table` in `service`'s database.
    pub fn count(&self, service: &str, table: &str) -> String {
        self.server
            .psql(self.name(service), &format!("SELECT count(*) FROM {table}"))
    }
}

impl Drop for TestPostgresDatabases<'_> {
    fn drop(&mut self) {
        for (_, name) in &self.names {
            // Not asserted: a drop during a failing test's unwinding must not panic again.
            self.server.run_psql(
                "postgres",
                &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            );
        }
    }
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The pool of each test database. A service on PostgreSQL opens one connection more for its
/// relay's `LISTEN`, so four a database. With pools of four (five a database), `section_c`'s
/// tests reached 107 connections at once, over PostgreSQL's default of 100, and a desk's
/// acquire timed out in CI waiting for a connection the server refused; with three they peak
/// at 93, and `scripts/services.sh` gives the server room for 200.
pub const TEST_POOL: u32 = 3;

/// A database of its own, removed on drop.
pub struct TestDatabase {
    pub settings: DatabaseSettings,
    kind: Kind,
}

enum Kind {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A database with the pool `ktpel up` opens (`database.max_connections`'s default) rather
    /// than the tests' smaller one: for the benchmarks, which measure the system as it is run.
    pub async fn as_deployed(backend: Backend) -> Self {
        let mut d = Self::new(backend).await;
        d.settings.max_connections = ktpel_store::DatabaseSettings::default().max_connections;
        d
    }

    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::sqlite(),
            Backend::Postgres => Self::postgres().await,
        }
    }

    /// A SQLite file in a fresh temporary folder.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Self {
            settings: DatabaseSettings {
                url: url.into(),
                max_connections: TEST_POOL,
            },
            kind: Kind::Sqlite(dir),
        }
    }

    /// A new PostgreSQL database `ktpel_t_<uuid>`.
    pub async fn postgres() -> Self {
        let admin_url = std::env::var("KTPEL_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/test".into());
        let name = format!("ktpel_t_{}", Uuid::now_v7().simple());
        let admin = Database::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {admin_url} is not reachable: {e}"));
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create the test database");
        admin.close().await.ok();
        Self {
            settings: DatabaseSettings {
                url: database_url(&admin_url, &name).into(),
                max_connections: TEST_POOL,
            },
            kind: Kind::Postgres { admin_url, name },
        }
    }

    /// Opens the database and runs the migrations of `M`.
    pub async fn open<M: sea_orm_migration::MigratorTrait>(&self) -> DatabaseConnection {
        ktpel_store::open::<M>(&self.settings)
            .await
            .expect("open and migrate the test database")
    }
}

/// `admin_url` naming database `name` instead, its parameters (`?sslmode=…`) kept.
fn database_url(admin_url: &str, name: &str) -> String {
    let (address, parameters) = match admin_url.split_once('?') {
        Some((a, p)) => (a, format!("?{p}")),
        None => (admin_url, String::new()),
    };
    let (server, _) = address.rsplit_once('/').expect("database URL has a path");
    format!("{server}/{name}{parameters}")
}

#[test]
fn a_test_database_keeps_the_parameters_of_the_admin_url() {
    assert_eq!(
        database_url("postgres://u:p@h:5432/test?sslmode=disable", "t1"),
        "postgres://u:p@h:5432/t1?sslmode=disable"
    );
    assert_eq!(
        database_url("postgres://u:p@h/test", "t1"),
        "postgres://u:p@h/t1"
    );
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Kind::Postgres { admin_url, name } = &self.kind {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime; do the async work on a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let admin = Database::connect(&admin_url).await.ok()?;
                    admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await
                        .ok()
                })
            })
            .join();
        }
    }
}

/// Generates, for each `async fn name(backend: Backend)` listed, one test on SQLite
/// (`sqlite::name`) and one on PostgreSQL (`postgres::name`): the same test on both databases.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await
                }
            )*
        }
    };
}

/// Installs telemetry once per test binary (so spans have trace ids), quiet unless RUST_LOG.
pub fn telemetry() {
    static ONCE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        let settings = ktpel_settings::TelemetrySettings {
            otlp_endpoint: None,
            log_filter: Some("warn,lapin=off".into()),
        };
        std::mem::forget(
            ktpel_telemetry::init("ktpel-tests", &settings, Vec::new()).expect("telemetry"),
        );
    });
}

/// Takes the next message from `queue` (basic.get, acked), polling until `timeout`.
pub async fn next_message(
    broker: &ktpel_bus::Broker,
    queue: &str,
    timeout: std::time::Duration,
) -> Option<lapin::message::BasicGetMessage> {
    let ch = broker.channel().await.expect("a channel for basic.get");
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let got = ch
            .basic_get(
                queue.into(),
                lapin::options::BasicGetOptions { no_ack: true },
            )
            .await
            .expect("basic.get");
        if got.is_some() || tokio::time::Instant::now() >= deadline {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Runs `n` write transactions on `db` at once, as a service's consumer partitions or print
/// stations do: each does `write(txn, i)`, then holds its transaction open a moment (the rest
/// of its work) before committing. Returns the errors of those that failed.
pub async fn write_at_once<F>(db: &DatabaseConnection, n: usize, write: F) -> Vec<String>
where
    F: for<'t> Fn(
            &'t sea_orm::DatabaseTransaction,
            usize,
        ) -> futures_util::future::BoxFuture<'t, Result<(), String>>
        + Send
        + Sync
        + 'static,
{
    let write = std::sync::Arc::new(write);
    let tasks = (0..n).map(|i| {
        let (db, write) = (db.clone(), write.clone());
        tokio::spawn(async move {
            let txn = ktpel_store::begin_write(&db)
                .await
                .map_err(|e| e.to_string())?;
            write(&txn, i).await?;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            txn.commit().await.map_err(|e| e.to_string())
        })
    });
    futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .filter_map(|r| r.expect("the transaction's task ran").err())
        .collect()
}

/// Polls `check` every 20 ms until it holds or `timeout` passes; returns whether it held.
pub async fn eventually<F, Fut>(timeout: std::time::Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
