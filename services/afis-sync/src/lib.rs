//! afis-sync — the NID Scheduler of S19, on the Server AFIS of a kecamatan or Dinas.
//!
//! New enrollments (`enrollment.created`) land in the scheduler's own queue table
//! ([`store::outbound`]), so that nothing is lost while the Pusat Data is unreachable. The
//! [`scheduler`] drains that table to the Pusat Data — on its interval and on demand — each
//! record confirmed by the Pusat Data's broker before it counts as sent, and each carrying a
//! fixed message id so that a re-send after a lost confirm is recognised there: nothing is
//! lost, nothing is sent twice.
//!
//! Its [`panel`] is the window S19.4–S19.5 tells the operator to check: Mode, Database,
//! Co-Relation Id, MQ, Scheduler Current Status, and No. of Records sent after Restart (with
//! the total since install beside it), plus the link checks of S19.1–S19.3.
//!
//! An offline site's enrollments can also arrive on removable media (S20): [`import`] checks
//! a backup bundle and queues its records here, and the scheduler sends them like the rest.

pub mod config;
pub mod handlers;
pub mod import;
pub mod ops;
pub mod panel;
pub mod scheduler;
pub mod startup;
pub mod store;

pub use config::AfisSyncSettings;
pub use startup::AfisSync;

/// The service's name: AMQP app id, connection name, default database file.
pub const SERVICE: &str = "afis-sync";
