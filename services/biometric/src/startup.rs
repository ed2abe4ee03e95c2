//! Builds the running biometric service from its settings.

use crate::{BiometricSettings, SERVICE, handlers, store::Migrator};
use ktpel_bus::{Broker, Mailbox, QueueSpec, Router, RoutingKey, Shutdown, Worker};
use ktpel_contract::enrollment::REFUSED;
use ktpel_site::Service;

/// Name of the biometric service's queue.
pub const QUEUE: &str = "biometric.operator";

/// Where refusals of a capture (`enrollment.refused`) wait for a station that did not stay to
/// listen: a bounded [`Mailbox`].
pub const STATION_ANSWERS: &str = "biometric.station_answers";

/// Why the service could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Store(#[from] ktpel_store::StoreError),
    #[error(transparent)]
    Key(#[from] crate::seal::SealError),
}

/// A built biometric service, ready to [`Service::run`].
pub struct Biometric {
    worker: Worker<Router<handlers::Biometric>>,
}

impl Service for Biometric {
    type Own = crate::config::Own;
    type Handler = Router<handlers::Biometric>;
    type Error = BuildError;

    async fn build(settings: &BiometricSettings, broker: Broker) -> Result<Self, BuildError> {
        let key = settings.own.seal_key()?;
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let region = settings.region.as_deref();
        let router = handlers::router(region, settings.own.stations, key);
        let queue = QueueSpec::new(QUEUE, router.bindings());
        let refusals = Mailbox {
            name: STATION_ANSWERS.into(),
            bindings: vec![RoutingKey::binding(REFUSED, region).expect("validated")],
        };
        let worker = Worker::new(SERVICE, &db, &broker, &settings.amqp, queue, router)
            .with_mailbox(refusals);
        Ok(Self { worker })
    }

    fn worker(&self) -> &Worker<Self::Handler> {
        &self.worker
    }

    async fn run(self, shutdown: Shutdown) {
        self.worker.run(shutdown).await
    }
}
