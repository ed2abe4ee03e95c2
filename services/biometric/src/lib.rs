//! biometric — the back end of the enrollment (perekaman) station.
//!
//! The berkas arrives from the ppp on the routing slip and waits in the operator's inbox
//! (S01.3). The station's capture — photo, signature, ten fingerprints and two irises as
//! templates with quality scores, the 1:1 check of both index fingers, the resident's
//! electronic signature, and the operator's own fingerprint sign-off (S01.4–S01.6) — arrives
//! as `enrollment.captured` (no device exists here; the capture arrives as data). It is
//! checked ([`checks`]); a capture that fails any check is refused with every reason and
//! nothing is stored. An accepted one is sealed with AES-256-GCM ([`seal`]) and stored, a
//! bukti perekaman number is issued, the record goes to the NID Scheduler
//! (`enrollment.created`), and the berkas goes back to the ppp (S01.7).
//!
//! Offline (S02, S03): the records wait at the site until its link returns, and [`backup`]
//! writes those the Pusat Data does not have yet as an S20 bundle for removable media; a
//! record counts as sent only when its card status comes back from the Pusat Data.

pub mod backup;
pub mod checks;
pub mod config;
pub mod handlers;
pub mod papers;
pub mod perekaman;
pub mod scanned;
pub mod seal;
pub mod startup;
pub mod station;
pub mod store;

pub use config::BiometricSettings;
pub use startup::Biometric;

/// The service's name: AMQP app id, connection name, default database file.
pub const SERVICE: &str = "biometric";
