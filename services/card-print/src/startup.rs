//! Builds the running card-print service from its settings.

use crate::{CardPrintSettings, SERVICE, config::KeyError, handlers, store::Migrator};
use ed25519_dalek::SigningKey;
use ktpel_bus::{Broker, QueueSpec, Router, Shutdown, Worker};
use ktpel_site::Service;

pub const QUEUE: &str = "card_print.jobs";

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Store(#[from] ktpel_store::StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// A built card-print service, ready to [`Service::run`].
pub struct CardPrint {
    /// The Dinas chip-signing key, for the desk actions.
    pub key: SigningKey,
    worker: Worker<Router<handlers::CardPrint>>,
}

impl Service for CardPrint {
    type Own = crate::config::Own;
    type Handler = Router<handlers::CardPrint>;
    type Error = BuildError;

    async fn build(settings: &CardPrintSettings, broker: Broker) -> Result<Self, BuildError> {
        let key = settings.own.key()?;
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let router = handlers::router(settings.region.as_deref(), settings.own.verify_score);
        let queue = QueueSpec::new(QUEUE, router.bindings());
        let worker = Worker::new(SERVICE, &db, &broker, &settings.amqp, queue, router);
        Ok(Self { key, worker })
    }

    fn worker(&self) -> &Worker<Self::Handler> {
        &self.worker
    }

    async fn run(self, shutdown: Shutdown) {
        self.worker.run(shutdown).await
    }
}
