//! S01 through the services, over the real broker: the resident's berkas from the kecamatan
//! desk to enrollment and back to the ppp.

use chrono::Utc;
use ktpel_afis_sync::{panel::Connection, scheduler::SchedulerStatus};
use ktpel_biometric::{
    seal::SealKey,
    station::{Person, capture},
    store::enrollment,
};
use ktpel_contract::{
    berkas::{BerkasAccepted, BerkasSubmitted, SUBMITTED},
    enrollment::{
        CAPTURED, CardStatusChanged, EnrollmentCaptured, EnrollmentCreated, EnrollmentRefused,
        TemplateFormat,
    },
    registry::Biodata,
};
use ktpel_domain::{Dokumen, KodeWilayah, Nik, SopId, StatusKartu};
use ktpel_intake::store::{berkas, timeline};
use ktpel_tests::{
    Backend, eventually, next_message,
    system::{System, TEST_SEAL_KEY},
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn residents(n: usize) -> Vec<Biodata> {
    ktpel_registry::seed::generate(&KodeWilayah::parse("32.73.01").unwrap(), n, 42).unwrap()
}

fn submission(r: &Biodata) -> BerkasSubmitted {
    BerkasSubmitted {
        sidik_jari: Vec::new(),
        submission_id: uuid::Uuid::now_v7(),
        sop: "S01".parse::<SopId>().unwrap(),
        nik: Some(r.nik.clone()),
        nama: r.nama.clone(),
        biodata: None,
        perubahan: None,
        kedatangan: None,
        dokumen: vec![Dokumen::FormulirPermohonan, Dokumen::FotokopiKk],
        kecamatan: "32.73.01".into(),
        petugas: "ppp-1".into(),
        diterima_pada: Utc::now(),
    }
}

async fn decoded<M: ktpel_bus::Message>(system: &System, queue: &str) -> M {
    let m = next_message(&system.broker, queue, WAIT)
        .await
        .unwrap_or_else(|| panic!("nothing arrived on {queue}"));
    serde_json::from_slice(&m.delivery.data).expect("the body decodes")
}

/// Submits `r`'s berkas and returns its number once intake accepted it.
async fn accepted(system: &System, r: &Biodata) -> String {
    system.send(&submission(r), SUBMITTED, "32.73.01").await;
    let a: BerkasAccepted = decoded(system, "desk.replies").await;
    assert_eq!(a.nik.as_ref(), Some(&r.nik));
    a.nomor_berkas
}

async fn start(backend: Backend, people: &[Biodata]) -> System {
    let system = System::start(backend, people).await;
    system.listen("desk.replies", &["berkas.accepted.#"]).await;
    system
        .listen("station.replies", &["enrollment.refused.#"])
        .await;
    system
        .listen("afis.records", &["enrollment.created.#"])
        .await;
    system.listen("dinas.status", &["card.status.#"]).await;
    system
}

/// The station sends `person`'s capture for berkas `nomor` under `nik`, signed off by the
/// operator or not.
async fn send_capture(system: &System, nomor: &str, nik: &Nik, person: &Person, signed_off: bool) {
    let c = capture(nomor, nik, person, "operator-1", signed_off);
    system.send(&c, CAPTURED, "32.73.01").await;
}

/// Submits and enrolls `r` (as `person`), returning the berkas number.
async fn enrolled(system: &System, r: &Biodata, person: &Person) -> String {
    enrolled_as(system, r, person).await.nomor_berkas
}

/// Submits and enrolls `r` (as `person`), returning the enrollment stored.
async fn enrolled_as(system: &System, r: &Biodata, person: &Person) -> EnrollmentCreated {
    let nomor = accepted(system, r).await;
    send_capture(system, &nomor, &r.nik, person, true).await;
    let created: EnrollmentCreated = decoded(system, "afis.records").await;
    assert_eq!(created.nomor_berkas, nomor);
    created
}

/// The next card status the Dinas hears.
async fn status(system: &System) -> CardStatusChanged {
    decoded(system, "dinas.status").await
}

// S01.1–S01.8: accepted, enrolled (sealed at rest), record on its way to the NID Scheduler,
// berkas archived with the bukti perekaman, and the timeline shows every hop.
async fn an_enrolled_berkas_comes_back_archived_with_its_bukti(backend: Backend) {
    let people = residents(1);
    let r = &people[0];
    let system = start(backend, &people).await;
    let nomor = accepted(&system, r).await;

    // Kept: the sealed record is compared with what the station sent.
    let c = capture(&nomor, &r.nik, &Person::of(&r.nik), "operator-1", true);
    system.send(&c, CAPTURED, "32.73.01").await;
    let created: EnrollmentCreated = decoded(&system, "afis.records").await;
    assert_eq!(created.nomor_berkas, nomor);
    assert_eq!(created.fingerprints.len(), 10);

    assert!(
        eventually(WAIT, || async {
            berkas::Entity::find_by_id(nomor.clone())
                .one(&system.intake)
                .await
                .unwrap()
                .is_some_and(|b| b.archived_at.is_some())
        })
        .await,
        "intake archived the berkas"
    );
    let b = berkas::Entity::find_by_id(nomor.clone())
        .one(&system.intake)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        b.bukti_perekaman.as_deref(),
        Some(created.bukti_perekaman.as_str())
    );
    let steps: Vec<String> = timeline::Entity::find()
        .filter(timeline::Column::NomorBerkas.eq(nomor.clone()))
        .order_by_asc(timeline::Column::Id)
        .all(&system.intake)
        .await
        .unwrap()
        .into_iter()
        .map(|t| format!("{} {}", t.step, t.hop))
        .collect();
    assert_eq!(
        steps,
        [
            "S01.2 ppp@kecamatan",
            "S01.3 operator@kecamatan",
            "S01.7 ppp@kecamatan",
            "S01.8 ppp@kecamatan"
        ]
    );

    // At rest the capture is sealed: no template in the clear, and it opens with the key.
    let row = enrollment::Entity::find()
        .one(&system.biometric)
        .await
        .unwrap()
        .unwrap();
    let template = &c.fingerprints[0].template.data;
    assert!(
        !row.sealed_capture
            .windows(template.len())
            .any(|w| w == template.as_slice())
    );
    let opened = SealKey::from_hex(TEST_SEAL_KEY)
        .unwrap()
        .open(&row.sealed_capture)
        .unwrap();
    let back: EnrollmentCaptured = serde_json::from_slice(&opened).unwrap();
    assert_eq!(back, c);
}

// S01.6: without the operator's fingerprint sign-off the enrollment is refused with the
// reason, nothing is stored, and the berkas still waits at the operator.
async fn an_enrollment_without_the_operator_signoff_is_refused(backend: Backend) {
    let people = residents(1);
    let r = &people[0];
    let system = start(backend, &people).await;
    let nomor = accepted(&system, r).await;

    send_capture(&system, &nomor, &r.nik, &Person::of(&r.nik), false).await;
    let refused: EnrollmentRefused = decoded(&system, "station.replies").await;
    assert_eq!(refused.nomor_berkas, nomor);
    assert!(
        refused.reasons.join(" ").contains("S01.6"),
        "{:?}",
        refused.reasons
    );
    assert_eq!(
        enrollment::Entity::find()
            .count(&system.biometric)
            .await
            .unwrap(),
        0
    );
    assert_eq!(system.broker.queue_depth("afis.records").await.unwrap(), 0);
    // The refusal is also kept, bounded, for a station that was not listening — not unrouted.
    assert_eq!(
        system
            .broker
            .queue_depth(ktpel_biometric::startup::STATION_ANSWERS)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        system.broker.queue_depth("ktpel.unrouted").await.unwrap(),
        0
    );

    // The operator signs off and sends it again: now it is stored.
    send_capture(&system, &nomor, &r.nik, &Person::of(&r.nik), true).await;
    let created: EnrollmentCreated = decoded(&system, "afis.records").await;
    assert_eq!(created.nomor_berkas, nomor);
}

// A capture for another NIK than the berkas's is refused.
async fn a_capture_for_another_nik_is_refused(backend: Backend) {
    let people = residents(2);
    let system = start(backend, &people).await;
    let nomor = accepted(&system, &people[0]).await;
    let other: &Nik = &people[1].nik;
    send_capture(&system, &nomor, other, &Person::of(other), true).await;
    let refused: EnrollmentRefused = decoded(&system, "station.replies").await;
    assert!(
        refused
            .reasons
            .join(" ")
            .contains(&people[0].nik.to_string())
    );
    assert_eq!(
        enrollment::Entity::find()
            .count(&system.biometric)
            .await
            .unwrap(),
        0
    );
}

// S19 + Pusat Data: the NID Scheduler sends the enrollment, the Pusat Data answers SFE and
// then PRR, and the panel counts one record sent after restart.
async fn an_enrollment_comes_back_print_ready(backend: Backend) {
    let people = residents(1);
    let system = start(backend, &people).await;
    let r = &people[0];
    let nomor = enrolled(&system, r, &Person::of(&r.nik)).await;
    system.scheduler.run_now();

    let sfe = status(&system).await;
    assert_eq!(
        (sfe.status, sfe.nomor_berkas.as_str()),
        (StatusKartu::Sfe, nomor.as_str())
    );
    let prr = status(&system).await;
    assert_eq!(prr.status, StatusKartu::Prr);
    let panel = system.panel.panel().await;
    assert_eq!(panel.records_sent_after_restart, 1);
    assert_eq!(panel.records_sent_since_install, Some(1));
    assert_eq!(panel.records_waiting, Some(0));
    assert_eq!(panel.co_relation_id, "32.73.01");
    assert_eq!(panel.scheduler_current_status, SchedulerStatus::Running);
    assert_eq!(
        (panel.database, panel.mq),
        (Connection::Connected, Connection::Connected)
    );
    assert!(panel.links.iter().all(|l| l.up), "{:?}", panel.links);
}

// Dedup, 1:N: the first resident's body enrolled again under a second NIK, at another sitting
// (no template alike byte for byte), is a DUPLICATE_RECORD naming the first; a third resident,
// another body, is print ready.
async fn the_same_fingers_under_another_nik_are_a_duplicate(backend: Backend) {
    let people = residents(3);
    let system = start(backend, &people).await;
    let (first, second, third) = (&people[0], &people[1], &people[2]);
    let on_record = enrolled_as(&system, first, &Person::of(&first.nik)).await;
    system.scheduler.run_now();
    assert_eq!(status(&system).await.status, StatusKartu::Sfe);
    assert_eq!(status(&system).await.status, StatusKartu::Prr);

    // The first resident's body presented again under the second NIK.
    let again = enrolled_as(&system, second, &Person::of(&first.nik)).await;
    for (a, b) in on_record.fingerprints.iter().zip(&again.fingerprints) {
        assert_eq!(a.template.format, TemplateFormat::Iso19794_2);
        assert_ne!(a.template.data, b.template.data, "another impression");
    }
    system.scheduler.run_now();
    assert_eq!(status(&system).await.status, StatusKartu::Sfe);
    let dup = status(&system).await;
    assert_eq!(dup.status, StatusKartu::DuplicateRecord);
    assert_eq!(dup.nik, second.nik);
    assert!(dup.note.contains(&first.nik.to_string()), "{}", dup.note);
    assert!(dup.note.contains("right_index"), "{}", dup.note);

    enrolled(&system, third, &Person::of(&third.nik)).await;
    system.scheduler.run_now();
    assert_eq!(status(&system).await.status, StatusKartu::Sfe);
    let other = status(&system).await;
    assert_eq!(
        (other.nik, other.status),
        (third.nik.clone(), StatusKartu::Prr)
    );
}

// A pair the matcher cannot tell: the second resident's capture carries the first's right
// index (pressed again) beside the second's own left. SFE waits for the adjudicator; deciding
// without a reason is refused and changes nothing; "another person" sends PRR with who and
// why; a case is decided once.
async fn a_pair_the_matcher_cannot_tell_waits_for_the_adjudicator(backend: Backend) {
    use ktpel_biometrics::{iso, score::compare};
    use ktpel_pusat_data::adjudication::{self, AdjudicationError, Keputusan};
    let people = residents(2);
    let system = start(backend, &people).await;
    let (first, second) = (&people[0], &people[1]);
    let on_record = enrolled_as(&system, first, &Person::of(&first.nik)).await;
    system.scheduler.run_now();
    assert_eq!(status(&system).await.status, StatusKartu::Sfe);
    assert_eq!(status(&system).await.status, StatusKartu::Prr);

    let nomor = accepted(&system, second).await;
    let mut c = capture(
        &nomor,
        &second.nik,
        &Person::of(&second.nik),
        "operator-1",
        true,
    );
    // The first's right index at a sitting where it scores clearly (one finger alone).
    let kept = iso::decode(&on_record.fingerprints[1].template.data).unwrap();
    let right_index = (0..50)
        .map(|i| ktpel_biometric::station::fingerprints(&Person::of(&first.nik), &format!("{i}")))
        .map(|f| f[1].clone())
        .find(|f| compare(&iso::decode(&f.template.data).unwrap(), &kept) >= 60)
        .expect("a clear impression of the right index");
    c.fingerprints[1] = right_index;
    system.send(&c, CAPTURED, "32.73.01").await;
    let created: EnrollmentCreated = decoded(&system, "afis.records").await;
    system.scheduler.run_now();
    let waiting = status(&system).await;
    assert_eq!(waiting.status, StatusKartu::Sfe);
    assert!(
        waiting.note.contains("menunggu adjudikasi"),
        "{}",
        waiting.note
    );
    let cases = adjudication::open_cases(&system.pusat_data).await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].nik, second.nik.to_string());
    assert_eq!(cases[0].other_nik, first.nik.to_string());

    let id = created.enrollment_id;
    let err = adjudication::decide(&system.pusat_data, id, Keputusan::Berbeda, "adj-1", " ")
        .await
        .unwrap_err();
    assert!(matches!(err, AdjudicationError::NoReason), "{err}");
    assert_eq!(
        adjudication::open_cases(&system.pusat_data)
            .await
            .unwrap()
            .len(),
        1
    );

    let decided = adjudication::decide(
        &system.pusat_data,
        id,
        Keputusan::Berbeda,
        "adj-1",
        "pola jari telunjuk kiri berbeda",
    )
    .await
    .unwrap();
    assert_eq!(decided, StatusKartu::Prr);
    let prr = status(&system).await;
    assert_eq!(
        (prr.nik.clone(), prr.status),
        (second.nik.clone(), StatusKartu::Prr)
    );
    assert!(
        prr.note.contains("adj-1") && prr.note.contains("pola jari"),
        "{}",
        prr.note
    );
    let err = adjudication::decide(&system.pusat_data, id, Keputusan::Sama, "adj-2", "lagi")
        .await
        .unwrap_err();
    assert!(
        matches!(err, AdjudicationError::AlreadyDecided { .. }),
        "{err}"
    );
    assert!(
        adjudication::open_cases(&system.pusat_data)
            .await
            .unwrap()
            .is_empty()
    );
}

// S19 with the Pusat Data unreachable: the link shows DOWN, the records wait, the counter
// stands still; once it is back every record is sent once and the counter rises by as many.
async fn the_scheduler_waits_out_an_unreachable_pusat_data(backend: Backend) {
    let people = residents(3);
    let system = start(backend, &people).await;
    system.pusat_data_link.cut();
    for r in &people {
        enrolled(&system, r, &Person::of(&r.nik)).await;
    }
    system.scheduler.run_now();
    assert!(
        eventually(WAIT, || async {
            let p = system.panel.panel().await;
            p.records_waiting == Some(3) && p.last_error.is_some()
        })
        .await
    );
    let panel = system.panel.panel().await;
    assert_eq!(
        panel.records_sent_after_restart, 0,
        "nothing counted while down"
    );
    let s193 = panel.links.iter().find(|l| l.step == "S19.3").unwrap();
    assert!(!s193.up, "the Pusat Data link shows down: {s193:?}");
    assert!(
        panel.links.iter().find(|l| l.step == "S19.2").unwrap().up,
        "the local broker is up"
    );
    assert_eq!(
        ktpel_pusat_data::store::kartu::Entity::find()
            .count(&system.pusat_data)
            .await
            .unwrap(),
        0
    );
    print!("{panel}");

    system.pusat_data_link.restore();
    system.scheduler.run_now();
    assert!(
        eventually(WAIT, || async {
            system.panel.panel().await.records_sent_after_restart == 3
        })
        .await
    );
    assert!(
        eventually(WAIT, || async {
            ktpel_pusat_data::store::kartu::Entity::find()
                .count(&system.pusat_data)
                .await
                .unwrap()
                == 3
        })
        .await
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let panel = system.panel.panel().await;
    assert_eq!(
        panel.records_sent_after_restart, 3,
        "exactly as many as were waiting"
    );
    assert_eq!(panel.records_waiting, Some(0));
    assert_eq!(
        ktpel_bus::inbox::count(&system.pusat_data, ktpel_pusat_data::startup::QUEUE)
            .await
            .unwrap(),
        3,
        "the Pusat Data applied each record once"
    );
}

/// The trace id in a message's `traceparent` (`00-<trace id>-<span id>-<flags>`).
fn trace_id(m: &lapin::message::BasicGetMessage) -> String {
    let value = m
        .delivery
        .properties
        .headers()
        .as_ref()
        .and_then(|h| h.inner().get("traceparent").cloned())
        .expect("a traceparent header");
    let lapin::types::AMQPValue::LongString(text) = value else {
        panic!("traceparent is not a string: {value:?}")
    };
    let text = String::from_utf8_lossy(text.as_bytes()).into_owned();
    text.split('-')
        .nth(1)
        .expect("a W3C traceparent")
        .to_owned()
}

// S19 in the trace: the record the NID Scheduler sends to the Pusat Data carries the trace of
// the enrollment it came from, though it waited in the scheduler's table in between.
async fn the_nid_schedulers_record_stays_in_the_enrollments_trace(backend: Backend) {
    let people = residents(1);
    let system = start(backend, &people).await;
    system
        .listen("pusat.records", &["pusat_data.enrollment.#"])
        .await;
    let r = &people[0];
    let nomor = accepted(&system, r).await;
    send_capture(&system, &nomor, &r.nik, &Person::of(&r.nik), true).await;
    let created = next_message(&system.broker, "afis.records", WAIT)
        .await
        .expect("enrollment.created");
    system.scheduler.run_now();
    let record = next_message(&system.broker, "pusat.records", WAIT)
        .await
        .expect("the record sent to the Pusat Data");
    assert_eq!(trace_id(&record), trace_id(&created));
}

ktpel_tests::on_both_databases!(
    the_nid_schedulers_record_stays_in_the_enrollments_trace,
    an_enrollment_comes_back_print_ready,
    the_same_fingers_under_another_nik_are_a_duplicate,
    a_pair_the_matcher_cannot_tell_waits_for_the_adjudicator,
    the_scheduler_waits_out_an_unreachable_pusat_data,
    an_enrolled_berkas_comes_back_archived_with_its_bukti,
    an_enrollment_without_the_operator_signoff_is_refused,
    a_capture_for_another_nik_is_refused,
);

/// S19: a backlog longer than many batches leaves whole and in order. The scheduler reads the
/// next batch while the Pusat Data's broker confirms the one in flight; each record goes out
/// once, in arrival order, and the counter moves only by confirmed, marked records.
async fn the_nid_scheduler_drains_a_backlog_of_many_batches_in_order(backend: Backend) {
    use ktpel_bus::{Broker, QueueSpec, RoutingKey, Shutdown, Topology};
    use ktpel_contract::enrollment::TO_PUSAT_DATA;
    use sea_orm::TransactionTrait;
    let vhost = ktpel_tests::TestVhost::new();
    let broker = Broker::new(vhost.url(), "test-pusat-data");
    let queue = "test.pusat-data";
    Topology::default()
        .declare_queue(
            &broker.channel().await.unwrap(),
            &QueueSpec::new(queue, [RoutingKey::binding(TO_PUSAT_DATA, None).unwrap()]),
        )
        .await
        .unwrap();
    let guard = ktpel_tests::TestDatabase::new(backend).await;
    let db = guard.open::<ktpel_afis_sync::store::Migrator>().await;
    let people = residents(23);
    let txn = db.begin().await.unwrap();
    let mut sent_order = Vec::new();
    for (i, r) in people.iter().enumerate() {
        let nomor = format!("327301-20261202-{i:05}");
        let c = capture(&nomor, &r.nik, &Person::of(&r.nik), "operator-1", true);
        let e = EnrollmentCreated {
            enrollment_id: uuid::Uuid::now_v7(),
            bukti_perekaman: format!("BP-{i}"),
            nomor_berkas: nomor,
            nik: r.nik.clone(),
            photo_sha256: "00".repeat(32),
            fingerprints: c.fingerprints,
            enrolled_at: Utc::now(),
            kecamatan: Some("32.73.01".into()),
            pas_foto: None,
            tanda_tangan: None,
        };
        ktpel_afis_sync::handlers::created::queue(&txn, &e)
            .await
            .unwrap();
        sent_order.push(e.enrollment_id.to_string());
    }
    txn.commit().await.unwrap();

    // Batches of 4: 23 records are six batches, the last one short.
    let scheduler = ktpel_afis_sync::scheduler::Scheduler::new(
        db.clone(),
        broker.clone(),
        KodeWilayah::parse("32.73").unwrap(),
        Duration::from_secs(3600),
        4,
    );
    let handle = scheduler.handle();
    let shutdown = Shutdown::new();
    let running = tokio::spawn(scheduler.run(shutdown.clone()));
    assert!(eventually(WAIT, || async { handle.sent_since_restart() == 23 }).await);
    let mut arrived = Vec::new();
    while let Some(m) = next_message(&broker, queue, Duration::from_millis(500)).await {
        arrived.push(
            m.delivery
                .properties
                .message_id()
                .as_ref()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(arrived, sent_order, "each record once, in arrival order");
    assert_eq!(
        ktpel_afis_sync::scheduler::totals(&db).await.unwrap(),
        (23, 0),
        "every record marked sent"
    );
    assert_eq!(handle.sent_since_restart(), 23, "counted once each");
    assert_eq!(handle.last_error(), None);
    shutdown.cancel();
    running.await.unwrap();
    broker.close().await;
}

#[tokio::test]
async fn the_nid_scheduler_drains_a_backlog_of_many_batches_in_order_sqlite() {
    the_nid_scheduler_drains_a_backlog_of_many_batches_in_order(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_nid_scheduler_drains_a_backlog_of_many_batches_in_order_postgres() {
    the_nid_scheduler_drains_a_backlog_of_many_batches_in_order(Backend::Postgres).await;
}

// S21.2 at four print stations at once, each with its card's transaction open. Each takes the
// day's next card number in a transaction of its own; the numbers are counted from the jobs
// already numbered, so two stations counting together would print one number on two cards
// (nothing in the job table stops it; the card register refuses the second only at approval).
// Four at once: four different numbers (counted without a lock, 12-05: four numbers for eight
// cards). A station whose card then fails rolls its card back but not its number: no later card
// is given it. PostgreSQL only: on SQLite a number taken while the caller holds its own write
// transaction would wait for that transaction (the desk takes its number before it writes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cards_encoded_at_once_take_different_numbers() {
    use ktpel_card_print::{card_register, store::job};
    use sea_orm::ActiveValue::Set;
    ktpel_tests::telemetry();
    // The pool `ktpel up` opens (8): four open transactions, and a number taken beside each.
    let guard = ktpel_tests::TestDatabase::as_deployed(Backend::Postgres).await;
    let db = guard.open::<ktpel_card_print::store::Migrator>().await;
    let stations = db.clone();
    let failed = ktpel_tests::write_at_once(&db, 4, move |txn, i| {
        let db = stations.clone();
        Box::pin(async move {
            let nomor_kartu = card_register::take_number(&db, "3273", Utc::now())
                .await
                .map_err(|e| e.to_string())?;
            if i == 0 {
                return Err(format!("spoiled {nomor_kartu}"));
            }
            job::Entity::insert(job::ActiveModel {
                nomor_berkas: Set(format!("327301-20261205-{i:04}")),
                nik: Set(format!("32730141079000{i:02}")),
                print_ready: Set(true),
                state: Set(job::JobState::Encoded),
                updated_at: Set(Utc::now()),
                nomor_kartu: Set(Some(nomor_kartu)),
                ..Default::default()
            })
            .exec_without_returning(txn)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
        })
    })
    .await;
    let [spoiled] = failed.as_slice() else {
        panic!("one station's card failed, no other: {failed:?}");
    };
    let spoiled = spoiled
        .strip_prefix("spoiled ")
        .expect("the spoiled card's number");
    let mut numbers: Vec<String> = job::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|j| j.nomor_kartu)
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 3, "one number on two cards: {numbers:?}");
    let next = card_register::take_number(&db, "3273", Utc::now())
        .await
        .unwrap();
    numbers.push(next);
    assert!(
        !numbers.iter().any(|n| n == spoiled),
        "{spoiled}, taken for the spoiled card, given again: {numbers:?}"
    );
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 4, "the next number is new: {numbers:?}");
}
