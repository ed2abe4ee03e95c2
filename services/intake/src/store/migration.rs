//! Intake's migrations: the messaging tables, then its own.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        ktpel_store::migrations::bus_then(vec![
            Box::new(M0001IntakeTables),
            Box::new(M0002Pending),
            Box::new(M0003TimelineStatus),
        ])
    }
}

struct M0001IntakeTables;

impl MigrationName for M0001IntakeTables {
    fn name(&self) -> &str {
        "m0001_intake_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0001IntakeTables {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IntakeBerkas::Table)
                .if_not_exists()
                .col(string(IntakeBerkas::NomorBerkas).primary_key())
                .col(uuid_uniq(IntakeBerkas::SubmissionId))
                .col(string(IntakeBerkas::Sop))
                .col(string(IntakeBerkas::Nik))
                .col(string(IntakeBerkas::Nama))
                .col(string(IntakeBerkas::Kecamatan))
                .col(string(IntakeBerkas::AtHop))
                .col(string(IntakeBerkas::Status))
                .col(string_null(IntakeBerkas::BuktiPerekaman))
                .col(timestamp_with_time_zone_null(IntakeBerkas::ArchivedAt))
                .col(timestamp_with_time_zone(IntakeBerkas::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BukuHarian::Table)
                .if_not_exists()
                .col(big_pk_auto(BukuHarian::Id))
                .col(date(BukuHarian::Tanggal))
                .col(string(BukuHarian::Desk))
                .col(string(BukuHarian::NomorBerkas))
                .col(string(BukuHarian::Nik))
                .col(string(BukuHarian::Nama))
                .col(string(BukuHarian::Sop))
                .col(json(BukuHarian::Dokumen))
                .col(string(BukuHarian::Petugas))
                .col(timestamp_with_time_zone(BukuHarian::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Timeline::Table)
                .if_not_exists()
                .col(big_pk_auto(Timeline::Id))
                .col(string(Timeline::NomorBerkas))
                .col(string(Timeline::Hop))
                .col(string(Timeline::Step))
                .col(string(Timeline::Note))
                .col(timestamp_with_time_zone(Timeline::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("intake_timeline_berkas")
                .table(Timeline::Table)
                .col(Timeline::NomorBerkas)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }
}

struct M0002Pending;

impl MigrationName for M0002Pending {
    fn name(&self) -> &str {
        "m0002_intake_pending"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0002Pending {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Pending::Table)
                .if_not_exists()
                .col(uuid(Pending::RequestId).primary_key())
                .col(uuid_uniq(Pending::SubmissionId))
                .col(json(Pending::Submission))
                .col(timestamp_with_time_zone(Pending::CreatedAt))
                .to_owned(),
        )
        .await
    }
}

/// The card status a timeline line records, in a column of its own: the berkas's cards are
/// counted from it. Lines written before it have the status at the head of their note
/// (`PRR: …`), and get it from there.
struct M0003TimelineStatus;

impl MigrationName for M0003TimelineStatus {
    fn name(&self) -> &str {
        "m0003_intake_timeline_status"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0003TimelineStatus {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Timeline::Table)
                .add_column(string_null(Timeline::Status))
                .to_owned(),
        )
        .await?;
        for status in ktpel_domain::StatusKartu::ALL {
            let prefix = format!("{status}:");
            // `substr`, not `LIKE`: `_` in a status name would match any character.
            m.get_connection()
                .execute_unprepared(&format!(
                    "UPDATE intake_timeline SET status = '{status}' \
                     WHERE status IS NULL AND substr(note, 1, {}) = '{prefix}'",
                    prefix.len()
                ))
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Pending {
    #[sea_orm(iden = "intake_pending")]
    Table,
    RequestId,
    SubmissionId,
    Submission,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IntakeBerkas {
    #[sea_orm(iden = "intake_berkas")]
    Table,
    NomorBerkas,
    SubmissionId,
    Sop,
    Nik,
    Nama,
    Kecamatan,
    AtHop,
    Status,
    BuktiPerekaman,
    ArchivedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BukuHarian {
    #[sea_orm(iden = "intake_buku_harian")]
    Table,
    Id,
    Tanggal,
    Desk,
    NomorBerkas,
    Nik,
    Nama,
    Sop,
    Dokumen,
    Petugas,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Timeline {
    #[sea_orm(iden = "intake_timeline")]
    Table,
    Id,
    NomorBerkas,
    Hop,
    Step,
    Note,
    At,
    Status,
}
