//! card-print's own tables.

pub mod foto;
pub mod job;
mod migration;
pub mod register;
pub mod rekaman;

pub use migration::Migrator;
