//! `/akun`: the site's accounts, for the admin — every account with its role, kecamatan and
//! whether it is active; a new account (or a new password and role for an existing one); an
//! account disabled. The same as `ktpel user add|list|disable`, recorded in the audit trail.

use crate::{
    Desk, Desks, Frame, Refusal, Role, Signed,
    accounts::{self, Account, AccountError},
    html,
};
use askama::Template;
use axum::{
    Form, Router,
    extract::{FromRef, Query, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

/// The account routes, for a router whose state gives the [`Desks`].
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Desks: FromRef<S>,
{
    Router::new()
        .route("/akun", get(index).post(add))
        .route("/akun/nonaktif", post(disable))
}

#[derive(Template)]
#[template(path = "akun.html")]
struct Page {
    frame: Frame,
    accounts: Vec<Account>,
    roles: Vec<&'static str>,
    done: Option<String>,
    refused: Option<String>,
    /// What was typed into the new-account form, kept when it is refused.
    typed: Typed,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Typed {
    #[serde(default)]
    username: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    kecamatan: String,
}

#[derive(Deserialize)]
struct Said {
    selesai: Option<String>,
}

async fn page(
    desks: &Desks,
    me: &Signed,
    done: Option<String>,
    refused: Option<String>,
    typed: Typed,
) -> Result<Response, Refusal> {
    let accounts = accounts::list(desks.db())
        .await
        .map_err(Refusal::unavailable)?;
    Ok(html(&Page {
        frame: desks.frame(Some(me)),
        accounts,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        done,
        refused,
        typed,
    }))
}

async fn index(
    State(desks): State<Desks>,
    me: Signed,
    Query(said): Query<Said>,
) -> Result<Response, Refusal> {
    me.at(Desk::Akun)?;
    let done = said.selesai.map(|name| format!("akun {name} disimpan"));
    page(&desks, &me, done, None, Typed::default()).await
}

#[derive(Deserialize)]
struct NewAccount {
    csrf: String,
    #[serde(flatten)]
    typed: Typed,
    password: String,
}

async fn add(
    State(desks): State<Desks>,
    me: Signed,
    Form(f): Form<NewAccount>,
) -> Result<Response, Refusal> {
    me.at(Desk::Akun)?;
    me.check_csrf(&f.csrf)?;
    let role = match f.typed.role.parse::<Role>() {
        Ok(r) => r,
        Err(e) => return page(&desks, &me, None, Some(e.pesan()), f.typed).await,
    };
    let kecamatan = Some(f.typed.kecamatan.trim()).filter(|k| !k.is_empty());
    let name = f.typed.username.trim().to_owned();
    match accounts::add(desks.db(), &name, &f.password, role, kecamatan).await {
        Ok(a) => {
            desks
                .record(
                    &me.account.username,
                    "simpan_akun",
                    None,
                    format!("{} ({})", a.username, a.role),
                )
                .await;
            Ok(Redirect::to(&format!(
                "/akun?selesai={}",
                crate::signin::encode(&a.username)
            ))
            .into_response())
        }
        Err(AccountError::Db(e)) => Err(Refusal::Unavailable(e.to_string())),
        Err(e) => page(&desks, &me, None, Some(e.pesan()), f.typed).await,
    }
}

#[derive(Deserialize)]
struct Disable {
    csrf: String,
    username: String,
}

async fn disable(
    State(desks): State<Desks>,
    me: Signed,
    Form(f): Form<Disable>,
) -> Result<Response, Refusal> {
    me.at(Desk::Akun)?;
    me.check_csrf(&f.csrf)?;
    match accounts::disable(desks.db(), &f.username).await {
        Ok(()) => {
            desks
                .record(
                    &me.account.username,
                    "nonaktifkan_akun",
                    None,
                    f.username.clone(),
                )
                .await;
            Ok(Redirect::to("/akun").into_response())
        }
        Err(AccountError::Db(e)) => Err(Refusal::Unavailable(e.to_string())),
        Err(e) => page(&desks, &me, None, Some(e.pesan()), Typed::default()).await,
    }
}
