//! `bus_inbox`: the ids of the messages a consumer has already applied.
//!
//! The row is inserted in the same transaction as the handler's effect. A redelivered message
//! (the consumer died after commit, before ack) finds its id here and is acknowledged without
//! running the handler again: effects happen exactly once even though delivery is at least once.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bus_inbox")]
pub struct Model {
    /// The consumer (queue) that applied the message: one database may serve several.
    #[sea_orm(primary_key, auto_increment = false)]
    pub consumer: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub message_id: Uuid,
    pub message_type: String,
    pub processed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
