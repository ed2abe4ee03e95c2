//! `ktpel up` and `ktpel serve`: build services from their settings, run them until Ctrl-C or
//! SIGTERM, then shut down gracefully (consumers finish the message in hand, relays their
//! batch, connections close).

use crate::http::{self, Status};
use ktpel_bus::{Broker, Shutdown};
use ktpel_intake::{Intake, IntakeSettings};
use ktpel_registry::{Registry, RegistrySettings};
use ktpel_settings::{AmqpSettings, TelemetrySettings};
use sea_orm::DatabaseConnection;
use std::{future::Future, net::SocketAddr, pin::Pin};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ServiceName {
    Intake,
    Registry,
}

impl ServiceName {
    pub const ALL: [ServiceName; 2] = [ServiceName::Registry, ServiceName::Intake];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Intake => ktpel_intake::SERVICE,
            Self::Registry => ktpel_registry::SERVICE,
        }
    }
}

type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A service built and declared, ready to run.
struct Built {
    name: &'static str,
    db: DatabaseConnection,
    run: Box<dyn FnOnce(Shutdown) -> Task + Send>,
}

/// Builds one service from its own settings (`config/<name>.toml`, `KTPEL__…`,
/// `KTPEL_<NAME>__…`) on the shared broker connection.
async fn build(service: ServiceName, broker: &Broker) -> Result<Built, String> {
    let name = service.as_str();
    let built = match service {
        ServiceName::Intake => {
            let settings: IntakeSettings = ktpel_settings::load(name).map_err(|e| e.to_string())?;
            let s = Intake::build(&settings, broker.clone())
                .await
                .map_err(|e| format!("{name}: {e}"))?;
            if let Err(e) = s.declare().await {
                tracing::warn!(service = name, error = %e, "cannot declare the queue yet; will on connect");
            }
            Built {
                name,
                db: s.db.clone(),
                run: Box::new(move |stop| Box::pin(s.run(stop))),
            }
        }
        ServiceName::Registry => {
            let settings: RegistrySettings =
                ktpel_settings::load(name).map_err(|e| e.to_string())?;
            let s = Registry::build(&settings, broker.clone())
                .await
                .map_err(|e| format!("{name}: {e}"))?;
            if let Err(e) = s.declare().await {
                tracing::warn!(service = name, error = %e, "cannot declare the queue yet; will on connect");
            }
            Built {
                name,
                db: s.db.clone(),
                run: Box::new(move |stop| Box::pin(s.run(stop))),
            }
        }
    };
    Ok(built)
}

/// The settings every process reads before its services: the broker and telemetry.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Process {
    pub amqp: AmqpSettings,
    pub telemetry: TelemetrySettings,
}

impl ktpel_settings::Validate for Process {
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
    let mut built = Vec::new();
    for service in services {
        built.push(build(*service, &broker).await?);
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let shutdown = Shutdown::new();
    let status = Status::new(
        built.iter().map(|b| (b.name, b.db.clone())).collect(),
        broker.clone(),
    );
    tracing::info!(%addr, "status page on http://{addr}/");
    let web = tokio::spawn(http::serve(listener, status, shutdown.clone()));
    let tasks: Vec<_> = built
        .into_iter()
        .map(|b| tokio::spawn((b.run)(shutdown.clone())))
        .collect();
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
