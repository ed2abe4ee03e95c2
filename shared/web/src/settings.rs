//! `[desks]`: where the accounts are kept and how sessions behave.

use ktpel_settings::{DatabaseSettings, Secret};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeskSettings {
    /// The site's account store (`sqlite://data/desks.db` by default; `postgres://…`).
    pub database: DatabaseSettings,
    /// The key sessions are signed with: 64 hex digits, made on the first start when missing
    /// (mode 0600). Replicas of one site share it (a mounted secret).
    pub key_file: String,
    /// The same key given directly (64 hex digits; an environment secret), over `key_file`:
    /// every process of a site that serves desks must have the same one.
    pub session_key: Option<Secret>,
    /// The site's one address serves every desk, each routed to its service by a reverse
    /// proxy or an Ingress (a Dinas whose services run apart): every page's menu lists all the
    /// desks of the person's role, not only this process's.
    pub proxied: bool,
    /// How long a sign-in lasts.
    pub session_hours: u32,
    /// Mark the session cookie `Secure`: set it when the desks are reached over HTTPS (behind
    /// a TLS-terminating proxy or Ingress).
    pub secure_cookies: bool,
}

impl Default for DeskSettings {
    fn default() -> Self {
        Self {
            database: DatabaseSettings::sqlite_for("desks"),
            key_file: "data/desk-session-key".into(),
            session_key: None,
            proxied: false,
            session_hours: 8,
            secure_cookies: false,
        }
    }
}
