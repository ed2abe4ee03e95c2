//! The KTP-el domain, with no I/O: the types every service agrees on.
//!
//! - [`nik`]: the 16-digit population number, parsed and validated (region, birth date, sex,
//!   serial), so a [`Nik`] value is valid by construction;
//! - [`wilayah`]: the Kepmendagri region codes (kode wilayah), the current list and earlier
//!   editions, compiled in and loaded once;
//! - [`status`]: the card status words operators know (`SFE`, `PRR`, …) and which may follow
//!   which;
//! - [`sop`]: the SOP catalogue S01–S22 as data — what the desk must receive and the route of
//!   the berkas.

pub mod biodata;
pub mod nik;
pub mod sop;
pub mod status;
pub mod wilayah;

pub use nik::{JenisKelamin, Nik, NikError};
pub use sop::{Dokumen, SopId};
pub use status::StatusKartu;
pub use wilayah::{KodeWilayah, Wilayah};
