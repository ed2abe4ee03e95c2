//! Builds the running service from its settings: database, then consumer and relay.

use crate::{IntakeSettings, SERVICE, handlers::IntakeHandler, store::Migrator};
use ktpel_bus::{Broker, BusError, Mailbox, QueueSpec, RoutingKey, Shutdown, Topology, Worker};
use ktpel_contract::{
    berkas::{ACCEPTED, REFUSED, SUBMITTED},
    enrollment::CARD_STATUS,
    registry::ANSWER_TO_INTAKE,
};
use ktpel_domain::sop::Desk;
use sea_orm::DatabaseConnection;

/// Name of intake's queue.
pub const QUEUE: &str = "intake.berkas";

/// Where intake's answers to the desks (`berkas.accepted`, `berkas.refused`) wait for a desk
/// that did not stay to listen: a bounded [`Mailbox`].
pub const DESK_ANSWERS: &str = "intake.desk_answers";

/// A built intake service, ready to [`Intake::run`].
pub struct Intake {
    pub db: DatabaseConnection,
    worker: Worker<IntakeHandler>,
}

impl Intake {
    /// Opens and migrates the database; nothing touches the broker until declared or run.
    pub async fn build(
        settings: &IntakeSettings,
        broker: Broker,
    ) -> Result<Self, ktpel_store::StoreError> {
        let db = ktpel_store::open::<Migrator>(&settings.database).await?;
        let region = settings.region.as_deref();
        let mut bindings = vec![
            // Berkas from the desks of this region (S01.1).
            RoutingKey::binding(SUBMITTED, region),
            // The registry answers on its own subject, whatever region this intake serves.
            RoutingKey::binding(ANSWER_TO_INTAKE, None),
            // The card's status, for the berkas's timeline.
            RoutingKey::binding(CARD_STATUS, region),
        ];
        // The berkas at its counters: back at the kecamatan's (S01.7, S05.6), at the Dinas's
        // (S05.3, S05.5).
        for subject in settings.own.counters.subjects(Desk::Loket) {
            bindings.push(RoutingKey::binding(&subject, region));
        }
        let bindings: Vec<String> = bindings
            .into_iter()
            .map(|b| b.expect("validated with the settings"))
            .collect();
        let handler = IntakeHandler {
            exchange: Topology::default().exchange,
            counters: settings.own.counters,
        };
        let queue = QueueSpec::new(QUEUE, bindings);
        let answers = Mailbox {
            name: DESK_ANSWERS.into(),
            bindings: [ACCEPTED, REFUSED]
                .map(|s| RoutingKey::binding(s, region).expect("validated with the settings"))
                .to_vec(),
        };
        let worker = Worker::new(SERVICE, &db, &broker, &settings.amqp, queue, handler)
            .with_mailbox(answers);
        Ok(Self { db, worker })
    }

    /// Declares intake's queue and the desks' mailbox on the broker (start-up, before the
    /// service reports ready).
    pub async fn declare(&self) -> Result<(), BusError> {
        self.worker.declare().await
    }

    /// Runs the consumer and the relay until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) {
        self.worker.run(shutdown).await
    }
}

ktpel_site::service!(Intake, crate::config::Own);
