//! Values that must never be printed: URLs with credentials, keys.
//!
//! A [`Secret`] prints as `***` — a URL with credentials as itself with its password hidden,
//! so a log line or an error still says which broker or database it is about — in `Debug` and
//! in `Display` alike. The value itself is read only where it is used, through
//! [`Secret::expose`], so a search for `expose` finds every place a secret leaves its box.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A URL with credentials or a key, kept out of logs, errors and `{:?}`.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for where it is used (a connection, a key derivation): never to print.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What may be printed: a URL with its password replaced by `***` (the scheme, user, host
    /// and path stay), anything else as `***`.
    pub fn redacted(&self) -> String {
        if self.0.contains("://") {
            redact(&self.0)
        } else {
            "***".to_owned()
        }
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({:?})", self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// `url` with the password of its user info replaced by `***`; a URL without user info as it
/// is.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}://{}:***@{}", &url[..scheme], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_prints_without_its_password() {
        let s = Secret::new("amqp://ktpel:hunter2@broker:5672/dinas");
        for shown in [format!("{s}"), format!("{s:?}"), s.redacted()] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("ktpel:***@broker:5672/dinas"), "{shown}");
        }
        assert_eq!(s.expose(), "amqp://ktpel:hunter2@broker:5672/dinas");
    }

    #[test]
    fn a_key_prints_as_stars() {
        let s = Secret::new("c2VjcmV0LWtleS1ieXRlcw==");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "Secret(\"***\")");
    }

    #[test]
    fn a_url_without_credentials_stays_readable() {
        let s = Secret::new("sqlite://data/intake.db");
        assert_eq!(s.to_string(), "sqlite://data/intake.db");
    }

    #[test]
    fn it_reads_and_writes_as_the_plain_value() {
        let s: Secret = serde_json::from_str("\"postgres://u:p@db/x\"").unwrap();
        assert_eq!(s.expose(), "postgres://u:p@db/x");
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            "\"postgres://u:p@db/x\""
        );
    }
}
