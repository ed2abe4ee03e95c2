//! `/perekaman/cadangan`: S20.1–S20.2 at the station — how long it has gone without the
//! Pusat Data having its enrollments, and the backup of every unsent one as a bundle file to
//! carry on a flash disk, signed by the site and encrypted for the Server AFIS that will
//! import it. Nothing is marked sent: the records stay in every backup until the Pusat Data
//! has them.

use super::Perekaman;
use crate::{
    backup::{self, Offline},
    seal::SealKey,
};
use askama::Template;
use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::Utc;
use ktpel_bundle::{PublicKey, SiteKeys};
use ktpel_domain::KodeWilayah;
use ktpel_web::{Desk, Frame, Refusal, Signed, html};

/// What a station needs to make a backup: its sealing key, its site's keys and code, and the
/// Server AFIS the bundle is for.
pub struct Exporter {
    pub seal: SealKey,
    pub site_keys: SiteKeys,
    pub site: KodeWilayah,
    pub recipient: PublicKey,
    pub valid_days: u32,
    pub max_days_offline: u32,
}

/// The station's exporter, or why this site cannot export (no site code, no Server AFIS to
/// export to), said on the page.
pub type Backup = Result<std::sync::Arc<Exporter>, String>;

#[derive(Template)]
#[template(path = "perekaman/cadangan.html")]
struct Page {
    frame: Frame,
    offline: Option<Offline>,
    cannot: Option<String>,
    nothing: bool,
}

async fn page(p: &Perekaman, me: &Signed, nothing: bool) -> Result<Response, Refusal> {
    let max = p.own.backup.as_ref().map_or(7, |e| e.max_days_offline);
    let offline = Offline::measure(&p.db, max, Utc::now())
        .await
        .map_err(Refusal::unavailable)?;
    Ok(html(&Page {
        frame: p.desks.frame(Some(me)),
        offline: Some(offline),
        cannot: p.own.backup.as_ref().err().cloned(),
        nothing,
    }))
}

pub(super) async fn status(State(p): State<Perekaman>, me: Signed) -> Result<Response, Refusal> {
    me.at(Desk::Perekaman)?;
    page(&p, &me, false).await
}

#[derive(serde::Deserialize)]
pub(super) struct CsrfOnly {
    csrf: String,
}

pub(super) async fn export(
    State(p): State<Perekaman>,
    me: Signed,
    axum::Form(f): axum::Form<CsrfOnly>,
) -> Result<Response, Refusal> {
    me.at(Desk::Perekaman)?;
    me.check_csrf(&f.csrf)?;
    let Ok(e) = &p.own.backup else {
        return page(&p, &me, false).await;
    };
    let made = backup::export(
        &p.db,
        &e.seal,
        &e.site_keys,
        &e.site,
        &e.recipient,
        e.valid_days,
    )
    .await
    .map_err(Refusal::unavailable)?;
    let Some(made) = made else {
        return page(&p, &me, true).await;
    };
    let h = &made.header;
    p.record(
        &me,
        "ekspor_cadangan",
        None,
        format!("S20: {} rekaman, bundle {}", h.records, h.bundle_id),
    )
    .await;
    let name = format!(
        "ktpel-cadangan-{}-{}.bundle",
        e.site.digits(),
        h.created_at.format("%Y%m%d-%H%M")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        made.file,
    )
        .into_response())
}
