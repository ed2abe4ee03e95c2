//! registry — the population register (SIAK, Sistem Informasi Administrasi Kependudukan).
//!
//! Residents by NIK with their biodata and KK number. Other services ask it "is this NIK
//! registered, and with what data?" over the bus ([`handlers::lookup`]): a lookup message in,
//! an answer message out through the outbox, on the subject the asker named. [`seed`] loads a
//! realistic synthetic population — valid NIKs in real kecamatan, families sharing a KK — so
//! the other procedures can be tried without real personal data.
//!
//! The SIAK desk ([`handlers`]) records new residents (S04, S05), corrections and changes
//! (S06/S07, S13/S14) and a family's arrival (S15–S18, a new KK); [`pindah`] hands a family
//! moving to another kabupaten/kota over to its SIAK (S18).

pub mod config;
pub mod handlers;
pub mod papers;
pub mod pindah;
pub mod seed;
pub mod siak;
pub mod startup;
pub mod store;

pub use config::RegistrySettings;
pub use startup::Registry;

/// The service's name: AMQP app id, connection name, default database file.
pub const SERVICE: &str = "registry";
