//! Section C of SOP.md end to end, through every service over the real broker: residents get
//! their first card (S01), then a replacement under one procedure — A at the kecamatan,
//! through the Dinas and back through distribution; B at the Dinas desk — or their family
//! moves (S15–S17) and every member gets a new KK and a new KTP-el.
//! For each berkas: its route hop by hop as the catalogue has it, SIAK's change, the card in
//! the resident's hands, the timeline in the procedure's own step ids, and the card register:
//! the new card verifies, the old one does not (a lost one from the moment its berkas was
//! accepted), handed-in cards archived.

use ktpel_card_print::{card_register, store::job};
use ktpel_contract::registry::{Biodata, PerubahanBiodata};
use ktpel_domain::{
    KodeWilayah, StatusKartu,
    sop::{Collection, Sop, SopId},
};
use ktpel_intake::{query, store::berkas};
use ktpel_tests::{Backend, eventually, system::System};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::{collections::HashMap, time::Duration};

const WAIT: Duration = Duration::from_secs(120);

fn residents(n: usize, seed: u64) -> Vec<Biodata> {
    ktpel_registry::seed::generate(&KodeWilayah::parse("32.73.01").unwrap(), n, seed).unwrap()
}

/// The residents by family (KK), in KK order.
fn families_of(people: &[Biodata]) -> Vec<Vec<&Biodata>> {
    let mut families: std::collections::BTreeMap<&str, Vec<&Biodata>> = Default::default();
    for p in people {
        families.entry(p.no_kk.as_str()).or_default().push(p);
    }
    families.into_values().collect()
}

/// What the desk asks SIAK to change for `r` under `sop`: a corrected name (S06/S07), a new
/// address in another desa of the kecamatan, a divorce and a new occupation (S13/S14);
/// nothing for the other reasons.
fn change_for(sop: SopId, r: &Biodata) -> Option<PerubahanBiodata> {
    match sop.number() {
        6 | 7 => Some(PerubahanBiodata {
            nama: Some(format!("{} (dibetulkan)", r.nama)),
            ..Default::default()
        }),
        13 | 14 => Some(PerubahanBiodata {
            alamat: Some("Jl. Sukasari Baru No. 7".into()),
            desa: Some(other_desa(&r.desa)),
            status_perkawinan: Some(ktpel_domain::biodata::StatusPerkawinan::CeraiHidup),
            pekerjaan: Some("WIRASWASTA".into()),
            ..Default::default()
        }),
        _ => None,
    }
}

/// Another desa of the same kecamatan (Sukasari has 1001–1004).
fn other_desa(desa: &str) -> String {
    if desa.ends_with("1001") {
        "32.73.01.1002".into()
    } else {
        "32.73.01.1001".into()
    }
}

/// The old card's chip of each resident (S01's, the only card each has).
async fn first_chips(system: &System) -> HashMap<String, Vec<u8>> {
    job::Entity::find()
        .all(&system.card_print)
        .await
        .unwrap()
        .into_iter()
        .map(|j| (j.nik, j.chip.expect("every first card has its chip")))
        .collect()
}

/// Every resident of `people` gets a first card, then `per` of them a replacement under each
/// of `sops`.
async fn replacements(backend: Backend, sops: &[&str], per: usize) {
    let sops: Vec<SopId> = sops.iter().map(|s| s.parse().unwrap()).collect();
    let people = residents(per * sops.len(), 23);
    let system = System::start(backend, &people).await;
    system.first_cards(&people).await;
    let old_chips = first_chips(&system).await;
    let key = system.dinas_key.verifying_key();

    let mut applied: Vec<(SopId, &Biodata)> = Vec::new();
    for (sop, group) in sops.iter().zip(people.chunks(per)) {
        for r in group {
            system
                .submit_replacement(&sop.to_string(), r, change_for(*sop, r))
                .await;
            applied.push((*sop, r));
        }
    }
    let n = applied.len();

    // S11.2/S12.2: a lost card is revoked the moment its berkas is accepted — before the new
    // card is even printed.
    for (sop, r) in &applied {
        if Sop::get(*sop).replacement().unwrap().lost {
            let chip = &old_chips[r.nik.as_str()];
            assert!(
                eventually(WAIT, || async {
                    matches!(
                        card_register::verify(&system.card_print, &key, chip).await,
                        Err(card_register::VerifyError::Revoked { ref reason, .. }) if reason.contains("reported lost")
                    )
                })
                .await,
                "{sop}: the lost card of {} is refused from acceptance",
                r.nik
            );
        }
    }

    // S08.3, S10.3, S12.3: the Dinas's station takes the photo and signature again.
    let recapturing: Vec<&Biodata> = applied
        .iter()
        .filter(|(sop, _)| Sop::get(*sop).recaptures())
        .map(|(_, r)| *r)
        .collect();
    if !recapturing.is_empty() {
        recapture_at_the_station(&system, &recapturing).await;
    }

    // The printing desk: every replacement print ready on the enrollment on record.
    print_and_hand_over(&system, n, people.len()).await;

    // Every replacement's berkas ends with the card in the resident's hands, archived.
    let replacement_berkas = || async {
        berkas::Entity::find()
            .filter(berkas::Column::Sop.ne("S01"))
            .all(&system.intake)
            .await
            .unwrap()
    };
    assert!(
        eventually(WAIT, || async {
            let rows = replacement_berkas().await;
            rows.len() == n
                && rows
                    .iter()
                    .all(|b| b.status == StatusKartu::CardActivated && b.archived_at.is_some())
        })
        .await,
        "every replacement handed over: {:?}",
        replacement_berkas()
            .await
            .iter()
            .map(|b| (&b.sop, &b.status, &b.at_hop))
            .collect::<Vec<_>>()
    );

    register_settled(&system.card_print).await;
    for b in replacement_berkas().await {
        let sop: SopId = b.sop;
        let r = applied
            .iter()
            .find(|(_, r)| r.nik.as_str() == b.nik)
            .map(|(_, r)| *r)
            .unwrap();
        follows_its_route(&system, sop, &b.nomor_berkas, 1).await;
        siak_changed(&system, sop, r, &b.nomor_berkas).await;
        only_the_new_card_verifies(&system, sop, r, &old_chips[r.nik.as_str()]).await;
    }
    nothing_dead_lettered(&system).await;
}

/// Waits until the card register has taken in every hand-over: for each NIK one valid card,
/// in its resident's hands. (card-print hears `CARD_ACTIVATED` on its own queue, perhaps after
/// intake closed the berkas.)
async fn register_settled(db: &sea_orm::DatabaseConnection) {
    let settled = eventually(WAIT, || async {
        let cards = ktpel_card_print::store::register::Entity::find()
            .all(db)
            .await
            .unwrap();
        let mut valid: HashMap<&str, usize> = HashMap::new();
        for c in cards.iter().filter(|c| c.revoked_at.is_none()) {
            if c.activated_at.is_none() {
                return false;
            }
            *valid.entry(c.nik.as_str()).or_default() += 1;
        }
        valid.values().all(|n| *n == 1)
    })
    .await;
    assert!(
        settled,
        "one valid card per NIK, each in its resident's hands"
    );
}

/// S21 and S22 for `cards` new cards: every one in the print queue, made and checked, in
/// distribution beside the `before` cards there already, batched and handed over.
async fn print_and_hand_over(system: &System, cards: usize, before: usize) {
    assert!(
        eventually(WAIT, || async {
            ktpel_card_print::desk::queue(&system.card_print)
                .await
                .unwrap()
                .len()
                == cards
        })
        .await,
        "every new card reached the print queue"
    );
    assert_eq!(system.print_queue().await, cards);
    assert!(
        eventually(WAIT, || async {
            ktpel_distribution::store::kartu::Entity::find()
                .all(&system.distribution)
                .await
                .unwrap()
                .len()
                == before + cards
        })
        .await,
        "every new card reached distribution"
    );
    assert_eq!(system.distribute_all().await, cards);
}

/// The operator re-captures each resident's photo and signature at the station, once their
/// berkas is there; no fingerprints.
async fn recapture_at_the_station(system: &System, people: &[&Biodata]) {
    use ktpel_biometric::{station, store::operator_inbox};
    let waiting = || async {
        operator_inbox::Entity::find()
            .all(&system.biometric)
            .await
            .unwrap()
    };
    assert!(
        eventually(WAIT, || async { waiting().await.len() == people.len() }).await,
        "every re-capture's berkas reached the Dinas's station"
    );
    for w in waiting().await {
        let nik = ktpel_domain::Nik::parse(&w.nik).unwrap();
        let c = station::recapture(
            &w.nomor_berkas,
            &nik,
            &station::Person::of(&nik),
            "op-dinas",
        );
        system
            .send(&c, ktpel_contract::enrollment::CAPTURED, "32.73.01")
            .await;
    }
}

/// The timeline: each hop of the catalogue's route at its place, in order; the statuses once
/// each, in order, at the procedure's own steps (the kepala_seksi's check is `CARD_PRINTED`) —
/// every step id the procedure's.
async fn follows_its_route(system: &System, sop: SopId, nomor: &str, cards: usize) {
    let procedure = Sop::get(sop);
    let route = procedure.route().unwrap();
    let mut t = query::where_is(&system.intake, nomor)
        .await
        .unwrap()
        .unwrap()
        .timeline;
    t.sort_by_key(|e| e.at);
    let status_of = |note: &str| {
        note.split_once(':')
            .and_then(|(word, _)| word.parse::<StatusKartu>().ok())
    };
    let desks: Vec<(String, String)> = t
        .iter()
        .filter(|e| status_of(&e.note).is_none())
        .map(|e| (e.hop.clone(), e.step.clone()))
        .collect();
    let expected: Vec<(String, String)> = route
        .iter()
        .map(|h| (h.to_string(), h.step.to_owned()))
        .collect();
    assert_eq!(desks, expected, "{sop} berkas {nomor}: {t:#?}");
    let statuses: Vec<(StatusKartu, String, String)> = t
        .iter()
        .filter_map(|e| Some((status_of(&e.note)?, e.hop.clone(), e.step.clone())))
        .collect();
    let mut wanted = vec![StatusKartu::Prr, StatusKartu::CardPrinted];
    if procedure.collection() == Collection::Kecamatan {
        wanted.push(StatusKartu::CardShipped);
    }
    wanted.push(StatusKartu::CardActivated);
    let wanted: Vec<(StatusKartu, String, String)> = wanted
        .into_iter()
        .flat_map(|s| std::iter::repeat_n(s, cards))
        .map(|s| {
            let (role, place, step) = procedure.status_step(s).unwrap();
            (s, format!("{role}@{place}"), step)
        })
        .collect();
    assert_eq!(statuses, wanted, "{sop} berkas {nomor}: {t:#?}");
    // A replacement's PRR says the fingers pressed at the counter matched the record 1:1.
    if procedure.replacement().is_some() {
        assert!(
            t.iter()
                .any(|e| e.note.starts_with("PRR") && e.note.contains("sidik jari cocok 1:1")),
            "{sop} berkas {nomor}: {t:#?}"
        );
    }
    // Every step of a replacement, 2 to the last, is on the timeline.
    let last = match procedure.collection() {
        _ if procedure.replacement().is_none() => 1,
        Collection::Kecamatan => 8,
        Collection::DinasDesk => 5,
    };
    for n in 2..=last {
        let step = format!("{sop}.{n}");
        assert!(
            t.iter().any(|e| e.step == step),
            "{step} is on the timeline: {t:#?}"
        );
    }
    assert!(
        t.iter().all(|e| e.step.starts_with(&format!("{sop}."))),
        "{sop}: every step is the procedure's own: {t:#?}"
    );
}

/// SIAK holds the correction or change (kept once, with the biodata before and after); a
/// reason without SIAK work changed nothing.
async fn siak_changed(system: &System, sop: SopId, r: &Biodata, nomor: &str) {
    let now = ktpel_registry::store::penduduk::Entity::find_by_id(r.nik.to_string())
        .one(&system.registry)
        .await
        .unwrap()
        .unwrap()
        .biodata()
        .unwrap();
    let kept = ktpel_registry::store::perubahan::Entity::find_by_id(nomor.to_owned())
        .one(&system.registry)
        .await
        .unwrap();
    match change_for(sop, r) {
        Some(change) => {
            assert_eq!(now, change.apply(r), "{sop}: SIAK holds the change");
            let kept = kept.expect("the change is kept");
            assert_eq!(kept.sop, sop);
            assert_eq!(serde_json::from_value::<Biodata>(kept.before).unwrap(), *r);
        }
        None => {
            assert_eq!(now, *r, "{sop} changes nothing in SIAK");
            assert!(kept.is_none());
        }
    }
}

/// The card register: two cards, the new one valid (and its chip verifies, with SIAK's data
/// after the change), the old one revoked — archived if the resident handed it in.
async fn only_the_new_card_verifies(system: &System, sop: SopId, r: &Biodata, old_chip: &[u8]) {
    let key = system.dinas_key.verifying_key();
    let cards = card_register::cards_of(&system.card_print, r.nik.as_str())
        .await
        .unwrap();
    assert_eq!(cards.len(), 2, "{sop}: {cards:#?}");
    let (old, new) = (&cards[0], &cards[1]);
    assert_eq!(new.sop, sop);
    assert!(new.revoked_at.is_none() && new.activated_at.is_some());
    assert!(old.revoked_at.is_some(), "{sop}: the old card is revoked");
    let reason = Sop::get(sop).replacement().unwrap();
    assert_eq!(
        old.archived_at.is_some(),
        reason.surrendered.is_some(),
        "{sop}: archived when handed in: {old:?}"
    );
    let err = card_register::verify(&system.card_print, &key, old_chip)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("was revoked"),
        "{sop}: the old card: {err}"
    );
    let new_job = job::Entity::find_by_id((new.nomor_berkas.clone(), r.nik.to_string()))
        .one(&system.card_print)
        .await
        .unwrap()
        .unwrap();
    let new_chip = new_job.chip.clone().unwrap();
    // S13/S14: the new card's face shows the elements changed.
    if let Some(change) = change_for(sop, r).filter(|c| c.changes_rincian()) {
        let face =
            ktpel_card_print::face::fields(&ktpel_card_print::desk::biodata(&new_job).unwrap());
        let on_face = |label: &str| face.iter().find(|(l, _)| *l == label).unwrap().1.clone();
        assert_eq!(
            on_face("Status Perkawinan"),
            change.status_perkawinan.unwrap().printed(),
            "{sop}"
        );
        assert_eq!(on_face("Pekerjaan"), change.pekerjaan.unwrap(), "{sop}");
    }
    let valid = card_register::verify(&system.card_print, &key, &new_chip)
        .await
        .unwrap();
    assert_eq!(valid.nomor_kartu, new.nomor_kartu);
    let chip = ktpel_card_print::chip::Chip::read(&new_chip, &key).unwrap();
    assert_eq!(
        chip.data.biodata,
        change_for(sop, r).map(|c| c.apply(r)).unwrap_or(r.clone()),
        "{sop}: the new card carries SIAK's data"
    );
    // The photo: re-captured (S08, S10, S12) or the one on record; the fingerprints stand.
    let old = ktpel_card_print::chip::Chip::read(old_chip, &key).unwrap();
    assert_eq!(chip.data.right_index, old.data.right_index);
    assert_eq!(chip.data.left_index, old.data.left_index);
    if Sop::get(sop).recaptures() {
        let again = ktpel_biometric::store::recapture::Entity::find_by_id(new.nomor_berkas.clone())
            .one(&system.biometric)
            .await
            .unwrap()
            .expect("the re-capture is kept");
        assert_eq!(chip.data.photo_sha256, again.photo_sha256);
        assert_ne!(
            chip.data.photo_sha256, old.data.photo_sha256,
            "{sop}: a new photo"
        );
    } else {
        assert_eq!(chip.data.photo_sha256, old.data.photo_sha256);
    }
    // The card printed shows that photo: the station's pixels, taken again or on record.
    let card = ktpel_card_print::desk::card_pdf(&system.card_print, &new_job)
        .await
        .expect("the card as PDF");
    let images = ktpel_tests::pdf::Pdf::new(&card).images();
    let person = ktpel_biometric::station::Person::of(&r.nik);
    let sitting = if Sop::get(sop).recaptures() {
        "photo, taken again"
    } else {
        "photo"
    };
    assert_eq!(images.len(), 1, "{sop}: the photo on the card");
    assert_eq!(
        ktpel_tests::pdf::pixels(&images[0]),
        ktpel_tests::pdf::pixels(&ktpel_biometric::station::portrait(&person, sitting)),
        "{sop}: the card's photo"
    );
}

async fn nothing_dead_lettered(system: &System) {
    no_dead_letters_at(&system.vhost).await;
}

/// No service's dead-letter queue at `vhost` holds anything (one a site does not run is not
/// there: none), and nothing went unrouted.
async fn no_dead_letters_at(vhost: &ktpel_tests::TestVhost) {
    let broker = ktpel_bus::Broker::new(vhost.url(), "test-check");
    for queue in [
        ktpel_intake::startup::QUEUE,
        ktpel_registry::startup::QUEUE,
        ktpel_biometric::startup::QUEUE,
        ktpel_card_print::startup::QUEUE,
        ktpel_distribution::startup::QUEUE,
        ktpel_afis_sync::startup::QUEUE,
        ktpel_pusat_data::startup::QUEUE,
    ] {
        let dlq = ktpel_bus::topology::dead_letter_queue(queue);
        assert_eq!(
            broker.queue_depth(&dlq).await.unwrap_or(0),
            0,
            "{dlq} at {}",
            vhost.name
        );
    }
    assert_eq!(
        broker.queue_depth("ktpel.unrouted").await.unwrap(),
        0,
        "unrouted at {}",
        vhost.name
    );
    broker.close().await;
}

/// Families of two or more move from Sukasari to Coblong (32.73.02) under `sop`: SIAK moves
/// each whole family under one new KK, every member gets a new card at the new address, the
/// old ones are revoked and archived, the cards go to Coblong.
async fn relocation(backend: Backend, sop: &str) {
    use ktpel_contract::registry::Kedatangan;
    let sop: SopId = sop.parse().unwrap();
    let people = residents(14, 31);
    let families = families_of(&people);
    let moving: Vec<Vec<&Biodata>> = families
        .into_iter()
        .filter(|f| f.len() >= 2)
        .take(2)
        .collect();
    assert!(!moving.is_empty(), "the seed makes families of two or more");
    let members: usize = moving.iter().map(Vec::len).sum();
    let system = System::start(backend, &people).await;
    system.first_cards(&people).await;
    let old_chips = first_chips(&system).await;
    let key = system.dinas_key.verifying_key();
    let arrival = Kedatangan {
        desa: "32.73.02.1001".into(),
        alamat: "Jl. Dago No. 12, RT 004/RW 002".into(),
    };
    for family in &moving {
        system
            .submit_relocation(&sop.to_string(), family[0], arrival.clone())
            .await;
    }
    print_and_hand_over(&system, members, people.len()).await;
    let moved_berkas = || async {
        berkas::Entity::find()
            .filter(berkas::Column::Sop.eq(sop.to_string()))
            .all(&system.intake)
            .await
            .unwrap()
    };
    let handed_over = |nomor: String| {
        let intake = system.intake.clone();
        async move {
            query::where_is(&intake, &nomor)
                .await
                .unwrap()
                .map(|t| {
                    t.timeline
                        .iter()
                        .filter(|e| e.note.starts_with("CARD_ACTIVATED:"))
                        .count()
                })
                .unwrap_or(0)
        }
    };
    assert!(
        eventually(WAIT, || async {
            let rows = moved_berkas().await;
            let mut all = rows.len() == moving.len();
            for b in &rows {
                let family = moving.iter().find(|f| f[0].nik.as_str() == b.nik).unwrap();
                all &= b.archived_at.is_some()
                    && b.status == StatusKartu::CardActivated
                    && handed_over(b.nomor_berkas.clone()).await == family.len();
            }
            all
        })
        .await,
        "every family's berkas ends with every card handed over"
    );
    register_settled(&system.card_print).await;
    for b in moved_berkas().await {
        let family = moving
            .iter()
            .find(|f| f[0].nik.as_str() == b.nik)
            .expect("a moving family's berkas");
        assert_eq!(b.kecamatan, "32.73.02", "entered where the family arrives");
        follows_its_route(&system, sop, &b.nomor_berkas, family.len()).await;
        // SIAK: the whole family at the new address, under one new KK printed for the berkas.
        let kk = ktpel_registry::store::kartu_keluarga::Entity::find()
            .filter(
                ktpel_registry::store::kartu_keluarga::Column::NomorBerkas
                    .eq(b.nomor_berkas.clone()),
            )
            .one(&system.registry)
            .await
            .unwrap()
            .expect("a new KK printed for the family")
            .no_kk;
        assert!(kk.starts_with("327302"), "a Coblong KK: {kk}");
        for member in family {
            let now = ktpel_registry::store::penduduk::Entity::find_by_id(member.nik.to_string())
                .one(&system.registry)
                .await
                .unwrap()
                .unwrap()
                .biodata()
                .unwrap();
            let moved = Biodata {
                no_kk: kk.clone(),
                desa: arrival.desa.clone(),
                alamat: arrival.alamat.clone(),
                ..(*member).clone()
            };
            assert_eq!(now, moved, "{sop}: {} moved in SIAK", member.nik);
            // The register: the old card revoked and archived, the new one valid with the
            // new address; the card went to Coblong.
            let cards = card_register::cards_of(&system.card_print, member.nik.as_str())
                .await
                .unwrap();
            assert_eq!(cards.len(), 2, "{cards:#?}");
            assert!(cards[0].revoked_at.is_some() && cards[0].archived_at.is_some());
            assert!(cards[1].revoked_at.is_none() && cards[1].nomor_berkas == b.nomor_berkas);
            assert!(
                card_register::verify(&system.card_print, &key, &old_chips[member.nik.as_str()])
                    .await
                    .is_err()
            );
            let new_chip =
                job::Entity::find_by_id((b.nomor_berkas.clone(), member.nik.to_string()))
                    .one(&system.card_print)
                    .await
                    .unwrap()
                    .unwrap()
                    .chip
                    .unwrap();
            card_register::verify(&system.card_print, &key, &new_chip)
                .await
                .unwrap();
            let chip = ktpel_card_print::chip::Chip::read(&new_chip, &key).unwrap();
            assert_eq!(chip.data.biodata, moved);
            let delivered = ktpel_distribution::store::kartu::Entity::find_by_id((
                b.nomor_berkas.clone(),
                member.nik.to_string(),
            ))
            .one(&system.distribution)
            .await
            .unwrap()
            .unwrap();
            assert_eq!(delivered.kecamatan, "32.73.02");
            assert!(delivered.tanda_terima_by.is_some());
        }
    }
    // Those who stayed keep their one card.
    let staying = people
        .iter()
        .find(|p| !moving.iter().flatten().any(|m| m.nik == p.nik))
        .expect("someone stays");
    assert_eq!(
        card_register::cards_of(&system.card_print, staying.nik.as_str())
            .await
            .unwrap()
            .len(),
        1
    );
    nothing_dead_lettered(&system).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s15_a_family_moves_online_at_the_kecamatan() {
    relocation(Backend::Sqlite, "S15").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s16_a_family_moves_offline_through_the_dinas() {
    relocation(Backend::Sqlite, "S16").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s17_a_family_moves_at_the_dinas_desk() {
    relocation(Backend::Sqlite, "S17").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s15_on_postgres() {
    relocation(Backend::Postgres, "S15").await
}

/// A mixed run for 200 residents: everyone's first card (S01), then for
/// most of them one of section C's procedures — every replacement, and whole families moving
/// (S15–S18, the last to another kabupaten/kota) — all at once. Nothing lost (every card made
/// and handed over), nothing doubled (one berkas per application, one new card per resident,
/// one valid card per NIK), nothing in a dead-letter queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_run_for_200_residents() {
    use ktpel_contract::registry::Kedatangan;
    const N: usize = 200;
    let people = residents(N, 41);
    let families = families_of(&people);
    let moves: [SopId; 4] = ["S15", "S16", "S17", "S18"].map(|s| s.parse().unwrap());
    let replacements: Vec<SopId> = (6..=14).map(|n| SopId::new(n).unwrap()).collect();
    // Eight families move, two per procedure (S18's to Kabupaten Bandung, its SIAK on this
    // broker too); of the rest, three residents in four get a replacement, the reasons in
    // turn.
    let mut moving: Vec<(SopId, Vec<&Biodata>)> = Vec::new();
    let mut replacing: Vec<(SopId, &Biodata)> = Vec::new();
    let mut stay = 0;
    for family in families {
        if family.len() >= 2 && moving.len() < 8 {
            moving.push((moves[moving.len() % 4], family));
            continue;
        }
        for p in family {
            if (replacing.len() + stay) % 4 == 3 {
                stay += 1;
            } else {
                replacing.push((replacements[replacing.len() % replacements.len()], p));
            }
        }
    }
    assert_eq!(moving.len(), 8, "the seed has eight families to move");
    let new_cards = replacing.len() + moving.iter().map(|(_, f)| f.len()).sum::<usize>();

    let system = System::start(Backend::Postgres, &people).await;
    system.first_cards(&people).await;
    for (sop, r) in &replacing {
        system
            .submit_replacement(&sop.to_string(), r, change_for(*sop, r))
            .await;
    }
    // S18: the origin's SIAK hands the families over first; they arrive through the Pusat Data.
    let mut arriving = 0;
    for (sop, family) in moving
        .iter()
        .filter(|(s, _)| Sop::get(*s).between_kabupaten())
    {
        assert_eq!(sop.number(), 18);
        ktpel_registry::pindah::keluar(
            &system.registry,
            &family[0].nik,
            &KodeWilayah::parse("32.04").unwrap(),
        )
        .await
        .expect("the Surat Keterangan Pindah");
        arriving += family.len();
    }
    assert!(
        eventually(WAIT, || async {
            ktpel_registry::store::pendatang::Entity::find()
                .all(&system.registry)
                .await
                .unwrap()
                .len()
                == arriving
        })
        .await,
        "the S18 families arrive"
    );
    for (i, (sop, family)) in moving.iter().enumerate() {
        let arrival = Kedatangan {
            desa: if sop.number() == 18 {
                format!("32.04.05.200{}", i % 4 + 1)
            } else {
                format!("32.73.02.100{}", i % 4 + 1)
            },
            alamat: format!("Jl. Dago No. {}", i + 1),
        };
        system
            .submit_relocation(&sop.to_string(), family[0], arrival)
            .await;
    }
    let recapturing: Vec<&Biodata> = replacing
        .iter()
        .filter(|(sop, _)| Sop::get(*sop).recaptures())
        .map(|(_, r)| *r)
        .collect();
    recapture_at_the_station(&system, &recapturing).await;
    print_and_hand_over(&system, new_cards, N).await;

    // Nothing lost: every application's berkas closed with all its cards handed over.
    let applications = replacing.len() + moving.len();
    assert!(
        eventually(WAIT, || async {
            let rows = berkas::Entity::find()
                .filter(berkas::Column::Sop.ne("S01"))
                .all(&system.intake)
                .await
                .unwrap();
            rows.len() == applications
                && rows
                    .iter()
                    .all(|b| b.status == StatusKartu::CardActivated && b.archived_at.is_some())
        })
        .await,
        "every application ends with its cards handed over"
    );
    // Nothing doubled: one berkas per application, one new card per resident who applied or
    // moved, exactly one valid card for each of the 200.
    assert_eq!(
        berkas::Entity::find()
            .all(&system.intake)
            .await
            .unwrap()
            .len(),
        N + applications
    );
    register_settled(&system.card_print).await;
    let register = ktpel_card_print::store::register::Entity::find()
        .all(&system.card_print)
        .await
        .unwrap();
    assert_eq!(register.len(), N + new_cards);
    let mut valid: HashMap<&str, usize> = HashMap::new();
    for card in register.iter().filter(|c| c.revoked_at.is_none()) {
        *valid.entry(card.nik.as_str()).or_default() += 1;
    }
    assert_eq!(valid.len(), N, "every resident has a valid card");
    assert!(valid.values().all(|n| *n == 1), "one valid card per NIK");
    assert!(
        register
            .iter()
            .filter(|c| c.revoked_at.is_none())
            .all(|c| c.activated_at.is_some()),
        "every valid card is in its resident's hands"
    );
    nothing_dead_lettered(&system).await;
}

/// Section C across sites (the kecamatan 32.73.01 on its own broker, linked to the Dinas; the
/// Dinas and the Pusat Data on theirs): an A replacement (S06) and a lost card (S11) taken at
/// the kecamatan travel up to the Dinas's counter and printing and their cards come back
/// through distribution; a B replacement (S07) and a relocation at the Dinas desk (S17) never
/// leave the Dinas. The lost card is revoked from acceptance (`card.lost` up the link); the
/// kecamatan's copy of SIAK hears the correction; the kecamatan's berkas close when their
/// cards are handed over; nothing is dead-lettered, unrouted or left waiting at any site.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn section_c_across_sites() {
    use ktpel_contract::registry::Kedatangan;
    use ktpel_tests::system::Layout;
    let people = residents(12, 37);
    let system = System::start_in(Layout::Sites, Backend::Postgres, &people).await;
    system.first_cards(&people).await;
    let old_chips = first_chips(&system).await;
    let key = system.dinas_key.verifying_key();
    let dinas_intake = system.intake_dinas.clone().expect("sites");

    // A family moves at the Dinas desk (S17); three others apply, one each.
    let families = families_of(&people);
    let mut families = families.into_iter();
    let moving = families.next().expect("a family");
    let singles: Vec<&Biodata> = families.flatten().take(3).collect();
    assert_eq!(singles.len(), 3);
    let sops: Vec<SopId> = ["S06", "S11", "S07"].map(|s| s.parse().unwrap()).to_vec();
    for (sop, r) in sops.iter().zip(&singles) {
        system
            .submit_replacement(&sop.to_string(), r, change_for(*sop, r))
            .await;
    }
    system
        .submit_relocation(
            "S17",
            moving[0],
            Kedatangan {
                desa: "32.73.02.1001".into(),
                alamat: "Jl. Cipaganti No. 3".into(),
            },
        )
        .await;
    let cards = singles.len() + moving.len();

    // S11.2 at the kecamatan: the lost card is refused at the Dinas's register from now on.
    let lost_chip = &old_chips[singles[1].nik.as_str()];
    assert!(
        eventually(WAIT, || async {
            card_register::verify(&system.card_print, &key, lost_chip)
                .await
                .is_err()
        })
        .await,
        "the lost card is revoked once its berkas is accepted, across the link"
    );
    print_and_hand_over(&system, cards, people.len()).await;

    let closed = |db: sea_orm::DatabaseConnection, sop: &'static str| async move {
        berkas::Entity::find()
            .filter(berkas::Column::Sop.eq(sop))
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .filter(|b| b.status == StatusKartu::CardActivated && b.archived_at.is_some())
            .count()
    };
    // A: the kecamatan's berkas closed when the card came back; the Dinas's copy at Sxx.6.
    for sop in ["S06", "S11"] {
        assert!(
            eventually(WAIT, || async {
                closed(system.intake.clone(), sop).await == 1
            })
            .await,
            "{sop}: the kecamatan's berkas closed with the card in the resident's hands"
        );
        let at_dinas = berkas::Entity::find()
            .filter(berkas::Column::Sop.eq(sop))
            .one(&dinas_intake)
            .await
            .unwrap()
            .expect("opened at the Dinas's counter");
        assert!(
            at_dinas.archived_at.is_some(),
            "{sop}: archived at the Dinas"
        );
    }
    // B and S17: all at the Dinas.
    for sop in ["S07", "S17"] {
        assert!(
            eventually(WAIT, || async {
                closed(dinas_intake.clone(), sop).await == 1
            })
            .await,
            "{sop}: the Dinas's berkas closed"
        );
    }
    register_settled(&system.card_print).await;
    for (sop, r) in sops.iter().zip(&singles) {
        let cards = card_register::cards_of(&system.card_print, r.nik.as_str())
            .await
            .unwrap();
        assert_eq!(cards.len(), 2, "{sop}");
        assert!(
            cards[0].revoked_at.is_some() && cards[1].revoked_at.is_none(),
            "{sop}"
        );
    }
    for member in &moving {
        let cards = card_register::cards_of(&system.card_print, member.nik.as_str())
            .await
            .unwrap();
        assert_eq!(cards.len(), 2, "S17: a new card for {}", member.nik);
    }
    // The correction reached the kecamatan's copy of SIAK.
    let corrected = change_for(sops[0], singles[0]).unwrap().apply(singles[0]);
    let copy = system.registry_copy.clone().expect("sites");
    assert!(
        eventually(WAIT, || async {
            ktpel_registry::store::penduduk::Entity::find_by_id(singles[0].nik.to_string())
                .one(&copy)
                .await
                .unwrap()
                .map(|p| p.nama)
                == Some(corrected.nama.clone())
        })
        .await,
        "the kecamatan's copy has the corrected name"
    );
    // Nothing dead-lettered or unrouted at any site; nothing waits to cross.
    let sites = [
        &system.vhost,
        &system.other_vhosts[0],
        &system.other_vhosts[1],
    ];
    for vhost in sites {
        no_dead_letters_at(vhost).await;
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

/// S18 between two Dinas: a family of Kota Bandung (32.73) with their first
/// cards moves to Kabupaten Bandung (32.04). The origin's SIAK issues the Surat Keterangan
/// Pindah and hands the family over — up to the Pusat Data, which adds each member's enrollment
/// on record, and down to the destination — and the family leaves the origin's register, its
/// cards revoked there. At the destination's desk their S18 berkas is taken; SIAK records the
/// family once, under a new KK of 32.04; every member's new card is printed there from the
/// enrollment on record, with the destination's key, and handed over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s18_a_family_moves_between_two_dinas() {
    use ktpel_contract::registry::Kedatangan;
    use ktpel_tests::system::Layout;
    let people = residents(14, 31);
    let system = System::start_in(Layout::Sites, Backend::Postgres, &people).await;
    system.first_cards(&people).await;
    let old_chips = first_chips(&system).await;
    let families = families_of(&people);
    let family = families
        .into_iter()
        .find(|f| f.len() >= 2)
        .expect("a family of two or more");
    let niks: Vec<String> = family.iter().map(|m| m.nik.to_string()).collect();
    let bandung = system.second_dinas(Backend::Postgres, "32.04").await;

    // At the origin: the Surat Keterangan Pindah; the family leaves its register.
    let moving = ktpel_registry::pindah::keluar(
        &system.registry,
        &family[0].nik,
        &KodeWilayah::parse("32.04").unwrap(),
    )
    .await
    .expect("the Surat Keterangan Pindah is issued");
    assert_eq!(moving.anggota.len(), family.len());
    let in_origin = ktpel_registry::store::penduduk::Entity::find()
        .filter(ktpel_registry::store::penduduk::Column::Nik.is_in(niks.clone()))
        .all(&system.registry)
        .await
        .unwrap();
    assert!(in_origin.is_empty(), "the family left the origin's SIAK");
    // A move within the kabupaten/kota is not S18's: refused, nothing changed.
    let stays = people
        .iter()
        .find(|p| !niks.contains(&p.nik.to_string()))
        .unwrap();
    let err = ktpel_registry::pindah::keluar(
        &system.registry,
        &stays.nik,
        &KodeWilayah::parse("32.73").unwrap(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("S15–S17"), "{err}");

    // Through the Pusat Data to the destination: arriving in its SIAK, the enrollments on
    // record at its printing; the origin revoked the family's cards.
    let key_a = system.dinas_key.verifying_key();
    assert!(
        eventually(WAIT, || async {
            ktpel_registry::store::pendatang::Entity::find()
                .all(&bandung.registry)
                .await
                .unwrap()
                .len()
                == family.len()
                && ktpel_card_print::store::rekaman::Entity::find()
                    .all(&bandung.card_print)
                    .await
                    .unwrap()
                    .len()
                    == family.len()
        })
        .await,
        "the destination hears of the family, with the enrollments on record"
    );
    for nik in &niks {
        let err = card_register::verify(&system.card_print, &key_a, &old_chips[nik.as_str()])
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("moved to kabupaten/kota 32.04"),
            "{err}"
        );
    }

    // S18.1–S18.2 at the destination's desk, entered under the kecamatan of arrival.
    let arrival = Kedatangan {
        desa: "32.04.05.2001".into(),
        alamat: "Jl. Cileunyi No. 8".into(),
    };
    let procedure = Sop::get("S18".parse().unwrap());
    let b = ktpel_contract::berkas::BerkasSubmitted {
        sidik_jari: Vec::new(),
        submission_id: uuid::Uuid::now_v7(),
        sop: procedure.id,
        nik: Some(family[0].nik.clone()),
        nama: family[0].nama.clone(),
        biodata: None,
        perubahan: None,
        kedatangan: Some(arrival.clone()),
        dokumen: ktpel_contract::berkas::dokumen_lengkap(procedure.id, None),
        kecamatan: "32.04.05".into(),
        petugas: "ppp-bandung".into(),
        diterima_pada: chrono::Utc::now(),
    };
    let publisher =
        ktpel_bus::publisher::Publisher::new(bandung.broker.channel().await.unwrap(), "desk")
            .await
            .unwrap();
    let msg = ktpel_bus::Outgoing::new(
        &b,
        ktpel_bus::RoutingKey::regional(ktpel_contract::berkas::SUBMITTED, "32.04.05").unwrap(),
        "desk",
        "desk",
    )
    .unwrap();
    publisher
        .publish(&ktpel_bus::publisher::Publication::of("ktpel", &msg))
        .await
        .unwrap();

    // S18.4–S18.5: every member's card, made at the destination with its key.
    let queue = || async {
        ktpel_card_print::desk::queue(&bandung.card_print)
            .await
            .unwrap()
    };
    assert!(
        eventually(WAIT, || async { queue().await.len() == family.len() }).await,
        "a card of every member reached the destination's print queue"
    );
    let (op, kasi) = ktpel_tests::system::print_desk();
    for j in queue().await {
        ktpel_card_print::desk::make_card(
            &bandung.card_print,
            &bandung.dinas_key,
            (&op, &kasi),
            &j.nik,
            ktpel_card_print::desk::Sitting::StepByStep,
        )
        .await
        .unwrap();
        // The new card shows the photo taken at enrollment in the Dinas of origin, which
        // travelled with the enrollment on record through the Pusat Data.
        let card = ktpel_card_print::desk::card_pdf(&bandung.card_print, &j)
            .await
            .unwrap();
        let images = ktpel_tests::pdf::Pdf::new(&card).images();
        let person =
            ktpel_biometric::station::Person::of(&ktpel_domain::Nik::parse(&j.nik).unwrap());
        assert_eq!(images.len(), 1, "the photo on the card of {}", j.nik);
        assert_eq!(
            ktpel_tests::pdf::pixels(&images[0]),
            ktpel_tests::pdf::pixels(&ktpel_biometric::station::portrait(&person, "photo")),
            "the enrollment's photo on the card of {}",
            j.nik
        );
    }
    // S18.6–S18.8: distribution to the kecamatan of arrival, the family collects.
    use ktpel_distribution::desk as dist;
    assert!(
        eventually(WAIT, || async {
            ktpel_distribution::store::kartu::Entity::find()
                .all(&bandung.distribution)
                .await
                .unwrap()
                .len()
                == family.len()
        })
        .await
    );
    for batch in dist::make_batches(&bandung.distribution, "petugas-bandung")
        .await
        .unwrap()
    {
        assert_eq!(batch.kecamatan, "32.04.05");
        dist::confirm_receipt(&bandung.distribution, batch.batch_id, "ppp-cileunyi")
            .await
            .unwrap();
    }
    for c in dist::awaiting_collection(&bandung.distribution)
        .await
        .unwrap()
    {
        dist::hand_over(&bandung.distribution, &c.nik, "ppp-cileunyi", &c.nama)
            .await
            .unwrap();
    }
    assert!(
        eventually(WAIT, || async {
            berkas::Entity::find()
                .filter(berkas::Column::Sop.eq("S18"))
                .all(&bandung.intake)
                .await
                .unwrap()
                .iter()
                .any(|b| b.archived_at.is_some() && b.status == StatusKartu::CardActivated)
        })
        .await,
        "the S18 berkas closed at the destination"
    );
    let nomor = berkas::Entity::find()
        .filter(berkas::Column::Sop.eq("S18"))
        .one(&bandung.intake)
        .await
        .unwrap()
        .unwrap()
        .nomor_berkas;
    let steps: Vec<String> = query::where_is(&bandung.intake, &nomor)
        .await
        .unwrap()
        .unwrap()
        .timeline
        .into_iter()
        .map(|e| e.step)
        .collect();
    for step in ["S18.2", "S18.3", "S18.4", "S18.5", "S18.6"] {
        assert!(steps.iter().any(|s| s == step), "{step}: {steps:?}");
    }

    // The destination's SIAK: every member once, under one new KK of 32.04, at the new
    // address; nobody left arriving.
    let recorded = ktpel_registry::store::penduduk::Entity::find()
        .filter(ktpel_registry::store::penduduk::Column::Nik.is_in(niks.clone()))
        .all(&bandung.registry)
        .await
        .unwrap();
    assert_eq!(recorded.len(), family.len(), "each member once");
    let kk = &recorded[0].no_kk;
    assert!(
        kk.starts_with("320405"),
        "a KK of the kecamatan of arrival: {kk}"
    );
    assert!(
        recorded
            .iter()
            .all(|p| &p.no_kk == kk && p.desa == arrival.desa)
    );
    assert!(
        ktpel_registry::store::pendatang::Entity::find()
            .all(&bandung.registry)
            .await
            .unwrap()
            .is_empty()
    );
    // The destination's card register: one valid card each, signed with its key, carrying the
    // enrollment on record and the new address.
    register_settled(&bandung.card_print).await;
    let key_b = bandung.dinas_key.verifying_key();
    for member in &family {
        let cards = card_register::cards_of(&bandung.card_print, member.nik.as_str())
            .await
            .unwrap();
        assert_eq!(cards.len(), 1);
        assert!(cards[0].activated_at.is_some() && cards[0].revoked_at.is_none());
        assert!(
            cards[0].nomor_kartu.starts_with("3204-"),
            "numbered by the issuing Dinas: {}",
            cards[0].nomor_kartu
        );
        let chip = job::Entity::find_by_id((nomor.clone(), member.nik.to_string()))
            .one(&bandung.card_print)
            .await
            .unwrap()
            .unwrap()
            .chip
            .unwrap();
        card_register::verify(&bandung.card_print, &key_b, &chip)
            .await
            .unwrap();
        let read = ktpel_card_print::chip::Chip::read(&chip, &key_b).unwrap();
        let old =
            ktpel_card_print::chip::Chip::read(&old_chips[member.nik.as_str()], &key_a).unwrap();
        assert_eq!(
            read.data.right_index, old.data.right_index,
            "the fingerprints on record"
        );
        assert_eq!(read.data.photo_sha256, old.data.photo_sha256);
        assert_eq!(read.data.biodata.desa, arrival.desa);
        assert!(
            ktpel_card_print::chip::Chip::read(&chip, &key_a).is_err(),
            "signed by the destination, not the origin"
        );
    }
    // Nothing dead-lettered or unrouted at the destination or the Pusat Data.
    for vhost in [&bandung.vhost, &system.other_vhosts[1]] {
        no_dead_letters_at(vhost).await;
    }
}

/// S09.2 with another person's index fingers pressed at the counter: the printing desk's 1:1
/// verification against the enrollment on record refuses the card. The berkas is
/// dead-lettered at card-print with why (the scores), no card is opened for it, and the
/// resident's card stays the valid one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replacement_pressed_by_someone_else_is_not_made() {
    let people = residents(2, 31);
    let system = System::start(Backend::Sqlite, &people).await;
    system.first_cards(&people).await;
    let old_chips = first_chips(&system).await;
    let (siti, other) = (&people[0], &people[1]);
    system
        .submit_replacement_pressed_by("S09", siti, &other.nik)
        .await;

    let broker = ktpel_bus::Broker::new(system.vhost.url(), "test-check");
    let dlq = ktpel_bus::topology::dead_letter_queue(ktpel_card_print::startup::QUEUE);
    let dead = ktpel_tests::next_message(&broker, &dlq, WAIT)
        .await
        .expect("the berkas dead-lettered at the printing desk");
    let reason = dead
        .delivery
        .properties
        .headers()
        .as_ref()
        .and_then(|h| h.inner().get(ktpel_bus::consumer::REASON_HEADER).cloned())
        .and_then(|v| v.as_long_string().map(|s| s.to_string()))
        .expect("a reason header");
    assert!(
        reason.contains("do not match the enrollment on record")
            && reason.contains(siti.nik.as_str())
            && reason.contains("telunjuk kanan"),
        "{reason}"
    );
    broker.close().await;
    let jobs = job::Entity::find()
        .filter(job::Column::Nik.eq(siti.nik.as_str()))
        .all(&system.card_print)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1, "only the first card's job: {jobs:?}");
    card_register::verify(
        &system.card_print,
        &system.dinas_key.verifying_key(),
        &old_chips[siti.nik.as_str()],
    )
    .await
    .expect("the card on record is still valid");
}

macro_rules! each_procedure {
    ($($name:ident: $sop:literal),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                replacements(Backend::Sqlite, &[$sop], 3).await
            }
        )*
    };
}

each_procedure!(
    s06_wrong_data_at_the_kecamatan: "S06",
    s07_wrong_data_at_the_dinas: "S07",
    s08_wrong_photo_at_the_dinas: "S08",
    s09_damaged_at_the_kecamatan: "S09",
    s10_damaged_at_the_dinas: "S10",
    s11_lost_at_the_kecamatan: "S11",
    s12_lost_at_the_dinas: "S12",
    s13_data_changed_at_the_kecamatan: "S13",
    s14_data_changed_at_the_dinas: "S14",
);

/// Every routed replacement together on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_replacement_on_postgres() {
    replacements(
        Backend::Postgres,
        &[
            "S06", "S07", "S08", "S09", "S10", "S11", "S12", "S13", "S14",
        ],
        2,
    )
    .await
}
