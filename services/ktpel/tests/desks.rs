//! Who may do what at the desks in the browser, against a real `ktpel up` over HTTP: every
//! desk page and form refuses without a session, with an ended or forged one, with the wrong
//! role, without the session's CSRF token; a ppp of one kecamatan cannot see another's berkas,
//! not even by its address; wrong passwords lock an account; a disabled account's session
//! ends; no NIK or name reaches a URL or a log line.

mod common;
use common::site::{Client, PASSWORD, Site, csrf};

/// The form fields of an S01 berkas.
fn s01<'a>(
    token: &'a str,
    nik: &'a str,
    nama: &'a str,
    dokumen: &'a [&'a str],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("csrf", token),
        ("sop", "S01"),
        ("nik", nik),
        ("nama", nama),
    ];
    f.extend(dokumen.iter().map(|d| ("dokumen", *d)));
    f
}

#[test]
fn the_desks_refuse_whoever_may_not_act_and_show_a_kecamatan_only_its_own_berkas() {
    let site = Site::start();
    let (nik, nama) = site.residents[0].clone();

    // No session: a page sends to the sign-in, coming back after; a form is refused.
    let mut anon = Client::new(&site.url);
    for page in [
        "/loket",
        "/loket/baru?sop=S01",
        "/loket/berkas/327301-20261206-0001",
        "/meja",
    ] {
        let (status, location, _) = anon.get(page);
        assert_eq!(status, 303, "{page}");
        assert!(location.starts_with("/login?ke=%2F"), "{page}: {location}");
    }
    let (status, _, _) = anon.post(
        "/loket/baru",
        &s01("x", &nik, &nama, &["formulir_permohonan"]),
    );
    assert_eq!(status, 401);
    // The sign-in form itself needs the token it was given with its cookie.
    let (status, _, body) = anon.post(
        "/login",
        &[
            ("username", "ani"),
            ("password", PASSWORD),
            ("csrf", "forged"),
        ],
    );
    assert_eq!(status, 403, "{body}");

    // The wrong role: the station's operator has no counter.
    let mut oki = site.signed_in("oki");
    let (status, _, page) = oki.get("/loket");
    assert_eq!(status, 403);
    assert!(
        page.contains("oki (operator)") && page.contains("action=\"/logout\""),
        "the refusal says who is signed in and how to sign out: {page}"
    );
    let (_, _, page) = oki.get("/meja");
    assert!(
        !page.contains("href=\"/loket\""),
        "the operator's menu has no counter: {page}"
    );

    // The ppp of 32.73.01 works at the counter.
    let mut ani = site.signed_in("ani");
    let (status, _, page) = ani.get("/loket/baru?sop=S01");
    assert_eq!(status, 200);
    let token = csrf(&page);

    // S01.2: the NIK looked up in SIAK before the berkas is entered. SIAK's answer names the
    // resident and fills the name in; an unknown NIK says so; a malformed one is refused next
    // to the field without asking; without a session or the session's token, nothing is asked.
    let look = |c: &mut Client, token: &str, nik: &str| {
        c.post(
            "/loket/cek-nik",
            &[("csrf", token), ("sop", "S01"), ("nik", nik)],
        )
    };
    let (status, _, page) = look(&mut ani, &token, &nik);
    assert_eq!(status, 200);
    assert!(
        page.contains("terdaftar di SIAK") && page.contains(&format!("value=\"{nama}\"")),
        "{page}"
    );
    let (_, _, page) = look(&mut ani, &token, "3273010101010009");
    assert!(page.contains("tidak terdaftar di SIAK"), "{page}");
    let (_, _, page) = look(&mut ani, &token, "12345");
    assert!(page.contains("id=\"nik-salah\""), "{page}");
    assert!(!page.contains("jawaban-siak"), "{page}");
    assert_eq!(look(&mut Client::new(&site.url), &token, &nik).0, 401);
    assert_eq!(look(&mut ani, "bukan", &nik).0, 403);
    assert_eq!(look(&mut oki, &token, &nik).0, 403);

    // Without the session's CSRF token, or with another session's, nothing is submitted.
    let mut admin = site.signed_in("admin");
    let (_, _, admins_page) = admin.get("/loket/baru?sop=S01");
    let admins_token = csrf(&admins_page);
    let docs = ["formulir_permohonan", "fotokopi_kk"];
    for bad in ["", "bukan-token", admins_token.as_str()] {
        let (status, _, body) = ani.post("/loket/baru", &s01(bad, &nik, &nama, &docs));
        assert_eq!(status, 403, "token {bad:?}: {body}");
    }
    assert_eq!(ani.post("/logout", &[("csrf", "bukan-token")]).0, 403);

    // A refused berkas: every reason at once, what was typed kept.
    let (status, _, body) = ani.post(
        "/loket/baru",
        &s01(&token, &nik, "Nama Diketik", &["formulir_permohonan"]),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Berkas tidak dapat diterima"), "{body}");
    assert!(body.contains("dokumen belum lengkap"), "{body}");
    assert!(
        body.contains("value=\"Nama Diketik\""),
        "the name typed is kept: {body}"
    );
    assert!(
        body.contains(&format!("value=\"{nik}\"")),
        "the NIK typed is kept"
    );
    let (status, _, body) = ani.post("/loket/baru", &s01(&token, "12345", "", &[]));
    assert_eq!(status, 200);
    assert!(
        body.matches("class=\"error\"").count() >= 2,
        "the NIK and the name each say what is wrong: {body}"
    );

    // Accepted: the salinan permohonan, at an address with the berkas number only.
    let (status, location, body) = ani.post("/loket/baru", &s01(&token, &nik, &nama, &docs));
    assert_eq!(status, 303, "{body}");
    assert!(location.starts_with("/loket/berkas/327301-"), "{location}");
    assert!(!location.contains(&nik));
    let (status, _, receipt) = ani.get(&location);
    assert_eq!(status, 200);
    assert!(receipt.contains("Salinan permohonan") && receipt.contains(&nik));
    assert!(
        receipt.contains("diterima oleh ani"),
        "the timeline says who: {receipt}"
    );
    // The salinan permohonan as PDF, for the resident to keep: the number, who, what was
    // handed in, who received it; the same file again; not for another kecamatan.
    let salinan = format!("{location}/salinan.pdf");
    let (status, pdf) = ani.get_file(&salinan);
    assert_eq!(status, 200);
    let text = common::pdf_text(&pdf);
    let nomor = location.trim_start_matches("/loket/berkas/");
    assert!(
        text.contains("SALINAN PERMOHONAN KTP-EL")
            && text.contains(nomor)
            && text.contains(&nik)
            && text.contains("ani")
            && text.contains("Dokumen yang diserahkan"),
        "{text}"
    );
    assert_eq!(ani.get_file(&salinan).1, pdf, "the same file again");
    assert_eq!(site.signed_in("budi").get_file(&salinan).0, 404);

    // Another kecamatan's ppp: not in the list, not by its address.
    let mut budi = site.signed_in("budi");
    assert_eq!(budi.get(&location).0, 404);
    let (_, _, list) = budi.get("/loket");
    assert!(!list.contains(&location), "{list}");
    // The Dinas's admin sees every kecamatan's.
    assert_eq!(admin.get(&location).0, 200);

    // At the station: the counter's ppp may not; the operator of another kecamatan sees
    // neither the berkas in the list nor its page; the kecamatan's own operator does.
    let nomor = location.trim_start_matches("/loket/berkas/").to_owned();
    let station = format!("/perekaman/{nomor}");
    assert_eq!(ani.get("/perekaman").0, 403);
    let mut eko = site.signed_in("eko");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !oki.get("/perekaman").2.contains(&nomor) {
        assert!(
            std::time::Instant::now() < deadline,
            "the berkas never reached the station"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(!eko.get("/perekaman").2.contains(&nomor));
    assert_eq!(eko.get(&station).0, 404);
    let (_, _, page) = eko.get("/perekaman");
    let t = csrf(&page);
    assert_eq!(
        eko.post(&station, &[("csrf", &t), ("sign_off", "ya")]).0,
        404
    );
    let (status, _, page) = oki.get(&station);
    assert_eq!(status, 200);
    assert!(page.contains(&nik));
    let t = csrf(&page);
    assert_eq!(
        oki.post(&station, &[("csrf", "bukan"), ("sign_off", "ya")])
            .0,
        403
    );
    // Without the operator's sign-off the service refuses, and says why.
    let (status, _, body) = oki.post(&station, &[("csrf", &t)]);
    assert_eq!(status, 200);
    assert!(body.contains("Rekaman ditolak"), "{body}");
    let (status, location_bukti, _) = oki.post(&station, &[("csrf", &t), ("sign_off", "ya")]);
    assert_eq!(status, 303);
    let (_, _, bukti) = oki.get(&location_bukti);
    assert!(bukti.contains("Nomor bukti perekaman"), "{bukti}");
    assert_eq!(eko.get(&location_bukti).0, 404);
    // The bukti perekaman as PDF, for the resident to keep; not for another kecamatan.
    let (status, pdf) = oki.get_file(&format!("{location_bukti}.pdf"));
    assert_eq!(status, 200);
    let text = common::pdf_text(&pdf);
    assert!(
        text.contains("BUKTI PEREKAMAN KTP-EL")
            && text.contains(&nik)
            && text.contains(&nomor)
            && text.contains("oki")
            && text.contains("WIB"),
        "{text}"
    );
    assert_eq!(oki.get_file(&format!("{location_bukti}.pdf")).1, pdf);
    assert_eq!(eko.get_file(&format!("{location_bukti}.pdf")).0, 404);

    // The print desk: not the counter's; its forms need the token, and a NIK that has no card
    // in this berkas is not taken.
    assert_eq!(ani.get("/cetak").0, 403);
    let mut citra = site.signed_in("citra");
    let (status, _, page) = citra.get("/cetak");
    assert_eq!(status, 200);
    let t = csrf(&page);
    let print = format!("/cetak/{nomor}");
    let step = |token: &'static str, nik: &'static str| {
        [("csrf", token), ("nik", nik), ("langkah", "encode")]
    };
    assert_eq!(
        citra.post(&print, &step("bukan", "3273010101010009")).0,
        403
    );
    let other = site.residents[1].0.clone();
    let (status, _, _) = citra.post(
        &print,
        &[
            ("csrf", t.as_str()),
            ("nik", other.as_str()),
            ("langkah", "encode"),
        ],
    );
    assert_eq!(status, 404, "no card of that NIK in this berkas");
    assert!(!citra.get("/cetak").2.contains(&other));

    // The card made (S19–S21), then S22: who may batch, sign for a batch and hand a card over.
    let run = site.ktpel(&["scheduler", "run", "--url", &site.url]);
    assert!(run.status.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !citra.get("/cetak").2.contains(&nomor) {
        assert!(
            std::time::Instant::now() < deadline,
            "the card never reached the print queue"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let mut kasi = site.signed_in("kasi");
    // S21.2–S21.4 in one sitting (the browser's test takes them one by one): offered to the
    // print operator for a card in the queue, not to the kepala_seksi.
    let page = citra.get("/cetak").2;
    assert!(page.contains(r#"value="produce""#), "{page}");
    assert!(!kasi.get("/cetak").2.contains(r#"value="produce""#));
    let t = csrf(&page);
    let form = [
        ("csrf", t.as_str()),
        ("nik", nik.as_str()),
        ("langkah", "produce"),
    ];
    let (status, _, body) = citra.post(&print, &form);
    assert_eq!(status, 303, "produce: {body}");
    let page = citra.get("/cetak?selesai=produce").2;
    assert!(
        page.contains("chip ditulis, kartu dicetak, chip dibaca kembali"),
        "{page}"
    );
    assert!(page.contains("VERIFIED"), "{page}");
    assert!(!page.contains(r#"value="produce""#), "done once: {page}");
    // The card as PDF from the desk, linked from the page: front and back at ID-1, with the
    // enrollment's photo; none of a NIK not in the berkas; none for the counter.
    let card = format!("/cetak/{nomor}/{nik}/kartu.pdf");
    assert!(citra.get("/cetak").2.contains(&card));
    let (status, pdf) = citra.get_file(&card);
    assert_eq!(status, 200);
    let file = ktpel_tests::pdf::Pdf::new(&pdf);
    assert_eq!(file.page_sizes(), vec![(242.65, 153.01); 2]);
    assert!(common::pdf_text(&pdf).contains(&nik));
    assert_eq!(file.images().len(), 1, "the photo");
    assert_eq!(
        citra
            .get_file(&format!("/cetak/{nomor}/3273010101900002/kartu.pdf"))
            .0,
        404
    );
    assert_eq!(ani.get_file(&card).0, 403);
    // The print operator may not approve: the page has no button for it, and a form sent
    // anyway is refused with the reason.
    let t = csrf(&citra.get("/cetak").2);
    let approve = [
        ("csrf", t.as_str()),
        ("nik", nik.as_str()),
        ("langkah", "approve"),
    ];
    let (status, _, body) = citra.post(&print, &approve);
    assert_eq!(status, 200);
    assert!(body.contains("kepala_seksi"), "{body}");
    let t = csrf(&kasi.get("/cetak").2);
    assert_eq!(
        kasi.post(
            &print,
            &[("csrf", &t), ("nik", &nik), ("langkah", "approve")]
        )
        .0,
        303
    );
    let mut dodi = site.signed_in("dodi");
    while !dodi.get("/distribusi").2.contains("Kecamatan 32.73.01") {
        assert!(
            std::time::Instant::now() < deadline,
            "the card never reached distribution"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // The kecamatan's ppp does not make batches.
    let (_, _, page) = site.signed_in("ani").get("/distribusi");
    assert!(!page.contains("buat-batch"));
    let t = csrf(&dodi.get("/distribusi").2);
    assert_eq!(dodi.post("/distribusi/batch", &[("csrf", &t)]).0, 303);
    let page = dodi.get("/distribusi").2;
    let at = page.find("/distribusi/batch/").expect("a batch") + "/distribusi/batch/".len();
    let batch = page[at..].split('/').next().unwrap().to_owned();
    let receive = format!("/distribusi/batch/{batch}");
    // Another kecamatan's ppp neither sees nor signs for it; the petugas distribusi does not
    // sign for it either.
    let mut budi = site.signed_in("budi");
    let t = csrf(&budi.get("/distribusi").2);
    assert!(!budi.get("/distribusi").2.contains(&batch));
    assert_eq!(budi.post(&receive, &[("csrf", &t)]).0, 404);
    assert_eq!(budi.get(&format!("{receive}/berita-acara")).0, 404);
    let t = csrf(&dodi.get("/distribusi").2);
    assert_eq!(dodi.post(&receive, &[("csrf", &t)]).0, 403);
    let mut ani = site.signed_in("ani");
    let t = csrf(&ani.get("/distribusi").2);
    assert_eq!(ani.post(&receive, &[("csrf", &t)]).0, 303);
    let (_, _, ba) = ani.get(&format!("{receive}/berita-acara"));
    assert!(ba.contains(&nik), "the Berita Acara lists the card");
    // The same as PDF, made again from the stored batch: the same file every time.
    let (status, _, pdf) = ani.get(&format!("{receive}/berita-acara.pdf"));
    assert_eq!(status, 200);
    assert!(pdf.starts_with("%PDF-"), "a PDF");
    assert_eq!(ani.get(&format!("{receive}/berita-acara.pdf")).2, pdf);
    assert_eq!(budi.get(&format!("{receive}/berita-acara.pdf")).0, 404);
    assert_eq!(ani.get(&format!("{receive}/no-such-paper")).0, 404);
    // Signed for twice: refused, with the reason.
    let (status, _, body) = ani.post(&receive, &[("csrf", &t)]);
    assert_eq!(status, 200);
    assert!(body.contains("sudah diterima oleh ani"), "{body}");
    // The hand-over needs who received the card; not another kecamatan's ppp.
    let card = format!("/distribusi/kartu/{nomor}");
    let (status, _, body) = ani.post(&card, &[("csrf", &t), ("nik", &nik), ("penerima", " ")]);
    assert_eq!(status, 200);
    assert!(
        body.contains("tanda terima memerlukan nama penerima"),
        "{body}"
    );
    let bt = csrf(&budi.get("/distribusi").2);
    let form = [
        ("csrf", bt.as_str()),
        ("nik", nik.as_str()),
        ("penerima", nama.as_str()),
    ];
    assert_eq!(budi.post(&card, &form).0, 404);
    let tanda_terima = format!("{card}/{nik}/tanda-terima.pdf");
    assert_eq!(
        ani.get_file(&tanda_terima).0,
        404,
        "none before the hand-over"
    );
    assert_eq!(
        ani.post(&card, &[("csrf", &t), ("nik", &nik), ("penerima", &nama)])
            .0,
        303
    );
    // The tanda terima as PDF: the card, who received it, who handed it over.
    let (status, pdf) = ani.get_file(&tanda_terima);
    assert_eq!(status, 200);
    let text = common::pdf_text(&pdf);
    assert!(
        text.contains("TANDA TERIMA KTP-EL")
            && text.contains(&nik)
            && text.contains(&format!("( {nama} )"))
            && text.contains("( ani )"),
        "{text}"
    );
    assert_eq!(ani.get_file(&tanda_terima).1, pdf, "the same file again");
    assert_eq!(budi.get_file(&tanda_terima).0, 404);

    // Every desk's step is on the berkas's page: who did what.
    let (_, _, page) = site.signed_in("admin").get(&location);
    for (who, what) in [
        ("ani", "ajukan_berkas"),
        ("oki", "rekam"),
        ("citra", "produce"),
        ("kasi", "approve"),
        ("ani", "serahkan_kartu"),
    ] {
        assert!(
            page.contains(&format!("<td>{who}</td><td>{what}</td>")),
            "{who} {what} on the berkas's trail: {page}"
        );
    }

    // The berkas's page is every desk's (its kecamatan's): the station's operator reads it,
    // another kecamatan's does not; /berkas/{nomor} from a browser leads to it.
    assert_eq!(oki.get(&location).0, 200);
    assert_eq!(site.signed_in("eko").get(&location).0, 404);
    let agent = ureq::Agent::new_with_config(
        ureq::config::Config::builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build(),
    );
    let r = agent
        .get(format!("{}/berkas/{nomor}", site.url))
        .header("Accept", "text/html")
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], location.as_str());

    // An ended session and a forged one send to the sign-in.
    let key = ktpel_web::session::Key::load_or_create(&site.path("data/desk-session-key")).unwrap();
    let ended = ktpel_web::session::Session::new(
        "ani",
        chrono::Utc::now() - chrono::Duration::hours(9),
        chrono::Duration::hours(8),
    );
    let mut stale = Client::new(&site.url);
    stale.cookies.insert("ktpel_sesi".into(), ended.seal(&key));
    assert_eq!(stale.get("/loket").0, 303);
    let forged =
        ktpel_web::session::Session::new("admin", chrono::Utc::now(), chrono::Duration::hours(1));
    stale.cookies.insert(
        "ktpel_sesi".into(),
        forged.seal(&ktpel_web::session::Key::generate()),
    );
    assert_eq!(stale.get("/loket").0, 303);

    // The accounts are the admin's: a ppp may not; a malformed account is refused with the
    // reason and what was typed kept; a good one is listed, then disabled.
    assert_eq!(site.signed_in("budi").get("/akun").0, 403);
    let mut admin = site.signed_in("admin");
    let (status, _, page) = admin.get("/akun");
    assert_eq!(status, 200);
    let t = csrf(&page);
    let new = |password: &'static str| {
        [
            ("username", "sari"),
            ("role", "siak"),
            ("kecamatan", ""),
            ("password", password),
        ]
    };
    let forged = [&[("csrf", "bukan")][..], &new("kata-sandi-sari-1")[..]].concat();
    assert_eq!(admin.post("/akun", &forged).0, 403);
    let short = [&[("csrf", t.as_str())][..], &new("pendek")[..]].concat();
    let (status, _, body) = admin.post("/akun", &short);
    assert_eq!(status, 200);
    assert!(
        body.contains("paling sedikit 10 karakter") && body.contains("value=\"sari\""),
        "{body}"
    );
    let good = [&[("csrf", t.as_str())][..], &new("kata-sandi-sari-1")[..]].concat();
    assert_eq!(admin.post("/akun", &good).0, 303);
    assert!(admin.get("/akun").2.contains("sari"));
    assert_eq!(
        Client::new(&site.url)
            .sign_in("sari", "kata-sandi-sari-1")
            .0,
        303,
        "the new account signs in"
    );
    assert_eq!(
        admin
            .post(
                "/akun/nonaktif",
                &[("csrf", t.as_str()), ("username", "sari")]
            )
            .0,
        303
    );
    let mut sari = Client::new(&site.url);
    let (_, _, body) = sari.sign_in("sari", "kata-sandi-sari-1");
    assert!(body.contains("dinonaktifkan"), "{body}");

    // The operations desk: the NID Scheduler's controls are ops's, not the counter's.
    assert_eq!(site.signed_in("budi").get("/ops").0, 403);
    let mut opsi = site.signed_in("opsi");
    let (status, _, page) = opsi.get("/ops");
    assert_eq!(status, 200);
    assert!(page.contains("Scheduler Current Status"));
    let t = csrf(&page);
    assert_eq!(
        opsi.post("/ops/scheduler/pause", &[("csrf", "bukan")]).0,
        403
    );
    assert_eq!(
        opsi.post("/ops/scheduler/pause", &[("csrf", t.as_str())]).0,
        303
    );
    assert!(opsi.get("/ops").2.contains("PAUSED"), "paused");
    assert_eq!(
        opsi.post("/ops/scheduler/resume", &[("csrf", t.as_str())])
            .0,
        303
    );
    assert_eq!(
        opsi.post("/ops/scheduler/nonsense", &[("csrf", t.as_str())])
            .0,
        404
    );

    // Disabled: the open session ends at its next request.
    let out = site.ktpel(&["user", "disable", "ani"]);
    assert!(out.status.success());
    assert_eq!(ani.get("/loket").0, 303);

    // Wrong passwords lock the account: the right one then waits too.
    let mut guesser = Client::new(&site.url);
    for _ in 0..4 {
        let (status, _, body) = guesser.sign_in("budi", "tebakan-salah-1");
        assert_eq!(status, 200);
        assert!(
            body.contains("nama pengguna atau kata sandi salah"),
            "{body}"
        );
    }
    let (status, _, body) = guesser.sign_in("budi", "tebakan-salah-1");
    assert_eq!(status, 200);
    assert!(body.contains("dikunci"), "{body}");
    let (status, _, body) = guesser.sign_in("budi", PASSWORD);
    assert_eq!(status, 200, "refused, not signed in");
    assert!(!guesser.cookies.contains_key("ktpel_sesi"));
    assert!(body.contains("dikunci"), "{body}");

    // Logging out ends the session.
    let (_, _, page) = admin.get("/loket");
    let t = csrf(&page);
    assert_eq!(admin.post("/logout", &[("csrf", &t)]).0, 303);
    assert_eq!(admin.get("/loket").0, 303);

    // A resident's /cek: the right date of birth tells where the berkas is, nothing more; a
    // wrong one or a made-up number says only that they do not match, slowly, and five misses
    // close the number for a while.
    let born = birth_date(&nik);
    let mut resident = Client::new(&site.url);
    let ask = |c: &mut Client, nomor: &str, born: &str| {
        let (_, _, page) = c.get("/cek");
        let t = csrf(&page);
        c.post(
            "/cek",
            &[
                ("csrf", t.as_str()),
                ("nomor", nomor),
                ("tanggal_lahir", born),
            ],
        )
    };
    let (status, _, body) = ask(&mut resident, &nomor, &born.to_string());
    assert_eq!(status, 200);
    assert!(body.contains("kartu sudah diserahkan"), "{body}");
    assert!(
        !body.contains(&nik) && !body.contains(&nama),
        "no NIK or name: {body}"
    );
    let (_, _, body) = resident.post(
        "/cek",
        &[
            ("csrf", "bukan"),
            ("nomor", nomor.as_str()),
            ("tanggal_lahir", "2000-01-01"),
        ],
    );
    assert!(body.contains("kedaluwarsa"), "{body}");
    let wrong = (born + chrono::Duration::days(1)).to_string();
    let started = std::time::Instant::now();
    for _ in 0..5 {
        let (_, _, body) = ask(&mut resident, &nomor, &wrong);
        assert!(body.contains("tidak cocok"), "{body}");
    }
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(5),
        "each miss is slow"
    );
    let (_, _, body) = ask(&mut resident, &nomor, &born.to_string());
    assert!(body.contains("terlalu banyak percobaan"), "{body}");
    let (_, _, body) = ask(&mut resident, "327301-20261206-9999", &born.to_string());
    assert!(body.contains("tidak cocok"), "{body}");

    // SIAK's desk: the counter's ppp may not; a malformed or unknown NIK says so; a resident is
    // shown with the family; the Surat Keterangan Pindah is refused within the kabupaten/kota
    // and for what is not one, and issued for the whole family.
    assert_eq!(site.signed_in("eko").get("/siak").0, 403);
    let mut sinta = site.signed_in("sinta");
    let t = csrf(&sinta.get("/siak").2);
    let look = |c: &mut Client, nik: &str| c.post("/siak", &[("csrf", t.as_str()), ("nik", nik)]);
    assert!(look(&mut sinta, "123").2.contains("alasan"));
    assert!(
        look(&mut sinta, "3273010101010009")
            .2
            .contains("tidak ada di SIAK")
    );
    let (other_nik, other_nama) = site.residents[1].clone();
    let (_, _, page) = look(&mut sinta, &other_nik);
    assert!(
        page.contains(&other_nama) && page.contains("Anggota keluarga"),
        "{page}"
    );
    let skp = |c: &mut Client, ke: &str| {
        c.post(
            "/siak/pindah",
            &[
                ("csrf", t.as_str()),
                ("nik", other_nik.as_str()),
                ("ke", ke),
            ],
        )
    };
    assert!(
        skp(&mut sinta, "32.73")
            .2
            .contains("sudah tinggal di kabupaten/kota")
    );
    assert!(
        skp(&mut sinta, "32.04.01")
            .2
            .contains("bukan kode kabupaten/kota")
    );
    assert_eq!(
        sinta
            .post(
                "/siak/pindah",
                &[
                    ("csrf", "bukan"),
                    ("nik", other_nik.as_str()),
                    ("ke", "32.04")
                ]
            )
            .0,
        403
    );
    let (status, _, page) = skp(&mut sinta, "32.04");
    assert_eq!(status, 200);
    assert!(
        page.contains("Surat Keterangan Pindah") && page.contains(&other_nama),
        "{page}"
    );
    // The letter as PDF, made again from the record of the family that left.
    let skp_link = page
        .split("href=\"/siak/skp/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a link to the letter as PDF")
        .to_owned();
    let (status, pdf) = sinta.get_file(&format!("/siak/skp/{skp_link}"));
    assert_eq!(status, 200);
    let text = common::pdf_text(&pdf);
    assert!(
        text.contains("SURAT KETERANGAN PINDAH")
            && text.contains(&skp_link)
            && text.contains(&other_nik)
            && text.contains("(32.04)"),
        "{text}"
    );
    assert_eq!(sinta.get_file("/siak/skp/SKP-tidak-ada").0, 404);
    assert!(
        look(&mut sinta, &other_nik).2.contains("tidak ada di SIAK"),
        "the family left"
    );

    // No NIK or name in what the site logged (at info).
    let log = site.log();
    assert!(log.contains("berkas accepted"), "the log is at info: {log}");
    assert!(!log.contains(&nik), "a NIK in the log: {log}");
    assert!(!log.contains(&nama), "a name in the log: {log}");
    assert!(!log.contains(PASSWORD));
    site.stop();
}

/// The date of birth a NIK holds (the day plus 40 for a woman).
fn birth_date(nik: &str) -> chrono::NaiveDate {
    let n: ktpel_domain::Nik = nik.parse().unwrap();
    n.birth_date(chrono::Utc::now().date_naive())
}

/// A Dinas whose services run apart (`ktpel serve`), as in containers: every process shares
/// the account store and the session key, so a sign-in at the counter's process is good at
/// the station's, and with `desks.proxied` every menu lists the role's desks wherever they run.
#[test]
fn a_sign_in_at_one_service_is_good_at_another_sharing_the_key() {
    use common::{Running, free_port};
    use std::process::{Command, Stdio};
    let vhost = ktpel_tests::TestVhost::new();
    let dir = tempfile::tempdir().unwrap();
    let key = "5e".repeat(32);
    let ktpel = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ktpel"));
        c.args(args)
            .current_dir(dir.path())
            .env("KTPEL__AMQP__URL", vhost.url())
            .env("KTPEL__TELEMETRY__LOG_FILTER", "warn")
            .env("KTPEL__DESKS__SESSION_KEY", &key)
            .env("KTPEL__DESKS__PROXIED", "true")
            .env("KTPEL_PASSWORD", PASSWORD)
            .stdin(Stdio::null());
        c
    };
    let out = ktpel(&["user", "add", "mobil", "--role", "operator_mobile"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let start = |service: &str| {
        let port = free_port();
        let child = ktpel(&["serve", service, "--http", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while ureq::get(format!("{url}/ready")).call().is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "{service} never became ready"
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        (Running(child), url)
    };
    let (_intake, counter) = start("intake");
    let (_biometric, station) = start("biometric");
    let mut at_counter = Client::new(&counter);
    assert_eq!(at_counter.sign_in("mobil", PASSWORD).0, 303);
    let (_, _, home) = at_counter.get("/meja");
    assert!(
        home.contains("href=\"/loket\"") && home.contains("href=\"/perekaman\""),
        "the menu lists the station, served elsewhere: {home}"
    );
    // The same cookie at the station's process.
    let mut at_station = Client::new(&station);
    at_station.cookies = at_counter.cookies.clone();
    let (status, _, page) = at_station.get("/perekaman");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("mobil (operator_mobile)"));
    // The counter is not the station's process's: it has no such page.
    assert_eq!(at_station.get("/loket").0, 404);
}

/// S20 in the browser: a kecamatan's backup imported at the Server AFIS's operations desk; a
/// tampered one, one from a site not trusted and an empty upload refused with the reason and
/// nothing queued; the station of a process that is no site of its own says why it cannot
/// make one.
#[test]
fn an_s20_backup_is_imported_at_the_ops_desk_and_a_tampered_one_refused() {
    use ktpel_bundle::SiteKeys;
    let site = Site::start();
    // The Server AFIS's keys (made on first use) and a kecamatan it trusts.
    let out = site.ktpel(&["backup", "keys"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let afis = SiteKeys::from_file(&site.path("data/site.key")).unwrap();
    let kecamatan = SiteKeys::generate();
    let key = kecamatan.signing_public().to_string();
    let out = site.ktpel(&["backup", "trust", "32.73.01", &key]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code = ktpel_domain::KodeWilayah::parse("32.73.01").unwrap();
    let records: Vec<_> = site
        .residents
        .iter()
        .enumerate()
        .map(|(i, (nik, _))| {
            let nik: ktpel_domain::Nik = nik.parse().unwrap();
            let nomor = format!("327301-20261206-{:04}", 9000 + i);
            let c = ktpel_biometric::station::capture(
                &nomor,
                &nik,
                &ktpel_biometric::station::Person::of(&nik),
                "operator-offline",
                true,
            );
            ktpel_contract::enrollment::EnrollmentCreated {
                enrollment_id: uuid::Uuid::now_v7(),
                bukti_perekaman: format!("BP-{i}"),
                nomor_berkas: nomor,
                nik,
                photo_sha256: "00".repeat(32),
                fingerprints: c.fingerprints,
                enrolled_at: chrono::Utc::now(),
                kecamatan: Some("32.73.01".into()),
                pas_foto: None,
                tanda_tangan: None,
            }
        })
        .collect();
    let now = chrono::Utc::now();
    let seal = |keys: &SiteKeys| {
        ktpel_bundle::seal(
            keys,
            &code,
            &afis.bundle_public(),
            now,
            now + chrono::Duration::days(30),
            &records,
        )
        .unwrap()
        .1
    };
    let bundle = seal(&kecamatan);

    let mut opsi = site.signed_in("opsi");
    let (status, _, page) = opsi.get("/ops/impor");
    assert_eq!(status, 200);
    let t = csrf(&page);
    let mut tampered = bundle.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x40;
    for (file, wanted) in [
        (&tampered[..], "cadangan ditolak"),
        (&seal(&SiteKeys::generate())[..], "cadangan ditolak"),
        (&b""[..], "pilih berkas cadangan"),
    ] {
        let (status, _, body) = opsi.post_file("/ops/impor", &[("csrf", &t)], "berkas", file);
        assert_eq!(status, 200);
        assert!(body.contains(wanted), "{wanted}: {body}");
        assert!(!body.contains("new,"), "nothing queued: {body}");
    }
    assert_eq!(
        opsi.post_file("/ops/impor", &[("csrf", "bukan")], "berkas", &bundle)
            .0,
        403
    );
    let (_, _, body) = opsi.post_file("/ops/impor", &[("csrf", &t)], "berkas", &bundle);
    assert!(body.contains("2 records — 2 new"), "{body}");
    let (_, _, body) = opsi.post_file("/ops/impor", &[("csrf", &t)], "berkas", &bundle);
    assert!(
        body.contains("0 new, 2 already known"),
        "the same bundle again adds nothing: {body}"
    );
    // Only ops (and the admin) import.
    let mut oki = site.signed_in("oki");
    assert_eq!(
        oki.post_file("/ops/impor", &[("csrf", &t)], "berkas", &bundle)
            .0,
        403
    );
    // This process is every place at once: its station has no site code to sign a backup with.
    let (status, _, page) = oki.get("/perekaman/cadangan");
    assert_eq!(status, 200);
    assert!(page.contains("tidak dapat membuat cadangan"), "{page}");
    site.stop();
}

/// SIAK's desk work done by hand (`registry.entry = "desk"`): an S05 berkas waits on SIAK's
/// worklist with its Formulir Biodata until the SIAK operator enters it (S05.4): the KK is
/// printed and the berkas goes back to the kecamatan, once however often the button is
/// pressed. Whoever may not work SIAK's desk is refused; a berkas SIAK cannot enter stays on
/// the list with the reason, and nothing of it is stored.
#[test]
fn siak_s_worklist_is_entered_once_by_the_siak_operator() {
    use ktpel_registry::store::{antrian, penduduk};
    use sea_orm::{EntityTrait, PaginatorTrait};

    let site = Site::start_with(&[("KTPEL_REGISTRY__ENTRY", "desk")]);
    let mut ani = site.signed_in("ani");
    let token = csrf(&ani.get("/loket/baru?sop=S05").2);
    let form = [
        ("csrf", token.as_str()),
        ("sop", "S05"),
        ("nama", "Dewi Lestari"),
        ("jenis_kelamin", "P"),
        ("tempat_lahir", "Bandung"),
        ("tanggal_lahir", "2008-03-14"),
        ("alamat", "Jl. Setiabudi 9"),
        ("desa", "32.73.01.1001"),
        ("rt", "3"),
        ("rw", "7"),
        ("hubungan", "anak"),
        ("agama", "islam"),
        ("status_perkawinan", "belum_kawin"),
        ("pekerjaan", "PELAJAR/MAHASISWA"),
        ("pendidikan", "slta"),
        ("kewarganegaraan", "wni"),
        ("golongan_darah", "o"),
        ("nama_ayah", "Slamet Riyadi"),
        ("nama_ibu", "Sari Lestari"),
        ("dokumen", "formulir_pencatatan_biodata"),
        ("dokumen", "formulir_biodata_penduduk"),
        ("dokumen", "akta_kelahiran_atau_ijazah"),
    ];
    let (status, location, body) = ani.post("/loket/baru", &form);
    assert_eq!(status, 303, "{body}");
    let nomor = location.rsplit('/').next().unwrap().to_owned();

    // The berkas reaches SIAK's worklist, with what the counter entered, and waits there.
    let mut sinta = site.signed_in("sinta");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let page = loop {
        let (_, _, page) = sinta.get("/siak");
        if page.contains(&nomor) {
            break page;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{nomor} never reached SIAK"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert!(
        page.contains("Dewi Lestari") && page.contains("Catat biodata dan cetak KK"),
        "{page}"
    );
    let t = csrf(&page);
    let registry = || async {
        sea_orm::Database::connect(format!(
            "sqlite://{}?mode=rw",
            site.path("data/registry.db").display()
        ))
        .await
        .unwrap()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let residents = || {
        rt.block_on(async {
            penduduk::Entity::find()
                .count(&registry().await)
                .await
                .unwrap()
        })
    };
    let before = residents();

    // Who may not: no session, another desk's role, a form without this session's token.
    let work = |c: &mut Client, token: &str, nomor: &str| {
        c.post("/siak/kerjakan", &[("csrf", token), ("nomor", nomor)])
    };
    assert_eq!(work(&mut Client::new(&site.url), &t, &nomor).0, 401);
    let mut eko = site.signed_in("eko");
    let eko_token = csrf(&eko.get("/perekaman").2);
    assert_eq!(work(&mut eko, &eko_token, &nomor).0, 403);
    assert_eq!(work(&mut sinta, "bukan", &nomor).0, 403);
    assert_eq!(work(&mut sinta, &t, "327301-20261206-9999").0, 404);
    assert_eq!(residents(), before, "nothing entered yet");

    // S05.4: entered, the KK printed with her on it; the berkas leaves the list.
    let (status, _, kk) = work(&mut sinta, &t, &nomor);
    assert_eq!(status, 200, "{kk}");
    assert!(
        kk.contains("Kartu Keluarga") && kk.contains("Dewi Lestari") && kk.contains("id=\"no-kk\""),
        "{kk}"
    );
    assert!(kk.contains("<td>perempuan</td>"), "the sex in words: {kk}");
    // The same card as PDF (A4 landscape), read back with poppler's pdftotext.
    let no_kk = kk
        .split("id=\"no-kk\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the KK number")
        .to_owned();
    let (status, pdf) = sinta.get_file(&format!("/siak/kk/{no_kk}"));
    assert_eq!(status, 200);
    let text = common::pdf_text(&pdf);
    assert!(
        text.contains("KARTU KELUARGA") && text.contains(&no_kk) && text.contains("Dewi Lestari"),
        "{text}"
    );
    // Every element of her Formulir Biodata, on the KK SIAK printed.
    for element in [
        "ANAK",
        "ISLAM",
        "BELUM KAWIN",
        "PELAJAR/MAHASISWA",
        "SLTA/SEDERAJAT",
        "WNI",
        "SLAMET RIYADI",
        "SARI LESTARI",
    ] {
        assert!(text.contains(element), "{element} on the KK: {text}");
    }
    assert_eq!(
        sinta.get_file(&format!("/siak/kk/{no_kk}")).1,
        pdf,
        "the same file again"
    );
    assert_eq!(eko.get_file(&format!("/siak/kk/{no_kk}")).0, 403);
    assert_eq!(sinta.get_file("/siak/kk/0000000000000000").0, 404);
    assert_eq!(residents(), before + 1);
    assert_eq!(work(&mut sinta, &t, &nomor).0, 404, "entered once");
    assert_eq!(residents(), before + 1);
    assert!(!sinta.get("/siak").2.contains(&nomor));

    // The berkas comes back to the kecamatan with the NIK SIAK gave (S05.5–S05.6), and the
    // trail names the SIAK operator.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (_, _, page) = ani.get(&location);
        if page.contains("S05.6") {
            assert!(
                page.contains("sinta"),
                "the trail names who entered it: {page}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{nomor} never came back: {page}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }

    // A berkas SIAK cannot enter (here: its Formulir Biodata lost on the way) is refused with
    // the reason and stays on the list; nothing of it is stored.
    let broken = rt.block_on(async {
        let db = registry().await;
        assert!(
            antrian::Entity::find().one(&db).await.unwrap().is_none(),
            "the list is empty"
        );
        // At SIAK's hop of S05, as a berkas arrives there, but without the form.
        let s05 = ktpel_domain::sop::Sop::get("S05".parse().unwrap());
        let hop = s05
            .route()
            .unwrap()
            .iter()
            .position(|h| h.desk == ktpel_domain::sop::Desk::Siak)
            .unwrap();
        let berkas = serde_json::json!({
            "nomor_berkas": "327301-20261206-0777",
            "sop": "S05",
            "nik": null,
            "nama": "Rusak",
            "kecamatan": "32.73.01",
            "hop": hop,
            "stamps": [],
        });
        let row = antrian::Model {
            nomor_berkas: "327301-20261206-0777".into(),
            sop: "S05".parse().unwrap(),
            kecamatan: "32.73.01".into(),
            berkas,
            arrived_at: chrono::Utc::now(),
        };
        antrian::Entity::insert(sea_orm::IntoActiveModel::into_active_model(row.clone()))
            .exec_without_returning(&db)
            .await
            .unwrap();
        row.nomor_berkas
    });
    let (status, _, page) = work(&mut sinta, &t, &broken);
    assert_eq!(status, 200);
    assert!(
        page.contains("id=\"alasan\"") && page.contains("without its Formulir Biodata"),
        "{page}"
    );
    assert!(page.contains(&broken), "still on the list: {page}");
    assert_eq!(residents(), before + 1, "nothing stored");
    site.stop();
}

/// The Pusat Data's adjudication desk: a case the matcher left open (the second resident's
/// enrollment, somewhat like the first's on record) shows both pas photos and both index
/// fingers' minutiae with the scores, the minutiae the two right index fingers share numbered
/// alike; only the adjudikator works there, with the session's
/// token; a decision needs its reason; "the same person" is DUPLICATE_RECORD with who and
/// why, recorded once.
#[test]
fn the_adjudicator_decides_a_case_the_matcher_left_open() {
    use ktpel_domain::StatusKartu;
    use ktpel_pusat_data::store::kartu;
    use sea_orm::EntityTrait;

    let site = Site::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let case = rt.block_on(site.open_adjudication_case());
    let (on_record, new, id) = (case.on_record, case.new, case.enrollment_id);
    let db = || async {
        sea_orm::Database::connect(format!(
            "sqlite://{}?mode=rw",
            site.path("data/pusat-data.db").display()
        ))
        .await
        .unwrap()
    };
    let card = || {
        rt.block_on(async {
            kartu::Entity::find_by_id(new.to_string())
                .one(&db().await)
                .await
                .unwrap()
                .unwrap()
        })
    };

    // Who may not: no session, another desk's role.
    assert_eq!(Client::new(&site.url).get("/adjudikasi").0, 303);
    let mut oki = site.signed_in("oki");
    assert_eq!(oki.get("/adjudikasi").0, 403);
    let mut adi = site.signed_in("adi");
    let (status, _, page) = adi.get("/adjudikasi");
    assert_eq!(status, 200, "{page}");
    for needle in [
        new.to_string(),
        on_record.to_string(),
        "right_index 44, left_index 9".to_owned(),
        format!("alt=\"Pas foto NIK {new}\""),
        format!("alt=\"Pas foto NIK {on_record}\""),
    ] {
        assert!(page.contains(&needle), "{needle} in {page}");
    }
    assert_eq!(page.matches("<svg").count(), 4, "two index fingers a side");
    // The right index is the same finger pressed again: its minutiae paired with the record's
    // are numbered alike on both prints; the left is another person's.
    let paired = |finger: &str| -> Vec<usize> {
        page.match_indices(&format!("{finger} — "))
            .map(|(at, _)| {
                let rest = &page[at + finger.len() + " — ".len()..];
                rest[..rest.find(' ').unwrap()].parse().unwrap()
            })
            .collect()
    };
    let (right, left) = (paired("telunjuk kanan"), paired("telunjuk kiri"));
    assert_eq!(right.len(), 2, "a caption each side: {page}");
    assert!(right[0] >= 10 && right[0] == right[1], "{right:?}");
    assert!(
        left.iter().all(|n| *n < right[0] / 2),
        "{left:?} against {right:?}"
    );
    assert!(
        page.matches("</text>").count() >= 2 * right[0],
        "numbered: {page}"
    );
    let (_, location, _) = adi.get("/meja");
    assert_eq!(location, "/adjudikasi", "the adjudikator's one desk");
    let token = csrf(&page);
    let post = |c: &mut Client, token: &str, id: &str, keputusan: &str, alasan: &str| {
        c.post(
            &format!("/adjudikasi/{id}"),
            &[
                ("csrf", token),
                ("keputusan", keputusan),
                ("alasan", alasan),
            ],
        )
    };
    let id = id.to_string();
    assert_eq!(post(&mut adi, "bukan", &id, "sama", "x").0, 403);
    let oki_token = csrf(&oki.get("/perekaman").2);
    assert_eq!(post(&mut oki, &oki_token, &id, "sama", "x").0, 403);
    let (status, _, page) = post(&mut adi, &token, &id, "sama", "  ");
    assert_eq!(status, 200);
    assert!(page.contains("alasan keputusan wajib diisi"), "{page}");
    assert_eq!(card().status, StatusKartu::Sfe, "nothing decided");
    let unknown = uuid::Uuid::now_v7().to_string();
    assert_eq!(post(&mut adi, &token, &unknown, "sama", "x").0, 404);

    let (status, location, _) = post(
        &mut adi,
        &token,
        &id,
        "sama",
        "pola kedua telunjuk sama, foto orang yang sama",
    );
    assert_eq!(
        (status, location.as_str()),
        (303, "/adjudikasi?selesai=DUPLICATE_RECORD")
    );
    let decided = card();
    assert_eq!(decided.status, StatusKartu::DuplicateRecord);
    assert!(
        decided.note.contains("adi") && decided.note.contains(&on_record.to_string()),
        "{}",
        decided.note
    );
    let (_, _, page) = adi.get("/adjudikasi?selesai=DUPLICATE_RECORD");
    assert!(
        page.contains("Tidak ada perekaman yang menunggu adjudikasi"),
        "{page}"
    );
    assert!(page.contains("pola kedua telunjuk sama"), "{page}");
    let (status, _, page) = post(&mut adi, &token, &id, "berbeda", "lagi");
    assert_eq!(status, 200);
    assert!(
        page.contains("sudah diputuskan DUPLICATE_RECORD oleh adi"),
        "{page}"
    );
    assert_eq!(card().status, StatusKartu::DuplicateRecord);
}

/// The station's scanners: a scanner's driver sends fingers as they leave the glass (a blank
/// scan refused by the finger's name, nothing kept; no token, another kecamatan's operator or
/// a word that is no finger refused), the rest are uploaded from the page; a capture missing a
/// finger is refused by its name; the whole capture sends the scanned fingers, and the Pusat
/// Data files the very ISO records MINDTCT made of them.
#[test]
fn the_station_enrolls_the_fingers_its_scanners_send() {
    use ktpel_biometric::scanned::{empty_glass, file_name};
    use ktpel_contract::enrollment::Finger;
    use ktpel_pusat_data::store::sidik_jari;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let site = Site::start();
    let (nik, nama) = site.residents[1].clone();
    let mut ani = site.signed_in("ani");
    let token = csrf(&ani.get("/loket/baru?sop=S01").2);
    let docs = ["formulir_permohonan", "fotokopi_kk"];
    let (status, location, body) = ani.post("/loket/baru", &s01(&token, &nik, &nama, &docs));
    assert_eq!(status, 303, "{body}");
    let nomor = location.trim_start_matches("/loket/berkas/").to_owned();
    let station = format!("/perekaman/{nomor}");
    let mut oki = site.signed_in("oki");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !oki.get("/perekaman").2.contains(&nomor) {
        assert!(std::time::Instant::now() < deadline, "never at the station");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let (_, _, page) = oki.get(&station);
    assert_eq!(page.matches("belum dipindai").count(), 10, "{page}");
    let token = csrf(&page);
    let samples = std::env::var("KTPEL_TEST_FINGERPRINTS")
        .unwrap_or_else(|_| "/var/tmp/ktpel-samples/afis".into());
    let print = std::fs::read(std::path::Path::new(&samples).join("p1_1.png"))
        .expect("the sample prints (scripts/services.sh tools)");
    let jari = |f: Finger| file_name(f).trim_end_matches(".png").to_owned();
    let put = |c: &mut Client, token: &str, finger: &str, image: &[u8]| {
        c.put(
            &format!("/perekaman/{nomor}/jari/{finger}"),
            &[("X-CSRF-Token", token), ("Content-Type", "image/png")],
            image,
        )
    };

    // The driver: a blank scan is refused by name; without the token, by another kecamatan's
    // operator, or for a word that is no finger, nothing is taken.
    let (status, _, body) = put(&mut oki, &token, "right_thumb", &empty_glass());
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("right_thumb.png: kualitas 0 dengan 0 minutiae"),
        "{body}"
    );
    assert_eq!(put(&mut oki, "bukan", "right_thumb", &print).0, 403);
    let mut eko = site.signed_in("eko");
    let eko_token = csrf(&eko.get("/perekaman").2);
    assert_eq!(put(&mut eko, &eko_token, "right_thumb", &print).0, 404);
    assert_eq!(put(&mut oki, &token, "sixth_finger", &print).0, 404);
    let (status, _, body) = put(&mut oki, &token, "right_thumb", &print);
    assert_eq!(status, 200, "{body}");
    let scan: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(scan["jari"], "right_thumb");
    let minutiae = scan["minutiae"].as_u64().expect("the minutiae found") as usize;
    assert!(minutiae >= 12, "{body}");

    // The page: eight more fingers and the pas photo; the left little finger forgotten.
    let person = ktpel_biometric::station::Person::of(&ktpel_domain::Nik::parse(&nik).unwrap());
    let photo = ktpel_biometric::station::portrait(&person, "photo, scanned");
    let names: Vec<String> = Finger::ALL[1..9].iter().map(|f| jari(*f)).collect();
    let mut files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &print[..])).collect();
    files.push(("pas_foto", &photo));
    let (status, location, body) =
        oki.post_files(&format!("{station}/pindai"), &[("csrf", &token)], &files);
    assert_eq!(
        (status, location.as_str()),
        (303, format!("{station}?dipindai=9").as_str()),
        "{body}"
    );
    let (_, _, page) = oki.get(&station);
    assert_eq!(page.matches("belum dipindai").count(), 1, "{page}");
    assert!(page.contains("hasil pemindai"), "{page}");
    let (status, _, body) = oki.post(&station, &[("csrf", &token), ("sign_off", "ya")]);
    assert_eq!(status, 200);
    assert!(body.contains("left_little.png: tidak ada gambar"), "{body}");
    assert!(!body.contains("right_thumb.png"), "{body}");

    assert_eq!(put(&mut oki, &token, "left_little", &print).0, 200);
    let (status, bukti, body) = oki.post(&station, &[("csrf", &token), ("sign_off", "ya")]);
    assert_eq!(status, 303, "{body}");
    assert!(bukti.ends_with("/bukti"), "{bukti}");

    // At the Pusat Data: ten ISO records, the right thumb's as the scanner's driver was told.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let rows = || {
        rt.block_on(async {
            let db = sea_orm::Database::connect(format!(
                "sqlite://{}?mode=ro",
                site.path("data/pusat-data.db").display()
            ))
            .await
            .unwrap();
            sidik_jari::Entity::find()
                .filter(sidik_jari::Column::Nik.eq(&nik))
                .all(&db)
                .await
                .unwrap()
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let filed = loop {
        let filed = rows();
        if filed.len() == 10 {
            break filed;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never filed: {filed:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    let thumb = filed.iter().find(|r| r.finger == "RightThumb").unwrap();
    let record =
        ktpel_biometrics::iso::decode(thumb.iso.as_deref().expect("an ISO record")).unwrap();
    assert_eq!(record.minutiae.len(), minutiae);
}
