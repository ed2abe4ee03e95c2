//! Builds the running service from its settings: database, then consumer and relay.

use crate::{IntakeSettings, handlers, store::Migrator};
use ktpel_bus::{Broker, Mailbox, QueueSpec, Router, RoutingKey, Shutdown, Worker};
use ktpel_contract::berkas::{ACCEPTED, REFUSED};
use ktpel_site::Service;

/// Name of intake's queue.
pub const QUEUE: &str = "intake.berkas";

/// Where intake's answers to the desks (`berkas.accepted`, `berkas.refused`) wait for a desk
/// that did not stay to listen: a bounded [`Mailbox`].
pub const DESK_ANSWERS: &str = "intake.desk_answers";

/// A built intake service, ready to [`Service::run`].
pub struct Intake {
    worker: Worker<Router<handlers::Intake>>,
}

impl Service for Intake {
    type Own = crate::config::Own;
    type Handler = Router<handlers::Intake>;
    type Error = ktpel_store::StoreError;

    async fn build(settings: &IntakeSettings, broker: Broker) -> Result<Self, Self::Error> {
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let region = settings.region.as_deref();
        let router = handlers::router(region, settings.own.counters);
        let queue = QueueSpec::new(QUEUE, router.bindings());
        let answers = Mailbox {
            name: DESK_ANSWERS.into(),
            bindings: [ACCEPTED, REFUSED]
                .map(|s| RoutingKey::binding(s, region).expect("validated with the settings"))
                .to_vec(),
        };
        let worker = Worker::new(crate::SERVICE, &db, &broker, &settings.amqp, queue, router)
            .with_mailbox(answers);
        Ok(Self { worker })
    }

    fn worker(&self) -> &Worker<Self::Handler> {
        &self.worker
    }

    async fn run(self, shutdown: Shutdown) {
        self.worker.run(shutdown).await
    }
}
