//! The links of a site: two RabbitMQ shovels that the site declares on its own broker.
//!
//! ```text
//!   this site's broker                              the parent's broker
//!   ktpel ──up subjects──▶ ktpel.uplink ══uplink shovel══▶ ktpel
//!   ktpel ◀══downlink shovel══ ktpel.downlink.<code> ◀──down subjects── ktpel
//! ```
//!
//! Both shovels run on the child's broker, which dials out: a kecamatan office behind a NAT
//! or a flaky WAN link reaches its Dinas, never the other way round. They acknowledge a
//! message only after the other broker confirmed it (`ack-mode: on-confirm`), so a message is
//! never lost on the way; one that crosses twice after a cut link has the same message id,
//! and the receiving service's inbox drops the copy. While the link is down, messages wait in
//! the durable queue of the sending side and flow in order when it returns.
//!
//! Nothing here forwards messages itself: RabbitMQ does (DESIGN.md, "Sites").

use crate::{
    crossing::Crossing,
    management::{Management, ManagementError, ShovelState},
    site::Site,
};
use ktpel_bus::{Broker, BusError, Shutdown, Topology};
use ktpel_settings::BrokerUrls;
use serde_json::json;
use std::time::Duration;

/// The queue on a site's broker where messages for its parent wait.
pub const UPLINK_QUEUE: &str = "ktpel.uplink";
/// The shovel that carries [`UPLINK_QUEUE`] up.
pub const UPLINK_SHOVEL: &str = "ktpel-uplink";
/// The shovel that brings the site's downlink queue down.
pub const DOWNLINK_SHOVEL: &str = "ktpel-downlink";

/// The queue on the parent's broker where messages for `site` wait: `ktpel.downlink.<code>`.
pub fn downlink_queue(site: &Site) -> String {
    match site.code() {
        Some(code) => format!("ktpel.downlink.{code}"),
        None => format!("ktpel.downlink.{}", site.slug()),
    }
}

/// Why a link could not be declared.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("site {0} has no parent to link to")]
    NoParent(Site),
    #[error("declaring the link's queues: {0}")]
    Bus(#[from] BusError),
    #[error("declaring the link's shovels: {0}")]
    Management(#[from] ManagementError),
}

/// A site's link to its parent, as configured.
#[derive(Debug, Clone)]
pub struct Link {
    pub site: Site,
    /// The parent's AMQP URL as this site's broker reaches it, with this site's credentials
    /// on the parent (a secret: never logged or shown); a clustered parent's every node.
    pub parent_url: BrokerUrls,
    /// This site's vhost on its own broker.
    pub local_vhost: String,
    /// Seconds a shovel waits before it dials again after the link dropped.
    pub reconnect_seconds: u32,
}

/// One shovel of a link and how it is doing, for the status page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkState {
    /// `up to dinas:32.73` or `down from dinas:32.73`.
    pub link: String,
    pub shovel: String,
    /// `running`, `starting`, `terminated`, or `missing` when the broker does not know it.
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Messages waiting on this side to go up (the uplink queue), when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting: Option<u32>,
}

impl Link {
    fn parent(&self) -> Result<Site, LinkError> {
        self.site.parent().ok_or(LinkError::NoParent(self.site))
    }

    /// Declares the uplink queue on this site's broker, the downlink queue on the parent's
    /// (when reachable now; the parent's `grant` declares it too), and both shovels through
    /// this site's management API. Idempotent: run at every start.
    pub async fn declare(&self, local: &Broker, management: &Management) -> Result<(), LinkError> {
        let crossing = Crossing::of(&self.site);
        self.declare_uplink_queue(local).await?;
        if !crossing.down.is_empty()
            && let Err(e) = self.declare_downlink_queue().await
        {
            tracing::warn!(
                site = %self.site, error = %e,
                "cannot declare the downlink queue on the parent now; its grant declares it"
            );
        }
        self.declare_shovels(management).await?;
        tracing::info!(site = %self.site, parent = %self.parent_url, "links declared");
        Ok(())
    }

    /// The uplink queue and its bindings on this site's broker: declared before the site's
    /// services start, so that nothing they send up finds no queue.
    pub async fn declare_uplink_queue(&self, local: &Broker) -> Result<(), LinkError> {
        declare_uplink(local, &self.site).await
    }

    /// This site's downlink queue and bindings on the parent's broker, as this site's user.
    pub async fn declare_downlink_queue(&self) -> Result<(), LinkError> {
        let parent = Broker::new(&self.parent_url, format!("{}-link", self.site.slug()));
        let result = declare_downlink(&parent, &self.site).await;
        parent.close().await;
        Ok(result?)
    }

    /// Keeps this site's links declared for as long as the site runs: declares them (again
    /// and again with backoff until the management API and the broker take them), the
    /// downlink queue on the parent until the parent is reached, and declares everything
    /// again whenever the broker has lost a shovel (a broker reset, its definitions gone).
    pub async fn keep(self, local: Broker, management: Management, shutdown: Shutdown) {
        let pause = |d: Duration| {
            let stop = shutdown.clone();
            async move {
                tokio::select! {
                    _ = stop.cancelled() => false,
                    _ = tokio::time::sleep(d) => true,
                }
            }
        };
        let down = !Crossing::of(&self.site).down.is_empty();
        let mut delay = Duration::from_millis(500);
        let mut downlink_declared = !down;
        loop {
            match self.declare(&local, &management).await {
                Ok(()) => break,
                Err(e) => {
                    tracing::error!(site = %self.site, error = %e, ?delay, "cannot declare the site's links yet")
                }
            }
            if !pause(delay).await {
                return;
            }
            delay = (delay * 2).min(Duration::from_secs(30));
        }
        loop {
            if !downlink_declared {
                downlink_declared = self.declare_downlink_queue().await.is_ok();
            }
            // Looked at every few redials: often enough to heal soon, rarely enough to cost
            // the management API nothing.
            let every = Duration::from_secs((u64::from(self.reconnect_seconds) * 5).clamp(5, 60));
            if !pause(every).await {
                return;
            }
            let states = self.states(&local, &management).await;
            if states.iter().any(|s| s.state == "missing") {
                tracing::warn!(site = %self.site, "the broker lost this site's links; declaring them again");
                if let Err(e) = self.declare(&local, &management).await {
                    tracing::error!(site = %self.site, error = %e, "cannot declare the site's links again yet");
                }
                downlink_declared = !down;
            }
        }
    }

    /// Takes the link down (the site goes offline: S02, S03): its shovels are removed from
    /// its broker; what goes up waits in the uplink queue, what comes down in the downlink
    /// queue at the parent, until [`Link::declare`] again.
    pub async fn take_down(&self, management: &Management) -> Result<(), LinkError> {
        for shovel in [UPLINK_SHOVEL, DOWNLINK_SHOVEL] {
            management.delete_shovel(&self.local_vhost, shovel).await?;
        }
        tracing::info!(site = %self.site, "links taken down");
        Ok(())
    }

    async fn declare_shovels(&self, management: &Management) -> Result<(), LinkError> {
        let crossing = Crossing::of(&self.site);
        if !crossing.up.is_empty() {
            management
                .put_shovel(&self.local_vhost, UPLINK_SHOVEL, self.uplink_shovel())
                .await?;
        }
        if !crossing.down.is_empty() {
            management
                .put_shovel(&self.local_vhost, DOWNLINK_SHOVEL, self.downlink_shovel())
                .await?;
        }
        Ok(())
    }

    fn local_uri(&self) -> String {
        // `amqp:///<vhost>`: a direct connection inside the broker that runs the shovel.
        format!(
            "amqp:///{}",
            percent_encoding::utf8_percent_encode(
                &self.local_vhost,
                percent_encoding::NON_ALPHANUMERIC
            )
        )
    }

    fn uplink_shovel(&self) -> serde_json::Value {
        json!({
            "src-protocol": "amqp091",
            "src-uri": self.local_uri(),
            "src-queue": UPLINK_QUEUE,
            "dest-protocol": "amqp091",
            "dest-uri": self.parent_url.to_shovel_uri(),
            "dest-exchange": Topology::default().exchange,
            "ack-mode": "on-confirm",
            "reconnect-delay": self.reconnect_seconds,
        })
    }

    fn downlink_shovel(&self) -> serde_json::Value {
        json!({
            "src-protocol": "amqp091",
            "src-uri": self.parent_url.to_shovel_uri(),
            "src-queue": downlink_queue(&self.site),
            "dest-protocol": "amqp091",
            "dest-uri": self.local_uri(),
            "dest-exchange": Topology::default().exchange,
            "ack-mode": "on-confirm",
            "reconnect-delay": self.reconnect_seconds,
        })
    }

    /// Each shovel of this link as the broker reports it, and what waits to go up.
    pub async fn states(&self, local: &Broker, management: &Management) -> Vec<LinkState> {
        let parent = self
            .parent()
            .map(|p| p.to_string())
            .unwrap_or_else(|_| "?".into());
        let crossing = Crossing::of(&self.site);
        let reported = management.shovels(&self.local_vhost).await;
        let state_of = |shovel: &str| match &reported {
            Ok(list) => list
                .iter()
                .find(|s| s.name == shovel)
                .cloned()
                .unwrap_or(ShovelState {
                    name: shovel.to_owned(),
                    state: "missing".into(),
                    reason: None,
                }),
            Err(e) => ShovelState {
                name: shovel.to_owned(),
                state: "unknown".into(),
                reason: Some(e.to_string()),
            },
        };
        let password = crate::amqp_url::credentials_of(self.parent_url.first().expose()).1;
        let state = |link: String, s: ShovelState, waiting| LinkState {
            link,
            shovel: s.name,
            state: s.state,
            reason: s
                .reason
                .map(|r| hide(&crate::management::scrub(&r), &password)),
            waiting,
        };
        let mut states = Vec::new();
        if !crossing.up.is_empty() {
            let waiting = local.queue_depth(UPLINK_QUEUE).await.ok();
            states.push(state(
                format!("up to {parent}"),
                state_of(UPLINK_SHOVEL),
                waiting,
            ));
        }
        if !crossing.down.is_empty() {
            states.push(state(
                format!("down from {parent}"),
                state_of(DOWNLINK_SHOVEL),
                None,
            ));
        }
        states
    }
}

/// `site`'s uplink queue and its bindings on its own broker — with a link or without one (an
/// offline kecamatan: what goes up waits there for the link, and S20 backups carry copies).
pub async fn declare_uplink(local: &Broker, site: &Site) -> Result<(), LinkError> {
    let up = Crossing::bindings(site, Crossing::of(site).up);
    if up.is_empty() {
        return Ok(());
    }
    let topology = Topology::default();
    let ch = local.channel().await?;
    topology.declare_exchanges(&ch).await?;
    topology.declare_link_queue(&ch, UPLINK_QUEUE, &up).await?;
    let _ = ch.close(200, "declared".into()).await;
    Ok(())
}

/// Declares `site`'s downlink queue on its parent's broker and binds the subjects that come
/// down to it (with `site`'s code). Needs only the rights a [`crate::grant`] gives the site.
pub async fn declare_downlink(parent: &Broker, site: &Site) -> Result<(), BusError> {
    let bindings = Crossing::bindings(site, Crossing::of(site).down);
    let ch = parent.channel().await?;
    let result = Topology::default()
        .declare_link_queue(&ch, &downlink_queue(site), &bindings)
        .await;
    let _ = ch.close(200, "declared".into()).await;
    result
}

/// `text` with `password` (as written, and percent-encoded) nowhere in it, whatever form the
/// broker quoted it in.
fn hide(text: &str, password: &str) -> String {
    if password.len() < 4 {
        return text.to_owned();
    }
    let encoded =
        percent_encoding::utf8_percent_encode(password, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    text.replace(password, "***").replace(&encoded, "***")
}
