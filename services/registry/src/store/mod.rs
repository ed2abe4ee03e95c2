//! The registry's own tables.

pub mod kartu_keluarga;
mod migration;
pub mod penduduk;
pub mod perubahan;

pub use migration::Migrator;
