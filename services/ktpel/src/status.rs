//! What a running process can be asked about: its services' databases, its broker, the NID
//! Scheduler's panel, its site and the site's link. `run` (and the demo) build it once; the
//! HTTP face ([`crate::http`]), the report ([`crate::report`]) and the gauges
//! ([`crate::metrics`]) read it.

use ktpel_afis_sync::panel::PanelSource;
use ktpel_bus::Broker;
use ktpel_site::{Link, Management, Site};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The process as the status endpoints see it. Cheap to clone.
#[derive(Clone)]
pub struct Status(Arc<Parts>);

struct Parts {
    services: Vec<(&'static str, DatabaseConnection)>,
    broker: Broker,
    panel: Option<PanelSource>,
    site: Site,
    link: Option<(Link, Management)>,
    max_days_offline: u32,
}

impl Status {
    /// The status of `services` (each by name, with its database) and the NID Scheduler's
    /// `panel` if the process runs one, at `site` on `broker`; `link` is the site's link to its
    /// parent with the management API that runs it; `max_days_offline` is how long the
    /// stations may go without the Pusat Data having their records.
    pub fn new(
        services: Vec<(&'static str, DatabaseConnection)>,
        panel: Option<PanelSource>,
        broker: Broker,
        site: Site,
        link: Option<(Link, Management)>,
        max_days_offline: u32,
    ) -> Self {
        Self(Arc::new(Parts {
            services,
            broker,
            panel,
            site,
            link,
            max_days_offline,
        }))
    }

    /// Each service's name and database.
    pub fn services(&self) -> &[(&'static str, DatabaseConnection)] {
        &self.0.services
    }

    pub fn db_of(&self, service: &str) -> Option<&DatabaseConnection> {
        self.0
            .services
            .iter()
            .find(|(n, _)| *n == service)
            .map(|(_, db)| db)
    }

    pub fn intake(&self) -> Option<&DatabaseConnection> {
        self.db_of(ktpel_intake::SERVICE)
    }

    pub fn broker(&self) -> &Broker {
        &self.0.broker
    }

    pub fn panel(&self) -> Option<&PanelSource> {
        self.0.panel.as_ref()
    }

    pub fn site(&self) -> Site {
        self.0.site
    }

    pub fn link(&self) -> Option<&(Link, Management)> {
        self.0.link.as_ref()
    }

    pub fn max_days_offline(&self) -> u32 {
        self.0.max_days_offline
    }
}
