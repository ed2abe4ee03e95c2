//! One way to wire a service at a site: its settings placed there, built, declared, run.
//!
//! A service says what it is ([`Service`]: build from its settings, declare its queues, run
//! until shutdown) and, where the site changes more than its region and database, how
//! ([`AtSite`]: a kecamatan's registry is a copy of SIAK; a Dinas's NID Scheduler sends to the
//! Pusat Data). [`Place`] does the rest the same way for every service, so that a site is
//! configuration, not code in seven places.

use crate::SiteSettings;
use ktpel_bus::{Broker, BusError, Handler, Shutdown, Worker};
use ktpel_settings::{DatabaseSettings, OwnSettings, ServiceSettings, SettingsError, Validate};
use sea_orm::DatabaseConnection;
use std::future::Future;

/// What a site decides for a service's own keys, beyond the region and database every
/// service gets from it. Most services take nothing more.
pub trait AtSite {
    fn at_site(&mut self, _site: &SiteSettings) {}

    /// Where several sites share one process and one `data/` (the demo), the site's folder
    /// for the service's default files, so that two sites do not share one (two Dinas, one
    /// chip-signing key).
    fn in_data_dir(&mut self, _dir: &str) {}
}

/// A service: the same shape for all (settings → build → declare → run with a shutdown
/// signal), so that `ktpel up`, `ktpel serve` and the tests start any of them the same way.
/// Its [`Worker`] holds the database, the consumer of its queue (whose [`Handler`] is the
/// service's list of routes) and its outbox's relay; the rest comes from there.
pub trait Service: Sized + Send + 'static {
    /// The service's own keys (its settings are `ServiceSettings<Self::Own>`).
    type Own: OwnSettings + AtSite + Send + Sync;
    /// What handles the service's queue: its [`ktpel_bus::Router`].
    type Handler: Handler;
    /// Why it could not be built.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Opens and migrates the service's database and prepares its consumer; nothing touches
    /// the broker until [`Service::declare`] or [`Service::run`].
    fn build(
        settings: &ServiceSettings<Self::Own>,
        broker: Broker,
    ) -> impl Future<Output = Result<Self, Self::Error>> + Send;

    /// The service's database, consumer and relay.
    fn worker(&self) -> &Worker<Self::Handler>;

    /// Runs until `shutdown`: the consumer finishes the message in hand, the relay its batch.
    fn run(self, shutdown: Shutdown) -> impl Future<Output = ()> + Send;

    /// Declares the service's queues (at start, before it reports ready). Idempotent.
    fn declare(&self) -> impl Future<Output = Result<(), BusError>> + Send {
        self.worker().declare()
    }

    /// The service's database (status pages, desks, tests).
    fn db(&self) -> DatabaseConnection {
        self.worker().db().clone()
    }

    /// Changes after each transaction the service's consumer commits: a desk waits on it to
    /// look for new work as soon as some may have arrived.
    fn committed(&self) -> tokio::sync::watch::Receiver<u64> {
        self.worker().committed()
    }
}

/// Why a service could not start at a site.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{service}: {source}")]
    Settings {
        service: &'static str,
        source: SettingsError,
    },
    #[error("{service}: {source}")]
    Build {
        service: &'static str,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Where services run: the site, and where their default SQLite files go.
#[derive(Debug, Clone, Default)]
pub struct Place {
    pub site: SiteSettings,
    /// A folder of this site's own for the services' default SQLite files, when several sites
    /// share one process and one `data/` (the demo); `None`: each service's own settings.
    pub data_dir: Option<String>,
}

impl Place {
    /// `S`'s settings (`config/<service>.toml`, `KTPEL__…`, `KTPEL_<SERVICE>__…`) as this
    /// site places them — its region the site's code, its database in the site's folder,
    /// its own keys as [`AtSite`] says — and checked.
    pub fn settings<S: OwnSettings + AtSite>(&self) -> Result<ServiceSettings<S>, SettingsError> {
        // Placed first, checked after: a kecamatan's registry copy gets its region from the site.
        let mut settings: ServiceSettings<S> = ktpel_settings::load_unchecked(S::SERVICE)?;
        self.apply(&mut settings);
        settings.validate()?;
        Ok(settings)
    }

    /// Places `settings` at this site (what [`Place::settings`] does after loading).
    pub fn apply<S: OwnSettings + AtSite>(&self, settings: &mut ServiceSettings<S>) {
        if let Some(code) = self.site.name.code() {
            settings.region = Some(code.to_string());
        }
        if let Some(dir) = &self.data_dir {
            if settings.database.url == DatabaseSettings::sqlite_for(S::SERVICE).url {
                settings.database.url = format!("sqlite://{dir}/{}.db", S::SERVICE).into();
            }
            settings.own.in_data_dir(dir);
        }
        settings.own.at_site(&self.site);
    }

    /// Builds `S` placed here on `broker` and declares its queues; a broker that does not
    /// answer yet is not fatal (the consumer declares again once it does).
    pub async fn start<S: Service>(&self, broker: &Broker) -> Result<S, StartError> {
        let service = S::Own::SERVICE;
        let settings = self
            .settings::<S::Own>()
            .map_err(|source| StartError::Settings { service, source })?;
        let service = S::build(&settings, broker.clone())
            .await
            .map_err(|e| StartError::Build {
                service,
                source: Box::new(e),
            })?;
        if let Err(e) = service.declare().await {
            tracing::warn!(service = S::Own::SERVICE, error = %e, "cannot declare the queue yet");
        }
        Ok(service)
    }
}
