//! Letting a site onto its parent's broker, with the least it needs.
//!
//! Each site has one broker user on its parent's broker, named after it
//! (`kecamatan-32.73.01`). That user may:
//! - declare, bind and read only its own downlink queue (`ktpel.downlink.32.73.01`);
//! - publish to the `ktpel` exchange only the subjects that go up from it, and only under its
//!   own region code (RabbitMQ topic permissions: `enrollment.created.32.73.01…`, never
//!   `….32.73.02`);
//! - bind only the subjects that come down to it, under its own code.
//!
//! So a kecamatan's credentials, if stolen, can neither read another kecamatan's answers nor
//! publish a berkas in another kecamatan's name — the broker refuses both.

use crate::{
    crossing::Crossing,
    link::{declare_downlink, downlink_queue},
    management::{Management, ManagementError, Permissions},
    site::Site,
};
use ktpel_bus::{Broker, BusError, Topology};

/// Why a site could not be granted.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error("{0} has no parent site to be granted on")]
    NoParent(Site),
    #[error("granting {site} on the broker: {source}")]
    Management {
        site: Site,
        #[source]
        source: ManagementError,
    },
    #[error("declaring {site}'s downlink queue: {source}")]
    Bus {
        site: Site,
        #[source]
        source: BusError,
    },
}

/// The broker user name of `site` on its parent's broker.
pub fn user_of(site: &Site) -> String {
    site.slug()
}

/// What `site`'s user may do on its parent's broker.
pub fn permissions_of(site: &Site) -> (Permissions, TopicPermissions) {
    let queue = regex_escape(&downlink_queue(site));
    let exchange = regex_escape(&Topology::default().exchange);
    let own = format!("^({exchange}|{queue})$");
    let crossing = Crossing::of(site);
    let code = site
        .code()
        .map(|c| regex_escape(&c.to_string()))
        .unwrap_or_default();
    let subjects = |list: &[&str]| {
        list.iter()
            .map(|s| regex_escape(s))
            .collect::<Vec<_>>()
            .join("|")
    };
    let sent: Vec<&str> = crossing.up.iter().chain(crossing.direct).copied().collect();
    // Subjects are dot-joined words without digits, so the code cannot be smuggled into a
    // subject (`x.32.73.02.32.73.01` would need digits in the subject).
    let write = if sent.is_empty() {
        "^$".to_owned()
    } else {
        format!("^({})\\.{code}(\\.[0-9]+)*$", subjects(&sent))
    };
    let read = if crossing.down.is_empty() {
        "^$".to_owned()
    } else {
        format!("^({})\\.{code}\\.#$", subjects(crossing.down))
    };
    (
        Permissions {
            configure: format!("^{queue}$"),
            write: own.clone(),
            read: own,
        },
        TopicPermissions { write, read },
    )
}

/// Routing-key patterns a user may publish (`write`) and bind (`read`) on the exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicPermissions {
    pub write: String,
    pub read: String,
}

/// Creates (or updates) the broker user `user` for `site` on the parent's broker with
/// `password` and least privilege, and declares the site's downlink queue there. Run at the
/// parent, as its admin: `management` and `admin` reach the parent's broker, `vhost` is the
/// parent's vhost. `user` is normally [`user_of`]`(site)`.
pub async fn grant(
    management: &Management,
    admin: &Broker,
    vhost: &str,
    site: &Site,
    user: &str,
    password: &str,
) -> Result<(), GrantError> {
    if site.parent().is_none() {
        return Err(GrantError::NoParent(*site));
    }
    let (permissions, topic) = permissions_of(site);
    // The site's downlink queue first: a shovel of the site that logs in as soon as its user
    // exists would otherwise find no queue and declare a classic one without bindings.
    let b = |source| GrantError::Bus {
        site: *site,
        source,
    };
    let ch = admin.channel().await.map_err(b)?;
    Topology::default()
        .declare_exchanges(&ch)
        .await
        .map_err(b)?;
    let _ = ch.close(200, "declared".into()).await;
    declare_downlink(admin, site).await.map_err(b)?;
    let m = |source| GrantError::Management {
        site: *site,
        source,
    };
    management.put_user(user, password).await.map_err(m)?;
    management
        .put_permissions(vhost, user, &permissions)
        .await
        .map_err(m)?;
    management
        .put_topic_permissions(
            vhost,
            user,
            &Topology::default().exchange,
            &topic.write,
            &topic.read,
        )
        .await
        .map_err(m)?;
    tracing::info!(%site, %user, "site granted on this broker");
    Ok(())
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if ".+*?()|[]{}^$\\".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kecamatan_may_send_only_its_own_up_subjects() {
        let kec: Site = "kecamatan:32.73.01".parse().unwrap();
        let (p, t) = permissions_of(&kec);
        assert_eq!(p.configure, r"^ktpel\.downlink\.32\.73\.01$");
        assert_eq!(p.read, r"^(ktpel|ktpel\.downlink\.32\.73\.01)$");
        assert_eq!(
            t.write,
            r"^(registry\.ask_dinas|enrollment\.created|berkas\.dinas\.ppp|berkas\.dinas\.siak|card\.lost)\.32\.73\.01(\.[0-9]+)*$"
        );
        assert_eq!(
            t.read,
            r"^(intake\.registry_answer|desk\.registry_answer|card\.status|registry\.resident|berkas\.handoff\.ppp|berkas\.handoff\.operator)\.32\.73\.01\.#$"
        );
    }

    #[test]
    fn a_dinas_may_send_the_nid_schedulers_records_and_its_moving_families() {
        let dinas: Site = "dinas:32.73".parse().unwrap();
        let (_, t) = permissions_of(&dinas);
        assert_eq!(
            t.write,
            r"^(registry\.pindah_keluar|pusat_data\.enrollment)\.32\.73(\.[0-9]+)*$"
        );
        // S18: it hears the families moving in to it, and nobody else's.
        assert_eq!(
            t.read,
            r"^(card\.status|registry\.pindah_datang)\.32\.73\.#$"
        );
    }
}
