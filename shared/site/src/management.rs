//! The RabbitMQ management HTTP API, for what AMQP cannot declare: shovels, users,
//! permissions, topic permissions, vhosts.
//!
//! Blocking HTTP (ureq) on tokio's blocking pool: these calls happen at start-up and from
//! operators' commands, a handful at a time. Credentials are sent, never logged: errors name
//! the URL without them.

use base64::Engine;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use std::time::Duration;

/// A broker's management API and the credentials to use it.
#[derive(Clone)]
pub struct Management {
    base: String,
    authorization: String,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Management {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Management")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Why the management API refused or could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum ManagementError {
    #[error("management API {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("management API {method} {url}: HTTP {status}: {body}")]
    Refused {
        method: &'static str,
        url: String,
        status: u16,
        body: String,
    },
}

/// A shovel as the broker reports it (`GET /api/shovels/<vhost>`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShovelState {
    pub name: String,
    /// `starting`, `running` or `terminated`.
    pub state: String,
    /// Why it is not running, when the broker says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Permissions of a user on a vhost (regular expressions over resource names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permissions {
    pub configure: String,
    pub write: String,
    pub read: String,
}

impl Management {
    /// The API at `base` (`http://127.0.0.1:15672`), as `user`.
    pub fn new(base: &str, user: &str, password: &str) -> Self {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(15)))
            .build()
            .new_agent();
        Self {
            base: base.trim_end_matches('/').to_owned(),
            authorization: format!("Basic {token}"),
            agent,
        }
    }

    pub async fn put_vhost(&self, vhost: &str) -> Result<(), ManagementError> {
        self.put(format!("/api/vhosts/{}", enc(vhost)), json!({}))
            .await
    }

    /// Creates or updates `user` with `password` and no tags (no management access).
    pub async fn put_user(&self, user: &str, password: &str) -> Result<(), ManagementError> {
        self.put(
            format!("/api/users/{}", enc(user)),
            json!({ "password": password, "tags": "" }),
        )
        .await
    }

    pub async fn put_permissions(
        &self,
        vhost: &str,
        user: &str,
        p: &Permissions,
    ) -> Result<(), ManagementError> {
        self.put(
            format!("/api/permissions/{}/{}", enc(vhost), enc(user)),
            json!({ "configure": p.configure, "write": p.write, "read": p.read }),
        )
        .await
    }

    /// Which routing keys `user` may publish to (`write`) and bind from (`read`) on `exchange`.
    pub async fn put_topic_permissions(
        &self,
        vhost: &str,
        user: &str,
        exchange: &str,
        write: &str,
        read: &str,
    ) -> Result<(), ManagementError> {
        self.put(
            format!("/api/topic-permissions/{}/{}", enc(vhost), enc(user)),
            json!({ "exchange": exchange, "write": write, "read": read }),
        )
        .await
    }

    /// Declares (or redefines) the dynamic shovel `name` in `vhost`.
    pub async fn put_shovel(
        &self,
        vhost: &str,
        name: &str,
        definition: Value,
    ) -> Result<(), ManagementError> {
        self.put(
            format!("/api/parameters/shovel/{}/{}", enc(vhost), enc(name)),
            json!({ "value": definition }),
        )
        .await
    }

    /// Removes the dynamic shovel `name` from `vhost` (gone already is fine).
    pub async fn delete_shovel(&self, vhost: &str, name: &str) -> Result<(), ManagementError> {
        self.delete(format!(
            "/api/parameters/shovel/{}/{}",
            enc(vhost),
            enc(name)
        ))
        .await
    }

    /// Removes `vhost` with everything in it — queues, exchanges, shovels (gone already is
    /// fine).
    pub async fn delete_vhost(&self, vhost: &str) -> Result<(), ManagementError> {
        self.delete(format!("/api/vhosts/{}", enc(vhost))).await
    }

    /// Removes `user` (gone already is fine).
    pub async fn delete_user(&self, user: &str) -> Result<(), ManagementError> {
        self.delete(format!("/api/users/{}", enc(user))).await
    }

    /// DELETE `path`; a 404 (nothing there) is what was wanted.
    async fn delete(&self, path: String) -> Result<(), ManagementError> {
        match self.call("DELETE", path, None).await {
            Err(ManagementError::Refused { status: 404, .. }) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// The dynamic shovels of `vhost` and their state.
    pub async fn shovels(&self, vhost: &str) -> Result<Vec<ShovelState>, ManagementError> {
        let body = self
            .call("GET", format!("/api/shovels/{}", enc(vhost)), None)
            .await?;
        serde_json::from_str(&body).map_err(|e| ManagementError::Unreachable {
            url: format!("{}/api/shovels", self.base),
            reason: format!("unreadable answer: {e}"),
        })
    }

    async fn put(&self, path: String, body: Value) -> Result<(), ManagementError> {
        self.call("PUT", path, Some(body)).await.map(|_| ())
    }

    async fn call(
        &self,
        method: &'static str,
        path: String,
        body: Option<Value>,
    ) -> Result<String, ManagementError> {
        let this = self.clone();
        let url = format!("{}{path}", self.base);
        tokio::task::spawn_blocking(move || this.call_blocking(method, url, body))
            .await
            .unwrap_or_else(|e| {
                Err(ManagementError::Unreachable {
                    url: "the management API".into(),
                    reason: e.to_string(),
                })
            })
    }

    fn call_blocking(
        &self,
        method: &'static str,
        url: String,
        body: Option<Value>,
    ) -> Result<String, ManagementError> {
        let unreachable = |e: ureq::Error| ManagementError::Unreachable {
            url: url.clone(),
            reason: e.to_string(),
        };
        let auth = self.authorization.as_str();
        let mut response = match (method, body) {
            ("GET", _) => self.agent.get(&url).header("Authorization", auth).call(),
            ("DELETE", _) => self.agent.delete(&url).header("Authorization", auth).call(),
            (_, body) => self
                .agent
                .put(&url)
                .header("Authorization", auth)
                .send_json(body.unwrap_or(Value::Null)),
        }
        .map_err(unreachable)?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        if (200..300).contains(&status) {
            Ok(text)
        } else {
            Err(ManagementError::Refused {
                method,
                url,
                status,
                // The broker may quote a shovel's definition back, URIs and all.
                body: scrub(&text),
            })
        }
    }
}

/// `text` with the password of every `scheme://user:password@host` in it replaced by `***`:
/// what the broker says about a link may quote its URIs.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        // The authority ends where a path, query or fragment starts, or the text around the
        // URI resumes (a quote, a space); `,;)` and friends may stand in a password.
        let end = after
            .find(|c: char| c.is_whitespace() || "/?#\"'<>".contains(c))
            .unwrap_or(after.len());
        let authority = &after[..end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                out.push_str(&authority[..colon]);
                out.push_str(":***");
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// A path segment: every character but letters and digits percent-encoded (`/` as `%2F`).
fn enc(segment: &str) -> String {
    utf8_percent_encode(segment, NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn passwords_are_scrubbed_from_what_the_broker_says() {
        let said = r#"{"dest-uri":"amqp://kecamatan-32.73.01:s3cr%40t@dinas:5672/ktpel","x":"amqps://u:p@h/v?cacertfile=/c"} and http://plain/path"#;
        let clean = scrub(said);
        assert!(!clean.contains("s3cr"), "{clean}");
        assert!(!clean.contains("u:p@"), "{clean}");
        assert!(
            clean.contains("amqp://kecamatan-32.73.01:***@dinas:5672/ktpel"),
            "{clean}"
        );
        assert!(clean.contains("amqps://u:***@h/v?cacertfile=/c"), "{clean}");
        assert!(clean.contains("http://plain/path"), "{clean}");
        let clean = scrub("failed: amqp://u:p,w;)@h/v, retrying");
        assert!(!clean.contains("p,w"), "{clean}");
    }
}
