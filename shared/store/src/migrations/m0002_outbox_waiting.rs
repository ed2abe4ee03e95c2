//! Replaces the outbox index on `(published_at, id)` with a partial index on `id` over the rows
//! still waiting (`published_at IS NULL`).
//!
//! With the old index the planner, on a young table, fetched every waiting row, bodies and
//! all, and sorted them to take the relay's batch: a backlog of 13,000 rows made each batch
//! read all 13,000 (30 ms of a 100 ms round). The partial index holds only waiting rows, in
//! `id` order, so a batch reads its own rows and stops. Both PostgreSQL and SQLite have partial
//! indexes.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_bus_outbox_waiting"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS bus_outbox_waiting ON bus_outbox (id) \
             WHERE published_at IS NULL",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS bus_outbox_unsent")
            .await?;
        Ok(())
    }
}
