//! The biometric service's own tables.

pub mod enrollment;
mod migration;
pub mod operator_inbox;
pub mod recapture;

pub use migration::Migrator;
