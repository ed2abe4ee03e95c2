//! The scheduler's migrations: the messaging tables, then its own.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(ktpel_store::migrations::BusTables),
            Box::new(M0001Outbound),
        ]
    }
}

struct M0001Outbound;

impl MigrationName for M0001Outbound {
    fn name(&self) -> &str {
        "m0001_afis_outbound"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0001Outbound {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Outbound::Table)
                .if_not_exists()
                .col(big_pk_auto(Outbound::Id))
                .col(uuid_uniq(Outbound::EnrollmentId))
                .col(string(Outbound::NomorBerkas))
                .col(string(Outbound::Nik))
                .col(json(Outbound::Enrollment))
                .col(timestamp_with_time_zone(Outbound::QueuedAt))
                .col(timestamp_with_time_zone_null(Outbound::SentAt))
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Outbound {
    #[sea_orm(iden = "afis_outbound")]
    Table,
    Id,
    EnrollmentId,
    NomorBerkas,
    Nik,
    Enrollment,
    QueuedAt,
    SentAt,
}
