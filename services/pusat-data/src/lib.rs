//! pusat-data — the national data centre (Pusat Data) as far as the KTP-el needs it.
//!
//! It receives enrollments from the NID Schedulers of the sites (S19), records the card
//! status per NIK — `SFE` on arrival — deduplicates ([`dedup`]), and answers `PRR` (print
//! ready) or `DUPLICATE_RECORD` back to the Dinas as `card.status` events.
//!
//! The deduplication identifies both index fingers of every enrollment 1:N against every
//! enrollment on record ([`gallery`], [`dedup`]); what the matcher cannot decide goes to an
//! adjudicator ([`adjudication`], the `/adjudikasi` desk), whose decision sends the verdict.

pub mod adjudication;
pub mod adjudikasi;
pub mod config;
pub mod dedup;
pub mod gallery;
pub mod handlers;
pub mod startup;
pub mod store;
pub mod verdict;

pub use config::PusatDataSettings;
pub use startup::PusatData;

/// The service's name: AMQP app id, connection name, default database file.
pub const SERVICE: &str = "pusat-data";
