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
use ktpel_bus::{Broker, BusError, Topology};
use serde_json::json;

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
#[derive(Clone)]
pub struct Link {
    pub site: Site,
    /// The parent's AMQP URL as this site's broker reaches it, with this site's credentials
    /// on the parent (a secret: never logged or shown).
    pub parent_url: String,
    /// This site's vhost on its own broker.
    pub local_vhost: String,
    /// Seconds a shovel waits before it dials again after the link dropped.
    pub reconnect_seconds: u32,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link")
            .field("site", &self.site)
            .field("parent_url", &ktpel_store::redact(&self.parent_url))
            .field("local_vhost", &self.local_vhost)
            .finish()
    }
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
        let topology = Topology::default();
        let up = Crossing::bindings(&self.site, crossing.up);
        if !up.is_empty() {
            let ch = local.channel().await?;
            topology.declare_exchanges(&ch).await?;
            topology.declare_link_queue(&ch, UPLINK_QUEUE, &up).await?;
            let _ = ch.close(200, "declared".into()).await;
        }
        if !crossing.down.is_empty() {
            let parent = Broker::new(&self.parent_url, format!("{}-link", self.site.slug()));
            match declare_downlink(&parent, &self.site).await {
                Ok(()) => {}
                Err(e) => tracing::warn!(
                    site = %self.site, parent = %parent.redacted_url(), error = %e,
                    "cannot declare the downlink queue on the parent now; its grant declares it"
                ),
            }
            parent.close().await;
        }
        if !up.is_empty() {
            management
                .put_shovel(&self.local_vhost, UPLINK_SHOVEL, self.uplink_shovel())
                .await?;
        }
        if !crossing.down.is_empty() {
            management
                .put_shovel(&self.local_vhost, DOWNLINK_SHOVEL, self.downlink_shovel())
                .await?;
        }
        tracing::info!(site = %self.site, parent = %ktpel_store::redact(&self.parent_url), "links declared");
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
            "dest-uri": self.parent_url,
            "dest-exchange": Topology::default().exchange,
            "ack-mode": "on-confirm",
            "reconnect-delay": self.reconnect_seconds,
        })
    }

    fn downlink_shovel(&self) -> serde_json::Value {
        json!({
            "src-protocol": "amqp091",
            "src-uri": self.parent_url,
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
        let state = |link: String, s: ShovelState, waiting| LinkState {
            link,
            shovel: s.name,
            state: s.state,
            reason: s.reason.map(|r| crate::management::scrub(&r)),
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
