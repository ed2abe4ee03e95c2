//! The registry's migrations: the messaging tables, then its own.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        ktpel_store::migrations::bus_then(vec![
            Box::new(M0001Penduduk),
            Box::new(M0002KartuKeluarga),
            Box::new(M0003Perubahan),
            Box::new(M0004Pindah),
            Box::new(M0005Antrian),
            Box::new(M0006Rincian),
        ])
    }
}

struct M0001Penduduk;

impl MigrationName for M0001Penduduk {
    fn name(&self) -> &str {
        "m0001_registry_penduduk"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0001Penduduk {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Penduduk::Table)
                .if_not_exists()
                .col(string(Penduduk::Nik).primary_key())
                .col(string(Penduduk::Nama))
                .col(string(Penduduk::NoKk))
                .col(string(Penduduk::JenisKelamin))
                .col(string(Penduduk::TempatLahir))
                .col(date(Penduduk::TanggalLahir))
                .col(string(Penduduk::Alamat))
                .col(string(Penduduk::Desa))
                .col(timestamp_with_time_zone(Penduduk::UpdatedAt))
                .to_owned(),
        )
        .await
    }
}

/// S05.4: each KK SIAK printed for a new family; its number is the key, so two new families
/// registered at the same moment cannot get the same one.
struct M0002KartuKeluarga;

impl MigrationName for M0002KartuKeluarga {
    fn name(&self) -> &str {
        "m0002_registry_kartu_keluarga"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0002KartuKeluarga {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(KartuKeluarga::Table)
                .if_not_exists()
                .col(string(KartuKeluarga::NoKk).primary_key())
                .col(string(KartuKeluarga::NomorBerkas))
                .col(timestamp_with_time_zone(KartuKeluarga::PrintedAt))
                .to_owned(),
        )
        .await
    }
}

/// Section C: the card status SIAK heard for each resident (a replacement is for a card
/// handed over, not one in production), and each correction or change made at the SIAK desk
/// (S06/S07, S13/S14), keyed by berkas so that a berkas changes SIAK once.
struct M0003Perubahan;

impl MigrationName for M0003Perubahan {
    fn name(&self) -> &str {
        "m0003_registry_perubahan"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0003Perubahan {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Penduduk::Table)
                .add_column(string_null(Penduduk::StatusKartu))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Perubahan::Table)
                .if_not_exists()
                .col(string(Perubahan::NomorBerkas).primary_key())
                .col(string(Perubahan::Nik))
                .col(string(Perubahan::Sop))
                .col(json(Perubahan::Before))
                .col(json(Perubahan::After))
                .col(timestamp_with_time_zone(Perubahan::At))
                .to_owned(),
        )
        .await
    }
}

/// S18: the families that left this register for another kabupaten/kota (with the Surat
/// Keterangan Pindah issued), and the residents arriving from one, kept until their S18 berkas
/// records them here.
struct M0004Pindah;

impl MigrationName for M0004Pindah {
    fn name(&self) -> &str {
        "m0004_registry_pindah"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0004Pindah {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PindahKeluar::Table)
                .if_not_exists()
                .col(string(PindahKeluar::NomorSkp).primary_key())
                .col(string(PindahKeluar::Nik))
                .col(string(PindahKeluar::Ke))
                .col(json(PindahKeluar::Keluarga))
                .col(timestamp_with_time_zone(PindahKeluar::At))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Pendatang::Table)
                .if_not_exists()
                .col(string(Pendatang::Nik).primary_key())
                .col(string(Pendatang::NomorSkp))
                .col(string(Pendatang::Dari))
                .col(json(Pendatang::Biodata))
                .col(string_null(Pendatang::StatusKartu))
                .col(timestamp_with_time_zone(Pendatang::ReceivedAt))
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum PindahKeluar {
    #[sea_orm(iden = "registry_pindah_keluar")]
    Table,
    NomorSkp,
    Nik,
    Ke,
    Keluarga,
    At,
}

#[derive(DeriveIden)]
enum Pendatang {
    #[sea_orm(iden = "registry_pendatang")]
    Table,
    Nik,
    NomorSkp,
    Dari,
    Biodata,
    StatusKartu,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum Perubahan {
    #[sea_orm(iden = "registry_perubahan")]
    Table,
    NomorBerkas,
    Nik,
    Sop,
    Before,
    After,
    At,
}

#[derive(DeriveIden)]
enum KartuKeluarga {
    #[sea_orm(iden = "registry_kartu_keluarga")]
    Table,
    NoKk,
    NomorBerkas,
    PrintedAt,
}

#[derive(DeriveIden)]
enum Penduduk {
    #[sea_orm(iden = "registry_penduduk")]
    Table,
    Nik,
    Nama,
    NoKk,
    JenisKelamin,
    TempatLahir,
    TanggalLahir,
    Alamat,
    Desa,
    UpdatedAt,
    StatusKartu,
}

/// The SIAK operator's worklist: the berkas at SIAK's desk, waiting for the operator at `/siak`
/// (where the register is set to `entry = "desk"`), each with the message it came with.
struct M0005Antrian;

impl MigrationName for M0005Antrian {
    fn name(&self) -> &str {
        "m0005_registry_antrian"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0005Antrian {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Antrian::Table)
                .if_not_exists()
                .col(string(Antrian::NomorBerkas).primary_key())
                .col(string(Antrian::Sop))
                .col(string(Antrian::Kecamatan))
                .col(json(Antrian::Berkas))
                .col(timestamp_with_time_zone(Antrian::ArrivedAt))
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Antrian {
    #[sea_orm(iden = "registry_antrian")]
    Table,
    NomorBerkas,
    Sop,
    Kecamatan,
    Berkas,
    ArrivedAt,
}

/// The biodata's other elements (agama, status perkawinan, pekerjaan…), a column each, empty
/// for the residents recorded before: every row stays as it was.
struct M0006Rincian;

impl MigrationName for M0006Rincian {
    fn name(&self) -> &str {
        "m0006_registry_penduduk_rincian"
    }
}

#[derive(DeriveIden)]
enum Rincian {
    Rt,
    Rw,
    Agama,
    StatusPerkawinan,
    Pekerjaan,
    Kewarganegaraan,
    GolonganDarah,
    Pendidikan,
    Hubungan,
    NamaAyah,
    NamaIbu,
}

#[async_trait::async_trait]
impl MigrationTrait for M0006Rincian {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use Rincian::*;
        let columns = [
            Rt,
            Rw,
            Agama,
            StatusPerkawinan,
            Pekerjaan,
            Kewarganegaraan,
            GolonganDarah,
            Pendidikan,
            Hubungan,
            NamaAyah,
            NamaIbu,
        ];
        ktpel_store::migrations::add_columns(m, "registry_penduduk", columns.map(string_null)).await
    }
}
