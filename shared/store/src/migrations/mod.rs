//! Migrations shared by every service (the messaging tables, the number series). A service's
//! migrator lists them first ([`bus_then`]) and then its own tables; [`BusOnly`] is the
//! migrator for a process that needs nothing else (tests, benchmarks).

mod m0001_bus_tables;
mod m0002_outbox_waiting;
mod m0003_series;

pub use m0001_bus_tables::Migration as BusTables;
pub use m0002_outbox_waiting::Migration as OutboxWaiting;
pub use m0003_series::Migration as SeriesTable;
pub(crate) use m0003_series::Series;

use sea_orm_migration::prelude::*;

/// A migrator with only the messaging tables.
pub struct BusOnly;

impl MigratorTrait for BusOnly {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        bus_then(Vec::new())
    }
}

/// The shared migrations, in order, followed by a service's `own`.
pub fn bus_then(own: Vec<Box<dyn MigrationTrait>>) -> Vec<Box<dyn MigrationTrait>> {
    let mut all: Vec<Box<dyn MigrationTrait>> = vec![
        Box::new(BusTables),
        Box::new(OutboxWaiting),
        Box::new(SeriesTable),
    ];
    all.extend(own);
    all
}

/// Adds `columns` to `table` where they are not there yet, one statement each: SQLite's ALTER
/// TABLE adds one column at a time. For columns a new version adds to rows that exist (so
/// nullable, or with a default).
pub async fn add_columns(
    m: &SchemaManager<'_>,
    table: &str,
    columns: impl IntoIterator<Item = ColumnDef>,
) -> Result<(), DbErr> {
    for mut column in columns {
        m.alter_table(
            Table::alter()
                .table(Alias::new(table))
                .add_column_if_not_exists(&mut column)
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

/// Rebuilds `table` under a new definition `create` (a new primary key, say: SQLite cannot
/// alter one in place): the old table is renamed aside, the new one created, `columns` copied
/// across (the same names in both), and the old one dropped — inside the migration's
/// transaction where the database has one, so a failure leaves the old table as it was.
pub async fn rebuild_table(
    m: &SchemaManager<'_>,
    table: &str,
    create: TableCreateStatement,
    columns: &[&str],
) -> Result<(), DbErr> {
    let aside = format!("{table}_before_rebuild");
    m.rename_table(
        Table::rename()
            .table(Alias::new(table), Alias::new(&aside))
            .to_owned(),
    )
    .await?;
    m.create_table(create).await?;
    let cols = columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    m.get_connection()
        .execute_unprepared(&format!(
            "INSERT INTO \"{table}\" ({cols}) SELECT {cols} FROM \"{aside}\""
        ))
        .await?;
    m.drop_table(Table::drop().table(Alias::new(&aside)).to_owned())
        .await
}
