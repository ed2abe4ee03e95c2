//! `ktpel up` and `ktpel serve`: build services from their settings, run them until Ctrl-C or
//! SIGTERM, then shut down gracefully (consumers finish the message in hand, relays their
//! batch, connections close).

use crate::http::{self, Status};
use ktpel_bus::{Broker, Shutdown};
use ktpel_intake::{Intake, IntakeSettings};
use std::net::SocketAddr;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ServiceName {
    Intake,
}

/// Every service in one process (today: intake).
pub async fn up(addr: SocketAddr) -> Result<(), String> {
    serve(ServiceName::Intake, addr).await
}

pub async fn serve(service: ServiceName, addr: SocketAddr) -> Result<(), String> {
    match service {
        ServiceName::Intake => {
            let settings: IntakeSettings =
                ktpel_settings::load("intake").map_err(|e| e.to_string())?;
            let telemetry =
                ktpel_telemetry::init("intake", &settings.telemetry).map_err(|e| e.to_string())?;
            let broker = Broker::new(&settings.amqp.url, "intake");
            let intake = Intake::build(&settings, broker.clone())
                .await
                .map_err(|e| e.to_string())?;
            if let Err(e) = intake.declare().await {
                // Not fatal: the consumer declares again once the broker answers.
                tracing::warn!(error = %e, "cannot declare the intake queue yet");
            }
            let shutdown = Shutdown::new();
            let status = Status::new(vec![("intake", intake.db.clone())], broker.clone());
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            tracing::info!(%addr, "status page on http://{addr}/");
            let web = tokio::spawn(http::serve(listener, status, shutdown.clone()));
            let service = tokio::spawn(intake.run(shutdown.clone()));
            wait_for_signal().await;
            tracing::info!("shutting down");
            shutdown.cancel();
            let _ = service.await;
            let _ = web.await;
            broker.close().await;
            telemetry.shutdown();
            Ok(())
        }
    }
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
