//! Builds the running registry from its settings.

use crate::{RegistrySettings, SERVICE, handlers, store::Migrator};
use ktpel_bus::{Broker, Mailbox, QueueSpec, Router, RoutingKey, Shutdown, Worker};
use ktpel_contract::registry::RESIDENT;
use ktpel_site::Service;

/// Name of the registry's queue.
pub const QUEUE: &str = "registry.lookup";

/// At an announcing register: a bounded [`Mailbox`] of its announcements, so that those for a
/// kecamatan that runs no node (no downlink queue takes them) do not pile up as unrouted.
pub const ANNOUNCED: &str = "registry.announced";

/// A built registry, ready to [`Service::run`].
pub struct Registry {
    worker: Worker<Router<handlers::Registry>>,
}

impl Service for Registry {
    type Own = crate::config::Own;
    type Handler = Router<handlers::Registry>;
    type Error = ktpel_store::StoreError;

    /// Opens and migrates the database; nothing touches the broker until declared or run.
    async fn build(settings: &RegistrySettings, broker: Broker) -> Result<Self, Self::Error> {
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let region = settings.region.as_deref();
        // Lookups of its region, and card statuses; the register also takes what the copies
        // could not answer and the SIAK desk's berkas, a copy the residents the register
        // announces: the list depends on the mode.
        let router = handlers::router((&settings.own).into(), region);
        let queue = QueueSpec::new(QUEUE, router.bindings());
        let mut worker = Worker::new(SERVICE, &db, &broker, &settings.amqp, queue, router);
        if settings.own.announce {
            worker = worker.with_mailbox(Mailbox {
                name: ANNOUNCED.into(),
                bindings: vec![RoutingKey::binding(RESIDENT, region).expect("validated")],
            });
        }
        Ok(Self { worker })
    }

    fn worker(&self) -> &Worker<Self::Handler> {
        &self.worker
    }

    /// Runs the consumer and the relay until `shutdown`.
    async fn run(self, shutdown: Shutdown) {
        self.worker.run(shutdown).await
    }
}
