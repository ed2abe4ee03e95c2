//! A table the test handlers write their effect to, so a test can count effects.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement};
use sea_orm_migration::{prelude::*, schema::*};

/// The messaging tables plus `test_effects`.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        ktpel_store::migrations::bus_then(vec![Box::new(EffectsTable)])
    }
}

pub struct EffectsTable;

impl MigrationName for EffectsTable {
    fn name(&self) -> &str {
        "m9000_test_effects"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for EffectsTable {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Effects::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Effects::Id))
                    .col(string(Effects::MessageId))
                    .col(string(Effects::Aggregate))
                    .col(big_integer(Effects::Seq))
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Effects {
    #[sea_orm(iden = "test_effects")]
    Table,
    Id,
    MessageId,
    Aggregate,
    Seq,
}

/// Records one effect.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    message_id: &str,
    aggregate: &str,
    seq: i64,
) -> Result<(), DbErr> {
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        match db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                "INSERT INTO test_effects (message_id, aggregate, seq) VALUES ($1, $2, $3)"
            }
            _ => "INSERT INTO test_effects (message_id, aggregate, seq) VALUES (?, ?, ?)",
        },
        [message_id.into(), aggregate.into(), seq.into()],
    ))
    .await
    .map(|_| ())
}

#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Effect {
    pub message_id: String,
    pub aggregate: String,
    pub seq: i64,
}

/// Every effect, in the order they were written.
pub async fn all<C: ConnectionTrait>(db: &C) -> Vec<Effect> {
    Effect::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT message_id, aggregate, seq FROM test_effects ORDER BY id",
    ))
    .all(db)
    .await
    .expect("read test_effects")
}
