//! pusat-data — the national data centre (Pusat Data) as far as the KTP-el needs it.
//!
//! It receives enrollments from the NID Schedulers of the sites (S19), records the card
//! status per NIK — `SFE` on arrival — deduplicates ([`dedup`]), and answers `PRR` (print
//! ready) or `DUPLICATE_RECORD` back to the Dinas as `card.status` events.
//!
//! The deduplication here is an honest first one: identical fingerprint templates under
//! another NIK. The real 1:N biometric matcher (scores, thresholds, irises) comes later.

pub mod config;
pub mod dedup;
pub mod handlers;
pub mod startup;
pub mod store;

pub use config::PusatDataSettings;
pub use startup::PusatData;

/// The service's name: AMQP app id, connection name, default database file.
pub const SERVICE: &str = "pusat-data";
