//! Builds the running Pusat Data from its settings.

use crate::{PusatDataSettings, SERVICE, handlers, store::Migrator};
use ktpel_bus::{Broker, QueueSpec, Router, Shutdown, Worker};
use ktpel_site::Service;

/// Name of the Pusat Data's queue of enrollments (the NID Schedulers' destination).
pub const QUEUE: &str = "pusat_data.enrollment";

/// A built Pusat Data, ready to [`Service::run`].
pub struct PusatData {
    worker: Worker<Router<handlers::PusatData>>,
}

impl Service for PusatData {
    type Own = crate::config::Own;
    type Handler = Router<handlers::PusatData>;
    type Error = ktpel_store::StoreError;

    async fn build(settings: &PusatDataSettings, broker: Broker) -> Result<Self, Self::Error> {
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let router = handlers::router(settings.own.duplicate_min_fingers);
        let queue = QueueSpec::new(QUEUE, router.bindings());
        let worker = Worker::new(SERVICE, &db, &broker, &settings.amqp, queue, router);
        Ok(Self { worker })
    }

    fn worker(&self) -> &Worker<Self::Handler> {
        &self.worker
    }

    async fn run(self, shutdown: Shutdown) {
        self.worker.run(shutdown).await
    }
}
