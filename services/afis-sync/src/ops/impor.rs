//! `/ops/impor`: S20.3 at the Server AFIS — a backup bundle brought on a flash disk is
//! uploaded, checked (signed by a trusted site, made for this Server AFIS, not expired, not
//! tampered with) and its records queued for the Pusat Data in one transaction; a bundle that
//! fails a check is refused whole, with the reason, and nothing of it is queued. The NID
//! Scheduler sends what is new.

use super::Ops;
use crate::import;
use askama::Template;
use axum::{
    extract::{Multipart, State},
    response::Response,
};
use chrono::Utc;
use ktpel_bundle::{SiteKeys, TrustedSites};
use ktpel_web::{Desk, Frame, Refusal, Signed, html};
use std::path::PathBuf;

/// What the Server AFIS opens bundles with: its keys, the sites it trusts, the region it
/// serves. The files are read at each import, so a site trusted since is taken at once.
#[derive(Clone)]
pub struct Importer {
    pub bundle_key_file: PathBuf,
    pub trusted_sites_file: PathBuf,
    pub served: String,
}

#[derive(Template)]
#[template(path = "ops/impor.html")]
struct Page {
    frame: Frame,
    done: Option<String>,
    refused: Option<String>,
}

fn page(o: &Ops, me: &Signed, done: Option<String>, refused: Option<String>) -> Response {
    html(&Page {
        frame: o.desks.frame(Some(me)),
        done,
        refused,
    })
}

pub(super) async fn form(State(o): State<Ops>, me: Signed) -> Result<Response, Refusal> {
    me.at(Desk::Ops)?;
    Ok(page(&o, &me, None, None))
}

/// The form's fields: its CSRF token and the bundle file.
async fn fields(mut form: Multipart) -> Result<(String, Vec<u8>), String> {
    let (mut csrf, mut file) = (String::new(), None);
    while let Some(field) = form.next_field().await.map_err(|e| e.to_string())? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|e| e.to_string())?,
            Some("berkas") => file = Some(field.bytes().await.map_err(|e| e.to_string())?.to_vec()),
            _ => {}
        }
    }
    match file {
        Some(f) if !f.is_empty() => Ok((csrf, f)),
        _ => Err("pilih berkas cadangan (.bundle) dari flash disk".to_owned()),
    }
}

pub(super) async fn upload(
    State(o): State<Ops>,
    me: Signed,
    form: Multipart,
) -> Result<Response, Refusal> {
    me.at(Desk::Ops)?;
    let (csrf, bytes) = match fields(form).await {
        Ok(f) => f,
        Err(why) => return Ok(page(&o, &me, None, Some(why))),
    };
    me.check_csrf(&csrf)?;
    let Some(importer) = &o.importer else {
        return Err(Refusal::NotFound);
    };
    let keys = SiteKeys::from_file(&importer.bundle_key_file).map_err(Refusal::unavailable)?;
    let trusted = TrustedSites::load(&importer.trusted_sites_file).map_err(Refusal::unavailable)?;
    let opened = match import::open(&bytes, &keys, &trusted, Utc::now()) {
        Ok(o) => o,
        Err(e) => return Ok(page(&o, &me, None, Some(format!("cadangan ditolak: {e}")))),
    };
    let summary = import::import(&o.source.db, &importer.served, &opened, |_| {})
        .await
        .map_err(Refusal::unavailable)?;
    o.desks
        .record(
            &me.account.username,
            "impor_cadangan",
            None,
            format!("S20: bundle {}, {} baru", summary.bundle_id, summary.new),
        )
        .await;
    Ok(page(&o, &me, Some(summary.to_string()), None))
}
