//! Builds the running NID Scheduler: its queue of enrollments, the loop, and the panel.

use crate::{
    AfisSyncSettings, SERVICE, handlers,
    panel::PanelSource,
    scheduler::{Scheduler, SchedulerHandle},
    store::Migrator,
};
use ktpel_bus::{Broker, QueueSpec, Router, Shutdown, Worker};
use ktpel_site::Service;
use std::time::Duration;

/// Name of the scheduler's queue of new enrollments.
pub const QUEUE: &str = "afis_sync.enrollments";

/// A built NID Scheduler, ready to [`AfisSync::run`].
pub struct AfisSync {
    worker: Worker<Router<handlers::AfisSync>>,
    scheduler: Scheduler,
    panel: PanelSource,
}

impl AfisSync {
    /// As [`AfisSync::build`] with an explicit Pusat Data broker (tests put a proxy there).
    pub async fn build_with(
        settings: &AfisSyncSettings,
        broker: Broker,
        pusat_data: Broker,
    ) -> Result<Self, ktpel_store::StoreError> {
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let router = handlers::router(crate::config::served_region(settings));
        let queue = QueueSpec::new(QUEUE, router.bindings());
        let worker = Worker::new(SERVICE, &db, &broker, &settings.amqp, queue, router);
        let scheduler = Scheduler::new(
            db.clone(),
            pusat_data.clone(),
            settings.own.co_relation(),
            Duration::from_secs(settings.own.interval_seconds),
            settings.own.batch,
        );
        let panel = PanelSource {
            mode: settings.own.mode,
            co_relation_id: settings.own.co_relation().to_string(),
            db: db.clone(),
            local: broker,
            pusat_data,
            scheduler: scheduler.handle(),
        };
        Ok(Self {
            worker,
            scheduler,
            panel,
        })
    }

    /// The panel (cheap to clone; measures when asked).
    pub fn panel(&self) -> PanelSource {
        self.panel.clone()
    }

    pub fn scheduler(&self) -> SchedulerHandle {
        self.scheduler.handle()
    }
}

impl Service for AfisSync {
    type Own = crate::config::Own;
    type Handler = Router<handlers::AfisSync>;
    type Error = ktpel_store::StoreError;

    /// `broker` is the site's broker; the Pusat Data's is `pusat_data_amqp_url` (or the same).
    async fn build(settings: &AfisSyncSettings, broker: Broker) -> Result<Self, Self::Error> {
        let pusat_data = match &settings.own.pusat_data_amqp_url {
            Some(urls) => Broker::new(urls, format!("{SERVICE}-pusat-data")),
            None => broker.clone(),
        };
        Self::build_with(settings, broker, pusat_data).await
    }

    fn worker(&self) -> &Worker<Self::Handler> {
        &self.worker
    }

    /// Runs the queue's consumer, its relay and the scheduler until `shutdown`.
    async fn run(self, shutdown: Shutdown) {
        let scheduler = tokio::spawn(self.scheduler.run(shutdown.clone()));
        self.worker.run(shutdown).await;
        let _ = scheduler.await;
    }
}
