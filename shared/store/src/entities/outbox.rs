//! `bus_outbox`: messages written in the same transaction as the state change that caused them.
//!
//! A relay publishes unsent rows in `id` order with publisher confirms and then sets
//! `published_at`. The order of `id` is the order of commit within one aggregate (a berkas, an
//! enrollment), which is the order consumers must see.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bus_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The AMQP message id (UUIDv7), fixed at enqueue so a re-publish keeps it and the
    /// consumer's inbox can recognise the duplicate.
    #[sea_orm(unique)]
    pub message_id: Uuid,
    /// What the messages are about (berkas number, enrollment id): order is kept per aggregate.
    pub aggregate_id: String,
    pub exchange: String,
    pub routing_key: String,
    /// `kind.vN`, the AMQP `type` property.
    pub message_type: String,
    pub correlation_id: String,
    /// Extra AMQP headers as a JSON object of strings (the W3C `traceparent` among them).
    pub headers: Json,
    #[sea_orm(column_type = "Blob")]
    pub body: Vec<u8>,
    pub created_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
