//! The registry's own tables.

pub mod antrian;
pub mod kartu_keluarga;
mod migration;
pub mod pendatang;
pub mod penduduk;
pub mod perubahan;
pub mod pindah_keluar;

pub use migration::Migrator;
