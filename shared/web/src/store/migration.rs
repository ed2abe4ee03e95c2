//! The account store's tables.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(M0001Accounts)]
    }
}

struct M0001Accounts;

impl MigrationName for M0001Accounts {
    fn name(&self) -> &str {
        "m0001_desk_accounts"
    }
}

#[derive(DeriveIden)]
enum DeskAkun {
    Table,
    Username,
    PasswordHash,
    Role,
    Kecamatan,
    Disabled,
    FailedAttempts,
    LockedUntil,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DeskJejak {
    Table,
    Id,
    At,
    Username,
    Action,
    NomorBerkas,
    Detail,
}

#[async_trait::async_trait]
impl MigrationTrait for M0001Accounts {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DeskAkun::Table)
                .if_not_exists()
                .col(string(DeskAkun::Username).primary_key())
                .col(string(DeskAkun::PasswordHash))
                .col(string(DeskAkun::Role))
                .col(string_null(DeskAkun::Kecamatan))
                .col(boolean(DeskAkun::Disabled))
                .col(integer(DeskAkun::FailedAttempts))
                .col(timestamp_with_time_zone_null(DeskAkun::LockedUntil))
                .col(timestamp_with_time_zone(DeskAkun::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DeskJejak::Table)
                .if_not_exists()
                .col(big_pk_auto(DeskJejak::Id))
                .col(timestamp_with_time_zone(DeskJejak::At))
                .col(string(DeskJejak::Username))
                .col(string(DeskJejak::Action))
                .col(string_null(DeskJejak::NomorBerkas))
                .col(text(DeskJejak::Detail))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("desk_jejak_berkas")
                .table(DeskJejak::Table)
                .col(DeskJejak::NomorBerkas)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }
}
