//! A site with its desks in the browser, as a Dinas would run it: `ktpel up` in its own
//! process (SQLite in a temporary directory, a fresh vhost), SIAK seeded, desk accounts made
//! with `ktpel user add`; and a client that keeps its cookies, as a browser would.

use super::{Running, free_port};
use ktpel_domain::KodeWilayah;
use ktpel_tests::TestVhost;
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

const KTPEL: &str = env!("CARGO_BIN_EXE_ktpel");
pub const PASSWORD: &str = "kata-sandi-loket-1";

/// The accounts every site of these tests has: (name, role, kecamatan).
pub const ACCOUNTS: [(&str, &str, Option<&str>); 11] = [
    ("sinta", "siak", None),
    ("opsi", "ops", None),
    ("dodi", "distribusi", None),
    ("citra", "cetak", None),
    ("kasi", "kepala_seksi", None),
    ("ani", "ppp", Some("32.73.01")),
    ("budi", "ppp", Some("32.73.02")),
    ("oki", "operator", Some("32.73.01")),
    ("eko", "operator", Some("32.73.02")),
    ("adi", "adjudikator", None),
    ("admin", "admin", None),
];

/// A case at the adjudication desk: the new enrollment's NIK and id, and the NIK on record it
/// is like.
pub struct AdjudicationCase {
    pub on_record: ktpel_domain::Nik,
    pub new: ktpel_domain::Nik,
    pub enrollment_id: uuid::Uuid,
}

pub struct Site {
    pub url: String,
    pub dir: tempfile::TempDir,
    pub vhost: TestVhost,
    /// Two residents in SIAK: (NIK, name).
    pub residents: Vec<(String, String)>,
    up: Running,
}

impl Site {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// A site whose `ktpel up` also has the environment `env` (settings, `KTPEL_…=value`).
    pub fn start_with(env: &[(&str, &str)]) -> Self {
        let vhost = TestVhost::new();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let http = format!("127.0.0.1:{}", free_port());
        let run = |args: &[&str]| {
            let out = command(dir.path(), &vhost, args)
                .env("KTPEL_PASSWORD", PASSWORD)
                .output()
                .expect("ktpel runs");
            assert!(
                out.status.success(),
                "ktpel {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(&[
            "registry",
            "seed",
            "--residents",
            "2",
            "--region",
            "32.73.01",
            "--seed",
            "9",
        ]);
        for (name, role, kecamatan) in ACCOUNTS {
            let mut args = vec!["user", "add", name, "--role", role];
            if let Some(k) = kecamatan {
                args.extend(["--kecamatan", k]);
            }
            run(&args);
        }
        let residents =
            ktpel_registry::seed::generate(&KodeWilayah::parse("32.73.01").unwrap(), 2, 9)
                .unwrap()
                .into_iter()
                .map(|r| (r.nik.to_string(), r.nama))
                .collect();
        let log = std::fs::File::create(dir.path().join("up.log")).expect("a log file");
        let up = Running(
            command(dir.path(), &vhost, &["up", "--http", &http])
                .envs(env.iter().copied())
                .env("KTPEL__TELEMETRY__LOG_FILTER", "info")
                .stdout(log.try_clone().expect("the log"))
                .stderr(log)
                .spawn()
                .expect("ktpel up starts"),
        );
        let url = format!("http://{http}");
        let deadline = Instant::now() + Duration::from_secs(60);
        while ureq::get(format!("{url}/ready")).call().is_err() {
            assert!(Instant::now() < deadline, "ktpel up never became ready");
            std::thread::sleep(Duration::from_millis(200));
        }
        Self {
            url,
            dir,
            vhost,
            residents,
            up,
        }
    }

    /// Ctrl-C: the site stops by itself, successfully.
    pub fn stop(self) {
        self.up.ctrl_c();
    }

    /// `ktpel args…` beside the running site.
    pub fn ktpel(&self, args: &[&str]) -> std::process::Output {
        command(self.dir.path(), &self.vhost, args)
            .output()
            .expect("ktpel runs")
    }

    /// Everything `ktpel up` logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("up.log")).unwrap_or_default()
    }

    pub fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    /// An enrollment the Pusat Data's matcher left to the adjudicator, written into the
    /// site's Pusat Data database as the matcher would have: the first resident on record
    /// (fingers filed, photo kept, PRR), the second's enrollment waiting at SFE with its case
    /// (scores 44 and 9): its right index is the first resident's pressed again, its left
    /// index its own.
    pub async fn open_adjudication_case(&self) -> AdjudicationCase {
        use ktpel_biometric::station::{Person, capture};
        use ktpel_contract::enrollment::{EnrollmentCreated, EnrollmentRecord, Finger};
        use ktpel_domain::{Nik, StatusKartu};
        use ktpel_pusat_data::{adjudication, dedup, verdict};
        use sea_orm::TransactionTrait;
        use sha2::Digest;
        let nik = |i: usize| Nik::parse(&self.residents[i].0).unwrap();
        let (on_record, new) = (nik(0), nik(1));
        let enrollment = |nik: &Nik, nomor: &str| {
            let c = capture(nomor, nik, &Person::of(nik), "oki", true);
            EnrollmentRecord {
                co_relation_id: "32.73.01".into(),
                enrollment: EnrollmentCreated {
                    enrollment_id: uuid::Uuid::now_v7(),
                    bukti_perekaman: format!("BP-{nomor}"),
                    nomor_berkas: nomor.into(),
                    nik: nik.clone(),
                    photo_sha256: sha2::Sha256::digest(&c.photo)
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect(),
                    fingerprints: c.fingerprints,
                    enrolled_at: chrono::Utc::now(),
                    kecamatan: Some("32.73.01".into()),
                    pas_foto: Some(c.photo),
                    tanda_tangan: Some(c.signature),
                },
            }
        };
        let first = enrollment(&on_record, "327301-20261207-9001");
        let mut second = enrollment(&new, "327301-20261207-9002");
        let again =
            ktpel_biometric::station::fingerprints(&Person::of(&on_record), "327301-20261207-9002");
        let right = |f: &[ktpel_contract::enrollment::FingerTemplate]| {
            f.iter()
                .position(|t| t.finger == Finger::RightIndex)
                .unwrap()
        };
        let at = right(&second.enrollment.fingerprints);
        second.enrollment.fingerprints[at] = again[right(&again)].clone();
        let db = sea_orm::Database::connect(format!(
            "sqlite://{}?mode=rw",
            self.path("data/pusat-data.db").display()
        ))
        .await
        .unwrap();
        let txn = db.begin().await.unwrap();
        dedup::file(&txn, &on_record, &first.enrollment.fingerprints)
            .await
            .unwrap();
        verdict::keep_on_record(&txn, &first.enrollment)
            .await
            .unwrap();
        let now = chrono::Utc::now();
        let existing = |nik: &Nik| {
            ktpel_pusat_data::store::kartu::Entity::find_by_id(nik.to_string()).one(&txn)
        };
        use sea_orm::EntityTrait;
        let had = existing(&on_record).await.unwrap();
        if had.is_none() {
            verdict::set_status(&txn, None, &first, StatusKartu::Prr, "unique", now)
                .await
                .unwrap();
        }
        let had = existing(&new).await.unwrap();
        verdict::set_status(&txn, had, &second, StatusKartu::Sfe, "menunggu", now)
            .await
            .unwrap();
        let scores = vec![(Finger::RightIndex, 44), (Finger::LeftIndex, 9)];
        adjudication::open(&txn, &second, "32.73.01", &on_record.to_string(), scores)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        AdjudicationCase {
            on_record,
            new,
            enrollment_id: second.enrollment.enrollment_id,
        }
    }

    /// A client signed in as `name`.
    pub fn signed_in(&self, name: &str) -> Client {
        let mut c = Client::new(&self.url);
        let (status, _, _) = c.sign_in(name, PASSWORD);
        assert_eq!(status, 303, "{name} signs in");
        c
    }
}

fn command(dir: &Path, vhost: &TestVhost, args: &[&str]) -> Command {
    let mut c = Command::new(KTPEL);
    c.args(args)
        .current_dir(dir)
        .env("KTPEL__AMQP__URL", vhost.url())
        .env("KTPEL__TELEMETRY__LOG_FILTER", "warn")
        .env_remove("KTPEL_PASSWORD")
        .env_remove("KTPEL_TOKEN")
        .stdin(Stdio::null());
    c
}

/// An HTTP client that keeps the cookies it is given and follows no redirect (the tests look
/// at each answer).
pub struct Client {
    base: String,
    agent: ureq::Agent,
    pub cookies: BTreeMap<String, String>,
}

/// Status, `Location`, body.
pub type Answer = (u16, String, String);

impl Client {
    pub fn new(base: &str) -> Self {
        let agent = ureq::Agent::new_with_config(
            ureq::config::Config::builder()
                .max_redirects(0)
                .http_status_as_error(false)
                .build(),
        );
        Self {
            base: base.to_owned(),
            agent,
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn take(&mut self, mut r: ureq::http::Response<ureq::Body>) -> Answer {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap_or_default();
            let pair = v.split(';').next().unwrap_or_default();
            if let Some((k, val)) = pair.split_once('=') {
                if val.is_empty() || v.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), val.to_owned());
                }
            }
        }
        let location = r
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let status = r.status().as_u16();
        // Lossy: a PDF's bytes come back readable enough to compare and to see `%PDF-`.
        let body = r.body_mut().read_to_vec().unwrap_or_default();
        (
            status,
            location,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }

    pub fn get(&mut self, path: &str) -> Answer {
        let r = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .call()
            .expect("the site answers");
        self.take(r)
    }

    /// A GET whose answer is a file (a PDF): its status and bytes.
    pub fn get_file(&mut self, path: &str) -> (u16, Vec<u8>) {
        let mut r = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .call()
            .expect("the site answers");
        let status = r.status().as_u16();
        (status, r.body_mut().read_to_vec().unwrap_or_default())
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let r = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .send_form(form.iter().copied())
            .expect("the site answers");
        self.take(r)
    }

    /// Posts a file as a browser's form does (`multipart/form-data`): the fields, then the
    /// file under `name`.
    pub fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        name: &str,
        file: &[u8],
    ) -> Answer {
        self.post_files(path, fields, &[(name, file)])
    }

    /// Posts files as a browser's form does (`multipart/form-data`): the fields, then each
    /// file under its name.
    pub fn post_files(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &[u8])],
    ) -> Answer {
        let boundary = "----ktpel-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, file) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(file);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let r = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .send(&body[..])
            .expect("the site answers");
        self.take(r)
    }

    /// A PUT of `body` with the session's cookie and `headers`, as a device's driver sends.
    pub fn put(&mut self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        let mut req = self
            .agent
            .put(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send(body).expect("the site answers");
        self.take(r)
    }

    /// Signs in through the form, as a person would.
    pub fn sign_in(&mut self, name: &str, password: &str) -> Answer {
        let (_, _, page) = self.get("/login");
        let token = csrf(&page);
        self.post(
            "/login",
            &[("username", name), ("password", password), ("csrf", &token)],
        )
    }
}

/// The first CSRF token of a page.
pub fn csrf(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no CSRF token on the page: {page}"))
        + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap_or_default().to_owned()
}
