//! Sessions as signed cookies. The cookie holds who signed in, a random nonce and when the
//! session ends, signed with the site's key (HMAC-SHA256): nothing is kept on the server, so
//! every replica of a site that shares the key knows the session, and a restart loses none.
//! The account is read again on every request, so a disabled account or a changed role takes
//! effect at once. The CSRF token of a session is the HMAC of its nonce: a form made for one
//! session is refused in any other.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::path::Path;

/// The cookie's name.
pub const COOKIE: &str = "ktpel_sesi";

/// The key sessions are signed with: 32 random bytes, kept in a file of its own (mode 0600)
/// so sessions outlive a restart; in a cluster, a mounted secret shared by the replicas.
#[derive(Clone)]
pub struct Key([u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

/// Why the key file could not be read or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{}: {source}", path.display())]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a session key (64 hex digits)", path.display())]
    Malformed { path: std::path::PathBuf },
    #[error("desks.session_key: not a session key (64 hex digits)")]
    MalformedSetting,
}

impl Key {
    /// A fresh random key (tests, and a key file's first start).
    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        rand::rng().fill_bytes(&mut k);
        Self(k)
    }

    /// The key written as 64 hex digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut k = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut k).ok()?;
        Some(Self(k))
    }

    /// The key in `path`, made there when the file is missing.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.to_owned(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(&text).ok_or_else(|| KeyError::Malformed {
                path: path.to_owned(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                ktpel_settings::write_secret_file(path, &format!("{}\n", hex::encode(key.0)))
                    .map_err(io)?;
                Ok(key)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// The key `settings` give: `session_key` if set, else the one in `key_file`.
    pub fn of(settings: &crate::DeskSettings) -> Result<Self, KeyError> {
        match &settings.session_key {
            Some(hex) => Self::from_hex(hex.expose()).ok_or(KeyError::MalformedSetting),
            None => Self::load_or_create(Path::new(&settings.key_file)),
        }
    }

    fn mac(&self, purpose: &str, data: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(data);
        mac
    }
}

/// What the cookie says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Who signed in.
    #[serde(rename = "u")]
    pub username: String,
    /// Random, per sign-in: the CSRF token is made from it.
    #[serde(rename = "n")]
    nonce: String,
    /// When the session ends (seconds since the epoch).
    #[serde(rename = "e")]
    expires: i64,
}

/// Why a cookie is no session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("not a session cookie")]
    Malformed,
    #[error("the signature does not match")]
    Forged,
    #[error("the session ended")]
    Expired,
}

impl Session {
    /// A new session for `username`, ending `lasting` from `now`.
    pub fn new(username: &str, now: DateTime<Utc>, lasting: Duration) -> Self {
        let mut nonce = [0u8; 16];
        rand::rng().fill_bytes(&mut nonce);
        Self {
            username: username.to_owned(),
            nonce: hex::encode(nonce),
            expires: (now + lasting).timestamp(),
        }
    }

    pub fn expires(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.expires, 0).unwrap_or_default()
    }

    /// The cookie's value: the session, then its signature.
    pub fn seal(&self, key: &Key) -> String {
        let body = B64.encode(serde_json::to_vec(self).expect("a session serializes"));
        let tag = key.mac("session", body.as_bytes()).finalize().into_bytes();
        format!("{body}.{}", B64.encode(tag))
    }

    /// The session in a cookie's `value`, if `key` signed it and it has not ended by `now`.
    pub fn open(value: &str, key: &Key, now: DateTime<Utc>) -> Result<Self, SessionError> {
        let (body, tag) = value.split_once('.').ok_or(SessionError::Malformed)?;
        let tag = B64.decode(tag).map_err(|_| SessionError::Malformed)?;
        key.mac("session", body.as_bytes())
            .verify_slice(&tag)
            .map_err(|_| SessionError::Forged)?;
        let bytes = B64.decode(body).map_err(|_| SessionError::Malformed)?;
        let session: Self = serde_json::from_slice(&bytes).map_err(|_| SessionError::Malformed)?;
        if session.expires <= now.timestamp() {
            return Err(SessionError::Expired);
        }
        Ok(session)
    }

    /// The CSRF token every form of this session carries.
    pub fn csrf(&self, key: &Key) -> String {
        B64.encode(
            key.mac("csrf", self.nonce.as_bytes())
                .finalize()
                .into_bytes(),
        )
    }

    /// Whether `token` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, key: &Key, token: &str) -> bool {
        B64.decode(token).is_ok_and(|t| {
            key.mac("csrf", self.nonce.as_bytes())
                .verify_slice(&t)
                .is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_session_opens_with_its_key_only_until_it_ends() {
        let key = Key::generate();
        let now = Utc::now();
        let s = Session::new("ani", now, Duration::hours(8));
        let sealed = s.seal(&key);
        assert_eq!(Session::open(&sealed, &key, now), Ok(s.clone()));
        assert_eq!(
            Session::open(&sealed, &Key::generate(), now),
            Err(SessionError::Forged)
        );
        assert_eq!(
            Session::open(&sealed, &key, now + Duration::hours(8)),
            Err(SessionError::Expired)
        );
        assert_eq!(
            Session::open("nonsense", &key, now),
            Err(SessionError::Malformed)
        );
    }

    #[test]
    fn a_changed_name_breaks_the_signature() {
        let key = Key::generate();
        let now = Utc::now();
        let sealed = Session::new("ani", now, Duration::hours(1)).seal(&key);
        let (_, tag) = sealed.split_once('.').unwrap();
        let other = Session::new("admin", now, Duration::hours(1)).seal(&Key::generate());
        let (body, _) = other.split_once('.').unwrap();
        assert_eq!(
            Session::open(&format!("{body}.{tag}"), &key, now),
            Err(SessionError::Forged)
        );
    }

    #[test]
    fn a_csrf_token_belongs_to_one_session() {
        let key = Key::generate();
        let now = Utc::now();
        let a = Session::new("ani", now, Duration::hours(1));
        let b = Session::new("ani", now, Duration::hours(1));
        assert!(a.csrf_matches(&key, &a.csrf(&key)));
        assert!(!a.csrf_matches(&key, &b.csrf(&key)));
        assert!(!a.csrf_matches(&key, ""));
        assert!(!a.csrf_matches(&key, "not base64 !"));
    }

    #[test]
    fn a_key_in_the_settings_comes_before_the_file_and_must_be_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = crate::DeskSettings {
            key_file: dir.path().join("key").display().to_string(),
            session_key: Some(ktpel_settings::Secret::new("ab".repeat(32))),
            ..Default::default()
        };
        assert_eq!(Key::of(&settings).unwrap().0, [0xab; 32]);
        assert!(
            !dir.path().join("key").exists(),
            "no file made when the key is given"
        );
        settings.session_key = Some(ktpel_settings::Secret::new("not hex".to_owned()));
        assert!(matches!(
            Key::of(&settings),
            Err(KeyError::MalformedSetting)
        ));
        settings.session_key = None;
        assert_eq!(Key::of(&settings).unwrap().0, Key::of(&settings).unwrap().0);
    }

    #[test]
    fn the_key_file_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/key");
        let k1 = Key::load_or_create(&path).unwrap();
        let k2 = Key::load_or_create(&path).unwrap();
        assert_eq!(k1.0, k2.0);
        std::fs::write(&path, "zz").unwrap();
        assert!(matches!(
            Key::load_or_create(&path),
            Err(KeyError::Malformed { .. })
        ));
    }
}
