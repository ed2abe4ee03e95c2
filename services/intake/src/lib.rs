//! intake — the ppp desk (Petugas Pendukung Pelayanan) at the kecamatan and the Dinas.
//!
//! A berkas arrives from a desk as `berkas.submitted` with its SOP id, the applicant's NIK and
//! the documents received. Intake checks the documents against the SOP's checklist and asks
//! the population register (SIAK, the registry service) whether the NIK is registered (S01.2,
//! "verifies and validates"). It then either refuses the berkas with every reason — storing
//! nothing of it — or writes it in the buku harian, gives it a number (the salinan
//! permohonan), and hands it to the next hop of the SOP's route on the routing slip (S01.3).
//! The berkas comes back to a service counter further along its route (`handed_back`): at
//! the last hop the ppp archives it and gives the bukti perekaman (S01.7–S01.8) or, for a new
//! resident, the KK (S05.6–S05.7); at a hop in between (the Dinas's counter, S05.3 and S05.5)
//! the ppp records it and hands it on. The card's status follows into the berkas's timeline
//! (S19–S22), and [`query`] answers "where is berkas X?" from intake's own tables. Each step
//! commits in one transaction with its outgoing messages (the outbox); [`handlers::router`]
//! lists what intake takes.

pub mod cek;
pub mod config;
pub mod counter;
pub mod handlers;
pub mod loket;
pub mod papers;
pub mod query;
pub mod startup;
pub mod store;

pub use config::IntakeSettings;
pub use startup::Intake;

/// The service's name: AMQP app id, connection name, default database file.
pub const SERVICE: &str = "intake";
