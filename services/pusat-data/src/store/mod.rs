//! The Pusat Data's own tables.

pub mod adjudikasi;
pub mod kartu;
mod migration;
pub mod rekaman;
pub mod sidik_jari;

pub use migration::Migrator;
