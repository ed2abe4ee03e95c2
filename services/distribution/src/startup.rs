//! Builds the running distribution service from its settings.

use crate::{DistributionSettings, handlers, store::Migrator};
use ktpel_bus::{Broker, QueueSpec, Router, Shutdown, Worker};
use ktpel_site::Service;

pub const QUEUE: &str = "distribution.cards";

/// A built distribution service, ready to [`Service::run`].
pub struct Distribution {
    worker: Worker<Router<handlers::Distribution>>,
}

impl Service for Distribution {
    type Own = crate::config::Own;
    type Handler = Router<handlers::Distribution>;
    type Error = ktpel_store::StoreError;

    async fn build(settings: &DistributionSettings, broker: Broker) -> Result<Self, Self::Error> {
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let router = handlers::router(settings.region.as_deref());
        let queue = QueueSpec::new(QUEUE, router.bindings());
        let worker = Worker::new(crate::SERVICE, &db, &broker, &settings.amqp, queue, router);
        Ok(Self { worker })
    }

    fn worker(&self) -> &Worker<Self::Handler> {
        &self.worker
    }

    async fn run(self, shutdown: Shutdown) {
        self.worker.run(shutdown).await
    }
}
