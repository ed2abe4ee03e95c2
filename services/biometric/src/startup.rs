//! Builds the running biometric service from its settings.

use crate::{BiometricSettings, SERVICE, handlers::BiometricHandler, store::Migrator};
use ktpel_bus::{Broker, BusError, Mailbox, QueueSpec, RoutingKey, Shutdown, Topology, Worker};
use ktpel_contract::enrollment::{CAPTURED, CARD_STATUS, REFUSED};
use ktpel_domain::sop::Desk;
use sea_orm::DatabaseConnection;

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

/// A built biometric service, ready to [`Biometric::run`].
pub struct Biometric {
    pub db: DatabaseConnection,
    worker: Worker<BiometricHandler>,
}

impl Biometric {
    pub async fn build(settings: &BiometricSettings, broker: Broker) -> Result<Self, BuildError> {
        let key = settings.own.seal_key()?;
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let region = settings.region.as_deref();
        let mut bindings = vec![
            // S01.4–S01.6: the station's capture.
            RoutingKey::binding(CAPTURED, region),
            // S02.6/S20: the Pusat Data has the record once its card status comes back.
            RoutingKey::binding(CARD_STATUS, region),
        ];
        // The berkas at its stations: from the ppp (S01.3) or from SIAK (S04.4).
        for subject in settings.own.stations.subjects(Desk::Perekaman) {
            bindings.push(RoutingKey::binding(&subject, region));
        }
        let bindings: Vec<String> = bindings
            .into_iter()
            .map(|b| b.expect("validated with the settings"))
            .collect();
        let handler = BiometricHandler {
            exchange: Topology::default().exchange,
            key,
        };
        let queue = QueueSpec::new(QUEUE, bindings);
        let refusals = Mailbox {
            name: STATION_ANSWERS.into(),
            bindings: vec![RoutingKey::binding(REFUSED, region).expect("validated")],
        };
        let worker = Worker::new(SERVICE, &db, &broker, &settings.amqp, queue, handler)
            .with_mailbox(refusals);
        Ok(Self { db, worker })
    }

    /// Declares the service's queue (start-up, before it reports ready).
    pub async fn declare(&self) -> Result<(), BusError> {
        self.worker.declare().await
    }

    /// Runs the consumer and the relay until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) {
        self.worker.run(shutdown).await
    }
}

ktpel_site::service!(Biometric, crate::config::Own);
