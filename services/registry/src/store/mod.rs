//! The registry's own tables.

mod migration;
pub mod penduduk;

pub use migration::Migrator;
