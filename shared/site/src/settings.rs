//! The `[site]` section of `config/ktpel.toml` (`KTPEL__SITE__…`).

use crate::{
    amqp_url::{credentials_of, vhost_of},
    link::Link,
    management::Management,
    site::Site,
};
use ktpel_settings::BrokerUrls;
use serde::{Deserialize, Serialize};

/// Which site this process is, and how it reaches the site above it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteSettings {
    /// `all` (every place on one broker: the laptop default), `kecamatan:<code>`,
    /// `dinas:<code>` or `pusat-data`.
    pub name: Site,
    /// The parent's AMQP URL (a kecamatan's Dinas, a Dinas's Pusat Data) as this site's broker
    /// reaches it, with this site's user on the parent (`ktpel site grant` makes it). Needed
    /// by a kecamatan and a Dinas. A secret: shown only without its password. For a parent
    /// whose broker is a cluster, every node's URL (a list, or comma-separated): the links
    /// dial them in turn.
    pub parent_url: Option<BrokerUrls>,
    /// This site's broker's management API, where the links (shovels) are declared. Its
    /// credentials are those of `amqp.url`.
    pub management_url: String,
    /// Seconds a link waits before it dials again after a drop.
    pub reconnect_seconds: u32,
    /// A kecamatan node or mobile unit with no link at all (S02, S03): what goes up waits in
    /// its uplink queue, and reaches an online Server AFIS in S20 backups (`ktpel backup
    /// export`) until a `parent_url` is given.
    pub offline: bool,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            name: Site::ALL,
            parent_url: None,
            management_url: "http://127.0.0.1:15672".into(),
            reconnect_seconds: 5,
            offline: false,
        }
    }
}

/// Why the `[site]` section makes no sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration key `{key}` is invalid: {reason}")]
pub struct SiteSettingsError {
    pub key: &'static str,
    pub reason: String,
}

impl SiteSettings {
    /// Checks the section: a site with a parent needs the parent's URL, unless it is a
    /// kecamatan that runs offline on purpose.
    pub fn check(&self) -> Result<(), SiteSettingsError> {
        if self.offline && self.name.kind() != crate::SiteKind::Kecamatan {
            return Err(SiteSettingsError {
                key: "site.offline",
                reason: format!(
                    "only a kecamatan node or mobile unit runs offline (S02, S03), not {}",
                    self.name
                ),
            });
        }
        match (&self.parent_url, self.name.parent()) {
            (None, Some(_)) if self.offline => Ok(()),
            (None, Some(parent)) => Err(SiteSettingsError {
                key: "site.parent_url",
                reason: format!(
                    "site {} links to {parent}: give that broker's amqp(s):// URL (or, for a kecamatan with no link, site.offline = true / --offline: its enrollments then travel in S20 backups)",
                    self.name
                ),
            }),
            (Some(urls), _) if urls.validate("site.parent_url").is_err() => {
                Err(SiteSettingsError {
                    key: "site.parent_url",
                    reason: match urls.validate("site.parent_url") {
                        Err(ktpel_settings::SettingsError::Invalid { reason, .. }) => reason,
                        other => format!("{other:?}"),
                    },
                })
            }
            _ if !(self.management_url.starts_with("http://")
                || self.management_url.starts_with("https://")) =>
            {
                Err(SiteSettingsError {
                    key: "site.management_url",
                    reason: format!("`{}` is not an http(s):// URL", self.management_url),
                })
            }
            _ => Ok(()),
        }
    }

    /// This site's link to its parent, if it has one; `amqp_url` is this site's own broker.
    pub fn link(&self, amqp_url: &str) -> Option<Link> {
        let parent_url = self.parent_url.clone()?;
        self.name.parent()?;
        Some(Link {
            site: self.name,
            parent_url,
            local_vhost: vhost_of(amqp_url),
            reconnect_seconds: self.reconnect_seconds,
        })
    }

    /// This site's management API, with the credentials of `amqp_url`.
    pub fn management(&self, amqp_url: &str) -> Management {
        let (user, password) = credentials_of(amqp_url);
        Management::new(&self.management_url, &user, &password)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kecamatan_needs_its_dinas() {
        let s = SiteSettings {
            name: "kecamatan:32.73.01".parse().unwrap(),
            ..Default::default()
        };
        let e = s.check().unwrap_err();
        assert_eq!(e.key, "site.parent_url");
        assert!(e.reason.contains("dinas:32.73"), "{e}");
        let s = SiteSettings {
            parent_url: Some("http://dinas".into()),
            ..s
        };
        assert_eq!(s.check().unwrap_err().key, "site.parent_url");
        assert!(SiteSettings::default().check().is_ok());
    }

    #[test]
    fn only_a_kecamatan_may_run_offline() {
        let s = SiteSettings {
            name: "kecamatan:32.73.01".parse().unwrap(),
            offline: true,
            ..Default::default()
        };
        assert!(s.check().is_ok(), "S02/S03: no link, backups instead");
        assert!(s.link("amqp://localhost").is_none());
        let s = SiteSettings {
            name: "dinas:32.73".parse().unwrap(),
            offline: true,
            ..Default::default()
        };
        let e = s.check().unwrap_err();
        assert_eq!(e.key, "site.offline");
        assert!(e.reason.contains("dinas:32.73"), "{e}");
    }

    #[test]
    fn the_parent_password_never_shows() {
        let s = SiteSettings {
            name: "kecamatan:32.73.01".parse().unwrap(),
            parent_url: Some("amqp://kecamatan-32.73.01:s3cret@dinas:5672/ktpel".into()),
            ..Default::default()
        };
        assert!(!format!("{s:?}").contains("s3cret"));
        let link = s.link("amqp://guest:guest@127.0.0.1:5672/kec").unwrap();
        assert!(!format!("{link:?}").contains("s3cret"));
        assert_eq!(link.local_vhost, "kec");
    }

    #[test]
    fn urls_give_their_vhost_and_credentials() {
        assert_eq!(vhost_of("amqp://a:b@h:1/%2f"), "/");
        assert_eq!(vhost_of("amqp://a:b@h:1/ktpel-dinas"), "ktpel-dinas");
        assert_eq!(
            credentials_of("amqp://a:b%40c@h:1/x"),
            ("a".into(), "b@c".into())
        );
    }
}
