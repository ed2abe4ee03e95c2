//! registry — the population register (SIAK, Sistem Informasi Administrasi Kependudukan).
//!
//! Residents by NIK with their biodata and KK number. Other services ask it "is this NIK
//! registered, and with what data?" over the bus ([`handlers::lookup`]): a lookup message in,
//! an answer message out through the outbox, on the subject the asker named. [`seed`] loads a
//! realistic synthetic population — valid NIKs in real kecamatan, families sharing a KK — so
//! the other procedures can be tried without real personal data.
//!
//! Not yet here: recording and correcting biodata (S04–S07, S13/S14), arrivals (S15–S18),
//! printing the KK, publishing changes as events.

pub mod config;
pub mod handlers;
pub mod seed;
pub mod startup;
pub mod store;

pub use config::RegistrySettings;
pub use startup::Registry;

/// The service's name: AMQP app id, connection name, default database file.
pub const SERVICE: &str = "registry";
