//! What every desk page stands on: the site's account store and session key ([`Desks`]),
//! the signed-in person of a request ([`Signed`]), the frame every page is drawn in
//! ([`Frame`]) and the refusals a desk answers with ([`Refusal`]).

use crate::{
    accounts::{self, Account},
    role::{Desk, Role},
    session::{COOKIE, Key, Session},
    settings::DeskSettings,
};
use askama::Template;
use axum::{
    extract::{FromRef, FromRequestParts},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
};
use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The desks of one site: who may sign in, the key that signs their sessions, and which desks
/// this process serves. Cheap to clone.
#[derive(Clone)]
pub struct Desks(Arc<Inner>);

#[derive(Clone)]
struct Inner {
    db: DatabaseConnection,
    key: Key,
    lasting: Duration,
    secure: bool,
    site: String,
    served: Vec<Desk>,
    /// Every desk of the site is reached through this address (see `DeskSettings::proxied`).
    proxied: bool,
}

impl Desks {
    /// The desks of `site` over the account store `db`, with sessions signed by `key`.
    pub fn new(db: DatabaseConnection, key: Key, settings: &DeskSettings, site: &str) -> Self {
        Self(Arc::new(Inner {
            db,
            key,
            lasting: Duration::hours(i64::from(settings.session_hours.max(1))),
            secure: settings.secure_cookies,
            site: site.to_owned(),
            served: Vec::new(),
            proxied: settings.proxied,
        }))
    }

    /// The same, serving `desks` too (they show in every page's menu).
    pub fn serving(self, desks: impl IntoIterator<Item = Desk>) -> Self {
        let mut inner = Arc::unwrap_or_clone(self.0);
        for d in desks {
            if !inner.served.contains(&d) {
                inner.served.push(d);
            }
        }
        Self(Arc::new(inner))
    }

    /// The account store.
    pub fn db(&self) -> &DatabaseConnection {
        &self.0.db
    }

    /// Writes what `username` did into the audit trail. A trail that cannot be written does not
    /// undo what was done (the service has it already): it is logged.
    pub async fn record(
        &self,
        username: &str,
        action: &str,
        nomor_berkas: Option<&str>,
        detail: String,
    ) {
        let deed = accounts::Deed {
            username,
            action,
            nomor_berkas,
            detail,
        };
        if let Err(e) = accounts::record(self.db(), deed).await {
            tracing::error!(error = %e, action, "the audit trail could not be written");
        }
    }

    pub fn key(&self) -> &Key {
        &self.0.key
    }

    /// The frame of a page for `me` (none: signed out).
    pub fn frame(&self, me: Option<&Signed>) -> Frame {
        Frame {
            site: self.0.site.clone(),
            me: me.map(|s| Me {
                username: s.account.username.clone(),
                role: s.account.role,
                csrf: s.csrf.clone(),
                desks: s
                    .account
                    .role
                    .desks()
                    .filter(|d| self.0.proxied || self.0.served.contains(d))
                    .map(|d| (d.path(), d.title()))
                    .collect(),
            }),
        }
    }

    /// The `Set-Cookie` value that starts `session`.
    pub(crate) fn cookie_for(&self, session: &Session) -> HeaderValue {
        let secure = if self.0.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            session.seal(&self.0.key),
            self.0.lasting.num_seconds()
        ))
        .expect("a sealed session is a valid header value")
    }

    /// The `Set-Cookie` value that ends the session.
    pub(crate) fn cookie_gone(&self) -> HeaderValue {
        HeaderValue::from_static("ktpel_sesi=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
    }

    pub(crate) fn lasting(&self) -> Duration {
        self.0.lasting
    }
}

/// The part of a page every desk draws the same: the site, and who is signed in with the
/// desks they may use.
#[derive(Debug, Clone)]
pub struct Frame {
    pub site: String,
    pub me: Option<Me>,
}

impl Frame {
    /// The CSRF token the page's forms carry (none on a page drawn for nobody).
    pub fn csrf(&self) -> &str {
        self.me.as_ref().map_or("", |me| me.csrf.as_str())
    }
}

/// The person a page is drawn for.
#[derive(Debug, Clone)]
pub struct Me {
    pub username: String,
    pub role: Role,
    /// The CSRF token every form of the page carries.
    pub csrf: String,
    /// The desks in the menu: address and name.
    pub desks: Vec<(&'static str, &'static str)>,
}

/// A request from a signed-in person, with their account read afresh.
#[derive(Debug, Clone)]
pub struct Signed {
    pub account: Account,
    session: Session,
    /// The session's CSRF token, for the forms of the page.
    pub csrf: String,
    key: Key,
}

impl Signed {
    /// `Ok` when the account's role works at `desk`.
    pub fn at(&self, desk: Desk) -> Result<(), Refusal> {
        if self.account.role.may_use(desk) {
            Ok(())
        } else {
            Err(self.not_for(desk))
        }
    }

    /// The refusal of a step at `desk` that this account's role does not take; its page still
    /// says who is signed in, with the way out (to sign in as someone else).
    pub fn not_for(&self, desk: Desk) -> Refusal {
        Refusal::WrongRole {
            role: self.account.role,
            desk,
            me: Box::new(Me {
                username: self.account.username.clone(),
                role: self.account.role,
                csrf: self.csrf.clone(),
                desks: self
                    .account
                    .role
                    .desks()
                    .map(|d| (d.path(), d.title()))
                    .collect(),
            }),
        }
    }

    /// `Ok` when `token` is the CSRF token of this session.
    pub fn check_csrf(&self, token: &str) -> Result<(), Refusal> {
        if self.session.csrf_matches(&self.key, token) {
            Ok(())
        } else {
            Err(Refusal::Csrf)
        }
    }
}

/// The value of cookie `name` in a request's headers.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

impl<S> FromRequestParts<S> for Signed
where
    S: Send + Sync,
    Desks: FromRef<S>,
{
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Refusal> {
        let desks = Desks::from_ref(state);
        let to_sign_in = || Refusal::SignIn {
            back_to: (parts.method == Method::GET).then(|| parts.uri.path().to_owned()),
        };
        let Some(value) = cookie(&parts.headers, COOKIE) else {
            return Err(to_sign_in());
        };
        let Ok(session) = Session::open(value, desks.key(), Utc::now()) else {
            return Err(to_sign_in());
        };
        let account = accounts::get(desks.db(), &session.username)
            .await
            .map_err(Refusal::unavailable)?;
        let Some(account) = account.filter(|a| !a.disabled) else {
            return Err(to_sign_in());
        };
        Ok(Self {
            csrf: session.csrf(desks.key()),
            account,
            session,
            key: desks.key().clone(),
        })
    }
}

/// Why a desk did not do what was asked.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Refusal {
    /// No session, an ended one, or an account disabled since: sign in (again). A page asked
    /// for with GET is asked for again after the sign-in.
    #[error("silakan masuk terlebih dahulu")]
    SignIn { back_to: Option<String> },
    #[error("peran {role} tidak bekerja di meja {} untuk langkah ini", .desk.title())]
    WrongRole { role: Role, desk: Desk, me: Box<Me> },
    /// A form without this session's CSRF token: made for another session, or by another
    /// site.
    #[error("formulir ini kedaluwarsa atau bukan dari sesi Anda: muat ulang halaman dan coba lagi")]
    Csrf,
    /// Nothing here by that name, or nothing this account may see (the same answer, so a
    /// guessed address tells nothing).
    #[error("tidak ditemukan")]
    NotFound,
    #[error("layanan sedang tidak tersedia: {0}")]
    Unavailable(String),
}

#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct Message {
    pub frame: Frame,
    pub heading: String,
    pub text: String,
    pub link: Option<(String, String)>,
}

/// A page rendered, or the error page if a template fails (it cannot, short of a bug).
pub fn html<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a desk page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, "halaman gagal dibuat").into_response()
        }
    }
}

/// A paper (a PDF made by `ktpel-documents`) to show in the browser, named `filename` when
/// saved; a paper that could not be made is the service's failure (503, and why).
pub fn pdf<E: std::fmt::Display>(
    filename: &str,
    made: Result<Vec<u8>, E>,
) -> Result<Response, Refusal> {
    let bytes = made.map_err(Refusal::unavailable)?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

impl Refusal {
    /// The service's store or bus failed: the page says so (503) and what failed.
    pub fn unavailable(e: impl std::fmt::Display) -> Self {
        Self::Unavailable(e.to_string())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::SignIn {
                back_to: Some(path),
            } => {
                let to = format!("/login?ke={}", crate::signin::encode(path));
                return Redirect::to(&to).into_response();
            }
            Self::SignIn { back_to: None } => StatusCode::UNAUTHORIZED,
            Self::WrongRole { .. } | Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        let link = match &self {
            Self::SignIn { .. } => Some(("/login".to_owned(), "Masuk".to_owned())),
            _ => Some(("/meja".to_owned(), "Kembali ke meja".to_owned())),
        };
        let me = match &self {
            Self::WrongRole { me, .. } => Some((**me).clone()),
            _ => None,
        };
        let page = Message {
            frame: Frame {
                site: String::new(),
                me,
            },
            heading: match status {
                StatusCode::UNAUTHORIZED => "Belum masuk",
                StatusCode::FORBIDDEN => "Tidak diizinkan",
                StatusCode::NOT_FOUND => "Tidak ditemukan",
                _ => "Tidak tersedia",
            }
            .to_owned(),
            text: self.to_string(),
            link,
        };
        (status, html(&page)).into_response()
    }
}
