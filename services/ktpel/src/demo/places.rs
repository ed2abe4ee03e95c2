//! Where a part of the demo runs: every place on the process's broker, or a Dinas, its
//! kecamatan and the Pusat Data as sites of their own, each on a vhost of the broker, granted
//! and linked as in production.

use super::DemoError;
use crate::run::{self, Built, Process, ServiceName};
use ktpel_bus::Broker;
use ktpel_domain::{
    KodeWilayah,
    wilayah::{Level, Wilayah},
};
use ktpel_site::{Management, Place, Site, SiteSettings, amqp_url::credentials_of, grant};
use sea_orm::DatabaseConnection;
use std::collections::HashSet;

/// A site of the demo: its broker and its services, built.
pub(crate) struct DemoSite {
    pub(crate) site: Site,
    pub(crate) broker: Broker,
    pub(crate) built: Vec<Built>,
    /// A link not declared yet: an offline kecamatan's, declared when it comes back (S02/S03).
    pub(crate) link: Option<ktpel_site::Link>,
    /// The site's link to its parent, declared, and the management API that runs it (for
    /// the status page and the link metrics under `--http`).
    pub(crate) uplink: Option<(ktpel_site::Link, ktpel_site::Management)>,
    /// Where its services run: its settings and its folder.
    pub(crate) place: Place,
}

impl DemoSite {
    /// The Dinas's chip-signing key, as its card-print made or read it.
    pub(crate) fn key(&self) -> Result<ed25519_dalek::SigningKey, DemoError> {
        let settings = self.place.settings::<ktpel_card_print::config::Own>()?;
        Ok(settings.own.key()?)
    }

    pub(crate) fn db(&self, service: &str) -> Result<DatabaseConnection, DemoError> {
        self.built
            .iter()
            .find(|b| b.name == service)
            .map(|b| b.db.clone())
            .ok_or_else(|| DemoError::NotRunning {
                service: service.to_owned(),
                site: self.site,
            })
    }
}

/// Where the demo's places run: one site for everything, or a Dinas, its kecamatan and the
/// Pusat Data on sites of their own.
pub(crate) struct Places {
    pub(crate) sites: Vec<DemoSite>,
    /// What the demo made on the broker, to remove when it ends.
    pub(crate) made: Made,
    /// The index in `sites` of the Dinas (or of the one site).
    dinas: usize,
    /// The index of the Dinas a family moves to from the first's (S18), if the part has one.
    pub(crate) destination: Option<usize>,
    /// Each kecamatan whose desk takes berkas, and the index of its site.
    pub(crate) kecamatan: Vec<(KodeWilayah, usize)>,
}

/// The vhosts and users a linked demo made on the broker. A demo removes them when it ends,
/// and the next removes any a stopped one left before making its own: a "kecamatan" left with
/// the last run's shovels would not be offline.
#[derive(Default)]
pub(crate) struct Made {
    management: Option<Management>,
    vhosts: Vec<String>,
    users: Vec<String>,
}

impl Made {
    /// Removes them; what cannot be removed is said, not fatal.
    pub(crate) async fn remove(self) {
        let Some(m) = self.management else { return };
        if let Err(e) = stop_links(&m, &self.vhosts).await {
            tracing::warn!(error = %e, "a demo's links may be left running on the broker");
        }
        for u in &self.users {
            if let Err(e) = m.delete_user(u).await {
                tracing::warn!(user = %u, error = %e, "a demo's user was left on the broker");
            }
        }
        for v in &self.vhosts {
            if let Err(e) = m.delete_vhost(v).await {
                tracing::warn!(vhost = %v, error = %e, "a demo's vhost was left on the broker");
            }
        }
    }
}

impl Places {
    pub(crate) fn dinas(&self) -> &DemoSite {
        &self.sites[self.dinas]
    }

    pub(crate) fn dinas_index(&self) -> usize {
        self.dinas
    }

    /// What wakes the demo's waits: every service's commits, at every site.
    pub(crate) fn commits(&self) -> Vec<tokio::sync::watch::Receiver<u64>> {
        self.sites
            .iter()
            .flat_map(|s| s.built.iter().map(|b| b.committed.clone()))
            .collect()
    }

    /// Where the part runs, in words: one broker, or the sites of the Dinas's kecamatan.
    pub(crate) fn describe(&self, region: KodeWilayah) -> String {
        if self.sites.len() == 1 {
            return format!("{region}, every place on one broker");
        }
        let dinas = self
            .sites
            .iter()
            .find(|s| s.site.kind() == ktpel_site::SiteKind::Dinas)
            .map(|s| s.site.to_string())
            .unwrap_or_default();
        format!(
            "{} kecamatan of {dinas}, each site on its own vhost: {}",
            self.kecamatan.len(),
            self.sites
                .iter()
                .map(|s| s.site.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    /// The intake and biometric databases of every kecamatan desk.
    pub(crate) fn desk_dbs(&self, service: &str) -> Result<Vec<DatabaseConnection>, DemoError> {
        let mut seen = HashSet::new();
        self.kecamatan
            .iter()
            .filter(|(_, i)| seen.insert(*i))
            .map(|(_, i)| self.sites[*i].db(service))
            .collect()
    }
}

/// Removes the links of `vhosts` and waits until their shovels have stopped. A vhost removed
/// with its shovels running is half removed for a moment: a shovel that connects again in
/// that moment declares its source queue, a classic one, in the vhost of the same name that a
/// new demo has just made — and the demo's own declaration of that queue is then refused
/// (`inequivalent arg 'x-queue-type'`).
async fn stop_links(management: &Management, vhosts: &[String]) -> Result<(), DemoError> {
    use ktpel_site::link::{DOWNLINK_SHOVEL, UPLINK_SHOVEL};
    for v in vhosts {
        for shovel in [UPLINK_SHOVEL, DOWNLINK_SHOVEL] {
            management.delete_shovel(v, shovel).await?;
        }
    }
    for _ in 0..100 {
        let mut running = 0;
        for v in vhosts {
            running += match management.shovels(v).await {
                Ok(shovels) => shovels.len(),
                // No such vhost: nothing runs there.
                Err(ktpel_site::management::ManagementError::Refused { status: 404, .. }) => 0,
                Err(e) => return Err(e.into()),
            };
        }
        if running == 0 {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tracing::warn!("a demo's shovels still run 10 s after they were removed");
    Ok(())
}

/// Every place on the process's broker, as `ktpel up` runs them.
pub(crate) async fn one_site(process: &Process, region: KodeWilayah) -> Result<Places, DemoError> {
    let broker = Broker::new(&process.amqp.url, "ktpel-demo");
    // A `ktpel up` on the same vhost consumes the same queues: say so rather than stall.
    let queue = ktpel_intake::startup::QUEUE;
    if let Ok(stats) = broker.queue_stats(queue).await
        && stats.consumers > 0
    {
        broker.close().await;
        return Err(DemoError::Busy {
            queue,
            consumers: stats.consumers,
        });
    }
    let built = run::build_all(&ServiceName::ALL, &broker, &Place::default()).await?;
    Ok(Places {
        made: Made::default(),
        sites: vec![DemoSite {
            site: Site::ALL,
            broker,
            built,
            link: None,
            uplink: None,
            place: Place::default(),
        }],
        dinas: 0,
        destination: None,
        kecamatan: vec![(region, 0)],
    })
}

/// The Dinas of `region`, `k` of its kecamatan and the Pusat Data, each on a vhost of its own
/// of the process's broker, granted and linked as in production — but for `offline`
/// kecamatan, whose links are declared only when they come back (S02, S03). With `s18`, the
/// Dinas of the kabupaten/kota an S18 family moves to as well, below the same Pusat Data.
pub(crate) async fn linked_sites(
    process: &Process,
    region: KodeWilayah,
    k: usize,
    offline: bool,
    s18: bool,
) -> Result<Places, DemoError> {
    let dinas_code = match region.level() {
        Level::KabupatenKota => region,
        Level::Kecamatan => region.parent().expect("a kecamatan has a parent"),
        _ => {
            return Err(DemoError::Region(region));
        }
    };
    let mut codes: Vec<KodeWilayah> = Vec::new();
    if region.level() == Level::Kecamatan {
        codes.push(region);
    }
    for r in Wilayah::global().children(&dinas_code) {
        if codes.len() < k && !codes.contains(&r.kode) {
            codes.push(r.kode);
        }
    }
    if codes.len() < k {
        return Err(DemoError::TooFewKecamatan {
            dinas: dinas_code,
            have: codes.len(),
        });
    }
    let management = process.site.management(process.amqp.url.first().expose());
    let (admin_user, _) = credentials_of(process.amqp.url.first().expose());
    let dinas = Site::dinas(dinas_code)?;
    let mut all = vec![Site::PUSAT_DATA, dinas];
    let destination = if s18 {
        Some(super::section_c::destination_of(&dinas_code)?)
    } else {
        None
    };
    if let Some(d) = destination {
        all.push(Site::dinas(d)?);
    }
    let first_kecamatan = all.len();
    for c in &codes {
        all.push(Site::kecamatan(*c)?);
    }
    // Names of this demo's own, so that demos on other vhosts of the broker do not meet.
    let prefix = match ktpel_site::amqp_url::vhost_of(process.amqp.url.first().expose()).as_str() {
        "/" => "ktpel-demo".to_owned(),
        named => named.to_owned(),
    };
    let vhost = |s: &Site| format!("{prefix}-{}", s.slug());
    let mut made = Made {
        management: Some(management.clone()),
        ..Made::default()
    };
    // A demo stopped before its end left its vhosts, with the links it had: start clean.
    let vhosts: Vec<String> = all.iter().map(vhost).collect();
    stop_links(&management, &vhosts).await?;
    for v in &vhosts {
        management.delete_vhost(v).await?;
    }
    for s in &all {
        management.put_vhost(&vhost(s)).await?;
        made.vhosts.push(vhost(s));
        let everything = ktpel_site::management::Permissions {
            configure: ".*".into(),
            write: ".*".into(),
            read: ".*".into(),
        };
        management
            .put_permissions(&vhost(s), &admin_user, &everything)
            .await?;
    }
    let url_of = |s: &Site, user: Option<(&str, &str)>| {
        with_vhost(process.amqp.url.first().expose(), &vhost(s), user)
    };
    let mut sites = Vec::new();
    for s in &all {
        let broker = Broker::new(url_of(s, None), format!("ktpel-demo-{}", s.slug()));
        // The site's user up there, with a password of this run's (never shown).
        let parent_url = match s.parent() {
            Some(parent) => {
                let user = format!("{prefix}-{}", grant::user_of(s));
                made.users.push(user.clone());
                let password = format!("{:032x}", rand::random::<u128>());
                let admin = Broker::new(url_of(&parent, None), "ktpel-demo-admin");
                let granted =
                    grant::grant(&management, &admin, &vhost(&parent), s, &user, &password).await;
                admin.close().await;
                granted?;
                Some(url_of(&parent, Some((&user, &password))))
            }
            None => None,
        };
        let place = Place {
            site: SiteSettings {
                name: *s,
                parent_url: parent_url.map(Into::into),
                management_url: process.site.management_url.clone(),
                reconnect_seconds: 1,
                offline: false,
            },
            data_dir: Some(format!("data/demo/{}", s.slug())),
        };
        let built = run::build_all(ServiceName::at(s), &broker, &place).await?;
        let mut later = None;
        let mut uplink = None;
        if let Some(link) = place.site.link(&url_of(s, None)) {
            if offline && s.kind() == ktpel_site::SiteKind::Kecamatan {
                // Offline: what goes up waits in the uplink queue.
                link.declare_uplink_queue(&broker).await?;
                later = Some(link);
            } else {
                link.declare(&broker, &management).await?;
                uplink = Some((link, management.clone()));
            }
        }
        sites.push(DemoSite {
            site: *s,
            broker,
            built,
            link: later,
            uplink,
            place,
        });
    }
    Ok(Places {
        made,
        sites,
        dinas: 1,
        destination: destination.map(|_| 2),
        kecamatan: codes
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, i + first_kecamatan))
            .collect(),
    })
}

/// `url` (the broker of the process) on `vhost`, as `user` if given.
fn with_vhost(url: &str, vhost: &str, user: Option<(&str, &str)>) -> String {
    let mut uri: lapin::uri::AMQPUri = url.parse().unwrap_or_default();
    uri.vhost = vhost.to_owned();
    if let Some((u, p)) = user {
        uri.authority.userinfo.username = u.to_owned();
        uri.authority.userinfo.password = p.to_owned();
    }
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "{}://{}:{}@{}:{}/{}",
        uri.scheme,
        enc(&uri.authority.userinfo.username),
        enc(&uri.authority.userinfo.password),
        uri.authority.host,
        uri.authority.port,
        enc(&uri.vhost)
    )
}
