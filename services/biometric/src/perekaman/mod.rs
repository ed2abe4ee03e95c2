//! `/perekaman`: the enrollment station in the browser (S01.3–S01.6; at the Dinas, the photo
//! and signature taken again for S08, S10 and S12). The operator sees the berkas waiting,
//! opens one, captures the resident at the station (today's station is simulated: the
//! templates are made from the person, see [`crate::station`]), signs the enrollment off, and
//! gets the bukti perekaman to print. What the biometric service refuses comes back with every
//! reason.
//!
//! The desk writes nothing of the service's: it sends the capture on the bus like any station
//! and waits for the service's answer ([`ktpel_web::answers::Line`]). An operator of a
//! kecamatan sees that kecamatan's berkas only.

mod cadangan;
mod pindai;

pub use cadangan::{Backup, Exporter};
pub use pindai::Scans;

/// What the station keeps beside the service's tables: how it makes S20 backups, and the
/// fingers scanned for each berkas not yet sent.
#[derive(Clone)]
pub struct Station {
    pub backup: Backup,
    pub scans: Scans,
}

use crate::{
    station,
    store::{enrollment, operator_inbox, recapture},
};
use askama::Template;
use axum::{
    Form, Router,
    extract::{DefaultBodyLimit, Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post, put},
};
use ktpel_bus::{Broker, Outgoing, RoutingKey, Shutdown};
use ktpel_contract::{
    berkas::{BerkasHandedOff, kecamatan_of},
    enrollment::{CAPTURED, EnrollmentCreated, EnrollmentRefused, Finger},
};
use ktpel_domain::{Nik, sop::Sop};
use ktpel_web::{
    Desk, Desks, Frame, Refusal, Signed,
    answers::LineError,
    html,
    service_desk::{Hearing, ServiceDesk},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use std::time::Duration;

/// How long the station waits for the service's answer.
const PATIENCE: Duration = Duration::from_secs(15);

/// The station: the site's desks, the biometric service's tables to read, the line to it.
pub type Perekaman = ServiceDesk<Station, EnrollmentCreated, EnrollmentRefused, String>;

/// The station over the biometric service's database `db`, making S20 backups with `backup`,
/// sending on `broker` until `shutdown`.
pub fn open(
    desks: Desks,
    db: DatabaseConnection,
    backup: Backup,
    broker: Broker,
    shutdown: Shutdown,
) -> Result<Perekaman, LineError> {
    let hearing = Hearing {
        app: "ktpel-perekaman",
        id_of_yes: |c: &EnrollmentCreated| c.nomor_berkas.clone(),
        id_of_no: |r: &EnrollmentRefused| r.nomor_berkas.clone(),
    };
    Perekaman::open(
        desks,
        Desk::Perekaman,
        db,
        Station {
            backup,
            scans: Scans::default(),
        },
        hearing,
        broker,
        shutdown,
    )
}

/// The station's pages.
pub fn routes(p: Perekaman) -> Router {
    Router::new()
        .route("/perekaman", get(worklist))
        .route(
            "/perekaman/cadangan",
            get(cadangan::status).post(cadangan::export),
        )
        .route("/perekaman/{nomor}", get(station_page).post(capture))
        .route(
            "/perekaman/{nomor}/pindai",
            post(pindai::upload).layer(DefaultBodyLimit::max(11 * pindai::MAX_IMAGE)),
        )
        .route(
            "/perekaman/{nomor}/jari/{finger}",
            put(pindai::put_finger).layer(DefaultBodyLimit::max(pindai::MAX_IMAGE)),
        )
        .route(
            "/perekaman/{nomor}/foto",
            put(pindai::put_foto).layer(DefaultBodyLimit::max(pindai::MAX_IMAGE)),
        )
        .route("/perekaman/{nomor}/bukti", get(bukti))
        .route("/perekaman/{nomor}/bukti.pdf", get(bukti_pdf))
        .with_state(p)
}

/// The berkas `nomor` waiting at the operator, if `me` may work on it.
async fn waiting(
    p: &Perekaman,
    me: &Signed,
    nomor: &str,
) -> Result<(operator_inbox::Model, BerkasHandedOff), Refusal> {
    let w = operator_inbox::Entity::find_by_id(nomor.to_owned())
        .one(&p.db)
        .await
        .map_err(Refusal::unavailable)?
        .ok_or(Refusal::NotFound)?;
    let slip: BerkasHandedOff =
        serde_json::from_value(w.handoff.clone()).map_err(|_| Refusal::NotFound)?;
    if !me.account.covers(&slip.kecamatan) {
        return Err(Refusal::NotFound);
    }
    Ok((w, slip))
}

/// A berkas on the worklist.
struct Waiting {
    nomor_berkas: String,
    sop: String,
    nama: String,
    since: String,
    again: bool,
}

#[derive(Template)]
#[template(path = "perekaman/index.html")]
struct Worklist {
    frame: Frame,
    waiting: Vec<Waiting>,
}

async fn worklist(State(p): State<Perekaman>, me: Signed) -> Result<Response, Refusal> {
    me.at(Desk::Perekaman)?;
    let rows = operator_inbox::Entity::find()
        .order_by_asc(operator_inbox::Column::ReceivedAt)
        .all(&p.db)
        .await
        .map_err(Refusal::unavailable)?;
    let waiting = rows
        .into_iter()
        .filter_map(|w| {
            let slip: BerkasHandedOff = serde_json::from_value(w.handoff).ok()?;
            me.account.covers(&slip.kecamatan).then(|| Waiting {
                nomor_berkas: w.nomor_berkas,
                sop: slip.sop.to_string(),
                nama: slip.nama,
                since: w.received_at.format("%Y-%m-%d %H:%M").to_string(),
                again: Sop::get(slip.sop).recaptures(),
            })
        })
        .collect();
    Ok(html(&Worklist {
        frame: p.desks.frame(Some(&me)),
        waiting,
    }))
}

#[derive(Template)]
#[template(path = "perekaman/station.html")]
struct StationPage {
    frame: Frame,
    nomor_berkas: String,
    nik: String,
    nama: String,
    sop: String,
    title: &'static str,
    again: bool,
    /// The sign-off box as the operator left it (ticked on a fresh page).
    signed_off: bool,
    refused: Vec<String>,
    /// Each finger's scan as it stands: (field name, the finger's name for people, what the
    /// scanner found, if scanned).
    scans: Vec<(String, &'static str, Option<String>)>,
    /// Whether anything was scanned: the capture then sends the scans.
    scanned: bool,
    foto_dipindai: bool,
}

impl StationPage {
    fn new(p: &Perekaman, me: &Signed, w: &operator_inbox::Model, slip: &BerkasHandedOff) -> Self {
        let procedure = Sop::get(slip.sop);
        Self {
            frame: p.desks.frame(Some(me)),
            nomor_berkas: w.nomor_berkas.clone(),
            nik: w.nik.clone(),
            nama: slip.nama.clone(),
            sop: slip.sop.to_string(),
            title: procedure.judul(),
            again: procedure.recaptures(),
            signed_off: true,
            refused: Vec::new(),
            scans: Vec::new(),
            scanned: false,
            foto_dipindai: false,
        }
        .with_scans(p.own.scans.of(&w.nomor_berkas).unwrap_or_default())
    }

    fn with_scans(mut self, held: pindai::Pindaian) -> Self {
        self.scanned = !held.fingers.is_empty() || held.foto.is_some();
        self.foto_dipindai = held.foto.is_some();
        self.scans = Finger::ALL
            .iter()
            .map(|f| {
                let name = crate::scanned::file_name(*f)
                    .trim_end_matches(".png")
                    .to_owned();
                let found = held.fingers.get(f).map(|s| {
                    format!(
                        "kualitas {}, {} minutiae",
                        s.template.template.quality, s.minutiae
                    )
                });
                (name, f.nama(), found)
            })
            .collect();
        self
    }
}

async fn station_page(
    State(p): State<Perekaman>,
    me: Signed,
    Path(nomor): Path<String>,
) -> Result<Response, Refusal> {
    me.at(Desk::Perekaman)?;
    let (w, slip) = waiting(&p, &me, &nomor).await?;
    Ok(html(&StationPage::new(&p, &me, &w, &slip)))
}

#[derive(Deserialize)]
struct Captured {
    csrf: String,
    /// The operator's fingerprint sign-off (S01.6).
    sign_off: Option<String>,
}

async fn capture(
    State(p): State<Perekaman>,
    me: Signed,
    Path(nomor): Path<String>,
    Form(f): Form<Captured>,
) -> Result<Response, Refusal> {
    me.at(Desk::Perekaman)?;
    me.check_csrf(&f.csrf)?;
    let (w, slip) = waiting(&p, &me, &nomor).await?;
    let nik = Nik::parse(&w.nik).map_err(|_| Refusal::NotFound)?;
    let operator = me.account.username.as_str();
    let again = Sop::get(slip.sop).recaptures();
    let person = station::Person::of(&nik);
    let held = p.own.scans.of(&nomor).filter(|_| !again);
    let c = match held {
        _ if again => station::recapture(&nomor, &nik, &person, operator),
        // What the scanners gave; the simulated camera's photo where none was taken.
        Some(held) => {
            let templates = held.fingers.into_values().map(|s| s.template).collect();
            let photo = held
                .foto
                .unwrap_or_else(|| station::portrait(&person, "photo"));
            let signed_off = f.sign_off.is_some();
            match crate::scanned::of_scans(
                &nomor, &nik, &person, templates, photo, operator, signed_off,
            ) {
                Ok(c) => c,
                Err(e) => {
                    let mut page = StationPage::new(&p, &me, &w, &slip);
                    page.signed_off = signed_off;
                    page.refused = match e {
                        crate::scanned::ScanError::Fingers(each) => each,
                        other => vec![other.to_string()],
                    };
                    return Ok(html(&page));
                }
            }
        }
        None => station::capture(&nomor, &nik, &person, operator, f.sign_off.is_some()),
    };
    let key = RoutingKey::regional(CAPTURED, &slip.kecamatan).map_err(Refusal::unavailable)?;
    let msg = Outgoing::new(&c, key, &nomor, &nomor).map_err(Refusal::unavailable)?;
    // A re-capture is answered only with a refusal: done is when the service has kept it.
    let answer = if again {
        tokio::select! {
            a = p.line.ask(&msg, nomor.clone(), PATIENCE) => a.map(|a| a.map(|_| ())),
            () = kept(&p.db, &nomor) => Ok(Ok(())),
        }
    } else {
        p.line
            .ask(&msg, nomor.clone(), PATIENCE)
            .await
            .map(|a| a.map(|_| ()))
    };
    let refused = match answer {
        Ok(Ok(())) => {
            p.own.scans.forget(&nomor);
            let action = if again { "rekam_ulang" } else { "rekam" };
            p.record(&me, action, Some(&nomor), slip.sop.to_string())
                .await;
            return Ok(Redirect::to(&format!("/perekaman/{nomor}/bukti")).into_response());
        }
        Ok(Err(r)) => r.reasons,
        Err(e) => vec![format!("rekaman belum dijawab layanan biometrik ({e})")],
    };
    let mut page = StationPage::new(&p, &me, &w, &slip);
    page.signed_off = f.sign_off.is_some();
    page.refused = refused;
    Ok(html(&page))
}

/// Returns once the re-capture of berkas `nomor` is kept by the service.
async fn kept(db: &DatabaseConnection, nomor: &str) {
    loop {
        if let Ok(Some(_)) = recapture::Entity::find_by_id(nomor.to_owned())
            .one(db)
            .await
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[derive(Template)]
#[template(path = "perekaman/bukti.html")]
struct Bukti {
    frame: Frame,
    nomor_berkas: String,
    nik: String,
    /// The bukti perekaman's number (none for a re-capture: the first enrollment's stands).
    bukti: Option<String>,
    operator: String,
    at: String,
}

/// The enrollment of berkas `nomor`, if `me` may read it (their kecamatan's).
async fn enrollment_for(
    p: &Perekaman,
    me: &Signed,
    nomor: &str,
) -> Result<Option<enrollment::Model>, Refusal> {
    let Some(e) = enrollment::Entity::find()
        .filter(enrollment::Column::NomorBerkas.eq(nomor))
        .one(&p.db)
        .await
        .map_err(Refusal::unavailable)?
    else {
        return Ok(None);
    };
    if !me.account.covers(&crate::papers::kecamatan(&e)) {
        return Err(Refusal::NotFound);
    }
    Ok(Some(e))
}

/// `GET /perekaman/{nomor}/bukti.pdf`: the bukti perekaman as PDF, made from the stored
/// enrollment (the same file each time). A recapture (S08, S10, S12) gives none.
async fn bukti_pdf(
    State(p): State<Perekaman>,
    me: Signed,
    Path(nomor): Path<String>,
) -> Result<Response, Refusal> {
    me.at(Desk::Perekaman)?;
    let e = enrollment_for(&p, &me, &nomor)
        .await?
        .ok_or(Refusal::NotFound)?;
    let bukti = crate::papers::bukti_of(&e);
    ktpel_web::pdf(&format!("bukti-perekaman-{nomor}.pdf"), bukti.pdf())
}

async fn bukti(
    State(p): State<Perekaman>,
    me: Signed,
    Path(nomor): Path<String>,
) -> Result<Response, Refusal> {
    me.at(Desk::Perekaman)?;
    let frame = p.desks.frame(Some(&me));
    if let Some(e) = enrollment_for(&p, &me, &nomor).await? {
        return Ok(html(&Bukti {
            frame,
            nomor_berkas: e.nomor_berkas,
            nik: e.nik,
            bukti: Some(e.bukti_perekaman),
            operator: e.operator,
            at: e.enrolled_at.format("%d-%m-%Y %H:%M").to_string(),
        }));
    }
    let r = recapture::Entity::find_by_id(nomor.clone())
        .one(&p.db)
        .await
        .map_err(Refusal::unavailable)?
        .filter(|_| me.account.covers(&kecamatan_of(&nomor).unwrap_or_default()))
        .ok_or(Refusal::NotFound)?;
    Ok(html(&Bukti {
        frame,
        nomor_berkas: r.nomor_berkas,
        nik: r.nik,
        bukti: None,
        operator: r.operator,
        at: r.captured_at.format("%d-%m-%Y %H:%M").to_string(),
    }))
}
