//! SIAK's register keeps the whole biodata: the elements beyond the NIK's (agama, status
//! perkawinan, pekerjaan…) stored and given back as they went in, and a register of an earlier
//! version upgraded without losing a resident.

use ktpel_registry::{seed, store};
use ktpel_tests::{Backend, TestDatabase};
use sea_orm::EntityTrait;

/// A register as an earlier version left it (every migration but the last, which added the
/// other elements), with residents in it, upgraded: every resident is still there, as it was,
/// with no other elements (the card prints `-`); one recorded after the upgrade keeps them.
async fn a_register_of_an_earlier_version_keeps_every_resident_on_upgrade(backend: Backend) {
    use sea_orm::{ConnectionTrait, Statement};
    use sea_orm_migration::MigratorTrait;
    let db_guard = TestDatabase::new(backend).await;
    let db = ktpel_store::connect(&db_guard.settings).await.unwrap();
    let before = store::Migrator::migrations().len() as u32 - 1;
    store::Migrator::up(&db, Some(before)).await.unwrap();

    let people = seed::generate(&"32.73.01".parse().unwrap(), 40, 7).unwrap();
    for p in &people {
        let insert = match db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                "INSERT INTO registry_penduduk (nik, nama, no_kk, jenis_kelamin, tempat_lahir, \
                 tanggal_lahir, alamat, desa, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            }
            _ => {
                "INSERT INTO registry_penduduk (nik, nama, no_kk, jenis_kelamin, tempat_lahir, \
                 tanggal_lahir, alamat, desa, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            }
        };
        let sex = match p.jenis_kelamin {
            ktpel_domain::JenisKelamin::Perempuan => "P",
            ktpel_domain::JenisKelamin::LakiLaki => "L",
        };
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            insert,
            [
                p.nik.to_string().into(),
                p.nama.clone().into(),
                p.no_kk.clone().into(),
                sex.into(),
                p.tempat_lahir.clone().into(),
                p.tanggal_lahir.into(),
                p.alamat.clone().into(),
                p.desa.clone().into(),
                chrono::Utc::now().into(),
            ],
        ))
        .await
        .unwrap();
    }

    store::Migrator::up(&db, None).await.unwrap();
    let rows = store::penduduk::Entity::find().all(&db).await.unwrap();
    assert_eq!(rows.len(), people.len(), "no resident lost");
    for p in &people {
        let row = rows.iter().find(|r| r.nik == p.nik.as_str()).expect("kept");
        let kept = row.biodata().unwrap();
        assert_eq!(
            kept,
            ktpel_contract::registry::Biodata {
                rincian: None,
                ..p.clone()
            },
            "kept as it was"
        );
    }

    // Recorded again now: the other elements are kept, and given back as they went in.
    seed::upsert(&db, &people[0]).await.unwrap();
    let row = store::penduduk::Entity::find_by_id(people[0].nik.to_string())
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert!(people[0].rincian.is_some());
    assert_eq!(row.biodata().unwrap(), people[0]);
}

/// A stored element that is none of its list's (a row changed by hand) is an error naming
/// it, not a resident given out with a guess.
async fn an_element_changed_by_hand_is_refused_with_its_name(backend: Backend) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
    let db_guard = TestDatabase::new(backend).await;
    let db = db_guard.open::<store::Migrator>().await;
    let people = seed::generate(&"32.73.01".parse().unwrap(), 1, 9).unwrap();
    seed::store(&db, &people).await.unwrap();
    let row = store::penduduk::Entity::find_by_id(people[0].nik.to_string())
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let mut changed = row.into_active_model();
    changed.status_perkawinan = Set(Some("menikah".into()));
    let row = changed.update(&db).await.unwrap();
    let err = row.biodata().unwrap_err().to_string();
    assert!(
        err.contains("status_perkawinan `menikah`") && err.contains("belum_kawin"),
        "{err}"
    );
}

ktpel_tests::on_both_databases!(
    a_register_of_an_earlier_version_keeps_every_resident_on_upgrade,
    an_element_changed_by_hand_is_refused_with_its_name,
);
