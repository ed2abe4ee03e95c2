//! The small HTTP face of a running process: `/health` (the process is alive), `/ready` (its
//! databases answer and the broker is connected), `/status` (JSON) and `/` (the same for
//! people).

use axum::{Json, Router, extract::State, http::StatusCode, response::Html, routing::get};
use ktpel_bus::{Broker, Shutdown, outbox};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use std::sync::Arc;

/// What the status endpoints look at.
#[derive(Clone)]
pub struct Status {
    inner: Arc<Inner>,
}

struct Inner {
    services: Vec<(&'static str, DatabaseConnection)>,
    broker: Broker,
}

impl Status {
    pub fn new(services: Vec<(&'static str, DatabaseConnection)>, broker: Broker) -> Self {
        Self {
            inner: Arc::new(Inner { services, broker }),
        }
    }
}

#[derive(Serialize)]
struct Report {
    mq: &'static str,
    services: Vec<ServiceReport>,
}

#[derive(Serialize)]
struct ServiceReport {
    name: &'static str,
    database: &'static str,
    outbox_pending: Option<u64>,
}

async fn report(status: &Status) -> Report {
    let mut services = Vec::new();
    for (name, db) in &status.inner.services {
        let up = db.ping().await.is_ok();
        services.push(ServiceReport {
            name,
            database: if up { "CONNECTED" } else { "DISCONNECTED" },
            outbox_pending: outbox::pending(db).await.ok(),
        });
    }
    Report {
        mq: if status.inner.broker.is_connected().await {
            "CONNECTED"
        } else {
            "DISCONNECTED"
        },
        services,
    }
}

pub async fn serve(listener: tokio::net::TcpListener, status: Status, shutdown: Shutdown) {
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/ready", get(ready))
        .route("/status", get(status_json))
        .route("/", get(page))
        .with_state(status);
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
    {
        tracing::error!(error = %e, "status page stopped");
    }
}

async fn ready(State(status): State<Status>) -> (StatusCode, &'static str) {
    let r = report(&status).await;
    if r.mq == "CONNECTED" && r.services.iter().all(|s| s.database == "CONNECTED") {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    }
}

async fn status_json(State(status): State<Status>) -> Json<Report> {
    Json(report(&status).await)
}

async fn page(State(status): State<Status>) -> Html<String> {
    let r = report(&status).await;
    let rows: String = r
        .services
        .iter()
        .map(|s| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                s.name,
                s.database,
                s.outbox_pending.map_or("?".into(), |n| n.to_string())
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><meta charset=utf-8><title>ktpel</title>\
         <h1>KTP-el services</h1><p>MQ: <b>{}</b></p>\
         <table border=1 cellpadding=4><tr><th>service</th><th>database</th><th>outbox pending</th></tr>{rows}</table>",
        r.mq
    ))
}
