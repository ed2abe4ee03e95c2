//! `[desks]`: where the accounts are kept and how sessions behave.

use ktpel_settings::DatabaseSettings;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeskSettings {
    /// The site's account store (`sqlite://data/desks.db` by default; `postgres://…`).
    pub database: DatabaseSettings,
    /// The key sessions are signed with: 64 hex digits, made on the first start when missing
    /// (mode 0600). Replicas of one site share it (a mounted secret).
    pub key_file: String,
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
            session_hours: 8,
            secure_cookies: false,
        }
    }
}
