//! Settings of the NID Scheduler (`config/afis-sync.toml`, `KTPEL__…`, `KTPEL_AFIS_SYNC__…`).

use ktpel_domain::{KodeWilayah, wilayah::Level};
use ktpel_settings::{BrokerUrls, OwnSettings, ServiceSettings, SettingsError};
use serde::{Deserialize, Serialize};

/// `PRODUCTION`, or `TRAINING` for a test site (S19.4: the window must show PRODUCTION).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Mode {
    Production,
    Training,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Production => "PRODUCTION",
            Self::Training => "TRAINING",
        })
    }
}

/// The NID Scheduler's settings: the wiring every service has — its `region` is the region
/// whose enrollments it sends (a Dinas's Server AFIS: its kabupaten/kota), its Co-Relation
/// Id's when unset — and the scheduler's own keys.
pub type AfisSyncSettings = ServiceSettings<Own>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Own {
    pub mode: Mode,
    /// The site's Co-Relation Id: its region code down to the kecamatan or kelurahan.
    pub co_relation_id: String,
    /// The Pusat Data's broker; unset means the local broker (one-machine setups, where a
    /// shovel or federation link carries the queue onwards).
    pub pusat_data_amqp_url: Option<BrokerUrls>,
    /// Seconds between scheduled runs.
    pub interval_seconds: u64,
    /// Records per round of confirms: a run sends the whole queue, a batch at a time, reading
    /// the next batch while the broker confirms this one. 500 drained 10,000 records a sixth
    /// faster than 200 on the project's machine (docs/performance-history.md); a pause or a
    /// lost link waits for at most one batch.
    pub batch: u64,
    /// S20: this Server AFIS's bundle keys (it opens the backups made for it), created on
    /// first use; `ktpel backup keys` prints the public half for the sites.
    pub bundle_key_file: String,
    /// S20: the sites whose backups it imports, a line each: `<site code> <signing key>`
    /// (`ktpel backup trust`).
    pub trusted_sites_file: String,
}

impl Default for Own {
    fn default() -> Self {
        Self {
            mode: Mode::Production,
            co_relation_id: "32.73.01".into(),
            pusat_data_amqp_url: None,
            interval_seconds: 5,
            batch: 500,
            bundle_key_file: "data/site.key".into(),
            trusted_sites_file: "data/trusted-sites".into(),
        }
    }
}

impl Own {
    pub fn co_relation(&self) -> KodeWilayah {
        KodeWilayah::parse(&self.co_relation_id).expect("validated with the settings")
    }
}

/// The region whose enrollments this Server AFIS takes: `region`, or its Co-Relation Id's.
pub fn served_region(settings: &AfisSyncSettings) -> &str {
    settings
        .region
        .as_deref()
        .unwrap_or(&settings.own.co_relation_id)
}

impl OwnSettings for Own {
    const SERVICE: &'static str = crate::SERVICE;

    fn validate(&self, region: Option<&str>) -> Result<(), SettingsError> {
        let code = KodeWilayah::parse(&self.co_relation_id)
            .map_err(|e| SettingsError::invalid("co_relation_id", e.to_string()))?;
        if code.level() < Level::Kecamatan {
            return Err(SettingsError::invalid(
                "co_relation_id",
                "must go down to the kecamatan or kelurahan (e.g. 32.73.01)",
            ));
        }
        // The Pusat Data lets a site's Server AFIS send only under its own region (topic
        // permissions): a Co-Relation Id elsewhere would be refused on every batch.
        if let Some(region) = region
            && !(self.co_relation_id == region
                || self.co_relation_id.starts_with(&format!("{region}.")))
        {
            return Err(SettingsError::invalid(
                "co_relation_id",
                format!(
                    "{} is not in the region this Server AFIS serves ({region})",
                    self.co_relation_id
                ),
            ));
        }
        if let Some(urls) = &self.pusat_data_amqp_url {
            urls.validate("pusat_data_amqp_url")?;
        }
        if self.interval_seconds == 0 || self.batch == 0 {
            return Err(SettingsError::invalid(
                "interval_seconds",
                "interval_seconds and batch must be at least 1",
            ));
        }
        Ok(())
    }
}

/// A Dinas's Server AFIS sends to the site above it, the Pusat Data, unless told otherwise
/// (its region, the enrollments it sends, is the Dinas's: every service's region is its site's).
/// The default Co-Relation Id (Kota Bandung's first kecamatan) is no station of another
/// Dinas: there, it becomes the Dinas's first kecamatan; one set by hand stays, and is checked.
impl ktpel_site::AtSite for Own {
    fn at_site(&mut self, site: &ktpel_site::SiteSettings) {
        if site.name.kind() == ktpel_site::SiteKind::Dinas && self.pusat_data_amqp_url.is_none() {
            self.pusat_data_amqp_url = site.parent_url.clone();
        }
        if let Some(code) = site.name.code()
            && self.co_relation_id == Own::default().co_relation_id
            && !self.co_relation_id.starts_with(&format!("{code}."))
            && let Some(first) = ktpel_domain::Wilayah::global()
                .children(&code)
                .into_iter()
                .find(|k| k.kode.level() == ktpel_domain::wilayah::Level::Kecamatan)
        {
            self.co_relation_id = first.kode.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktpel_settings::Validate;

    #[test]
    fn another_dinas_gets_its_own_code_as_co_relation_id_unless_one_is_set() {
        use ktpel_site::AtSite;
        let at = |code: &str| ktpel_site::SiteSettings {
            name: format!("dinas:{code}").parse().unwrap(),
            ..Default::default()
        };
        let mut own = Own::default();
        own.at_site(&at("32.73"));
        assert_eq!(
            own.co_relation_id, "32.73.01",
            "Kota Bandung keeps the default"
        );
        own.at_site(&at("32.01"));
        assert!(
            own.co_relation_id.starts_with("32.01."),
            "{}",
            own.co_relation_id
        );
        let placed = AfisSyncSettings {
            region: Some("32.01".into()),
            own,
            ..Default::default()
        };
        assert!(placed.validate().is_ok(), "{:?}", placed.validate());
        let mut chosen = Own {
            co_relation_id: "32.73.05".into(),
            ..Own::default()
        };
        chosen.at_site(&at("32.01"));
        assert_eq!(
            chosen.co_relation_id, "32.73.05",
            "refused by validate, not changed"
        );
    }

    #[test]
    fn the_co_relation_id_lies_in_the_region_served() {
        let mut s = AfisSyncSettings {
            region: Some("32.73".into()),
            ..Default::default()
        };
        assert!(s.validate().is_ok(), "32.73.01 is in 32.73");
        s.region = Some("33.01".into());
        let e = s.validate().unwrap_err().to_string();
        assert!(e.contains("`co_relation_id`") && e.contains("33.01"), "{e}");
        s.region = None;
        assert!(s.validate().is_ok(), "no region: its own");
    }
}
