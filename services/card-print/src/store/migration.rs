//! card-print's migrations: the messaging tables, then its own.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        ktpel_store::migrations::bus_then(vec![
            Box::new(M0001CardPrint),
            Box::new(M0002CardRegister),
            Box::new(M0003Rekaman),
            Box::new(M0004CardNumbers),
            Box::new(M0005OneAccountStore),
            Box::new(M0006Foto),
            Box::new(M0007RekamanFoto),
        ])
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

/// Replacements (section C): a resident has a card job per berkas, not one for life, so a
/// job is keyed by berkas and NIK (a relocating family's berkas has a card for each member);
/// each card gets its number (`nomor_kartu`), and the card register keeps every card issued.
struct M0002CardRegister;

impl MigrationName for M0002CardRegister {
    fn name(&self) -> &str {
        "m0002_card_register"
    }
}

/// The columns of m0001's job, copied into the rebuilt table.
const JOB_COLUMNS: [&str; 15] = [
    "nik",
    "nomor_berkas",
    "photo_sha256",
    "right_index",
    "left_index",
    "print_ready",
    "biodata",
    "state",
    "chip",
    "face_png",
    "encoded_by",
    "printed_by",
    "verified_by",
    "approved_by",
    "updated_at",
];

#[async_trait::async_trait]
impl MigrationTrait for M0002CardRegister {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let job = Table::create()
            .table(Job::Table)
            .col(string(Job::NomorBerkas))
            .col(string(Job::Nik))
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
            .col(string_null(Job::NomorKartu))
            .col(json_null(Job::Slip))
            .primary_key(Index::create().col(Job::NomorBerkas).col(Job::Nik))
            .to_owned();
        ktpel_store::migrations::rebuild_table(m, "card_print_job", job, &JOB_COLUMNS).await?;
        m.create_index(
            Index::create()
                .name("card_print_job_nik")
                .table(Job::Table)
                .col(Job::Nik)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Register::Table)
                .if_not_exists()
                .col(string(Register::NomorKartu).primary_key())
                .col(string(Register::Nik))
                .col(string(Register::NomorBerkas))
                .col(string(Register::Sop))
                .col(timestamp_with_time_zone(Register::IssuedAt))
                .col(timestamp_with_time_zone_null(Register::ActivatedAt))
                .col(timestamp_with_time_zone_null(Register::RevokedAt))
                .col(string_null(Register::RevokedReason))
                .col(timestamp_with_time_zone_null(Register::ArchivedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("card_register_nik")
                .table(Register::Table)
                .col(Register::Nik)
                .to_owned(),
        )
        .await
    }
}

/// S21.2: the day's card numbers, counted for the next one from an index of the numbers
/// alone. Without it SQLite counted them by reading every job row, and a number comes after
/// the card face in the row: each new number read every face printed so far (360 ms at 7,000
/// cards; the print desk slowed from 10 cards a second to 5 as the register grew).
struct M0004CardNumbers;

impl MigrationName for M0004CardNumbers {
    fn name(&self) -> &str {
        "m0004_card_print_job_numbers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0004CardNumbers {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("card_print_job_nomor_kartu")
                .table(Job::Table)
                .col(Job::NomorKartu)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }
}

/// BCardMgmt's people sign in with the site's one account store (`ktpel user add`), which
/// serves every desk: the print desk's own table of accounts goes. Its accounts are not
/// carried over (the account store is another database); the operator makes them again with
/// `ktpel user add NAME --role cetak|kepala_seksi`.
struct M0005OneAccountStore;

impl MigrationName for M0005OneAccountStore {
    fn name(&self) -> &str {
        "m0005_card_print_one_account_store"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0005OneAccountStore {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Operator::Table).if_exists().to_owned())
            .await
    }
}

/// The pas photo and signature each card's face shows, beside its job.
struct M0006Foto;

impl MigrationName for M0006Foto {
    fn name(&self) -> &str {
        "m0006_card_print_foto"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0006Foto {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Face::Table)
                .if_not_exists()
                .col(string(Face::NomorBerkas))
                .col(string(Face::Nik))
                .col(blob_null(Face::PasFoto))
                .col(blob_null(Face::TandaTangan))
                .primary_key(Index::create().col(Face::NomorBerkas).col(Face::Nik))
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
/// The table of what a face shows beside its text.
enum Face {
    #[sea_orm(iden = "card_print_foto")]
    Table,
    NomorBerkas,
    Nik,
    PasFoto,
    TandaTangan,
}

/// S18: the enrollment on record of a resident moving in from another kabupaten/kota, as the
/// Pusat Data handed it on — what their new card is made from, no card of theirs having been
/// made here.
struct M0003Rekaman;

impl MigrationName for M0003Rekaman {
    fn name(&self) -> &str {
        "m0003_card_print_rekaman"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0003Rekaman {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Rekaman::Table)
                .if_not_exists()
                .col(string(Rekaman::Nik).primary_key())
                .col(string(Rekaman::PhotoSha256))
                .col(text(Rekaman::RightIndex))
                .col(text(Rekaman::LeftIndex))
                .col(string(Rekaman::NomorSkp))
                .to_owned(),
        )
        .await
    }
}

/// S18: the photo and signature of a resident moving in, as the Pusat Data sends them.
struct M0007RekamanFoto;

impl MigrationName for M0007RekamanFoto {
    fn name(&self) -> &str {
        "m0007_card_print_rekaman_foto"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0007RekamanFoto {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        ktpel_store::migrations::add_columns(
            m,
            "card_print_rekaman",
            [Rekaman::PasFoto, Rekaman::TandaTangan].map(blob_null),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Rekaman {
    #[sea_orm(iden = "card_print_rekaman")]
    Table,
    Nik,
    PhotoSha256,
    RightIndex,
    LeftIndex,
    NomorSkp,
    PasFoto,
    TandaTangan,
}

#[derive(DeriveIden)]
enum Register {
    #[sea_orm(iden = "card_register")]
    Table,
    NomorKartu,
    Nik,
    NomorBerkas,
    Sop,
    IssuedAt,
    ActivatedAt,
    RevokedAt,
    RevokedReason,
    ArchivedAt,
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
    NomorKartu,
    Slip,
}

#[derive(DeriveIden)]
enum Operator {
    #[sea_orm(iden = "card_print_operator")]
    Table,
    Username,
    PasswordHash,
    Role,
}
