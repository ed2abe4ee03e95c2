//! The inbox: "has this consumer already applied this message?"
//!
//! [`record`] inserts `(consumer, message_id)` inside the handler's transaction. If the row is
//! already there the message is a redelivery of one whose effect committed, and the consumer
//! acks it without running the handler: the effect happens once.

use crate::BusError;
use ktpel_store::entities::inbox;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

/// Records that `consumer` is applying `message_id`. `Ok(false)` means it already had.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    consumer: &str,
    message_id: Uuid,
    message_type: &str,
) -> Result<bool, BusError> {
    Ok(record_all(db, consumer, &[(message_id, message_type)])
        .await?
        .contains(&message_id))
}

/// Records that `consumer` is applying each of `messages` (id and type), in one statement;
/// returns the ids that were new. An id the inbox already had is a redelivery, not applied
/// again. A batch of deliveries pays one round trip for its inbox rows instead of one each.
pub async fn record_all<C: ConnectionTrait>(
    db: &C,
    consumer: &str,
    messages: &[(Uuid, &str)],
) -> Result<std::collections::HashSet<Uuid>, BusError> {
    use sea_orm::sea_query::{OnConflict, Query};
    if messages.is_empty() {
        return Ok(Default::default());
    }
    let now = chrono::Utc::now();
    let mut insert = Query::insert();
    insert.into_table(inbox::Entity).columns([
        inbox::Column::Consumer,
        inbox::Column::MessageId,
        inbox::Column::MessageType,
        inbox::Column::ProcessedAt,
    ]);
    for (id, message_type) in messages {
        insert.values_panic([
            consumer.into(),
            (*id).into(),
            (*message_type).into(),
            now.into(),
        ]);
    }
    insert
        .on_conflict(
            OnConflict::columns([inbox::Column::Consumer, inbox::Column::MessageId])
                .do_nothing()
                .to_owned(),
        )
        .returning_col(inbox::Column::MessageId);
    let rows = db
        .query_all(&insert)
        .await
        .map_err(BusError::db("inbox insert"))?;
    rows.iter()
        .map(|row| row.try_get::<Uuid>("", "message_id"))
        .collect::<Result<_, _>>()
        .map_err(BusError::db("inbox insert"))
}

/// How many messages `consumer` has applied (for status pages and tests).
pub async fn count<C: ConnectionTrait>(db: &C, consumer: &str) -> Result<u64, BusError> {
    inbox::Entity::find()
        .filter(inbox::Column::Consumer.eq(consumer))
        .count(db)
        .await
        .map_err(BusError::db("inbox count"))
}
