//! intake against the real broker: S01.1–S01.3 at the ppp desk.

use chrono::Utc;
use ktpel_bus::{
    Broker, Message, QueueSpec, Shutdown, Topology,
    consumer::REASON_HEADER,
    publisher::{Publication, Publisher},
};
use ktpel_contract::berkas::{BerkasAccepted, BerkasHandedOff, BerkasRefused, BerkasSubmitted};
use ktpel_contract::registry::Biodata;
use ktpel_domain::{JenisKelamin, Nik, sop::Dokumen, sop::SopId};
use ktpel_intake::{Intake, IntakeSettings, store};
use ktpel_registry::{Registry, RegistrySettings};
use ktpel_site::Service;
use ktpel_tests::{Backend, TestDatabase, TestVhost, eventually, next_message};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::{collections::BTreeMap, time::Duration};

const WAIT: Duration = Duration::from_secs(30);
/// A woman born 1 July 1990, registered in Sukasari, Kota Bandung (32.73.01).
const NIK: &str = "3273014107900001";

struct Desk {
    _vhost: TestVhost,
    _db: TestDatabase,
    _registry_db: TestDatabase,
    intake_db: sea_orm::DatabaseConnection,
    registry_db: sea_orm::DatabaseConnection,
    broker: Broker,
    shutdown: Shutdown,
}

impl Desk {
    async fn start(backend: Backend) -> Self {
        ktpel_tests::telemetry();
        let vhost = TestVhost::new();
        let db = TestDatabase::new(backend).await;
        let settings = IntakeSettings {
            database: db.settings.clone(),
            ..IntakeSettings::default()
        };
        let broker = Broker::new(vhost.url(), "intake-test");
        // The desk's and the operator's queues, declared before anything is published.
        let ch = broker.channel().await.unwrap();
        let topology = Topology::default();
        for (name, binding) in [
            ("desk.replies", "berkas.accepted.#"),
            ("desk.refusals", "berkas.refused.#"),
            ("operator.inbox", "berkas.handoff.operator.#"),
            ("card_print.lost", "card.lost.#"),
            ("dinas.counter", "berkas.dinas.ppp.#"),
        ] {
            topology
                .declare_queue(&ch, &QueueSpec::new(name, [binding.to_owned()]))
                .await
                .unwrap();
        }
        // SIAK, with the one resident the tests submit.
        let registry_db = TestDatabase::new(backend).await;
        let registry = Registry::build(
            &RegistrySettings {
                database: registry_db.settings.clone(),
                ..RegistrySettings::default()
            },
            broker.clone(),
        )
        .await
        .unwrap();
        registry.declare().await.unwrap();
        ktpel_registry::seed::store(&registry.db(), &[siti()])
            .await
            .unwrap();
        let intake = Intake::build(&settings, broker.clone()).await.unwrap();
        intake.declare().await.unwrap();
        let intake_db = intake.db();
        let registry_conn = registry.db();
        let shutdown = Shutdown::new();
        tokio::spawn(registry.run(shutdown.clone()));
        tokio::spawn(intake.run(shutdown.clone()));
        Self {
            _vhost: vhost,
            _db: db,
            _registry_db: registry_db,
            intake_db,
            registry_db: registry_conn,
            broker,
            shutdown,
        }
    }

    async fn submit_raw(&self, message_type: &str, body: &[u8], kecamatan: &str) {
        let publisher = Publisher::new(self.broker.channel().await.unwrap(), "desk")
            .await
            .unwrap();
        publisher
            .publish(&Publication {
                exchange: "ktpel",
                routing_key: &format!("berkas.submitted.{kecamatan}"),
                message_id: uuid::Uuid::now_v7(),
                correlation_id: "desk",
                message_type,
                headers: &BTreeMap::new(),
                body,
            })
            .await
            .unwrap();
    }

    async fn submit(&self, m: &BerkasSubmitted) {
        self.submit_raw(
            &BerkasSubmitted::message_type(),
            &serde_json::to_vec(m).unwrap(),
            "32.73.01",
        )
        .await;
    }

    /// Siti's card reaches `status` as the national system says it (card-print, distribution),
    /// and SIAK has heard it.
    async fn card_status(&self, status: ktpel_domain::StatusKartu) {
        use ktpel_contract::enrollment::CardStatusChanged;
        let body = CardStatusChanged {
            nik: Nik::parse(NIK).unwrap(),
            nomor_berkas: "327301-20260101-0001".into(),
            status,
            note: "test".into(),
            at: Utc::now(),
        };
        let publisher = Publisher::new(self.broker.channel().await.unwrap(), "test")
            .await
            .unwrap();
        publisher
            .publish(&Publication {
                exchange: "ktpel",
                routing_key: "card.status.32.73.01",
                message_id: uuid::Uuid::now_v7(),
                correlation_id: "test",
                message_type: &CardStatusChanged::message_type(),
                headers: &BTreeMap::new(),
                body: &serde_json::to_vec(&body).unwrap(),
            })
            .await
            .unwrap();
        assert!(
            eventually(WAIT, || async {
                ktpel_registry::store::penduduk::Entity::find_by_id(NIK.to_owned())
                    .one(&self.registry_db)
                    .await
                    .unwrap()
                    .and_then(|p| p.status_kartu)
                    == Some(status)
            })
            .await,
            "SIAK heard {status}"
        );
    }

    /// Waits for one message on `queue` and decodes it.
    async fn next<M: Message>(&self, queue: &str) -> M {
        let m = next_message(&self.broker, queue, WAIT)
            .await
            .unwrap_or_else(|| panic!("nothing arrived on {queue}"));
        assert_eq!(
            m.delivery.properties.kind().as_ref().map(|k| k.to_string()),
            Some(M::message_type())
        );
        serde_json::from_slice(&m.delivery.data).unwrap()
    }

    async fn depth(&self, queue: &str) -> u32 {
        self.broker.queue_depth(queue).await.unwrap()
    }
}

impl Desk {
    /// No berkas, no buku harian entry, nothing pending, nothing handed to the operator.
    async fn assert_nothing_stored(&self) {
        let db = &self.intake_db;
        assert_eq!(store::berkas::Entity::find().count(db).await.unwrap(), 0);
        assert_eq!(
            store::buku_harian::Entity::find().count(db).await.unwrap(),
            0
        );
        assert_eq!(store::pending::Entity::find().count(db).await.unwrap(), 0);
        assert_eq!(self.depth("operator.inbox").await, 0);
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Siti as SIAK knows her.
fn siti() -> Biodata {
    Biodata {
        nik: Nik::parse(NIK).unwrap(),
        nama: "Siti Rahayu".into(),
        no_kk: "3273010101100001".into(),
        jenis_kelamin: JenisKelamin::Perempuan,
        tempat_lahir: "Kota Bandung".into(),
        tanggal_lahir: chrono::NaiveDate::from_ymd_opt(1990, 7, 1).unwrap(),
        alamat: "Jl. Merdeka No. 1, RT 001/RW 002, Sukasari".into(),
        desa: "32.73.01.1001".into(),
        rincian: None,
    }
}

fn berkas(dokumen: Vec<Dokumen>) -> BerkasSubmitted {
    BerkasSubmitted {
        sidik_jari: Vec::new(),
        submission_id: uuid::Uuid::now_v7(),
        sop: "S01".parse::<SopId>().unwrap(),
        nik: Some(Nik::parse(NIK).unwrap()),
        nama: "Siti Rahayu".into(),
        biodata: None,
        perubahan: None,
        kedatangan: None,
        dokumen,
        kecamatan: "32.73.01".into(),
        petugas: "ppp-sukasari-1".into(),
        diterima_pada: Utc::now(),
    }
}

// S01.1–S01.3: a complete berkas is written in the buku harian, numbered, and handed to the
// operator; the desk gets the number (salinan permohonan).
async fn a_complete_berkas_reaches_the_operator(backend: Backend) {
    let desk = Desk::start(backend).await;
    let b = berkas(vec![Dokumen::FormulirPermohonan, Dokumen::FotokopiKk]);
    desk.submit(&b).await;

    let accepted: BerkasAccepted = desk.next("desk.replies").await;
    assert_eq!(accepted.submission_id, b.submission_id);
    assert!(
        accepted.nomor_berkas.starts_with("327301-"),
        "{}",
        accepted.nomor_berkas
    );
    assert_eq!(accepted.next_hop, "operator@kecamatan");
    let handoff: BerkasHandedOff = desk.next("operator.inbox").await;
    assert_eq!(handoff.nomor_berkas, accepted.nomor_berkas);
    assert_eq!(handoff.nik.map(|n| n.to_string()).as_deref(), Some(NIK));
    assert_eq!(handoff.hop, 1);
    assert_eq!(handoff.stamps.len(), 1);
    assert_eq!(handoff.stamps[0].step, "S01.2");

    let entries = store::buku_harian::Entity::find()
        .all(&desk.intake_db)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].nomor_berkas, accepted.nomor_berkas);
    assert_eq!(entries[0].nik, NIK);
    assert_eq!(entries[0].petugas, "ppp-sukasari-1");

    // The ops room's view of it: one S01 berkas, open at the operator's hop, every other
    // hop of the catalogue at 0 (what the metrics and the status page show).
    let open = ktpel_intake::query::open_at_hops(&desk.intake_db, Utc::now())
        .await
        .unwrap();
    let at = |hop: &str| open.iter().find(|h| h.hop == hop).map(|h| h.count);
    assert_eq!(at("operator@kecamatan"), Some(1), "{open:?}");
    assert_eq!(at("ppp@kecamatan"), Some(0), "{open:?}");
    assert_eq!(open.iter().map(|h| h.count).sum::<u64>(), 1, "{open:?}");
    let oldest = open
        .iter()
        .find(|h| h.hop == "operator@kecamatan")
        .unwrap()
        .oldest_seconds;
    assert!((0.0..60.0).contains(&oldest), "out since S01.2: {oldest}");
    let per_procedure = ktpel_intake::query::per_procedure(&desk.intake_db)
        .await
        .unwrap();
    assert_eq!(per_procedure.len(), 1, "{per_procedure:?}");
    assert_eq!(
        (per_procedure[0].sop.as_str(), per_procedure[0].count),
        ("S01", 1)
    );
}

// S01.1 offers a choice: the KK copy or the old paper KTP.
async fn the_old_paper_ktp_stands_in_for_the_kk(backend: Backend) {
    let desk = Desk::start(backend).await;
    desk.submit(&berkas(vec![
        Dokumen::FormulirPermohonan,
        Dokumen::FotokopiKtpNonElektronik,
    ]))
    .await;
    let _: BerkasAccepted = desk.next("desk.replies").await;
}

// S01.2: a berkas without the application form is refused with the reason, and nothing of it
// is stored.
async fn a_missing_document_is_refused_and_nothing_is_stored(backend: Backend) {
    let desk = Desk::start(backend).await;
    let b = berkas(vec![Dokumen::FotokopiKk]);
    desk.submit(&b).await;

    let refused: BerkasRefused = desk.next("desk.refusals").await;
    assert_eq!(refused.submission_id, b.submission_id);
    let reasons = refused.reasons.join("; ").to_lowercase();
    assert!(reasons.contains("formulir"), "{reasons}");
    desk.assert_nothing_stored().await;
}

// S01.2: a NIK that is valid but not in SIAK is refused with the reason; nothing is stored.
async fn an_unregistered_nik_is_refused_and_nothing_is_stored(backend: Backend) {
    let desk = Desk::start(backend).await;
    let mut b = berkas(vec![Dokumen::FormulirPermohonan, Dokumen::FotokopiKk]);
    b.nik = Some(Nik::parse("3273010107051234").unwrap()); // valid, but nobody SIAK knows
    desk.submit(&b).await;

    let refused: BerkasRefused = desk.next("desk.refusals").await;
    assert_eq!(refused.submission_id, b.submission_id);
    let reasons = refused.reasons.join("; ");
    assert!(
        reasons.contains("3273010107051234") && reasons.contains("SIAK"),
        "{reasons}"
    );
    desk.assert_nothing_stored().await;
}

// A desk that resends the same submission (a retry over a poor link) gets one berkas.
async fn a_resubmission_is_one_berkas(backend: Backend) {
    let desk = Desk::start(backend).await;
    let b = berkas(vec![Dokumen::FormulirPermohonan, Dokumen::FotokopiKk]);
    desk.submit(&b).await;
    let first: BerkasAccepted = desk.next("desk.replies").await;
    desk.submit(&b).await;
    // A desk that lost the answer with its connection gets it again, with the same number.
    let again: BerkasAccepted = desk.next("desk.replies").await;
    assert_eq!(again.nomor_berkas, first.nomor_berkas);
    assert_eq!(again.submission_id, b.submission_id);
    // The second one is consumed (its own message id; the inbox then holds the first, SIAK's
    // answer and the second) but changes nothing.
    assert!(
        eventually(WAIT, || async {
            ktpel_bus::inbox::count(&desk.intake_db, ktpel_intake::startup::QUEUE)
                .await
                .unwrap()
                == 3
        })
        .await
    );
    assert_eq!(
        store::berkas::Entity::find()
            .count(&desk.intake_db)
            .await
            .unwrap(),
        1
    );
    assert_eq!(desk.depth("operator.inbox").await, 1);
}

// An invalid NIK never becomes a berkas: the message is dead-lettered with the reason.
async fn an_invalid_nik_is_dead_lettered_with_the_reason(backend: Backend) {
    let desk = Desk::start(backend).await;
    let mut body = serde_json::to_value(berkas(vec![
        Dokumen::FormulirPermohonan,
        Dokumen::FotokopiKk,
    ]))
    .unwrap();
    body["nik"] = "3273019999900001".into(); // day 99: no such date
    desk.submit_raw(
        &BerkasSubmitted::message_type(),
        &serde_json::to_vec(&body).unwrap(),
        "32.73.01",
    )
    .await;
    let dead = next_message(&desk.broker, "intake.berkas.dlq", WAIT)
        .await
        .expect("the message is in the dead-letter queue");
    let reason = dead
        .delivery
        .properties
        .headers()
        .as_ref()
        .and_then(|h| h.inner().get(REASON_HEADER).cloned())
        .and_then(|v| v.as_long_string().map(|s| s.to_string()))
        .expect("a reason header");
    let reason = reason.to_lowercase();
    assert!(
        reason.contains("nik") && reason.contains("date"),
        "{reason}"
    );
    assert_eq!(
        store::berkas::Entity::find()
            .count(&desk.intake_db)
            .await
            .unwrap(),
        0
    );
}

/// The desks' mailbox comes back when the broker lost it: intake declares it again with its
/// queue whenever it reconnects, and the next answer lands there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desks_mailbox_is_declared_again_after_a_reconnect() {
    let desk = Desk::start(Backend::Sqlite).await;
    let mailbox = ktpel_intake::startup::DESK_ANSWERS;
    assert_eq!(desk.depth(mailbox).await, 0);
    let ch = desk.broker.channel().await.unwrap();
    ch.queue_delete(mailbox.into(), Default::default())
        .await
        .unwrap();
    let _ = ch.close(200, "deleted".into()).await;
    desk._vhost.close_all_connections();
    assert!(
        eventually(WAIT, || async {
            desk.broker.queue_depth(mailbox).await.is_ok()
        })
        .await,
        "intake declared its mailbox again"
    );
    an_answer_is_kept_in(&desk, mailbox).await;
}

/// A berkas submitted at `desk`: its answer lands in `mailbox` (empty before).
async fn an_answer_is_kept_in(desk: &Desk, mailbox: &str) {
    desk.submit(&berkas(vec![
        Dokumen::FormulirPermohonan,
        Dokumen::FotokopiKk,
    ]))
    .await;
    assert!(
        eventually(WAIT, || async {
            desk.broker.queue_depth(mailbox).await.unwrap_or(0) == 1
        })
        .await,
        "the answer is kept in {mailbox}"
    );
}

/// A desks' mailbox that an earlier version declared as a classic queue (one node's, lost with
/// it in a cluster) is replaced by a quorum queue when intake reconnects, and answers land
/// there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_classic_mailbox_of_an_earlier_version_becomes_a_quorum_queue() {
    let desk = Desk::start(Backend::Sqlite).await;
    let mailbox = ktpel_intake::startup::DESK_ANSWERS;
    assert_eq!(desk._vhost.queue_type(mailbox).as_deref(), Some("quorum"));
    let ch = desk.broker.channel().await.unwrap();
    ch.queue_delete(mailbox.into(), Default::default())
        .await
        .unwrap();
    let mut classic = lapin::types::FieldTable::default();
    classic.insert("x-max-length".into(), lapin::types::AMQPValue::LongInt(10));
    ch.queue_declare(
        mailbox.into(),
        lapin::options::QueueDeclareOptions {
            durable: true,
            ..Default::default()
        },
        classic,
    )
    .await
    .unwrap();
    let _ = ch.close(200, "declared".into()).await;
    assert_eq!(desk._vhost.queue_type(mailbox).as_deref(), Some("classic"));
    desk._vhost.close_all_connections();
    assert!(
        eventually(WAIT, || async {
            desk._vhost.queue_type(mailbox).as_deref() == Some("quorum")
        })
        .await,
        "intake replaced the classic mailbox: {:?}",
        desk._vhost.queue_type(mailbox)
    );
    an_answer_is_kept_in(&desk, mailbox).await;
}

// S05.2: a new resident's berkas without what S05 needs is refused with every reason, and
// nothing is stored: a NIK given (SIAK gives one), no Formulir Biodata, a desa outside the
// desk's kecamatan, a date of birth to come; and S01 without a NIK.
async fn a_new_residents_berkas_is_refused_for_what_it_lacks(backend: Backend) {
    use ktpel_contract::registry::FormulirBiodata;
    let desk = Desk::start(backend).await;
    let docs = vec![
        Dokumen::FormulirPencatatanBiodata,
        Dokumen::FormulirBiodataPenduduk,
        Dokumen::AktaKelahiranAtauIjazah,
    ];
    let form = FormulirBiodata {
        nama: "Dewi Lestari".into(),
        jenis_kelamin: JenisKelamin::Perempuan,
        tempat_lahir: "Kota Bandung".into(),
        tanggal_lahir: chrono::NaiveDate::from_ymd_opt(2008, 3, 14).unwrap(),
        alamat: "Jl. Setiabudi No. 9, RT 002/RW 004".into(),
        desa: "32.73.02.1001".into(), // Coblong's, not Sukasari's
        no_kk: None,
        rincian: None,
    };
    let mut b = berkas(docs.clone());
    b.sop = "S05".parse().unwrap();
    b.biodata = Some(form.clone());
    desk.submit(&b).await;
    let refused: BerkasRefused = desk.next("desk.refusals").await;
    let reasons = refused.reasons.join("; ");
    assert!(
        reasons.contains("mendapat NIK dari SIAK")
            && reasons.contains("tidak berada di kecamatan 32.73.01"),
        "{reasons}"
    );

    let mut b = berkas(docs.clone());
    b.sop = "S05".parse().unwrap();
    b.nik = None;
    desk.submit(&b).await;
    let refused: BerkasRefused = desk.next("desk.refusals").await;
    assert!(
        refused
            .reasons
            .join("; ")
            .contains("memerlukan Formulir Biodata Penduduk"),
        "{:?}",
        refused.reasons
    );

    let mut b = berkas(docs);
    b.sop = "S05".parse().unwrap();
    b.nik = None;
    b.biodata = Some(FormulirBiodata {
        desa: "32.73.01.1001".into(),
        tanggal_lahir: Utc::now().date_naive() + chrono::Duration::days(3),
        ..form
    });
    desk.submit(&b).await;
    let refused: BerkasRefused = desk.next("desk.refusals").await;
    assert!(
        refused.reasons.join("; ").contains("di masa depan"),
        "{:?}",
        refused.reasons
    );

    let mut b = berkas(vec![Dokumen::FormulirPermohonan, Dokumen::FotokopiKk]);
    b.nik = None;
    desk.submit(&b).await;
    let refused: BerkasRefused = desk.next("desk.refusals").await;
    assert!(
        refused.reasons.join("; ").contains("isi NIK"),
        "{:?}",
        refused.reasons
    );
    desk.assert_nothing_stored().await;
}

// Section C: a replacement is refused, with the reason and nothing stored, for a missing old
// card (S06, S09, S13) or police letter (S11), a missing or misplaced data change, a NIK SIAK
// does not know, a resident with no card yet, a card still in production, or a change of desa
// that is a move. Then a lost card's berkas is accepted and the lost card reported at once.
async fn a_replacement_is_refused_for_what_it_lacks(backend: Backend) {
    use ktpel_contract::registry::PerubahanBiodata;
    use ktpel_domain::StatusKartu;
    let desk = Desk::start(backend).await;
    let replacement = |sop: &str, dokumen: Vec<Dokumen>, perubahan: Option<PerubahanBiodata>| {
        let mut b = berkas(dokumen);
        b.sop = sop.parse().unwrap();
        b.perubahan = perubahan;
        // S06–S14: the resident's index fingers, pressed at the counter.
        b.sidik_jari = ktpel_biometric::station::index_fingers(
            &ktpel_biometric::station::Person::of(b.nik.as_ref().unwrap()),
            "loket",
        );
        b
    };
    let rename = || {
        Some(PerubahanBiodata {
            nama: Some("Siti Rahayu Putri".into()),
            ..Default::default()
        })
    };
    let at_desk = &desk;
    let refused_for = |sop: &'static str, wanted: &'static str| async move {
        let r: BerkasRefused = at_desk.next("desk.refusals").await;
        assert_eq!(r.sop.to_string(), sop);
        let reasons = r.reasons.join("; ");
        assert!(reasons.contains(wanted), "{sop}: {reasons}");
    };
    use Dokumen::*;
    // The old card not handed in; the police letter missing.
    for (sop, docs, change, missing) in [
        (
            "S06",
            vec![FormulirPermohonan, DokumenPendukung],
            rename(),
            "KTP-el yang datanya salah",
        ),
        (
            "S09",
            vec![FormulirPermohonan, DokumenPendukung],
            None,
            "KTP-el yang rusak",
        ),
        (
            "S13",
            vec![FormulirPermohonan, DokumenPendukung],
            rename(),
            "KTP-el lama",
        ),
        (
            "S11",
            vec![FormulirPermohonan, DokumenPendukung],
            None,
            "Surat Keterangan Kehilangan",
        ),
    ] {
        desk.submit(&replacement(sop, docs, change)).await;
        refused_for(sop, missing).await;
    }
    let wrong = vec![KtpElSalah, FormulirPermohonan, DokumenPendukung];
    let damaged = vec![KtpElRusak, FormulirPermohonan, DokumenPendukung];
    let lost = vec![SuratKehilangan, FormulirPermohonan, DokumenPendukung];
    let old = vec![KtpElLama, FormulirPermohonan, DokumenPendukung];
    // A correction that says nothing; a change where the reason has none.
    desk.submit(&replacement("S06", wrong.clone(), None)).await;
    refused_for("S06", "isi apa yang dikoreksi").await;
    desk.submit(&replacement("S09", damaged, rename())).await;
    refused_for("S09", "tidak mengubah data di SIAK").await;
    // No index finger pressed; a thumb instead; a record that is not one.
    let mut unpressed = replacement("S11", lost.clone(), None);
    unpressed.sidik_jari.clear();
    desk.submit(&unpressed).await;
    refused_for("S11", "pindai sidik jari telunjuk penduduk").await;
    let mut thumb = replacement("S11", lost.clone(), None);
    thumb.sidik_jari[0].finger = ktpel_contract::enrollment::Finger::RightThumb;
    thumb.sidik_jari[1].template.data.truncate(10);
    desk.submit(&thumb).await;
    refused_for("S11", "yang dipindai hanya jari telunjuk").await;
    let mut garbled = replacement("S11", lost.clone(), None);
    garbled.sidik_jari[1].template.data.truncate(10);
    desk.submit(&garbled).await;
    refused_for("S11", "sidik jari LeftIndex tidak terbaca").await;
    // SIAK answers: no card yet; a card in production; a NIK it does not know.
    desk.submit(&replacement("S06", wrong.clone(), rename()))
        .await;
    refused_for("S06", "belum punya KTP-el untuk diganti").await;
    desk.card_status(StatusKartu::Prr).await;
    desk.submit(&replacement("S11", lost.clone(), None)).await;
    refused_for("S11", "masih dalam proses (PRR)").await;
    let mut stranger = replacement("S06", wrong, rename());
    stranger.nik = Some(Nik::parse("3273010101900002").unwrap());
    desk.submit(&stranger).await;
    refused_for("S06", "tidak terdaftar di SIAK").await;
    // A change of desa to another kecamatan is a move.
    desk.card_status(StatusKartu::CardActivated).await;
    let move_away = Some(PerubahanBiodata {
        desa: Some("32.73.02.1001".into()),
        ..Default::default()
    });
    desk.submit(&replacement("S13", old.clone(), move_away))
        .await;
    refused_for("S13", "pindah kecamatan adalah perpindahan").await;
    // Siti was recorded before SIAK kept her marital status: there is none to change.
    let married = Some(PerubahanBiodata {
        status_perkawinan: Some(ktpel_domain::biodata::StatusPerkawinan::Kawin),
        ..Default::default()
    });
    // A change of marital status needs the marriage or divorce papers among the documents.
    desk.submit(&replacement("S13", old.clone(), married.clone()))
        .await;
    refused_for(
        "S13",
        "perubahan status perkawinan memerlukan dokumen pendukung: Fotokopi Buku Nikah",
    )
    .await;
    let with_akta = [old, vec![BukuNikahAtauAktaCerai]].concat();
    desk.submit(&replacement("S13", with_akta, married)).await;
    refused_for("S13", "SIAK belum mencatat status perkawinan").await;
    desk.assert_nothing_stored().await;
    assert_eq!(
        desk.depth("card_print.lost").await,
        0,
        "no card reported lost"
    );

    // With everything, a lost card's berkas goes to the Dinas and the card is reported lost.
    desk.submit(&replacement("S11", lost, None)).await;
    let accepted: BerkasAccepted = desk.next("desk.replies").await;
    assert_eq!(accepted.next_hop, "ppp@dinas");
    let reported: ktpel_contract::enrollment::CardReportedLost = desk.next("card_print.lost").await;
    assert_eq!(reported.nik.as_str(), NIK);
    assert_eq!(reported.nomor_berkas, accepted.nomor_berkas);
    let slip: BerkasHandedOff = desk.next("dinas.counter").await;
    assert_eq!(slip.hop, 1);
    let row = store::berkas::Entity::find_by_id(accepted.nomor_berkas)
        .one(&desk.intake_db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.status,
        ktpel_domain::StatusKartu::CardActivated,
        "the old card, until the new one"
    );
}

// S15–S17: a relocation is refused, with the reason and nothing stored, without the Surat
// Keterangan Pindah, without the arrival form, for a desa outside the kecamatan it is entered
// under, from another kabupaten/kota (S18), to the desa the family lives in already; and an
// arrival form on a berkas that moves no one.
async fn a_relocation_is_refused_for_what_it_lacks(backend: Backend) {
    use ktpel_contract::registry::Kedatangan;
    use ktpel_domain::StatusKartu;
    let desk = Desk::start(backend).await;
    let at_desk = &desk;
    let refused_for = |wanted: &'static str| async move {
        let r: BerkasRefused = at_desk.next("desk.refusals").await;
        let reasons = r.reasons.join("; ");
        assert!(reasons.contains(wanted), "{}: {reasons}", r.sop);
    };
    let moving = |sop: &str, kecamatan: &str, desa: Option<&str>, dokumen: Vec<Dokumen>| {
        let mut b = berkas(dokumen);
        b.sop = sop.parse().unwrap();
        b.kecamatan = kecamatan.into();
        b.kedatangan = desa.map(|d| Kedatangan {
            desa: d.into(),
            alamat: "Jl. Cipaganti No. 3".into(),
        });
        b
    };
    use Dokumen::*;
    let docs = vec![KtpElLama, SuratKeteranganPindah, FormulirKedatangan];
    desk.submit(&moving(
        "S15",
        "32.73.02",
        Some("32.73.02.1001"),
        vec![KtpElLama, FormulirKedatangan],
    ))
    .await;
    refused_for("Surat Keterangan Pindah").await;
    desk.submit(&moving("S15", "32.73.02", None, docs.clone()))
        .await;
    refused_for("isi formulir kedatangan").await;
    desk.submit(&moving(
        "S16",
        "32.73.02",
        Some("32.04.05.2001"),
        docs.clone(),
    ))
    .await;
    refused_for("tidak berada di kecamatan 32.73.02").await;
    let mut b = berkas(vec![FormulirPermohonan, FotokopiKk]);
    b.kedatangan = moving("S15", "32.73.01", Some("32.73.01.1002"), vec![]).kedatangan;
    desk.submit(&b).await;
    refused_for("bukan perpindahan").await;
    // SIAK answers: Siti lives in Sukasari, Kota Bandung.
    desk.card_status(StatusKartu::CardActivated).await;
    desk.submit(&moving(
        "S17",
        "32.04.05",
        Some("32.04.05.2001"),
        docs.clone(),
    ))
    .await;
    refused_for("adalah S18").await;
    desk.submit(&moving(
        "S18",
        "32.73.02",
        Some("32.73.02.1001"),
        docs.clone(),
    ))
    .await;
    refused_for("pindah di dalam satu kabupaten/kota adalah S15–S17").await;
    desk.submit(&moving(
        "S15",
        "32.73.01",
        Some("32.73.01.1001"),
        docs.clone(),
    ))
    .await;
    refused_for("sudah tinggal di desa/kelurahan").await;
    desk.assert_nothing_stored().await;

    // With everything: on to SIAK for the arrival, under the kecamatan of arrival.
    desk.submit(&moving("S16", "32.73.02", Some("32.73.02.1001"), docs))
        .await;
    let accepted: BerkasAccepted = desk.next("desk.replies").await;
    assert!(
        accepted.nomor_berkas.starts_with("327302-"),
        "{}",
        accepted.nomor_berkas
    );
    assert_eq!(accepted.next_hop, "ppp@dinas");
}

// A timeline written before card statuses had a column of their own: the upgrade reads each
// line's status from the head of its note, and the berkas's cards are counted from it.
async fn an_old_timeline_gets_its_statuses_on_upgrade(backend: Backend) {
    use sea_orm::{ConnectionTrait, QueryOrder, Statement};
    use sea_orm_migration::MigratorTrait;
    let db_guard = TestDatabase::new(backend).await;
    let db = ktpel_store::connect(&db_guard.settings).await.unwrap();
    // Every migration but the last: the tables as an older release left them.
    let before = store::Migrator::migrations().len() as u32 - 1;
    store::Migrator::up(&db, Some(before)).await.unwrap();
    let notes = [
        "diterima oleh ppp-1, dicatat di buku harian",
        "PRR: unique: print ready",
        "CARD_ACTIVATED: diserahkan",
        "PRR: unique: print ready",
        "CARD_ACTIVATEDX: not a status",
    ];
    for note in notes {
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            match db.get_database_backend() {
                sea_orm::DatabaseBackend::Postgres => {
                    "INSERT INTO intake_timeline (nomor_berkas, hop, step, note, at) \
                     VALUES ($1, 'ppp@kecamatan', 'S01.2', $2, $3)"
                }
                _ => {
                    "INSERT INTO intake_timeline (nomor_berkas, hop, step, note, at) \
                     VALUES (?, 'ppp@kecamatan', 'S01.2', ?, ?)"
                }
            },
            [
                "327301-20261206-0001".into(),
                note.into(),
                Utc::now().into(),
            ],
        ))
        .await
        .unwrap();
    }
    store::Migrator::up(&db, None).await.unwrap();
    let rows = store::timeline::Entity::find()
        .order_by_asc(store::timeline::Column::Id)
        .all(&db)
        .await
        .unwrap();
    assert_eq!(rows.len(), notes.len(), "no line lost");
    let statuses: Vec<Option<&str>> = rows.iter().map(|r| r.status.as_deref()).collect();
    assert_eq!(
        statuses,
        [None, Some("PRR"), Some("CARD_ACTIVATED"), Some("PRR"), None]
    );
    let count = |s| store::timeline::count_status(&db, "327301-20261206-0001", s);
    assert_eq!(count(ktpel_domain::StatusKartu::Prr).await.unwrap(), 2);
    assert_eq!(
        count(ktpel_domain::StatusKartu::CardActivated)
            .await
            .unwrap(),
        1
    );
}

ktpel_tests::on_both_databases!(
    an_old_timeline_gets_its_statuses_on_upgrade,
    a_relocation_is_refused_for_what_it_lacks,
    a_replacement_is_refused_for_what_it_lacks,
    a_new_residents_berkas_is_refused_for_what_it_lacks,
    a_complete_berkas_reaches_the_operator,
    the_old_paper_ktp_stands_in_for_the_kk,
    a_missing_document_is_refused_and_nothing_is_stored,
    an_unregistered_nik_is_refused_and_nothing_is_stored,
    a_resubmission_is_one_berkas,
    an_invalid_nik_is_dead_lettered_with_the_reason,
);

// The consumer's partitions accept berkas in transactions of their own, at once. Each takes
// the day's next berkas number; two that counted together would take one number, and the
// loser's retries would run out under load. Eight transactions accept a berkas each and hold
// their transaction a moment (the rest of a consumer batch): every one commits, with eight
// different numbers. Counted from the berkas already there, without a lock, all eight read 0
// and seven failed on the duplicate key (12-05, before `ktpel_store::series`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn berkas_accepted_at_once_take_different_numbers() {
    ktpel_tests::telemetry();
    let db_guard = TestDatabase::new(Backend::Postgres).await;
    let db = db_guard.open::<store::Migrator>().await;
    let failed = ktpel_tests::write_at_once(&db, 8, |txn, _| {
        Box::pin(async move {
            let b = berkas(vec![Dokumen::FormulirPermohonan, Dokumen::FotokopiKk]);
            ktpel_intake::handlers::submitted::accept(
                txn,
                &ktpel_bus::Outbox::default(),
                &b,
                &b.nama,
                ktpel_domain::StatusKartu::BelumRekam,
            )
            .await
            .map_err(|e| e.to_string())
        })
    })
    .await;
    assert!(failed.is_empty(), "transactions failed: {failed:?}");
    let mut numbers: Vec<String> = store::berkas::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.nomor_berkas)
        .collect();
    numbers.sort();
    let suffixes: Vec<&str> = numbers.iter().map(|n| &n[n.len() - 4..]).collect();
    assert_eq!(
        suffixes,
        [
            "0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008"
        ]
    );
}

/// A berkas taken at the Dinas desk (S07, a B variant) is numbered in the Dinas's own series
/// of the day, `…-D0001`, and a kecamatan counter's in its own, `…-0001`: the counter of
/// 32.73.01 at its site and the Dinas desk both number 32.73.01's berkas, and a number the two
/// gave twice would join two residents' cards, batches and tanda terima. The Dinas's numbers
/// do not count as the kecamatan's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dinas_desk_numbers_in_a_series_of_its_own() {
    let db_guard = TestDatabase::new(Backend::Postgres).await;
    let db = db_guard.open::<store::Migrator>().await;
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut numbers = Vec::new();
    for sop in ["S07", "S01", "S07", "S01"] {
        let mut b = berkas(vec![Dokumen::FormulirPermohonan, Dokumen::FotokopiKk]);
        b.sop = sop.parse().unwrap();
        ktpel_intake::handlers::submitted::accept(
            &db,
            &ktpel_bus::Outbox::default(),
            &b,
            &b.nama,
            ktpel_domain::StatusKartu::CardActivated,
        )
        .await
        .unwrap();
        let n = store::berkas::Entity::find()
            .filter(store::berkas::Column::SubmissionId.eq(b.submission_id))
            .one(&db)
            .await
            .unwrap()
            .expect("the berkas")
            .nomor_berkas;
        numbers.push(n.split('-').nth(2).unwrap().to_owned());
    }
    assert_eq!(numbers, ["D0001", "0001", "D0002", "0002"]);
}
