//! The messaging tables every service carries (see [`crate::migrations::BusTables`]).

pub mod inbox;
pub mod outbox;
