//! What the seven services asked of PostgreSQL in a run of S01, per resident: statements, from
//! `pg_stat_statements`, and transactions, from `pg_stat_database` — the work the procedure
//! costs the database, beside the time it takes.
//!
//! `pg_stat_statements` must be loaded when the server starts (`shared_preload_libraries`):
//! `scripts/services.sh stats-postgres` starts a PostgreSQL server of its own on port 5435 that
//! loads it; point the bench at it with
//! `KTPEL_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5435/postgres`. On a server without
//! it, the bench says so and counts nothing.

use ktpel_tests::system::System;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbErr, Statement};
use std::{
    collections::BTreeMap,
    sync::atomic::{AtomicI64, Ordering},
    time::Duration,
};

/// The mark of the bench's own statements (its look at how many cards are activated), left
/// out of the count: a comment, which `pg_stat_statements` keeps in the statement's text. It
/// groups statements by their shape, comments aside: a service's statement of the very same
/// shape would be left out with the bench's (none of the services counts berkas this way).
pub const BENCH_MARK: &str = "/* the bench's own */";

/// The bench's own statements so far: each is one transaction too, taken off intake's.
static BENCH_ASKED: AtomicI64 = AtomicI64::new(0);

/// The bench is about to run one statement of its own (marked [`BENCH_MARK`]).
pub fn bench_asks() {
    BENCH_ASKED.fetch_add(1, Ordering::Relaxed);
}

/// A backend reports what its transactions did when it has been idle this long at most
/// (PostgreSQL 15's `PGSTAT_IDLE_INTERVAL`, 10 s); waiting it out before each reading puts
/// every transaction of the run on the right side of it.
const STATS_FLUSHED: Duration = Duration::from_secs(11);

/// The seven services' databases, by service.
fn databases(system: &System) -> [(&'static str, &DatabaseConnection); 7] {
    [
        ("intake", &system.intake),
        ("registry", &system.registry),
        ("biometric", &system.biometric),
        ("afis-sync", &system.afis_sync),
        ("pusat-data", &system.pusat_data),
        ("card-print", &system.card_print),
        ("distribution", &system.distribution),
    ]
}

/// Counting a run: the server's statements forgotten and its transactions read at the start.
pub struct Counter {
    admin: DatabaseConnection,
    /// Service by database name.
    names: BTreeMap<String, &'static str>,
    transactions_before: BTreeMap<String, i64>,
    bench_asked_before: i64,
}

/// One service's share of a run.
pub struct Work {
    pub service: &'static str,
    pub statements: i64,
    /// Transactions of more than one statement (`BEGIN` … `COMMIT` or `ROLLBACK`); their
    /// `BEGIN`, `COMMIT`, `ROLLBACK` and savepoints are not counted as statements.
    pub blocks: i64,
    pub transactions: i64,
}

/// What a run asked of PostgreSQL.
pub struct Counted {
    pub per_service: Vec<Work>,
    /// The statements called most, with their calls.
    pub top: Vec<(String, i64)>,
}

impl Counter {
    /// Starts counting for `system`'s databases, once what its start did has been reported;
    /// `None` (and why, on stderr) where the server does not load `pg_stat_statements`.
    pub async fn start(system: &System) -> Option<Self> {
        let url = std::env::var("KTPEL_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/test".into());
        match Self::try_start(system, &url).await {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!(
                    "  statements not counted: {e} (scripts/services.sh stats-postgres starts a server that loads pg_stat_statements)"
                );
                None
            }
        }
    }

    async fn try_start(system: &System, url: &str) -> Result<Self, DbErr> {
        let admin = Database::connect(url).await?;
        admin
            .execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            .await?;
        let mut names = BTreeMap::new();
        for (service, db) in databases(system) {
            let row = db
                .query_one_raw(Statement::from_string(
                    db.get_database_backend(),
                    "SELECT current_database() AS name",
                ))
                .await?
                .ok_or_else(|| DbErr::RecordNotFound("current_database()".into()))?;
            names.insert(row.try_get::<String>("", "name")?, service);
        }
        tokio::time::sleep(STATS_FLUSHED).await;
        admin
            .execute_unprepared("SELECT pg_stat_statements_reset()")
            .await?;
        let transactions_before = transactions(&admin, &names).await?;
        Ok(Self {
            admin,
            names,
            transactions_before,
            bench_asked_before: BENCH_ASKED.load(Ordering::Relaxed),
        })
    }

    /// What the run asked of PostgreSQL since [`Counter::start`]; `top` statements listed.
    pub async fn finish(self, top: usize) -> Result<Counted, DbErr> {
        tokio::time::sleep(STATS_FLUSHED).await;
        let after = transactions(&self.admin, &self.names).await?;
        let bench_asked = BENCH_ASKED.load(Ordering::Relaxed) - self.bench_asked_before;
        let rows = self
            .admin
            .query_all_raw(Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                format!(
                    "SELECT d.datname AS name, s.query AS query, s.calls::bigint AS calls \
                     FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid \
                     WHERE d.datname IN ({})",
                    quoted(&self.names)
                ),
            ))
            .await?;
        let mut per_service: BTreeMap<&str, Work> = BTreeMap::new();
        let mut by_query: BTreeMap<String, i64> = BTreeMap::new();
        for (name, service) in &self.names {
            let bench = if *service == "intake" { bench_asked } else { 0 };
            per_service.insert(
                *service,
                Work {
                    service,
                    statements: 0,
                    blocks: 0,
                    transactions: after.get(name).copied().unwrap_or(0)
                        - self.transactions_before.get(name).copied().unwrap_or(0)
                        - bench,
                },
            );
        }
        for row in rows {
            let name: String = row.try_get("", "name")?;
            let query: String = row.try_get("", "query")?;
            let calls: i64 = row.try_get("", "calls")?;
            let Some(work) = self.names.get(&name).and_then(|s| per_service.get_mut(s)) else {
                continue;
            };
            if query.contains(BENCH_MARK) {
                continue;
            }
            if let Some(control) = transaction_control(&query) {
                if control == Control::End {
                    work.blocks += calls;
                }
            } else {
                work.statements += calls;
                let service = self.names[&name];
                *by_query
                    .entry(format!("{service}: {}", one_line(&query)))
                    .or_default() += calls;
            }
        }
        let mut top_list: Vec<(String, i64)> = by_query.into_iter().collect();
        top_list.sort_by_key(|(_, calls)| std::cmp::Reverse(*calls));
        top_list.truncate(top);
        Ok(Counted {
            per_service: per_service.into_values().collect(),
            top: top_list,
        })
    }
}

/// Committed and rolled-back transactions of each database.
async fn transactions(
    admin: &DatabaseConnection,
    names: &BTreeMap<String, &'static str>,
) -> Result<BTreeMap<String, i64>, DbErr> {
    let rows = admin
        .query_all_raw(Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            format!(
                "SELECT datname AS name, (xact_commit + xact_rollback)::bigint AS n \
                 FROM pg_stat_database WHERE datname IN ({})",
                quoted(names)
            ),
        ))
        .await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get("", "name")?, r.try_get("", "n")?)))
        .collect()
}

/// The database names as an SQL list (they are `ktpel_t_<uuid>`: no quote in them).
fn quoted(names: &BTreeMap<String, &'static str>) -> String {
    names
        .keys()
        .map(|n| format!("'{}'", n.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, PartialEq, Eq)]
enum Control {
    /// `BEGIN`, a savepoint taken or released.
    Within,
    /// `COMMIT` or `ROLLBACK`: a transaction block ends.
    End,
}

/// What a statement of transaction control does; `None` for work.
fn transaction_control(query: &str) -> Option<Control> {
    let first = query.split_whitespace().next().unwrap_or("");
    let is = |k: &[&str]| k.iter().any(|k| first.eq_ignore_ascii_case(k));
    if is(&["COMMIT", "ROLLBACK", "END"]) && !query.to_ascii_uppercase().contains(" TO ") {
        Some(Control::End)
    } else if is(&["BEGIN", "START", "SAVEPOINT", "RELEASE", "ROLLBACK"]) {
        Some(Control::Within)
    } else {
        None
    }
}

/// A statement's text on one line, cut to fit a table's cell.
fn one_line(query: &str) -> String {
    let line = query.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(110) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line,
    }
}

/// The table of a run's statements and transactions per resident.
pub fn print(counted: &Counted, residents: usize) {
    let per = |n: i64| n as f64 / residents as f64;
    println!();
    println!(
        "| service | statements per resident | transactions per resident | of them BEGIN … COMMIT |"
    );
    println!("|---|---:|---:|---:|");
    let (mut s, mut t, mut c) = (0, 0, 0);
    for w in &counted.per_service {
        println!(
            "| {} | {:.1} | {:.1} | {:.1} |",
            w.service,
            per(w.statements),
            per(w.transactions),
            per(w.blocks)
        );
        (s, t, c) = (s + w.statements, t + w.transactions, c + w.blocks);
    }
    println!(
        "| **all seven** | **{:.1}** | **{:.1}** | {:.1} |",
        per(s),
        per(t),
        per(c)
    );
    if !counted.top.is_empty() {
        println!();
        println!("| statement called most | calls per resident |");
        println!("|---|---:|");
        for (q, calls) in &counted.top {
            println!("| `{}` | {:.1} |", q.replace('|', "\\|"), per(*calls));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_control_is_told_from_work() {
        for q in ["COMMIT", "commit", "ROLLBACK"] {
            assert_eq!(transaction_control(q), Some(Control::End), "{q}");
        }
        for q in [
            "BEGIN",
            "START TRANSACTION",
            "SAVEPOINT sp1",
            "RELEASE SAVEPOINT sp1",
            "ROLLBACK TO SAVEPOINT sp1",
        ] {
            assert_eq!(transaction_control(q), Some(Control::Within), "{q}");
        }
        for q in [
            "SELECT 1",
            "UPDATE t SET a = $1",
            "INSERT INTO begin_log VALUES ($1)",
        ] {
            assert_eq!(transaction_control(q), None, "{q}");
        }
    }

    #[test]
    fn a_long_statement_is_cut_on_a_character() {
        let q = format!("SELECT {}", "é, ".repeat(60));
        let line = one_line(&q);
        assert!(line.ends_with('…'));
        assert_eq!(line.chars().count(), 111);
        assert_eq!(one_line("SELECT\n  1"), "SELECT 1");
    }
}
