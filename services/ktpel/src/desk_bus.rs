//! What a desk or a station outside the services needs of the bus: publish one message,
//! confirmed, the way every service publishes (`ktpel intake submit`, `ktpel enroll capture`),
//! and, for a desk that waits for the answer, listen for it on a queue of its own.

use futures_util::StreamExt;
use ktpel_bus::{
    Broker, Message, Outgoing, RoutingKey, Topology,
    publisher::{Publication, Publisher},
};
use lapin::{
    Channel,
    options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions},
    types::FieldTable,
};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Publishes `msg` to the `ktpel` exchange of the broker in the `ktpel` settings and waits
/// for the broker's confirm.
pub async fn publish(app: &str, msg: &Outgoing) -> Result<(), String> {
    publish_then(app, msg, None, |_, _| None::<()>)
        .await
        .map(|_| ())
}

/// A desk's wait for an answer: the routing-key patterns it arrives under, and how long.
struct Answer<'a> {
    bindings: &'a [String],
    timeout: Duration,
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
) -> Result<Result<Yes, No>, String>
where
    Yes: Message + DeserializeOwned,
    No: Message + DeserializeOwned,
{
    let bindings = [Yes::KIND, No::KIND]
        .map(|s| RoutingKey::binding(s, Some(region)).map_err(|e| e.to_string()))
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let answer = Answer {
        bindings: &bindings,
        timeout: wait,
    };
    publish_then(app, msg, Some(answer), |kind, bytes| {
        if kind == Yes::message_type() {
            let y: Yes = serde_json::from_slice(bytes).ok()?;
            ours_yes(&y).then_some(Ok(y))
        } else if kind == No::message_type() {
            let n: No = serde_json::from_slice(bytes).ok()?;
            ours_no(&n).then_some(Err(n))
        } else {
            None
        }
    })
    .await?
    .ok_or_else(|| "the broker closed the desk's queue before the answer came".to_owned())
}

async fn publish_then<T>(
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
            .publish(&Publication::of(&topology.exchange, msg))
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
