//! The station's scanners: each finger's image (PNG at 500 ppi) and the pas photo, uploaded by
//! the operator from the station's page, or sent by a scanner's driver as each finger leaves
//! the glass — `PUT /perekaman/{nomor}/jari/{finger}` with the image as the body, the
//! operator's session, and the page's token in `X-CSRF-Token` (a stand-in for a device SDK,
//! in the spirit of MOSIP's SBI). Each finger is turned into its template at once
//! ([`crate::scanned::scan`]), so a poor scan is refused by the finger's name while the
//! resident is still at the glass; the capture then sends what was scanned.
//!
//! What was scanned is held in the desk's memory for the berkas until its capture is sent
//! (at most [`HELD`] berkas; the oldest number goes first). A restart of the desk forgets it:
//! the fingers are scanned again.

use super::{Perekaman, StationPage, waiting};
use crate::scanned::{self, Scanned, file_name};
use axum::{
    Json,
    body::Bytes,
    extract::{Multipart, Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use ktpel_contract::enrollment::Finger;
use ktpel_web::{Desk, Refusal, Signed, html};
use serde_json::json;
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

/// The most berkas whose scans are held at once.
pub const HELD: usize = 64;

/// The largest image taken (a 500 ppi finger is well under 1 MiB as PNG).
pub const MAX_IMAGE: usize = 8 * 1024 * 1024;

/// What was scanned for one berkas.
#[derive(Debug, Clone, Default)]
pub struct Pindaian {
    pub fingers: BTreeMap<Finger, Scanned>,
    pub foto: Option<Vec<u8>>,
}

/// The scans held, by berkas number. Cheap to clone.
#[derive(Clone, Default)]
pub struct Scans(Arc<Mutex<BTreeMap<String, Pindaian>>>);

impl Scans {
    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<String, Pindaian>) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn entry<T>(&self, nomor: &str, f: impl FnOnce(&mut Pindaian) -> T) -> T {
        self.with(|held| {
            if !held.contains_key(nomor) && held.len() >= HELD {
                held.pop_first();
            }
            f(held.entry(nomor.to_owned()).or_default())
        })
    }

    pub fn put_finger(&self, nomor: &str, scanned: Scanned) {
        self.entry(nomor, |p| {
            p.fingers.insert(scanned.template.finger, scanned);
        });
    }

    pub fn put_foto(&self, nomor: &str, png: Vec<u8>) {
        self.entry(nomor, |p| p.foto = Some(png));
    }

    /// What was scanned for berkas `nomor`, if anything.
    pub fn of(&self, nomor: &str) -> Option<Pindaian> {
        self.with(|held| held.get(nomor).cloned())
    }

    pub fn forget(&self, nomor: &str) {
        self.with(|held| held.remove(nomor));
    }
}

/// A finger of its word in an address or a form (`right_thumb` … `left_little`).
fn finger_of(word: &str) -> Option<Finger> {
    serde_json::from_value(json!(word)).ok()
}

/// The photo, if it is one the station takes; otherwise why not.
fn foto(png: Vec<u8>) -> Result<Vec<u8>, String> {
    crate::checks::pas_foto(&png)
        .map(|_| png)
        .map_err(|why| format!("pas foto: {why}"))
}

/// `POST /perekaman/{nomor}/pindai`: the images uploaded from the station's page (a file per
/// finger, named by the finger, and `pas_foto`); a field left empty is not scanned. Fingers
/// too poor are refused by name on the page, the others kept.
pub async fn upload(
    State(p): State<Perekaman>,
    me: Signed,
    Path(nomor): Path<String>,
    mut form: Multipart,
) -> Result<Response, Refusal> {
    me.at(Desk::Perekaman)?;
    let (w, slip) = waiting(&p, &me, &nomor).await?;
    let mut csrf = String::new();
    let mut images: Vec<(String, Vec<u8>)> = Vec::new();
    let mut refused = Vec::new();
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        match field.bytes().await {
            Ok(bytes) if name == "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            Ok(bytes) if bytes.is_empty() => {}
            Ok(bytes) if bytes.len() > MAX_IMAGE => {
                refused.push(format!("{name}: gambar lebih dari {} MiB", MAX_IMAGE >> 20))
            }
            Ok(bytes) => images.push((name, bytes.to_vec())),
            Err(e) => refused.push(format!("{name}: unggahan terputus ({e})")),
        }
    }
    me.check_csrf(&csrf)?;
    let mut kept = 0;
    for (name, bytes) in images {
        let result = if name == "pas_foto" {
            foto(bytes).map(|png| p.own.scans.put_foto(&nomor, png))
        } else if let Some(finger) = finger_of(&name) {
            scanned::scan(finger, &bytes).map(|s| p.own.scans.put_finger(&nomor, s))
        } else {
            Err(format!("{name}: bukan jari atau pas foto"))
        };
        match result {
            Ok(()) => kept += 1,
            Err(why) => refused.push(why),
        }
    }
    if refused.is_empty() {
        return Ok(Redirect::to(&format!("/perekaman/{nomor}?dipindai={kept}")).into_response());
    }
    let mut page = StationPage::new(&p, &me, &w, &slip);
    page.refused = refused;
    Ok(html(&page))
}

/// The token a driver sends with the operator's session.
fn token(headers: &HeaderMap) -> &str {
    headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// A driver's request for berkas `nomor` is the operator's, with the page's token, for a berkas
/// waiting at their station.
async fn from_driver(
    p: &Perekaman,
    me: &Signed,
    nomor: &str,
    headers: &HeaderMap,
) -> Result<(), Refusal> {
    me.at(Desk::Perekaman)?;
    me.check_csrf(token(headers))?;
    waiting(p, me, nomor).await.map(drop)
}

/// `422`: what was sent cannot be taken, and why (scan it again).
fn scan_again(why: String) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "alasan": why })),
    )
        .into_response()
}

/// `PUT /perekaman/{nomor}/jari/{finger}`: one finger's image from a scanner's driver. `200`
/// with the quality and minutiae found, or `422` with why the finger must be scanned again.
pub async fn put_finger(
    State(p): State<Perekaman>,
    me: Signed,
    Path((nomor, finger)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    from_driver(&p, &me, &nomor, &headers).await?;
    let finger = finger_of(&finger).ok_or(Refusal::NotFound)?;
    let scanned = tokio::task::spawn_blocking(move || scanned::scan(finger, &body))
        .await
        .map_err(Refusal::unavailable)?;
    Ok(match scanned {
        Ok(s) => {
            let answer = json!({
                "jari": file_name(finger).trim_end_matches(".png"),
                "kualitas": s.template.template.quality,
                "minutiae": s.minutiae,
            });
            p.own.scans.put_finger(&nomor, s);
            Json(answer).into_response()
        }
        Err(why) => scan_again(why),
    })
}

/// `PUT /perekaman/{nomor}/foto`: the pas photo from the station's camera.
pub async fn put_foto(
    State(p): State<Perekaman>,
    me: Signed,
    Path(nomor): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    from_driver(&p, &me, &nomor, &headers).await?;
    Ok(match foto(body.to_vec()) {
        Ok(png) => {
            p.own.scans.put_foto(&nomor, png);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(why) => scan_again(why),
    })
}
