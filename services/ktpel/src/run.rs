//! `ktpel up` and `ktpel serve`: build services from their settings, run them until Ctrl-C or
//! SIGTERM, then shut down gracefully (consumers finish the message in hand, relays their
//! batch, connections close).
//!
//! A process runs at one site (`[site]`, `--site`): every place on one broker by default, or
//! a kecamatan node, a Dinas data centre or the Pusat Data on its own broker, with its links
//! to the site above declared at start. The site decides which services run and which region
//! each serves; everything else comes from each service's own settings.

use crate::{
    auth::{Role, Tokens, TokensError},
    http,
    status::Status,
};
use ktpel_afis_sync::{AfisSync, panel::PanelSource};
use ktpel_biometric::Biometric;
use ktpel_bus::{Broker, Shutdown};
use ktpel_card_print::CardPrint;
use ktpel_distribution::Distribution;
use ktpel_intake::Intake;
use ktpel_pusat_data::PusatData;
use ktpel_registry::{Registry, RegistrySettings};
use ktpel_settings::{AmqpSettings, OwnSettings, SettingsError, TelemetrySettings, Validate};
use ktpel_site::{Management, Place, Service, Site, SiteKind, SiteSettings, StartError};
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
    /// Changes after each transaction the service's consumer commits.
    pub(crate) committed: tokio::sync::watch::Receiver<u64>,
    run: Box<dyn FnOnce(Shutdown) -> Task + Send>,
}

/// Builds `services` from their own settings, placed at `place`, on the shared `broker`, in
/// order.
pub(crate) async fn build_all(
    services: &[ServiceName],
    broker: &Broker,
    place: &Place,
) -> Result<Vec<Built>, StartError> {
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

/// A service's settings as this process's site (`args` over `[site]`) places it: what the
/// desk and ops commands (`ktpel registry …`, `ktpel backup …`) open.
pub(crate) fn placed_settings<S: OwnSettings + ktpel_site::AtSite>(
    args: &SiteArgs,
) -> Result<ktpel_settings::ServiceSettings<S>, SettingsError> {
    let place = Place {
        site: process_settings(args)?.site,
        data_dir: None,
    };
    place.settings()
}

/// The registry's settings as this process's site places it (for `ktpel registry …`).
pub(crate) fn registry_settings() -> Result<RegistrySettings, SettingsError> {
    placed_settings(&SiteArgs::default())
}

/// `S` placed at `place` on `broker`, built and declared (one way for every service: see
/// `ktpel_site::wiring`), ready to run.
async fn build_one<S: Service>(
    broker: &Broker,
    place: &Place,
    panel: impl FnOnce(&S) -> Option<PanelSource>,
) -> Result<Built, StartError> {
    let service: S = place.start(broker).await?;
    Ok(Built {
        name: <S::Own as OwnSettings>::SERVICE,
        db: service.db(),
        panel: panel(&service),
        committed: service.committed(),
        run: Box::new(move |stop| Box::pin(service.run(stop))),
    })
}

async fn build(service: ServiceName, broker: &Broker, place: &Place) -> Result<Built, StartError> {
    match service {
        ServiceName::Intake => build_one::<Intake>(broker, place, |_| None).await,
        ServiceName::Registry => build_one::<Registry>(broker, place, |_| None).await,
        ServiceName::Biometric => build_one::<Biometric>(broker, place, |_| None).await,
        // The NID Scheduler's panel, for the status page and `ktpel scheduler`.
        ServiceName::AfisSync => build_one::<AfisSync>(broker, place, |s| Some(s.panel())).await,
        ServiceName::PusatData => build_one::<PusatData>(broker, place, |_| None).await,
        ServiceName::CardPrint => build_one::<CardPrint>(broker, place, |_| None).await,
        ServiceName::Distribution => build_one::<Distribution>(broker, place, |_| None).await,
    }
}

/// The settings every process reads before its services: the broker, telemetry, the site.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Process {
    pub amqp: AmqpSettings,
    pub telemetry: TelemetrySettings,
    #[serde(default)]
    pub site: SiteSettings,
    #[serde(default)]
    pub http: HttpSettings,
    /// The desks in the browser: their accounts and sessions.
    #[serde(default)]
    pub desks: ktpel_web::DeskSettings,
}

/// `[http]`: the HTTP face's bearer tokens (see [`crate::auth`]).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct HttpSettings {
    /// A line `role token` per role (operator, ppp); made with fresh tokens when missing.
    pub tokens_file: String,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            tokens_file: "data/http-tokens".into(),
        }
    }
}

/// The tokens the desk commands send: `KTPEL_TOKEN`, else `role`'s in the site's tokens
/// file (`http.tokens_file`, as `ktpel up` made it beside them).
pub(crate) fn token_for(role: Role) -> Result<String, TokenError> {
    if let Ok(token) = std::env::var("KTPEL_TOKEN") {
        return Ok(token);
    }
    let settings: Process = ktpel_settings::load("ktpel")?;
    let path = std::path::Path::new(&settings.http.tokens_file);
    Tokens::load(path)?
        .token_of(role)
        .map(str::to_owned)
        .ok_or_else(|| TokenError::NoneOfRole {
            path: path.to_owned(),
            role,
        })
}

/// Why a desk command has no token to send.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("{0} (set KTPEL_TOKEN, or run beside `ktpel up`)")]
    File(#[from] TokensError),
    #[error("{}: no token of the {role} role", path.display())]
    NoneOfRole {
        path: std::path::PathBuf,
        role: Role,
    },
}

/// Why a process could not start or run its services.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("telemetry: {0}")]
    Telemetry(#[from] ktpel_telemetry::TelemetryError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tokens(#[from] TokensError),
    #[error(transparent)]
    Desks(#[from] crate::desks::DesksError),
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
    /// A kecamatan node or mobile unit with no link (S02, S03): its enrollments reach an
    /// online Server AFIS in S20 backups (`site.offline`).
    #[arg(long)]
    pub offline: bool,
}

/// The process's settings with `args` over them, checked.
pub(crate) fn process_settings(args: &SiteArgs) -> Result<Process, SettingsError> {
    let mut settings: Process = ktpel_settings::load("ktpel")?;
    if let Some(site) = args.site {
        settings.site.name = site;
    }
    if let Some(url) = &args.parent_url {
        settings.site.parent_url = Some(url.clone().into());
    }
    if args.offline {
        settings.site.offline = true;
    }
    settings.validate()?;
    Ok(settings)
}

/// Every service of the site in one process.
pub async fn up(addr: SocketAddr, site: SiteArgs) -> Result<(), RunError> {
    let settings = process_settings(&site)?;
    let services = ServiceName::at(&settings.site.name);
    run(settings, services, addr, "ktpel").await
}

/// One service in this process (containers).
pub async fn serve(service: ServiceName, addr: SocketAddr, site: SiteArgs) -> Result<(), RunError> {
    let settings = process_settings(&site)?;
    run(settings, &[service], addr, service.as_str()).await
}

async fn run(
    settings: Process,
    services: &[ServiceName],
    addr: SocketAddr,
    process: &str,
) -> Result<(), RunError> {
    let site = &settings.site.name;
    let region = site.code().map(|c| c.to_string());
    let telemetry = ktpel_telemetry::init(
        process,
        &settings.telemetry,
        ktpel_telemetry::metrics::site_labels(&site.to_string(), region.as_deref()),
    )?;
    let broker = Broker::new(&settings.amqp.url, process);
    let place = Place {
        site: settings.site.clone(),
        data_dir: None,
    };
    // A tokens file that cannot be read is a misconfiguration: stop. One that cannot be made
    // (a read-only file system, no secret mounted) leaves every action and every resident's
    // berkas refused, and the rest running.
    let tokens_file = std::path::Path::new(&settings.http.tokens_file);
    let tokens = if tokens_file.exists() {
        Tokens::load(tokens_file)?
    } else {
        Tokens::create(tokens_file).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "no tokens file: the scheduler's controls and the berkas lookups refuse everyone");
            Tokens::none()
        })
    };
    let built = build_all(services, &broker, &place).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| RunError::Listen { addr, source })?;
    let shutdown = Shutdown::new();
    let links = site_links(&settings, &broker, &shutdown).await;
    tracing::info!(site = %settings.site.name, services = ?services, "starting");
    let status = status_of(
        &built,
        broker.clone(),
        settings.site.name,
        links,
        // The stations' limit as the biometric service has it (its default if unreadable:
        // the service itself refused to start then).
        place
            .settings::<ktpel_biometric::config::Own>()
            .map_or(7, |s| s.own.max_days_offline),
    );
    tracing::info!(%addr, "status page on http://{addr}/");
    if settings.telemetry.otlp_endpoint.is_some() {
        // OTLP pushes on its own timer: keep the gauges measured for it.
        tokio::spawn(crate::metrics::measure_every(
            status.clone(),
            std::time::Duration::from_secs(15),
            shutdown.clone(),
        ));
    }
    let desks = crate::desks::router(&settings, &status, &place, &broker, &shutdown).await?;
    let web = tokio::spawn(http::serve(
        listener,
        status,
        tokens,
        desks,
        shutdown.clone(),
    ));
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

/// This site's link to its parent: its uplink queue declared now, before the services
/// start sending (a broker that does not answer yet is not fatal), then kept declared in the
/// background for as long as the site runs (`Link::keep`); and, for the status page, the
/// link and the management API that runs it.
pub(crate) async fn site_links(
    settings: &Process,
    broker: &Broker,
    shutdown: &Shutdown,
) -> Option<(ktpel_site::Link, Management)> {
    let Some(link) = settings.site.link(settings.amqp.url.first().expose()) else {
        if settings.site.offline {
            // S02/S03: no link; what goes up waits here, and S20 backups carry it.
            if let Err(e) = ktpel_site::declare_uplink(broker, &settings.site.name).await {
                tracing::warn!(site = %settings.site.name, error = %e, "cannot declare the uplink queue yet");
            }
            tracing::warn!(site = %settings.site.name, "running offline: enrollments wait in the uplink queue; carry them with `ktpel backup export` (S20)");
        }
        return None;
    };
    let management = settings.site.management(settings.amqp.url.first().expose());
    if let Err(e) = link.declare_uplink_queue(broker).await {
        tracing::warn!(site = %link.site, error = %e, "cannot declare the uplink queue yet");
    }
    tokio::spawn(
        link.clone()
            .keep(broker.clone(), management.clone(), shutdown.clone()),
    );
    Some((link, management))
}

pub(crate) async fn wait_for_signal() {
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

/// The status of the services `built` (their databases, the NID Scheduler's panel if one of
/// them is afis-sync) at `site`, on `broker`.
pub(crate) fn status_of(
    built: &[Built],
    broker: Broker,
    site: Site,
    link: Option<(ktpel_site::Link, Management)>,
    max_days_offline: u32,
) -> Status {
    Status::new(
        built.iter().map(|b| (b.name, b.db.clone())).collect(),
        built.iter().find_map(|b| b.panel.clone()),
        broker,
        site,
        link,
        max_days_offline,
    )
}
