//! What a site looks like now: its links, broker, services and their outboxes, queues and
//! dead letters, berkas per status and procedure, the NID Scheduler panel, the stations and
//! the S20 bundles. Measured when asked; the status page, `/status` and `/metrics` are three
//! views of one [`Report`]. Nothing in it names a resident.

use crate::status::Status;
use ktpel_afis_sync::{import::BundleTotals, panel::Panel};
use ktpel_bus::outbox;
use ktpel_intake::query::{OpenAtHop, ProcedureCount, StatusCount};
use ktpel_site::LinkState;
use serde::Serialize;

/// The queues a site may run, each with its dead-letter queue.
pub const QUEUES: [&str; 7] = [
    ktpel_intake::startup::QUEUE,
    ktpel_registry::startup::QUEUE,
    ktpel_biometric::startup::QUEUE,
    ktpel_afis_sync::startup::QUEUE,
    ktpel_pusat_data::startup::QUEUE,
    ktpel_card_print::startup::QUEUE,
    ktpel_distribution::startup::QUEUE,
];

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub site: String,
    /// The region code the site serves (empty for `all` and the Pusat Data).
    pub region: String,
    /// Each shovel of the site's link to its parent (none at `all` and the Pusat Data).
    pub links: Vec<LinkState>,
    pub mq: &'static str,
    pub services: Vec<ServiceReport>,
    pub queues: Vec<QueueReport>,
    pub berkas_per_status: Vec<StatusCount>,
    pub berkas_per_procedure: Vec<ProcedureCount>,
    /// The berkas still open, by the hop the counter last handed them to.
    pub open_at_hops: Vec<OpenAtHop>,
    /// The enrollment stations' records not yet at the Pusat Data, and whether they have gone
    /// without it too long (S02, S03, S20); none where no station runs.
    pub stations: Option<ktpel_biometric::backup::Offline>,
    /// The NID Scheduler's window (S19), where this process runs one.
    pub scheduler: Option<Panel>,
    /// The S20 bundles imported at this Server AFIS.
    pub bundles: Option<BundleTotals>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceReport {
    pub name: &'static str,
    pub database: &'static str,
    pub outbox_pending: Option<u64>,
    /// How long the oldest row not yet published has waited (0 when none waits).
    pub outbox_oldest_seconds: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueueReport {
    pub name: String,
    pub messages: Option<u32>,
    pub consumers: Option<u32>,
    pub dead_letters: Option<u32>,
}

/// Berkas per card status, summed over the procedures.
fn per_status(per_procedure: &[ProcedureCount]) -> Vec<StatusCount> {
    let mut statuses: std::collections::BTreeMap<&str, i64> = Default::default();
    for c in per_procedure {
        *statuses.entry(c.status.as_str()).or_default() += c.count;
    }
    statuses
        .into_iter()
        .map(|(status, count)| StatusCount {
            status: status.to_owned(),
            count,
        })
        .collect()
}

#[cfg(test)]
impl Report {
    /// A site with nothing measured (for tests of the views).
    pub fn empty(site: &str) -> Self {
        Self {
            site: site.to_owned(),
            region: String::new(),
            links: Vec::new(),
            mq: "CONNECTED",
            services: Vec::new(),
            queues: Vec::new(),
            berkas_per_status: Vec::new(),
            berkas_per_procedure: Vec::new(),
            open_at_hops: Vec::new(),
            stations: None,
            scheduler: None,
            bundles: None,
        }
    }
}

/// Measures the site now (the site's links through the broker's management API, too).
pub async fn measure(status: &Status) -> Report {
    let now = chrono::Utc::now();
    let mut services = Vec::new();
    for (name, db) in status.services() {
        let up = db.ping().await.is_ok();
        let oldest = outbox::oldest_pending(db).await.ok().map(|at| {
            at.map_or(0.0, |at| {
                (now - at).num_milliseconds().max(0) as f64 / 1000.0
            })
        });
        services.push(ServiceReport {
            name,
            database: if up { "CONNECTED" } else { "DISCONNECTED" },
            outbox_pending: outbox::pending(db).await.ok(),
            outbox_oldest_seconds: oldest,
        });
    }
    let broker = status.broker();
    let mut queues = Vec::new();
    for q in QUEUES {
        let stats = broker.queue_stats(q).await.ok();
        let dlq = ktpel_bus::topology::dead_letter_queue(q);
        queues.push(QueueReport {
            name: q.to_owned(),
            messages: stats.map(|s| s.messages),
            consumers: stats.map(|s| s.consumers),
            dead_letters: broker.queue_depth(&dlq).await.ok(),
        });
    }
    let (berkas_per_procedure, open_at_hops) = match status.intake() {
        Some(db) => (
            ktpel_intake::query::per_procedure(db)
                .await
                .unwrap_or_default(),
            ktpel_intake::query::open_at_hops(db, now)
                .await
                .unwrap_or_default(),
        ),
        None => Default::default(),
    };
    let links = match status.link() {
        Some((link, management)) => link.states(broker, management).await,
        None => Vec::new(),
    };
    let stations = match status.db_of(ktpel_biometric::SERVICE) {
        Some(db) => ktpel_biometric::backup::Offline::measure(db, status.max_days_offline(), now)
            .await
            .ok(),
        None => None,
    };
    let (scheduler, bundles) = match status.panel() {
        Some(source) => (
            Some(source.panel().await),
            ktpel_afis_sync::import::bundle_totals(&source.db)
                .await
                .ok(),
        ),
        None => (None, None),
    };
    Report {
        site: status.site().to_string(),
        region: status
            .site()
            .code()
            .map(|c| c.to_string())
            .unwrap_or_default(),
        links,
        mq: if broker.is_connected().await {
            "CONNECTED"
        } else {
            "DISCONNECTED"
        },
        services,
        queues,
        berkas_per_status: per_status(&berkas_per_procedure),
        berkas_per_procedure,
        open_at_hops,
        stations,
        scheduler,
        bundles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berkas_per_status_is_the_sum_over_the_procedures() {
        let count = |sop: &str, status: &str, count| ProcedureCount {
            sop: sop.into(),
            status: status.into(),
            count,
        };
        let per_procedure = [
            count("S01", "CARD_ACTIVATED", 3),
            count("S01", "PRR", 1),
            count("S06", "CARD_ACTIVATED", 2),
        ];
        assert_eq!(
            per_status(&per_procedure),
            [
                StatusCount {
                    status: "CARD_ACTIVATED".into(),
                    count: 5
                },
                StatusCount {
                    status: "PRR".into(),
                    count: 1
                },
            ]
        );
    }
}
