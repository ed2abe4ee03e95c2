//! The NID Scheduler window of S19.4–S19.5, measured when asked for, plus the link checks of
//! S19.1–S19.3. Served as JSON by `ktpel` and printed by `ktpel scheduler status`.

use crate::{
    config::Mode,
    scheduler::{SchedulerHandle, SchedulerStatus, totals},
};
use ktpel_bus::Broker;
use sea_orm::DatabaseConnection;
use serde::Serialize;
use std::fmt;

/// `CONNECTED` or `DISCONNECTED`, as the window says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Connection {
    Connected,
    Disconnected,
}

impl Connection {
    fn from(up: bool) -> Self {
        if up {
            Self::Connected
        } else {
            Self::Disconnected
        }
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connected => "CONNECTED",
            Self::Disconnected => "DISCONNECTED",
        })
    }
}

/// One link of S19.1–S19.3 and whether it answers now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkCheck {
    pub step: &'static str,
    pub link: &'static str,
    pub up: bool,
    pub detail: String,
}

/// The panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Panel {
    pub mode: Mode,
    pub database: Connection,
    pub co_relation_id: String,
    pub mq: Connection,
    pub scheduler_current_status: SchedulerStatus,
    pub records_sent_after_restart: u64,
    pub records_sent_since_install: Option<u64>,
    pub records_waiting: Option<u64>,
    /// Records that came to this Server AFIS in S20 backup bundles (sent like the rest).
    pub records_imported: Option<u64>,
    pub last_error: Option<String>,
    pub links: Vec<LinkCheck>,
}

/// What the panel looks at.
#[derive(Clone)]
pub struct PanelSource {
    pub mode: Mode,
    pub co_relation_id: String,
    pub db: DatabaseConnection,
    /// The site's own broker (the "modem" of S19.2).
    pub local: Broker,
    pub pusat_data: Broker,
    pub scheduler: SchedulerHandle,
}

/// The queue the enrollment stations' back end (biometric) consumes: a consumer on it means
/// the stations can reach the Server AFIS.
pub const STATION_QUEUE: &str = "biometric.operator";
/// The Pusat Data's intake queue: a consumer on it means the Pusat Data is listening.
pub const PUSAT_DATA_QUEUE: &str = "pusat_data.enrollment";

impl PanelSource {
    /// Measures everything now.
    pub async fn panel(&self) -> Panel {
        let database = Connection::from(self.db.ping().await.is_ok());
        let mq_up = self.local.answers().await;
        let (sent, waiting) = match totals(&self.db).await {
            Ok((s, w)) => (Some(s), Some(w)),
            Err(_) => (None, None),
        };
        let station = self.local.queue_stats(STATION_QUEUE).await;
        let pusat = self.pusat_data.queue_stats(PUSAT_DATA_QUEUE).await;
        let links = vec![
            LinkCheck {
                step: "S19.1",
                link: "PC client → Server AFIS",
                up: matches!(station, Ok(s) if s.consumers > 0),
                detail: match station {
                    Ok(s) => format!("{} station back end(s) attached", s.consumers),
                    Err(e) => e.to_string(),
                },
            },
            LinkCheck {
                step: "S19.2",
                link: "Server AFIS → broker",
                up: mq_up,
                detail: self.local.redacted_url(),
            },
            LinkCheck {
                step: "S19.3",
                link: "Server AFIS → Pusat Data",
                up: matches!(pusat, Ok(s) if s.consumers > 0),
                detail: match pusat {
                    Ok(s) if s.consumers > 0 => {
                        format!("Pusat Data listening ({} consumer(s))", s.consumers)
                    }
                    Ok(_) => {
                        "the Pusat Data broker answers but nobody consumes the enrollments".into()
                    }
                    Err(e) => e.to_string(),
                },
            },
        ];
        Panel {
            mode: self.mode,
            database,
            co_relation_id: self.co_relation_id.clone(),
            mq: Connection::from(mq_up),
            scheduler_current_status: self.scheduler.status(),
            records_sent_after_restart: self.scheduler.sent_since_restart(),
            records_sent_since_install: sent,
            records_waiting: waiting,
            records_imported: crate::import::imported_total(&self.db).await.ok(),
            last_error: self.scheduler.last_error(),
            links,
        }
    }
}

impl fmt::Display for Panel {
    /// The window as an operator reads it (S19.4–S19.5).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = self.mode;
        let opt = |n: Option<u64>| n.map_or("?".into(), |n| n.to_string());
        writeln!(f, "NID Scheduler")?;
        writeln!(f, "  Mode                          {mode}")?;
        writeln!(f, "  Database                      {}", self.database)?;
        writeln!(f, "  Co-Relation Id                {}", self.co_relation_id)?;
        writeln!(f, "  MQ                            {}", self.mq)?;
        writeln!(
            f,
            "  Scheduler Current Status      {}",
            self.scheduler_current_status
        )?;
        writeln!(f, "Enrollment Status")?;
        writeln!(
            f,
            "  No. of Records sent after Restart  {}   (since install: {}, waiting: {})",
            self.records_sent_after_restart,
            opt(self.records_sent_since_install),
            opt(self.records_waiting)
        )?;
        writeln!(
            f,
            "  No. of Records imported from backups (S20)  {}",
            opt(self.records_imported)
        )?;
        writeln!(f, "Links")?;
        for l in &self.links {
            writeln!(
                f,
                "  {} {:<28} {:<4}  {}",
                l.step,
                l.link,
                if l.up { "UP" } else { "DOWN" },
                l.detail
            )?;
        }
        if let Some(e) = &self.last_error {
            writeln!(f, "Last error: {e}")?;
        }
        Ok(())
    }
}
