//! `/distribusi`: S22 in the browser. The petugas distribusi puts the printed cards in
//! batches, one per kecamatan, each with its Berita Acara Serah Terima (S22.2–S22.3); the
//! kecamatan's ppp signs for the batch when it arrives (residents are told to collect) and
//! hands each card over against the resident's tanda terima (S22.4–S22.5); a B variant's card
//! is handed over at the Dinas's desk the same way. Every step is the same [`crate::desk`]
//! function `ktpel distribute` calls, in the distribution service's own process; a kecamatan's
//! ppp sees only that kecamatan's batches and cards.
//!
//! A card is named by its berkas number in addresses; the NIK travels only in the form's body.

use crate::{
    desk::{self, DeskError},
    store::{batch, kartu},
};
use askama::Template;
use axum::{
    Form, Router,
    extract::{FromRef, Path, Query, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ktpel_web::{Account, Desk, Desks, Frame, Refusal, Role, Signed, html};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;

/// The distribution desk: the site's desks and distribution's database.
#[derive(Clone)]
pub struct Distribusi {
    pub desks: Desks,
    db: DatabaseConnection,
}

impl FromRef<Distribusi> for Desks {
    fn from_ref(d: &Distribusi) -> Desks {
        d.desks.clone()
    }
}

impl Distribusi {
    pub fn new(desks: Desks, db: DatabaseConnection) -> Self {
        Self {
            desks: desks.serving([Desk::Distribusi]),
            db,
        }
    }

    /// The distribution desk's pages.
    pub fn routes(self) -> Router {
        Router::new()
            .route("/distribusi", get(index))
            .route("/distribusi/batch", post(make_batches))
            .route("/distribusi/batch/{id}", post(receive))
            .route("/distribusi/batch/{id}/{document}", get(berita_acara))
            .route("/distribusi/kartu/{nomor}", post(hand_over))
            .route(
                "/distribusi/kartu/{nomor}/{nik}/tanda-terima.pdf",
                get(tanda_terima),
            )
            .with_state(self)
    }
}

/// Who carries cards to the kecamatan (and the admin).
fn carries(a: &Account) -> bool {
    matches!(a.role, Role::Distribusi | Role::Admin)
}

/// Who signs for a batch and hands cards over at a counter (and the admin).
fn at_counter(a: &Account) -> bool {
    matches!(a.role, Role::Ppp | Role::Admin)
}

struct Batch {
    id: String,
    kecamatan: String,
    petugas: String,
    created: String,
    received_by: Option<String>,
}

struct Card {
    nomor_berkas: String,
    nik: String,
    nama: String,
    desa: String,
    kecamatan: String,
    at_dinas_desk: bool,
}

#[derive(Template)]
#[template(path = "distribusi/index.html")]
struct Index {
    frame: Frame,
    carries: bool,
    at_counter: bool,
    /// Cards waiting for a batch, per kecamatan.
    waiting: Vec<(String, usize)>,
    batches: Vec<Batch>,
    cards: Vec<Card>,
    done: Option<&'static str>,
    refused: Option<String>,
}

#[derive(Deserialize)]
struct Said {
    selesai: Option<String>,
}

fn done_text(code: &str) -> Option<&'static str> {
    match code {
        "batch" => Some("batch dibuat, Berita Acara siap dicetak: kartu CARD_SHIPPED"),
        "terima" => Some("batch diterima di kecamatan; penduduk diberi tahu untuk mengambil kartu"),
        "serah" => Some("kartu diserahkan dengan tanda terima: CARD_ACTIVATED"),
        _ => None,
    }
}

async fn page(
    d: &Distribusi,
    me: &Signed,
    done: Option<&'static str>,
    refused: Option<String>,
) -> Result<Response, Refusal> {
    let mine = |kecamatan: &str| me.account.covers(kecamatan);
    let mut waiting: Vec<(String, usize)> = Vec::new();
    for c in kartu::Entity::find()
        .filter(kartu::Column::BatchId.is_null())
        .filter(kartu::Column::AtDinasDesk.eq(false))
        .order_by_asc(kartu::Column::Kecamatan)
        .all(&d.db)
        .await
        .map_err(Refusal::unavailable)?
        .into_iter()
        .filter(|c| mine(&c.kecamatan))
    {
        match waiting.last_mut() {
            Some((k, n)) if *k == c.kecamatan => *n += 1,
            _ => waiting.push((c.kecamatan, 1)),
        }
    }
    let batches = batch::Entity::find()
        .order_by_desc(batch::Column::CreatedAt)
        .all(&d.db)
        .await
        .map_err(Refusal::unavailable)?
        .into_iter()
        .filter(|b| mine(&b.kecamatan))
        .take(20)
        .map(|b| Batch {
            id: b.batch_id.to_string(),
            kecamatan: b.kecamatan,
            petugas: b.petugas,
            created: b.created_at.format("%Y-%m-%d %H:%M").to_string(),
            received_by: b.received_by,
        })
        .collect();
    let dinas_desk = kartu::Entity::find()
        .filter(kartu::Column::AtDinasDesk.eq(true))
        .filter(kartu::Column::TandaTerimaBy.is_null())
        .all(&d.db)
        .await
        .map_err(Refusal::unavailable)?;
    let cards = desk::awaiting_collection(&d.db)
        .await
        .map_err(Refusal::unavailable)?
        .into_iter()
        .chain(dinas_desk)
        .filter(|c| mine(&c.kecamatan))
        .map(|c| Card {
            nomor_berkas: c.nomor_berkas,
            nik: c.nik,
            nama: c.nama,
            desa: c.desa,
            kecamatan: c.kecamatan,
            at_dinas_desk: c.at_dinas_desk,
        })
        .collect();
    Ok(html(&Index {
        frame: d.desks.frame(Some(me)),
        carries: carries(&me.account),
        at_counter: at_counter(&me.account),
        waiting,
        batches,
        cards,
        done,
        refused,
    }))
}

async fn index(
    State(d): State<Distribusi>,
    me: Signed,
    Query(said): Query<Said>,
) -> Result<Response, Refusal> {
    me.at(Desk::Distribusi)?;
    page(&d, &me, said.selesai.as_deref().and_then(done_text), None).await
}

/// What a desk step ends in: back to the page saying what was done, or the page saying why
/// not.
async fn after(
    d: &Distribusi,
    me: &Signed,
    result: Result<Option<String>, DeskError>,
    action: &str,
    code: &str,
) -> Result<Response, Refusal> {
    match result {
        Ok(nomor_berkas) => {
            d.desks
                .record(
                    &me.account.username,
                    action,
                    nomor_berkas.as_deref(),
                    "S22".to_owned(),
                )
                .await;
            Ok(Redirect::to(&format!("/distribusi?selesai={code}")).into_response())
        }
        Err(e) => page(d, me, None, Some(e.pesan())).await,
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: String,
}

async fn make_batches(
    State(d): State<Distribusi>,
    me: Signed,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, Refusal> {
    me.at(Desk::Distribusi)?;
    me.check_csrf(&f.csrf)?;
    if !carries(&me.account) {
        return Err(me.not_for(Desk::Distribusi));
    }
    let result = desk::make_batches(&d.db, &me.account.username)
        .await
        .map(|_| None);
    after(&d, &me, result, "buat_batch", "batch").await
}

/// The batch `id`, if `me` may see it.
async fn batch_of(d: &Distribusi, me: &Signed, id: &str) -> Result<batch::Model, Refusal> {
    let id: uuid::Uuid = id.parse().map_err(|_| Refusal::NotFound)?;
    batch::Entity::find_by_id(id)
        .one(&d.db)
        .await
        .map_err(Refusal::unavailable)?
        .filter(|b| me.account.covers(&b.kecamatan))
        .ok_or(Refusal::NotFound)
}

async fn receive(
    State(d): State<Distribusi>,
    me: Signed,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, Refusal> {
    me.at(Desk::Distribusi)?;
    me.check_csrf(&f.csrf)?;
    let b = batch_of(&d, &me, &id).await?;
    if !at_counter(&me.account) {
        return Err(me.not_for(Desk::Distribusi));
    }
    let result = desk::confirm_receipt(&d.db, b.batch_id, &me.account.username)
        .await
        .map(|_| None);
    after(&d, &me, result, "terima_batch", "terima").await
}

/// The batch's Berita Acara: `berita-acara`, the page kept with the batch; `berita-acara.pdf`,
/// the PDF made again from the batch's stored data (the same file each time).
async fn berita_acara(
    State(d): State<Distribusi>,
    me: Signed,
    Path((id, document)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    me.at(Desk::Distribusi)?;
    let b = batch_of(&d, &me, &id).await?;
    match document.as_str() {
        "berita-acara" => Ok((
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            b.berita_acara,
        )
            .into_response()),
        "berita-acara.pdf" => ktpel_web::pdf(
            &format!("berita-acara-{}.pdf", b.batch_id),
            crate::berita_acara::pdf(&d.db, &b).await,
        ),
        _ => Err(Refusal::NotFound),
    }
}

#[derive(Deserialize)]
struct HandOver {
    csrf: String,
    nik: String,
    /// Who signs the tanda terima.
    penerima: String,
}

/// The tanda terima of a card handed over, as PDF, made again from the card's row; none
/// before the hand-over.
async fn tanda_terima(
    State(d): State<Distribusi>,
    me: Signed,
    Path((nomor, nik)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    me.at(Desk::Distribusi)?;
    let card = kartu::Entity::find_by_id((nomor.clone(), nik.clone()))
        .one(&d.db)
        .await
        .map_err(Refusal::unavailable)?
        .filter(|c| me.account.covers(&c.kecamatan))
        .ok_or(Refusal::NotFound)?;
    let paper = crate::berita_acara::tanda_terima(&card).ok_or(Refusal::NotFound)?;
    ktpel_web::pdf(&format!("tanda-terima-{nomor}-{nik}.pdf"), paper.pdf())
}

async fn hand_over(
    State(d): State<Distribusi>,
    me: Signed,
    Path(nomor): Path<String>,
    Form(f): Form<HandOver>,
) -> Result<Response, Refusal> {
    me.at(Desk::Distribusi)?;
    me.check_csrf(&f.csrf)?;
    // The card must be this berkas's and this account's kecamatan's.
    kartu::Entity::find_by_id((nomor.clone(), f.nik.clone()))
        .one(&d.db)
        .await
        .map_err(Refusal::unavailable)?
        .filter(|c| me.account.covers(&c.kecamatan))
        .ok_or(Refusal::NotFound)?;
    if !at_counter(&me.account) {
        return Err(me.not_for(Desk::Distribusi));
    }
    let result = desk::hand_over(&d.db, &f.nik, &me.account.username, &f.penerima)
        .await
        .map(|()| Some(nomor));
    after(&d, &me, result, "serahkan_kartu", "serah").await
}
