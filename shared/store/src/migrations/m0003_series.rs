//! `ktpel_series`: the last number handed out in each series (a desk's berkas of a day, a
//! Dinas's cards of a day), so the next is one row's update ([`crate::series`]) rather than a
//! count of the numbers already issued. Such a count by `LIKE 'prefix%'` used no index on
//! PostgreSQL outside the C collation: every number read the whole table, ever longer.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_ktpel_series"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Series::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Series::Name)
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Series::Last).big_integer().not_null())
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Series {
    #[sea_orm(iden = "ktpel_series")]
    Table,
    Name,
    Last,
}
