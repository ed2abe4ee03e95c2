//! AMQP field tables <-> plain string maps. The rest of the crate (and the outbox rows) only
//! deal in `BTreeMap<String, String>`; lapin's types stay in this file and the two that talk
//! to the broker.

use lapin::types::{AMQPValue, FieldTable, ShortString};
use std::collections::BTreeMap;

pub(crate) fn to_field_table(map: &BTreeMap<String, String>) -> FieldTable {
    let mut table = FieldTable::default();
    for (k, v) in map {
        table.insert(
            ShortString::from(k.as_str()),
            AMQPValue::LongString(v.as_str().into()),
        );
    }
    table
}

/// String-valued headers of a delivery; other value types are rendered with `Debug` so that
/// nothing a sender attached disappears from a dead-lettered copy's reason.
pub(crate) fn from_field_table(table: Option<&FieldTable>) -> BTreeMap<String, String> {
    let Some(table) = table else {
        return BTreeMap::new();
    };
    table
        .inner()
        .iter()
        .filter_map(|(k, v)| {
            let text = match v {
                AMQPValue::LongString(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
                AMQPValue::ShortString(s) => s.as_str().to_owned(),
                AMQPValue::LongLongInt(n) => n.to_string(),
                AMQPValue::LongInt(n) => n.to_string(),
                AMQPValue::LongUInt(n) => n.to_string(),
                AMQPValue::ShortInt(n) => n.to_string(),
                AMQPValue::Boolean(b) => b.to_string(),
                // x-death and friends: kept out of the string view.
                AMQPValue::FieldArray(_) | AMQPValue::FieldTable(_) => return None,
                other => format!("{other:?}"),
            };
            Some((k.as_str().to_owned(), text))
        })
        .collect()
}

/// Reads an integer header (RabbitMQ sends `x-delivery-count` as a long).
pub(crate) fn integer(table: Option<&FieldTable>, key: &str) -> Option<i64> {
    match table?.inner().get(key)? {
        AMQPValue::LongLongInt(n) => Some(*n),
        AMQPValue::LongInt(n) => Some(i64::from(*n)),
        AMQPValue::LongUInt(n) => Some(i64::from(*n)),
        AMQPValue::ShortInt(n) => Some(i64::from(*n)),
        AMQPValue::ShortShortInt(n) => Some(i64::from(*n)),
        _ => None,
    }
}
