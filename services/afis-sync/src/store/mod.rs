//! The scheduler's own tables.

mod migration;
pub mod outbound;

pub use migration::Migrator;
