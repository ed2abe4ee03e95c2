//! One S01 berkas through every desk in a real browser, only by clicking and typing: a ppp
//! signs in, picks S01 from the catalogue, looks the NIK up in SIAK, enters a berkas missing a document (refused, every
//! reason shown, what was typed kept), adds it, and gets the salinan permohonan; the operator
//! finds it on the station's worklist, is refused without the sign-off, signs off and gets the
//! bukti perekaman; operations send it to the Pusat Data from the NID Scheduler's panel; the
//! print desk encodes, prints and verifies the card, the print operator's approval is refused
//! and the kepala_seksi's taken; the petugas distribusi batches it with its Berita Acara, and
//! the kecamatan's ppp signs for the batch and hands the card over against the tanda terima.
//! At the same counter, S05 (a resident not in SIAK: refused without the birth certificate
//! with the Formulir Biodata kept, then to the Dinas, where the SIAK operator enters it from
//! SIAK's worklist and prints the KK, and back with the NIK SIAK gave) and S11
//! (the card lost: refused without the police's letter, then taken). At the Pusat Data, the
//! adjudicator decides a case the matcher left open. Every page, the status page
//! too, passes axe-core with no serious or critical violation and logs no console error.

mod common;
use common::{
    browser::Browser,
    site::{PASSWORD, Site},
};

#[tokio::test(flavor = "multi_thread")]
async fn one_s01_berkas_from_the_counter_to_the_tanda_terima_only_in_the_browser() {
    // SIAK's desk work is the SIAK operator's, at /siak (S05.4).
    let site =
        tokio::task::spawn_blocking(|| Site::start_with(&[("KTPEL_REGISTRY__ENTRY", "desk")]))
            .await
            .unwrap();
    let (nik, nama) = site.residents[0].clone();
    let mut b = Browser::start().await;

    // The status page, for people: no sign-in.
    b.goto(&format!("{}/", site.url)).await;
    b.check("status-page").await;
    // A resident's lookup: no sign-in either.
    b.goto(&format!("{}/cek", site.url)).await;
    b.check("cek").await;

    // The counter asks for a sign-in first, then comes back.
    b.goto(&format!("{}/loket", site.url)).await;
    b.at("/login").await;
    b.check("desk-login").await;
    b.type_into("username", "ani").await;
    b.type_into("password", "salah-salah-salah").await;
    b.click("button[type=submit].primary").await;
    b.find("p.alert").await;
    assert!(b.text().await.contains("kata sandi salah"));
    b.check("desk-login-refused").await;
    b.type_into("username", "ani").await;
    b.type_into("password", PASSWORD).await;
    b.click("button[type=submit].primary").await;
    b.at("/loket").await;
    b.check("desk-loket").await;

    // S01 from the catalogue.
    b.click("a[href='/loket/baru?sop=S01']").await;
    b.at("/loket/baru").await;
    assert!(b.text().await.contains("S01"));
    b.check("desk-loket-form").await;
    // S01.2: the NIK looked up in SIAK first; SIAK's answer shown, the name filled in.
    b.type_into("cari-nik", &nik).await;
    b.click("#cek-nik").await;
    b.find("#jawaban-siak").await;
    b.wait_text("terdaftar di SIAK").await;
    assert!(
        b.text().await.contains(&nama),
        "SIAK's answer names the resident"
    );
    assert_eq!(
        b.find("#nama")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(nama.as_str()),
        "the name is filled in from SIAK"
    );
    b.check("desk-loket-cek-nik").await;
    b.type_into("nik", &nik).await;
    b.type_into("nama", &nama).await;
    b.click("#dok-formulir_permohonan").await;
    b.click("button[type=submit].primary").await;
    b.find("#alasan").await;
    let refused = b.text().await;
    assert!(refused.contains("Berkas tidak dapat diterima"), "{refused}");
    assert!(refused.contains("dokumen belum lengkap"), "{refused}");
    let kept = b.find("#nama").await.prop("value").await.unwrap();
    assert_eq!(
        kept.as_deref(),
        Some(nama.as_str()),
        "the name typed is kept"
    );
    let ticked = b
        .find("#dok-formulir_permohonan")
        .await
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(
        ticked.as_deref(),
        Some("true"),
        "the ticked document is kept"
    );
    b.check("desk-loket-refused").await;

    // The missing copy of the KK, and the berkas goes on.
    b.click("#dok-fotokopi_kk").await;
    b.click("button[type=submit].primary").await;
    b.at("/loket/berkas/327301-").await;
    let receipt = b.text().await;
    assert!(receipt.contains("Salinan permohonan"), "{receipt}");
    assert!(
        receipt.contains(&nik) && receipt.contains("S01.2"),
        "{receipt}"
    );
    b.check("desk-salinan-permohonan").await;

    // Back at the counter, the berkas is in the list.
    b.click("main a[href='/loket']").await;
    b.find("main table").await;
    assert!(b.text().await.contains("327301-"));

    let nomor = receipt_number(&receipt);

    // S05 at the same counter: a resident not in SIAK, with the Formulir Biodata; the berkas
    // goes to the Dinas, SIAK gives the NIK and the KK, and it comes back.
    b.goto(&format!("{}/loket/baru?sop=S05", site.url)).await;
    b.type_into("nama", "Dewi Lestari").await;
    b.click("#jk-p").await;
    b.type_into("tempat_lahir", "Bandung").await;
    b.set_value("tanggal_lahir", "2008-03-14").await;
    b.type_into("alamat", "Jl. Setiabudi 9").await;
    b.type_into("desa", "32.73.01.1001").await;
    for (field, value) in [
        ("rt", "3"),
        ("rw", "7"),
        ("pekerjaan", "PELAJAR/MAHASISWA"),
        ("nama_ayah", "Slamet Riyadi"),
        ("nama_ibu", "Sari Lestari"),
    ] {
        b.type_into(field, value).await;
    }
    for (list, value) in [
        ("hubungan", "anak"),
        ("agama", "islam"),
        ("status_perkawinan", "belum_kawin"),
        ("pendidikan", "slta"),
        ("kewarganegaraan", "wni"),
        ("golongan_darah", "o"),
    ] {
        b.set_value(list, value).await;
    }
    for d in ["formulir_pencatatan_biodata", "formulir_biodata_penduduk"] {
        b.click(&format!("#dok-{d}")).await;
    }
    b.click("button[type=submit].primary").await;
    b.find("#alasan").await;
    b.wait_text("Fotokopi Akta Kelahiran").await;
    assert_eq!(
        b.find("#alamat")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Jl. Setiabudi 9"),
        "the Formulir Biodata is kept"
    );
    b.check("desk-loket-s05-refused").await;
    b.click("#dok-akta_kelahiran_atau_ijazah").await;
    b.click("button[type=submit].primary").await;
    b.at("/loket/berkas/327301-").await;
    let s05 = b.path().await;
    let s05_nomor = s05.rsplit('/').next().unwrap().to_owned();

    // S05.4 at the Dinas: the berkas waits on SIAK's worklist with its Formulir Biodata; the
    // SIAK operator enters it, SIAK gives the NIK, and the KK is printed.
    b.sign_in_as(&site.url, "sinta", PASSWORD, "/siak").await;
    b.until(&format!("{}/siak", site.url), &s05_nomor).await;
    assert!(
        b.text().await.contains("Dewi Lestari"),
        "the Formulir Biodata is shown"
    );
    b.check("desk-siak-antrian").await;
    b.click(&format!(
        "form[action='/siak/kerjakan'] button[aria-label$='{s05_nomor}']"
    ))
    .await;
    b.find("#no-kk").await;
    assert!(
        b.text().await.contains("Dewi Lestari"),
        "the new KK lists her"
    );
    b.check("desk-siak-kk").await;
    b.goto(&format!("{}/siak", site.url)).await;
    assert!(
        !b.text().await.contains(&s05_nomor),
        "the berkas left SIAK's worklist"
    );

    // Back at the kecamatan's counter with the NIK and the KK.
    b.sign_in_as(&site.url, "ani", PASSWORD, "/loket").await;
    b.until(&format!("{}{s05}", site.url), "S05.6").await;
    let text = b.text().await;
    assert!(
        !text.contains("diberikan SIAK"),
        "SIAK gave the NIK: {text}"
    );
    b.check("desk-loket-s05-back").await;

    // Out: the desk asks for a sign-in again.
    b.click("header button[type=submit]").await;
    b.at("/login").await;
    b.goto(&format!("{}/loket", site.url)).await;
    b.at("/login").await;

    // The operator at the station (S01.3–S01.6): the berkas on the worklist, captured,
    // refused without the sign-off, then signed off: the bukti perekaman.
    b.goto(&format!("{}/perekaman", site.url)).await;
    b.at("/login").await;
    b.type_into("username", "oki").await;
    b.type_into("password", PASSWORD).await;
    b.click("button[type=submit].primary").await;
    b.at("/perekaman").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !b.text().await.contains(&nomor) {
        assert!(
            std::time::Instant::now() < deadline,
            "{nomor} never reached the station"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        b.goto(&format!("{}/perekaman", site.url)).await;
    }
    b.check("desk-perekaman").await;
    b.click(&format!("a[href='/perekaman/{nomor}']")).await;
    b.at(&format!("/perekaman/{nomor}")).await;
    b.check("desk-perekaman-station").await;
    b.click("#sign_off").await;
    b.click("button[type=submit].primary").await;
    b.find("#alasan").await;
    b.check("desk-perekaman-refused").await;
    b.click("#sign_off").await;
    b.click("button[type=submit].primary").await;
    b.at(&format!("/perekaman/{nomor}/bukti")).await;
    assert!(b.text().await.contains("Nomor bukti perekaman"));
    b.check("desk-bukti-perekaman").await;

    // S19 at the operations desk: the NID Scheduler's panel, and "send now" — the enrollment
    // goes to the Pusat Data; PRR puts the card in the print queue.
    b.sign_in_as(&site.url, "opsi", PASSWORD, "/ops").await;
    b.wait_text("Scheduler Current Status").await;
    b.check("desk-ops").await;
    b.click("#kirim").await;
    b.wait_text("diminta mengirim").await;

    // S21 at the print desk: encode, print (with its preview), verify; the print operator may
    // not approve; the kepala_seksi does.
    b.sign_in_as(&site.url, "citra", PASSWORD, "/cetak").await;
    b.until(&format!("{}/cetak", site.url), &nomor).await;
    b.check("desk-cetak").await;
    // The step's own button (a queued card also offers the three in one sitting).
    let act = format!("form[action='/cetak/{nomor}'] button.primary");
    for done in ["chip ditulis", "kartu dicetak", "chip dibaca kembali"] {
        b.click(&act).await;
        b.wait_text(done).await;
    }
    b.find("img[alt^='Muka kartu']").await;
    b.check("desk-cetak-printed").await;
    // The approval is the kepala_seksi's: the print operator has no button for it.
    assert!(b.client.find(fantoccini::Locator::Css(&act)).await.is_err());
    b.sign_in_as(&site.url, "kasi", PASSWORD, "/cetak").await;
    b.click(&act).await;
    b.wait_text("CARD_PRINTED").await;
    b.check("desk-cetak-approved").await;

    // S22: the petugas distribusi batches the card with its Berita Acara; the kecamatan's ppp
    // signs for the batch and hands the card over against the tanda terima.
    b.sign_in_as(&site.url, "dodi", PASSWORD, "/distribusi")
        .await;
    b.until(&format!("{}/distribusi", site.url), "Kecamatan 32.73.01")
        .await;
    b.check("desk-distribusi").await;
    b.click("#buat-batch").await;
    b.wait_text("batch dibuat").await;
    b.check("desk-distribusi-batch").await;
    b.sign_in_as(&site.url, "ani", PASSWORD, "/distribusi")
        .await;
    b.click("form[action^='/distribusi/batch/'] button").await;
    b.wait_text("batch diterima").await;
    b.type_into("penerima-1", &nama).await;
    b.click(&format!("form[action='/distribusi/kartu/{nomor}'] button"))
        .await;
    b.wait_text("CARD_ACTIVATED").await;
    b.check("desk-distribusi-handed-over").await;

    // S11, the card lost: refused without the police's letter, taken with it. The resident
    // presses both index fingers on the counter's reader, which writes ISO records; they are
    // kept on the refused form, not pressed again.
    b.goto(&format!("{}/loket/baru?sop=S11", site.url)).await;
    b.type_into("nik", &nik).await;
    b.type_into("nama", &nama).await;
    for d in ["formulir_permohonan", "dokumen_pendukung"] {
        b.click(&format!("#dok-{d}")).await;
    }
    let reader = tempfile::tempdir().unwrap();
    let person = ktpel_biometric::station::Person(nik.clone());
    for f in ktpel_biometric::station::index_fingers(&person, "loket") {
        let name = ktpel_biometric::scanned::file_name(f.finger).replace(".png", "");
        let path = reader.path().join(format!("{name}.fmr"));
        std::fs::write(&path, &f.template.data).unwrap();
        b.find(&format!("#pindai_{name}"))
            .await
            .send_keys(path.to_str().unwrap())
            .await
            .expect("a file for the reader's input");
    }
    b.click("button[type=submit].primary").await;
    b.find("#alasan").await;
    b.wait_text("Surat Keterangan Kehilangan").await;
    let kept = b.text().await;
    assert!(
        kept.contains("Telunjuk kanan (sudah dipindai)")
            && kept.contains("Telunjuk kiri (sudah dipindai)"),
        "the fingers pressed are kept on the refused form: {kept}"
    );
    b.click("#dok-surat_kehilangan").await;
    b.click("button[type=submit].primary").await;
    b.at("/loket/berkas/327301-").await;
    b.wait_text("S11").await;
    b.check("desk-loket-s11").await;

    // SIAK's desk: the resident looked up, with the family.
    b.sign_in_as(&site.url, "sinta", PASSWORD, "/siak").await;
    b.type_into("nik", &nik).await;
    b.click("button[type=submit].primary").await;
    b.find("#biodata").await;
    b.wait_text(&nama).await;
    b.check("desk-siak").await;

    // The Pusat Data's adjudication desk: a case the matcher left open (written into the
    // Pusat Data's database as the matcher would), decided in the browser.
    let case = site.open_adjudication_case().await;
    b.sign_in_as(&site.url, "adi", PASSWORD, "/adjudikasi")
        .await;
    b.wait_text(&format!("Mirip dengan NIK {}", case.on_record))
        .await;
    b.check("desk-adjudikasi").await;
    b.click("input[name=keputusan][value=sama]").await;
    b.type_into(
        &format!("alasan-{}", case.enrollment_id),
        "kedua telunjuk dan pas foto menunjukkan orang yang sama",
    )
    .await;
    b.click("button[type=submit].primary").await;
    b.at("/adjudikasi").await;
    b.wait_text("keputusan dicatat: DUPLICATE_RECORD").await;
    b.check("desk-adjudikasi-decided").await;

    // The admin's accounts page.
    b.sign_in_as(&site.url, "admin", PASSWORD, "/akun").await;
    b.wait_text("Akun pengguna").await;
    b.check("desk-akun").await;
    b.check("desk-cetak-approved").await;
    b.close().await;
    tokio::task::spawn_blocking(move || site.stop())
        .await
        .unwrap();
}

/// The berkas number on a salinan permohonan's text.
fn receipt_number(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("327301-"))
        .unwrap_or_else(|| panic!("no berkas number: {text}"))
        .to_owned()
}
