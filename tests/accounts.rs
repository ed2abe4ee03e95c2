//! The desks' account store on both databases: accounts made, refused when malformed, signed
//! in to, locked after repeated wrong passwords, disabled; and the audit trail of a berkas.

use chrono::{Duration, Utc};
use ktpel_tests::{Backend, TestDatabase};
use ktpel_web::{
    Role,
    accounts::{self, AccountError, Deed, LOCK_AFTER, LOCKED_FOR, SignInError},
    store::Migrator,
};

const PASSWORD: &str = "kata-sandi-panjang";

async fn each_backend(test: impl AsyncFn(sea_orm::DatabaseConnection)) {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let guard = TestDatabase::new(backend).await;
        test(guard.open::<Migrator>().await).await;
    }
}

#[tokio::test]
async fn an_account_is_made_and_signed_in_to_and_a_malformed_one_refused() {
    each_backend(async |db| {
        let a = accounts::add(&db, "ani", PASSWORD, Role::Ppp, Some("32.73.01"))
            .await
            .unwrap();
        assert_eq!(
            a.kecamatan.map(|k| k.to_string()).as_deref(),
            Some("32.73.01")
        );
        let signed = accounts::sign_in(&db, "ani", PASSWORD, Utc::now())
            .await
            .unwrap();
        assert_eq!(signed.role, Role::Ppp);
        assert!(signed.covers("32.73.01") && !signed.covers("32.73.02"));

        assert!(matches!(
            accounts::add(&db, "ani; drop", PASSWORD, Role::Ppp, None).await,
            Err(AccountError::BadUsername(_))
        ));
        assert!(matches!(
            accounts::add(&db, "budi", "pendek", Role::Ppp, None).await,
            Err(AccountError::ShortPassword)
        ));
        assert!(matches!(
            accounts::add(&db, "budi", PASSWORD, Role::Ppp, Some("32.73")).await,
            Err(AccountError::NotAKecamatan(_))
        ));
        // Nothing of the refused ones was stored.
        let names: Vec<_> = accounts::list(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.username)
            .collect();
        assert_eq!(names, ["ani"]);
        // The hash is Argon2id, never the password.
        let stored = ktpel_web::store::akun::Entity::find_by_id("ani".to_owned())
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert!(stored.password_hash.starts_with("$argon2id$"));
        assert!(!stored.password_hash.contains(PASSWORD));
    })
    .await;
}

use sea_orm::EntityTrait;

#[tokio::test]
async fn wrong_passwords_lock_the_account_for_a_while_and_the_right_one_then_waits_too() {
    each_backend(async |db| {
        accounts::add(&db, "ani", PASSWORD, Role::Ppp, None)
            .await
            .unwrap();
        let now = Utc::now();
        assert!(matches!(
            accounts::sign_in(&db, "nobody", PASSWORD, now).await,
            Err(SignInError::Refused)
        ));
        for attempt in 1..LOCK_AFTER {
            assert!(
                matches!(
                    accounts::sign_in(&db, "ani", "salah-salah-salah", now).await,
                    Err(SignInError::Refused)
                ),
                "attempt {attempt}"
            );
        }
        assert!(matches!(
            accounts::sign_in(&db, "ani", "salah-salah-salah", now).await,
            Err(SignInError::Locked { .. })
        ));
        // Locked: the right password is refused too, until the lock ends.
        assert!(matches!(
            accounts::sign_in(&db, "ani", PASSWORD, now + Duration::minutes(1)).await,
            Err(SignInError::Locked { .. })
        ));
        let later = now + LOCKED_FOR + Duration::seconds(1);
        accounts::sign_in(&db, "ani", PASSWORD, later)
            .await
            .unwrap();
        // A right password clears the count: four more wrong ones do not lock.
        for _ in 1..LOCK_AFTER {
            let _ = accounts::sign_in(&db, "ani", "salah-salah-salah", later).await;
        }
        accounts::sign_in(&db, "ani", PASSWORD, later)
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_until_it_is_added_again() {
    each_backend(async |db| {
        accounts::add(&db, "ani", PASSWORD, Role::Ppp, None)
            .await
            .unwrap();
        accounts::disable(&db, "ani").await.unwrap();
        assert!(matches!(
            accounts::sign_in(&db, "ani", PASSWORD, Utc::now()).await,
            Err(SignInError::Disabled)
        ));
        assert!(matches!(
            accounts::disable(&db, "nobody").await,
            Err(AccountError::NoSuchAccount(_))
        ));
        accounts::add(&db, "ani", "kata-sandi-baru-1", Role::Siak, None)
            .await
            .unwrap();
        let a = accounts::sign_in(&db, "ani", "kata-sandi-baru-1", Utc::now())
            .await
            .unwrap();
        assert_eq!(a.role, Role::Siak);
        assert!(matches!(
            accounts::sign_in(&db, "ani", PASSWORD, Utc::now()).await,
            Err(SignInError::Refused)
        ));
    })
    .await;
}

#[tokio::test]
async fn the_trail_of_a_berkas_lists_who_did_what_in_order() {
    each_backend(async |db| {
        for (who, what) in [("ani", "ajukan_berkas"), ("oki", "rekam")] {
            accounts::record(
                &db,
                Deed {
                    username: who,
                    action: what,
                    nomor_berkas: Some("327301-20261206-0001"),
                    detail: String::new(),
                },
            )
            .await
            .unwrap();
        }
        accounts::record(
            &db,
            Deed {
                username: "ani",
                action: "masuk",
                nomor_berkas: None,
                detail: String::new(),
            },
        )
        .await
        .unwrap();
        let trail = accounts::trail_of(&db, "327301-20261206-0001")
            .await
            .unwrap();
        let done: Vec<_> = trail
            .iter()
            .map(|t| (t.username.as_str(), t.action.as_str()))
            .collect();
        assert_eq!(done, [("ani", "ajukan_berkas"), ("oki", "rekam")]);
    })
    .await;
}
