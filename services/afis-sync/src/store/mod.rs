//! The scheduler's own tables.

pub mod bundle;
mod migration;
pub mod outbound;

pub use migration::Migrator;
