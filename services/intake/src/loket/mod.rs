//! `/loket`: the service counter in the browser (S01.1–S01.2 and the first step of every
//! procedure taken at a counter). The ppp picks the procedure from the catalogue, ticks the
//! documents received against its checklist, types the NIK and name (and, by procedure, the
//! Formulir Biodata, what to correct or change, the arrival form) and hands the berkas on.
//! Every reason to refuse shows at once, next to its field, with what was typed kept; the
//! berkas number comes back as the salinan permohonan to print.
//!
//! The counter writes nothing of intake's: it sends the berkas on the bus like any desk and
//! waits for intake's answer ([`ktpel_web::answers::Line`]); intake stays the one writer of
//! its tables. A ppp of a kecamatan sees and enters only that kecamatan's berkas.

mod form;
mod salinan;
mod siak;

pub use form::{Form, Problems};

use crate::{
    handlers::submitted,
    store::{berkas, buku_harian},
};
use askama::Template;
use axum::{
    Form as Posted, Router,
    extract::{FromRequest, Multipart, Path, Query, Request, State},
    http::header::CONTENT_TYPE,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use ktpel_biometrics::pressed;
use ktpel_bus::{Broker, Outgoing, RoutingKey, Shutdown};
use ktpel_contract::{
    berkas::{BerkasAccepted, BerkasRefused, SUBMITTED},
    enrollment::Finger,
    registry::{ANSWER_TO_DESK, ResidentAnswer},
};
use ktpel_domain::{
    Dokumen, KodeWilayah, SopId,
    sop::{SiakWork, Sop},
};
use ktpel_site::DesksAt;
use ktpel_web::{
    Desk, Desks, Frame, Refusal, Signed,
    answers::{Line, LineError},
    html,
    service_desk::{Hearing, ServiceDesk},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use std::{sync::Arc, time::Duration};

/// How long the counter waits for intake's answer before it tells the ppp to look later.
const PATIENCE: Duration = Duration::from_secs(15);

/// The counter: the site's desks, intake's tables to read, the line to intake, and the
/// counter's own.
pub type Loket = ServiceDesk<Counter, BerkasAccepted, BerkasRefused, uuid::Uuid>;

/// What the counter has of its own: which counters this intake runs, and its line to SIAK.
#[derive(Clone)]
pub struct Counter {
    pub counters: DesksAt,
    siak: Arc<Line<ResidentAnswer, ResidentAnswer>>,
}

/// The counter over intake's database `db` at `counters`, sending on `broker` until
/// `shutdown`.
pub fn open(
    desks: Desks,
    db: DatabaseConnection,
    counters: DesksAt,
    broker: Broker,
    shutdown: Shutdown,
) -> Result<Loket, LineError> {
    let hearing = Hearing {
        app: "ktpel-loket",
        id_of_yes: |a: &BerkasAccepted| a.submission_id,
        id_of_no: |r: &BerkasRefused| r.submission_id,
    };
    let siak = Line::answered_on(
        broker.clone(),
        "ktpel-loket-siak",
        ANSWER_TO_DESK,
        None,
        |a: &ResidentAnswer| a.request_id,
        shutdown.clone(),
    )?;
    let own = Counter {
        counters,
        siak: Arc::new(siak),
    };
    Loket::open(desks, Desk::Loket, db, own, hearing, broker, shutdown)
}

/// The counter's pages.
pub fn routes(loket: Loket) -> Router {
    Router::new()
        .route("/loket", get(index))
        .route("/loket/baru", get(blank).post(submit))
        .route("/loket/cek-nik", post(siak::look_up))
        .route("/loket/berkas/{nomor}", get(receipt))
        .route(
            "/loket/berkas/{nomor}/salinan.pdf",
            get(salinan::salinan_pdf),
        )
        .with_state(loket)
}

/// The procedures taken at the counters this intake runs, in the catalogue's order.
fn catalogue(loket: &Loket) -> Vec<&'static Sop> {
    SopId::all()
        .map(Sop::get)
        .filter(|s| {
            s.route()
                .is_some_and(|r| r.len() >= 2 && loket.own.counters.runs(r[0].place))
        })
        .collect()
}
/// A procedure in the catalogue, as the page lists it.
struct Entry {
    id: String,
    title: &'static str,
}

#[derive(Template)]
#[template(path = "loket/index.html")]
struct Index {
    frame: Frame,
    catalogue: Vec<Entry>,
    recent: Vec<berkas::Model>,
}

async fn index(State(loket): State<Loket>, me: Signed) -> Result<Response, Refusal> {
    me.at(Desk::Loket)?;
    let mut recent = berkas::Entity::find()
        .order_by_desc(berkas::Column::CreatedAt)
        .limit(20);
    if let Some(k) = &me.account.kecamatan {
        recent = recent.filter(berkas::Column::Kecamatan.eq(k.to_string()));
    }
    let recent = recent.all(&loket.db).await.map_err(Refusal::unavailable)?;
    Ok(html(&Index {
        frame: loket.desks.frame(Some(&me)),
        catalogue: catalogue(&loket)
            .into_iter()
            .map(|s| Entry {
                id: s.id.to_string(),
                title: s.judul(),
            })
            .collect(),
        recent,
    }))
}

/// One group of the checklist: at least one of its documents (each listed once on the page).
struct Group {
    one_of: bool,
    dokumen: Vec<Dokumen>,
}

#[derive(Template)]
#[template(path = "loket/form.html")]
struct FormPage {
    frame: Frame,
    sop: String,
    title: &'static str,
    groups: Vec<Group>,
    new_resident: bool,
    changes: bool,
    relocation: bool,
    /// S06–S14: the resident's index fingers are pressed at the counter.
    replacement: bool,
    form: Form,
    problems: Problems,
    /// Why intake refused the berkas (or why it could not be sent), all at once.
    refused: Vec<String>,
    /// SIAK's answer to the NIK looked up.
    siak: Option<siak::SiakSays>,
    /// The lists an element to change is chosen from: (code, as printed).
    lists: Lists,
}

/// The closed lists of the biodata, as the form's choices.
struct Lists {
    status_perkawinan: Vec<(&'static str, &'static str)>,
    agama: Vec<(&'static str, &'static str)>,
    pendidikan: Vec<(&'static str, &'static str)>,
    hubungan: Vec<(&'static str, &'static str)>,
    kewarganegaraan: Vec<(&'static str, &'static str)>,
    golongan_darah: Vec<(&'static str, &'static str)>,
    pekerjaan: &'static [&'static str],
}

/// A closed list as choices: (code, as printed).
macro_rules! choices {
    ($list:ty) => {
        <$list>::ALL
            .iter()
            .map(|v| (v.code(), v.printed()))
            .collect()
    };
}

impl Lists {
    fn new() -> Self {
        use ktpel_domain::biodata::{
            Agama, GolonganDarah, Hubungan, Kewarganegaraan, Pendidikan, StatusPerkawinan,
        };
        Self {
            status_perkawinan: choices!(StatusPerkawinan),
            agama: choices!(Agama),
            pendidikan: choices!(Pendidikan),
            hubungan: choices!(Hubungan),
            kewarganegaraan: choices!(Kewarganegaraan),
            golongan_darah: choices!(GolonganDarah),
            pekerjaan: ktpel_domain::biodata::PEKERJAAN,
        }
    }
}

impl FormPage {
    fn new(loket: &Loket, me: &Signed, procedure: &'static Sop, form: Form) -> Self {
        let mut seen = Vec::new();
        let groups = procedure
            .checklist()
            .groups
            .iter()
            .map(|g| Group {
                one_of: g.len() > 1,
                dokumen: g
                    .iter()
                    .copied()
                    .filter(|d| {
                        let fresh = !seen.contains(d);
                        seen.push(*d);
                        fresh
                    })
                    .collect(),
            })
            .filter(|g| !g.dokumen.is_empty())
            .collect();
        Self {
            frame: loket.desks.frame(Some(me)),
            sop: procedure.id.to_string(),
            title: procedure.judul(),
            groups,
            new_resident: procedure.new_resident(),
            changes: matches!(
                procedure.siak_work(),
                Some(SiakWork::Correct | SiakWork::Change)
            ),
            relocation: procedure.relocation(),
            replacement: procedure.replacement().is_some(),
            form,
            problems: Problems::default(),
            refused: Vec::new(),
            siak: None,
            lists: Lists::new(),
        }
    }
}

#[derive(Deserialize)]
struct Chosen {
    sop: Option<String>,
}

/// The procedure `text` names, if it is one this counter takes.
fn procedure(loket: &Loket, text: Option<&str>) -> Result<&'static Sop, Refusal> {
    let id: SopId = text
        .unwrap_or("S01")
        .parse()
        .map_err(|_| Refusal::NotFound)?;
    catalogue(loket)
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(Refusal::NotFound)
}

async fn blank(
    State(loket): State<Loket>,
    me: Signed,
    Query(chosen): Query<Chosen>,
) -> Result<Response, Refusal> {
    me.at(Desk::Loket)?;
    let procedure = procedure(&loket, chosen.sop.as_deref())?;
    Ok(html(&FormPage::new(
        &loket,
        &me,
        procedure,
        Form::default(),
    )))
}

/// The form's fields as posted: urlencoded, or `multipart/form-data` when it carries what
/// the counter's reader gave for the index fingers (`pindai_right_index`,
/// `pindai_left_index`: a PNG image or an ISO/IEC 19794-2 record), each read here into its
/// record (`jari_…`, base64) or why it must be pressed again (`jari_salah`).
async fn posted(req: Request) -> Result<Vec<(String, String)>, Refusal> {
    let multipart = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let Posted(pairs) = Posted::<Vec<(String, String)>>::from_request(req, &())
            .await
            .map_err(|_| Refusal::Csrf)?;
        return Ok(pairs);
    }
    let mut form = Multipart::from_request(req, &())
        .await
        .map_err(|_| Refusal::Csrf)?;
    let mut pairs = Vec::new();
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let finger = match name.as_str() {
            "pindai_right_index" => Some((Finger::RightIndex, "jari_right_index")),
            "pindai_left_index" => Some((Finger::LeftIndex, "jari_left_index")),
            _ => None,
        };
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => {
                pairs.push((
                    "jari_salah".into(),
                    format!("{name}: unggahan terputus ({e})"),
                ));
                continue;
            }
        };
        match finger {
            Some(_) if bytes.is_empty() => {} // no file chosen: what the form kept stands
            Some((finger, kept)) => match pressed::read(finger, &bytes) {
                Ok(p) => pairs.push((kept.into(), STANDARD.encode(&p.template.template.data))),
                Err(e) => pairs.push((
                    "jari_salah".into(),
                    format!("{}: {}, pindai ulang", finger.nama(), e.pesan()),
                )),
            },
            None => pairs.push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    Ok(pairs)
}

async fn submit(State(loket): State<Loket>, me: Signed, req: Request) -> Result<Response, Refusal> {
    me.at(Desk::Loket)?;
    let form = Form::from_pairs(posted(req).await?);
    me.check_csrf(&form.csrf)?;
    let procedure = procedure(&loket, Some(&form.sop))?;
    let refuse = |form: Form, problems: Problems, refused: Vec<String>| {
        let mut page = FormPage::new(&loket, &me, procedure, form);
        page.problems = problems;
        page.refused = refused;
        // 200: the page is the answer to the form, with what is wrong on it (a browser logs any
        // other status as an error).
        html(&page)
    };
    let berkas = match form.berkas(
        procedure.id,
        me.account.kecamatan.as_ref(),
        &me.account.username,
    ) {
        Ok(b) => b,
        Err(problems) => {
            let all = problems.all();
            return Ok(refuse(form, problems, all));
        }
    };
    let kecamatan = KodeWilayah::parse(&berkas.kecamatan).map_err(|_| Refusal::NotFound)?;
    // The checks intake makes before it stores anything, made here too so the ppp sees them
    // all at once without a round trip.
    let reasons = submitted::problems(&berkas, &loket.own.counters, &kecamatan);
    if !reasons.is_empty() {
        return Ok(refuse(form, Problems::default(), reasons));
    }
    let key = RoutingKey::regional(SUBMITTED, &berkas.kecamatan).map_err(Refusal::unavailable)?;
    let id = berkas.submission_id;
    let msg = Outgoing::new(&berkas, key, id.to_string(), id.to_string())
        .map_err(Refusal::unavailable)?;
    match loket.line.ask(&msg, id, PATIENCE).await {
        Ok(Ok(accepted)) => {
            let detail = format!("{} diterima, ke {}", accepted.sop, accepted.next_hop);
            loket
                .record(&me, "ajukan_berkas", Some(&accepted.nomor_berkas), detail)
                .await;
            Ok(Redirect::to(&format!("/loket/berkas/{}", accepted.nomor_berkas)).into_response())
        }
        Ok(Err(refused)) => {
            let detail = format!("{}: {} alasan", refused.sop, refused.reasons.len());
            loket.record(&me, "berkas_ditolak", None, detail).await;
            Ok(refuse(form, Problems::default(), refused.reasons))
        }
        Err(e) => Ok(refuse(
            form,
            Problems::default(),
            vec![format!(
                "berkas belum diterima intake ({e}); pengajuan {id} — periksa daftar berkas sebelum mengirim lagi"
            )],
        )),
    }
}

#[derive(Template)]
#[template(path = "loket/berkas.html")]
struct Receipt {
    frame: Frame,
    berkas: berkas::Model,
    title: &'static str,
    dokumen: Vec<&'static str>,
    timeline: Vec<crate::query::Entry>,
    /// What was done to the berkas at the desks in the browser: who, what, when.
    trail: Vec<ktpel_web::store::jejak::Model>,
}

/// Berkas `nomor`, if `me` may read it (their kecamatan's), and its line in the counter's
/// book (the documents, who received them, the day).
async fn berkas_for(
    loket: &Loket,
    me: &Signed,
    nomor: &str,
) -> Result<(berkas::Model, Option<buku_harian::Model>), Refusal> {
    let Some(b) = berkas::Entity::find_by_id(nomor.to_owned())
        .one(&loket.db)
        .await
        .map_err(Refusal::unavailable)?
        .filter(|b| me.account.covers(&b.kecamatan))
    else {
        // Not there, or another kecamatan's: the same answer.
        return Err(Refusal::NotFound);
    };
    let book = buku_harian::Entity::find()
        .filter(buku_harian::Column::NomorBerkas.eq(nomor))
        .one(&loket.db)
        .await
        .map_err(Refusal::unavailable)?;
    Ok((b, book))
}

/// The berkas's page: the salinan permohonan with its timeline and the desks' trail. Every
/// desk's staff may read it — of their own kecamatan's berkas — not only the counter's.
async fn receipt(
    State(loket): State<Loket>,
    me: Signed,
    Path(nomor): Path<String>,
) -> Result<Response, Refusal> {
    let (b, received) = berkas_for(&loket, &me, &nomor).await?;
    let dokumen = received
        .and_then(|r| serde_json::from_value::<Vec<Dokumen>>(r.dokumen).ok())
        .unwrap_or_default()
        .into_iter()
        .map(Dokumen::label)
        .collect();
    let timeline = crate::query::where_is(&loket.db, &nomor)
        .await
        .map_err(Refusal::unavailable)?
        .map(|t| t.timeline)
        .unwrap_or_default();
    let trail = ktpel_web::accounts::trail_of(loket.desks.db(), &nomor)
        .await
        .map_err(Refusal::unavailable)?;
    let title = Sop::get(b.sop).judul();
    Ok(html(&Receipt {
        frame: loket.desks.frame(Some(&me)),
        berkas: b,
        title,
        dokumen,
        timeline,
        trail,
    }))
}
