//! The store on both databases: the same tests, once on SQLite and once on PostgreSQL.

use ktpel_bus::{Message, Outgoing, RoutingKey, inbox, outbox};
use ktpel_tests::{Backend, TestDatabase, effects};
use sea_orm::{DatabaseConnection, TransactionTrait};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Note {
    text: String,
}

impl Message for Note {
    const KIND: &'static str = "test.note";
    const VERSION: u16 = 1;
}

fn note(aggregate: &str, text: &str) -> Outgoing {
    Outgoing::new(
        &Note { text: text.into() },
        RoutingKey::regional("test.note", "32.73").unwrap(),
        aggregate,
        aggregate,
    )
    .unwrap()
}

async fn open(backend: Backend) -> (TestDatabase, DatabaseConnection) {
    let guard = TestDatabase::new(backend).await;
    let db = guard.open::<effects::Migrator>().await;
    (guard, db)
}

ktpel_tests::on_both_databases!(
    a_card_handed_over_before_the_upgrade_keeps_its_row,
    migrations_are_idempotent,
    the_inbox_recognises_a_message_it_has_seen,
    the_inbox_is_per_consumer,
    an_inbox_row_rolls_back_with_its_transaction,
    the_outbox_keeps_commit_order_and_counts_pending,
    a_rolled_back_outbox_row_is_never_published,
    a_duplicate_message_id_in_the_outbox_is_refused,
    many_messages_enqueued_at_once_keep_their_order,
    a_bad_message_among_many_enqueued_at_once_stores_none,
    a_series_goes_on_from_the_numbers_issued_before_it,
    a_rolled_back_number_is_handed_out_again,
    published_rows_are_pruned_once_old_and_waiting_ones_never,
    a_stored_column_is_read_back_only_as_one_of_its_values,
    the_pusat_datas_gallery_survives_a_restart,
);

/// The Pusat Data's gallery is built from its database at start: a resident filed before a
/// restart is found after it, pressed again under another NIK. A resident the running gallery
/// holds but the database does not (a filing that rolled back) decides nothing.
async fn the_pusat_datas_gallery_survives_a_restart(backend: Backend) {
    use ktpel_biometric::station::{Person, fingerprints};
    use ktpel_domain::Nik;
    use ktpel_pusat_data::{
        dedup::{self, Verdict},
        gallery::{Galeri, probe},
        store::Migrator,
    };
    let guard = TestDatabase::new(backend).await;
    let db = guard.open::<Migrator>().await;
    let nik = |n: &str| Nik::parse(n).unwrap();
    let (ani, budi, citra) = (
        nik("3273014107900001"),
        nik("3273011508850002"),
        nik("3273016002700003"),
    );
    let galeri = Galeri::load(&db, Default::default()).await.unwrap();
    assert!(galeri.is_empty());
    let check = |galeri: Galeri, nik: Nik, person: &'static str, sitting: &'static str| {
        let db = db.clone();
        async move {
            let fingers = fingerprints(&Person(person.into()), sitting);
            let txn = db.begin().await.unwrap();
            let verdict = dedup::check(&txn, &galeri, &nik, &fingers, 2)
                .await
                .unwrap();
            if verdict == Verdict::Unique {
                dedup::file(&txn, &nik, &fingers).await.unwrap();
                galeri.insert(&nik.to_string(), &probe(&fingers).unwrap().unwrap());
            }
            txn.commit().await.unwrap();
            verdict
        }
    };
    assert_eq!(
        check(galeri.clone(), ani.clone(), "ani", "B-1").await,
        Verdict::Unique
    );

    // Restarted: built again from the database.
    let galeri = Galeri::load(&db, Default::default()).await.unwrap();
    assert_eq!(galeri.len(), 1);
    match check(galeri.clone(), budi.clone(), "ani", "B-2").await {
        Verdict::DuplicateOf { other, why } => {
            assert_eq!(other, ani.to_string());
            assert!(
                why.contains("right_index") && why.contains("left_index"),
                "{why}"
            );
        }
        other => panic!("ani pressed again is not found: {other:?}"),
    }

    // Citra held in memory only: her body under another NIK is nobody on record.
    let phantom = fingerprints(&Person("citra".into()), "B-3");
    galeri.insert(&citra.to_string(), &probe(&phantom).unwrap().unwrap());
    assert_eq!(
        check(galeri, nik("3273014107900009"), "citra", "B-4").await,
        Verdict::Unique
    );
}

async fn migrations_are_idempotent(backend: Backend) {
    let (guard, db) = open(backend).await;
    ktpel_store::migrate::<effects::Migrator>(&db)
        .await
        .expect("second run is a no-op");
    let again = guard.open::<effects::Migrator>().await;
    assert_eq!(outbox::pending(&again).await.unwrap(), 0);
}

async fn the_inbox_recognises_a_message_it_has_seen(backend: Backend) {
    let (_g, db) = open(backend).await;
    let id = uuid::Uuid::now_v7();
    assert!(
        inbox::record(&db, "q", id, "t.v1").await.unwrap(),
        "first time"
    );
    assert!(
        !inbox::record(&db, "q", id, "t.v1").await.unwrap(),
        "second time"
    );
    assert_eq!(inbox::count(&db, "q").await.unwrap(), 1);
}

async fn the_inbox_is_per_consumer(backend: Backend) {
    let (_g, db) = open(backend).await;
    let id = uuid::Uuid::now_v7();
    assert!(inbox::record(&db, "intake", id, "t.v1").await.unwrap());
    assert!(inbox::record(&db, "biometric", id, "t.v1").await.unwrap());
}

async fn an_inbox_row_rolls_back_with_its_transaction(backend: Backend) {
    let (_g, db) = open(backend).await;
    let id = uuid::Uuid::now_v7();
    let txn = db.begin().await.unwrap();
    assert!(inbox::record(&txn, "q", id, "t.v1").await.unwrap());
    effects::record(&txn, &id.to_string(), "a", 0)
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(inbox::count(&db, "q").await.unwrap(), 0);
    assert!(effects::all(&db).await.is_empty());
    assert!(
        inbox::record(&db, "q", id, "t.v1").await.unwrap(),
        "a retry may apply it"
    );
}

async fn the_outbox_keeps_commit_order_and_counts_pending(backend: Backend) {
    let (_g, db) = open(backend).await;
    for i in 0..5 {
        let txn = db.begin().await.unwrap();
        outbox::enqueue(&txn, &note("berkas-1", &format!("n{i}")))
            .await
            .unwrap();
        txn.commit().await.unwrap();
    }
    assert_eq!(outbox::pending(&db).await.unwrap(), 5);
    use ktpel_store::entities::outbox as table;
    use sea_orm::{EntityTrait, QueryOrder};
    let rows = table::Entity::find()
        .order_by_asc(table::Column::Id)
        .all(&db)
        .await
        .unwrap();
    let texts: Vec<String> = rows
        .iter()
        .map(|r| serde_json::from_slice::<Note>(&r.body).unwrap().text)
        .collect();
    assert_eq!(texts, ["n0", "n1", "n2", "n3", "n4"]);
    assert!(
        rows.iter()
            .all(|r| r.message_type == "test.note.v1" && r.routing_key == "test.note.32.73")
    );
}

// The outbox would otherwise keep every message a service ever sent. Pruning deletes rows
// published before the cut-off, over several statements (2,099 rows, a thousand to one), and
// keeps a row still waiting even when it is the oldest of all (at the front, where each
// statement looks), the rows published since the cut-off and the rows not published yet.
async fn published_rows_are_pruned_once_old_and_waiting_ones_never(backend: Backend) {
    use chrono::{Duration, Utc};
    use ktpel_bus::Shutdown;
    use ktpel_store::entities::outbox as table;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let (_g, db) = open(backend).await;
    let notes: Vec<Outgoing> = (0..2500)
        .map(|i| note("berkas-p", &format!("n{i}")))
        .collect();
    let txn = db.begin().await.unwrap();
    outbox::enqueue_all(&txn, &notes).await.unwrap();
    txn.commit().await.unwrap();
    let ids = outbox_ids(&db).await;
    let publish = |range: std::ops::Range<usize>, at: chrono::DateTime<Utc>| {
        let db = db.clone();
        let (first, last) = (ids[range.start], ids[range.end - 1]);
        async move {
            table::Entity::update_many()
                .col_expr(table::Column::PublishedAt, Expr::value(at))
                .filter(table::Column::Id.between(first, last))
                .exec(&db)
                .await
                .unwrap();
        }
    };
    // The first row still waits; 2,099 were published three days ago, 200 an hour ago; the
    // last 200 wait.
    publish(1..2100, Utc::now() - Duration::days(3)).await;
    publish(2100..2300, Utc::now() - Duration::hours(1)).await;

    let stopping = Shutdown::new();
    stopping.cancel();
    assert_eq!(
        outbox::prune(&db, Utc::now() - Duration::days(1), &stopping)
            .await
            .unwrap(),
        0,
        "a service shutting down stops before the next statement"
    );
    let deleted = outbox::prune(&db, Utc::now() - Duration::days(1), &Shutdown::new())
        .await
        .unwrap();
    assert_eq!(deleted, 2099);
    let left = outbox_ids(&db).await;
    let kept: Vec<i64> = std::iter::once(ids[0])
        .chain(ids[2100..].iter().copied())
        .collect();
    assert_eq!(left, kept, "the waiting and the recent rows stay, in order");
    assert_eq!(outbox::pending(&db).await.unwrap(), 201);
    assert_eq!(
        outbox::prune(&db, Utc::now() - Duration::days(1), &Shutdown::new())
            .await
            .unwrap(),
        0,
        "nothing more to prune"
    );
}

/// The ids of the outbox's rows, in order.
async fn outbox_ids(db: &DatabaseConnection) -> Vec<i64> {
    use ktpel_store::entities::outbox as table;
    use sea_orm::{EntityTrait, QueryOrder};
    table::Entity::find()
        .order_by_asc(table::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

async fn a_rolled_back_outbox_row_is_never_published(backend: Backend) {
    let (_g, db) = open(backend).await;
    let txn = db.begin().await.unwrap();
    outbox::enqueue(&txn, &note("berkas-2", "never"))
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(outbox::pending(&db).await.unwrap(), 0);
}

async fn a_duplicate_message_id_in_the_outbox_is_refused(backend: Backend) {
    let (_g, db) = open(backend).await;
    let m = note("berkas-3", "once");
    outbox::enqueue(&db, &m).await.unwrap();
    let err = outbox::enqueue(&db, &m).await.unwrap_err();
    assert!(err.to_string().contains("outbox insert"), "{err}");
    assert_eq!(outbox::pending(&db).await.unwrap(), 1);
}

/// The texts of the outbox's rows, in the order the relay publishes them.
async fn outbox_texts(db: &DatabaseConnection) -> Vec<String> {
    use ktpel_store::entities::outbox as table;
    use sea_orm::{EntityTrait, QueryOrder};
    table::Entity::find()
        .order_by_asc(table::Column::Id)
        .all(db)
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice::<Note>(&r.body).unwrap().text)
        .collect()
}

// A writer with many messages in one commit (the register announcing residents)
// writes them with one statement per thousand; they keep the order given, across statements.
async fn many_messages_enqueued_at_once_keep_their_order(backend: Backend) {
    let (_g, db) = open(backend).await;
    let texts: Vec<String> = (0..2_500).map(|i| format!("n{i}")).collect();
    let messages: Vec<Outgoing> = texts.iter().map(|t| note("berkas-m", t)).collect();
    let txn = db.begin().await.unwrap();
    outbox::enqueue(&txn, &note("berkas-m", "before"))
        .await
        .unwrap();
    outbox::enqueue_all(&txn, &messages).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(outbox::pending(&db).await.unwrap(), 2_501);
    let written = outbox_texts(&db).await;
    assert_eq!(written[0], "before");
    assert_eq!(written[1..], texts[..]);
}

// One message refused among many written at once (its id is already in the outbox,
// in the second statement of thousand) refuses the call; the caller's transaction then stores
// none of them.
async fn a_bad_message_among_many_enqueued_at_once_stores_none(backend: Backend) {
    let (_g, db) = open(backend).await;
    let mut messages: Vec<Outgoing> = (0..1_500)
        .map(|i| note("berkas-d", &format!("n{i}")))
        .collect();
    messages[1_200].message_id = messages[3].message_id;
    let txn = db.begin().await.unwrap();
    let err = outbox::enqueue_all(&txn, &messages).await.unwrap_err();
    assert!(err.to_string().contains("outbox insert"), "{err}");
    txn.rollback().await.unwrap();
    assert_eq!(outbox::pending(&db).await.unwrap(), 0);
    assert!(outbox_texts(&db).await.is_empty());
}

// A series started on a day that already has numbers (issued before the series had
// a row) goes on after them; the count of those is asked for once, for the first number.
async fn a_series_goes_on_from_the_numbers_issued_before_it(backend: Backend) {
    use ktpel_store::series;
    let (_guard, db) = open(backend).await;
    let counted = std::sync::atomic::AtomicU32::new(0);
    let issued_before = || async {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(5)
    };
    let txn = db.begin().await.unwrap();
    let first = series::next(&txn, "327301-20261205-", issued_before()).await;
    let second = series::next(&txn, "327301-20261205-", issued_before()).await;
    let other = series::next(&txn, "327302-20261205-", async { Ok(0) }).await;
    txn.commit().await.unwrap();
    assert_eq!((first.unwrap(), second.unwrap(), other.unwrap()), (6, 7, 1));
    assert_eq!(counted.load(std::sync::atomic::Ordering::SeqCst), 1);
}

// A transaction that rolls back gives its number back: the numbers on paper have no gaps.
async fn a_rolled_back_number_is_handed_out_again(backend: Backend) {
    use ktpel_store::series;
    let (_guard, db) = open(backend).await;
    let take = || async {
        let txn = db.begin().await.unwrap();
        let n = series::next(&txn, "3273-20261205-", async { Ok(0) })
            .await
            .unwrap();
        (txn, n)
    };
    let (txn, n) = take().await;
    txn.commit().await.unwrap();
    let (txn, rolled_back) = take().await;
    txn.rollback().await.unwrap();
    let (txn, again) = take().await;
    txn.commit().await.unwrap();
    assert_eq!((n, rolled_back, again), (1, 2, 2));
}

// The relay's next batch is read along the outbox's partial index, in order, even on
// an outbox filled faster than PostgreSQL analysed it. Given "after the batch in flight" as a
// range, the planner took it for a few hundred rows, read every waiting row and sorted them
// all under the claim's lock (70–110 ms a claim with 30,000 rows waiting, the sort on disk).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relays_next_batch_follows_the_index_of_a_fresh_outbox() {
    use sea_orm::{ConnectionTrait, QuerySelect, QueryTrait, Statement, sea_query::LockBehavior};
    let (_g, db) = open(Backend::Postgres).await;
    // 20,000 messages of about a kilobyte, the first 5,000 published.
    let padding = "x".repeat(1_000);
    let messages: Vec<Outgoing> = (0..20_000)
        .map(|i| note(&format!("berkas-{}", i % 8), &format!("{i}{padding}")))
        .collect();
    let txn = db.begin().await.unwrap();
    outbox::enqueue_all(&txn, &messages).await.unwrap();
    txn.commit().await.unwrap();
    db.execute_unprepared("UPDATE bus_outbox SET published_at = now() WHERE id <= 5000")
        .await
        .unwrap();

    let txn = db.begin().await.unwrap();
    ktpel_store::follow_the_index(&txn).await.unwrap();
    let claim = outbox::next_batch(Some(5_500), 500)
        .lock_with_behavior(
            sea_orm::sea_query::LockType::Update,
            LockBehavior::SkipLocked,
        )
        .build(sea_orm::DatabaseBackend::Postgres);
    let explain = Statement {
        sql: format!("EXPLAIN {}", claim.sql),
        ..claim
    };
    let plan: Vec<String> = txn
        .query_all_raw(explain)
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect();
    txn.commit().await.unwrap();
    let plan = plan.join("\n");
    assert!(
        plan.contains("Index Scan using bus_outbox_waiting") && !plan.contains("Sort"),
        "the claim sorts instead of following the index:\n{plan}"
    );
    // And the batch it reads is the next 500 in order.
    let txn = db.begin().await.unwrap();
    ktpel_store::follow_the_index(&txn).await.unwrap();
    let ids: Vec<i64> = outbox::next_batch(Some(5_500), 500)
        .all(&txn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, (5_501..=6_000).collect::<Vec<i64>>());
}

// The Pusat Data's fingerprint check stays a lookup along the primary key as the table grows.
// PostgreSQL may keep a generic plan for a prepared statement after five runs; made while the
// table was empty, that plan reads the whole table on every check ever after (2.2–2.9 ms a
// check after a few thousand enrollments, against 0.1 ms).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fingerprint_check_is_planned_for_the_rows_there_are() {
    use ktpel_biometric::station;
    use ktpel_pusat_data::{dedup, store::Migrator};
    use sea_orm::{ConnectionTrait, Statement};
    let mut guard = TestDatabase::new(Backend::Postgres).await;
    // One connection: the prepared statements counted below are the checks'.
    guard.settings.max_connections = 1;
    let db = guard.open::<Migrator>().await;
    let galeri = ktpel_pusat_data::gallery::Galeri::load(&db, Default::default())
        .await
        .unwrap();
    let people = ktpel_registry::seed::generate(
        &ktpel_domain::KodeWilayah::parse("32.73.01").unwrap(),
        2,
        11,
    )
    .unwrap();
    let fingers = |i: usize| {
        station::capture(
            "b",
            &people[i].nik,
            &station::Person::of(&people[i].nik),
            "op",
            true,
        )
        .fingerprints
    };
    let check = |i: usize| {
        let (db, fingers, galeri) = (db.clone(), fingers(i), galeri.clone());
        let nik = people[i].nik.clone();
        async move {
            let txn = db.begin().await.unwrap();
            let verdict = dedup::check(&txn, &galeri, &nik, &fingers, 2)
                .await
                .unwrap();
            txn.commit().await.unwrap();
            verdict
        }
    };
    for _ in 0..8 {
        assert_eq!(check(0).await, dedup::Verdict::Unique);
    }
    // Twenty thousand fingerprints on file, then the second resident's.
    db.execute_unprepared(
        "INSERT INTO pusat_data_sidik_jari (template_sha256, finger, nik) \
         SELECT md5(i::text) || md5((-i)::text), 'RightThumb', lpad(i::text, 16, '0') \
         FROM generate_series(1, 20000) AS i",
    )
    .await
    .unwrap();
    dedup::file(&db, &people[1].nik, &fingers(1)).await.unwrap();
    for _ in 0..8 {
        assert_eq!(check(0).await, dedup::Verdict::Unique);
    }
    // The same fingers under another NIK are the second resident's.
    let txn = db.begin().await.unwrap();
    let verdict = dedup::check(&txn, &galeri, &people[0].nik, &fingers(1), 2)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert!(
        matches!(&verdict, dedup::Verdict::DuplicateOf { other, .. } if *other == people[1].nik.to_string()),
        "{verdict:?}"
    );
    let plans = db
        .query_one_raw(Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements \
             WHERE statement LIKE 'SELECT%pusat_data_sidik_jari%\"template_sha256\" IN%' \
             AND statement NOT LIKE '%pg_prepared_statements%'",
        ))
        .await
        .unwrap()
        .expect("the check is a prepared statement of the connection");
    let generic: i64 = plans.try_get_by_index(0).unwrap();
    let custom: i64 = plans.try_get_by_index(1).unwrap();
    assert_eq!(
        (generic, custom),
        (0, 17),
        "every check planned for the table as it was"
    );
}

/// The typed columns (the card status, the SOP id) are stored as their words and read back
/// only as one of them: a row holding another word is an error, not a guess.
async fn a_stored_column_is_read_back_only_as_one_of_its_values(backend: Backend) {
    use ktpel_domain::{SopId, StatusKartu};
    use ktpel_intake::store::{Migrator, berkas};
    use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
    let guard = TestDatabase::new(backend).await;
    let db = guard.open::<Migrator>().await;
    for nomor in ["1", "2", "3"] {
        berkas::Entity::insert(berkas::ActiveModel {
            nomor_berkas: Set(nomor.to_owned()),
            submission_id: Set(uuid::Uuid::now_v7()),
            sop: Set(SopId::new(5).unwrap()),
            nik: Set(String::new()),
            nama: Set("x".into()),
            kecamatan: Set("32.73.01".into()),
            at_hop: Set("arsip".into()),
            status: Set(StatusKartu::Prr),
            bukti_perekaman: Set(None),
            archived_at: Set(None),
            created_at: Set(chrono::Utc::now()),
        })
        .exec_without_returning(&db)
        .await
        .unwrap();
    }
    // Rows another program (or an old version) wrote.
    for sql in [
        "UPDATE intake_berkas SET sop = 'S99' WHERE nomor_berkas = '2'",
        "UPDATE intake_berkas SET status = 'TERBANG' WHERE nomor_berkas = '3'",
    ] {
        db.execute_unprepared(sql).await.unwrap();
    }
    let good = berkas::Entity::find_by_id("1".to_owned())
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (good.sop, good.status),
        (SopId::new(5).unwrap(), StatusKartu::Prr)
    );
    for nomor in ["2", "3"] {
        let read = berkas::Entity::find_by_id(nomor.to_owned()).one(&db).await;
        assert!(read.is_err(), "row {nomor} read as {read:?}");
    }
}

// distribution's cards gain who handed them over (for the tanda terima): a card handed over
// before the upgrade keeps every column, and has no such name.
async fn a_card_handed_over_before_the_upgrade_keeps_its_row(backend: Backend) {
    use ktpel_distribution::store::{Migrator, kartu};
    use sea_orm::{ConnectionTrait, EntityTrait, Statement};
    use sea_orm_migration::MigratorTrait;
    let guard = TestDatabase::new(backend).await;
    let db = ktpel_store::connect(&guard.settings).await.unwrap();
    let before = Migrator::migrations().len() as u32 - 1;
    Migrator::up(&db, Some(before)).await.unwrap();
    let sql = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            "INSERT INTO distribution_kartu (nomor_berkas, nik, nama, desa, kecamatan, \
             tanda_terima_by, handed_over_at, received_at, at_dinas_desk) \
             VALUES ($1, $2, 'Warga', '32.73.01.1001', '32.73.01', 'Warga', $3, $3, false)"
        }
        _ => {
            "INSERT INTO distribution_kartu (nomor_berkas, nik, nama, desa, kecamatan, \
             tanda_terima_by, handed_over_at, received_at, at_dinas_desk) \
             VALUES (?, ?, 'Warga', '32.73.01.1001', '32.73.01', 'Warga', ?, ?, false)"
        }
    };
    let now = chrono::Utc::now();
    let mut values: Vec<sea_orm::Value> = vec![
        "327301-20261207-0001".into(),
        "3273010101900001".into(),
        now.into(),
    ];
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        values.push(now.into());
    }
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await
    .unwrap();
    Migrator::up(&db, None).await.unwrap();
    let cards = kartu::Entity::find().all(&db).await.unwrap();
    assert_eq!(cards.len(), 1, "no card lost");
    assert_eq!(cards[0].tanda_terima_by.as_deref(), Some("Warga"));
    assert_eq!(cards[0].handed_over_by, None);
    let paper = ktpel_distribution::berita_acara::tanda_terima(&cards[0])
        .expect("a card handed over has its tanda terima");
    assert_eq!(paper.petugas, "", "who handed it over was not kept then");
}
