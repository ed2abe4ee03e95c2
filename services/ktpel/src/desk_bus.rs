//! What a desk or a station outside the services needs of the bus: publish one message,
//! confirmed, the way every service publishes (`ktpel intake submit`, `ktpel enroll capture`),
//! and, for a desk that waits for the answer, listen for it on a queue of its own.

use futures_util::StreamExt;
use ktpel_bus::{
    Broker, Outgoing, Topology,
    publisher::{Publication, Publisher},
};
use lapin::{
    Channel,
    options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions},
    types::FieldTable,
};
use std::time::Duration;

/// Publishes `msg` to the `ktpel` exchange of the broker in the `ktpel` settings and waits
/// for the broker's confirm.
pub async fn publish(app: &str, msg: &Outgoing) -> Result<(), String> {
    publish_then(app, msg, None, |_, _| None::<()>)
        .await
        .map(|_| ())
}

/// A desk's wait for an answer: the routing-key patterns it arrives under, and how long.
pub struct Answer<'a> {
    pub bindings: &'a [String],
    pub timeout: Duration,
}

/// Publishes `msg` and, when `answer` is given, waits for the first message under its
/// bindings that `pick` (given the message type and body) recognises as the answer. The
/// desk's queue is the broker's: exclusive and gone with the connection, declared and bound
/// before the message goes out so the answer cannot be missed.
pub async fn publish_then<T>(
    app: &str,
    msg: &Outgoing,
    answer: Option<Answer<'_>>,
    pick: impl Fn(&str, &[u8]) -> Option<T>,
) -> Result<Option<T>, String> {
    let amqp = ktpel_settings::load::<crate::run::Process>("ktpel")
        .map_err(|e| e.to_string())?
        .amqp;
    let broker = Broker::new(&amqp.url, app.to_owned());
    let result = async {
        let channel = broker.channel().await.map_err(|e| e.to_string())?;
        let topology = Topology::default();
        topology
            .declare_exchanges(&channel)
            .await
            .map_err(|e| e.to_string())?;
        let listening = match &answer {
            Some(a) => Some(listen(&channel, &topology.exchange, a.bindings).await?),
            None => None,
        };
        let publisher = Publisher::new(channel, app)
            .await
            .map_err(|e| e.to_string())?;
        publisher
            .publish(&Publication {
                exchange: &topology.exchange,
                routing_key: msg.routing_key.as_str(),
                message_id: msg.message_id,
                correlation_id: &msg.correlation_id,
                message_type: &msg.message_type,
                headers: &msg.headers,
                body: &msg.body,
            })
            .await
            .map_err(|e| e.to_string())?;
        let (Some(mut consumer), Some(a)) = (listening, answer) else {
            return Ok(None);
        };
        let wait = async {
            while let Some(Ok(d)) = consumer.next().await {
                let kind = d.properties.kind().as_ref().map(|k| k.to_string());
                if let Some(found) = pick(kind.as_deref().unwrap_or_default(), &d.data) {
                    return Some(found);
                }
            }
            None
        };
        tokio::time::timeout(a.timeout, wait)
            .await
            .map_err(|_| format!("no answer within {}s", a.timeout.as_secs()))
    }
    .await;
    broker.close().await;
    result
}

async fn listen(
    channel: &Channel,
    exchange: &str,
    bindings: &[String],
) -> Result<lapin::Consumer, String> {
    let e = |e: lapin::Error| format!("listening for the answer: {e}");
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
        .await
        .map_err(e)?;
    for b in bindings {
        channel
            .queue_bind(
                q.name().as_str().into(),
                exchange.into(),
                b.as_str().into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(e)?;
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
        .map_err(e)
}
