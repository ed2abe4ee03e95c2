//! `/ops`: the Dinas's operations desk in the browser — the NID Scheduler panel (S19) as the
//! seed's screen shows it (Mode, Database, Co-Relation Id, MQ, the scheduler's status, records
//! sent after restart, the links S19.1–S19.3) with its controls: send now, pause, resume; and
//! S20's import of a backup brought on a flash disk ([`impor`]). Each is recorded in the
//! audit trail.

mod impor;

pub use impor::Importer;

use crate::panel::PanelSource;
use askama::Template;
use axum::{
    Form, Router,
    extract::{FromRef, Path, Query, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ktpel_web::{Desk, Desks, Frame, Refusal, Signed, html};
use serde::Deserialize;

/// The operations desk: the site's desks and the NID Scheduler this process runs.
#[derive(Clone)]
pub struct Ops {
    pub desks: Desks,
    source: PanelSource,
    /// S20 imports, where this Server AFIS takes them.
    importer: Option<Importer>,
}

impl FromRef<Ops> for Desks {
    fn from_ref(o: &Ops) -> Desks {
        o.desks.clone()
    }
}

impl Ops {
    pub fn new(desks: Desks, source: PanelSource, importer: Option<Importer>) -> Self {
        Self {
            desks: desks.serving([Desk::Ops]),
            source,
            importer,
        }
    }

    /// The operations desk's pages.
    pub fn routes(self) -> Router {
        Router::new()
            .route("/ops", get(index))
            .route("/ops/scheduler/{action}", post(control))
            .route(
                "/ops/impor",
                get(impor::form)
                    .post(impor::upload)
                    // A flash disk's bundle of thousands of enrollments (12.6 MB for 5,000).
                    .layer(axum::extract::DefaultBodyLimit::max(512 * 1024 * 1024)),
            )
            .with_state(self)
    }
}

/// A control of the NID Scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Control {
    Run,
    Pause,
    Resume,
}

impl Control {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "run" => Some(Self::Run),
            "pause" => Some(Self::Pause),
            "resume" => Some(Self::Resume),
            _ => None,
        }
    }

    fn done(self) -> &'static str {
        match self {
            Self::Run => "NID Scheduler diminta mengirim sekarang",
            Self::Pause => "NID Scheduler dihentikan sementara",
            Self::Resume => "NID Scheduler berjalan lagi",
        }
    }
}

#[derive(Template)]
#[template(path = "ops/index.html")]
struct Index {
    frame: Frame,
    panel: crate::panel::Panel,
    done: Option<&'static str>,
}

#[derive(Deserialize)]
struct Said {
    selesai: Option<Control>,
}

async fn index(
    State(o): State<Ops>,
    me: Signed,
    Query(said): Query<Said>,
) -> Result<Response, Refusal> {
    me.at(Desk::Ops)?;
    Ok(html(&Index {
        frame: o.desks.frame(Some(&me)),
        panel: o.source.panel().await,
        done: said.selesai.map(Control::done),
    }))
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: String,
}

async fn control(
    State(o): State<Ops>,
    me: Signed,
    Path(action): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, Refusal> {
    me.at(Desk::Ops)?;
    me.check_csrf(&f.csrf)?;
    let control = Control::parse(&action).ok_or(Refusal::NotFound)?;
    match control {
        Control::Run => o.source.scheduler.run_now(),
        Control::Pause => o.source.scheduler.pause(),
        Control::Resume => o.source.scheduler.resume(),
    }
    o.desks
        .record(
            &me.account.username,
            &format!("scheduler_{action}"),
            None,
            "S19".to_owned(),
        )
        .await;
    Ok(Redirect::to(&format!("/ops?selesai={action}")).into_response())
}
