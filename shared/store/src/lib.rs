//! Storage for every KTP-el service, on sea-orm.
//!
//! A service owns its tables (DESIGN.md, "Persistence"): it gets its own database — an embedded
//! SQLite file under `data/` by default, PostgreSQL in production — and runs its own migrations.
//! This crate gives it three things:
//!
//! - [`connect`]: open the database named in [`DatabaseSettings`], creating a SQLite file and its
//!   folder if needed, with settings that make SQLite behave under concurrent writers;
//! - the tables every service needs for messaging — the **inbox** (processed message ids, so a
//!   redelivery never doubles an effect) and the **outbox** (messages that commit together with
//!   the state change that caused them) — as entities in [`entities`] and a migration in
//!   [`migrations`];
//! - [`migrate`]: run a service's migrator, which starts with the messaging tables ([`migrations::bus_then`]).
//!
//! The same migrations and the same queries run on SQLite and PostgreSQL; the tests run on both.

pub mod entities;
pub mod migrations;
pub mod series;

pub use ktpel_settings::DatabaseSettings;
pub use sea_orm::{DatabaseConnection, DbErr};

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// Why a database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the folder {path} for the SQLite database: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database {url}: {source}")]
    Connect { url: String, source: DbErr },
    #[error("migrating the database failed: {0}")]
    Migrate(DbErr),
    /// What a service reads at start (the Pusat Data's gallery) could not be read.
    #[error("reading the database at start failed: {0}")]
    Read(DbErr),
}

/// Opens the database of `settings`, creating a SQLite file (and its folder) if it is missing.
pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, StoreError> {
    let url = sqlite_create_mode(settings.url.expose());
    if let Some(dir) = sqlite_path(&url).and_then(|p| std::path::Path::new(p).parent())
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(settings.max_connections)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // SQLite: WAL lets readers run beside the one writer, and a busy timeout makes a
        // second writer wait for the lock instead of failing at once with SQLITE_BUSY.
        .map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
        });
    Database::connect(options)
        .await
        .map_err(|source| StoreError::Connect {
            url: settings.url.redacted(),
            source,
        })
}

/// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`), so that two writers queue on the busy timeout instead of the second
/// failing with "database is locked" when it upgrades from reading to writing; PostgreSQL
/// ignores the mode.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// For the rest of the transaction `txn`, has PostgreSQL read a queue of waiting rows (the
/// outbox, the NID Scheduler's records) in the order of its partial index rather than sorting
/// them. The next batch of such a queue is "the waiting rows after the batch in flight, in `id`
/// order, up to N". On a queue filled faster than it was analysed, the planner takes that range
/// for a few hundred rows and reads every waiting row to sort them: measured 70–110 ms a claim
/// of the relay with 30,000 rows waiting (the sort on disk), where the index gives them in
/// order in well under a millisecond. Without the range, the walk along the index crosses the
/// entries of every row sent since the last vacuum. Nothing on SQLite.
pub async fn follow_the_index<C: ConnectionTrait>(txn: &C) -> Result<(), DbErr> {
    set_local(txn, "enable_sort = off").await
}

/// For the rest of the transaction `txn`, has PostgreSQL plan each statement for the table as
/// it is now rather than reuse the plan it made for the statement earlier. After five runs of
/// a prepared statement PostgreSQL may keep one generic plan for it; made while a new table
/// held a few rows, that plan reads the whole table, and it is only made again once the table
/// is analysed (autovacuum, a minute or more later). Measured on the Pusat Data's fingerprint
/// check (a lookup by the primary key): 2.2–2.9 ms a check after a few thousand enrollments,
/// 0.1 ms planned afresh. Nothing on SQLite.
pub async fn plan_for_the_rows_there_are<C: ConnectionTrait>(txn: &C) -> Result<(), DbErr> {
    set_local(txn, "plan_cache_mode = force_custom_plan").await
}

/// A PostgreSQL planner setting for the rest of the transaction `txn`; nothing on SQLite.
async fn set_local<C: ConnectionTrait>(txn: &C, setting: &str) -> Result<(), DbErr> {
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("SET LOCAL {setting}"))
            .await?;
    }
    Ok(())
}

/// Runs every pending migration of `M` (a service's migrator).
pub async fn migrate<M: MigratorTrait>(db: &DatabaseConnection) -> Result<(), StoreError> {
    M::up(db, None).await.map_err(StoreError::Migrate)
}

/// Opens and migrates in one step, the way every service starts.
pub async fn open<M: MigratorTrait>(
    settings: &DatabaseSettings,
) -> Result<DatabaseConnection, StoreError> {
    let db = connect(settings).await?;
    migrate::<M>(&db).await?;
    Ok(db)
}

/// `sqlite://file.db` opens read-write but does not create the file; `mode=rwc` does.
fn sqlite_create_mode(url: &str) -> String {
    let is_file = url.starts_with("sqlite:") && !url.contains(":memory:") && !url.contains("mode=");
    match (is_file, url.contains('?')) {
        (true, true) => format!("{url}&mode=rwc"),
        (true, false) => format!("{url}?mode=rwc"),
        (false, _) => url.to_owned(),
    }
}

/// The file path of a SQLite URL, if it names a file.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// `url` with its password replaced by `***` (see [`ktpel_settings::Secret`]).
pub use ktpel_settings::secret::redact;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        assert_eq!(
            sqlite_create_mode("sqlite://data/a.db"),
            "sqlite://data/a.db?mode=rwc"
        );
        assert_eq!(sqlite_create_mode("sqlite::memory:"), "sqlite::memory:");
        assert_eq!(sqlite_create_mode("postgres://x/y"), "postgres://x/y");
        assert_eq!(
            sqlite_path("sqlite://data/a.db?mode=rwc"),
            Some("data/a.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://ktpel:secret@db:5432/x"),
            "postgres://ktpel:***@db:5432/x"
        );
        assert_eq!(redact("sqlite://data/a.db"), "sqlite://data/a.db");
    }
}
