//! The connection to RabbitMQ, shared by a service's consumers and relays.
//!
//! One TCP connection per service process, many channels on it (RabbitMQ's advice). When the
//! connection drops — the broker restarts, ops run `rabbitmqctl close_all_connections`, a link
//! flaps — every user of the [`Broker`] notices on its channel, asks for a new channel, and
//! [`Broker::channel`] opens a new connection on the first such request. Reconnection is
//! retried with exponential backoff and jitter ([`backon`]) until it succeeds or the service
//! shuts down: a service never gives up on the broker on its own.
//!
//! A cluster's nodes are doors to one broker: given several URLs ([`Nodes`]), each connection
//! attempt starts at the node that served last and tries the others in turn, so losing the
//! node a service is connected to costs one reconnect, not an outage.

use crate::{BusError, Shutdown};
use backon::{BackoffBuilder, ExponentialBuilder};
use lapin::{Channel, Connection, ConnectionProperties};
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use tokio::sync::Mutex;

/// What a passive declare tells about a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueStats {
    pub messages: u32,
    pub consumers: u32,
}

/// The URLs of a broker's nodes: one, or a cluster's, in the order they are tried first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nodes(Vec<String>);

impl Nodes {
    /// The nodes' URLs, in order.
    pub fn urls(&self) -> &[String] {
        &self.0
    }
}

impl From<&str> for Nodes {
    fn from(url: &str) -> Self {
        Self(vec![url.to_owned()])
    }
}

impl From<String> for Nodes {
    fn from(url: String) -> Self {
        Self(vec![url])
    }
}

impl From<&String> for Nodes {
    fn from(url: &String) -> Self {
        Self(vec![url.clone()])
    }
}

impl From<Vec<String>> for Nodes {
    fn from(urls: Vec<String>) -> Self {
        assert!(!urls.is_empty(), "a broker has at least one node");
        Self(urls)
    }
}

impl From<&ktpel_settings::BrokerUrls> for Nodes {
    fn from(urls: &ktpel_settings::BrokerUrls) -> Self {
        Self(urls.expose_all())
    }
}

/// A lazily (re)connecting handle to the broker; cheap to clone.
#[derive(Clone)]
pub struct Broker {
    inner: Arc<Inner>,
}

struct Inner {
    nodes: Nodes,
    /// The node tried first on the next connect: the one that answered last.
    serving: AtomicUsize,
    /// Shown in the management UI and used by ops to find this service's connection.
    name: String,
    current: Mutex<Option<Arc<Connection>>>,
    reconnect: ExponentialBuilder,
}

impl Broker {
    /// A broker handle for `nodes` (one URL, or a cluster's); nothing is connected until the
    /// first channel is asked for. Reconnects back off from 100 ms to 5 s, with jitter,
    /// without limit.
    pub fn new(nodes: impl Into<Nodes>, connection_name: impl Into<String>) -> Self {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_secs(5))
            .with_jitter()
            .without_max_times();
        Self::with_backoff(nodes, connection_name, backoff)
    }

    /// As [`Broker::new`] with another reconnect backoff (tests use short delays).
    pub fn with_backoff(
        nodes: impl Into<Nodes>,
        connection_name: impl Into<String>,
        reconnect: ExponentialBuilder,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                nodes: nodes.into(),
                serving: AtomicUsize::new(0),
                name: connection_name.into(),
                current: Mutex::new(None),
                reconnect,
            }),
        }
    }

    /// The connection name given to RabbitMQ.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The URL without its password, for logs and status pages; a cluster's, every node's,
    /// comma-separated.
    pub fn redacted_url(&self) -> String {
        self.inner
            .nodes
            .urls()
            .iter()
            .map(|u| ktpel_store::redact(u))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether the current connection is up (the `MQ` line of the NID Scheduler panel).
    /// This measures the connection; it does not open one.
    pub async fn is_connected(&self) -> bool {
        let current = self.inner.current.lock().await;
        current.as_ref().is_some_and(|c| c.status().connected())
    }

    /// Whether the broker answers now: opens a channel (connecting first if need be) and
    /// closes it again. What a status panel measures.
    pub async fn answers(&self) -> bool {
        match self.channel().await {
            Ok(channel) => {
                let _ = channel.close(200, "checked".into()).await;
                true
            }
            Err(_) => false,
        }
    }

    /// A new channel, connecting first if there is no live connection. One attempt.
    pub async fn channel(&self) -> Result<Channel, BusError> {
        let conn = self.connection().await?;
        match conn.create_channel().await {
            Ok(ch) => Ok(ch),
            Err(source) => {
                // The connection died under us; forget it so the next call reconnects.
                self.forget(&conn).await;
                Err(BusError::Amqp {
                    operation: "channel.open",
                    source,
                })
            }
        }
    }

    /// A new channel, retrying with backoff until it works or `shutdown` is cancelled.
    pub async fn channel_with_retry(&self, shutdown: &Shutdown) -> Result<Channel, BusError> {
        let mut delays = self.inner.reconnect.build();
        loop {
            match self.channel().await {
                Ok(ch) => return Ok(ch),
                Err(e) => {
                    let delay = delays.next().unwrap_or(Duration::from_secs(5));
                    tracing::warn!(broker = %self.redacted_url(), error = %e, ?delay, "broker unavailable, retrying");
                    tokio::select! {
                        _ = shutdown.cancelled() => return Err(BusError::Shutdown),
                        _ = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
    }

    /// Waits one backoff step after a failure (used by loops that own their channel).
    pub(crate) fn reconnect_backoff(&self) -> impl Iterator<Item = Duration> + use<> {
        self.inner.reconnect.build()
    }

    /// Messages ready in `queue` (a passive declare: it never creates the queue). For status
    /// pages and tests.
    pub async fn queue_depth(&self, queue: &str) -> Result<u32, BusError> {
        self.queue_stats(queue).await.map(|q| q.messages)
    }

    /// Messages ready in `queue` and consumers attached to it, measured now.
    pub async fn queue_stats(&self, queue: &str) -> Result<QueueStats, BusError> {
        let channel = self.channel().await?;
        let stats = channel
            .queue_declare(
                queue.into(),
                lapin::options::QueueDeclareOptions {
                    passive: true,
                    ..Default::default()
                },
                Default::default(),
            )
            .await
            .map(|q| QueueStats {
                messages: q.message_count(),
                consumers: q.consumer_count(),
            })
            .map_err(BusError::amqp("queue.declare passive"));
        let _ = channel.close(200, "done".into()).await;
        stats
    }

    /// Closes the connection (graceful shutdown).
    pub async fn close(&self) {
        if let Some(conn) = self.inner.current.lock().await.take() {
            let _ = conn.close(200, "shutdown".into()).await;
        }
    }

    async fn connection(&self) -> Result<Arc<Connection>, BusError> {
        let mut current = self.inner.current.lock().await;
        if let Some(conn) = current.as_ref()
            && conn.status().connected()
        {
            return Ok(conn.clone());
        }
        // The node that served last first, then the others in turn: one pass over the nodes.
        let urls = self.inner.nodes.urls();
        let start = self.inner.serving.load(Ordering::Relaxed);
        let mut failed = None;
        for i in (0..urls.len()).map(|k| (start + k) % urls.len()) {
            match self.connect_to(&urls[i]).await {
                Ok(conn) => {
                    self.inner.serving.store(i, Ordering::Relaxed);
                    tracing::info!(broker = %ktpel_store::redact(&urls[i]), name = %self.inner.name, "connected to the broker");
                    let conn = Arc::new(conn);
                    *current = Some(conn.clone());
                    return Ok(conn);
                }
                Err(e) => {
                    if urls.len() > 1 {
                        tracing::warn!(node = %ktpel_store::redact(&urls[i]), error = %e, "broker node unavailable, trying the next");
                    }
                    failed = Some(e);
                }
            }
        }
        Err(failed.expect("a broker has at least one node"))
    }

    /// One connection attempt to the node at `url`.
    async fn connect_to(&self, url: &str) -> Result<Connection, BusError> {
        let props =
            ConnectionProperties::default().with_connection_name(self.inner.name.as_str().into());
        let connect_error = |source| BusError::Connect {
            url: ktpel_store::redact(url),
            source,
        };
        match ca_file(url) {
            None => Connection::connect(url, props).await,
            Some(path) => {
                let pem = std::fs::read_to_string(&path).map_err(|source| BusError::CaFile {
                    url: ktpel_store::redact(url),
                    path: path.clone(),
                    source,
                })?;
                let tls = lapin::tcp::OwnedTLSConfig {
                    identity: None,
                    cert_chain: Some(pem),
                };
                let runtime = lapin::runtime::default_runtime().map_err(connect_error)?;
                Connection::connect_with_config(url, props, tls, runtime).await
            }
        }
        .map_err(connect_error)
    }

    async fn forget(&self, dead: &Arc<Connection>) {
        let mut current = self.inner.current.lock().await;
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, dead)) {
            *current = None;
        }
    }
}

/// The CA certificate file that an `amqps://` URL names in its query, `cacertfile=<path>` — the
/// parameter RabbitMQ's own clients (shovels, federation) read — so that one URL serves both
/// a site's shovel and this process: the peer's certificate is verified against that CA (and
/// its name against the URL's host). This process trusts the system's roots as well (lapin's
/// TLS adds the CA to them); the shovels trust that CA alone.
pub fn ca_file(url: &str) -> Option<String> {
    if !url.starts_with("amqps://") {
        return None;
    }
    let (_, query) = url.split_once('?')?;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == "cacertfile").then(|| {
            percent_encoding::percent_decode_str(value)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::ca_file;

    #[test]
    fn an_amqps_url_names_its_ca() {
        assert_eq!(
            ca_file(
                "amqps://u:p@dinas:5671/%2f?cacertfile=%2Fetc%2Fktpel%2Fca.pem&verify=verify_peer"
            )
            .as_deref(),
            Some("/etc/ktpel/ca.pem")
        );
        assert_eq!(
            ca_file("amqps://u:p@dinas:5671/%2f?verify=verify_peer"),
            None
        );
        assert_eq!(ca_file("amqp://u:p@dinas:5672/%2f?cacertfile=/x"), None);
        assert_eq!(ca_file("amqps://u:p@dinas:5671/%2f"), None);
    }
}
