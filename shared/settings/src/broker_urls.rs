//! `amqp.url`: the broker, as one node's URL or the URLs of a cluster's nodes.
//!
//! A RabbitMQ cluster is one broker with several doors. A service given every node's URL
//! connects to the first that answers and, when that node is lost, to the next in turn (the
//! [`ktpel_bus::Broker`](../ktpel_bus/struct.Broker.html) does this); the queues live on every
//! node (quorum queues), so nothing is lost with one node. In a file:
//!
//! ```toml
//! [amqp]
//! url = ["amqp://ktpel:pw@rmq-0:5672/dinas", "amqp://ktpel:pw@rmq-1:5672/dinas"]
//! ```
//!
//! and in the environment, comma-separated: `KTPEL__AMQP__URL=amqp://…@rmq-0/dinas,amqp://…@rmq-1/dinas`.
//! Every URL names the same vhost and the same user: they are doors to one broker.

use crate::{Secret, SettingsError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The URLs of the broker's nodes, in the order they are tried; never empty.
#[derive(Clone, PartialEq)]
pub struct BrokerUrls(Vec<Secret>);

impl BrokerUrls {
    /// One node.
    pub fn one(url: impl Into<String>) -> Self {
        Self(vec![Secret::new(url)])
    }

    /// The first node's URL: the vhost, user and password that every node's URL shares (the
    /// site's management API, grants and links are read from it).
    pub fn first(&self) -> &Secret {
        &self.0[0]
    }

    /// Every node's URL, in order, for the connection (never to print).
    pub fn expose_all(&self) -> Vec<String> {
        self.0.iter().map(|u| u.expose().to_owned()).collect()
    }

    /// How many nodes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true: a broker has at least one node. (For clippy's `len_without_is_empty`.)
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The URLs as a shovel's `src-uri`/`dest-uri` take them: one as a string, several as a
    /// list (the shovel dials them in turn).
    pub fn to_shovel_uri(&self) -> serde_json::Value {
        match self.0.as_slice() {
            [one] => serde_json::Value::String(one.expose().to_owned()),
            all => all.iter().map(|u| u.expose().to_owned()).collect(),
        }
    }

    /// What may be printed: every URL without its password, comma-separated.
    pub fn redacted(&self) -> String {
        self.0
            .iter()
            .map(Secret::redacted)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Each URL is `amqp://` or `amqps://`, and all name the same user and vhost.
    pub fn validate(&self, key: &str) -> Result<(), SettingsError> {
        let first = self.first();
        for url in &self.0 {
            let exposed = url.expose();
            if !(exposed.starts_with("amqp://") || exposed.starts_with("amqps://")) {
                return Err(SettingsError::invalid(
                    key,
                    format!("`{url}` is not an amqp:// or amqps:// URL"),
                ));
            }
            if user_and_vhost(exposed) != user_and_vhost(first.expose()) {
                return Err(SettingsError::invalid(
                    key,
                    format!(
                        "`{url}` names another user or vhost than `{first}`: the URLs are the \
                         nodes of one broker, each with the same user and vhost"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The user and the vhost part of an AMQP URL, as written (enough to tell two apart).
fn user_and_vhost(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split_once('?').map_or(rest, |(r, _)| r);
    let (userinfo, hostpath) = rest.rsplit_once('@').unwrap_or(("", rest));
    let user = userinfo.split(':').next().unwrap_or_default();
    let vhost = hostpath.split_once('/').map_or("", |(_, v)| v);
    (user, vhost)
}

/// One URL, or several comma-separated (as in the environment and on a command line).
impl From<&str> for BrokerUrls {
    fn from(value: &str) -> Self {
        let urls = split(value);
        if urls.is_empty() {
            // Refused by `validate` as no amqp:// URL, with what was given.
            Self::one(value)
        } else {
            Self(urls)
        }
    }
}

impl From<String> for BrokerUrls {
    fn from(value: String) -> Self {
        Self::from(value.as_str())
    }
}

/// The URLs of a comma-separated list. A piece that does not start a URL is the rest of the
/// one before it: a comma inside a password (`amqp://u:pa,ss@h/v`) stays there.
fn split(written: &str) -> Vec<Secret> {
    let mut urls: Vec<String> = Vec::new();
    for piece in written.split(',') {
        if piece.trim().is_empty() {
            // `a,,b` or a trailing comma: nothing between the commas.
            continue;
        }
        let starts_a_url =
            piece.trim_start().starts_with("amqp://") || piece.trim_start().starts_with("amqps://");
        match urls.last_mut() {
            Some(last) if !starts_a_url => {
                last.push(',');
                last.push_str(piece);
            }
            _ => urls.push(piece.to_owned()),
        }
    }
    urls.iter()
        .map(|u| u.trim())
        .filter(|u| !u.is_empty())
        .map(Secret::new)
        .collect()
}

impl fmt::Debug for BrokerUrls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BrokerUrls({:?})", self.redacted())
    }
}

impl fmt::Display for BrokerUrls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for BrokerUrls {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => one.serialize(s),
            all => all.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for BrokerUrls {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            One(String),
            Many(Vec<String>),
        }
        let urls = match Written::deserialize(d)? {
            Written::One(s) => split(&s),
            // A list's items are whole URLs, commas and all.
            Written::Many(v) => v
                .iter()
                .map(|u| u.trim())
                .filter(|u| !u.is_empty())
                .map(Secret::new)
                .collect(),
        };
        if urls.is_empty() {
            return Err(serde::de::Error::custom(
                "no broker URL: give one amqp:// URL, or a node's URL each",
            ));
        }
        Ok(Self(urls))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<BrokerUrls, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn one_url_a_list_and_a_comma_separated_string_read_alike() {
        let one = read(r#""amqp://u:p@a:5672/v""#).unwrap();
        assert_eq!(one.expose_all(), ["amqp://u:p@a:5672/v"]);
        let list = read(r#"["amqp://u:p@a:5672/v", "amqp://u:p@b:5672/v"]"#).unwrap();
        let env = read(r#""amqp://u:p@a:5672/v, amqp://u:p@b:5672/v""#).unwrap();
        assert_eq!(list, env);
        assert_eq!(list.len(), 2);
        assert_eq!(list.first().expose(), "amqp://u:p@a:5672/v");
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            r#"["amqp://u:p@a:5672/v","amqp://u:p@b:5672/v"]"#
        );
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            r#""amqp://u:p@a:5672/v""#
        );
    }

    #[test]
    fn a_comma_in_a_password_stays_in_its_url() {
        let urls = read(r#""amqp://u:pa,ss@a/v,amqp://u:pa,ss@b/v""#).unwrap();
        assert_eq!(
            urls.expose_all(),
            ["amqp://u:pa,ss@a/v", "amqp://u:pa,ss@b/v"]
        );
        assert_eq!(
            BrokerUrls::from("amqp://u:p,w@a/v").expose_all(),
            ["amqp://u:p,w@a/v"]
        );
    }

    #[test]
    fn no_url_is_refused() {
        for empty in [r#""""#, "[]", r#"" , ""#] {
            let e = read(empty).unwrap_err();
            assert!(e.contains("no broker URL"), "{empty}: {e}");
        }
    }

    #[test]
    fn printed_without_any_password() {
        let urls = read(r#"["amqp://u:s3cret@a/v", "amqp://u:s3cret@b/v"]"#).unwrap();
        for shown in [urls.to_string(), format!("{urls:?}")] {
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(shown.contains("u:***@a/v") && shown.contains("u:***@b/v"));
        }
    }

    #[test]
    fn the_nodes_of_one_broker_share_user_and_vhost() {
        let same = read(r#"["amqp://u:p@a:5672/v", "amqps://u:p@b:5671/v?x=1"]"#).unwrap();
        assert!(same.validate("amqp.url").is_ok());
        for other in [
            r#"["amqp://u:p@a/v", "amqp://w:p@b/v"]"#,
            r#"["amqp://u:p@a/v", "amqp://u:p@b/x"]"#,
        ] {
            let e = read(other).unwrap().validate("amqp.url").unwrap_err();
            assert!(e.to_string().contains("same user and vhost"), "{e}");
        }
        let e = read(r#"["amqp://u:p@a/v", "http://u:p@b/v"]"#)
            .unwrap()
            .validate("amqp.url")
            .unwrap_err();
        assert!(e.to_string().contains("not an amqp://"), "{e}");
    }
}
