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
//! | `/berkas/{nomor}` | where is berkas X: its status and timeline (the ppp's token: a resident's name and NIK); a browser asking for HTML is sent to the berkas's page (signed in) |
//! | `/runbooks/{name}` | the runbooks the page links to (`docs/runbooks/`, built in) |
//! | `/` | the status page for people (see [`crate::page`]) |
//! | `/login`, `/meja`, `/loket`… | the desks in the browser, for the services the process runs (see [`crate::desks`]) |

use crate::{
    report::{self, Report},
    status::Status,
};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use ktpel_bus::Shutdown;
use serde::Deserialize;
use std::sync::Arc;

/// What the endpoints answer from: the process's status, and who may act.
#[derive(Clone)]
struct App {
    status: Status,
    /// Who may act, and who may see a resident's data.
    tokens: Arc<crate::auth::Tokens>,
}

impl App {
    /// The refusal to send back unless the request's bearer token is of `role`.
    fn refusal(
        &self,
        headers: &axum::http::HeaderMap,
        role: crate::auth::Role,
    ) -> Option<Response> {
        let authorization = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        self.tokens.check(authorization, role).err().map(|denied| {
            let status = StatusCode::from_u16(denied.status()).unwrap_or(StatusCode::UNAUTHORIZED);
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
}

/// Serves the endpoints of `status` on `listener` until `shutdown`; `tokens` say who may act
/// through them.
pub async fn serve(
    listener: tokio::net::TcpListener,
    status: Status,
    tokens: crate::auth::Tokens,
    desks: Router,
    shutdown: Shutdown,
) {
    let state = App {
        status,
        tokens: Arc::new(tokens),
    };
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
        .with_state(state)
        .merge(desks);
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
    {
        tracing::error!(error = %e, "status page stopped");
    }
}

/// Ready: the broker is connected and every database answers — nothing more, since probes
/// come every few seconds and a slow management API or Pusat Data must not make a site unready.
async fn ready(State(app): State<App>) -> (StatusCode, &'static str) {
    let mut ready = app.status.broker().is_connected().await;
    for (_, db) in app.status.services() {
        ready = ready && db.ping().await.is_ok();
    }
    if ready {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    }
}

async fn status_json(State(app): State<App>) -> Json<Report> {
    Json(report::measure(&app.status).await)
}

/// Prometheus text: the site measured now, then every instrument of the process.
async fn metrics(State(app): State<App>) -> Response {
    let report = report::measure(&app.status).await;
    crate::metrics::Gauges::of_process().observe(report);
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

async fn scheduler(State(app): State<App>, Query(f): Query<Format>) -> Response {
    let Some(source) = app.status.panel() else {
        return (StatusCode::NOT_FOUND, "this process runs no NID Scheduler").into_response();
    };
    let panel = source.panel().await;
    match f.format.as_deref() {
        Some("text") => panel.to_string().into_response(),
        _ => Json(panel).into_response(),
    }
}

async fn scheduler_action(
    State(app): State<App>,
    headers: axum::http::HeaderMap,
    Path(action): Path<String>,
) -> Response {
    if let Some(refused) = app.refusal(&headers, crate::auth::Role::Operator) {
        return refused;
    }
    let Some(source) = app.status.panel() else {
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
    State(app): State<App>,
    headers: axum::http::HeaderMap,
    Path(nomor): Path<String>,
) -> Response {
    // A person's browser (no bearer token, asking for HTML) goes to the berkas's page, which
    // asks them to sign in.
    let from_a_browser = !headers.contains_key(axum::http::header::AUTHORIZATION)
        && headers
            .get(axum::http::header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    let a_number = nomor
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'-' || b == b'D');
    if from_a_browser && a_number && app.status.intake().is_some() {
        return axum::response::Redirect::to(&format!("/loket/berkas/{nomor}")).into_response();
    }
    if let Some(refused) = app.refusal(&headers, crate::auth::Role::Ppp) {
        return refused;
    }
    let Some(db) = app.status.intake() else {
        return (StatusCode::NOT_FOUND, "this process runs no intake").into_response();
    };
    match ktpel_intake::query::where_is(db, &nomor).await {
        Ok(Some(t)) => Json(t).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, format!("no berkas {nomor}")).into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    }
}

#[derive(Deserialize)]
struct Refresh {
    /// Seconds between reloads, for a wall screen (5–3600).
    refresh: Option<u32>,
}

async fn page(State(app): State<App>, Query(q): Query<Refresh>) -> Html<String> {
    let r = report::measure(&app.status).await;
    let refresh = q.refresh.map(|s| s.clamp(5, 3600));
    Html(crate::page::render(&r, chrono::Utc::now(), refresh))
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
