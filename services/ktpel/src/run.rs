//! `ktpel up` and `ktpel serve`: build services from their settings, run them until Ctrl-C or
//! SIGTERM, then shut down gracefully (consumers finish the message in hand, relays their
//! batch, connections close).

use crate::http::{self, Status};
use ktpel_afis_sync::{AfisSync, AfisSyncSettings, panel::PanelSource};
use ktpel_biometric::{Biometric, BiometricSettings};
use ktpel_bus::{Broker, Shutdown};
use ktpel_card_print::{CardPrint, CardPrintSettings};
use ktpel_distribution::{Distribution, DistributionSettings};
use ktpel_intake::{Intake, IntakeSettings};
use ktpel_pusat_data::{PusatData, PusatDataSettings};
use ktpel_registry::{Registry, RegistrySettings};
use ktpel_settings::{AmqpSettings, TelemetrySettings, Validate};
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

/// Builds `services` from their own settings on the shared `broker`, in order.
pub(crate) async fn build_all(
    services: &[ServiceName],
    broker: &Broker,
) -> Result<Vec<Built>, String> {
    let mut built = Vec::new();
    for service in services {
        built.push(build(*service, broker).await?);
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
    ($ty:ty, $settings:ty, $name:expr) => {
        service!($ty, $settings, $name, |_s: &$ty| None);
    };
    ($ty:ty, $settings:ty, $name:expr, $panel:expr) => {
        impl Service for $ty {
            type Settings = $settings;
            const NAME: &'static str = $name;
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

service!(Intake, IntakeSettings, ktpel_intake::SERVICE);
service!(Registry, RegistrySettings, ktpel_registry::SERVICE);
service!(Biometric, BiometricSettings, ktpel_biometric::SERVICE);
service!(
    AfisSync,
    AfisSyncSettings,
    ktpel_afis_sync::SERVICE,
    |s: &AfisSync| Some(s.panel())
);
service!(PusatData, PusatDataSettings, ktpel_pusat_data::SERVICE);
service!(CardPrint, CardPrintSettings, ktpel_card_print::SERVICE);
service!(
    Distribution,
    DistributionSettings,
    ktpel_distribution::SERVICE
);

/// Builds service `S` from its own settings (`config/<name>.toml`, `KTPEL__…`,
/// `KTPEL_<NAME>__…`) on the shared broker connection, and declares its queue.
async fn build_one<S: Service>(broker: &Broker) -> Result<Built, String> {
    let settings: S::Settings = ktpel_settings::load(S::NAME).map_err(|e| e.to_string())?;
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

async fn build(service: ServiceName, broker: &Broker) -> Result<Built, String> {
    match service {
        ServiceName::Intake => build_one::<Intake>(broker).await,
        ServiceName::Registry => build_one::<Registry>(broker).await,
        ServiceName::Biometric => build_one::<Biometric>(broker).await,
        ServiceName::AfisSync => build_one::<AfisSync>(broker).await,
        ServiceName::PusatData => build_one::<PusatData>(broker).await,
        ServiceName::CardPrint => build_one::<CardPrint>(broker).await,
        ServiceName::Distribution => build_one::<Distribution>(broker).await,
    }
}

/// The settings every process reads before its services: the broker and telemetry.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Process {
    pub amqp: AmqpSettings,
    pub telemetry: TelemetrySettings,
}

impl Validate for Process {
    fn validate(&self) -> Result<(), ktpel_settings::SettingsError> {
        self.amqp.validate()?;
        self.telemetry.validate()
    }
}

/// Every service in one process.
pub async fn up(addr: SocketAddr) -> Result<(), String> {
    run(&ServiceName::ALL, addr, "ktpel").await
}

/// One service in this process (containers).
pub async fn serve(service: ServiceName, addr: SocketAddr) -> Result<(), String> {
    run(&[service], addr, service.as_str()).await
}

async fn run(services: &[ServiceName], addr: SocketAddr, process: &str) -> Result<(), String> {
    let settings: Process = ktpel_settings::load("ktpel").map_err(|e| e.to_string())?;
    let telemetry =
        ktpel_telemetry::init(process, &settings.telemetry).map_err(|e| e.to_string())?;
    let broker = Broker::new(&settings.amqp.url, process);
    let built = build_all(services, &broker).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let shutdown = Shutdown::new();
    let status = Status::new(
        built.iter().map(|b| (b.name, b.db.clone())).collect(),
        broker.clone(),
        built.iter().find_map(|b| b.panel.clone()),
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
