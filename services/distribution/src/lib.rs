//! distribution — S22, the printed KTP-el on its way to the resident.
//!
//! A card approved at card-print arrives as `card.printed` (S22.1). At the desk ([`desk`]) the
//! petugas_distribusi groups the cards by kecamatan and desa/kelurahan (S22.2) into batches,
//! each with a Berita Acara Serah Terima listing them (S22.3; a page at the desk, and a PDF made again
//! from the stored batch by [`berita_acara::pdf`]); the cards are
//! then `CARD_SHIPPED`. The kecamatan's ppp confirms receipt of the batch, tells the residents
//! to collect, and hands each card over against a tanda terima (S22.4) — `CARD_ACTIVATED` —
//! keeping the tanda terima in the archive (S22.5).

pub mod berita_acara;
pub mod config;
pub mod desk;
pub mod distribusi;
pub mod handlers;
pub mod startup;
pub mod store;

pub use config::DistributionSettings;
pub use startup::Distribution;

pub const SERVICE: &str = "distribution";
