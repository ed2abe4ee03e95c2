//! Intake's own tables: the berkas, the buku harian, the timeline of each berkas.

pub mod berkas;
pub mod buku_harian;
mod migration;
pub mod pending;
pub mod timeline;

pub use migration::Migrator;
