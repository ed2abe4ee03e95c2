//! Builds the running distribution service from its settings.

use crate::{DistributionSettings, SERVICE, handlers::DistributionHandler, store::Migrator};
use ktpel_bus::{Broker, BusError, QueueSpec, RoutingKey, Shutdown, Worker};
use ktpel_contract::enrollment::PRINTED;
use sea_orm::DatabaseConnection;

pub const QUEUE: &str = "distribution.cards";

pub struct Distribution {
    pub db: DatabaseConnection,
    worker: Worker<DistributionHandler>,
}

impl Distribution {
    pub async fn build(
        settings: &DistributionSettings,
        broker: Broker,
    ) -> Result<Self, ktpel_store::StoreError> {
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let binding = RoutingKey::binding(PRINTED, settings.region.as_deref())
            .expect("validated with the settings");
        let queue = QueueSpec::new(QUEUE, [binding]);
        let worker = Worker::new(
            SERVICE,
            &db,
            &broker,
            &settings.amqp,
            queue,
            DistributionHandler,
        );
        Ok(Self { db, worker })
    }

    pub async fn declare(&self) -> Result<(), BusError> {
        self.worker.declare().await
    }

    pub async fn run(self, shutdown: Shutdown) {
        self.worker.run(shutdown).await
    }
}

ktpel_site::service!(Distribution, crate::config::Own);
