//! `cargo run --release -p bench -- desks --sessions 50 --berkas 10`: the counter in the
//! browser under load.
//!
//! Every service runs on PostgreSQL with the residents in SIAK, and the counter's pages are
//! served over HTTP as `ktpel up` serves them. `--sessions` people sign in at once (one HTTP
//! client each, no browser) and each submits `--berkas` S01 berkas through the web form: the
//! form asked for (GET), filled and sent (POST), answered with the salinan permohonan's
//! address once intake has given the berkas its number. Reported: the latency of each page
//! (p50, p99) and berkas per second. Beside it, in the same run: the same number of berkas
//! from as many concurrent desks on the bus's desk path (the message sent, intake's answer
//! awaited, no HTTP) — what the web adds on top of the round trip through intake and SIAK.

use ktpel_bus::{Outgoing, RoutingKey};
use ktpel_contract::{
    berkas::{BerkasAccepted, BerkasRefused, BerkasSubmitted, SUBMITTED},
    registry::Biodata,
};
use ktpel_domain::{Dokumen, KodeWilayah, SopId};
use ktpel_site::DesksAt;
use ktpel_tests::{Backend, TestDatabase, system::System};
use ktpel_web::{DeskSettings, Desks, Role, accounts, answers::Line, session::Key};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

#[derive(clap::Args)]
pub struct Args {
    /// People signed in at once.
    #[arg(long, default_value_t = 50)]
    sessions: usize,
    /// Berkas each submits.
    #[arg(long, default_value_t = 10)]
    berkas: usize,
    /// How long each person waits after one berkas before the next (a clerk's pace: the
    /// resident sits down, hands the papers over), the people starting spread over one such
    /// wait, as counters open one after another. 0: back to back, all at once, the counter
    /// at its limit.
    #[arg(long, default_value_t = 0)]
    pace_ms: u64,
}

const PASSWORD: &str = "kata-sandi-bench-1";

pub async fn run(args: Args) {
    let n = args.sessions * args.berkas;
    let region = KodeWilayah::parse("32.73.01").expect("Sukasari");
    let people = ktpel_registry::seed::generate(&region, 2 * n, 7).expect("a population");
    println!(
        "Desks benchmark: {} sessions × {} S01 berkas through the web counter, and as many through the bus's desk path (PostgreSQL), {}",
        args.sessions,
        args.berkas,
        match args.pace_ms {
            0 => "back to back".to_owned(),
            ms => format!("each person waiting {ms} ms between two berkas"),
        }
    );
    let pace = Duration::from_millis(args.pace_ms);
    let system = Arc::new(System::start_as_deployed(Backend::Postgres, &people).await);
    let store = TestDatabase::new(Backend::Postgres).await;
    let db = store.open::<ktpel_web::store::Migrator>().await;
    accounts::add(&db, "bench", PASSWORD, Role::Ppp, Some("32.73.01"))
        .await
        .expect("an account");
    let desks = Desks::new(db, Key::generate(), &DeskSettings::default(), "bench");
    let loket = ktpel_intake::loket::open(
        desks,
        system.intake.clone(),
        DesksAt::Both,
        system.broker.clone(),
        system.shutdown.clone(),
    )
    .expect("the counter");
    let desks = loket.desks.clone();
    let app =
        ktpel_intake::loket::routes(loket).merge(ktpel_web::signin::routes().with_state(desks));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (web_people, bus_people) = people.split_at(n);
    let bus = bus_desks(&system, bus_people, args.sessions, pace).await;
    let web = web_desks(&url, web_people, args.sessions, pace).await;

    println!();
    println!("| path | berkas | seconds | berkas/s | p50 | p99 | vs the bus's desk path |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let row = |name: &str, r: &Measured| {
        println!(
            "| {name} | {} | {:.2} | {:.1} | {} | {} | {:.2} |",
            r.berkas,
            r.elapsed.as_secs_f64(),
            r.rate(),
            ms(percentile(&r.latencies, 0.5)),
            ms(percentile(&r.latencies, 0.99)),
            r.rate() / bus.rate()
        );
    };
    row("bus desk path: send, wait for intake's answer", &bus);
    row("web counter: GET the form + POST it (each page)", &web);
    println!(
        "\nweb pages: GET form p50 {} p99 {}; POST berkas p50 {} p99 {}",
        ms(percentile(&web.gets, 0.5)),
        ms(percentile(&web.gets, 0.99)),
        ms(percentile(&web.posts, 0.5)),
        ms(percentile(&web.posts, 0.99)),
    );
    system.shutdown.cancel();
}

struct Measured {
    berkas: usize,
    elapsed: Duration,
    /// Every page (web) or round trip (bus), sorted.
    latencies: Vec<Duration>,
    gets: Vec<Duration>,
    posts: Vec<Duration>,
}

impl Measured {
    fn rate(&self) -> f64 {
        self.berkas as f64 / self.elapsed.as_secs_f64()
    }
}

/// When person `i` of `sessions` starts: spread evenly over one `pace`.
fn stagger(pace: Duration, i: usize, sessions: usize) -> Duration {
    pace.mul_f64(i as f64 / sessions.max(1) as f64)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1);
    sorted.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn berkas(r: &Biodata) -> BerkasSubmitted {
    BerkasSubmitted {
        sidik_jari: Vec::new(),
        submission_id: uuid::Uuid::now_v7(),
        sop: SopId::new(1).unwrap(),
        nik: Some(r.nik.clone()),
        nama: r.nama.clone(),
        biodata: None,
        perubahan: None,
        kedatangan: None,
        dokumen: vec![Dokumen::FormulirPermohonan, Dokumen::FotokopiKk],
        kecamatan: "32.73.01".into(),
        petugas: "bench".into(),
        diterima_pada: chrono::Utc::now(),
    }
}

/// `sessions` desks on the bus, each sending its share and waiting for each answer.
async fn bus_desks(
    system: &System,
    people: &[Biodata],
    sessions: usize,
    pace: Duration,
) -> Measured {
    let line = Arc::new(
        Line::<BerkasAccepted, BerkasRefused>::open(
            system.broker.clone(),
            "bench-desk",
            None,
            |a| a.submission_id,
            |r| r.submission_id,
            system.shutdown.clone(),
        )
        .expect("a line"),
    );
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (i, share) in people.chunks(people.len().div_ceil(sessions)).enumerate() {
        let (line, share) = (line.clone(), share.to_vec());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(stagger(pace, i, sessions)).await;
            let mut latencies = Vec::new();
            for r in &share {
                let b = berkas(r);
                let key = RoutingKey::regional(SUBMITTED, "32.73.01").unwrap();
                let id = b.submission_id;
                let msg = Outgoing::new(&b, key, id.to_string(), id.to_string()).unwrap();
                let t = Instant::now();
                let answer = line.ask(&msg, id, Duration::from_secs(60)).await;
                assert!(matches!(answer, Ok(Ok(_))), "accepted: {answer:?}");
                latencies.push(t.elapsed());
                tokio::time::sleep(pace).await;
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed();
    latencies.sort();
    Measured {
        berkas: people.len(),
        elapsed,
        latencies,
        gets: Vec::new(),
        posts: Vec::new(),
    }
}

/// `sessions` people at the web counter, each signed in before the clock starts.
async fn web_desks(url: &str, people: &[Biodata], sessions: usize, pace: Duration) -> Measured {
    let shares: Vec<Vec<Biodata>> = people
        .chunks(people.len().div_ceil(sessions))
        .map(<[Biodata]>::to_vec)
        .collect();
    let signed: Vec<_> = shares
        .into_iter()
        .map(|share| {
            let url = url.to_owned();
            tokio::task::spawn_blocking(move || (Session::sign_in(&url), share))
        })
        .collect();
    let mut ready = Vec::new();
    for s in signed {
        ready.push(s.await.unwrap());
    }
    let start = Instant::now();
    let tasks: Vec<_> = ready
        .into_iter()
        .enumerate()
        .map(|(i, (session, share))| {
            tokio::task::spawn_blocking(move || {
                std::thread::sleep(stagger(pace, i, sessions));
                let (mut gets, mut posts) = (Vec::new(), Vec::new());
                for r in &share {
                    let (g, p) = session.submit(r);
                    gets.push(g);
                    posts.push(p);
                    std::thread::sleep(pace);
                }
                (gets, posts)
            })
        })
        .collect();
    let (mut gets, mut posts) = (Vec::new(), Vec::new());
    for t in tasks {
        let (g, p) = t.await.unwrap();
        gets.extend(g);
        posts.extend(p);
    }
    let elapsed = start.elapsed();
    gets.sort();
    posts.sort();
    let mut latencies: Vec<_> = gets.iter().chain(&posts).copied().collect();
    latencies.sort();
    Measured {
        berkas: people.len(),
        elapsed,
        latencies,
        gets,
        posts,
    }
}

/// One person's browser: a cookie and an HTTP client that follows no redirect.
struct Session {
    url: String,
    agent: ureq::Agent,
    cookie: String,
}

fn csrf(page: &str) -> String {
    let mark = "name=\"csrf\" value=\"";
    let at = page.find(mark).expect("a CSRF token") + mark.len();
    page[at..].split('"').next().unwrap_or_default().to_owned()
}

impl Session {
    fn sign_in(url: &str) -> Self {
        let agent = ureq::Agent::new_with_config(
            ureq::config::Config::builder()
                .max_redirects(0)
                .http_status_as_error(false)
                .build(),
        );
        let mut page = agent
            .get(format!("{url}/login"))
            .call()
            .expect("the sign-in page");
        let pair = |r: &ureq::http::Response<ureq::Body>, name: &str| {
            r.headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .filter_map(|v| v.split(';').next())
                .find(|v| v.starts_with(name))
                .map(str::to_owned)
        };
        let form_cookie = pair(&page, "ktpel_masuk=").expect("the form's cookie");
        let token = csrf(&page.body_mut().read_to_string().unwrap());
        let signed = agent
            .post(format!("{url}/login"))
            .header("Cookie", &form_cookie)
            .send_form([
                ("username", "bench"),
                ("password", PASSWORD),
                ("csrf", token.as_str()),
            ])
            .expect("signed in");
        let cookie = pair(&signed, "ktpel_sesi=").expect("a session");
        Self {
            url: url.to_owned(),
            agent,
            cookie,
        }
    }

    /// The form asked for and sent for resident `r`: how long each page took.
    fn submit(&self, r: &Biodata) -> (Duration, Duration) {
        let t = Instant::now();
        let mut form = self
            .agent
            .get(format!("{}/loket/baru?sop=S01", self.url))
            .header("Cookie", &self.cookie)
            .call()
            .expect("the form");
        let token = csrf(&form.body_mut().read_to_string().unwrap());
        let got = t.elapsed();
        let t = Instant::now();
        let nik = r.nik.to_string();
        let answer = self
            .agent
            .post(format!("{}/loket/baru", self.url))
            .header("Cookie", &self.cookie)
            .send_form([
                ("csrf", token.as_str()),
                ("sop", "S01"),
                ("nik", nik.as_str()),
                ("nama", r.nama.as_str()),
                ("dokumen", "formulir_permohonan"),
                ("dokumen", "fotokopi_kk"),
            ])
            .expect("the berkas sent");
        assert_eq!(answer.status().as_u16(), 303, "the berkas is accepted");
        (got, t.elapsed())
    }
}
