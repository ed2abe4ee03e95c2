//! Numbers handed out one after another within a series — a desk's berkas of a day
//! (`327301-20261205-`), a Dinas's cards of a day — in the transaction it is given.
//!
//! The series' last number is a row of `ktpel_series`. Taking the next one updates that row,
//! which on PostgreSQL locks it until the transaction ends, so two transactions numbering at
//! once (a consumer's partitions, eight print stations) take their numbers one after the other,
//! and a transaction that rolls back gives its number back. SQLite's write transactions are
//! one at a time already. The first number of a series counts what was issued before the
//! series had a row (numbers counted, before this table, from the rows that carry them).
//! A series whose users would wait on each other for that lock takes each number in a short
//! transaction of its own instead, and lets a number be skipped (the card numbers).

use crate::migrations::Series;
use sea_orm::{
    ConnectionTrait, DbErr,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};
use std::future::Future;

/// The next number of `series`, from 1. `issued_before` counts the numbers of the series that
/// exist without a row here; it is awaited only for the series' first number.
pub async fn next<C: ConnectionTrait>(
    txn: &C,
    series: &str,
    issued_before: impl Future<Output = Result<u64, DbErr>>,
) -> Result<u64, DbErr> {
    let advance = Query::update()
        .table(Series::Table)
        .value(Series::Last, Expr::col(Series::Last).add(1))
        .and_where(Expr::col(Series::Name).eq(series))
        .returning_col(Series::Last)
        .to_owned();
    if let Some(row) = txn.query_one(&advance).await? {
        return last(row);
    }
    let first = issued_before.await? as i64 + 1;
    // Another transaction may have started the series meanwhile: PostgreSQL makes this
    // insert wait for it, then takes the update instead.
    let start = Query::insert()
        .into_table(Series::Table)
        .columns([Series::Name, Series::Last])
        .values_panic([series.into(), first.into()])
        .on_conflict(
            OnConflict::column(Series::Name)
                .value(
                    Series::Last,
                    Expr::col((Series::Table, Series::Last)).add(1),
                )
                .to_owned(),
        )
        .returning_col(Series::Last)
        .to_owned();
    let row = txn
        .query_one(&start)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("series {series} after its insert")))?;
    last(row)
}

fn last(row: sea_orm::QueryResult) -> Result<u64, DbErr> {
    let n: i64 = row.try_get("", "last")?;
    Ok(n as u64)
}
