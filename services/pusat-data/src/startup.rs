//! Builds the running Pusat Data from its settings.

use crate::{PusatDataSettings, SERVICE, gallery::Galeri, handlers, store::Migrator};
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
        let galeri = Galeri::load(&db, settings.own.thresholds())
            .await
            .map_err(ktpel_store::StoreError::Read)?;
        let router = handlers::router(settings.own.duplicate_min_fingers, galeri);
        let queue = QueueSpec::new(QUEUE, router.bindings());
        // One enrollment at a time: each must be identified against every one before it,
        // also one that arrived a moment earlier.
        let mut amqp = settings.amqp.clone();
        if amqp.partitions > 1 {
            tracing::debug!(
                partitions = amqp.partitions,
                "the Pusat Data identifies one enrollment at a time: amqp.partitions is 1 here"
            );
            amqp.partitions = 1;
        }
        let worker = Worker::new(SERVICE, &db, &broker, &amqp, queue, router);
        Ok(Self { worker })
    }

    fn worker(&self) -> &Worker<Self::Handler> {
        &self.worker
    }

    async fn run(self, shutdown: Shutdown) {
        self.worker.run(shutdown).await
    }
}
