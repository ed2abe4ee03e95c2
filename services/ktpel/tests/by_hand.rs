//! A person walks one berkas through S01 by hand with the `ktpel` command, against a real
//! `ktpel up` (its own process, SQLite in a temporary directory, a fresh vhost): every desk
//! command, each refusal a person can meet on the way, and Ctrl-C at the end; and `ktpel demo`,
//! which plays every desk itself.

use ktpel_domain::KodeWilayah;
use ktpel_tests::TestVhost;
use std::{
    path::Path,
    process::{Command, Output},
    time::{Duration, Instant},
};

const KTPEL: &str = env!("CARGO_BIN_EXE_ktpel");

mod common;
use common::{Running as Up, free_port};

struct Desk<'a> {
    dir: &'a Path,
    amqp: String,
    url: String,
}

impl<'a> Desk<'a> {
    /// A desk whose commands must fail, or finish, before they reach any broker.
    fn without_broker(dir: &'a Path) -> Self {
        Desk {
            dir,
            amqp: "amqp://nobody:nothing@127.0.0.1:1/%2f".into(),
            url: String::new(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(KTPEL);
        c.args(args)
            .current_dir(self.dir)
            .env("KTPEL__AMQP__URL", &self.amqp)
            .env("KTPEL__TELEMETRY__LOG_FILTER", "warn")
            .env_remove("KTPEL_PASSWORD")
            .env_remove("KTPEL_TOKEN");
        c
    }

    fn run_as(&self, password: Option<&str>, args: &[&str]) -> Output {
        let mut c = self.command(args);
        if let Some(p) = password {
            c.env("KTPEL_PASSWORD", p);
        }
        c.output().expect("ktpel runs")
    }

    /// Runs `ktpel args…` and expects success; returns its standard output.
    fn ok(&self, password: Option<&str>, args: &[&str]) -> String {
        let out = self.run_as(password, args);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(
            out.status.success(),
            "ktpel {args:?} failed: {stdout}{stderr}"
        );
        stdout
    }

    /// Runs `ktpel args…` and expects it to be refused; returns its error.
    fn refused(&self, password: Option<&str>, args: &[&str]) -> String {
        let out = self.run_as(password, args);
        assert_eq!(out.status.code(), Some(1), "ktpel {args:?} should refuse");
        text(&out.stderr)
    }

    /// Runs `ktpel args…` until its output contains `wanted`.
    fn until(&self, args: &[&str], wanted: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let out = self.run_as(None, args);
            let stdout = text(&out.stdout);
            if stdout.contains(wanted) {
                return stdout;
            }
            assert!(
                Instant::now() < deadline,
                "`ktpel {args:?}` never showed {wanted:?}; last: {stdout}{}",
                text(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `ktpel intake submit` for `nik` and `nama` with `dokumen` (comma-separated).
fn submit<'a>(nik: &'a str, nama: &'a str, dokumen: &'a str) -> Vec<&'a str> {
    vec![
        "intake",
        "submit",
        "--nik",
        nik,
        "--nama",
        nama,
        "--dokumen",
        dokumen,
    ]
}

/// SIAK seeded with `n` residents of 32.73.01 by `ktpel registry seed` (the same seed gives
/// the same people, so the test knows who is registered): who they are.
fn seeded(desk: &Desk, n: usize) -> Vec<ktpel_contract::registry::Biodata> {
    let residents = n.to_string();
    desk.ok(
        None,
        &[
            "registry",
            "seed",
            "--residents",
            &residents,
            "--region",
            "32.73.01",
            "--seed",
            "9",
        ],
    );
    ktpel_registry::seed::generate(&KodeWilayah::parse("32.73.01").unwrap(), n, 9).unwrap()
}

/// `ktpel distribute hand-over` of `nik`'s card by ppp1, the tanda terima signed by `signed_by`.
fn hand_over<'a>(nik: &'a str, signed_by: &'a str) -> Vec<&'a str> {
    vec![
        "distribute",
        "hand-over",
        nik,
        "--ppp",
        "ppp1",
        "--signed-by",
        signed_by,
    ]
}

/// The word after `marker` in `s`.
fn after<'s>(s: &'s str, marker: &str) -> &'s str {
    let rest = &s[s
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} in {s}"))
        + marker.len()..];
    rest.split_whitespace().next().expect("a word")
}

#[test]
fn one_berkas_walked_through_s01_by_hand() {
    let vhost = TestVhost::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let http = format!("127.0.0.1:{}", free_port());
    let desk = Desk {
        dir: dir.path(),
        amqp: vhost.url(),
        url: format!("http://{http}"),
    };
    // SIAK first: the same seed gives the same people, so the test knows who is registered.
    let people = seeded(&desk, 2);
    let (nik, nama) = (people[0].nik.to_string(), people[0].nama.clone());
    assert!(desk.ok(None, &["registry", "list"]).contains(&nik));

    // Nobody at intake yet: the desk says it got no answer, and where to look.
    let err = desk.refused(
        None,
        &[
            submit(&nik, &nama, "formulir_permohonan,fotokopi_kk"),
            vec!["--wait", "1"],
        ]
        .concat(),
    );
    assert!(
        err.contains("no answer within 1s: see `ktpel intake list`"),
        "{err}"
    );

    let up = Up(desk
        .command(&["up", "--http", &http])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("ktpel up starts"));
    desk.until(
        &["scheduler", "status", "--url", &desk.url],
        "Scheduler Current Status      RUNNING",
    );

    // S01.1–S01.2 at the kecamatan desk.
    let err = desk.refused(None, &submit(&nik, &nama, "formulir_permohonan"));
    assert!(err.contains("refused: dokumen belum lengkap"), "{err}");
    let err = desk.refused(
        None,
        &submit(
            "3273010101010009",
            "Nobody",
            "formulir_permohonan,fotokopi_kk",
        ),
    );
    assert!(err.contains("tidak terdaftar di SIAK"), "{err}");
    let accepted = desk.ok(
        None,
        &submit(&nik, &nama, "formulir_permohonan,fotokopi_kk"),
    );
    let nomor = after(&accepted, "accepted: berkas ").to_owned();
    assert!(desk.ok(None, &["intake", "list"]).contains(&nomor));

    // S01.3–S01.6 at the station.
    assert!(desk.ok(None, &["enroll", "list"]).contains(&nomor));
    let err = desk.refused(
        None,
        &[
            "enroll",
            "capture",
            &nomor,
            "--operator",
            "op-sukasari",
            "--no-sign-off",
        ],
    );
    assert!(
        err.contains("belum memvalidasi perekaman dengan sidik jarinya"),
        "{err}"
    );
    // The scanners' images: the ten fingers (here the real sample prints, the same print for
    // every finger) and the pas photo. A finger scanned blank is refused by its name, and
    // nothing is sent; scanned again, the capture is enrolled.
    let scans = dir.path().join("scans");
    std::fs::create_dir_all(&scans).unwrap();
    let samples = std::env::var("KTPEL_TEST_FINGERPRINTS")
        .unwrap_or_else(|_| "/var/tmp/ktpel-samples/afis".into());
    let print = std::fs::read(std::path::Path::new(&samples).join("p1_1.png"))
        .expect("the sample prints (scripts/services.sh tools)");
    for finger in ktpel_contract::enrollment::Finger::ALL {
        let name = ktpel_biometric::scanned::file_name(finger);
        std::fs::write(scans.join(name), &print).unwrap();
    }
    let blank = ktpel_biometric::scanned::empty_glass();
    std::fs::write(scans.join("left_little.png"), &blank).unwrap();
    let person = ktpel_biometric::station::Person::of(&ktpel_domain::Nik::parse(&nik).unwrap());
    let photo = dir.path().join("pas-foto.png");
    std::fs::write(&photo, ktpel_biometric::station::portrait(&person, "photo")).unwrap();
    let scanned = [
        "enroll",
        "capture",
        &nomor,
        "--operator",
        "op-sukasari",
        "--fingers",
        scans.to_str().unwrap(),
        "--photo",
        photo.to_str().unwrap(),
    ];
    let err = desk.refused(None, &scanned);
    assert!(
        err.contains("left_little.png: kualitas 0 dengan 0 minutiae")
            && !err.contains("right_thumb"),
        "{err}"
    );
    std::fs::write(scans.join("left_little.png"), &print).unwrap();
    let enrolled = desk.ok(None, &scanned);
    let bukti = after(&enrolled, "bukti perekaman ").to_owned();

    // S19: the NID Scheduler sends it now; the Pusat Data answers PRR.
    desk.ok(None, &["scheduler", "run", "--url", &desk.url]);
    desk.until(&["print", "queue"], &nik);

    // S21 at the Dinas: BCardMgmt signs in with the site's accounts, the desks' own.
    desk.ok(
        Some("rahasia-op"),
        &["user", "add", "op1", "--role", "cetak"],
    );
    desk.ok(
        Some("rahasia-kasi"),
        &["user", "add", "kasi1", "--role", "kepala_seksi"],
    );
    desk.ok(
        Some("rahasia-ppp"),
        &["user", "add", "ppp1", "--role", "ppp"],
    );
    let err = desk.refused(Some("salah"), &["print", "encode", &nik, "--user", "op1"]);
    assert!(
        err.contains("signing in as op1: nama pengguna atau kata sandi salah"),
        "{err}"
    );
    let err = desk.refused(
        Some("rahasia-ppp"),
        &["print", "encode", &nik, "--user", "ppp1"],
    );
    assert!(
        err.contains("account ppp1 has the ppp role: the print desk is for cetak and kepala_seksi"),
        "{err}"
    );
    let op = Some("rahasia-op");
    desk.ok(
        op,
        &[
            "print",
            "encode",
            &nik,
            "--user",
            "op1",
            "--out",
            "chip.json",
        ],
    );
    desk.ok(op, &["print", "print", &nik, "--user", "op1"]);
    // The card as PDF at ID-1 size, read back: its NIK and name.
    let card = std::fs::read(dir.path().join(format!("{nik}.pdf"))).unwrap();
    let face = common::pdf_text(&card);
    assert!(
        face.contains(&nik) && face.contains(&nama.to_uppercase()) && face.contains("SEUMUR HIDUP"),
        "{face}"
    );
    // Its photo is the one the station took, carried with the enrollment: the same pixels.
    let images = ktpel_tests::pdf::Pdf::new(&card).images();
    let person = ktpel_biometric::station::Person::of(&ktpel_domain::Nik::parse(&nik).unwrap());
    let taken = ktpel_biometric::station::portrait(&person, "photo");
    assert_eq!(images.len(), 1, "the photo on the card");
    assert_eq!(
        ktpel_tests::pdf::pixels(&images[0]),
        ktpel_tests::pdf::pixels(&taken),
        "the enrollment's photo"
    );
    let mut chip: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("chip.json")).unwrap()).unwrap();
    chip["data"]["biodata"]["nama"] = "Orang Lain".into();
    std::fs::write(dir.path().join("forged.json"), chip.to_string()).unwrap();
    let err = desk.refused(
        op,
        &[
            "print",
            "verify",
            &nik,
            "--user",
            "op1",
            "--chip",
            "forged.json",
        ],
    );
    assert!(err.contains("signature does not verify"), "{err}");
    desk.ok(op, &["print", "verify", &nik, "--user", "op1"]);
    // The three steps in one sitting are for a card still in the queue: this one is verified.
    let err = desk.refused(op, &["print", "produce", &nik, "--user", "op1"]);
    assert!(
        err.contains(&format!("NIK {nik} is VERIFIED; this step needs QUEUED")),
        "{err}"
    );
    let err = desk.refused(op, &["print", "approve", &nik, "--user", "op1"]);
    assert!(err.contains("needs the kepala_seksi role"), "{err}");
    desk.ok(
        Some("rahasia-kasi"),
        &["print", "approve", &nik, "--user", "kasi1"],
    );

    // S22.
    desk.until(&["distribute", "list"], &nik);
    let err = desk.refused(None, &hand_over(&nik, &nama));
    assert!(err.contains("has not reached the kecamatan yet"), "{err}");
    let batched = desk.ok(
        None,
        &[
            "distribute",
            "batch",
            "--petugas",
            "petugas1",
            "--out-dir",
            "bast",
        ],
    );
    let batch = after(&batched, "batch ").to_owned();
    // The Berita Acara as PDF, read back with poppler's pdftotext: the card, and the date
    // written out in words.
    let pdf = dir.path().join(format!("bast/berita-acara-{batch}.pdf"));
    let berita_acara =
        common::pdf_text(&std::fs::read(&pdf).expect("the Berita Acara was written"));
    assert!(
        berita_acara.contains(&nama) && berita_acara.contains(&nik),
        "the Berita Acara lists the card: {berita_acara}"
    );
    assert!(
        berita_acara.contains("BERITA ACARA SERAH TERIMA KTP-EL")
            && berita_acara.contains("Pada hari ini")
            && berita_acara.contains(" tahun dua ribu "),
        "the date in words: {berita_acara}"
    );
    desk.ok(None, &["distribute", "receive", &batch, "--ppp", "ppp1"]);
    let err = desk.refused(None, &["distribute", "receive", &batch, "--ppp", "ppp1"]);
    assert!(err.contains("already received by ppp1"), "{err}");
    let err = desk.refused(None, &hand_over(&nik, " "));
    assert!(err.contains("needs the name of who received"), "{err}");
    desk.ok(None, &hand_over(&nik, &nama));

    // "Where is berkas X?": at the end, with every hop.
    let shown = desk.until(
        &["berkas", "show", &nomor, "--url", &desk.url],
        "Status CARD_ACTIVATED",
    );
    assert!(
        shown.contains(&format!("Bukti perekaman {bukti}")),
        "{shown}"
    );
    for step in [
        "S01.2", "S01.3", "S01.7", "S01.8", "S19", "S21", "S22.3", "S22.4",
    ] {
        assert!(shown.contains(&format!("  {step} ")), "{step} in {shown}");
    }

    // The card register: the card handed over is the NIK's valid one; an altered chip is not.
    let shown = desk.ok(None, &["card", "show", &nik]);
    assert!(
        shown.contains("S01  VALID, handed over"),
        "the first card, in the resident's hands: {shown}"
    );
    let valid = desk.ok(None, &["card", "verify", "chip.json"]);
    assert!(valid.starts_with("valid: card "), "{valid}");
    let err = desk.refused(None, &["card", "verify", "forged.json"]);
    assert!(
        err.contains("NOT VALID") && err.contains("signature does not verify"),
        "{err}"
    );
    let err = desk.refused(None, &["card", "show", "3273010101010009"]);
    assert!(err.contains("no card of NIK"), "{err}");

    // Who may act: the scheduler's controls need the operator's token, a berkas (a resident's
    // name and NIK) the ppp's; the desk commands above read them from the tokens file `up`
    // made. Without a token, 401; with the other role's, 403. The status stays open.
    let tokens = std::fs::read_to_string(dir.path().join("data/http-tokens"))
        .expect("`ktpel up` made the tokens file");
    let token = |role: &str| {
        tokens
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{role} ")))
            .expect("a token per role")
            .to_owned()
    };
    let call = |method: &str, path: &str, token: Option<String>| {
        let url = format!("{}{path}", desk.url);
        let agent = ureq::Agent::new_with_config(
            ureq::config::Config::builder()
                .http_status_as_error(false)
                .build(),
        );
        let mut response = match (method, token) {
            ("POST", Some(t)) => agent
                .post(&url)
                .header("Authorization", &format!("Bearer {t}"))
                .send_empty(),
            ("POST", None) => agent.post(&url).send_empty(),
            (_, Some(t)) => agent
                .get(&url)
                .header("Authorization", &format!("Bearer {t}"))
                .call(),
            (_, None) => agent.get(&url).call(),
        }
        .expect("the HTTP face answers");
        let body = response.body_mut().read_to_string().unwrap_or_default();
        (response.status().as_u16(), body)
    };
    let berkas_path = format!("/berkas/{nomor}");
    let (code, body) = call("POST", "/scheduler/run", None);
    assert_eq!(code, 401, "{body}");
    assert!(body.contains("needs a bearer token"), "{body}");
    assert_eq!(call("POST", "/scheduler/run", Some("x".repeat(64))).0, 401);
    let (code, body) = call("POST", "/scheduler/run", Some(token("ppp")));
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("needs the operator role"), "{body}");
    assert_eq!(
        call("POST", "/scheduler/run", Some(token("operator"))).0,
        200
    );
    assert_eq!(call("GET", &berkas_path, None).0, 401);
    assert_eq!(call("GET", &berkas_path, Some(token("operator"))).0, 403);
    let (code, body) = call("GET", &berkas_path, Some(token("ppp")));
    assert_eq!(code, 200);
    assert!(body.contains(&nik), "the ppp sees the berkas: {body}");
    // The metrics of what was just done, open like the status and as free of a resident.
    let (code, metrics) = call("GET", "/metrics", None);
    assert_eq!(code, 200, "{metrics}");
    let value = |series: &str| -> f64 {
        metrics
            .lines()
            .filter(|l| l.starts_with(series))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    };
    assert!(
        value(
            "ktpel_messages_applied_total{messaging_consumer_group_name=\"ktpel\",messaging_destination_name=\"intake.berkas\""
        ) >= 3.0,
        "intake applied the submission and the slip's returns: {metrics}"
    );
    assert!(
        value("ktpel_berkas_wait_seconds_count{ktpel_procedure=\"S01\",ktpel_step=\"S01.3\"")
            >= 1.0,
        "the operator's wait at S01.3 is in the histogram: {metrics}"
    );
    assert_eq!(
        value("ktpel_berkas{ktpel_procedure=\"S01\",ktpel_status=\"CARD_ACTIVATED\""),
        1.0,
        "{metrics}"
    );
    assert!(
        value("ktpel_nid_scheduler_records_sent_total") >= 1.0,
        "the S19.5 counter rose: {metrics}"
    );
    assert_eq!(value("ktpel_queue_dead_letters"), 0.0, "{metrics}");
    for open in [
        "/health",
        "/ready",
        "/status",
        "/scheduler",
        "/",
        "/metrics",
    ] {
        let (code, body) = call("GET", open, None);
        assert_eq!(code, 200, "{open} stays open");
        assert!(!body.contains(&nik), "{open} shows no NIK");
    }
    // A desk command with a wrong token says why.
    let out = desk
        .command(&["berkas", "show", &nomor, "--url", &desk.url])
        .env("KTPEL_TOKEN", "salah-salah-salah-salah-salah-salah")
        .output()
        .expect("ktpel runs");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("401") && err.contains("not one of this site's"),
        "{err}"
    );

    // Ctrl-C: `ktpel up` stops by itself, successfully.
    up.ctrl_c();
}

#[test]
fn the_demo_takes_its_residents_to_card_activated() {
    let vhost = TestVhost::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let desk = Desk {
        dir: dir.path(),
        amqp: vhost.url(),
        url: String::new(),
    };
    let out = desk.ok(None, &["demo", "--residents", "3", "--documents", "papers"]);
    assert!(
        out.contains("| handed over with a tanda terima: CARD_ACTIVATED (S22.4) | 3/3 |"),
        "{out}"
    );
    assert!(out.contains("the papers of 3 berkas"), "{out}");
    assert!(out.trim_end().ends_with("completed 3/3"), "{out}");
    // One folder per berkas, each with its papers, each naming the berkas.
    let folders: Vec<_> = std::fs::read_dir(dir.path().join("papers"))
        .expect("the papers' folder")
        .map(|e| e.expect("an entry").path())
        .collect();
    assert_eq!(folders.len(), 3, "{folders:?}");
    for folder in folders {
        let nomor = folder.file_name().unwrap().to_string_lossy().into_owned();
        let mut papers: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        papers.sort();
        assert_eq!(papers.len(), 5, "{nomor}: {papers:?}");
        assert!(papers[0].starts_with("berita-acara-"), "{papers:?}");
        assert!(papers[2].starts_with("kartu-"), "{papers:?}");
        assert!(papers[4].starts_with("tanda-terima-"), "{papers:?}");
        assert_eq!(papers[1], "bukti-perekaman.pdf");
        assert_eq!(papers[3], "salinan-permohonan.pdf");
        for paper in &papers {
            let text = common::pdf_text(&std::fs::read(folder.join(paper)).unwrap());
            if let Some(nik) = paper
                .strip_prefix("kartu-")
                .and_then(|p| p.strip_suffix(".pdf"))
            {
                // The card names its holder, not the berkas: its NIK and every element.
                for wanted in [
                    nik,
                    "PROVINSI JAWA BARAT",
                    "Status Perkawinan",
                    "SEUMUR HIDUP",
                ] {
                    assert!(text.contains(wanted), "{nomor}/{paper}: {wanted}: {text}");
                }
            } else {
                assert!(text.contains(&nomor), "{nomor}/{paper}: {text}");
            }
        }
    }
}

/// `ktpel demo --kecamatan 2`: the Dinas, two of its kecamatan and the Pusat Data, each on a
/// vhost of its own, linked by shovels as in production.
#[test]
fn the_demo_runs_a_dinas_and_its_kecamatan_as_linked_sites() {
    let scene = Scene::new();
    let (dir, desk) = (&scene.dir, scene.desk());
    // S04's residents are entered in SIAK at the Dinas on the way, across the link.
    let out = desk.ok(
        None,
        &[
            "demo",
            "--residents",
            "6",
            "--kecamatan",
            "2",
            "--procedures",
            "S01,S04",
        ],
    );
    assert!(
        out.contains("2 kecamatan of dinas:32.73") && out.contains("through S01, S04"),
        "the demo names its sites and procedures: {out}"
    );
    assert!(out.trim_end().ends_with("completed 6/6"), "{out}");
    // Each site's services kept their data at their own site.
    for site in [
        "dinas-32.73",
        "kecamatan-32.73.01",
        "kecamatan-32.73.02",
        "pusat-data",
    ] {
        assert!(
            dir.path().join("data/demo").join(site).is_dir(),
            "no data of {site}"
        );
    }
    assert!(
        !dir.path()
            .join("data/demo/kecamatan-32.73.01/card-print.db")
            .exists(),
        "a kecamatan prints no cards"
    );
    scene.nothing_left_on_the_broker();
}

/// `ktpel demo` beside a `ktpel up` on the same vhost would share its queues with it and never
/// finish: it refuses at once and says why.
#[test]
fn the_demo_refuses_to_run_beside_ktpel_up_on_its_vhost() {
    let scene = Scene::new();
    let desk = scene.desk();
    let http = format!("127.0.0.1:{}", free_port());
    let _up = Up(desk
        .command(&["up", "--http", &http])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("ktpel up starts"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while ureq::get(format!("http://{http}/ready")).call().is_err() {
        assert!(Instant::now() < deadline, "ktpel up never became ready");
        std::thread::sleep(Duration::from_millis(200));
    }
    let other = tempfile::tempdir().unwrap();
    let beside = Desk {
        dir: other.path(),
        amqp: scene.vhost.url(),
        url: String::new(),
    };
    let err = beside.refused(None, &["demo", "--residents", "2"]);
    assert!(
        err.contains("another ktpel (`ktpel up`?) is consuming queue intake.berkas"),
        "{err}"
    );
}

/// `ktpel demo --procedures all`: a mix of every procedure — first cards (S01, S04,
/// S05), then every replacement and relocation (S18 to another kabupaten/kota) once the cards
/// are in the residents' hands; S02 and S03 in a second part, their kecamatan offline — a row
/// per procedure, each with residents and each done, and `completed N/N` over both parts.
#[test]
fn the_demo_runs_every_procedure_with_a_row_each() {
    let scene = Scene::new();
    let desk = scene.desk();
    let out = desk.ok(None, &["demo", "--residents", "100", "--procedures", "all"]);
    assert!(
        out.contains("in two parts — S01, S04, S05"),
        "the offline procedures in a part of their own: {out}"
    );
    every_procedure_done(&out);
    assert!(out.trim_end().ends_with("completed 100/100"), "{out}");
}

/// A row for each procedure S01–S18 in the demo's table, each with residents and all done.
fn every_procedure_done(out: &str) {
    for id in 1..=18 {
        let sop = format!("S{id:02}");
        let row = out
            .lines()
            .find(|l| l.starts_with(&format!("| {sop} ")))
            .unwrap_or_else(|| panic!("a row for {sop}: {out}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (of, done) = (cells[2], cells[3]);
        assert_eq!(done, format!("{of}/{of}"), "{sop} all done: {row}");
        assert_ne!(of, "0", "{sop} has residents: {row}");
    }
    assert!(
        out.contains("section C: handed over, berkas closed"),
        "{out}"
    );
}

/// `ktpel demo --procedures all --kecamatan 2`: section C across sites — an A variant at the
/// resident's kecamatan, a B variant at the Dinas desk, S15/S16 at the counter of the
/// kecamatan of arrival, S17 at the Dinas desk, S18 between two Dinas: the destination
/// (Kabupaten Bogor, 32.01) runs as a site of its own below the same Pusat Data, takes the
/// family's berkas at its desk and prints their cards with a key of its own. A berkas taken at
/// the Dinas desk is numbered in the Dinas's series (`…-D0001`), never one the kecamatan's
/// counter gives the same day. Nothing is left on the broker.
#[test]
fn the_demo_runs_section_c_across_sites_and_s18_between_two_dinas() {
    let scene = Scene::new();
    let (dir, desk) = (&scene.dir, scene.desk());
    let out = desk.ok(
        None,
        &[
            "demo",
            "--residents",
            "60",
            "--procedures",
            "all",
            "--kecamatan",
            "2",
        ],
    );
    assert!(
        out.contains("dinas:32.73, dinas:32.01, kecamatan:32.73.01, kecamatan:32.73.02"),
        "the destination of S18 runs as a site: {out}"
    );
    every_procedure_done(&out);
    assert!(out.trim_end().ends_with("completed 60/60"), "{out}");

    let data = dir.path().join("data/demo");
    let key = |site: &str| std::fs::read_to_string(data.join(site).join("dinas-signing.key"));
    let (origin, destination) = (key("dinas-32.73").unwrap(), key("dinas-32.01").unwrap());
    assert_ne!(
        origin, destination,
        "each Dinas signs with a key of its own"
    );

    let numbers = |site: &str, sql: &str| -> Vec<String> {
        let db = data.join(site).join("intake.db");
        let out = Command::new("sqlite3")
            .arg(&db)
            .arg(sql)
            .output()
            .expect("sqlite3");
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout).lines().map(str::to_owned).collect()
    };
    let s18 = numbers(
        "dinas-32.01",
        "select nomor_berkas || ' ' || status from intake_berkas where sop = 'S18'",
    );
    assert!(
        !s18.is_empty()
            && s18.iter().all(|b| b.starts_with("3201")
                && b.contains("-D")
                && b.ends_with("CARD_ACTIVATED")),
        "S18's berkas taken at the destination's desk, in its series, activated: {s18:?}"
    );
    // The Dinas desk's series and the kecamatan counter's never meet.
    let at_dinas = numbers(
        "dinas-32.73",
        "select nomor_berkas from intake_berkas where sop in ('S07','S08','S10','S12','S14','S17')",
    );
    assert!(
        !at_dinas.is_empty() && at_dinas.iter().all(|n| n.contains("-D")),
        "{at_dinas:?}"
    );
    for kecamatan in ["kecamatan-32.73.01", "kecamatan-32.73.02"] {
        let there = numbers(kecamatan, "select nomor_berkas from intake_berkas");
        assert!(there.iter().all(|n| !n.contains("-D")), "{there:?}");
    }
    scene.nothing_left_on_the_broker();
}

/// A linked demo killed (`kill -9`) leaves its sites on the broker; the next demo removes them
/// — their links stopped first, so that none declares its queue again in the new sites — and
/// runs. A demo interrupted (SIGINT) stops its services, removes what it made and says so,
/// with a non-zero exit.
#[test]
fn a_demo_killed_or_interrupted_leaves_nothing_the_next_trips_on() {
    let scene = Scene::new();
    let desk = scene.desk();
    let prefix = format!("{}-", scene.vhost.name);
    let long = ["demo", "--residents", "3000", "--kecamatan", "2"];
    let started = |child: &mut std::process::Child| {
        let deadline = Instant::now() + Duration::from_secs(60);
        // Its sites made, and its services at work for a moment.
        // Four vhosts (the Pusat Data, the Dinas, two kecamatan) and three users.
        while scene.vhost.broker.named(&prefix).len() < 7 {
            assert!(Instant::now() < deadline, "the demo never made its sites");
            assert!(child.try_wait().unwrap().is_none(), "the demo ended early");
            std::thread::sleep(Duration::from_millis(200));
        }
        std::thread::sleep(Duration::from_secs(3));
    };

    let mut killed = desk
        .command(&long)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("ktpel demo starts");
    started(&mut killed);
    killed.kill().expect("kill -9");
    killed.wait().unwrap();
    assert!(
        !scene.vhost.broker.named(&prefix).is_empty(),
        "a killed demo cannot clean up"
    );
    let out = desk.ok(
        None,
        &[
            "demo",
            "--residents",
            "6",
            "--kecamatan",
            "2",
            "--procedures",
            "S01",
        ],
    );
    assert!(out.trim_end().ends_with("completed 6/6"), "{out}");

    let mut interrupted = Up(desk
        .command(&long)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ktpel demo starts"));
    // Read as it comes, so that a full pipe never holds the demo up.
    let mut stderr = interrupted.0.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut all = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut all).unwrap();
        all
    });
    started(&mut interrupted.0);
    let pid = interrupted.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = interrupted.0.wait().unwrap();
    let errors = errors.join().unwrap();
    assert_eq!(status.code(), Some(1), "{errors}");
    assert!(
        errors.contains("interrupted: the demo's services stopped"),
        "{errors}"
    );
    scene.nothing_left_on_the_broker();
}

/// `ktpel demo --procedures S02,S03,S05`: three residents not in SIAK go through
/// S05 first (their berkas to the Dinas and back, over the link); then the kecamatan works
/// with no link, the demo carries every enrollment to the Dinas in an S20 bundle, and every
/// berkas ends activated.
/// Then an operator at the Dinas meets the bundle by hand with `ktpel backup`: `show` reads
/// its header without a key; importing it again adds nothing; a copy with one byte changed,
/// a cut-short copy and a file that is no bundle are refused with the reason, importing
/// nothing; and the kecamatan, its link back, has nothing left to send.
#[test]
fn the_offline_demo_carries_a_bundle_and_the_backup_commands_refuse_what_they_must() {
    let scene = Scene::new();
    let (dir, desk) = (&scene.dir, scene.desk());
    let out = desk.ok(
        None,
        &["demo", "--residents", "9", "--procedures", "S02,S03,S05"],
    );
    assert!(out.contains("through S02, S03, S05"), "{out}");
    assert!(
        out.contains("SIAK, KK back (S05.2–S05.7) | 3/3 |"),
        "three new residents registered first: {out}"
    );
    assert!(
        out.contains("9 records — 9 new, 0 already known, 0 refused"),
        "the demo's import: {out}"
    );
    assert!(out.trim_end().ends_with("completed 9/9"), "{out}");

    let kecamatan = dir.path().join("data/demo/kecamatan-32.73.01");
    let bundle = std::fs::read_dir(&kecamatan)
        .expect("the kecamatan's folder")
        .map(|e| e.expect("an entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "s20"))
        .expect("the bundle the demo wrote");
    let bundle_arg = bundle.to_str().expect("a UTF-8 path");
    let shown = desk.ok(None, &["backup", "show", bundle_arg]);
    assert!(
        shown.contains("site        32.73.01") && shown.contains("records     9"),
        "{shown}"
    );

    // At the Dinas's Server AFIS, with its keys, its trusted sites and its queue.
    let dinas = dir.path().join("data/demo/dinas-32.73");
    let at_dinas = |args: &[&str]| {
        let mut c = desk.command(args);
        c.env("KTPEL_AFIS_SYNC__BUNDLE_KEY_FILE", dinas.join("site.key"))
            .env(
                "KTPEL_AFIS_SYNC__TRUSTED_SITES_FILE",
                dinas.join("trusted-sites"),
            )
            .env(
                "KTPEL_AFIS_SYNC__DATABASE__URL",
                format!("sqlite://{}", dinas.join("afis-sync.db").display()),
            );
        c.args([
            "--site",
            "dinas:32.73",
            "--parent-url",
            "amqp://dinas:secret@127.0.0.1/",
        ]);
        c.output().expect("ktpel runs")
    };
    let again = at_dinas(&["backup", "import", bundle_arg]);
    let said = text(&again.stdout);
    assert!(again.status.success(), "{said}{}", text(&again.stderr));
    assert!(
        said.contains("0 new, 9 already known") && said.contains("imported before"),
        "a second import doubles nothing: {said}"
    );

    let bytes = std::fs::read(&bundle).expect("the bundle");
    let mut tampered = bytes.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x01;
    for (name, content, reason) in [
        ("tampered.s20", tampered, "altered after export"),
        ("short.s20", bytes[..bytes.len() / 3].to_vec(), "truncated"),
        (
            "photo.jpg",
            b"\xff\xd8\xff not a bundle".to_vec(),
            "not an S20 bundle",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, content).expect("write the copy");
        let out = at_dinas(&["backup", "import", path.to_str().expect("UTF-8")]);
        let e = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {e}");
        assert!(
            e.contains("refused, nothing imported") && e.contains(reason),
            "{name}: {e}"
        );
    }

    // Back at the kecamatan, its link returned: the Pusat Data has everything.
    let at_kecamatan = |args: &[&str]| {
        let mut c = desk.command(args);
        c.env(
            "KTPEL_BIOMETRIC__DATABASE__URL",
            format!("sqlite://{}", kecamatan.join("biometric.db").display()),
        )
        .env(
            "KTPEL_BIOMETRIC__BUNDLE_KEY_FILE",
            kecamatan.join("site.key"),
        );
        c.args(["--site", "kecamatan:32.73.01", "--offline"]);
        c.output().expect("ktpel runs")
    };
    let status = at_kecamatan(&["backup", "status"]);
    assert!(
        text(&status.stdout).contains("every enrollment has reached the Pusat Data"),
        "{}{}",
        text(&status.stdout),
        text(&status.stderr)
    );
    let fresh = dir.path().join("again.s20");
    let export = at_kecamatan(&[
        "backup",
        "export",
        "--out",
        fresh.to_str().expect("UTF-8"),
        "--to",
        &"ab".repeat(32),
    ]);
    assert!(
        text(&export.stdout).contains("nothing to export"),
        "{}{}",
        text(&export.stdout),
        text(&export.stderr)
    );
    assert!(!fresh.exists(), "no empty bundle is written");
}

/// The broker stops for 8 s in the middle of `ktpel demo` and comes back: every service and
/// every desk rides it out, and nothing is dead-lettered. On a RabbitMQ node
/// of its own, never the shared one.
#[test]
fn the_demo_rides_out_a_broker_restart() {
    let broker = ktpel_tests::TestBroker::restartable();
    let vhost = TestVhost::on(broker.clone());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let desk = Desk {
        dir: dir.path(),
        amqp: vhost.url(),
        url: String::new(),
    };
    let demo = desk
        .command(&["demo", "--residents", "300"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ktpel demo starts");
    std::thread::sleep(Duration::from_secs(2));
    broker.stop_app();
    std::thread::sleep(Duration::from_secs(8));
    broker.start_app();
    completed_with_nothing_dead_lettered(demo, 300, broker.node.as_deref(), &vhost.name);
}

/// `ktpel demo` for 300 residents on the three-node RabbitMQ cluster of the tests, given
/// every node's URL, in a vhost and directory of its own, the cluster taken for the test.
struct ClusterDemo {
    demo: Watched,
    vhost: TestVhost,
    dir: tempfile::TempDir,
    cluster: ktpel_tests::cluster::TestCluster,
    _turn: std::sync::MutexGuard<'static, ()>,
}

impl ClusterDemo {
    /// Starts the demo; once its services run, each quorum queue they declared has a replica
    /// on all three nodes.
    fn start() -> Self {
        let cluster = ktpel_tests::cluster::TestCluster::of_three();
        let turn = cluster.take();
        let vhost = cluster.vhost();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let desk = Desk {
            dir: dir.path(),
            amqp: cluster.urls(&vhost),
            url: String::new(),
        };
        let demo = Watched::spawn(&mut desk.command(&["demo", "--residents", "300"]));
        demo.until("at the operator (S01.3)");
        let queues = cluster.queues(&vhost.name, &["name", "type", "members"]);
        for q in queues.iter().filter(|q| q[1] == "quorum") {
            assert_eq!(
                q[2].matches("@localhost").count(),
                3,
                "{} is replicated on every node: {q:?}",
                q[0]
            );
        }
        assert!(
            queues.len() > 10,
            "the services declared their queues: {queues:?}"
        );
        Self {
            demo,
            vhost,
            dir,
            cluster,
            _turn: turn,
        }
    }

    /// The node that leads most of the demo's queues.
    fn leader(&self) -> usize {
        self.cluster.leader_host(&self.vhost.name)
    }

    /// The demo completed, nothing dead-lettered or unrouted (asked of the first node, back
    /// by now), and in the demo's intake database every berkas at CARD_ACTIVATED having
    /// heard each status once, in order.
    fn completed_once_in_order(self) {
        let (out, stdout) = self.demo.finish();
        completed_as_said(
            &out,
            &stdout,
            300,
            Some(&self.cluster.nodes[0].name()),
            &self.vhost.name,
        );
        let intake = format!(
            "sqlite://{}/data/intake.db?mode=ro",
            self.dir.path().display()
        );
        let checked = tokio::runtime::Runtime::new()
            .expect("a runtime")
            .block_on(async {
                let db = sea_orm::Database::connect(&intake)
                    .await
                    .expect("the demo's intake database");
                ktpel_tests::statuses::each_once_in_order(&db).await
            });
        assert_eq!(checked, Ok(300), "{intake}");
    }
}

/// A 300-resident run on a three-node cluster loses a node that leads none of its queues
/// (`kill -9`, no goodbye), gets it back, then loses another and gets it back: every service
/// and desk rides it out on the other nodes, and every berkas goes through once, in order.
/// On a cluster of its own (`scripts/services.sh cluster`), never the shared broker.
#[test]
fn the_demo_rides_out_losing_cluster_nodes_one_after_another() {
    let mut run = ClusterDemo::start();
    let leader = run.leader();
    for (i, node) in (0..3).filter(|&i| i != leader).enumerate() {
        assert!(
            run.demo.runs(),
            "the demo still runs when node {i} is killed"
        );
        run.cluster.kill(node);
        run.demo.moves_on("a node is down");
        run.cluster.start();
    }
    run.completed_once_in_order();
}

/// The same, losing the node that leads the queues — where the services connected first
/// and declared them: the queues elect leaders on the other two, the services reconnect to
/// the next node in `amqp.url`, and every berkas goes through once, in order.
#[test]
fn the_demo_rides_out_losing_the_node_that_leads_the_queues() {
    let mut run = ClusterDemo::start();
    let leader = run.leader();
    // The queues the services read, and where their consumers are: waited for, for a
    // service consumes once it has declared its queues.
    let read_on = |run: &ClusterDemo| run.cluster.consumers(&run.vhost.name);
    let deadline = Instant::now() + Duration::from_secs(30);
    let read: Vec<String> = loop {
        let mut queues: Vec<String> = read_on(&run).into_iter().map(|(q, _)| q).collect();
        queues.sort();
        queues.dedup();
        if queues.len() >= 7 || Instant::now() > deadline {
            break queues;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    assert!(read.len() >= 7, "every service reads its queue: {read:?}");
    run.cluster.kill(leader);
    let killed = Instant::now();
    let deadline = killed + Duration::from_secs(30);
    while run.leader() == leader {
        assert!(Instant::now() < deadline, "the queues elect new leaders");
        std::thread::sleep(Duration::from_millis(500));
    }
    // Every service is back on the nodes that remain, before its node returns: each queue
    // that had a consumer has one again, on a node that is up.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = read_on(&run);
        let unread: Vec<&String> = read
            .iter()
            .filter(|q| !now.iter().any(|(r, on)| r == *q && *on != leader))
            .collect();
        if unread.is_empty() {
            // A measurement, printed for the record (`--nocapture`), never asserted on.
            eprintln!(
                "every service consumed again {:.1} s after the kill",
                killed.elapsed().as_secs_f64()
            );
            break;
        }
        assert!(
            Instant::now() < deadline && run.demo.runs(),
            "every service reads its queue again while the node is down: {unread:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(
        run.demo.runs(),
        "the demo still runs while the node is down"
    );
    run.demo.moves_on("the node that led the queues is down");
    run.cluster.start();
    run.completed_once_in_order();
}

/// `demo` ends well with all `residents` through, and on `vhost` (of `node`; none: the
/// shared broker) nothing was dead-lettered or unrouted.
fn completed_with_nothing_dead_lettered(
    demo: std::process::Child,
    residents: usize,
    node: Option<&str>,
    vhost: &str,
) {
    let out = demo.wait_with_output().expect("ktpel demo ends");
    completed_as_said(&out, &text(&out.stdout), residents, node, vhost);
}

/// As [`completed_with_nothing_dead_lettered`], for a demo `out` whose standard output
/// `stdout` was read as it ran.
fn completed_as_said(
    out: &Output,
    stdout: &str,
    residents: usize,
    node: Option<&str>,
    vhost: &str,
) {
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "ktpel demo failed: {stdout}{stderr}");
    assert!(
        stdout
            .trim_end()
            .ends_with(&format!("completed {residents}/{residents}")),
        "{stdout}"
    );
    let mut rabbitmqctl = Command::new("rabbitmqctl");
    if let Some(node) = node {
        rabbitmqctl.args(["-n", node]);
    }
    let queues = rabbitmqctl
        .args(["-q", "list_queues", "-p", vhost, "name", "messages"])
        .output()
        .expect("rabbitmqctl");
    for line in text(&queues.stdout).lines() {
        let mut cols = line.split_whitespace();
        let (name, messages) = (cols.next().unwrap_or(""), cols.next().unwrap_or("0"));
        if name.ends_with(".dlq") || name == "ktpel.unrouted" {
            assert_eq!(messages, "0", "{name} after the restart");
        }
    }
}

/// A running `ktpel demo` whose progress lines the test reads as they come. Its log
/// (stderr) is read as it comes too: a pipe nobody reads fills up, and the demo's next log
/// line would then hold up the thread that writes it, and with it the demo.
struct Watched {
    demo: std::process::Child,
    said: std::sync::mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<String>,
    log: std::thread::JoinHandle<Vec<u8>>,
}

impl Watched {
    fn spawn(demo: &mut Command) -> Self {
        let mut demo = demo
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("ktpel demo starts");
        let (lines, said) = std::sync::mpsc::channel();
        let stdout = demo.stdout.take().expect("the demo's output");
        let mut stderr = demo.stderr.take().expect("the demo's log");
        let log = std::thread::spawn(move || {
            let mut all = Vec::new();
            let _ = std::io::Read::read_to_end(&mut stderr, &mut all);
            all
        });
        let reader = std::thread::spawn(move || {
            use std::io::BufRead;
            let mut all = String::new();
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                all.push_str(&line);
                all.push('\n');
                let _ = lines.send(line);
            }
            all
        });
        Self {
            demo,
            said,
            reader,
            log,
        }
    }

    /// Returns once the demo prints a line with `wanted`.
    fn until(&self, wanted: &str) {
        loop {
            match self.said.recv_timeout(Duration::from_secs(120)) {
                Ok(line) if line.contains(wanted) => break,
                Ok(_) => {}
                Err(e) => panic!("the demo never said {wanted:?}: {e}"),
            }
        }
    }

    /// Returns once the demo printed two more progress lines (a count that moved, a stage
    /// done): it moves on. Panics, saying `while`, if it does not within a minute.
    fn moves_on(&self, while_: &str) {
        for _ in 0..2 {
            if let Err(e) = self.said.recv_timeout(Duration::from_secs(60)) {
                panic!("the demo did not move on while {while_}: {e}");
            }
        }
    }

    /// Whether the demo has not ended yet.
    fn runs(&mut self) -> bool {
        self.demo.try_wait().expect("the demo").is_none()
    }

    /// How the demo ended, and all it printed.
    fn finish(mut self) -> (Output, String) {
        let status = self.demo.wait().expect("ktpel demo ends");
        let stdout = self.reader.join().expect("the demo's output read");
        let stderr = self.log.join().expect("the demo's log read");
        let out = Output {
            status,
            stdout: Vec::new(),
            stderr,
        };
        (out, stdout)
    }
}

/// Every service of a site, each with a database of its own.
const SERVICES: [&str; 7] = [
    "intake",
    "registry",
    "biometric",
    "afis-sync",
    "card-print",
    "pusat-data",
    "distribution",
];

/// PostgreSQL restarts twice in the middle of `ktpel demo`, every service's database on it:
/// once fast (`pg_ctl restart -m fast`, every connection cut) while the services take the
/// berkas to the Pusat Data, once killed (`kill -9` of the postmaster) as the demo's print desk
/// starts on the cards, and started again seconds later. Every service — its consumer, its relay —
/// and every desk rides it out without being restarted: every resident reaches
/// CARD_ACTIVATED, nothing is dead-lettered, and no berkas, card or hand-over is made twice.
/// On a PostgreSQL server of its own, never the shared one.
#[test]
fn the_demo_rides_out_postgresql_restarts() {
    let pg = ktpel_tests::TestPostgresServer::restartable();
    let vhost = TestVhost::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let desk = Desk {
        dir: dir.path(),
        amqp: vhost.url(),
        url: String::new(),
    };
    let _turn = pg.take();
    let dbs = pg.databases(&vhost.name, &SERVICES);
    let mut demo = desk.command(&["demo", "--residents", "300"]);
    for service in SERVICES {
        demo.env(
            format!(
                "KTPEL_{}__DATABASE__URL",
                service.to_uppercase().replace('-', "_")
            ),
            dbs.url(service),
        );
    }
    // The server restarts while the services take the berkas to the Pusat Data, and is
    // killed as the demo's print desk starts on the cards.
    let mut demo = Watched::spawn(&mut demo);
    demo.until("at the operator (S01.3): 300/300");
    pg.restart_fast();
    demo.until("in the print queue: 300/300");
    assert!(demo.runs(), "the demo still runs when the server is killed");
    pg.kill();
    std::thread::sleep(Duration::from_secs(3));
    pg.start();
    let (out, stdout) = demo.finish();
    completed_as_said(&out, &stdout, 300, None, &vhost.name);
    assert_eq!(
        dbs.count("intake", "intake_berkas"),
        "300",
        "one berkas each"
    );
    assert_eq!(
        dbs.count("card-print", "card_register"),
        "300",
        "one card each"
    );
    assert_eq!(
        dbs.count("distribution", "distribution_kartu"),
        "300",
        "one card each in distribution"
    );
}

/// `ktpel up` with every service's database on a PostgreSQL server that is then killed
/// (`kill -9` of the postmaster): `/ready` answers "not ready" while the server is gone and
/// "ready" once it is back, and the services — consumers, relays, the desk's line — take
/// berkas again without being restarted. On a PostgreSQL server of its own.
#[test]
fn ktpel_up_is_not_ready_while_postgresql_is_gone_and_takes_berkas_after() {
    let pg = ktpel_tests::TestPostgresServer::restartable();
    let vhost = TestVhost::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let http = format!("127.0.0.1:{}", free_port());
    let desk = Desk {
        dir: dir.path(),
        amqp: vhost.url(),
        url: format!("http://{http}"),
    };
    // Each service's database in its settings file, as an operator would set it.
    let _turn = pg.take();
    let dbs = pg.databases(&vhost.name, &SERVICES);
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    for service in SERVICES {
        let url = dbs.url(service);
        std::fs::write(
            dir.path().join(format!("config/{service}.toml")),
            format!("[database]\nurl = \"{url}\"\n"),
        )
        .unwrap();
    }
    let people = seeded(&desk, 2);
    let up = Up(desk
        .command(&["up", "--http", &http])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("ktpel up starts"));
    let agent = ureq::Agent::new_with_config(
        ureq::config::Config::builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build(),
    );
    let ready = || {
        agent
            .get(format!("http://{http}/ready"))
            .call()
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    };
    let until = |wanted: u16, what: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while ready() != wanted {
            assert!(Instant::now() < deadline, "/ready never said {what}");
            std::thread::sleep(Duration::from_millis(300));
        }
    };
    until(200, "ready");
    let accepted = |i: usize| {
        let (nik, nama) = (people[i].nik.to_string(), people[i].nama.clone());
        let out = desk.ok(
            None,
            &submit(&nik, &nama, "formulir_permohonan,fotokopi_kk"),
        );
        assert!(out.contains("accepted: berkas"), "{out}");
    };
    accepted(0);

    // A container's healthcheck asks the same: `ktpel ready` exits 0, or 1 with why.
    assert!(
        desk.ok(None, &["ready", "--url", &desk.url])
            .contains("ready"),
        "ktpel ready says so"
    );
    pg.kill();
    until(503, "not ready");
    // Not ready: said (503), or not said within the five seconds a healthcheck waits.
    let why = desk.refused(None, &["ready", "--url", &desk.url]);
    assert!(
        why.contains("503 Service Unavailable: not ready") || why.contains("timeout"),
        "{why}"
    );
    pg.start();
    until(200, "ready again");
    // The same process, not restarted: the desk's berkas is taken, numbered and handed on.
    accepted(1);
    assert_eq!(
        dbs.count("intake", "intake_berkas"),
        "2",
        "each berkas once"
    );
    up.ctrl_c();
}

/// `ktpel up` on SQLite killed (`kill -9`) with berkas in flight, and started again on the
/// same files: every berkas sent is taken once — numbered and handed to the operator — none
/// lost, none twice.
#[test]
fn ktpel_up_killed_on_sqlite_takes_every_berkas_once_when_started_again() {
    const N: usize = 60;
    let vhost = TestVhost::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let http = format!("127.0.0.1:{}", free_port());
    let desk = Desk {
        dir: dir.path(),
        amqp: vhost.url(),
        url: format!("http://{http}"),
    };
    let people = seeded(&desk, N);
    let start = || {
        let up = desk
            .command(&["up", "--http", &http])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("ktpel up starts");
        let deadline = Instant::now() + Duration::from_secs(60);
        while ureq::get(format!("http://{http}/ready")).call().is_err() {
            assert!(Instant::now() < deadline, "ktpel up never became ready");
            std::thread::sleep(Duration::from_millis(100));
        }
        up
    };
    let taken = || {
        let listed = desk.ok(None, &["intake", "list", "--limit", "1000"]);
        let numbers: std::collections::BTreeSet<String> = listed
            .lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
            .collect();
        assert_eq!(
            numbers.len(),
            listed.lines().count(),
            "a berkas twice: {listed}"
        );
        listed
    };
    // The queues declared, then the berkas sent while nobody takes them.
    let mut up = start();
    up.kill().unwrap();
    up.wait().unwrap();
    for p in &people {
        let nik = p.nik.to_string();
        let args = [
            submit(&nik, &p.nama, "formulir_permohonan,fotokopi_kk"),
            vec!["--wait", "0"],
        ]
        .concat();
        desk.ok(None, &args);
    }
    // Killed as soon as intake has taken the first.
    let mut up = start();
    let deadline = Instant::now() + Duration::from_secs(60);
    while taken().lines().count() == 0 {
        assert!(Instant::now() < deadline, "intake never took a berkas");
        std::thread::sleep(Duration::from_millis(50));
    }
    up.kill().unwrap();
    up.wait().unwrap();
    let at_kill = taken().lines().count();
    assert!(at_kill < N, "killed mid-run: {at_kill} of {N} taken");
    eprintln!("ktpel up killed with {at_kill} of {N} berkas taken");

    // Started again on the same files: the rest are taken, each once, and every one is on the
    // operator's worklist.
    let up = Up(start());
    let deadline = Instant::now() + Duration::from_secs(120);
    let listed = loop {
        let listed = taken();
        if listed.lines().count() == N {
            break listed;
        }
        assert!(
            Instant::now() < deadline,
            "not every berkas was taken: {listed}"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    for p in &people {
        assert_eq!(
            listed.matches(p.nik.as_str()).count(),
            1,
            "{} once: {listed}",
            p.nik
        );
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while desk
        .ok(None, &["enroll", "list"])
        .matches("327301-")
        .count()
        < N
    {
        assert!(
            Instant::now() < deadline,
            "not every berkas reached the operator"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    assert_eq!(
        desk.ok(None, &["enroll", "list"])
            .matches("327301-")
            .count(),
        N,
        "each at the operator once"
    );
    up.ctrl_c();
}

/// A fresh vhost (and what demos make from its name, deleted after) and a temporary
/// directory: where a test runs `ktpel` as a user would.
struct Scene {
    vhost: TestVhost,
    _cleanup: Cleanup,
    dir: tempfile::TempDir,
}

impl Scene {
    fn new() -> Self {
        let vhost = TestVhost::new();
        let cleanup = Cleanup(vhost.broker.clone(), vhost.name.clone());
        Self {
            vhost,
            _cleanup: cleanup,
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn desk(&self) -> Desk<'_> {
        Desk {
            dir: self.dir.path(),
            amqp: self.vhost.url(),
            url: String::new(),
        }
    }

    /// No vhost or user a demo made (named after the scene's vhost) is left on the broker: a
    /// later demo's "offline" kecamatan would otherwise still have this one's links.
    fn nothing_left_on_the_broker(&self) {
        let left = self.vhost.broker.named(&format!("{}-", self.vhost.name));
        assert!(left.is_empty(), "left on the broker: {left:?}");
    }
}

/// Deletes what `ktpel demo --kecamatan` made on the broker (vhosts and users named after the
/// test's vhost).
struct Cleanup(ktpel_tests::TestBroker, String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        self.0.delete_all_named(&format!("{}-", self.1));
    }
}

/// S05 at the desk: a resident not in SIAK comes with the Formulir Biodata; the command names
/// every field missing from it, and what it takes instead of a NIK, before sending anything.
#[test]
fn a_new_residents_berkas_needs_the_formulir_biodata_at_the_desk() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let desk = Desk::without_broker(dir.path());
    let words = |line: &'static str| line.split_whitespace().collect::<Vec<_>>();
    let e = desk.refused(
        None,
        &words(
            "intake submit --sop S05 --nama Dewi --desa 32.73.01.1001 --dokumen \
             formulir_pencatatan_biodata,formulir_biodata_penduduk,akta_kelahiran_atau_ijazah",
        ),
    );
    assert!(
        e.contains(
            "--jenis-kelamin, --tempat-lahir, --tanggal-lahir, --alamat, --rt, --rw, \
             --hubungan, --agama, --status-perkawinan, --pekerjaan, --pendidikan, --nama-ayah, \
             --nama-ibu"
        ),
        "{e}"
    );
    // Every element given, two of them wrong: both named, nothing sent.
    let e = desk.refused(
        None,
        &words(
            "intake submit --sop S05 --nama Dewi --desa 32.73.01.1001 --jenis-kelamin P \
             --tempat-lahir Bandung --tanggal-lahir 2008-05-01 --alamat Jl.Merdeka --rt 1 \
             --rw 2000 --hubungan anak --agama jedi --status-perkawinan belum_kawin \
             --pekerjaan PELAJAR/MAHASISWA --pendidikan slta --nama-ayah - --nama-ibu Sari \
             --dokumen formulir_pencatatan_biodata,formulir_biodata_penduduk,akta_kelahiran_atau_ijazah",
        ),
    );
    assert!(
        e.contains("--rw: RW `2000` bukan nomor 1 sampai 999")
            && e.contains("--agama: `jedi` tidak ada dalam daftar"),
        "{e}"
    );
    let e = desk.refused(
        None,
        &words("intake submit --sop S01 --nama Dewi --dokumen formulir_permohonan,fotokopi_kk"),
    );
    assert!(e.contains("S01 needs --nik"), "{e}");
    let out = desk.run_as(
        None,
        &words("intake submit --sop S05 --nama Dewi --jenis-kelamin X"),
    );
    assert_eq!(out.status.code(), Some(2), "clap names the bad value");
    assert!(
        text(&out.stderr).contains("L or P"),
        "{}",
        text(&out.stderr)
    );
}

/// `ktpel sop`: the catalogue a trainee reads — every procedure a line, saying which are
/// routed; one in full with its documents and hops; an id that is none refused.
#[test]
fn the_catalogue_reads_like_the_sop() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let desk = Desk::without_broker(dir.path());
    let list = desk.ok(None, &["sop"]);
    let lines: Vec<&str> = list.lines().filter(|l| l.starts_with('S')).collect();
    assert_eq!(lines.len(), 22, "{list}");
    assert!(
        lines[4].starts_with("S05") && lines[4].ends_with("5 hops"),
        "{list}"
    );
    assert!(
        lines[5].starts_with("S06") && lines[5].ends_with("5 hops"),
        "{list}"
    );
    assert!(lines[18].ends_with("not routed yet"), "{list}");
    // A replacement: the reason, the old card, where it is collected, each hop.
    let s11 = desk.ok(None, &["sop", "S11"]);
    for wanted in [
        "reason: hilang",
        "revoked when the berkas is accepted",
        "through distribution (S22)",
        "S11.3",
        "at the BCardMgmt",
        "S11.6",
    ] {
        assert!(s11.contains(wanted), "{wanted}: {s11}");
    }
    assert!(
        !s11.contains("at the SIAK"),
        "no SIAK work for a lost card: {s11}"
    );
    // S15 is taken at the counter of the kecamatan the family moves to: with one kecamatan
    // there is none, and the demo says so before it starts anything.
    let out = desk.run_as(
        None,
        &["demo", "--procedures", "S02,S15", "--kecamatan", "1"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("S15 moves a family to another kecamatan")
            && text(&out.stderr).contains("--kecamatan 2 or more"),
        "{}",
        text(&out.stderr)
    );
    let out = desk.run_as(None, &["demo", "--procedures", "al"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap refuses what is no procedure"
    );
    let s05 = desk.ok(None, &["sop", "S05"]);
    for step in ["S05.2", "S05.3", "S05.4", "S05.5", "S05.6"] {
        assert!(s05.contains(step), "{step}: {s05}");
    }
    assert!(s05.contains("formulir_biodata_penduduk"), "{s05}");
    let out = desk.run_as(None, &["sop", "S23"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("S01 to S22"),
        "{}",
        text(&out.stderr)
    );
}

/// A site set up wrong is refused at start with the key and the reason, and a grant that
/// cannot be given is refused — before anything is declared on a broker.
#[test]
fn a_site_set_up_wrong_is_refused_with_the_reason() {
    let vhost = TestVhost::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let desk = Desk {
        dir: dir.path(),
        amqp: vhost.url(),
        url: String::new(),
    };
    let e = desk.refused(None, &["up", "--site", "kecamatan:32.73.01"]);
    assert!(
        e.contains("site.parent_url") && e.contains("dinas:32.73"),
        "a kecamatan needs its Dinas: {e}"
    );
    let e = desk.refused(
        None,
        &[
            "up",
            "--site",
            "dinas:32.73",
            "--parent-url",
            "http://pusat",
        ],
    );
    assert!(e.contains("not an amqp:// or amqps:// URL"), "{e}");
    // clap refuses a site of the wrong level (exit status 2) with the reason.
    let out = desk.run_as(None, &["up", "--site", "kecamatan:32.73"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("named by a kecamatan code"),
        "{}",
        text(&out.stderr)
    );
    let e = desk.refused(Some("short"), &["site", "grant", "kecamatan:32.73.01"]);
    assert!(e.contains("at least 12 characters"), "{e}");
    let e = desk.refused(
        Some("long-enough-password"),
        &["site", "grant", "pusat-data"],
    );
    assert!(e.contains("has no parent site"), "{e}");
    let out = desk.ok(None, &["site", "status"]);
    assert!(out.contains("no link"), "{out}");
    // A Dinas lets in only its own kecamatan.
    let out = desk
        .command(&["site", "grant", "kecamatan:33.01.01"])
        .env("KTPEL_PASSWORD", "long-enough-password")
        .env("KTPEL__SITE__NAME", "dinas:32.73")
        .env(
            "KTPEL__SITE__PARENT_URL",
            "amqp://dinas-32.73:x@127.0.0.1:5672/%2f",
        )
        .output()
        .expect("ktpel runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("kecamatan:33.01.01 is not a site of dinas:32.73"),
        "{}",
        text(&out.stderr)
    );
    // Nothing was made on the broker for any of them.
    let users = Command::new("rabbitmqctl")
        .args(["-q", "list_users"])
        .output()
        .expect("rabbitmqctl");
    assert!(!text(&users.stdout).contains("pusat-data\t"));
}

/// A kecamatan node run alone, as an operator would: the Dinas grants it (`ktpel site grant`),
/// `ktpel up --site kecamatan:32.73.01 --parent-url …` on its own broker declares its links,
/// and `ktpel site status` and the status page show them running — with the password nowhere
/// in what they show or log.
#[test]
fn a_kecamatan_runs_alone_on_its_own_broker_linked_to_its_dinas() {
    let dinas = TestVhost::new();
    let kecamatan = TestVhost::on(ktpel_tests::TestBroker::site());
    let _cleanup = Cleanup(dinas.broker.clone(), dinas.name.clone());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let at_dinas = Desk {
        dir: dir.path(),
        amqp: dinas.url(),
        url: String::new(),
    };
    let user = format!("{}-kecamatan-32.73.01", dinas.name);
    let password = "s3cret-of-sukasari-1";
    let granted = at_dinas.ok(
        Some(password),
        &["site", "grant", "kecamatan:32.73.01", "--user", &user],
    );
    assert!(granted.contains(&user), "{granted}");
    assert!(!granted.contains(password), "{granted}");

    let http = format!("127.0.0.1:{}", free_port());
    let at_kecamatan = Desk {
        dir: dir.path(),
        amqp: kecamatan.url(),
        url: format!("http://{http}"),
    };
    let parent = dinas.url_as(&user, password);
    let site = |args: &[&str]| {
        let mut c = at_kecamatan.command(args);
        c.env("KTPEL__SITE__MANAGEMENT_URL", &kecamatan.broker.management)
            .env("KTPEL__SITE__RECONNECT_SECONDS", "1");
        c
    };
    let log = dir.path().join("up.log");
    let up = Up(site(&[
        "up",
        "--http",
        &http,
        "--site",
        "kecamatan:32.73.01",
        "--parent-url",
        &parent,
    ])
    .env("KTPEL__TELEMETRY__LOG_FILTER", "info")
    .stdout(std::process::Stdio::null())
    .stderr(std::fs::File::create(&log).expect("a log file"))
    .spawn()
    .expect("ktpel up starts"));

    let status_args = [
        "site",
        "status",
        "--site",
        "kecamatan:32.73.01",
        "--parent-url",
        &parent,
    ];
    let deadline = Instant::now() + Duration::from_secs(60);
    let shown = loop {
        let out = site(&status_args).output().expect("ktpel site status runs");
        let shown = text(&out.stdout);
        if shown.contains("up to dinas:32.73: ktpel-uplink running")
            && shown.contains("down from dinas:32.73: ktpel-downlink running")
        {
            break shown;
        }
        assert!(
            Instant::now() < deadline,
            "the links never ran: {shown}{}",
            text(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert!(!shown.contains(password), "{shown}");
    let page = ureq::get(&format!("{}/status", at_kecamatan.url))
        .call()
        .expect("the status page answers")
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(page.contains(r#""site":"kecamatan:32.73.01""#), "{page}");
    assert!(page.contains(r#""shovel":"ktpel-uplink""#), "{page}");
    assert!(!page.contains(password), "{page}");
    // Its stations have sent everything (nothing enrolled yet): not offline too long.
    assert!(
        page.contains(r#""stations":{"unsent":0,"oldest":null"#)
            && page.contains(r#""too_long":false"#),
        "{page}"
    );
    // Only the kecamatan's services run here: no print desk, no NID Scheduler.
    assert!(page.contains(r#""name":"intake""#) && !page.contains(r#""name":"card-print""#));
    // The link panels of the ops room (ops_room.rs leaves them to a linked site): each
    // shovel up, and what waits to go up, labelled by the site.
    let metrics = ureq::get(&format!("{}/metrics", at_kecamatan.url))
        .call()
        .expect("the metrics answer")
        .body_mut()
        .read_to_string()
        .unwrap();
    for shovel in ["ktpel-uplink", "ktpel-downlink"] {
        assert!(
            metrics.lines().any(|l| l.starts_with("ktpel_site_link_up{")
                && l.contains(&format!("ktpel_shovel=\"{shovel}\""))
                && l.contains("ktpel_site=\"kecamatan:32.73.01\"")
                && l.ends_with(" 1")),
            "{shovel} up in the metrics: {metrics}"
        );
    }
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("ktpel_site_link_waiting{")
                && l.contains("ktpel_region=\"32.73.01\"")),
        "{metrics}"
    );
    assert!(
        !metrics.contains("ktpel_nid_scheduler"),
        "no NID Scheduler here"
    );

    // The broker loses the uplink shovel (definitions reset): the site declares it again.
    let shovel = format!(
        "{}/api/parameters/shovel/{}/ktpel-uplink",
        kecamatan.broker.management, kecamatan.name
    );
    ureq::delete(&shovel)
        .header("Authorization", "Basic Z3Vlc3Q6Z3Vlc3Q=") // guest:guest, the test broker's
        .call()
        .expect("the test deletes the shovel");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = site(&status_args).output().expect("ktpel site status runs");
        let shown = text(&out.stdout);
        if shown.contains("up to dinas:32.73: ktpel-uplink running") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the lost shovel never came back: {shown}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    up.ctrl_c();
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("links declared"), "{logged}");
    assert!(
        logged.contains("the broker lost this site's links"),
        "{logged}"
    );
    assert!(
        !logged.contains(password),
        "the password was logged: {logged}"
    );
}
