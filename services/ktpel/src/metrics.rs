//! The site's state as OpenTelemetry gauges, read from the last [`Report`]: the NID
//! Scheduler's window (S19), outboxes, queues and dead letters, berkas per procedure and
//! status, berkas out at the desks, the links, the stations and the S20 bundles.
//!
//! What happens (deliveries, retries, dead letters, handling time, the wait per SOP step) is
//! counted where it happens, in `ktpel_bus::metrics`; what *is* is measured here, each time
//! `/metrics` is scraped (and, with OTLP, on a timer), and observed by the instruments'
//! callbacks. Every label is a site, region, service, queue, procedure, step or status:
//! never a NIK, a name or a berkas number.

use crate::report::Report;
use opentelemetry::{
    KeyValue,
    metrics::{ObservableCounter, ObservableGauge},
};
use std::sync::{Arc, Mutex};

type Readings = Vec<(f64, Vec<KeyValue>)>;

/// One instrument: its name, unit and description, and how it reads the last report.
struct Instrument {
    name: &'static str,
    /// Empty for a plain number.
    unit: &'static str,
    what: &'static str,
    read: fn(&Report) -> Readings,
}

/// The instruments and the report they read.
#[derive(Clone)]
pub struct Gauges {
    last: Arc<Mutex<Option<Report>>>,
    _gauges: Arc<Vec<ObservableGauge<f64>>>,
    _counters: Arc<Vec<ObservableCounter<f64>>>,
}

fn kv(key: &'static str, value: impl Into<opentelemetry::Value>) -> KeyValue {
    KeyValue::new(key, value)
}

fn one(up: bool) -> f64 {
    if up { 1.0 } else { 0.0 }
}

impl Gauges {
    /// The process's gauges, registered with its meter on first use. One set per process: an
    /// observable instrument's callback stays registered for the provider's life, so a second
    /// set (the demo's second part) would report a stale report beside the new one.
    pub fn of_process() -> Self {
        static GAUGES: std::sync::OnceLock<Gauges> = std::sync::OnceLock::new();
        GAUGES.get_or_init(Self::register).clone()
    }

    /// Registers every instrument of [`GAUGES`] and [`COUNTERS`] with the process's meter.
    fn register() -> Self {
        let last: Arc<Mutex<Option<Report>>> = Arc::default();
        let meter = ktpel_telemetry::metrics::meter();
        let observe = |read: fn(&Report) -> Readings| {
            let last = last.clone();
            move |observer: &dyn opentelemetry::metrics::AsyncInstrument<f64>| {
                let last = last.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(report) = last.as_ref() {
                    for (value, labels) in read(report) {
                        observer.observe(value, &labels);
                    }
                }
            }
        };
        let gauges = GAUGES
            .iter()
            .map(|i| {
                let mut b = meter
                    .f64_observable_gauge(i.name)
                    .with_description(i.what)
                    .with_callback(observe(i.read));
                if !i.unit.is_empty() {
                    b = b.with_unit(i.unit);
                }
                b.build()
            })
            .collect();
        let counters = COUNTERS
            .iter()
            .map(|i| {
                meter
                    .f64_observable_counter(i.name)
                    .with_description(i.what)
                    .with_callback(observe(i.read))
                    .build()
            })
            .collect();
        Self {
            last,
            _gauges: Arc::new(gauges),
            _counters: Arc::new(counters),
        }
    }

    /// The report the next collection reads.
    pub fn observe(&self, report: Report) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(report);
    }
}

/// Measures `status` for the process's gauges every `every`, until `shutdown` (for OTLP
/// export, which pushes on its own timer; a Prometheus scrape measures for itself).
pub async fn measure_every(
    status: crate::status::Status,
    every: std::time::Duration,
    shutdown: ktpel_bus::Shutdown,
) {
    loop {
        let report = crate::report::measure(&status).await;
        Gauges::of_process().observe(report);
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

fn queue_readings(
    r: &Report,
    value: impl Fn(&crate::report::QueueReport) -> Option<u32>,
) -> Readings {
    r.queues
        .iter()
        .filter_map(|q| {
            Some((
                f64::from(value(q)?),
                vec![
                    kv("messaging.system", "rabbitmq"),
                    kv("messaging.destination.name", q.name.clone()),
                ],
            ))
        })
        .collect()
}

/// What *is*, as gauges.
const GAUGES: &[Instrument] = &[
    Instrument {
        name: "ktpel.broker.up",
        unit: "",
        what: "1 while the site's broker connection is open",
        read: |r| vec![(one(r.mq == "CONNECTED"), vec![])],
    },
    Instrument {
        name: "ktpel.database.up",
        unit: "",
        what: "1 while the service's database answers",
        read: |r| {
            r.services
                .iter()
                .map(|s| {
                    (
                        one(s.database == "CONNECTED"),
                        vec![kv("ktpel.service", s.name)],
                    )
                })
                .collect()
        },
    },
    Instrument {
        name: "ktpel.outbox.backlog",
        unit: "",
        what: "Outbox rows written and not yet published",
        read: |r| {
            r.services
                .iter()
                .filter_map(|s| Some((s.outbox_pending? as f64, vec![kv("ktpel.service", s.name)])))
                .collect()
        },
    },
    Instrument {
        name: "ktpel.outbox.oldest_age",
        unit: "s",
        what: "How long the oldest unpublished outbox row has waited (0: none waits)",
        read: |r| {
            r.services
                .iter()
                .filter_map(|s| Some((s.outbox_oldest_seconds?, vec![kv("ktpel.service", s.name)])))
                .collect()
        },
    },
    Instrument {
        name: "ktpel.queue.messages",
        unit: "",
        what: "Messages ready in the service's queue",
        read: |r| queue_readings(r, |q| q.messages),
    },
    Instrument {
        name: "ktpel.queue.consumers",
        unit: "",
        what: "Consumers attached to the service's queue",
        read: |r| queue_readings(r, |q| q.consumers),
    },
    Instrument {
        name: "ktpel.queue.dead_letters",
        unit: "",
        what: "Messages in the queue's dead-letter queue, waiting for an operator",
        read: |r| queue_readings(r, |q| q.dead_letters),
    },
    Instrument {
        name: "ktpel.berkas",
        unit: "",
        what: "Berkas at this site's counter, per procedure and card status",
        read: |r| {
            r.berkas_per_procedure
                .iter()
                .map(|c| {
                    (
                        c.count as f64,
                        vec![
                            kv("ktpel.procedure", c.sop.clone()),
                            kv("ktpel.status", c.status.clone()),
                        ],
                    )
                })
                .collect()
        },
    },
    Instrument {
        name: "ktpel.berkas.open",
        unit: "",
        what: "Berkas not yet archived, by the hop the counter last handed them to",
        read: |r| {
            r.open_at_hops
                .iter()
                .map(|h| (h.count as f64, vec![kv("ktpel.hop", h.hop.clone())]))
                .collect()
        },
    },
    Instrument {
        name: "ktpel.berkas.open.oldest_age",
        unit: "s",
        what: "How long the oldest open berkas has gone since its last timeline entry",
        read: |r| {
            r.open_at_hops
                .iter()
                .map(|h| (h.oldest_seconds, vec![kv("ktpel.hop", h.hop.clone())]))
                .collect()
        },
    },
    Instrument {
        name: "ktpel.site.link.up",
        unit: "",
        what: "1 while a shovel of the site's link to its parent is running",
        read: |r| {
            r.links
                .iter()
                .map(|l| {
                    (
                        one(l.state == "running"),
                        vec![
                            kv("ktpel.link", l.link.clone()),
                            kv("ktpel.shovel", l.shovel.clone()),
                        ],
                    )
                })
                .collect()
        },
    },
    Instrument {
        name: "ktpel.site.link.waiting",
        unit: "",
        what: "Messages waiting at this site to go up its link",
        read: |r| {
            r.links
                .iter()
                .filter_map(|l| {
                    Some((
                        f64::from(l.waiting?),
                        vec![kv("ktpel.link", l.link.clone())],
                    ))
                })
                .collect()
        },
    },
    Instrument {
        name: "ktpel.stations.unsent",
        unit: "",
        what: "Enrollments taken at the stations that the Pusat Data does not have yet (S02, S03, S20)",
        read: |r| {
            r.stations
                .iter()
                .map(|s| (s.unsent as f64, vec![]))
                .collect()
        },
    },
    Instrument {
        name: "ktpel.stations.unsent.oldest_age",
        unit: "s",
        what: "How long the oldest enrollment not at the Pusat Data has waited",
        read: |r| {
            r.stations
                .iter()
                .map(|s| (s.days * 86400.0, vec![]))
                .collect()
        },
    },
    Instrument {
        name: "ktpel.nid_scheduler.records_waiting",
        unit: "",
        what: "S19.5: records this Server AFIS has not yet sent to the Pusat Data",
        read: |r| {
            r.scheduler
                .iter()
                .filter_map(|p| Some((p.records_waiting? as f64, vec![])))
                .collect()
        },
    },
    Instrument {
        name: "ktpel.nid_scheduler.records_sent_since_install",
        unit: "",
        what: "Records this Server AFIS has sent to the Pusat Data since it was installed",
        read: |r| {
            r.scheduler
                .iter()
                .filter_map(|p| Some((p.records_sent_since_install? as f64, vec![])))
                .collect()
        },
    },
    Instrument {
        name: "ktpel.nid_scheduler.status",
        unit: "",
        what: "S19.4: 1 for the Scheduler Current Status (RUNNING, PAUSED, STOPPED), 0 for the others",
        read: |r| {
            r.scheduler
                .iter()
                .flat_map(|p| {
                    let now = p.scheduler_current_status.to_string();
                    ["RUNNING", "PAUSED", "STOPPED"]
                        .map(|s| (one(now == s), vec![kv("ktpel.status", s)]))
                })
                .collect()
        },
    },
    Instrument {
        name: "ktpel.nid_scheduler.mode",
        unit: "",
        what: "S19.4: 1 for the Server AFIS's Mode (PRODUCTION, TRAINING), 0 for the other",
        read: |r| {
            r.scheduler
                .iter()
                .flat_map(|p| {
                    let production = matches!(p.mode, ktpel_afis_sync::config::Mode::Production);
                    [
                        (one(production), vec![kv("ktpel.mode", "PRODUCTION")]),
                        (one(!production), vec![kv("ktpel.mode", "TRAINING")]),
                    ]
                })
                .collect()
        },
    },
    Instrument {
        name: "ktpel.nid_scheduler.database.up",
        unit: "",
        what: "S19.4: 1 while the Server AFIS's database is CONNECTED",
        read: |r| {
            r.scheduler
                .iter()
                .map(|p| {
                    (
                        one(p.database == ktpel_afis_sync::panel::Connection::Connected),
                        vec![],
                    )
                })
                .collect()
        },
    },
    Instrument {
        name: "ktpel.nid_scheduler.link.up",
        unit: "",
        what: "S19.1–S19.3: 1 while the link answers (PC client, broker, Pusat Data)",
        read: |r| {
            r.scheduler
                .iter()
                .flat_map(|p| p.links.iter())
                .map(|l| {
                    (
                        one(l.up),
                        vec![kv("ktpel.step", l.step), kv("ktpel.link", l.link)],
                    )
                })
                .collect()
        },
    },
];

/// What only grows, as counters.
const COUNTERS: &[Instrument] = &[
    Instrument {
        name: "ktpel.nid_scheduler.records_sent",
        unit: "",
        what: "S19.5: No. of Records sent after Restart (starts again at 0 when the Server AFIS restarts)",
        read: |r| {
            r.scheduler
                .iter()
                .map(|p| (p.records_sent_after_restart as f64, vec![]))
                .collect()
        },
    },
    Instrument {
        name: "ktpel.bundles.imported",
        unit: "",
        what: "S20: backup bundles imported at this Server AFIS",
        read: |r| {
            r.bundles
                .iter()
                .map(|b| (b.bundles as f64, vec![]))
                .collect()
        },
    },
    Instrument {
        name: "ktpel.bundles.records",
        unit: "",
        what: "S20: records of the imported bundles, by what became of them (new, known, refused)",
        read: |r| {
            r.bundles
                .iter()
                .flat_map(|b| {
                    [("new", b.new), ("known", b.known), ("refused", b.refused)]
                        .map(|(o, n)| (n as f64, vec![kv("ktpel.outcome", o)]))
                })
                .collect()
        },
    },
];
