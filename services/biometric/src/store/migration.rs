//! The biometric service's migrations: the messaging tables, then its own.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        ktpel_store::migrations::bus_then(vec![
            Box::new(M0001Biometric),
            Box::new(M0002Delivery),
            Box::new(M0003Recapture),
        ])
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
                .table(EnrollmentTable::Table)
                .if_not_exists()
                .col(uuid(EnrollmentTable::EnrollmentId).primary_key())
                .col(string_uniq(EnrollmentTable::NomorBerkas))
                .col(string_uniq(EnrollmentTable::BuktiPerekaman))
                .col(string(EnrollmentTable::Nik))
                .col(string(EnrollmentTable::PhotoSha256))
                .col(blob(EnrollmentTable::SealedCapture))
                .col(string(EnrollmentTable::Operator))
                .col(timestamp_with_time_zone(EnrollmentTable::EnrolledAt))
                .to_owned(),
        )
        .await
    }
}

/// S02.6/S20: what the site knows of each record's trip — the kecamatan whose desk took it
/// (the bundle's records must be the site's own), and when the Pusat Data had it (a card
/// status came back): until then the record is unsent, and goes into every backup bundle.
struct M0002Delivery;

impl MigrationName for M0002Delivery {
    fn name(&self) -> &str {
        "m0002_biometric_delivery"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0002Delivery {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        m.alter_table(
            Table::alter()
                .table(EnrollmentTable::Table)
                .add_column(string_null(EnrollmentTable::Kecamatan))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(EnrollmentTable::Table)
                .add_column(timestamp_with_time_zone_null(EnrollmentTable::DeliveredAt))
                .to_owned(),
        )
        .await
    }
}

/// S08, S10, S12: a pas photo and signature captured again at the Dinas's station for a
/// replacement card — not an enrollment: nothing goes to the Pusat Data, the fingerprints on
/// record stand. Sealed like an enrollment; one per berkas.
struct M0003Recapture;

impl MigrationName for M0003Recapture {
    fn name(&self) -> &str {
        "m0003_biometric_recapture"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0003Recapture {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Recapture::Table)
                .if_not_exists()
                .col(string(Recapture::NomorBerkas).primary_key())
                .col(string(Recapture::Nik))
                .col(string(Recapture::PhotoSha256))
                .col(blob(Recapture::SealedCapture))
                .col(string(Recapture::Operator))
                .col(timestamp_with_time_zone(Recapture::CapturedAt))
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Recapture {
    #[sea_orm(iden = "biometric_recapture")]
    Table,
    NomorBerkas,
    Nik,
    PhotoSha256,
    SealedCapture,
    Operator,
    CapturedAt,
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
enum EnrollmentTable {
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
    Kecamatan,
    DeliveredAt,
}
