//! Forms sent before anyone signed in (the sign-in itself, a resident's `/cek`): the page sets
//! a random token in a cookie of its own (`SameSite=Strict`, for the form's path only) and in
//! the form; a post is taken only when the two match — a form posted from another site has
//! neither.

use crate::desks::cookie;
use axum::http::{HeaderMap, HeaderValue};
use rand::RngCore;

/// The token pairing of the forms at one path.
pub struct FormToken {
    pub cookie: &'static str,
    pub path: &'static str,
}

impl FormToken {
    /// A fresh token, and the `Set-Cookie` value that goes with it.
    pub fn issue(&self) -> (String, HeaderValue) {
        let mut token = [0u8; 16];
        rand::rng().fill_bytes(&mut token);
        let token = hex::encode(token);
        let header = HeaderValue::from_str(&format!(
            "{}={token}; Path={}; HttpOnly; SameSite=Strict; Max-Age=3600",
            self.cookie, self.path
        ))
        .expect("hex is a valid header value");
        (token, header)
    }

    /// Whether the request's cookie and the form's `token` match.
    pub fn matches(&self, headers: &HeaderMap, token: &str) -> bool {
        cookie(headers, self.cookie).is_some_and(|t| !t.is_empty() && t == token)
    }
}
