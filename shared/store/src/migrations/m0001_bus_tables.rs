//! Creates `bus_inbox` and `bus_outbox` (see [`crate::entities`]).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_bus_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Inbox::Table)
                    .if_not_exists()
                    .col(string(Inbox::Consumer))
                    .col(uuid(Inbox::MessageId))
                    .col(string(Inbox::MessageType))
                    .col(timestamp_with_time_zone(Inbox::ProcessedAt))
                    .primary_key(Index::create().col(Inbox::Consumer).col(Inbox::MessageId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Outbox::Id))
                    .col(uuid_uniq(Outbox::MessageId))
                    .col(string(Outbox::AggregateId))
                    .col(string(Outbox::Exchange))
                    .col(string(Outbox::RoutingKey))
                    .col(string(Outbox::MessageType))
                    .col(string(Outbox::CorrelationId))
                    .col(json(Outbox::Headers))
                    .col(blob(Outbox::Body))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(Outbox::PublishedAt))
                    .to_owned(),
            )
            .await?;
        // The relay's only query: unsent rows in id order.
        manager
            .create_index(
                Index::create()
                    .name("bus_outbox_unsent")
                    .table(Outbox::Table)
                    .col(Outbox::PublishedAt)
                    .col(Outbox::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Inbox::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Inbox {
    #[sea_orm(iden = "bus_inbox")]
    Table,
    Consumer,
    MessageId,
    MessageType,
    ProcessedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    #[sea_orm(iden = "bus_outbox")]
    Table,
    Id,
    MessageId,
    AggregateId,
    Exchange,
    RoutingKey,
    MessageType,
    CorrelationId,
    Headers,
    Body,
    CreatedAt,
    PublishedAt,
}
