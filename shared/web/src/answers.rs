//! A desk that hands something to a service over the bus and waits for the answer: a berkas
//! submitted at the counter is answered by intake with its number or with every reason it is
//! refused. One queue of the desk's own (exclusive, gone with its connection) hears every
//! answer of the two kinds; each is handed to the request waiting for it, found by the key the
//! answer carries (a submission's id, a berkas number). A request registers before it
//! publishes, so no answer can come first.

use crate::sender::{NotTaken, Sender};
use futures_util::StreamExt;
use ktpel_bus::{Broker, Message, Outgoing, RoutingKey, Shutdown, Topology};
use lapin::{
    options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions},
    types::FieldTable,
};
use serde::de::DeserializeOwned;
use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::{oneshot, watch};
use uuid::Uuid;

type Waiting<Yes, No, K> = Mutex<HashMap<K, oneshot::Sender<Result<Yes, No>>>>;

/// A desk's line to a service: sends a message, waits for its `Yes` or `No`, matched to the
/// request by a key of type `K`.
pub struct Line<Yes, No, K = Uuid> {
    sender: tokio::sync::Mutex<Sender>,
    waiting: Arc<Waiting<Yes, No, K>>,
    listening: watch::Receiver<bool>,
}

/// Why a desk got no answer.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    #[error("the desk is not connected to the broker yet")]
    NotListening,
    #[error(transparent)]
    NotTaken(#[from] NotTaken),
    #[error("no answer within {seconds}s")]
    NoAnswer { seconds: u64 },
    #[error("the region to listen in: {0}")]
    Region(#[from] ktpel_bus::routing::RoutingKeyError),
}

impl<Yes, No, K> Line<Yes, No, K>
where
    Yes: Message + DeserializeOwned + Send + 'static,
    No: Message + DeserializeOwned + Send + 'static,
    K: Eq + Hash + Clone + Send + 'static,
{
    /// Opens the line on `broker` as `app`, hearing the answers of `region` (none: every
    /// region); `id_of_yes` and `id_of_no` say which request an answer is for. It listens
    /// until `shutdown`, again after every lost connection.
    pub fn open(
        broker: Broker,
        app: &str,
        region: Option<&str>,
        id_of_yes: fn(&Yes) -> K,
        id_of_no: fn(&No) -> K,
        shutdown: Shutdown,
    ) -> Result<Self, LineError> {
        let bindings = vec![
            RoutingKey::binding(Yes::KIND, region)?,
            RoutingKey::binding(No::KIND, region)?,
        ];
        Ok(Self::bound(
            broker, app, bindings, id_of_yes, id_of_no, shutdown,
        ))
    }

    fn bound(
        broker: Broker,
        app: &str,
        bindings: Vec<String>,
        id_of_yes: fn(&Yes) -> K,
        id_of_no: fn(&No) -> K,
        shutdown: Shutdown,
    ) -> Self {
        let waiting: Arc<Waiting<Yes, No, K>> = Arc::default();
        let (ready, listening) = watch::channel(false);
        let ears = Ears {
            broker: broker.clone(),
            bindings,
            waiting: waiting.clone(),
            id_of_yes,
            id_of_no,
            ready,
        };
        tokio::spawn(ears.listen(shutdown));
        Self {
            sender: tokio::sync::Mutex::new(Sender::new(broker, app)),
            waiting,
            listening,
        }
    }

    /// Sends `m`, about request `id`, and waits up to `wait` for its answer.
    pub async fn ask(
        &self,
        m: &Outgoing,
        id: K,
        wait: Duration,
    ) -> Result<Result<Yes, No>, LineError> {
        let mut listening = self.listening.clone();
        tokio::time::timeout(wait, listening.wait_for(|up| *up))
            .await
            .map_err(|_| LineError::NotListening)?
            .map_err(|_| LineError::NotListening)?;
        let (tx, rx) = oneshot::channel();
        self.waiting
            .lock()
            .expect("not poisoned")
            .insert(id.clone(), tx);
        // Whether answered, timed out or dropped half-way (a request given up on), the request
        // leaves the waiting list.
        let _gone = Registered {
            waiting: &self.waiting,
            id,
        };
        self.sender.lock().await.send(m, wait).await?;
        tokio::time::timeout(wait, rx)
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or(LineError::NoAnswer {
                seconds: wait.as_secs(),
            })
    }
}

impl<A, K> Line<A, A, K>
where
    A: Message + DeserializeOwned + Send + 'static,
    K: Eq + Hash + Clone + Send + 'static,
{
    /// A line whose one kind of answer comes on `subject` (the subject the request names for
    /// its answer, as a SIAK lookup does), in `region` (none: every region).
    pub fn answered_on(
        broker: Broker,
        app: &str,
        subject: &str,
        region: Option<&str>,
        id_of: fn(&A) -> K,
        shutdown: Shutdown,
    ) -> Result<Self, LineError> {
        let bindings = vec![RoutingKey::binding(subject, region)?];
        Ok(Self::bound(broker, app, bindings, id_of, id_of, shutdown))
    }
}

/// A request on the waiting list, taken off it when dropped.
struct Registered<'a, Yes, No, K: Eq + Hash> {
    waiting: &'a Waiting<Yes, No, K>,
    id: K,
}

impl<Yes, No, K: Eq + Hash> Drop for Registered<'_, Yes, No, K> {
    fn drop(&mut self) {
        if let Ok(mut w) = self.waiting.lock() {
            w.remove(&self.id);
        }
    }
}

/// The listening half: hands each answer to its waiting request.
struct Ears<Yes, No, K> {
    broker: Broker,
    bindings: Vec<String>,
    waiting: Arc<Waiting<Yes, No, K>>,
    id_of_yes: fn(&Yes) -> K,
    id_of_no: fn(&No) -> K,
    ready: watch::Sender<bool>,
}

impl<Yes, No, K> Ears<Yes, No, K>
where
    Yes: Message + DeserializeOwned + Send + 'static,
    No: Message + DeserializeOwned + Send + 'static,
    K: Eq + Hash + Clone + Send + 'static,
{
    async fn listen(self, shutdown: Shutdown) {
        let mut delay = Duration::from_millis(100);
        loop {
            let result = tokio::select! {
                () = shutdown.cancelled() => return,
                r = self.listen_once() => r,
            };
            self.ready.send_replace(false);
            if let Err(e) = result {
                tracing::warn!(error = %e, ?delay, "a desk lost the broker; listening again");
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(delay) => {}
            }
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }

    async fn listen_once(&self) -> Result<(), ListenError> {
        let channel = self.broker.channel().await?;
        Topology::default().declare_exchanges(&channel).await?;
        let mut deliveries = listen(&channel, &self.bindings).await?;
        self.ready.send_replace(true);
        while let Some(delivery) = deliveries.next().await {
            let d = delivery?;
            let kind = d.properties.kind().as_ref().map(|k| k.to_string());
            self.hand_over(kind.as_deref().unwrap_or_default(), &d.data);
        }
        Err(ListenError::Closed)
    }

    /// Gives the answer in `bytes`, of type `kind`, to the request waiting for it, if any
    /// (answers to other desks' requests pass by).
    fn hand_over(&self, kind: &str, bytes: &[u8]) {
        let answer = if kind == Yes::message_type() {
            serde_json::from_slice::<Yes>(bytes)
                .ok()
                .map(|y| ((self.id_of_yes)(&y), Ok(y)))
        } else if kind == No::message_type() {
            serde_json::from_slice::<No>(bytes)
                .ok()
                .map(|n| ((self.id_of_no)(&n), Err(n)))
        } else {
            None
        };
        if let Some((id, answer)) = answer
            && let Some(tx) = self.waiting.lock().expect("not poisoned").remove(&id)
        {
            let _ = tx.send(answer);
        }
    }
}

/// A queue of the desk's own on `channel` (exclusive: gone with the connection), bound to
/// `bindings` on the exchange, and its deliveries (acknowledged on arrival: an answer lost
/// with the connection is asked for again).
pub async fn listen(
    channel: &lapin::Channel,
    bindings: &[String],
) -> Result<lapin::Consumer, lapin::Error> {
    let q = channel
        .queue_declare(
            "".into(),
            QueueDeclareOptions {
                exclusive: true,
                auto_delete: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await?;
    for b in bindings {
        channel
            .queue_bind(
                q.name().as_str().into(),
                ktpel_bus::topology::EXCHANGE.into(),
                b.as_str().into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    channel
        .basic_consume(
            q.name().as_str().into(),
            "desk".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
}

#[derive(Debug, thiserror::Error)]
enum ListenError {
    #[error(transparent)]
    Bus(#[from] ktpel_bus::BusError),
    #[error(transparent)]
    Amqp(#[from] lapin::Error),
    #[error("the broker closed the desk's queue")]
    Closed,
}
