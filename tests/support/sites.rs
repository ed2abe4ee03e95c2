//! Sites in tests: a site's least-privileged user on another site's broker, and its links.

use crate::{TestBroker, TestVhost};
use ktpel_bus::Broker;
use ktpel_site::{Link, Site, grant};
use std::time::Duration;
use uuid::Uuid;

/// A site's broker user on its parent's broker, deleted on drop. Users are per broker, not per
/// vhost, so each test makes its own name.
pub struct SiteUser {
    pub name: String,
    pub password: String,
    broker: TestBroker,
}

impl Drop for SiteUser {
    fn drop(&mut self) {
        let mut cmd = std::process::Command::new("rabbitmqctl");
        if let Some(node) = &self.broker.node {
            cmd.args(["-n", node]);
        }
        let _ = cmd.args(["-q", "delete_user", &self.name]).output();
    }
}

/// Lets `site` onto `parent` (its parent's vhost) as `ktpel site grant` does, with a user of
/// its own for this test.
pub async fn grant(parent: &TestVhost, site: &Site) -> SiteUser {
    let name = format!(
        "{}-{}",
        grant::user_of(site),
        &Uuid::now_v7().simple().to_string()[20..]
    );
    let password = Uuid::now_v7().simple().to_string();
    let admin = Broker::new(parent.url(), "test-admin");
    grant::grant(
        &parent.broker.management(),
        &admin,
        &parent.name,
        site,
        &name,
        &password,
    )
    .await
    .unwrap_or_else(|e| panic!("grant {site}: {e}"));
    admin.close().await;
    SiteUser {
        name,
        password,
        broker: parent.broker.clone(),
    }
}

/// Declares `site`'s links from its broker (`child`) to `parent_url`, as `ktpel up --site`
/// does at start, and waits until the broker runs them.
pub async fn link(child: &TestVhost, site: &Site, parent_url: String) -> Link {
    let link = Link {
        site: *site,
        parent_url: parent_url.into(),
        local_vhost: child.name.clone(),
        reconnect_seconds: 1,
    };
    let local = Broker::new(child.url(), "test-link");
    link.declare(&local, &child.broker.management())
        .await
        .unwrap_or_else(|e| panic!("declare {site}'s links: {e}"));
    let running = crate::eventually(Duration::from_secs(30), || async {
        let states = link.states(&local, &child.broker.management()).await;
        !states.is_empty() && states.iter().all(|s| s.state == "running")
    })
    .await;
    assert!(
        running,
        "{site}'s links run: {:?}",
        link.states(&local, &child.broker.management()).await
    );
    local.close().await;
    link
}
