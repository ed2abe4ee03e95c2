//! The biometric service's migrations: the messaging tables, then its own.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(ktpel_store::migrations::BusTables),
            Box::new(M0001Biometric),
        ]
    }
}

struct M0001Biometric;

impl MigrationName for M0001Biometric {
    fn name(&self) -> &str {
        "m0001_biometric_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0001Biometric {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(OperatorInbox::Table)
                .if_not_exists()
                .col(string(OperatorInbox::NomorBerkas).primary_key())
                .col(string(OperatorInbox::Nik))
                .col(json(OperatorInbox::Handoff))
                .col(timestamp_with_time_zone(OperatorInbox::ReceivedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Enrollment::Table)
                .if_not_exists()
                .col(uuid(Enrollment::EnrollmentId).primary_key())
                .col(string_uniq(Enrollment::NomorBerkas))
                .col(string_uniq(Enrollment::BuktiPerekaman))
                .col(string(Enrollment::Nik))
                .col(string(Enrollment::PhotoSha256))
                .col(blob(Enrollment::SealedCapture))
                .col(string(Enrollment::Operator))
                .col(timestamp_with_time_zone(Enrollment::EnrolledAt))
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum OperatorInbox {
    #[sea_orm(iden = "biometric_operator_inbox")]
    Table,
    NomorBerkas,
    Nik,
    Handoff,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum Enrollment {
    #[sea_orm(iden = "biometric_enrollment")]
    Table,
    EnrollmentId,
    NomorBerkas,
    BuktiPerekaman,
    Nik,
    PhotoSha256,
    SealedCapture,
    Operator,
    EnrolledAt,
}
