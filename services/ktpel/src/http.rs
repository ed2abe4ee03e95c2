//! The small HTTP face of a running process:
//!
//! | path | what |
//! |---|---|
//! | `/health` | the process is alive |
//! | `/ready` | its databases answer and the broker is connected |
//! | `/status` | JSON: the site and its links, MQ, each service's database and outbox, queue depths, berkas per status and procedure, the NID Scheduler (see [`crate::report`]) |
//! | `/metrics` | Prometheus text: every metric of the process (see [`crate::metrics`], `ktpel_bus::metrics`) |
//! | `/scheduler` | the NID Scheduler panel (JSON; `?format=text` for the window as text) |
//! | `POST /scheduler/{run,pause,resume}` | the scheduler's controls (the operator's token) |
//! | `/berkas/{nomor}` | where is berkas X: its status and timeline (the ppp's token: a resident's name and NIK) |
//! | `/runbooks/{name}` | the runbooks the page links to (`docs/runbooks/`, built in) |
//! | `/` | the status page for people (see [`crate::page`]) |

use crate::report::{self, Report};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use ktpel_afis_sync::panel::PanelSource;
use ktpel_bus::{Broker, Shutdown};
use ktpel_site::{Link, Management, Site};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use std::sync::Arc;

/// What the status endpoints look at.
#[derive(Clone)]
pub struct Status {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) services: Vec<(&'static str, DatabaseConnection)>,
    pub(crate) broker: Broker,
    pub(crate) panel: Option<PanelSource>,
    pub(crate) site: Site,
    /// The site's link to its parent and the management API that runs it.
    pub(crate) link: Option<(Link, Management)>,
    /// How many days the stations may go without the Pusat Data having their records.
    pub(crate) max_days_offline: u32,
    /// Who may act, and who may see a resident's data.
    tokens: crate::auth::Tokens,
    /// The site's state as gauges on `/metrics`.
    gauges: crate::metrics::Gauges,
}

impl Status {
    /// The status of the services `built` (their databases, the NID Scheduler's panel if
    /// one of them is afis-sync) at `site`, on `broker`.
    pub(crate) fn new(
        built: &[crate::run::Built],
        broker: Broker,
        site: Site,
        link: Option<(Link, Management)>,
        max_days_offline: u32,
        tokens: crate::auth::Tokens,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                services: built.iter().map(|b| (b.name, b.db.clone())).collect(),
                broker,
                panel: built.iter().find_map(|b| b.panel.clone()),
                site,
                link,
                max_days_offline,
                tokens,
                gauges: crate::metrics::Gauges::of_process(),
            }),
        }
    }

    /// Measures the site for the gauges every `every`, until `shutdown` (for OTLP export;
    /// a Prometheus scrape measures for itself).
    pub async fn measure_every(self, every: std::time::Duration, shutdown: Shutdown) {
        loop {
            let report = crate::report::measure(&self).await;
            self.inner.gauges.observe(report);
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
        }
    }

    /// The refusal to send back unless the request's bearer token is of `role`.
    fn refusal(
        &self,
        headers: &axum::http::HeaderMap,
        role: crate::auth::Role,
    ) -> Option<Response> {
        let authorization = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        self.inner
            .tokens
            .check(authorization, role)
            .err()
            .map(|denied| {
                let status =
                    StatusCode::from_u16(denied.status()).unwrap_or(StatusCode::UNAUTHORIZED);
                let mut response = (status, format!("{denied}\n")).into_response();
                if status == StatusCode::UNAUTHORIZED {
                    response.headers_mut().insert(
                        axum::http::header::WWW_AUTHENTICATE,
                        axum::http::HeaderValue::from_static("Bearer"),
                    );
                }
                response
            })
    }

    pub(crate) fn db_of(&self, service: &str) -> Option<&DatabaseConnection> {
        self.inner
            .services
            .iter()
            .find(|(n, _)| *n == service)
            .map(|(_, db)| db)
    }

    pub(crate) fn intake(&self) -> Option<&DatabaseConnection> {
        self.db_of(ktpel_intake::SERVICE)
    }
}

pub async fn serve(listener: tokio::net::TcpListener, status: Status, shutdown: Shutdown) {
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/ready", get(ready))
        .route("/status", get(status_json))
        .route("/metrics", get(metrics))
        .route("/scheduler", get(scheduler))
        .route("/scheduler/{action}", post(scheduler_action))
        .route("/berkas/{nomor}", get(berkas))
        .route("/runbooks/{name}", get(runbook))
        .route("/", get(page))
        .with_state(status);
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
    {
        tracing::error!(error = %e, "status page stopped");
    }
}

/// Ready: the broker is connected and every database answers — nothing more, since probes
/// come every few seconds and a slow management API or Pusat Data must not make a site unready.
async fn ready(State(status): State<Status>) -> (StatusCode, &'static str) {
    let mut ready = status.inner.broker.is_connected().await;
    for (_, db) in &status.inner.services {
        ready = ready && db.ping().await.is_ok();
    }
    if ready {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    }
}

async fn status_json(State(status): State<Status>) -> Json<Report> {
    Json(report::measure(&status).await)
}

/// Prometheus text: the site measured now, then every instrument of the process.
async fn metrics(State(status): State<Status>) -> Response {
    let report = report::measure(&status).await;
    status.inner.gauges.observe(report);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            ktpel_telemetry::metrics::CONTENT_TYPE,
        )],
        ktpel_telemetry::metrics::render(),
    )
        .into_response()
}

#[derive(Deserialize)]
struct Format {
    format: Option<String>,
}

async fn scheduler(State(status): State<Status>, Query(f): Query<Format>) -> Response {
    let Some(source) = &status.inner.panel else {
        return (StatusCode::NOT_FOUND, "this process runs no NID Scheduler").into_response();
    };
    let panel = source.panel().await;
    match f.format.as_deref() {
        Some("text") => panel.to_string().into_response(),
        _ => Json(panel).into_response(),
    }
}

async fn scheduler_action(
    State(status): State<Status>,
    headers: axum::http::HeaderMap,
    Path(action): Path<String>,
) -> Response {
    if let Some(refused) = status.refusal(&headers, crate::auth::Role::Operator) {
        return refused;
    }
    let Some(source) = &status.inner.panel else {
        return (StatusCode::NOT_FOUND, "this process runs no NID Scheduler").into_response();
    };
    match action.as_str() {
        "run" => source.scheduler.run_now(),
        "pause" => source.scheduler.pause(),
        "resume" => source.scheduler.resume(),
        other => {
            return (
                StatusCode::BAD_REQUEST,
                format!("unknown action `{other}` (run, pause, resume)"),
            )
                .into_response();
        }
    }
    format!("{}\n", source.scheduler.status()).into_response()
}

async fn berkas(
    State(status): State<Status>,
    headers: axum::http::HeaderMap,
    Path(nomor): Path<String>,
) -> Response {
    if let Some(refused) = status.refusal(&headers, crate::auth::Role::Ppp) {
        return refused;
    }
    let Some(db) = status.intake() else {
        return (StatusCode::NOT_FOUND, "this process runs no intake").into_response();
    };
    match ktpel_intake::query::where_is(db, &nomor).await {
        Ok(Some(t)) => Json(t).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, format!("no berkas {nomor}")).into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    }
}

async fn page(State(status): State<Status>) -> Html<String> {
    let r = report::measure(&status).await;
    Html(crate::page::render(&r, chrono::Utc::now()))
}

/// A runbook the page links to, as Markdown text.
async fn runbook(Path(name): Path<String>) -> Response {
    match crate::page::RUNBOOKS.iter().find(|(n, _)| *n == name) {
        Some((_, text)) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/markdown; charset=utf-8",
            )],
            *text,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, format!("no runbook `{name}`")).into_response(),
    }
}
