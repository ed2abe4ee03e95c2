//! Builds the running Pusat Data from its settings.

use crate::{PusatDataSettings, SERVICE, handlers::PusatDataHandler, store::Migrator};
use ktpel_bus::{Broker, BusError, QueueSpec, RoutingKey, Shutdown, Topology, Worker};
use ktpel_contract::{enrollment::TO_PUSAT_DATA, registry::PINDAH_KELUAR};
use sea_orm::DatabaseConnection;

/// Name of the Pusat Data's queue of enrollments (the NID Schedulers' destination).
pub const QUEUE: &str = "pusat_data.enrollment";

pub struct PusatData {
    pub db: DatabaseConnection,
    worker: Worker<PusatDataHandler>,
}

impl PusatData {
    pub async fn build(
        settings: &PusatDataSettings,
        broker: Broker,
    ) -> Result<Self, ktpel_store::StoreError> {
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        // The NID Schedulers' records, and the families the Dinas hand over to each other (S18).
        let bindings = [TO_PUSAT_DATA, PINDAH_KELUAR]
            .map(|s| RoutingKey::binding(s, None).expect("a valid subject"));
        let handler = PusatDataHandler {
            exchange: Topology::default().exchange,
            duplicate_min_fingers: settings.own.duplicate_min_fingers,
        };
        let queue = QueueSpec::new(QUEUE, bindings);
        let worker = Worker::new(SERVICE, &db, &broker, &settings.amqp, queue, handler);
        Ok(Self { db, worker })
    }

    pub async fn declare(&self) -> Result<(), BusError> {
        self.worker.declare().await
    }

    pub async fn run(self, shutdown: Shutdown) {
        self.worker.run(shutdown).await
    }
}

ktpel_site::service!(PusatData, crate::config::Own);
