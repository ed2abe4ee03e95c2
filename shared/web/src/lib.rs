//! The desks in the browser. Every person of the SOP works from a page of the site they work
//! at, signed in with their role:
//!
//! - [`accounts`]: the site's accounts (Argon2id hashes, a lock after repeated wrong
//!   passwords) and the record of what was done at the desks;
//! - [`session`]: sessions as signed, expiring cookies, and the CSRF token of each;
//! - [`desks`]: what every desk page stands on — the signed-in person of a request, the frame
//!   of every page, the refusals;
//! - [`signin`]: `/login`, `/logout`, `/meja`;
//! - [`answers`]: a desk that hands a berkas on over the bus and waits for the service's
//!   answer.
//!
//! The pages of each desk live with the service whose data they show (the service stays the
//! one writer of its tables) and are drawn in this crate's `layout.html`.

pub mod accounts;
pub mod akun;
pub mod anonymous;
pub mod answers;
pub mod desks;
pub mod role;
pub mod sender;
pub mod service_desk;
pub mod session;
pub mod settings;
pub mod signin;
pub mod store;
pub mod throttle;

pub use accounts::Account;
pub use desks::{Desks, Frame, Refusal, Signed, html, pdf};
pub use role::{Desk, Role};
pub use settings::DeskSettings;
