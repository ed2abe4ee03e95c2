//! `/adjudikasi`: the Pusat Data's adjudication desk in the browser. The adjudicator sees each
//! enrollment the matcher could not decide beside the resident on record it is most like —
//! both pas photos, both index fingers' minutiae as the ISO records hold them, and the
//! Bozorth3 score of each finger — and decides: another person (PRR) or the same
//! (DUPLICATE_RECORD), with the reason. The decision is [`crate::adjudication::decide`], in the
//! Pusat Data's own database and outbox; who decided is the signed-in account.

mod minutiae;

use crate::{
    adjudication::{self, AdjudicationError, Keputusan},
    dedup::scores_text,
    store::{adjudikasi, rekaman, sidik_jari},
};
use askama::Template;
use axum::{
    Form, Router,
    extract::{FromRef, Path, Query, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use base64::Engine;
use ktpel_biometrics::{Template as Prints, index, iso};
use ktpel_contract::enrollment::{Finger, TemplateFormat};
use ktpel_web::{Desk, Desks, Frame, Refusal, Signed, html};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The adjudication desk: the site's desks and the Pusat Data's database.
#[derive(Clone)]
pub struct Adjudikasi {
    pub desks: Desks,
    db: DatabaseConnection,
}

impl FromRef<Adjudikasi> for Desks {
    fn from_ref(a: &Adjudikasi) -> Desks {
        a.desks.clone()
    }
}

impl Adjudikasi {
    pub fn new(desks: Desks, db: DatabaseConnection) -> Self {
        Self {
            desks: desks.serving([Desk::Adjudikasi]),
            db,
        }
    }

    /// The adjudication desk's pages.
    pub fn routes(self) -> Router {
        Router::new()
            .route("/adjudikasi", get(index))
            .route("/adjudikasi/{enrollment_id}", post(decide))
            .with_state(self)
    }
}

/// A finger's caption (its name, and how many of its minutiae pair with the other side's) and
/// its minutiae drawn (SVG).
type Drawn = (String, String);

/// One side of a case: a resident's photo and index fingers.
struct Side {
    nik: String,
    /// The pas photo as a `data:` address; none for an enrollment from before photos travelled.
    foto: Option<String>,
    /// Each index finger's minutiae drawn.
    fingers: Vec<Drawn>,
}

/// A case on the page.
struct Case {
    id: Uuid,
    nomor_berkas: String,
    opened: String,
    scores: String,
    baru: Side,
    tercatat: Side,
}

/// A decided case, for the record.
struct Decided {
    nik: String,
    other_nik: String,
    decision: String,
    by: String,
    reason: String,
    at: String,
}

#[derive(Template)]
#[template(path = "adjudikasi/index.html")]
struct Index {
    frame: Frame,
    cases: Vec<Case>,
    decided: Vec<Decided>,
    done: Option<String>,
    refused: Option<String>,
}

#[derive(Deserialize)]
struct Said {
    selesai: Option<String>,
}

fn data_png(png: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

const INDEX_FINGERS: [Finger; 2] = [Finger::RightIndex, Finger::LeftIndex];

/// The index fingers of both sides, decoded from their ISO records (those that are ISO
/// records), drawn with the minutiae each finger pairs with the other side's same finger
/// numbered alike.
fn drawn<'a>(
    baru: impl IntoIterator<Item = (Finger, &'a [u8])>,
    tercatat: impl IntoIterator<Item = (Finger, &'a [u8])>,
) -> (Vec<Drawn>, Vec<Drawn>) {
    let decode = |records: Vec<(Finger, &[u8])>| -> Vec<(Finger, Prints)> {
        records
            .into_iter()
            .filter_map(|(f, bytes)| Some((f, iso::decode(bytes).ok()?)))
            .collect()
    };
    let baru = decode(baru.into_iter().collect());
    let tercatat = decode(tercatat.into_iter().collect());
    let mut left = Vec::new();
    let mut right = Vec::new();
    for (f, t) in &baru {
        let Some((_, other)) = tercatat.iter().find(|(g, _)| g == f) else {
            // Nothing on record to pair it with.
            left.push((
                f.nama().to_owned(),
                minutiae::svg(t, f.nama(), &HashMap::new()),
            ));
            continue;
        };
        let pairs = index::paired_minutiae(t, other);
        let numbered = |side: fn(&(usize, usize)) -> usize| -> HashMap<usize, usize> {
            pairs
                .iter()
                .enumerate()
                .map(|(n, p)| (side(p), n + 1))
                .collect()
        };
        let caption = format!("{} — {} minutiae berpasangan", f.nama(), pairs.len());
        left.push((
            caption.clone(),
            minutiae::svg(t, f.nama(), &numbered(|p| p.0)),
        ));
        right.push((caption, minutiae::svg(other, f.nama(), &numbered(|p| p.1))));
    }
    // A finger on record that the new enrollment lacks is drawn unpaired.
    for (f, t) in &tercatat {
        if !baru.iter().any(|(g, _)| g == f) {
            right.push((
                f.nama().to_owned(),
                minutiae::svg(t, f.nama(), &HashMap::new()),
            ));
        }
    }
    (left, right)
}

/// The case's two sides, read from the case and from what is on record for the other NIK.
async fn case_of(db: &DatabaseConnection, c: adjudikasi::Model) -> Result<Case, Refusal> {
    let e = &c.record.0.enrollment;
    let on_record = sidik_jari::Entity::find()
        .filter(sidik_jari::Column::Nik.eq(&c.other_nik))
        .filter(sidik_jari::Column::Iso.is_not_null())
        .all(db)
        .await
        .map_err(Refusal::unavailable)?;
    let foto = rekaman::Entity::find_by_id(c.other_nik.clone())
        .one(db)
        .await
        .map_err(Refusal::unavailable)?
        .and_then(|r| r.pas_foto);
    let (baru, tercatat) = drawn(
        INDEX_FINGERS
            .iter()
            .filter_map(|f| e.fingerprints.iter().find(|t| t.finger == *f))
            .filter(|t| t.template.format == TemplateFormat::Iso19794_2)
            .map(|t| (t.finger, t.template.data.as_slice())),
        INDEX_FINGERS.iter().filter_map(|f| {
            let row = on_record
                .iter()
                .rev()
                .find(|r| r.finger == format!("{f:?}"))?;
            Some((*f, row.iso.as_deref()?))
        }),
    );
    let baru = Side {
        nik: c.nik.clone(),
        foto: e.pas_foto.as_deref().map(data_png),
        fingers: baru,
    };
    let tercatat = Side {
        nik: c.other_nik.clone(),
        foto: foto.as_deref().map(data_png),
        fingers: tercatat,
    };
    Ok(Case {
        id: c.enrollment_id,
        nomor_berkas: e.nomor_berkas.clone(),
        opened: c.opened_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        scores: scores_text(&c.scores.0),
        baru,
        tercatat,
    })
}

async fn page(
    a: &Adjudikasi,
    me: &Signed,
    done: Option<String>,
    refused: Option<String>,
) -> Result<Response, Refusal> {
    let open = adjudication::open_cases(&a.db)
        .await
        .map_err(Refusal::unavailable)?;
    let mut cases = Vec::with_capacity(open.len());
    for c in open {
        cases.push(case_of(&a.db, c).await?);
    }
    let decided = adjudication::decided_cases(&a.db, 20)
        .await
        .map_err(Refusal::unavailable)?
        .into_iter()
        .map(|c| Decided {
            nik: c.nik,
            other_nik: c.other_nik,
            decision: c.decision.map(|d| d.to_string()).unwrap_or_default(),
            by: c.decided_by.unwrap_or_default(),
            reason: c.reason.unwrap_or_default(),
            at: c
                .decided_at
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default(),
        })
        .collect();
    Ok(html(&Index {
        frame: a.desks.frame(Some(me)),
        cases,
        decided,
        done,
        refused,
    }))
}

async fn index(
    State(a): State<Adjudikasi>,
    me: Signed,
    Query(said): Query<Said>,
) -> Result<Response, Refusal> {
    me.at(Desk::Adjudikasi)?;
    let done = said.selesai.map(|s| format!("keputusan dicatat: {s}"));
    page(&a, &me, done, None).await
}

#[derive(Deserialize)]
struct Decide {
    csrf: String,
    keputusan: Keputusan,
    #[serde(default)]
    alasan: String,
}

async fn decide(
    State(a): State<Adjudikasi>,
    me: Signed,
    Path(id): Path<Uuid>,
    Form(d): Form<Decide>,
) -> Result<Response, Refusal> {
    me.at(Desk::Adjudikasi)?;
    me.check_csrf(&d.csrf)?;
    let by = &me.account.username;
    match adjudication::decide(&a.db, id, d.keputusan, by, &d.alasan).await {
        Ok(status) => {
            let case = adjudication::case(&a.db, id).await.ok();
            a.desks
                .record(
                    by,
                    "adjudikasi",
                    case.as_ref()
                        .map(|c| c.record.0.enrollment.nomor_berkas.as_str()),
                    format!("{status}: {}", d.alasan.trim()),
                )
                .await;
            Ok(Redirect::to(&format!("/adjudikasi?selesai={status}")).into_response())
        }
        Err(AdjudicationError::NotFound(_)) => Err(Refusal::NotFound),
        Err(e @ (AdjudicationError::Db(_) | AdjudicationError::Bus(_))) => {
            Err(Refusal::unavailable(e))
        }
        Err(e) => page(&a, &me, None, Some(e.to_string())).await,
    }
}
