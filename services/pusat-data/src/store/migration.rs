//! The Pusat Data's migrations: the messaging tables, then its own.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        ktpel_store::migrations::bus_then(vec![
            Box::new(M0001PusatData),
            Box::new(M0002Rekaman),
            Box::new(M0003RekamanFoto),
            Box::new(M0004Galeri),
        ])
    }
}

struct M0001PusatData;

impl MigrationName for M0001PusatData {
    fn name(&self) -> &str {
        "m0001_pusat_data_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0001PusatData {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Kartu::Table)
                .if_not_exists()
                .col(string(Kartu::Nik).primary_key())
                .col(string(Kartu::Status))
                .col(uuid(Kartu::EnrollmentId))
                .col(string(Kartu::NomorBerkas))
                .col(string(Kartu::CoRelationId))
                .col(string(Kartu::Note))
                .col(timestamp_with_time_zone(Kartu::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SidikJari::Table)
                .if_not_exists()
                .col(string(SidikJari::TemplateSha256).primary_key())
                .col(string(SidikJari::Finger))
                .col(string(SidikJari::Nik))
                .to_owned(),
        )
        .await
    }
}

/// The enrollment on record of each NIK whose card may be printed (PRR): the photo's digest
/// and the index-finger templates — what a Dinas prints a card from when the resident was
/// enrolled elsewhere (S18: a family moving in from another kabupaten/kota).
struct M0002Rekaman;

impl MigrationName for M0002Rekaman {
    fn name(&self) -> &str {
        "m0002_pusat_data_rekaman"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0002Rekaman {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Rekaman::Table)
                .if_not_exists()
                .col(string(Rekaman::Nik).primary_key())
                .col(string(Rekaman::PhotoSha256))
                .col(text(Rekaman::RightIndex))
                .col(text(Rekaman::LeftIndex))
                .col(timestamp_with_time_zone(Rekaman::EnrolledAt))
                .to_owned(),
        )
        .await
    }
}

/// The pas photo and the signature of the enrollment on record, for a card printed at another
/// Dinas (S18). Rows from before stay without them.
struct M0003RekamanFoto;

impl MigrationName for M0003RekamanFoto {
    fn name(&self) -> &str {
        "m0003_pusat_data_rekaman_foto"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0003RekamanFoto {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        ktpel_store::migrations::add_columns(
            m,
            "pusat_data_rekaman",
            [Rekaman::PasFoto, Rekaman::TandaTangan].map(blob_null),
        )
        .await
    }
}

/// The gallery: each fingerprint's ISO/IEC 19794-2 record beside its digest (rows from
/// before, the devices' own templates, stay without one and are matched by digest), and the
/// cases the matcher leaves to a person (`/adjudikasi`).
struct M0004Galeri;

impl MigrationName for M0004Galeri {
    fn name(&self) -> &str {
        "m0004_pusat_data_galeri"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0004Galeri {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        ktpel_store::migrations::add_columns(
            m,
            "pusat_data_sidik_jari",
            [blob_null(SidikJari::Iso)],
        )
        .await?;
        m.create_index(
            Index::create()
                .name("pusat_data_sidik_jari_nik")
                .table(SidikJari::Table)
                .col(SidikJari::Nik)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Adjudikasi::Table)
                .if_not_exists()
                .col(uuid(Adjudikasi::EnrollmentId).primary_key())
                .col(string(Adjudikasi::Nik))
                .col(string(Adjudikasi::OtherNik))
                .col(json(Adjudikasi::Scores))
                .col(json(Adjudikasi::Record))
                .col(string(Adjudikasi::Region))
                .col(timestamp_with_time_zone(Adjudikasi::OpenedAt))
                .col(string_null(Adjudikasi::Decision))
                .col(string_null(Adjudikasi::DecidedBy))
                .col(text_null(Adjudikasi::Reason))
                .col(timestamp_with_time_zone_null(Adjudikasi::DecidedAt))
                .col(boolean(Adjudikasi::InGallery).default(false))
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Adjudikasi {
    #[sea_orm(iden = "pusat_data_adjudikasi")]
    Table,
    EnrollmentId,
    Nik,
    OtherNik,
    Scores,
    Record,
    Region,
    OpenedAt,
    Decision,
    DecidedBy,
    Reason,
    DecidedAt,
    InGallery,
}

#[derive(DeriveIden)]
enum Rekaman {
    #[sea_orm(iden = "pusat_data_rekaman")]
    Table,
    Nik,
    PhotoSha256,
    RightIndex,
    LeftIndex,
    EnrolledAt,
    PasFoto,
    TandaTangan,
}

#[derive(DeriveIden)]
enum Kartu {
    #[sea_orm(iden = "pusat_data_kartu")]
    Table,
    Nik,
    Status,
    EnrollmentId,
    NomorBerkas,
    CoRelationId,
    Note,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SidikJari {
    #[sea_orm(iden = "pusat_data_sidik_jari")]
    Table,
    TemplateSha256,
    Finger,
    Nik,
    Iso,
}
