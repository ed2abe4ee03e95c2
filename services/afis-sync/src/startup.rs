//! Builds the running NID Scheduler: its queue of enrollments, the loop, and the panel.

use crate::{
    AfisSyncSettings, SERVICE,
    handlers::AfisSyncHandler,
    panel::PanelSource,
    scheduler::{Scheduler, SchedulerHandle},
    store::Migrator,
};
use ktpel_bus::{Broker, BusError, QueueSpec, RoutingKey, Shutdown, Worker};
use ktpel_contract::enrollment::CREATED;
use sea_orm::DatabaseConnection;
use std::time::Duration;

/// Name of the scheduler's queue of new enrollments.
pub const QUEUE: &str = "afis_sync.enrollments";

/// A built NID Scheduler, ready to [`AfisSync::run`].
pub struct AfisSync {
    pub db: DatabaseConnection,
    worker: Worker<AfisSyncHandler>,
    scheduler: Scheduler,
    panel: PanelSource,
}

impl AfisSync {
    /// `broker` is the site's broker; the Pusat Data's is `pusat_data_amqp_url` (or the same).
    pub async fn build(
        settings: &AfisSyncSettings,
        broker: Broker,
    ) -> Result<Self, ktpel_store::StoreError> {
        let pusat_data = match &settings.own.pusat_data_amqp_url {
            Some(url) => Broker::new(url, format!("{SERVICE}-pusat-data")),
            None => broker.clone(),
        };
        Self::build_with(settings, broker, pusat_data).await
    }

    /// As [`AfisSync::build`] with an explicit Pusat Data broker (tests put a proxy there).
    pub async fn build_with(
        settings: &AfisSyncSettings,
        broker: Broker,
        pusat_data: Broker,
    ) -> Result<Self, ktpel_store::StoreError> {
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        // Enrollments of the region it serves (a Dinas's Server AFIS takes its kecamatan's).
        let binding = RoutingKey::binding(CREATED, Some(crate::config::served_region(settings)))
            .expect("validated with the settings");
        let queue = QueueSpec::new(QUEUE, [binding]);
        let worker = Worker::new(
            SERVICE,
            &db,
            &broker,
            &settings.amqp,
            queue,
            AfisSyncHandler,
        );
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
            db,
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

    /// Declares the queue of new enrollments.
    pub async fn declare(&self) -> Result<(), BusError> {
        self.worker.declare().await
    }

    /// Runs the queue's consumer, its relay and the scheduler until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) {
        let scheduler = tokio::spawn(self.scheduler.run(shutdown.clone()));
        self.worker.run(shutdown).await;
        let _ = scheduler.await;
    }
}

ktpel_site::service!(AfisSync, crate::config::Own);
