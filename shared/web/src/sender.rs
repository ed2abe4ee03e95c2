//! A desk's channel to its site's broker: publishes one message at a time, confirmed, the way
//! every service publishes, and reopens the channel whenever the broker dropped it. The
//! message id is fixed, so a message sent again after a lost confirm is dropped as a copy by
//! the receiving service's inbox.

use ktpel_bus::{
    Broker, BusError, Outgoing,
    publisher::{Publication, Publisher},
};
use std::time::{Duration, Instant};

pub struct Sender {
    broker: Broker,
    app: String,
    publisher: Option<Publisher>,
}

/// The broker did not take a message in time.
#[derive(Debug, thiserror::Error)]
#[error("the broker did not take the message for {seconds}s: {source}")]
pub struct NotTaken {
    pub seconds: u64,
    pub source: BusError,
}

impl Sender {
    pub fn new(broker: Broker, app: &str) -> Self {
        Self {
            broker,
            app: app.to_owned(),
            publisher: None,
        }
    }

    /// Publishes `m` and waits for the broker's confirm; while the broker is away, tries again
    /// with backoff for up to `patience`.
    pub async fn send(&mut self, m: &Outgoing, patience: Duration) -> Result<(), NotTaken> {
        let deadline = Instant::now() + patience;
        let mut delay = Duration::from_millis(100);
        loop {
            match self.try_send(m).await {
                Ok(()) => return Ok(()),
                Err(e) if Instant::now() < deadline => {
                    tracing::warn!(error = %e, ?delay, "the desk could not send; sending again");
                    self.publisher = None;
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(2));
                }
                Err(source) => {
                    self.publisher = None;
                    return Err(NotTaken {
                        seconds: patience.as_secs(),
                        source,
                    });
                }
            }
        }
    }

    async fn try_send(&mut self, m: &Outgoing) -> Result<(), BusError> {
        if self.publisher.is_none() {
            let channel = self.broker.channel().await?;
            self.publisher = Some(Publisher::new(channel, self.app.as_str()).await?);
        }
        let publisher = self.publisher.as_ref().expect("set above");
        publisher
            .publish(&Publication::of(ktpel_bus::topology::EXCHANGE, m))
            .await
    }

    /// Closes the desk's channel (before its connection, so nothing is left open).
    pub async fn close(&mut self) {
        if let Some(p) = self.publisher.take() {
            let _ = p.channel().close(200, "desk done".into()).await;
        }
    }
}
