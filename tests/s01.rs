//! S01 through the services, over the real broker: the resident's berkas from the kecamatan
//! desk to enrollment and back to the ppp.

use chrono::Utc;
use ktpel_biometric::{
    seal::SealKey,
    station::{Person, capture},
    store::enrollment,
};
use ktpel_contract::{
    berkas::{BerkasAccepted, BerkasSubmitted, SUBMITTED},
    enrollment::{CAPTURED, EnrollmentCaptured, EnrollmentCreated, EnrollmentRefused},
    registry::Biodata,
};
use ktpel_domain::{Dokumen, KodeWilayah, Nik, SopId};
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
        submission_id: uuid::Uuid::now_v7(),
        sop: "S01".parse::<SopId>().unwrap(),
        nik: r.nik.clone(),
        nama: r.nama.clone(),
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
    assert_eq!(a.nik, r.nik);
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
    system
}

// S01.1–S01.8: accepted, enrolled (sealed at rest), record on its way to the NID Scheduler,
// berkas archived with the bukti perekaman, and the timeline shows every hop.
async fn an_enrolled_berkas_comes_back_archived_with_its_bukti(backend: Backend) {
    let people = residents(1);
    let r = &people[0];
    let system = start(backend, &people).await;
    let nomor = accepted(&system, r).await;

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

    system
        .send(
            &capture(&nomor, &r.nik, &Person::of(&r.nik), "operator-1", false),
            CAPTURED,
            "32.73.01",
        )
        .await;
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

    // The operator signs off and sends it again: now it is stored.
    system
        .send(
            &capture(&nomor, &r.nik, &Person::of(&r.nik), "operator-1", true),
            CAPTURED,
            "32.73.01",
        )
        .await;
    let created: EnrollmentCreated = decoded(&system, "afis.records").await;
    assert_eq!(created.nomor_berkas, nomor);
}

// A capture for another NIK than the berkas's is refused.
async fn a_capture_for_another_nik_is_refused(backend: Backend) {
    let people = residents(2);
    let system = start(backend, &people).await;
    let nomor = accepted(&system, &people[0]).await;
    let other: &Nik = &people[1].nik;
    system
        .send(
            &capture(&nomor, other, &Person::of(other), "operator-1", true),
            CAPTURED,
            "32.73.01",
        )
        .await;
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

ktpel_tests::on_both_databases!(
    an_enrolled_berkas_comes_back_archived_with_its_bukti,
    an_enrollment_without_the_operator_signoff_is_refused,
    a_capture_for_another_nik_is_refused,
);
