//! card-print's migrations: the messaging tables, then its own.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(ktpel_store::migrations::BusTables),
            Box::new(M0001CardPrint),
        ]
    }
}

struct M0001CardPrint;

impl MigrationName for M0001CardPrint {
    fn name(&self) -> &str {
        "m0001_card_print_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0001CardPrint {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Job::Table)
                .if_not_exists()
                .col(string(Job::Nik).primary_key())
                .col(string(Job::NomorBerkas))
                .col(string_null(Job::PhotoSha256))
                .col(text_null(Job::RightIndex))
                .col(text_null(Job::LeftIndex))
                .col(boolean(Job::PrintReady))
                .col(json_null(Job::Biodata))
                .col(string(Job::State))
                .col(blob_null(Job::Chip))
                .col(blob_null(Job::FacePng))
                .col(string_null(Job::EncodedBy))
                .col(string_null(Job::PrintedBy))
                .col(string_null(Job::VerifiedBy))
                .col(string_null(Job::ApprovedBy))
                .col(timestamp_with_time_zone(Job::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Operator::Table)
                .if_not_exists()
                .col(string(Operator::Username).primary_key())
                .col(string(Operator::PasswordHash))
                .col(string(Operator::Role))
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Job {
    #[sea_orm(iden = "card_print_job")]
    Table,
    Nik,
    NomorBerkas,
    PhotoSha256,
    RightIndex,
    LeftIndex,
    PrintReady,
    Biodata,
    State,
    Chip,
    FacePng,
    EncodedBy,
    PrintedBy,
    VerifiedBy,
    ApprovedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Operator {
    #[sea_orm(iden = "card_print_operator")]
    Table,
    Username,
    PasswordHash,
    Role,
}
