//! What the backbone counts, per queue, as OpenTelemetry instruments (see
//! `ktpel_telemetry::metrics`): each delivery and what became of it, how long handling took,
//! how long the berkas waited at the desk that sent it, and what the outbox published.
//!
//! Series are labelled by queue in the OpenTelemetry messaging conventions
//! (`messaging.system`, `messaging.destination.name`), never by berkas, NIK or name.

use crate::outcome::Outcome;
use opentelemetry::{
    KeyValue,
    metrics::{Counter, Histogram},
};
use std::time::Duration;

/// The header that names the SOP step the message's sender has just done (`S01.3`).
pub const STEP_HEADER: &str = "ktpel-step";
/// The header that says how long, in milliseconds, the berkas waited for that step.
pub const WAITED_HEADER: &str = "ktpel-waited-ms";

/// One consumer's instruments and the labels of its queue.
pub(crate) struct ConsumerMetrics {
    delivered: Counter<u64>,
    applied: Counter<u64>,
    duplicates: Counter<u64>,
    retried: Counter<u64>,
    dead_lettered: Counter<u64>,
    requeued: Counter<u64>,
    duration: Histogram<f64>,
    wait: Histogram<f64>,
    labels: Vec<KeyValue>,
}

impl ConsumerMetrics {
    pub(crate) fn new(queue: &str, service: &str) -> Self {
        let metrics = Self::instruments(queue, service);
        // Every series exists from the start, at 0: a dashboard shows "no retries", not "no
        // data", and `rate()` sees the first one.
        for counter in [
            &metrics.delivered,
            &metrics.applied,
            &metrics.duplicates,
            &metrics.retried,
            &metrics.dead_lettered,
            &metrics.requeued,
        ] {
            counter.add(0, &metrics.labels);
        }
        metrics
    }

    fn instruments(queue: &str, service: &str) -> Self {
        let meter = ktpel_telemetry::metrics::meter();
        let counter = |name: &'static str, what: &'static str| {
            meter.u64_counter(name).with_description(what).build()
        };
        Self {
            delivered: counter(
                "messaging.client.consumed.messages",
                "Deliveries taken from the queue (each redelivery counts again)",
            ),
            applied: counter(
                "ktpel.messages.applied",
                "Messages whose effect committed with their inbox row",
            ),
            duplicates: counter(
                "ktpel.messages.duplicates",
                "Deliveries dropped because the inbox had their message already",
            ),
            retried: counter(
                "ktpel.messages.retried",
                "Transient failures retried with backoff",
            ),
            dead_lettered: counter(
                "ktpel.messages.dead_lettered",
                "Messages copied to the dead-letter queue with a reason",
            ),
            requeued: counter(
                "ktpel.messages.requeued",
                "Messages returned to the queue after their retries were used up",
            ),
            duration: meter
                .f64_histogram("messaging.process.duration")
                .with_unit("s")
                .with_description("Handling one delivery, from reading it to its ack")
                .with_boundaries(ktpel_telemetry::metrics::HANDLER_BUCKETS.to_vec())
                .build(),
            wait: meter
                .f64_histogram("ktpel.berkas.wait")
                .with_unit("s")
                .with_description(
                    "How long a berkas waited at a desk, from its arrival to the desk's step",
                )
                .with_boundaries(ktpel_telemetry::metrics::WAIT_BUCKETS.to_vec())
                .build(),
            labels: vec![
                KeyValue::new("messaging.system", "rabbitmq"),
                KeyValue::new("messaging.destination.name", queue.to_owned()),
                KeyValue::new("messaging.consumer.group.name", service.to_owned()),
            ],
        }
    }

    pub(crate) fn delivered(&self) {
        self.delivered.add(1, &self.labels);
    }

    pub(crate) fn retried(&self) {
        self.retried.add(1, &self.labels);
    }

    /// What became of one delivery, how long it took, and — for a berkas applied for the
    /// first time — how long it waited at the step its sender names.
    pub(crate) fn settled(
        &self,
        outcome: &Outcome,
        took: Duration,
        headers: &std::collections::BTreeMap<String, String>,
    ) {
        let counter = match outcome {
            Outcome::Applied => &self.applied,
            Outcome::Duplicate => &self.duplicates,
            Outcome::DeadLettered(_) => &self.dead_lettered,
            Outcome::Requeued(_) => &self.requeued,
        };
        counter.add(1, &self.labels);
        self.duration.record(took.as_secs_f64(), &self.labels);
        if matches!(outcome, Outcome::Applied)
            && let Some((procedure, step, waited)) = waited_at_step(headers)
        {
            self.wait.record(
                waited.as_secs_f64(),
                &[
                    KeyValue::new("ktpel.procedure", procedure),
                    KeyValue::new("ktpel.step", step),
                ],
            );
        }
    }
}

/// The step (and its procedure) a message's sender did, and how long the berkas waited for
/// it, from the headers a hand-off carries.
pub(crate) fn waited_at_step(
    headers: &std::collections::BTreeMap<String, String>,
) -> Option<(String, String, Duration)> {
    let step = headers.get(STEP_HEADER)?;
    let waited: u64 = headers.get(WAITED_HEADER)?.parse().ok()?;
    let procedure = step.split('.').next().unwrap_or(step).to_owned();
    Some((procedure, step.clone(), Duration::from_millis(waited)))
}

/// The outbox relay's count of what it published, per service.
pub(crate) struct Published {
    counter: Counter<u64>,
    labels: [KeyValue; 2],
}

impl Published {
    pub(crate) fn new(service: &str) -> Self {
        let published = Self {
            counter: ktpel_telemetry::metrics::meter()
                .u64_counter("ktpel.outbox.published")
                .with_description("Outbox rows published to the broker, confirmed")
                .build(),
            labels: [
                KeyValue::new("messaging.system", "rabbitmq"),
                KeyValue::new("ktpel.service", service.to_owned()),
            ],
        };
        published.add(0);
        published
    }

    pub(crate) fn add(&self, rows: usize) {
        self.counter.add(rows as u64, &self.labels);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_off_says_its_step_and_wait() {
        let headers = [
            (STEP_HEADER.to_owned(), "S01.3".to_owned()),
            (WAITED_HEADER.to_owned(), "1500".to_owned()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            waited_at_step(&headers),
            Some(("S01".into(), "S01.3".into(), Duration::from_millis(1500)))
        );
    }

    #[test]
    fn other_messages_have_no_wait() {
        let mut headers = std::collections::BTreeMap::new();
        assert_eq!(waited_at_step(&headers), None);
        headers.insert(STEP_HEADER.to_owned(), "S01.3".to_owned());
        headers.insert(WAITED_HEADER.to_owned(), "soon".to_owned());
        assert_eq!(
            waited_at_step(&headers),
            None,
            "an unreadable wait is no wait"
        );
    }
}
