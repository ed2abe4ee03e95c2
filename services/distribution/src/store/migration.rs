//! distribution's migrations: the messaging tables, then its own.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        ktpel_store::migrations::bus_then(vec![
            Box::new(M0001Distribution),
            Box::new(M0002CardPerBerkas),
            Box::new(M0003HandedOverBy),
        ])
    }
}

struct M0001Distribution;

impl MigrationName for M0001Distribution {
    fn name(&self) -> &str {
        "m0001_distribution_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0001Distribution {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Kartu::Table)
                .if_not_exists()
                .col(string(Kartu::Nik).primary_key())
                .col(string(Kartu::NomorBerkas))
                .col(string(Kartu::Nama))
                .col(string(Kartu::Desa))
                .col(string(Kartu::Kecamatan))
                .col(uuid_null(Kartu::BatchId))
                .col(timestamp_with_time_zone_null(Kartu::NotifiedAt))
                .col(string_null(Kartu::TandaTerimaBy))
                .col(timestamp_with_time_zone_null(Kartu::HandedOverAt))
                .col(timestamp_with_time_zone(Kartu::ReceivedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BatchTable::Table)
                .if_not_exists()
                .col(uuid(BatchTable::BatchId).primary_key())
                .col(string(BatchTable::Kecamatan))
                .col(string(BatchTable::Petugas))
                .col(text(BatchTable::BeritaAcara))
                .col(timestamp_with_time_zone(BatchTable::CreatedAt))
                .col(string_null(BatchTable::ReceivedBy))
                .col(timestamp_with_time_zone_null(BatchTable::ReceivedAt))
                .to_owned(),
        )
        .await
    }
}

/// Replacements (section C): a resident may have a card in distribution more than once in a
/// lifetime, so a card is keyed by berkas and NIK; it carries its number, and whether it is
/// collected at the Dinas desk (a B variant) rather than through a batch to the kecamatan.
struct M0002CardPerBerkas;

impl MigrationName for M0002CardPerBerkas {
    fn name(&self) -> &str {
        "m0002_distribution_card_per_berkas"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0002CardPerBerkas {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let kartu = Table::create()
            .table(Kartu::Table)
            .col(string(Kartu::NomorBerkas))
            .col(string(Kartu::Nik))
            .col(string(Kartu::Nama))
            .col(string(Kartu::Desa))
            .col(string(Kartu::Kecamatan))
            .col(uuid_null(Kartu::BatchId))
            .col(timestamp_with_time_zone_null(Kartu::NotifiedAt))
            .col(string_null(Kartu::TandaTerimaBy))
            .col(timestamp_with_time_zone_null(Kartu::HandedOverAt))
            .col(timestamp_with_time_zone(Kartu::ReceivedAt))
            .col(string_null(Kartu::NomorKartu))
            .col(boolean(Kartu::AtDinasDesk).default(false))
            .primary_key(Index::create().col(Kartu::NomorBerkas).col(Kartu::Nik))
            .to_owned();
        ktpel_store::migrations::rebuild_table(
            m,
            "distribution_kartu",
            kartu,
            &[
                "nik",
                "nomor_berkas",
                "nama",
                "desa",
                "kecamatan",
                "batch_id",
                "notified_at",
                "tanda_terima_by",
                "handed_over_at",
                "received_at",
            ],
        )
        .await
    }
}

/// The tanda terima names the ppp who handed the card over, as well as who received it: the
/// paper is made again from the row. Cards handed over before have none (the timeline's note
/// names the ppp).
struct M0003HandedOverBy;

impl MigrationName for M0003HandedOverBy {
    fn name(&self) -> &str {
        "m0003_distribution_handed_over_by"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0003HandedOverBy {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Kartu::Table)
                .add_column(string_null(Kartu::HandedOverBy))
                .to_owned(),
        )
        .await
    }
}

// The column is `nomor_kartu`, the card's number: the name is the schema's, not the enum's.
#[allow(clippy::enum_variant_names)]
#[derive(DeriveIden)]
enum Kartu {
    #[sea_orm(iden = "distribution_kartu")]
    Table,
    Nik,
    NomorBerkas,
    Nama,
    Desa,
    Kecamatan,
    BatchId,
    NotifiedAt,
    TandaTerimaBy,
    HandedOverAt,
    ReceivedAt,
    NomorKartu,
    AtDinasDesk,
    HandedOverBy,
}

#[derive(DeriveIden)]
enum BatchTable {
    #[sea_orm(iden = "distribution_batch")]
    Table,
    BatchId,
    Kecamatan,
    Petugas,
    BeritaAcara,
    CreatedAt,
    ReceivedBy,
    ReceivedAt,
}
