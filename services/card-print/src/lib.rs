//! card-print — BCardMgmt (S21), the Dinas's card printing.
//!
//! A resident enters the print queue when three things are known: the enrollment (photo
//! digest and the two index-finger templates, from `enrollment.created`), the Pusat Data's
//! `PRR` (print ready, from `card.status`), and the biodata from SIAK (asked over the bus).
//! Then, at the desk ([`desk`]), an operator who logged in ([`operators`], passwords kept as
//! Argon2 hashes) encodes the chip ([`chip`]: the data signed with the Dinas's Ed25519 key),
//! prints the card face ([`face`], a PNG with the fields of a KTP-el), and verifies the chip
//! against the register; a kepala_seksi checks the card and approves it, and the status
//! becomes `CARD_PRINTED`, the card going on to distribution (S22).

pub mod chip;
pub mod config;
pub mod desk;
pub mod face;
pub mod handlers;
pub mod operators;
pub mod startup;
pub mod store;

pub use config::CardPrintSettings;
pub use startup::CardPrint;

/// The service's name: AMQP app id, connection name, default database file.
pub const SERVICE: &str = "card-print";
