//! The settings sections every service shares: the broker, the database, telemetry.

use crate::{BrokerUrls, Secret, SettingsError, Validate};
use serde::{Deserialize, Serialize};

/// How to reach RabbitMQ (`[amqp]`, `KTPEL__AMQP__…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmqpSettings {
    /// `amqp://user:pass@host:port/vhost` (the vhost URL-encoded, `%2f` for `/`); for a
    /// cluster, every node's URL (a list, or comma-separated), tried in turn.
    pub url: BrokerUrls,
    /// How many unacknowledged deliveries a consumer may hold (basic.qos).
    pub prefetch: u16,
    /// Messages a consumer handles at once; messages of one berkas stay in order.
    pub partitions: u16,
    /// The most waiting deliveries a partition applies in one transaction (1: one each).
    pub batch: u16,
    /// How long, in milliseconds, a partition that has a delivery waits for more to fill its
    /// batch (0: it takes only what has arrived). Under load, fewer and larger transactions;
    /// at rest, a hop is this much slower.
    pub batch_wait_ms: u64,
    /// Publisher confirms that may be outstanding at once (the pipelined window).
    pub confirm_window: usize,
    /// Redeliveries before a quorum queue dead-letters a message (`x-delivery-limit`).
    pub delivery_limit: u32,
    /// How many hours the outbox keeps a row after publishing it (what left, and when, for
    /// an operator asking); then the relay deletes it. 0 keeps every row; at most ten years.
    pub outbox_retention_hours: u64,
}

impl AmqpSettings {
    /// How long published outbox rows are kept; `None`: for good.
    pub fn outbox_retention(&self) -> Option<std::time::Duration> {
        (self.outbox_retention_hours > 0).then(|| {
            std::time::Duration::from_secs(self.outbox_retention_hours.saturating_mul(3600))
        })
    }
}

impl Default for AmqpSettings {
    fn default() -> Self {
        Self {
            url: BrokerUrls::one("amqp://guest:guest@127.0.0.1:5672/%2f"),
            prefetch: 64,
            partitions: partitions(),
            batch: 64,
            batch_wait_ms: BATCH_WAIT_MS,
            confirm_window: 1000,
            delivery_limit: 5,
            outbox_retention_hours: OUTBOX_RETENTION_HOURS,
        }
    }
}

/// The machine's cores, at most 4. More partitions than cores only split each consumer's
/// deliveries into smaller batches: on two cores, 2 gave about a tenth more berkas per second
/// than 4 (`bench pipeline --desks instant --partitions …`).
fn partitions() -> u16 {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4) as u16)
}

/// A week: long enough to answer "did it leave, and when?" about anything a desk did in the
/// week, short enough that the table stays the size of a week's messages.
const OUTBOX_RETENTION_HOURS: u64 = 24 * 7;
/// Ten years: beyond it a cut-off counted back from now stops being a date the databases take.
const OUTBOX_RETENTION_HOURS_MAX: u64 = 24 * 3653;

/// Measured with `bench pipeline --desks instant`: 2 ms gave about a tenth more
/// berkas per second than 0 on two cores, the consumers' transactions half as many.
const BATCH_WAIT_MS: u64 = 2;

impl Validate for AmqpSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.url.validate("amqp.url")?;
        if self.prefetch == 0 {
            return Err(SettingsError::invalid(
                "amqp.prefetch",
                "0 would mean unlimited; give a positive number",
            ));
        }
        if self.partitions == 0 {
            return Err(SettingsError::invalid(
                "amqp.partitions",
                "must be at least 1",
            ));
        }
        if self.batch == 0 {
            return Err(SettingsError::invalid("amqp.batch", "must be at least 1"));
        }
        if self.batch_wait_ms > 1000 {
            return Err(SettingsError::invalid(
                "amqp.batch_wait_ms",
                "at most 1000: every hop of every berkas waits this long at rest",
            ));
        }
        if self.confirm_window == 0 {
            return Err(SettingsError::invalid(
                "amqp.confirm_window",
                "must be at least 1",
            ));
        }
        if self.outbox_retention_hours > OUTBOX_RETENTION_HOURS_MAX {
            return Err(SettingsError::invalid(
                "amqp.outbox_retention_hours",
                format!(
                    "at most {OUTBOX_RETENTION_HOURS_MAX} (ten years); 0 keeps every row for good"
                ),
            ));
        }
        if self.delivery_limit == 0 {
            return Err(SettingsError::invalid(
                "amqp.delivery_limit",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

/// Where a service keeps its tables (`[database]`, `KTPEL__DATABASE__…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://data/<service>.db` (the embedded default) or `postgres://…`.
    pub url: Secret,
    /// Upper bound of the connection pool.
    pub max_connections: u32,
}

impl DatabaseSettings {
    /// The embedded default for a service: one SQLite file under `data/`.
    pub fn sqlite_for(service: &str) -> Self {
        Self {
            url: Secret::new(format!("sqlite://data/{service}.db")),
            max_connections: 8,
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self::sqlite_for("ktpel")
    }
}

impl Validate for DatabaseSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        let known = ["sqlite:", "postgres://", "postgresql://"];
        if !known.iter().any(|p| self.url.expose().starts_with(p)) {
            return Err(SettingsError::invalid(
                "database.url",
                format!("`{}` is neither sqlite: nor postgres://", self.url),
            ));
        }
        if self.max_connections == 0 {
            return Err(SettingsError::invalid(
                "database.max_connections",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

/// Logs and traces (`[telemetry]`, `KTPEL__TELEMETRY__…`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetrySettings {
    /// An OTLP/gRPC endpoint such as `http://otel-collector:4317`; unset, or empty (what a
    /// compose file's `${OTLP_ENDPOINT:-}` gives without the ops room), means logs to stderr
    /// only.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub otlp_endpoint: Option<String>,
    /// A `tracing` filter such as `info,ktpel_bus=debug`; `RUST_LOG` wins when set.
    pub log_filter: Option<String>,
}

/// An optional text where an empty one is none.
fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    Ok(text.filter(|t| !t.trim().is_empty()))
}

impl Validate for TelemetrySettings {
    fn validate(&self) -> Result<(), SettingsError> {
        match &self.otlp_endpoint {
            Some(e) if !(e.starts_with("http://") || e.starts_with("https://")) => {
                Err(SettingsError::invalid(
                    "telemetry.otlp_endpoint",
                    format!("`{e}` is not an http:// or https:// URL"),
                ))
            }
            _ => Ok(()),
        }
    }
}
