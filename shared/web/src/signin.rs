//! `/login`, `/logout` and `/meja` (the desks of the signed-in person).
//!
//! The sign-in form carries a token that must match a cookie set with it (a form posted from
//! another site has neither); a wrong password answers a second later, and
//! [`accounts::LOCK_AFTER`] of them in a row lock the account.

use crate::{
    accounts::{self, SignInError},
    anonymous::FormToken,
    desks::{Desks, Frame, Refusal, Signed, html},
    session::Session,
};
use askama::Template;
use axum::{
    Form, Router,
    extract::{FromRef, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use chrono::Utc;
use serde::Deserialize;

/// The token that pairs a sign-in form with the browser it was given to.
const SIGN_IN: FormToken = FormToken {
    cookie: "ktpel_masuk",
    path: "/login",
};
/// How long a wrong password takes to answer.
const WRONG_PASSWORD_PAUSE: std::time::Duration = std::time::Duration::from_secs(1);

/// The sign-in routes, for a router whose state gives the [`Desks`].
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Desks: FromRef<S>,
{
    Router::new()
        .route("/login", get(form).post(sign_in))
        .route("/logout", post(sign_out))
        .route("/meja", get(home))
}

/// A local path to go back to after signing in; anything else (another site, `//host`) is
/// replaced by the home page.
fn local(path: Option<&str>) -> String {
    match path {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/meja".to_owned(),
    }
}

/// `path` made safe to put in a query string.
pub(crate) fn encode(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    frame: Frame,
    error: Option<String>,
    username: String,
    next: String,
    csrf: String,
}

#[derive(Deserialize)]
struct Next {
    ke: Option<String>,
}

fn login_page(
    desks: &Desks,
    status: StatusCode,
    error: Option<String>,
    username: String,
    next: String,
) -> Response {
    let (token, cookie) = SIGN_IN.issue();
    let page = LoginPage {
        frame: desks.frame(None),
        error,
        username,
        next,
        csrf: token.clone(),
    };
    let mut response = (status, html(&page)).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response
}

async fn form(State(desks): State<Desks>, Query(next): Query<Next>) -> Response {
    login_page(
        &desks,
        StatusCode::OK,
        None,
        String::new(),
        local(next.ke.as_deref()),
    )
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
    csrf: String,
    ke: Option<String>,
}

async fn sign_in(
    State(desks): State<Desks>,
    headers: HeaderMap,
    Form(c): Form<Credentials>,
) -> Response {
    let next = local(c.ke.as_deref());
    if !SIGN_IN.matches(&headers, &c.csrf) {
        return login_page(
            &desks,
            StatusCode::FORBIDDEN,
            Some(Refusal::Csrf.to_string()),
            c.username,
            next,
        );
    }
    let username = c.username.trim().to_owned();
    match accounts::sign_in(desks.db(), &username, &c.password, Utc::now()).await {
        Ok(account) => {
            desks
                .record(&account.username, "masuk", None, String::new())
                .await;
            let session = Session::new(&account.username, Utc::now(), desks.lasting());
            let mut response = Redirect::to(&next).into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, desks.cookie_for(&session));
            response.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_static("ktpel_masuk=; Path=/login; Max-Age=0"),
            );
            response
        }
        Err(SignInError::Db(e)) => Refusal::Unavailable(e.to_string()).into_response(),
        Err(refused) => {
            if !matches!(refused, SignInError::Disabled) {
                tokio::time::sleep(WRONG_PASSWORD_PAUSE).await;
            }
            desks
                .record(&username, "gagal_masuk", None, refused.to_string())
                .await;
            tracing::info!(reason = %refused, "a sign-in was refused");
            // 200: the page answers the form (a browser logs any other status as an error).
            login_page(
                &desks,
                StatusCode::OK,
                Some(refused.to_string()),
                username,
                next,
            )
        }
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: String,
}

async fn sign_out(State(desks): State<Desks>, me: Signed, Form(f): Form<CsrfOnly>) -> Response {
    if let Err(refused) = me.check_csrf(&f.csrf) {
        return refused.into_response();
    }
    desks
        .record(&me.account.username, "keluar", None, String::new())
        .await;
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, desks.cookie_gone());
    response
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    frame: Frame,
}

async fn home(State(desks): State<Desks>, me: Signed) -> Response {
    let frame = desks.frame(Some(&me));
    // One desk: go straight to it.
    if let Some(me) = &frame.me
        && let [(path, _)] = me.desks.as_slice()
    {
        return Redirect::to(path).into_response();
    }
    html(&Home { frame })
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn only_a_local_path_is_gone_back_to() {
        assert_eq!(local(Some("/loket")), "/loket");
        assert_eq!(local(Some("//evil.example/x")), "/meja");
        assert_eq!(local(Some("https://evil.example")), "/meja");
        assert_eq!(local(Some("/\\evil.example")), "/meja");
        assert_eq!(local(None), "/meja");
    }
}
