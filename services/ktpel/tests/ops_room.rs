//! The ops room against a real Prometheus (Debian's `prometheus`, started here on a port of
//! its own): it scrapes `ktpel demo --http` while the demo takes its residents through S01,
//! loads the alert rules of `k8s/monitoring/alerts.yml`, and then every query of every panel
//! of every dashboard in `k8s/monitoring/dashboards/` must return data. A panel that can
//! never show anything — a metric renamed, a label misspelt — fails here. The status page
//! is loaded in headless Chromium (Debian's `chromium`): no console error, every section, and
//! a screenshot in `target/test-artifacts/status-page.png`.

use ktpel_tests::TestVhost;
use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

const KTPEL: &str = env!("CARGO_BIN_EXE_ktpel");

mod common;
use common::{Running, browser::artifacts, free_port};

fn monitoring() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../k8s/monitoring")
}

/// One Prometheus query of a dashboard panel.
struct Query {
    dashboard: String,
    panel: String,
    expr: String,
}

/// Every Prometheus query of every panel (rows' panels included) of every dashboard.
fn dashboard_queries() -> Vec<Query> {
    let mut queries = Vec::new();
    let dir = monitoring().join("dashboards");
    for entry in std::fs::read_dir(&dir).expect("the dashboards directory") {
        let path = entry.expect("a dashboard").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a readable dashboard");
        let dashboard: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let title = dashboard["title"].as_str().unwrap_or("?").to_owned();
        let mut panels: Vec<&serde_json::Value> = Vec::new();
        for p in dashboard["panels"].as_array().expect("panels") {
            panels.push(p);
            panels.extend(p["panels"].as_array().into_iter().flatten());
        }
        for panel in panels {
            for target in panel["targets"].as_array().into_iter().flatten() {
                let source = &target["datasource"]["type"];
                let source = if source.is_null() {
                    &panel["datasource"]["type"]
                } else {
                    source
                };
                if source != "prometheus" {
                    continue; // the trace panel reads Tempo
                }
                let expr = target["expr"]
                    .as_str()
                    .expect("a Prometheus target has an expr");
                queries.push(Query {
                    dashboard: title.clone(),
                    panel: panel["title"].as_str().unwrap_or("?").to_owned(),
                    // The site variable at "All".
                    expr: expr.replace("$site", ".*"),
                });
            }
        }
    }
    queries
}

/// Debian's headless Chromium (scripts/services.sh tools installs it) with `args`; returns
/// what it logged (console messages included) and what it printed.
fn chromium(profile: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.join("chromium").display()
        ))
        .args(args)
        .output()
        .expect("Debian's chromium (scripts/services.sh tools installs it)");
    assert!(
        out.status.success(),
        "chromium {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stderr).into_owned(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn get(url: &str) -> serde_json::Value {
    let mut response = ureq::get(url)
        .call()
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let body = response.body_mut().read_to_string().expect("a body");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{url}: {e}: {body}"))
}

/// How many series `expr` returns at Prometheus now.
fn series(prometheus: &str, expr: &str) -> usize {
    let url = format!(
        "{prometheus}/api/v1/query?query={}",
        percent_encoding::utf8_percent_encode(expr, percent_encoding::NON_ALPHANUMERIC)
    );
    let answer = get(&url);
    assert_eq!(answer["status"], "success", "{expr}: {answer}");
    answer["data"]["result"].as_array().map_or(0, Vec::len)
}

#[test]
fn every_dashboard_panel_shows_data_from_a_real_prometheus() {
    let queries = dashboard_queries();
    assert!(queries.len() >= 20, "the dashboards were read");

    let vhost = TestVhost::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (demo_port, prometheus_port) = (free_port(), free_port());
    let rules = monitoring().join("alerts.yml");
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global: {{ scrape_interval: 1s, evaluation_interval: 1s }}\n\
             rule_files: [{rules}]\n\
             scrape_configs:\n  - job_name: ktpel\n    static_configs:\n      \
             - targets: ['127.0.0.1:{demo_port}']\n        labels: {{ ktpel_environment: training }}\n",
            rules = rules.canonicalize().expect("the alert rules").display()
        ),
    )
    .expect("the Prometheus configuration");
    let _prometheus = Running(
        Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{prometheus_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Debian's prometheus (scripts/services.sh tools installs it)"),
    );
    let prometheus = format!("http://127.0.0.1:{prometheus_port}");

    // The demo, watched: Prometheus scrapes it from the moment its page is up.
    let mut demo = Command::new(KTPEL)
        .args(["demo", "--residents", "8", "--http"])
        .arg(format!("127.0.0.1:{demo_port}"))
        .current_dir(dir.path())
        .env("KTPEL__AMQP__URL", vhost.url())
        .env("KTPEL__TELEMETRY__LOG_FILTER", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ktpel runs");
    let stdout = demo.stdout.take().expect("the demo's output");
    let demo = Running(demo);
    let (lines, heard) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    let mut output = String::new();
    let deadline = Instant::now() + Duration::from_secs(300);
    while !output.contains("holding the ops room open") {
        let left = deadline.saturating_duration_since(Instant::now());
        match heard.recv_timeout(left) {
            Ok(line) => {
                output.push_str(&line);
                output.push('\n');
            }
            Err(_) => panic!("the demo never held its ops room open: {output}"),
        }
    }
    assert!(
        output.contains("| handed over with a tanda terima: CARD_ACTIVATED (S22.4) | 8/8 |"),
        "{output}"
    );

    // Prometheus has the target up and the rules loaded.
    let deadline = Instant::now() + Duration::from_secs(60);
    while series(&prometheus, "up{job=\"ktpel\"} == 1") == 0 {
        assert!(
            Instant::now() < deadline,
            "Prometheus never scraped the demo"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let rules = get(&format!("{prometheus}/api/v1/rules"));
    let loaded: Vec<&serde_json::Value> = rules["data"]["groups"]
        .as_array()
        .expect("rule groups")
        .iter()
        .flat_map(|g| g["rules"].as_array().into_iter().flatten())
        .collect();
    assert_eq!(loaded.len(), 10, "every rule of alerts.yml loads: {rules}");
    assert!(
        loaded.iter().all(|r| r["health"] != "err"),
        "every rule evaluates: {rules}"
    );

    // Every panel's queries return data — but those about a site's link to its parent: the
    // demo on one broker has no parent (a linked site's /metrics carries them: by_hand's
    // `a_kecamatan_runs_alone_on_its_own_broker_linked_to_its_dinas`).
    let (linked, here): (Vec<&Query>, Vec<&Query>) = queries
        .iter()
        .partition(|q| q.expr.contains("ktpel_site_link_"));
    let mut linked_panels: Vec<&str> = linked.iter().map(|q| q.panel.as_str()).collect();
    linked_panels.sort();
    assert_eq!(
        linked_panels,
        ["Site links (shovels)", "Waiting to go up the link"],
        "only the link panels are left to the linked site's test"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut empty: Vec<&Query> = here.clone();
    while !empty.is_empty() && Instant::now() < deadline {
        empty.retain(|q| series(&prometheus, &q.expr) == 0);
        std::thread::sleep(Duration::from_secs(1));
    }
    let empty: Vec<String> = empty
        .iter()
        .map(|q| format!("{} / {}: {}", q.dashboard, q.panel, q.expr))
        .collect();
    assert!(
        empty.is_empty(),
        "panels with no data:\n{}",
        empty.join("\n")
    );

    // Nothing a resident could be found by reached Prometheus.
    let names = get(&format!("{prometheus}/api/v1/labels"));
    for label in names["data"].as_array().expect("label names") {
        let label = label.as_str().unwrap_or_default();
        assert!(
            !["nik", "nama", "nomor_berkas", "name"].contains(&label),
            "a label `{label}` names a resident or a berkas"
        );
    }

    // The status page in a real browser: no console error, every section there, and a
    // screenshot kept as the test's artifact.
    let page = format!("http://127.0.0.1:{demo_port}/");
    let shot = artifacts().join("status-page.png");
    let (console, _) = chromium(
        dir.path(),
        &[
            "--window-size=1400,1250",
            &format!("--screenshot={}", shot.display()),
            &page,
        ],
    );
    let errors: Vec<&str> = console.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        errors.is_empty(),
        "the page logged to the console: {errors:#?}"
    );
    let png = std::fs::read(&shot).expect("chromium saved the screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a real screenshot at {}",
        shot.display()
    );
    let (_, dom) = chromium(dir.path(), &["--dump-dom", &page]);
    for section in [
        "At a glance",
        "NID Scheduler (S19)",
        "No. of Records sent after Restart",
        "S19.3",
        "Links to the site above",
        "Queues",
        "Berkas at this site's counter",
        "CARD_ACTIVATED",
        "Services",
    ] {
        assert!(dom.contains(section), "{section:?} on the page: {dom}");
    }
    for runbook in ["dead-letters", "nid-scheduler", "berkas-waiting"] {
        assert!(dom.contains(&format!("/runbooks/{runbook}")), "{runbook}");
        let text = ureq::get(&format!("{page}runbooks/{runbook}"))
            .call()
            .expect("the runbook is served")
            .body_mut()
            .read_to_string()
            .unwrap();
        assert!(text.starts_with("# Runbook"), "{text}");
    }

    let agent = ureq::Agent::new_with_config(
        ureq::config::Config::builder()
            .http_status_as_error(false)
            .build(),
    );
    let escaping = agent
        .get(&format!("{page}runbooks/%2E%2E%2Fsecret"))
        .call()
        .expect("the page answers");
    assert_eq!(
        escaping.status().as_u16(),
        404,
        "only the built-in runbooks"
    );
    let mut missing = agent
        .get(&format!("{page}runbooks/no-such-runbook"))
        .call()
        .expect("the page answers");
    assert_eq!(missing.status().as_u16(), 404);
    let body = missing.body_mut().read_to_string().unwrap();
    assert!(body.contains("no runbook `no-such-runbook`"), "{body}");

    // Ctrl-C: the demo closes its ops room and stops, successfully.
    demo.ctrl_c();
    // The rest of its output, to the end of the pipe.
    while let Ok(line) = heard.recv_timeout(Duration::from_secs(10)) {
        output.push_str(&line);
        output.push('\n');
    }
    assert!(output.trim_end().ends_with("completed 8/8"), "{output}");
}
