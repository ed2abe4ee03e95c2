//! `/cetak`: the print desk in the browser (BCardMgmt, S21). The print operator sees the cards
//! in production and takes each a step on — the chip encoded and signed with the Dinas key
//! (S21.2), the face printed with its preview (S21.3), the chip read back and checked against
//! the register (S21.4), or the three in one sitting with the card in hand — and the
//! kepala_seksi approves it (`CARD_PRINTED`). Every step is the same [`crate::desk`] function
//! `ktpel print` calls, in the card-print service's own process; who did it is the signed-in
//! account.
//!
//! A card is named by its berkas number in addresses; the NIK travels only in the form's body
//! (a family's berkas has a card per member).

use crate::{
    desk::{self, DeskError},
    operators::{self, Session},
    store::job::{self, JobState},
};
use askama::Template;
use axum::{
    Form, Router,
    extract::{FromRef, Path, Query, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use base64::Engine;
use ed25519_dalek::SigningKey;
use ktpel_web::{Desk, Desks, Frame, Refusal, Signed, html};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use std::sync::Arc;

/// The print desk: the site's desks, card-print's database, the Dinas chip-signing key.
#[derive(Clone)]
pub struct Cetak {
    pub desks: Desks,
    db: DatabaseConnection,
    key: Arc<SigningKey>,
}

impl FromRef<Cetak> for Desks {
    fn from_ref(c: &Cetak) -> Desks {
        c.desks.clone()
    }
}

impl Cetak {
    pub fn new(desks: Desks, db: DatabaseConnection, key: SigningKey) -> Self {
        Self {
            desks: desks.serving([Desk::Cetak]),
            db,
            key: Arc::new(key),
        }
    }

    /// The print desk's pages.
    pub fn routes(self) -> Router {
        Router::new()
            .route("/cetak", get(index))
            .route("/cetak/{nomor}", post(act))
            .route("/cetak/{nomor}/{nik}/kartu.pdf", get(card_pdf))
            .with_state(self)
    }
}

/// A step of S21 a person takes at the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Step {
    Encode,
    Print,
    Verify,
    /// S21.2–S21.4 in one sitting ([`desk::produce`]).
    Produce,
    Approve,
}

impl Step {
    /// The step the card in `state` waits for.
    fn next(state: JobState) -> Option<Self> {
        match state {
            JobState::Queued => Some(Self::Encode),
            JobState::Encoded => Some(Self::Print),
            JobState::Printed => Some(Self::Verify),
            JobState::Verified => Some(Self::Approve),
            JobState::Waiting | JobState::Approved => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Encode => "encode",
            Self::Print => "print",
            Self::Verify => "verify",
            Self::Produce => "produce",
            Self::Approve => "approve",
        }
    }

    /// The button's words.
    fn label(self) -> &'static str {
        match self {
            Self::Encode => "Tulis chip (S21.2)",
            Self::Print => "Cetak kartu (S21.3)",
            Self::Verify => "Verifikasi chip (S21.4)",
            Self::Produce => "Tulis, cetak, verifikasi sekaligus (S21.2–S21.4)",
            Self::Approve => "Setujui (kepala seksi)",
        }
    }

    /// Who takes it at BCardMgmt.
    fn role(self) -> operators::Role {
        match self {
            Self::Approve => operators::Role::KepalaSeksi,
            _ => operators::Role::Operator,
        }
    }

    fn done(self) -> &'static str {
        match self {
            Self::Encode => "chip ditulis dan ditandatangani dengan kunci Dinas",
            Self::Print => "kartu dicetak",
            Self::Verify => "chip dibaca kembali: tanda tangan sah, cocok dengan register",
            Self::Produce => {
                "chip ditulis, kartu dicetak, chip dibaca kembali: tanda tangan sah, cocok dengan register"
            }
            Self::Approve => "kartu disetujui: CARD_PRINTED, diteruskan ke distribusi",
        }
    }
}

/// BCardMgmt's session for `me` taking `step`; `None` for a role of another desk (which
/// [`Signed::at`] has already turned away).
fn session(me: &Signed, step: Step) -> Option<Session> {
    Session::of(&me.account, step.role()).ok()
}

/// Whether the signed-in person takes `step`.
fn takes(me: &Signed, step: Step) -> bool {
    session(me, step).is_some_and(|m| m.role == step.role())
}

/// A card on the page.
struct Card {
    nomor_berkas: String,
    nik: String,
    nama: String,
    state: String,
    /// The step the card waits for, if the signed-in person takes it (the print operator
    /// encodes, prints and verifies; the kepala_seksi approves).
    step: Option<Step>,
    /// The three steps in one sitting, for a card in the queue and its print operator.
    sitting: Option<Step>,
    /// The printed face as a `data:` address, once printed.
    face: Option<String>,
    /// The card as PDF, front and back, once it has its number (encoded).
    pdf: Option<String>,
}

#[derive(Template)]
#[template(path = "cetak/index.html")]
struct Index {
    frame: Frame,
    cards: Vec<Card>,
    done: Option<String>,
    refused: Option<String>,
}

#[derive(Deserialize)]
struct Said {
    selesai: Option<Step>,
}

async fn page(
    c: &Cetak,
    me: &Signed,
    done: Option<String>,
    refused: Option<String>,
) -> Result<Response, Refusal> {
    let jobs = job::Entity::find()
        .filter(job::Column::State.is_in([
            JobState::Queued,
            JobState::Encoded,
            JobState::Printed,
            JobState::Verified,
        ]))
        .order_by_asc(job::Column::UpdatedAt)
        .all(&c.db)
        .await
        .map_err(Refusal::unavailable)?;
    let mut cards = Vec::with_capacity(jobs.len());
    for j in jobs {
        let face = if matches!(j.state, JobState::Printed | JobState::Verified) {
            job::face(&c.db, &j.nomor_berkas, &j.nik)
                .await
                .map_err(Refusal::unavailable)?
                .map(|png| {
                    format!(
                        "data:image/png;base64,{}",
                        base64::engine::general_purpose::STANDARD.encode(png)
                    )
                })
        } else {
            None
        };
        cards.push(Card {
            pdf: j
                .nomor_kartu
                .as_ref()
                .map(|_| format!("/cetak/{}/{}/kartu.pdf", j.nomor_berkas, j.nik)),
            nama: desk::biodata(&j).map(|b| b.nama).unwrap_or_default(),
            step: Step::next(j.state).filter(|s| takes(me, *s)),
            sitting: (j.state == JobState::Queued)
                .then_some(Step::Produce)
                .filter(|s| takes(me, *s)),
            state: j.state.to_string(),
            face,
            nomor_berkas: j.nomor_berkas,
            nik: j.nik,
        });
    }
    Ok(html(&Index {
        frame: c.desks.frame(Some(me)),
        cards,
        done,
        refused,
    }))
}

async fn index(
    State(c): State<Cetak>,
    me: Signed,
    Query(said): Query<Said>,
) -> Result<Response, Refusal> {
    me.at(Desk::Cetak)?;
    page(&c, &me, said.selesai.map(|s| s.done().to_owned()), None).await
}

/// `GET /cetak/{nomor}/{nik}/kartu.pdf`: the card of `nik` in berkas `nomor` as PDF, front
/// and back at ID-1 with the enrollment's photo, made again from what the job stores: the
/// print preview at full size, and the card again the same for one lost or spoiled. None
/// before its chip is encoded (it has no number yet).
async fn card_pdf(
    State(c): State<Cetak>,
    me: Signed,
    Path((nomor, nik)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    me.at(Desk::Cetak)?;
    let j = job::Entity::find_by_id((nomor, nik))
        .one(&c.db)
        .await
        .map_err(Refusal::unavailable)?
        .filter(|j| j.nomor_kartu.is_some())
        .ok_or(Refusal::NotFound)?;
    let made = desk::card_pdf(&c.db, &j).await;
    ktpel_web::pdf(&format!("kartu-{}.pdf", j.nik), made)
}

#[derive(Deserialize)]
struct Act {
    csrf: String,
    nik: String,
    langkah: Step,
}

async fn act(
    State(c): State<Cetak>,
    me: Signed,
    Path(nomor): Path<String>,
    Form(a): Form<Act>,
) -> Result<Response, Refusal> {
    me.at(Desk::Cetak)?;
    me.check_csrf(&a.csrf)?;
    // The card must be this berkas's: a NIK from another berkas's form is not taken.
    let open = desk::open_job(&c.db, &a.nik).await;
    match &open {
        Ok(j) if j.nomor_berkas == nomor => {}
        Ok(_) | Err(DeskError::NoJob(_)) => return Err(Refusal::NotFound),
        Err(e) => return Err(Refusal::unavailable(e)),
    }
    let Some(s) = session(&me, a.langkah) else {
        return Err(me.not_for(Desk::Cetak));
    };
    let result = match a.langkah {
        Step::Encode => desk::encode(&c.db, &s, &c.key, &a.nik).await.map(drop),
        Step::Print => desk::print(&c.db, &s, &a.nik).await.map(drop),
        Step::Produce => desk::produce(&c.db, &s, &c.key, &a.nik).await.map(drop),
        Step::Verify => match open.ok().and_then(|j| j.chip) {
            // The card reader gives back what the chip holds: here, what was written.
            Some(read) => desk::verify(&c.db, &s, &c.key, &a.nik, &read).await,
            None => Err(DeskError::NoJob(a.nik.clone())),
        },
        Step::Approve => desk::approve(&c.db, &s, &a.nik).await,
    };
    match result {
        Ok(()) => {
            c.desks
                .record(
                    &me.account.username,
                    a.langkah.name(),
                    Some(&nomor),
                    "S21".to_owned(),
                )
                .await;
            Ok(Redirect::to(&format!("/cetak?selesai={}", a.langkah.name())).into_response())
        }
        Err(e) => page(&c, &me, None, Some(e.pesan())).await,
    }
}
