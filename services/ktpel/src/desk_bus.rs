//! What a desk or a station outside the services needs of the bus: publish one message,
//! confirmed, the way every service publishes (`ktpel intake submit`, `ktpel enroll capture`,
//! the desks of `ktpel demo`), and, for a desk that waits for the answer, listen for it on a
//! queue of its own.
//!
//! A desk rides out a broker restart or a dropped connection: it sends again until the broker
//! confirms (the message id is fixed, so the receiving service's inbox drops a copy), and a
//! desk waiting for an answer listens again and resends — the service answers a resent
//! submission again rather than doubling it.

use futures_util::StreamExt;
use ktpel_bus::{
    Broker, BusError, Message, Outgoing, RoutingKey, Topology,
    publisher::{Publication, Publisher},
};
use ktpel_settings::SettingsError;
use serde::de::DeserializeOwned;
use std::time::{Duration, Instant};

/// How long a desk keeps trying to hand a message to its broker before it gives up.
const PATIENCE: Duration = Duration::from_secs(180);

/// A desk's channel to its site's broker, reopened whenever the broker drops it; a command
/// waits for the broker up to three minutes.
pub struct Sender(ktpel_web::sender::Sender);

impl Sender {
    pub fn new(broker: Broker, app: &str) -> Self {
        Self(ktpel_web::sender::Sender::new(broker, app))
    }

    /// Publishes `m` and waits for the broker's confirm; while the broker is away, tries again
    /// with backoff for up to three minutes.
    pub async fn send(&mut self, m: &Outgoing) -> Result<(), DeskBusError> {
        Ok(self.0.send(m, PATIENCE).await?)
    }

    /// Closes the desk's channel (before its connection, so nothing is left open).
    pub async fn close(&mut self) {
        self.0.close().await;
    }
}

/// The broker of the `ktpel` settings (this site's), for a desk named `app`.
fn site_broker(app: &str) -> Result<Broker, SettingsError> {
    let amqp = crate::run::process_settings(&crate::run::SiteArgs::default())?.amqp;
    Ok(Broker::new(&amqp.url, app.to_owned()))
}

/// Publishes `msg` to the `ktpel` exchange of this site's broker and waits for the confirm.
pub async fn publish(app: &str, msg: &Outgoing) -> Result<(), DeskBusError> {
    let broker = site_broker(app)?;
    let mut sender = Sender::new(broker.clone(), app);
    let result = sender.send(msg).await;
    sender.close().await;
    broker.close().await;
    result
}

/// Publishes `msg` and waits up to `wait` for the service's answer about it, a `Yes` or a
/// `No` message from `region` that `ours_yes` / `ours_no` recognise as about this message.
pub async fn ask<Yes, No>(
    app: &str,
    msg: &Outgoing,
    region: &str,
    wait: Duration,
    ours_yes: impl Fn(&Yes) -> bool,
    ours_no: impl Fn(&No) -> bool,
) -> Result<Result<Yes, No>, DeskBusError>
where
    Yes: Message + DeserializeOwned,
    No: Message + DeserializeOwned,
{
    let bindings = [Yes::KIND, No::KIND]
        .map(|s| RoutingKey::binding(s, Some(region)))
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let pick = |kind: &str, bytes: &[u8]| {
        if kind == Yes::message_type() {
            let y: Yes = serde_json::from_slice(bytes).ok()?;
            ours_yes(&y).then_some(Ok(y))
        } else if kind == No::message_type() {
            let n: No = serde_json::from_slice(bytes).ok()?;
            ours_no(&n).then_some(Err(n))
        } else {
            None
        }
    };
    let broker = site_broker(app)?;
    let deadline = Instant::now() + wait;
    let mut delay = Duration::from_millis(100);
    let result = loop {
        match ask_once(&broker, app, msg, &bindings, deadline, &pick).await {
            Ok(answer) => break Ok(answer),
            Err(Attempt::TimedOut) => {
                break Err(DeskBusError::NoAnswer {
                    seconds: wait.as_secs(),
                });
            }
            Err(Attempt::Broker(e)) if Instant::now() < deadline => {
                // The answer may have been lost with the connection: listen again and resend.
                tracing::warn!(error = %e, ?delay, "the desk lost the broker; asking again");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
            }
            Err(Attempt::Broker(e)) => break Err(DeskBusError::Lost(e)),
        }
    };
    broker.close().await;
    result
}

/// Why a desk's message or question did not go through.
#[derive(Debug, thiserror::Error)]
pub enum DeskBusError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    NotTaken(#[from] ktpel_web::sender::NotTaken),
    #[error("no answer within {seconds}s")]
    NoAnswer { seconds: u64 },
    #[error("the region to listen in: {0}")]
    Region(#[from] ktpel_bus::routing::RoutingKeyError),
    #[error(transparent)]
    Lost(#[from] Lost),
}

/// Why one attempt to ask did not end with the answer.
enum Attempt {
    TimedOut,
    Broker(Lost),
}

/// How a desk lost the broker while it asked.
#[derive(Debug, thiserror::Error)]
pub enum Lost {
    #[error(transparent)]
    Bus(#[from] BusError),
    #[error("listening for the answer: {0}")]
    Listening(#[from] lapin::Error),
    #[error("the broker closed the desk's queue before the answer came")]
    Closed,
}

async fn ask_once<T>(
    broker: &Broker,
    app: &str,
    msg: &Outgoing,
    bindings: &[String],
    deadline: Instant,
    pick: &impl Fn(&str, &[u8]) -> Option<T>,
) -> Result<T, Attempt> {
    let lost = |e: Lost| Attempt::Broker(e);
    let channel = broker.channel().await.map_err(|e| lost(e.into()))?;
    let topology = Topology::default();
    topology
        .declare_exchanges(&channel)
        .await
        .map_err(|e| lost(e.into()))?;
    let mut consumer = ktpel_web::answers::listen(&channel, bindings)
        .await
        .map_err(|e| lost(e.into()))?;
    let publisher = Publisher::new(channel, app)
        .await
        .map_err(|e| lost(e.into()))?;
    publisher
        .publish(&Publication::of(&topology.exchange, msg))
        .await
        .map_err(|e| lost(e.into()))?;
    let wait = async {
        while let Some(delivery) = consumer.next().await {
            let d = delivery.map_err(|e| lost(e.into()))?;
            let kind = d.properties.kind().as_ref().map(|k| k.to_string());
            if let Some(found) = pick(kind.as_deref().unwrap_or_default(), &d.data) {
                let _ = publisher.channel().close(200, "answered".into()).await;
                return Ok(found);
            }
        }
        Err(Attempt::Broker(Lost::Closed))
    };
    let left = deadline.saturating_duration_since(Instant::now());
    tokio::time::timeout(left, wait)
        .await
        .unwrap_or(Err(Attempt::TimedOut))
}
