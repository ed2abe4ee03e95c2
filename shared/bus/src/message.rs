//! Messages on the wire.
//!
//! The body is JSON of a typed, versioned struct ([`Message`]); everything else a consumer
//! needs to route, deduplicate, correlate and trace a message travels in AMQP properties:
//!
//! | property | value |
//! |---|---|
//! | `message_id` | a UUIDv7, fixed when the message is written to the outbox |
//! | `correlation_id` | the berkas or enrollment the message is about |
//! | `type` | `<kind>.v<version>`, e.g. `berkas.submitted.v1` |
//! | `timestamp` | seconds since the epoch at publish |
//! | `app_id` | the publishing service |
//! | `delivery_mode` | 2, persistent |
//! | `content_type` | `application/json` |
//! | headers | `traceparent` (W3C), `tracestate` when present |

use crate::{BusError, headers, routing::RoutingKey};
use lapin::{BasicProperties, message::Delivery, types::ShortString};
use serde::{Serialize, de::DeserializeOwned};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A message body with a stable name and schema version.
///
/// Bump `VERSION` for a change old consumers cannot read; a consumer that does not know a
/// version dead-letters the message instead of guessing.
pub trait Message: Serialize + DeserializeOwned + Send + Sync {
    /// Dot-separated name, e.g. `berkas.submitted`.
    const KIND: &'static str;
    /// Schema version of the body.
    const VERSION: u16;

    /// The AMQP `type` property: `<kind>.v<version>`.
    fn message_type() -> String {
        format!("{}.v{}", Self::KIND, Self::VERSION)
    }
}

/// A message ready for the outbox: body encoded, id and trace context fixed.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub message_id: Uuid,
    pub correlation_id: String,
    /// Ordering is kept per aggregate (the berkas number, the enrollment id).
    pub aggregate_id: String,
    pub message_type: String,
    pub routing_key: RoutingKey,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Outgoing {
    /// Encodes `body`, gives it a new UUIDv7 and captures the current trace context.
    pub fn new<M: Message>(
        body: &M,
        routing_key: RoutingKey,
        aggregate_id: impl Into<String>,
        correlation_id: impl Into<String>,
    ) -> Result<Self, BusError> {
        let body = serde_json::to_vec(body).map_err(|source| BusError::Encode {
            message_type: M::message_type(),
            source,
        })?;
        Ok(Self {
            message_id: Uuid::now_v7(),
            correlation_id: correlation_id.into(),
            aggregate_id: aggregate_id.into(),
            message_type: M::message_type(),
            routing_key,
            headers: ktpel_telemetry::propagation::current_headers(),
            body,
        })
    }
}

/// Builds the AMQP properties of a message (see the module table).
pub(crate) fn properties(
    app_id: &str,
    message_id: Uuid,
    correlation_id: &str,
    message_type: &str,
    headers: &BTreeMap<String, String>,
) -> BasicProperties {
    let timestamp = chrono::Utc::now().timestamp().max(0) as u64;
    BasicProperties::default()
        .with_message_id(ShortString::from(message_id.to_string()))
        .with_correlation_id(ShortString::from(correlation_id))
        .with_type(ShortString::from(message_type))
        .with_timestamp(timestamp)
        .with_app_id(ShortString::from(app_id))
        .with_delivery_mode(2)
        .with_content_type(ShortString::from("application/json"))
        .with_headers(headers::to_field_table(headers))
}

/// A delivered message whose envelope (id, type) was readable.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub message_id: Uuid,
    pub correlation_id: Option<String>,
    pub message_type: String,
    pub routing_key: String,
    pub app_id: Option<String>,
    /// Set by the broker when this is not the first delivery.
    pub redelivered: bool,
    /// How often a quorum queue has delivered it before (`x-delivery-count`).
    pub delivery_count: u32,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

/// Why a delivery could not even be read as a message; always permanent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the message has no message_id property")]
    MissingMessageId,
    #[error("the message_id `{0}` is not a UUID")]
    BadMessageId(String),
    #[error("the message has no type property")]
    MissingType,
}

impl Incoming {
    pub(crate) fn from_delivery(d: &Delivery) -> Result<Self, EnvelopeError> {
        let p = &d.properties;
        let id = p
            .message_id()
            .as_ref()
            .ok_or(EnvelopeError::MissingMessageId)?;
        let message_id = Uuid::parse_str(id.as_str())
            .map_err(|_| EnvelopeError::BadMessageId(id.as_str().to_owned()))?;
        let message_type = p
            .kind()
            .as_ref()
            .ok_or(EnvelopeError::MissingType)?
            .as_str()
            .to_owned();
        let delivery_count = headers::integer(p.headers().as_ref(), "x-delivery-count")
            .unwrap_or(0)
            .clamp(0, i64::from(u32::MAX)) as u32;
        Ok(Self {
            message_id,
            correlation_id: p.correlation_id().as_ref().map(|c| c.as_str().to_owned()),
            message_type,
            routing_key: d.routing_key.as_str().to_owned(),
            app_id: p.app_id().as_ref().map(|a| a.as_str().to_owned()),
            redelivered: d.redelivered,
            delivery_count,
            headers: headers::from_field_table(p.headers().as_ref()),
            body: d.data.clone(),
        })
    }

    /// True when this message is an `M` of the version this code knows.
    pub fn is<M: Message>(&self) -> bool {
        self.message_type == M::message_type()
    }

    /// Decodes the body as `M`, refusing another type or version and malformed JSON.
    ///
    /// Every refusal is a permanent failure: redelivering the same bytes cannot help.
    pub fn decode<M: Message>(&self) -> Result<M, crate::HandlerError> {
        if !self.is::<M>() {
            return Err(crate::HandlerError::permanent(format!(
                "expected a {} message, got `{}`",
                M::message_type(),
                self.message_type
            )));
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            crate::HandlerError::permanent(format!(
                "the body of {} {} is not valid: {e}",
                self.message_type, self.message_id
            ))
        })
    }
}
