//! S20 offline backup bundles (SOP.md S20.1–S20.3; S02.6 and S03 back up through them).
//!
//! A site that cannot reach an online Server AFIS writes its unsent enrollments as one file
//! for removable media ([`bundle::seal`]): signed with the site's Ed25519 key, encrypted
//! (HPKE) for the bundle key of the Server AFIS that will import it. The Server AFIS opens it
//! ([`bundle::open`]) only from a site it trusts ([`TrustedSites`]), made for it, unexpired
//! and unaltered; otherwise it refuses the whole file with the reason and imports nothing.
//!
//! Keys ([`SiteKeys`]) live in one key file per site, created on first use; only public
//! halves are printed.

pub mod bundle;
pub mod keys;
pub mod trust;

pub use bundle::{BundleError, Header, Opened, SealError, open, peek, seal};
pub use keys::{KeyError, PublicKey, SiteKeys};
pub use trust::{TrustError, TrustedSites};
