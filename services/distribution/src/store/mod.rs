//! distribution's own tables.

pub mod batch;
pub mod kartu;
mod migration;

pub use migration::Migrator;
