//! S01 from the kecamatan desk to the resident's hands, for 50 residents, through every
//! service over the real broker.

use ktpel_domain::KodeWilayah;
use ktpel_intake::{query, store::berkas};
use ktpel_tests::{
    Backend, eventually,
    system::{Layout, System},
};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::time::Duration;

const RESIDENTS: usize = 50;
const WAIT: Duration = Duration::from_secs(120);

/// Polls until `n` rows of `table` in `db`.
async fn count_reaches<E: EntityTrait>(db: &sea_orm::DatabaseConnection, n: u64) -> bool
where
    E::Model: Sync,
{
    eventually(WAIT, || async {
        E::find().count(db).await.unwrap_or(0) >= n
    })
    .await
}

async fn s01_for_50_residents(backend: Backend) {
    let people = residents(RESIDENTS, 7);
    let system = System::start(backend, &people).await;
    submit_and_enroll(&system, &people).await;
    print_and_hand_over(&system).await;
    every_berkas_activated_once_in_order(&system).await;
}

fn residents(n: usize, seed: u64) -> Vec<ktpel_contract::registry::Biodata> {
    ktpel_registry::seed::generate(&KodeWilayah::parse("32.73.01").unwrap(), n, seed).unwrap()
}

/// S01 with the kecamatan on one broker and the Dinas and the Pusat Data on another, linked by
/// shovels.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s01_for_50_residents_across_sites() {
    let people = residents(RESIDENTS, 7);
    let system = System::start_in(Layout::Sites, Backend::Postgres, &people).await;
    submit_and_enroll(&system, &people).await;
    print_and_hand_over(&system).await;
    every_berkas_activated_once_in_order(&system).await;
    nothing_dead_lettered_or_waiting(&system).await;
}

/// The kecamatan's WAN link is cut while 100 berkas are submitted: the
/// kecamatan goes on accepting (its copy of SIAK), enrolling and archiving on its own broker;
/// its enrollments wait in its uplink queue; when the link returns every one reaches the
/// Dinas once, and every berkas ends CARD_ACTIVATED with its statuses once each, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_link_holds_the_kecamatans_work_until_it_returns() {
    const N: usize = 100;
    let people = residents(N, 11);
    let system = System::start_in(Layout::Sites, Backend::Sqlite, &people).await;
    let copy = system.registry_copy.clone().expect("sites");
    assert!(
        count_reaches::<ktpel_registry::store::penduduk::Entity>(&copy, N as u64).await,
        "the kecamatan's copy of SIAK has every resident before the link goes"
    );
    let link = system.dinas_link.as_ref().expect("sites");
    link.cut();

    submit_and_enroll(&system, &people).await;
    // Back at the ppp and archived (S01.7–S01.8), all at the kecamatan.
    assert!(
        all_archived(&system, N as u64).await,
        "every berkas archived at the kecamatan while its link is down"
    );
    // The enrollments wait at the kecamatan; the Dinas has heard nothing.
    assert!(
        eventually(WAIT, || async {
            system
                .broker
                .queue_depth(ktpel_site::link::UPLINK_QUEUE)
                .await
                .unwrap_or(0)
                == N as u32
        })
        .await,
        "the enrollments wait in the kecamatan's uplink queue"
    );
    assert_eq!(
        ktpel_afis_sync::store::outbound::Entity::find()
            .count(&system.afis_sync)
            .await
            .unwrap(),
        0
    );

    link.restore();
    print_and_hand_over(&system).await;
    every_berkas_activated_once_in_order(&system).await;
    nothing_dead_lettered_or_waiting(&system).await;
    // Each enrollment reached the Dinas's NID Scheduler once.
    assert_eq!(
        ktpel_afis_sync::store::outbound::Entity::find()
            .count(&system.afis_sync)
            .await
            .unwrap(),
        N as u64
    );
}

/// Polls until `n` berkas are archived at the desk (S01.7–S01.8).
async fn all_archived(system: &System, n: u64) -> bool {
    eventually(WAIT, || async {
        berkas::Entity::find()
            .all(&system.intake)
            .await
            .unwrap()
            .iter()
            .filter(|b| b.archived_at.is_some())
            .count() as u64
            == n
    })
    .await
}

/// S01.1–S01.6: every berkas submitted at the kecamatan desk, accepted, at the operator, and
/// enrolled.
async fn submit_and_enroll(system: &System, people: &[ktpel_contract::registry::Biodata]) {
    let n = people.len() as u64;
    system.submit_all(people).await;
    assert!(
        count_reaches::<ktpel_biometric::store::operator_inbox::Entity>(&system.biometric, n).await,
        "every berkas reached the operator"
    );
    assert_eq!(system.enroll_waiting().await as u64, n);
}

/// S19: the NID Scheduler's operator presses "run now" until `n` cards are print ready.
async fn all_print_ready(system: &System, n: usize) {
    assert!(
        eventually(WAIT, || async {
            system.scheduler.run_now();
            ktpel_card_print::desk::queue(&system.card_print)
                .await
                .unwrap()
                .len()
                == n
        })
        .await,
        "every card is print ready"
    );
}

/// S19, S21, S22: the NID Scheduler, the print desk, distribution and the hand-over, for
/// every enrolled berkas.
async fn print_and_hand_over(system: &System) {
    let n = berkas::Entity::find().count(&system.intake).await.unwrap();
    all_print_ready(system, n as usize).await;
    assert_eq!(system.print_queue().await as u64, n);
    assert!(
        count_reaches::<ktpel_distribution::store::kartu::Entity>(&system.distribution, n).await,
        "every card reached distribution"
    );
    assert_eq!(system.distribute_all().await as u64, n);
}

/// Every berkas ends CARD_ACTIVATED, as intake (which only hears the bus) sees it, with a full
/// timeline: each status once, in the order of the procedure; every service applied what it
/// got from the broker.
async fn every_berkas_activated_once_in_order(system: &System) {
    let n = berkas::Entity::find().count(&system.intake).await.unwrap();
    assert!(
        eventually(WAIT, || async {
            query::per_status(&system.intake).await.unwrap()
                == vec![query::StatusCount {
                    status: "CARD_ACTIVATED".into(),
                    count: n as i64,
                }]
        })
        .await,
        "statuses: {:?}",
        query::per_status(&system.intake).await.unwrap()
    );
    for b in berkas::Entity::find().all(&system.intake).await.unwrap() {
        let (t, steps) = timeline_of(system, &b.nomor_berkas).await;
        let expected = desk_steps(&b.sop);
        assert_eq!(
            steps[..expected.len()],
            expected,
            "{}: {steps:?}",
            b.nomor_berkas
        );
        assert!(t.bukti_perekaman.is_some());
    }
    if let Err(e) = ktpel_tests::statuses::each_once_in_order(&system.intake).await {
        panic!("{e}");
    }
    // The services talked only over the broker: each applied messages from its inbox.
    for (service, db, queue) in [
        ("registry", &system.registry, ktpel_registry::startup::QUEUE),
        ("intake", &system.intake, ktpel_intake::startup::QUEUE),
        (
            "biometric",
            &system.biometric,
            ktpel_biometric::startup::QUEUE,
        ),
        (
            "afis-sync",
            &system.afis_sync,
            ktpel_afis_sync::startup::QUEUE,
        ),
        (
            "pusat-data",
            &system.pusat_data,
            ktpel_pusat_data::startup::QUEUE,
        ),
        (
            "card-print",
            &system.card_print,
            ktpel_card_print::startup::QUEUE,
        ),
        (
            "distribution",
            &system.distribution,
            ktpel_distribution::startup::QUEUE,
        ),
    ] {
        let applied = ktpel_bus::inbox::count(db, queue).await.unwrap();
        assert!(
            applied >= n,
            "{service} applied {applied} messages from the broker"
        );
    }
    assert_eq!(system.panel.panel().await.records_sent_after_restart, n);
}

/// A berkas's timeline as intake shows it, and its step ids in order.
async fn timeline_of(system: &System, nomor: &str) -> (query::BerkasTimeline, Vec<String>) {
    let t = query::where_is(&system.intake, nomor)
        .await
        .unwrap()
        .unwrap();
    let steps = t.timeline.iter().map(|e| e.step.clone()).collect();
    (t, steps)
}

/// The steps a berkas of `sop` goes through at the desks, from the catalogue: each hop's first
/// step, then the bukti perekaman (S01.8; S03 is one paragraph, cited whole).
fn desk_steps(sop: &ktpel_domain::SopId) -> Vec<String> {
    let route = ktpel_domain::sop::Sop::get(*sop).route().unwrap();
    let mut steps: Vec<String> = route.iter().map(|h| h.step.to_owned()).collect();
    let last = route.last().unwrap().step;
    steps.push(if last.contains('.') {
        format!("{sop}.8")
    } else {
        last.to_owned()
    });
    steps
}

/// With sites: nothing died on the way, at any site, and nothing waits to cross.
async fn nothing_dead_lettered_or_waiting(system: &System) {
    for (vhost, queues) in [
        (
            &system.vhost,
            &[
                ktpel_intake::startup::QUEUE,
                ktpel_biometric::startup::QUEUE,
                ktpel_registry::startup::QUEUE,
            ][..],
        ),
        (
            &system.other_vhosts[0],
            &[
                ktpel_registry::startup::QUEUE,
                ktpel_afis_sync::startup::QUEUE,
                ktpel_card_print::startup::QUEUE,
                ktpel_distribution::startup::QUEUE,
            ][..],
        ),
        (
            &system.other_vhosts[1],
            &[ktpel_pusat_data::startup::QUEUE][..],
        ),
    ] {
        let broker = ktpel_bus::Broker::new(vhost.url(), "test-check");
        for queue in queues {
            let dlq = ktpel_bus::topology::dead_letter_queue(queue);
            assert_eq!(broker.queue_depth(&dlq).await.unwrap(), 0, "{dlq}");
        }
        assert_eq!(
            broker.queue_depth("ktpel.unrouted").await.unwrap(),
            0,
            "unrouted at {}",
            vhost.name
        );
        broker.close().await;
    }
    assert_eq!(
        system
            .broker
            .queue_depth(ktpel_site::link::UPLINK_QUEUE)
            .await
            .unwrap(),
        0
    );
}

// The biometric service dies in the middle of the 50 enrollments and is started again: all
// 50 still finish, none twice.
async fn a_service_killed_mid_run_loses_and_doubles_nothing(backend: Backend) {
    let people =
        ktpel_registry::seed::generate(&KodeWilayah::parse("32.73.01").unwrap(), RESIDENTS, 11)
            .unwrap();
    let system = System::start(backend, &people).await;
    let n = RESIDENTS as u64;
    system.submit_all(&people).await;
    assert!(
        count_reaches::<ktpel_biometric::store::operator_inbox::Entity>(&system.biometric, n).await
    );
    assert_eq!(system.enroll_waiting().await, RESIDENTS);
    // Kill it while it works through the captures.
    assert!(
        eventually(WAIT, || async {
            ktpel_biometric::store::enrollment::Entity::find()
                .count(&system.biometric)
                .await
                .unwrap()
                >= 5
        })
        .await
    );
    system.kill_and_restart_biometric().await;

    system.scheduler.run_now();
    assert!(
        eventually(WAIT, || async {
            ktpel_card_print::desk::queue(&system.card_print)
                .await
                .unwrap()
                .len()
                == RESIDENTS
        })
        .await,
        "every card is print ready after the restart"
    );
    assert_eq!(
        ktpel_biometric::store::enrollment::Entity::find()
            .count(&system.biometric)
            .await
            .unwrap(),
        n,
        "one enrollment each"
    );
    assert_eq!(system.print_queue().await, RESIDENTS);
    assert!(
        count_reaches::<ktpel_distribution::store::kartu::Entity>(&system.distribution, n).await
    );
    assert_eq!(system.distribute_all().await, RESIDENTS);
    assert!(
        eventually(WAIT, || async {
            query::per_status(&system.intake).await.unwrap()
                == vec![query::StatusCount {
                    status: "CARD_ACTIVATED".into(),
                    count: RESIDENTS as i64,
                }]
        })
        .await
    );
    // Nothing twice: one record per resident reached the Pusat Data, one card each.
    assert_eq!(
        ktpel_pusat_data::store::kartu::Entity::find()
            .count(&system.pusat_data)
            .await
            .unwrap(),
        n
    );
    assert_eq!(system.panel.panel().await.records_sent_after_restart, n);
}

// S21 refusals: a wrong password, a chip whose signature does not verify, an operator who
// tries the kepala_seksi's approval. Each refused with its reason; the card is not advanced.
// A second card made in one sitting (S21.2–S21.4) keeps each step's record; the sitting is
// refused to the kepala_seksi and for a card no longer in the queue; two stations making a
// third card at once make it once.
async fn the_print_desk_refuses_what_it_must(backend: Backend) {
    use ktpel_card_print::{chip::ChipError, desk, store::job};
    let people =
        ktpel_registry::seed::generate(&KodeWilayah::parse("32.73.01").unwrap(), 3, 3).unwrap();
    let system = System::start(backend, &people).await;
    system.submit_all(&people).await;
    assert!(
        count_reaches::<ktpel_biometric::store::operator_inbox::Entity>(&system.biometric, 3).await
    );
    system.enroll_waiting().await;
    system.scheduler.run_now();
    assert!(
        eventually(WAIT, || async {
            desk::queue(&system.card_print).await.unwrap().len() == 3
        })
        .await
    );
    let db = &system.card_print;
    let (op, _) = system.print_desk_login().await;
    let nik = people[0].nik.to_string();

    let chip = desk::encode(db, &op, &system.dinas_key, &nik)
        .await
        .unwrap();
    let png = desk::print(db, &op, &nik).await.unwrap();
    // The face is kept with the job (outside its model): the PNG the desk printed.
    let job = desk::open_job(db, &nik).await.unwrap();
    assert_eq!(job.state, ktpel_card_print::store::job::JobState::Printed);
    assert_eq!(job.printed_by.as_deref(), Some("op1"));
    let kept = ktpel_card_print::store::job::face(db, &job.nomor_berkas, &nik)
        .await
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    assert_eq!(kept.as_deref(), Some(png.as_slice()));
    // The card reader returns a chip whose name was altered after signing.
    let mut forged: serde_json::Value = serde_json::from_slice(&chip).unwrap();
    forged["data"]["biodata"]["nama"] = "Orang Lain".into();
    let err = desk::verify(
        db,
        &op,
        &system.dinas_key,
        &nik,
        &serde_json::to_vec(&forged).unwrap(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, desk::DeskError::Chip(ChipError::BadSignature)),
        "{err}"
    );
    let job = desk::open_job(db, &nik).await.unwrap();
    assert_eq!(
        job.state,
        ktpel_card_print::store::job::JobState::Printed,
        "the card was not advanced"
    );

    desk::verify(db, &op, &system.dinas_key, &nik, &chip)
        .await
        .unwrap();
    let err = desk::approve(db, &op, &nik).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "this needs the kepala_seksi role; op1 has the operator role"
    );

    // The second card in one sitting.
    let (_, kasi) = system.print_desk_login().await;
    let other = people[1].nik.to_string();
    let err = desk::produce(db, &kasi, &system.dinas_key, &other)
        .await
        .unwrap_err();
    assert!(matches!(err, desk::DeskError::NotAllowed { .. }), "{err}");
    assert_eq!(
        desk::open_job(db, &other).await.unwrap().state,
        job::JobState::Queued,
        "refused: nothing written"
    );
    let made = desk::produce(db, &op, &system.dinas_key, &other)
        .await
        .unwrap();
    let j = desk::open_job(db, &other).await.unwrap();
    assert_eq!(j.state, job::JobState::Verified);
    for (step, by) in [
        ("encoded", &j.encoded_by),
        ("printed", &j.printed_by),
        ("verified", &j.verified_by),
    ] {
        assert_eq!(by.as_deref(), Some("op1"), "{step} by");
    }
    assert_eq!(j.chip.as_deref(), Some(made.chip.as_slice()));
    let kept = job::face(db, &j.nomor_berkas, &other).await.unwrap();
    assert_eq!(kept.as_deref(), Some(made.face.as_slice()), "the face kept");
    let chip =
        ktpel_card_print::chip::Chip::read(&made.chip, &system.dinas_key.verifying_key()).unwrap();
    assert_eq!(Some(&chip.data.nomor_kartu), j.nomor_kartu.as_ref());
    let first = desk::open_job(db, &nik).await.unwrap().nomor_kartu;
    assert_ne!(j.nomor_kartu, first, "a number of its own");
    let err = desk::produce(db, &op, &system.dinas_key, &other)
        .await
        .unwrap_err();
    let made_already = |err: &desk::DeskError| {
        matches!(
            err,
            desk::DeskError::WrongState {
                state: job::JobState::Verified,
                needed: job::JobState::Queued,
                ..
            }
        )
    };
    assert!(made_already(&err), "{err}");
    // The card's write finds nothing to change for a card no longer where the step found it.
    let stale = job::Advance {
        printed_by: Some("op2".into()),
        ..Default::default()
    };
    let moved = job::advance(
        db,
        &j.nomor_berkas,
        &other,
        (job::JobState::Queued, job::JobState::Verified),
        stale,
    )
    .await
    .unwrap();
    assert!(!moved);
    assert_eq!(
        desk::open_job(db, &other)
            .await
            .unwrap()
            .printed_by
            .as_deref(),
        Some("op1")
    );
    // Two stations at once on the third card: one makes it, the other is refused.
    let third = people[2].nik.to_string();
    let (a, b) = tokio::join!(
        desk::produce(db, &op, &system.dinas_key, &third),
        desk::produce(db, &op, &system.dinas_key, &third)
    );
    let refused = match (a, b) {
        (Ok(_), Err(e)) | (Err(e), Ok(_)) => e,
        (a, b) => panic!("one of two stations makes the card: {a:?} {b:?}"),
    };
    assert!(made_already(&refused), "{refused}");
    assert_eq!(
        ktpel_distribution::store::kartu::Entity::find()
            .count(&system.distribution)
            .await
            .unwrap(),
        0,
        "nothing went to distribution"
    );
}

ktpel_tests::on_both_databases!(
    s01_for_50_residents,
    a_service_killed_mid_run_loses_and_doubles_nothing,
    the_print_desk_refuses_what_it_must,
    s05_registers_new_residents_at_the_dinas_then_s01_enrolls_them,
    s04_for_new_residents,
);

/// S02 (a static station whose kecamatan has no link) and S03 (a mobile unit, one
/// operator_mobile at every desk), with S20 in the middle: the enrollments are
/// complete and archived at the kecamatan while its link is down; a backup bundle of them is
/// exported there and imported at the Dinas's Server AFIS, whose NID Scheduler sends them: the
/// Pusat Data has every record (PRR) before the link returns. A tampered or truncated copy
/// imports nothing; importing the bundle again adds nothing; the export marked nothing as
/// sent — the kecamatan learns that from the card statuses once its link is back, and the
/// enrollments that waited in its uplink meanwhile are not sent twice.
async fn s02_and_s03_reach_the_pusat_data_in_a_bundle(backend: Backend) {
    use ktpel_afis_sync::import;
    use ktpel_biometric::backup;
    use ktpel_bundle::{BundleError, SiteKeys, TrustedSites};

    const EACH: usize = 15;
    let people = residents(2 * EACH, 13);
    let system = System::start_in(Layout::Sites, backend, &people).await;
    let copy = system.registry_copy.clone().expect("sites");
    assert!(
        count_reaches::<ktpel_registry::store::penduduk::Entity>(&copy, people.len() as u64).await,
        "the kecamatan's copy of SIAK has every resident before it goes offline"
    );
    let link = system.dinas_link.as_ref().expect("sites");
    link.cut();
    system.submit_all_as("S02", &people[..EACH]).await;
    system.submit_all_as("S03", &people[EACH..]).await;
    let n = people.len() as u64;
    assert!(
        count_reaches::<ktpel_biometric::store::operator_inbox::Entity>(&system.biometric, n).await,
        "every berkas reached the station (S02.3; S03 at the mobile unit's station)"
    );
    assert_eq!(system.enroll_waiting().await as u64, n);
    assert!(
        all_archived(&system, n).await,
        "every berkas archived and its bukti perekaman given while offline"
    );
    let unsent = backup::Offline::measure(&system.biometric, 7, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!((unsent.unsent, unsent.too_long), (n, false));
    let far_later = chrono::Utc::now() + chrono::Duration::days(8);
    let late = backup::Offline::measure(&system.biometric, 7, far_later)
        .await
        .unwrap();
    assert!(
        late.too_long && late.to_string().contains("OFFLINE TOO LONG"),
        "{late}"
    );

    // S20.1–S20.2 at the kecamatan: no sync needed first.
    let (kecamatan_keys, afis_keys) = (SiteKeys::generate(), SiteKeys::generate());
    let coblong = KodeWilayah::parse("32.73.01").unwrap();
    let seal_key =
        ktpel_biometric::seal::SealKey::from_hex(ktpel_tests::system::TEST_SEAL_KEY).unwrap();
    let made = backup::export(
        &system.biometric,
        &seal_key,
        &kecamatan_keys,
        &coblong,
        &afis_keys.bundle_public(),
        30,
    )
    .await
    .unwrap()
    .expect("records to send");
    assert_eq!(made.header.records, n);

    // S20.3 at the Dinas: what is not right imports nothing.
    let trusted = TrustedSites::default().with(coblong, kecamatan_keys.signing_public());
    let now = chrono::Utc::now();
    let mut tampered = made.file.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x20;
    assert!(matches!(
        import::open(&tampered, &afis_keys, &trusted, now),
        Err(BundleError::Tampered(_))
    ));
    assert!(matches!(
        import::open(
            &made.file[..made.file.len() - 10],
            &afis_keys,
            &trusted,
            now
        ),
        Err(BundleError::Truncated { .. })
    ));
    assert!(matches!(
        import::open(&made.file, &afis_keys, &TrustedSites::default(), now),
        Err(BundleError::Foreign(_))
    ));
    assert!(matches!(
        import::open(
            &made.file,
            &afis_keys,
            &trusted,
            now + chrono::Duration::days(31)
        ),
        Err(BundleError::Expired { .. })
    ));
    let outbound = || async {
        ktpel_afis_sync::store::outbound::Entity::find()
            .count(&system.afis_sync)
            .await
            .unwrap()
    };
    assert_eq!(outbound().await, 0, "a refused bundle queued nothing");

    let opened = import::open(&made.file, &afis_keys, &trusted, now).unwrap();
    // The bundle carries every finger as the station took it: an ISO/IEC 19794-2 record of the
    // finger it is filed as, with its minutiae — what the Pusat Data identifies.
    for r in &opened.records {
        assert_eq!(r.fingerprints.len(), 10, "{}: ten fingers", r.nomor_berkas);
        for f in &r.fingerprints {
            assert_eq!(
                f.template.format,
                ktpel_contract::enrollment::TemplateFormat::Iso19794_2,
                "{} {:?}",
                r.nomor_berkas,
                f.finger
            );
            let t = ktpel_biometrics::iso::decode_as(&f.template.data, f.finger.iso_position())
                .unwrap_or_else(|e| panic!("{} {:?}: {e}", r.nomor_berkas, f.finger));
            assert!(!t.minutiae.is_empty(), "{} {:?}", r.nomor_berkas, f.finger);
        }
    }
    let mut seen = 0;
    let first = import::import(&system.afis_sync, "32.73", &opened, |k| seen = k)
        .await
        .unwrap();
    assert_eq!(
        (first.new, first.already_known, first.refused.len()),
        (n, 0, 0)
    );
    assert_eq!(seen, n, "progress reached the last record");
    let again = import::import(&system.afis_sync, "32.73", &opened, |_| {})
        .await
        .unwrap();
    assert_eq!((again.new, again.already_known), (0, n), "{again}");
    assert!(again.imported_before.is_some());
    assert_eq!(outbound().await, n);

    // S19: the NID Scheduler sends them; the Pusat Data has every record.
    let prr = || async {
        ktpel_pusat_data::store::kartu::Entity::find()
            .all(&system.pusat_data)
            .await
            .unwrap()
            .iter()
            .filter(|k| k.status == ktpel_domain::StatusKartu::Prr)
            .count() as u64
    };
    assert!(
        eventually(WAIT, || async {
            system.scheduler.run_now();
            prr().await == n
        })
        .await,
        "PRR for every record of the bundle"
    );
    let panel = system.panel.panel().await;
    assert_eq!(panel.records_imported, Some(n));
    // The Pusat Data's gallery holds each record's index fingers as the bundle carried them.
    let gallery = ktpel_pusat_data::store::sidik_jari::Entity::find()
        .all(&system.pusat_data)
        .await
        .unwrap();
    for r in &opened.records {
        for f in r.fingerprints.iter().filter(|f| {
            use ktpel_contract::enrollment::Finger;
            matches!(f.finger, Finger::RightIndex | Finger::LeftIndex)
        }) {
            assert!(
                gallery.iter().any(|g| g.nik == r.nik.as_str()
                    && g.iso.as_deref() == Some(f.template.data.as_slice())),
                "{} {:?} not in the gallery as the bundle carried it",
                r.nik,
                f.finger
            );
        }
    }
    // The kecamatan cannot know yet: nothing was marked sent by the export.
    assert_eq!(
        backup::Offline::measure(&system.biometric, 7, chrono::Utc::now())
            .await
            .unwrap()
            .unsent,
        n
    );

    link.restore();
    assert!(
        eventually(WAIT, || async {
            backup::Offline::measure(&system.biometric, 7, chrono::Utc::now())
                .await
                .unwrap()
                .unsent
                == 0
        })
        .await,
        "the card statuses came down: every record counts as sent"
    );
    assert!(
        backup::export(
            &system.biometric,
            &seal_key,
            &kecamatan_keys,
            &coblong,
            &afis_keys.bundle_public(),
            30
        )
        .await
        .unwrap()
        .is_none(),
        "nothing left to back up"
    );
    print_and_hand_over(&system).await;
    every_berkas_activated_once_in_order(&system).await;
    nothing_dead_lettered_or_waiting(&system).await;
    assert_eq!(
        outbound().await,
        n,
        "the uplink's copies were not queued again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s02_and_s03_reach_the_pusat_data_in_a_bundle_sqlite() {
    s02_and_s03_reach_the_pusat_data_in_a_bundle(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s02_and_s03_reach_the_pusat_data_in_a_bundle_postgres() {
    s02_and_s03_reach_the_pusat_data_in_a_bundle(Backend::Postgres).await;
}

/// S05: residents not in SIAK apply at a kecamatan that cannot reach SIAK. Each
/// berkas goes to the Dinas's counter (S05.3), to SIAK (S05.4: a NIK and a KK), back to the
/// Dinas's counter (S05.5) and to the kecamatan's (S05.6–S05.7), where it is closed with the
/// KK; the timeline lists every step. Two residents with the same kecamatan, birth date and
/// sex get NIKs with consecutive serials; one joins an existing family's KK, the others get
/// new ones. Then S01 enrolls them all and the Pusat Data has every one (PRR).
async fn s05_registers_new_residents_at_the_dinas_then_s01_enrolls_them(backend: Backend) {
    use ktpel_contract::registry::FormulirBiodata;
    const N: usize = 6;
    let known = residents(1, 21);
    let system = System::start(backend, &known).await;
    let born = chrono::NaiveDate::from_ymd_opt(2008, 3, 14).unwrap();
    let forms: Vec<FormulirBiodata> = (0..N)
        .map(|i| FormulirBiodata {
            // The first three: the same birth date (the women among them, the same sex too).
            tanggal_lahir: if i < 3 {
                born
            } else {
                born + chrono::Duration::days(i as i64)
            },
            no_kk: (i == N - 1).then(|| known[0].no_kk.clone()),
            ..formulir(i, born)
        })
        .collect();
    for f in &forms {
        system
            .send(
                &new_resident_berkas("S05", f),
                ktpel_contract::berkas::SUBMITTED,
                "32.73.01",
            )
            .await;
    }
    assert!(
        all_archived(&system, N as u64).await,
        "every S05 berkas came back to the kecamatan and was closed"
    );
    let mut niks = Vec::new();
    for b in berkas::Entity::find().all(&system.intake).await.unwrap() {
        let (t, steps) = timeline_of(&system, &b.nomor_berkas).await;
        assert_eq!(
            steps,
            ["S05.2", "S05.3", "S05.4", "S05.5", "S05.6", "S05.7"],
            "{}: {:#?}",
            b.nomor_berkas,
            t.timeline
        );
        let nik = ktpel_domain::Nik::parse(&b.nik).expect("SIAK gave a valid NIK");
        let p = ktpel_registry::store::penduduk::Entity::find_by_id(nik.to_string())
            .one(&system.registry)
            .await
            .unwrap()
            .expect("the resident is in SIAK")
            .biodata()
            .unwrap();
        assert_eq!(p.nama, b.nama);
        assert!(
            t.timeline.last().unwrap().note.contains(&p.no_kk),
            "{:#?}",
            t.timeline
        );
        niks.push(p);
    }
    let mut serials: Vec<u16> = niks
        .iter()
        .filter(|p| {
            p.tanggal_lahir == born && p.jenis_kelamin == ktpel_domain::JenisKelamin::Perempuan
        })
        .map(|p| p.nik.serial())
        .collect();
    serials.sort();
    assert_eq!(
        serials,
        [1, 2],
        "same kecamatan, birth date and sex: the next serial"
    );
    let joined = niks
        .iter()
        .find(|p| p.nama == format!("Penduduk Baru {}", N - 1))
        .unwrap();
    assert_eq!(joined.no_kk, known[0].no_kk, "joined the family's KK");
    let new_kks: std::collections::HashSet<&str> = niks
        .iter()
        .filter(|p| p.nama != joined.nama)
        .map(|p| p.no_kk.as_str())
        .collect();
    assert_eq!(
        new_kks.len(),
        N - 1,
        "each of the others got a KK of their own"
    );

    // S05.7: enrollment can now be done — S01 for each of them.
    system.submit_all(&niks).await;
    assert!(
        count_reaches::<ktpel_biometric::store::operator_inbox::Entity>(
            &system.biometric,
            N as u64
        )
        .await,
        "every new resident's S01 berkas reached the operator"
    );
    assert_eq!(system.enroll_waiting().await, N);
    assert!(
        eventually(WAIT, || async {
            system.scheduler.run_now();
            ktpel_pusat_data::store::kartu::Entity::find()
                .all(&system.pusat_data)
                .await
                .unwrap()
                .iter()
                .filter(|k| {
                    k.status == ktpel_domain::StatusKartu::Prr
                        && niks.iter().any(|p| p.nik.to_string() == k.nik)
                })
                .count()
                == N
        })
        .await,
        "PRR for every new resident"
    );
}

/// The Formulir Biodata of a synthetic new resident of Sukasari (32.73.01.1001).
fn formulir(i: usize, born: chrono::NaiveDate) -> ktpel_contract::registry::FormulirBiodata {
    ktpel_contract::registry::FormulirBiodata {
        nama: format!("Penduduk Baru {i}"),
        jenis_kelamin: if i.is_multiple_of(2) {
            ktpel_domain::JenisKelamin::Perempuan
        } else {
            ktpel_domain::JenisKelamin::LakiLaki
        },
        tempat_lahir: "Kota Bandung".into(),
        tanggal_lahir: born,
        alamat: format!("Jl. Baru No. {i}"),
        desa: "32.73.01.1001".into(),
        no_kk: None,
        rincian: None,
    }
}

/// A new resident's berkas under `sop` (S04, S05) at the Sukasari desk.
fn new_resident_berkas(
    sop: &str,
    form: &ktpel_contract::registry::FormulirBiodata,
) -> ktpel_contract::berkas::BerkasSubmitted {
    ktpel_contract::berkas::BerkasSubmitted {
        sidik_jari: Vec::new(),
        submission_id: uuid::Uuid::now_v7(),
        sop: sop.parse().unwrap(),
        nik: None,
        nama: form.nama.clone(),
        biodata: Some(form.clone()),
        perubahan: None,
        kedatangan: None,
        dokumen: vec![
            ktpel_domain::Dokumen::FormulirPencatatanBiodata,
            ktpel_domain::Dokumen::FormulirBiodataPenduduk,
            ktpel_domain::Dokumen::AktaKelahiranAtauIjazah,
        ],
        kecamatan: "32.73.01".into(),
        petugas: "ppp-sukasari".into(),
        diterima_pada: chrono::Utc::now(),
    }
}

/// S04: residents not in SIAK apply at a kecamatan online to SIAK. The kecamatan's
/// operator enters the Formulir Biodata in SIAK — the Dinas's database, across the link with
/// sites — which gives each a NIK and a KK; the berkas comes back to the kecamatan's station,
/// which enrolls them, and it goes on like S01 to the card in the resident's hands: every
/// berkas CARD_ACTIVATED with the steps S04.2, S04.3, S04.4, S04.7, S04.8 and every status
/// once, in order; each resident in SIAK under a NIK of their own.
async fn s04_registers_and_enrolls_new_residents(layout: Layout, backend: Backend) {
    const N: usize = 8;
    let system = System::start_in(layout, backend, &[]).await;
    let born = chrono::NaiveDate::from_ymd_opt(2007, 8, 17).unwrap();
    for i in 0..N {
        let form = formulir(i, born + chrono::Duration::days((i % 3) as i64));
        system
            .send(
                &new_resident_berkas("S04", &form),
                ktpel_contract::berkas::SUBMITTED,
                "32.73.01",
            )
            .await;
    }
    assert!(
        count_reaches::<ktpel_biometric::store::operator_inbox::Entity>(
            &system.biometric,
            N as u64
        )
        .await,
        "every berkas came from SIAK to the kecamatan's station with a NIK"
    );
    assert_eq!(system.enroll_waiting().await, N);
    print_and_hand_over(&system).await;
    every_berkas_activated_once_in_order(&system).await;
    let niks: std::collections::HashSet<String> = berkas::Entity::find()
        .all(&system.intake)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.nik)
        .collect();
    assert_eq!(
        niks.len(),
        N,
        "each resident got a NIK of their own: {niks:?}"
    );
    for nik in &niks {
        assert!(
            ktpel_registry::store::penduduk::Entity::find_by_id(nik.clone())
                .one(&system.registry)
                .await
                .unwrap()
                .is_some(),
            "{nik} is in SIAK"
        );
    }
    if layout == Layout::Sites {
        nothing_dead_lettered_or_waiting(&system).await;
    }
}

async fn s04_for_new_residents(backend: Backend) {
    s04_registers_and_enrolls_new_residents(Layout::OneBroker, backend).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s04_for_new_residents_across_sites() {
    s04_registers_and_enrolls_new_residents(Layout::Sites, Backend::Postgres).await;
}

/// Eight print stations at one Dinas encode at once (with the day's numbers counted without a
/// lock, two cards could share one): each card gets a number of its own, and every card is made.
async fn print_stations_at_once_give_each_card_its_own_number(backend: Backend) {
    const N: usize = 24;
    let people = residents(N, 23);
    let system = System::start(backend, &people).await;
    submit_and_enroll(&system, &people).await;
    all_print_ready(&system, N).await;
    let (op, kasi) = system.print_desk_login().await;
    assert_eq!(
        system
            .print_queue_as(&op, &kasi, 8, ktpel_card_print::desk::Sitting::Together)
            .await,
        N
    );
    let cards = ktpel_card_print::store::register::Entity::find()
        .all(&system.card_print)
        .await
        .unwrap();
    assert_eq!(cards.len(), N, "{backend:?}: a card in the register each");
    let mut numbers: Vec<&str> = cards.iter().map(|c| c.nomor_kartu.as_str()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), N, "{backend:?}: no number twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_stations_at_once_sqlite() {
    print_stations_at_once_give_each_card_its_own_number(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_stations_at_once_postgres() {
    print_stations_at_once_give_each_card_its_own_number(Backend::Postgres).await;
}
