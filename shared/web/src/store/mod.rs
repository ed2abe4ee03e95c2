//! The account store: one per site, in a database of its own (`desks.database`), so that every
//! desk of the site signs in against the same accounts.

pub mod akun;
pub mod jejak;
mod migration;

pub use migration::Migrator;
