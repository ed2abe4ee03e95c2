//! `/siak`: SIAK's desk at the Dinas in the browser. The SIAK operator works the berkas
//! waiting at SIAK's desk (with `entry = "desk"`; see [`crate::config::Entry`]): enters a new
//! resident's Formulir Biodata and prints the KK (S04.3, S05.4), corrects the data (S06/S07),
//! changes a data element (S13/S14), runs an arrival and prints the family's new KK
//! (S15–S18) — each with what the berkas brought shown, each handed on to the next desk. The
//! operator also looks a resident up by NIK (the biodata and the family on the KK), sees what
//! SIAK recorded of late, and issues the Surat Keterangan Pindah for a family leaving the
//! kabupaten/kota (S18), printable. The NIK travels only in a form's body, never in an
//! address.

mod kk_pdf;
mod worklist;

use crate::{
    handlers::Registry,
    pindah::{self, PindahError},
    store::{penduduk, perubahan},
};
use askama::Template;
use axum::{
    Form, Router,
    extract::{FromRef, Query, State},
    response::Response,
    routing::{get, post},
};
use ktpel_contract::registry::KeluargaPindah;
use ktpel_domain::{KodeWilayah, Nik};
use ktpel_web::{Desk, Desks, Frame, Refusal, Signed, html};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;

/// SIAK's desk: the site's desks and the register.
#[derive(Clone)]
pub struct Siak {
    pub desks: Desks,
    db: DatabaseConnection,
    /// What kind of SIAK the desk's work is done in (whether it announces to the copies).
    registry: Registry,
}

impl FromRef<Siak> for Desks {
    fn from_ref(s: &Siak) -> Desks {
        s.desks.clone()
    }
}

impl Siak {
    pub fn new(desks: Desks, db: DatabaseConnection, registry: Registry) -> Self {
        Self {
            desks: desks.serving([Desk::Siak]),
            db,
            registry,
        }
    }

    pub fn routes(self) -> Router {
        Router::new()
            .route("/siak", get(index).post(look_up))
            .route("/siak/kerjakan", post(worklist::work_on))
            .route("/siak/pindah", post(skp))
            .route("/siak/kk/{no_kk}", get(kk_pdf::kk_pdf))
            .route("/siak/skp/{nomor}", get(kk_pdf::skp_pdf))
            .with_state(self)
    }
}

/// A resident as the page shows them.
struct Resident {
    nik: String,
    nama: String,
    no_kk: String,
    jenis_kelamin: String,
    lahir: String,
    alamat: String,
    desa: String,
    status_kartu: String,
}

impl From<penduduk::Model> for Resident {
    fn from(p: penduduk::Model) -> Self {
        Self {
            lahir: format!("{}, {}", p.tempat_lahir, p.tanggal_lahir.format("%d-%m-%Y")),
            status_kartu: p
                .status_kartu
                .map(|s| s.to_string())
                .unwrap_or_else(|| "—".into()),
            // In words, as the KK prints it ("perempuan"), not SIAK's code.
            jenis_kelamin: p.kelamin().to_string(),
            nik: p.nik,
            nama: p.nama,
            no_kk: p.no_kk,
            alamat: p.alamat,
            desa: p.desa,
        }
    }
}

struct Change {
    nomor_berkas: String,
    sop: String,
    at: String,
}

#[derive(Template)]
#[template(path = "siak/index.html")]
struct Page {
    frame: Frame,
    /// What was done a moment ago (after a redirect).
    done: Option<String>,
    /// The berkas waiting at SIAK's desk, the account's kecamatan's only.
    waiting: Vec<worklist::Task>,
    nik: String,
    found: Option<Resident>,
    family: Vec<Resident>,
    changes: Vec<Change>,
    newest: Vec<Resident>,
    refused: Option<String>,
}

async fn page(
    s: &Siak,
    me: &Signed,
    nik: String,
    found: Option<penduduk::Model>,
    refused: Option<String>,
) -> Result<Response, Refusal> {
    page_after(s, me, None, nik, found, refused).await
}

async fn page_after(
    s: &Siak,
    me: &Signed,
    done: Option<String>,
    nik: String,
    found: Option<penduduk::Model>,
    refused: Option<String>,
) -> Result<Response, Refusal> {
    let waiting = worklist::waiting(&s.db, me).await?;
    let family = match &found {
        Some(p) => penduduk::Entity::find()
            .filter(penduduk::Column::NoKk.eq(p.no_kk.clone()))
            .order_by_asc(penduduk::Column::TanggalLahir)
            .all(&s.db)
            .await
            .map_err(Refusal::unavailable)?,
        None => Vec::new(),
    };
    let changes = perubahan::Entity::find()
        .order_by_desc(perubahan::Column::At)
        .limit(10)
        .all(&s.db)
        .await
        .map_err(Refusal::unavailable)?
        .into_iter()
        .map(|c| Change {
            nomor_berkas: c.nomor_berkas,
            sop: c.sop.to_string(),
            at: c.at.format("%Y-%m-%d %H:%M").to_string(),
        })
        .collect();
    let newest = penduduk::Entity::find()
        .order_by_desc(penduduk::Column::UpdatedAt)
        .limit(10)
        .all(&s.db)
        .await
        .map_err(Refusal::unavailable)?
        .into_iter()
        .map(Resident::from)
        .collect();
    Ok(html(&Page {
        frame: s.desks.frame(Some(me)),
        done,
        waiting,
        nik,
        found: found.map(Resident::from),
        family: family.into_iter().map(Resident::from).collect(),
        changes,
        newest,
        refused,
    }))
}

#[derive(Deserialize)]
struct Said {
    /// The berkas whose work was just done.
    selesai: Option<String>,
}

async fn index(
    State(s): State<Siak>,
    me: Signed,
    Query(said): Query<Said>,
) -> Result<Response, Refusal> {
    me.at(Desk::Siak)?;
    let done = said.selesai.map(|nomor| {
        format!("berkas {nomor} dikerjakan di SIAK dan diteruskan ke meja berikutnya")
    });
    page_after(&s, &me, done, String::new(), None, None).await
}

#[derive(Deserialize)]
struct Lookup {
    csrf: String,
    nik: String,
}

async fn look_up(
    State(s): State<Siak>,
    me: Signed,
    Form(f): Form<Lookup>,
) -> Result<Response, Refusal> {
    me.at(Desk::Siak)?;
    me.check_csrf(&f.csrf)?;
    let typed = f.nik.trim().to_owned();
    let nik = match typed.parse::<Nik>() {
        Ok(n) => n,
        Err(e) => return page(&s, &me, typed, None, Some(e.pesan())).await,
    };
    let found = penduduk::Entity::find_by_id(nik.to_string())
        .one(&s.db)
        .await
        .map_err(Refusal::unavailable)?;
    let refused = found
        .is_none()
        .then(|| format!("NIK {nik} tidak ada di SIAK ini"));
    page(&s, &me, typed, found, refused).await
}

#[derive(Template)]
#[template(path = "siak/skp.html")]
struct SkpPage {
    frame: Frame,
    skp: KeluargaPindah,
}

#[derive(Deserialize)]
struct Move {
    csrf: String,
    nik: String,
    /// The destination kabupaten/kota.
    ke: String,
}

async fn skp(State(s): State<Siak>, me: Signed, Form(f): Form<Move>) -> Result<Response, Refusal> {
    me.at(Desk::Siak)?;
    me.check_csrf(&f.csrf)?;
    let typed = f.nik.trim().to_owned();
    let refuse = |why: String| async { page(&s, &me, typed.clone(), None, Some(why)).await };
    let nik = match typed.parse::<Nik>() {
        Ok(n) => n,
        Err(e) => return refuse(e.pesan()).await,
    };
    let ke = match KodeWilayah::parse(f.ke.trim()) {
        Ok(k) => k,
        Err(e) => return refuse(format!("kabupaten/kota tujuan: {}", e.pesan())).await,
    };
    match pindah::keluar(&s.db, &nik, &ke).await {
        Ok(skp) => {
            s.desks
                .record(
                    &me.account.username,
                    "surat_keterangan_pindah",
                    None,
                    skp.nomor_skp.clone(),
                )
                .await;
            Ok(html(&SkpPage {
                frame: s.desks.frame(Some(&me)),
                skp,
            }))
        }
        Err(e @ (PindahError::Db(_) | PindahError::Bus(_))) => Err(Refusal::unavailable(e)),
        Err(e) => refuse(e.pesan()).await,
    }
}
