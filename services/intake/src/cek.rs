//! `/cek`: a resident asks where their berkas is, without signing in — the berkas number from
//! the salinan permohonan and their date of birth (which the NIK holds, so nothing more is
//! kept for it). The answer says only where the berkas is and what comes next: no name, no
//! NIK. A wrong date and an unknown number get the same answer, a second late; five misses for
//! one number close it for a quarter of an hour.

use crate::store::berkas;
use askama::Template;
use axum::{
    Form, Router,
    extract::State,
    http::{HeaderMap, header},
    response::Response,
    routing::get,
};
use chrono::{NaiveDate, Utc};
use ktpel_domain::{Nik, StatusKartu};
use ktpel_web::{Desks, Frame, anonymous::FormToken, html, throttle::Throttle};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde::Deserialize;
use std::{sync::Arc, time::Duration};

const CEK: FormToken = FormToken {
    cookie: "ktpel_cek",
    path: "/cek",
};

/// How long a miss takes to answer.
const MISS_PAUSE: Duration = Duration::from_secs(1);

/// The resident's lookup: the site's frame, intake's berkas, and the guessers' count.
#[derive(Clone)]
pub struct Cek {
    desks: Desks,
    db: DatabaseConnection,
    throttle: Arc<Throttle>,
}

impl Cek {
    pub fn new(desks: Desks, db: DatabaseConnection) -> Self {
        Self {
            desks,
            db,
            throttle: Arc::default(),
        }
    }

    pub fn routes(self) -> Router {
        Router::new()
            .route("/cek", get(form).post(answer))
            .with_state(self)
    }
}

#[derive(Template)]
#[template(path = "cek.html")]
struct Page {
    frame: Frame,
    csrf: String,
    nomor: String,
    /// Where the berkas is and what comes next.
    found: Option<(String, String)>,
    refused: Option<&'static str>,
}

fn page(
    c: &Cek,
    nomor: String,
    found: Option<(String, String)>,
    refused: Option<&'static str>,
) -> Response {
    let (csrf, cookie) = CEK.issue();
    let mut r = html(&Page {
        frame: c.desks.frame(None),
        csrf,
        nomor,
        found,
        refused,
    });
    r.headers_mut().insert(header::SET_COOKIE, cookie);
    r
}

async fn form(State(c): State<Cek>) -> Response {
    page(&c, String::new(), None, None)
}

#[derive(Deserialize)]
struct Asked {
    csrf: String,
    nomor: String,
    tanggal_lahir: String,
}

async fn answer(State(c): State<Cek>, headers: HeaderMap, Form(a): Form<Asked>) -> Response {
    let nomor = a.nomor.trim().to_owned();
    if !CEK.matches(&headers, &a.csrf) {
        return page(
            &c,
            nomor,
            None,
            Some("formulir kedaluwarsa: muat ulang halaman dan coba lagi"),
        );
    }
    if !c.throttle.open(&nomor) {
        return page(
            &c,
            nomor,
            None,
            Some("terlalu banyak percobaan untuk nomor ini: coba lagi 15 menit lagi"),
        );
    }
    let born = NaiveDate::parse_from_str(a.tanggal_lahir.trim(), "%Y-%m-%d").ok();
    let found = match (
        born,
        berkas::Entity::find_by_id(nomor.clone()).one(&c.db).await,
    ) {
        (Some(born), Ok(Some(b))) if born_on(&b.nik, born) => Some(b),
        (_, Err(e)) => {
            tracing::error!(error = %e, "a resident's lookup could not read the berkas");
            return page(
                &c,
                nomor,
                None,
                Some("layanan sedang tidak tersedia: coba lagi nanti"),
            );
        }
        _ => None,
    };
    match found {
        Some(b) => {
            let said = where_and_next(b.status, &b.at_hop);
            page(&c, nomor, Some(said), None)
        }
        None => {
            c.throttle.miss(&nomor);
            tokio::time::sleep(MISS_PAUSE).await;
            page(
                &c,
                nomor,
                None,
                Some("nomor berkas dan tanggal lahir tidak cocok"),
            )
        }
    }
}

/// Whether the resident of NIK `nik` was born on `born` (a berkas of a resident whose NIK
/// SIAK has not given yet matches nothing).
fn born_on(nik: &str, born: NaiveDate) -> bool {
    Nik::parse(nik).is_ok_and(|n| n.birth_date(Utc::now().date_naive()) == born)
}

/// Where a berkas is and what comes next, in the resident's words.
fn where_and_next(status: StatusKartu, at_hop: &str) -> (String, String) {
    use StatusKartu::*;
    let (here, next) = match status {
        BelumRekam => match at_hop {
            h if h.starts_with("operator") => (
                "menunggu perekaman biometrik".to_owned(),
                "datang ke tempat perekaman dengan salinan permohonan".to_owned(),
            ),
            h if h.starts_with("siak") => (
                "sedang dicatat di SIAK Dinas".to_owned(),
                "menunggu NIK dan Kartu Keluarga dari Dinas".to_owned(),
            ),
            "arsip" => (
                "berkas telah diarsipkan".to_owned(),
                "simpan bukti perekaman Anda".to_owned(),
            ),
            _ => (
                "sedang diproses di loket".to_owned(),
                "menunggu langkah berikutnya".to_owned(),
            ),
        },
        Sfe => (
            "data perekaman sedang diperiksa di Pusat Data".to_owned(),
            "kartu dicetak setelah pemeriksaan selesai".to_owned(),
        ),
        Prr => (
            "siap dicetak di Dinas".to_owned(),
            "kartu dicetak dan dikirim ke kecamatan".to_owned(),
        ),
        DuplicateRecord => (
            "perlu klarifikasi data perekaman".to_owned(),
            "datang ke Dinas dengan salinan permohonan".to_owned(),
        ),
        CardPrinted => (
            "kartu sudah dicetak".to_owned(),
            "kartu dikirim ke kecamatan".to_owned(),
        ),
        CardShipped => (
            "kartu dikirim ke kecamatan".to_owned(),
            "ambil kartu di kecamatan setelah diberi tahu, dengan salinan permohonan".to_owned(),
        ),
        CardActivated => (
            "kartu sudah diserahkan".to_owned(),
            "tidak ada: permohonan selesai".to_owned(),
        ),
    };
    (here, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_of_birth_is_checked_against_the_nik() {
        // 3273012603013725: born 26-03-2001 (a man: the day as it is).
        let nik = "3273012603013725";
        assert!(born_on(nik, NaiveDate::from_ymd_opt(2001, 3, 26).unwrap()));
        assert!(!born_on(nik, NaiveDate::from_ymd_opt(2001, 3, 27).unwrap()));
        assert!(!born_on("", NaiveDate::from_ymd_opt(2001, 3, 26).unwrap()));
    }
}
