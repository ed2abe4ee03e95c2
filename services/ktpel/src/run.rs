//! `ktpel up` and `ktpel serve`: build services from their settings, run them until Ctrl-C or
//! SIGTERM, then shut down gracefully (consumers finish the message in hand, relays their
//! batch, connections close).
//!
//! A process runs at one site (`[site]`, `--site`): every place on one broker by default, or
//! a kecamatan node, a Dinas data centre or the Pusat Data on its own broker, with its links
//! to the site above declared at start. The site decides which services run and which region
//! each serves; everything else comes from each service's own settings.

use crate::http::{self, Status};
use ktpel_afis_sync::{AfisSync, AfisSyncSettings, panel::PanelSource};
use ktpel_biometric::{Biometric, BiometricSettings};
use ktpel_bus::{Broker, Shutdown};
use ktpel_card_print::{CardPrint, CardPrintSettings};
use ktpel_distribution::{Distribution, DistributionSettings};
use ktpel_intake::{Intake, IntakeSettings};
use ktpel_pusat_data::{PusatData, PusatDataSettings};
use ktpel_registry::{Registry, RegistrySettings};
use ktpel_settings::{AmqpSettings, DatabaseSettings, TelemetrySettings, Validate};
use ktpel_site::{Management, Site, SiteKind, SiteSettings};
use sea_orm::DatabaseConnection;
use std::{future::Future, net::SocketAddr, pin::Pin};
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ServiceName {
    Intake,
    Registry,
    Biometric,
    AfisSync,
    PusatData,
    CardPrint,
    Distribution,
}

impl ServiceName {
    pub const ALL: [ServiceName; 7] = [
        ServiceName::Registry,
        ServiceName::Intake,
        ServiceName::Biometric,
        ServiceName::AfisSync,
        ServiceName::PusatData,
        ServiceName::CardPrint,
        ServiceName::Distribution,
    ];

    /// The services a site runs (DESIGN.md, "Sites").
    pub fn at(site: &Site) -> &'static [ServiceName] {
        match site.kind() {
            SiteKind::All => &Self::ALL,
            // The kecamatan ppp desk, its enrollment stations, and its copy of SIAK.
            SiteKind::Kecamatan => &[
                ServiceName::Registry,
                ServiceName::Intake,
                ServiceName::Biometric,
            ],
            SiteKind::Dinas => &[
                ServiceName::Registry,
                ServiceName::Intake,
                ServiceName::Biometric,
                ServiceName::AfisSync,
                ServiceName::CardPrint,
                ServiceName::Distribution,
            ],
            SiteKind::PusatData => &[ServiceName::PusatData],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Intake => ktpel_intake::SERVICE,
            Self::Registry => ktpel_registry::SERVICE,
            Self::Biometric => ktpel_biometric::SERVICE,
            Self::AfisSync => ktpel_afis_sync::SERVICE,
            Self::PusatData => ktpel_pusat_data::SERVICE,
            Self::CardPrint => ktpel_card_print::SERVICE,
            Self::Distribution => ktpel_distribution::SERVICE,
        }
    }
}

type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A service built and declared, ready to run.
pub(crate) struct Built {
    pub(crate) name: &'static str,
    pub(crate) db: DatabaseConnection,
    /// The NID Scheduler's panel (and through it its controls), for afis-sync.
    pub(crate) panel: Option<PanelSource>,
    run: Box<dyn FnOnce(Shutdown) -> Task + Send>,
}

/// Where services run: the site, its parent's URL, and where their SQLite files go.
#[derive(Clone, Default)]
pub(crate) struct Place {
    pub(crate) site: SiteSettings,
    /// A folder of this site's own for the services' default SQLite files, when several sites
    /// share one process and one `data/` (the demo); `None`: each service's own settings.
    pub(crate) data_dir: Option<String>,
}

impl Place {
    /// Each service's region at this site: the site's code (`None` at `all`: every region).
    fn region(&self, region: &mut Option<String>) {
        if let Some(code) = self.site.name.code() {
            *region = Some(code.to_string());
        }
    }

    /// The service's database: its default SQLite file moves to this site's folder.
    fn database(&self, service: &str, database: &mut DatabaseSettings) {
        if let Some(dir) = &self.data_dir
            && database.url == DatabaseSettings::sqlite_for(service).url
        {
            database.url = format!("sqlite://{dir}/{service}.db");
        }
    }
}

/// Builds `services` from their own settings, placed at `place`, on the shared `broker`, in
/// order.
pub(crate) async fn build_all(
    services: &[ServiceName],
    broker: &Broker,
    place: &Place,
) -> Result<Vec<Built>, String> {
    let mut built = Vec::new();
    for service in services {
        built.push(build(*service, broker, place).await?);
    }
    Ok(built)
}

/// Starts every built service; each task ends after `shutdown`.
pub(crate) fn spawn_all(built: Vec<Built>, shutdown: &Shutdown) -> Vec<JoinHandle<()>> {
    built
        .into_iter()
        .map(|b| tokio::spawn((b.run)(shutdown.clone())))
        .collect()
}

/// What `ktpel` needs of a service: the same shape for all (settings → build → declare →
/// run with a shutdown signal).
trait Service: Sized + Send + 'static {
    type Settings: Default + serde::Serialize + serde::de::DeserializeOwned + Validate;
    const NAME: &'static str;
    /// Sets what the site decides: the region served, the database folder.
    fn place(settings: &mut Self::Settings, place: &Place);
    fn build(
        settings: &Self::Settings,
        broker: Broker,
    ) -> impl Future<Output = Result<Self, String>> + Send;
    fn declare(&self) -> impl Future<Output = Result<(), ktpel_bus::BusError>> + Send;
    fn db(&self) -> DatabaseConnection;
    /// The NID Scheduler panel, for the one service that has it.
    fn panel(&self) -> Option<PanelSource> {
        None
    }
    fn run(self, shutdown: Shutdown) -> impl Future<Output = ()> + Send;
}

macro_rules! service {
    ($ty:ty, $settings:ty, $name:expr, $place:expr) => {
        service!($ty, $settings, $name, $place, |_s: &$ty| None);
    };
    ($ty:ty, $settings:ty, $name:expr, $place:expr, $panel:expr) => {
        impl Service for $ty {
            type Settings = $settings;
            const NAME: &'static str = $name;
            fn place(settings: &mut Self::Settings, place: &Place) {
                place.database($name, &mut settings.database);
                ($place)(settings, place)
            }
            async fn build(settings: &Self::Settings, broker: Broker) -> Result<Self, String> {
                <$ty>::build(settings, broker)
                    .await
                    .map_err(|e| format!("{}: {e}", $name))
            }
            async fn declare(&self) -> Result<(), ktpel_bus::BusError> {
                <$ty>::declare(self).await
            }
            fn db(&self) -> DatabaseConnection {
                self.db.clone()
            }
            fn panel(&self) -> Option<PanelSource> {
                ($panel)(self)
            }
            async fn run(self, shutdown: Shutdown) {
                <$ty>::run(self, shutdown).await
            }
        }
    };
}

service!(
    Intake,
    IntakeSettings,
    ktpel_intake::SERVICE,
    |s: &mut IntakeSettings, p: &Place| p.region(&mut s.region)
);
service!(
    Registry,
    RegistrySettings,
    ktpel_registry::SERVICE,
    |s: &mut RegistrySettings, p: &Place| {
        p.region(&mut s.region);
        // A kecamatan keeps a copy of its residents; the Dinas's register announces to them.
        match p.site.name.kind() {
            SiteKind::Kecamatan => s.mode = ktpel_registry::config::Mode::Copy,
            SiteKind::Dinas => s.announce = true,
            SiteKind::All | SiteKind::PusatData => {}
        }
    }
);
service!(
    Biometric,
    BiometricSettings,
    ktpel_biometric::SERVICE,
    |s: &mut BiometricSettings, p: &Place| p.region(&mut s.region)
);
service!(
    AfisSync,
    AfisSyncSettings,
    ktpel_afis_sync::SERVICE,
    |s: &mut AfisSyncSettings, p: &Place| {
        // A site's Server AFIS sends the enrollments of its region, to the site above
        // (the Pusat Data, for a Dinas) unless told otherwise.
        p.region(&mut s.serves);
        if p.site.name.kind() == SiteKind::Dinas && s.pusat_data_amqp_url.is_none() {
            s.pusat_data_amqp_url = p.site.parent_url.clone();
        }
    },
    |s: &AfisSync| Some(s.panel())
);
service!(
    PusatData,
    PusatDataSettings,
    ktpel_pusat_data::SERVICE,
    |_: &mut PusatDataSettings, _: &Place| ()
);
service!(
    CardPrint,
    CardPrintSettings,
    ktpel_card_print::SERVICE,
    |s: &mut CardPrintSettings, p: &Place| p.region(&mut s.region)
);
service!(
    Distribution,
    DistributionSettings,
    ktpel_distribution::SERVICE,
    |s: &mut DistributionSettings, p: &Place| p.region(&mut s.region)
);

/// The registry's settings as this process's site places it (for `ktpel registry …`).
pub(crate) fn registry_settings() -> Result<RegistrySettings, String> {
    let place = Place {
        site: process_settings(&SiteArgs::default())?.site,
        data_dir: None,
    };
    placed_settings::<Registry>(&place)
}

/// `S`'s settings (`config/<name>.toml`, `KTPEL__…`, `KTPEL_<NAME>__…`) placed at `place`,
/// checked.
fn placed_settings<S: Service>(place: &Place) -> Result<S::Settings, String> {
    let mut settings: S::Settings = ktpel_settings::load(S::NAME).map_err(|e| e.to_string())?;
    S::place(&mut settings, place);
    settings
        .validate()
        .map_err(|e| format!("{}: {e}", S::NAME))?;
    Ok(settings)
}

/// Builds service `S` from its own settings (`config/<name>.toml`, `KTPEL__…`,
/// `KTPEL_<NAME>__…`) placed at `place`, on the shared broker connection, and declares its
/// queue.
async fn build_one<S: Service>(broker: &Broker, place: &Place) -> Result<Built, String> {
    let settings = placed_settings::<S>(place)?;
    let service = S::build(&settings, broker.clone()).await?;
    if let Err(e) = service.declare().await {
        // Not fatal: the consumer declares again once the broker answers.
        tracing::warn!(service = S::NAME, error = %e, "cannot declare the queue yet");
    }
    Ok(Built {
        name: S::NAME,
        db: service.db(),
        panel: service.panel(),
        run: Box::new(move |stop| Box::pin(service.run(stop))),
    })
}

async fn build(service: ServiceName, broker: &Broker, place: &Place) -> Result<Built, String> {
    match service {
        ServiceName::Intake => build_one::<Intake>(broker, place).await,
        ServiceName::Registry => build_one::<Registry>(broker, place).await,
        ServiceName::Biometric => build_one::<Biometric>(broker, place).await,
        ServiceName::AfisSync => build_one::<AfisSync>(broker, place).await,
        ServiceName::PusatData => build_one::<PusatData>(broker, place).await,
        ServiceName::CardPrint => build_one::<CardPrint>(broker, place).await,
        ServiceName::Distribution => build_one::<Distribution>(broker, place).await,
    }
}

/// The settings every process reads before its services: the broker, telemetry, the site.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Process {
    pub amqp: AmqpSettings,
    pub telemetry: TelemetrySettings,
    #[serde(default)]
    pub site: SiteSettings,
}

impl Validate for Process {
    fn validate(&self) -> Result<(), ktpel_settings::SettingsError> {
        self.amqp.validate()?;
        self.telemetry.validate()?;
        self.site
            .check()
            .map_err(|e| ktpel_settings::SettingsError::invalid(e.key, e.reason))
    }
}

/// What `--site` and `--parent-url` say, over the `[site]` settings.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SiteArgs {
    /// The site this process is: all (every place on one broker), kecamatan:<code>,
    /// dinas:<code> or pusat-data. Default: `site.name` (`KTPEL__SITE__NAME`), else all.
    #[arg(long)]
    pub site: Option<Site>,
    /// The parent site's AMQP URL as this site's broker reaches it, with this site's user
    /// there (`site.parent_url`, `KTPEL__SITE__PARENT_URL`; prefer the environment: it is a
    /// secret).
    #[arg(long)]
    pub parent_url: Option<String>,
}

/// The process's settings with `args` over them, checked.
pub(crate) fn process_settings(args: &SiteArgs) -> Result<Process, String> {
    let mut settings: Process = ktpel_settings::load("ktpel").map_err(|e| e.to_string())?;
    if let Some(site) = args.site {
        settings.site.name = site;
    }
    if let Some(url) = &args.parent_url {
        settings.site.parent_url = Some(url.clone());
    }
    settings.validate().map_err(|e| e.to_string())?;
    Ok(settings)
}

/// Every service of the site in one process.
pub async fn up(addr: SocketAddr, site: SiteArgs) -> Result<(), String> {
    let settings = process_settings(&site)?;
    let services = ServiceName::at(&settings.site.name);
    run(settings, services, addr, "ktpel").await
}

/// One service in this process (containers).
pub async fn serve(service: ServiceName, addr: SocketAddr, site: SiteArgs) -> Result<(), String> {
    let settings = process_settings(&site)?;
    run(settings, &[service], addr, service.as_str()).await
}

async fn run(
    settings: Process,
    services: &[ServiceName],
    addr: SocketAddr,
    process: &str,
) -> Result<(), String> {
    let telemetry =
        ktpel_telemetry::init(process, &settings.telemetry).map_err(|e| e.to_string())?;
    let broker = Broker::new(&settings.amqp.url, process);
    let place = Place {
        site: settings.site.clone(),
        data_dir: None,
    };
    let built = build_all(services, &broker, &place).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let shutdown = Shutdown::new();
    let links = site_links(&settings, &broker, &shutdown);
    tracing::info!(site = %settings.site.name, services = ?services, "starting");
    let status = Status::new(
        built.iter().map(|b| (b.name, b.db.clone())).collect(),
        broker.clone(),
        built.iter().find_map(|b| b.panel.clone()),
        settings.site.name,
        links,
    );
    tracing::info!(%addr, "status page on http://{addr}/");
    let web = tokio::spawn(http::serve(listener, status, shutdown.clone()));
    let tasks = spawn_all(built, &shutdown);
    wait_for_signal().await;
    tracing::info!("shutting down");
    shutdown.cancel();
    for t in tasks {
        let _ = t.await;
    }
    let _ = web.await;
    broker.close().await;
    telemetry.shutdown();
    Ok(())
}

/// This site's link to its parent, declared in the background (again and again with backoff
/// until the management API and the broker take it: a site starts even while its broker is
/// still coming up), for the status page.
pub(crate) fn site_links(
    settings: &Process,
    broker: &Broker,
    shutdown: &Shutdown,
) -> Option<(ktpel_site::Link, Management)> {
    let link = settings.site.link(&settings.amqp.url)?;
    let management = settings.site.management(&settings.amqp.url);
    let (l, m, b, stop) = (
        link.clone(),
        management.clone(),
        broker.clone(),
        shutdown.clone(),
    );
    tokio::spawn(async move {
        let mut delay = std::time::Duration::from_millis(500);
        loop {
            match l.declare(&b, &m).await {
                Ok(()) => return,
                Err(e) => {
                    tracing::error!(site = %l.site, error = %e, ?delay, "cannot declare the site's links yet")
                }
            }
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(delay) => {}
            }
            delay = (delay * 2).min(std::time::Duration::from_secs(30));
        }
    });
    Some((link, management))
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
