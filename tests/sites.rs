//! Sites on brokers of their own, linked by RabbitMQ shovels: least privilege between sites.

use ktpel_bus::{
    Broker, Outgoing, RoutingKey,
    publisher::{Publication, Publisher},
};
use ktpel_site::{Site, link::downlink_queue};
use ktpel_tests::{TestVhost, sites};

#[derive(serde::Serialize, serde::Deserialize)]
struct Probe {
    sent_by: String,
}

impl ktpel_bus::Message for Probe {
    const KIND: &'static str = "test.probe";
    const VERSION: u16 = 1;
}

/// A message as a site would send it to its parent.
fn message(subject: &str, region: &str) -> Outgoing {
    let key = RoutingKey::regional(subject, region).unwrap();
    let probe = Probe {
        sent_by: "32.73.01".into(),
    };
    Outgoing::new(&probe, key, "t", "t").unwrap()
}

/// Publishes `m` as `broker`'s user and waits for the confirm; the error if the broker refused.
async fn publish(broker: &Broker, m: &Outgoing) -> Result<(), String> {
    let ch = broker.channel().await.map_err(|e| e.to_string())?;
    let publisher = Publisher::new(ch, "test")
        .await
        .map_err(|e| e.to_string())?;
    publisher
        .publish(&Publication::of("ktpel", m))
        .await
        .map_err(|e| e.to_string())
}

/// Reads one message from `queue` as `broker`'s user; the error if the broker refused.
async fn read(broker: &Broker, queue: &str) -> Result<(), String> {
    let ch = broker.channel().await.map_err(|e| e.to_string())?;
    ch.basic_get(
        queue.into(),
        lapin::options::BasicGetOptions { no_ack: false },
    )
    .await
    .map(|_| ())
    .map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kecamatan_may_not_publish_or_read_for_another() {
    ktpel_tests::telemetry();
    let dinas = TestVhost::new();
    let sukasari: Site = "kecamatan:32.73.01".parse().unwrap();
    let coblong: Site = "kecamatan:32.73.02".parse().unwrap();
    let user = sites::grant(&dinas, &sukasari).await;
    let _other = sites::grant(&dinas, &coblong).await;
    let as_sukasari = || Broker::new(dinas.url_as(&user.name, &user.password), "sukasari");

    // What goes up from its own region is let through …
    let b = as_sukasari();
    publish(&b, &message("registry.lookup", "32.73.01"))
        .await
        .expect("its own SIAK lookup");
    publish(&b, &message("enrollment.created", "32.73.01.1001"))
        .await
        .expect("its own enrollment, down to the desa");
    read(&b, &downlink_queue(&sukasari))
        .await
        .expect("its own downlink queue");
    b.close().await;

    // … anything in another kecamatan's name, or that does not go up, is refused by the broker.
    for (subject, region) in [
        ("berkas.submitted", "32.73.02"),
        ("registry.lookup", "32.73.02"),
        ("enrollment.created", "32.73.02"),
        ("berkas.submitted", "32.73.01"),
        ("card.status", "32.73.01"),
    ] {
        let b = as_sukasari();
        let refused = publish(&b, &message(subject, region)).await;
        b.close().await;
        let e = refused.expect_err(&format!("{subject}.{region} must be refused"));
        assert!(e.contains("ACCESS_REFUSED"), "{subject}.{region}: {e}");
    }
    for queue in [
        downlink_queue(&coblong),
        ktpel_intake::startup::QUEUE.to_owned(),
    ] {
        let b = as_sukasari();
        let refused = read(&b, &queue).await;
        b.close().await;
        let e = refused.expect_err(&format!("reading {queue} must be refused"));
        assert!(e.contains("ACCESS_REFUSED"), "{queue}: {e}");
    }
}
