//! The scheduler's migrations: the messaging tables, then its own.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        ktpel_store::migrations::bus_then(vec![
            Box::new(M0001Outbound),
            Box::new(M0002TraceHeaders),
            Box::new(M0003Bundles),
            Box::new(M0004Waiting),
        ])
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

/// The trace context of the `enrollment.created` each record came with, so the trip to the
/// Pusat Data stays in the berkas's trace.
struct M0002TraceHeaders;

impl MigrationName for M0002TraceHeaders {
    fn name(&self) -> &str {
        "m0002_afis_outbound_headers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0002TraceHeaders {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Outbound::Table)
                .add_column(json_null(Outbound::Headers))
                .to_owned(),
        )
        .await
    }
}

/// S20.3: the backup bundles imported, and which records came first in one.
struct M0003Bundles;

impl MigrationName for M0003Bundles {
    fn name(&self) -> &str {
        "m0003_afis_bundles"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0003Bundles {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AfisBundle::Table)
                .if_not_exists()
                .col(uuid(AfisBundle::BundleId).primary_key())
                .col(string(AfisBundle::Site))
                .col(timestamp_with_time_zone(AfisBundle::CreatedAt))
                .col(timestamp_with_time_zone(AfisBundle::ImportedAt))
                .col(big_integer(AfisBundle::Records))
                .col(big_integer(AfisBundle::New))
                .col(big_integer(AfisBundle::Known))
                .col(big_integer(AfisBundle::Refused))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Outbound::Table)
                .add_column(uuid_null(Outbound::BundleId))
                .to_owned(),
        )
        .await
    }
}

/// S19: the scheduler's one query, the oldest records not yet sent, read from an index of
/// only those. Without it every batch scanned and sorted the whole queue, sent records and
/// all, so draining a long backlog slowed as it went.
struct M0004Waiting;

impl MigrationName for M0004Waiting {
    fn name(&self) -> &str {
        "m0004_afis_outbound_waiting"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0004Waiting {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS afis_outbound_waiting ON afis_outbound (id) \
                 WHERE sent_at IS NULL",
            )
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AfisBundle {
    #[sea_orm(iden = "afis_bundle")]
    Table,
    BundleId,
    Site,
    CreatedAt,
    ImportedAt,
    Records,
    New,
    Known,
    Refused,
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
    Headers,
    BundleId,
}
