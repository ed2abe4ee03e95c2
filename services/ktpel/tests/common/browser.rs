//! Headless Chromium driven over WebDriver (Debian's `chromium` and `chromium-driver`), as a
//! person at a desk would use the pages: every page checked with axe-core (tests/browser,
//! from npm) for accessibility, its console for errors, and saved as a screenshot under
//! `target/test-artifacts/`.

use super::{Running, free_port};
use fantoccini::{Client, ClientBuilder, Locator, wd::WebDriverCompatibleCommand};
use serde_json::json;
use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

pub struct Browser {
    pub client: Client,
    _driver: Running,
    _profile: tempfile::TempDir,
    axe: String,
    /// Every page checked, for the report: (name, serious or critical violations).
    pub checked: Vec<String>,
}

/// The browser's console log since it was last read (chromedriver's `se/log`).
#[derive(Debug)]
struct ConsoleLog;

impl WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

/// Where the tests keep what a person may want to look at afterwards (the screenshots).
pub fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("the artifacts directory");
    dir
}

impl Browser {
    pub async fn start() -> Self {
        let axe_path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/browser/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&axe_path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (scripts/services.sh tools installs axe-core)",
                axe_path.display()
            )
        });
        // Two crypto providers are linked in; the first call picks one, later ones find it set.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = free_port();
        let driver = Running(
            Command::new("chromedriver")
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Debian's chromedriver (scripts/services.sh tools installs it)"),
        );
        let profile = tempfile::tempdir().expect("a profile directory");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,1400",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::rustls()
                .expect("a TLS configuration")
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("chromedriver on {port}: {e}"),
            }
        };
        Self {
            client,
            _driver: driver,
            _profile: profile,
            axe,
            checked: Vec::new(),
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
    }

    /// Types `text` into the field `#id`, replacing what was there.
    pub async fn type_into(&self, id: &str, text: &str) {
        let field = self.find(&format!("#{id}")).await;
        field.clear().await.expect("clear a field");
        field.send_keys(text).await.expect("type into a field");
    }

    /// Sets the field `#id` to `value` directly (a date field takes its typed digits in the
    /// browser's locale order; the value is what the form sends).
    pub async fn set_value(&self, id: &str, value: &str) {
        self.find(&format!("#{id}")).await;
        self.client
            .execute(
                "document.getElementById(arguments[0]).value = arguments[1];",
                vec![id.into(), value.into()],
            )
            .await
            .expect("set a field");
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// The element `css` selects, waited for up to 10 s. Asked again while the page is still
    /// loading: a question put while a form's answer replaces the page is "aborted by
    /// navigation", which is not an answer.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(element) => return element,
                Err(e) if std::time::Instant::now() >= deadline => panic!("{css}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// The visible text of the page (asked again if the page changed under the question).
    pub async fn text(&self) -> String {
        let mut tries = 0;
        loop {
            match self
                .client
                .execute(
                    "return document.body ? document.body.innerText : '';",
                    vec![],
                )
                .await
            {
                Ok(v) => return v.as_str().unwrap_or_default().to_owned(),
                Err(e) if tries < 20 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("the page's text: {e}"),
            }
        }
    }

    /// Signs out if signed in, then signs in at `base` as `name`, landing on `desk`.
    pub async fn sign_in_as(&self, base: &str, name: &str, password: &str, desk: &str) {
        // Whoever is signed in signs out from their own desks' page.
        self.goto(&format!("{base}/meja")).await;
        if self.path().await != "/login" {
            self.click("header button[type=submit]").await;
            self.at("/login").await;
        }
        self.goto(&format!("{base}{desk}")).await;
        self.at("/login").await;
        self.type_into("username", name).await;
        self.type_into("password", password).await;
        self.click("button[type=submit].primary").await;
        self.at(desk).await;
    }

    /// Waits up to 10 s for the page's text to hold `wanted`.
    pub async fn wait_text(&self, wanted: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = self.text().await;
            if text.contains(wanted) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the page never said {wanted:?}: {text}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Goes to `url` again and again until its text holds `wanted` (30 s at most).
    pub async fn until(&self, url: &str, wanted: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            self.goto(url).await;
            if self.text().await.contains(wanted) {
                return;
            }
            assert!(Instant::now() < deadline, "{url} never showed {wanted}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Waits up to 10 s for the browser to be at a path starting with `prefix`; the path.
    pub async fn at(&self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let path = self.path().await;
            if path.starts_with(prefix) {
                return path;
            }
            assert!(Instant::now() < deadline, "at {path}, not {prefix}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("the address")
            .path()
            .to_owned()
    }

    /// The page as it is now: no serious or critical accessibility violation, nothing in the
    /// console at error level; saved as `name.png`.
    pub async fn check(&mut self, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::write(artifacts().join(format!("{name}.png")), png).expect("save the screenshot");
        self.client
            .execute(&self.axe, vec![])
            .await
            .expect("axe-core loads into the page");
        let violations = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document).then(r => done(r.violations.map(v =>
                   ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.html)}))))
                   .catch(e => done(String(e)));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        let list = violations
            .as_array()
            .unwrap_or_else(|| panic!("{name}: axe: {violations}"));
        let grave: Vec<_> = list
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(
            grave.is_empty(),
            "{name}: accessibility violations: {grave:#?}"
        );
        let log = self
            .client
            .issue_cmd(ConsoleLog)
            .await
            .expect("the console log");
        let errors: Vec<_> = log
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .collect();
        assert!(errors.is_empty(), "{name}: console errors: {errors:#?}");
        self.checked
            .push(format!("{name}: {} minor or moderate", list.len()));
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
