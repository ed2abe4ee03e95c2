//! Fingerprints as the Pusat Data compares them: each finger a set of minutiae (ridge endings
//! and bifurcations, where and which way), the record exchanged as ISO/IEC 19794-2.
//!
//! - [`minutia`]: a minutia and a finger's template;
//! - [`iso`]: the ISO/IEC 19794-2:2005 finger minutiae record, written and read with every
//!   fault named;
//! - [`synth`]: a synthetic population's fingers, several impressions each (rotated, shifted,
//!   distorted, partial, minutiae lost and spurious), for tests and benchmarks at scale;
//! - [`extract`]: a fingerprint image (PNG) to its template, with MINDTCT (NIST NBIS's
//!   detector, in pure Rust);
//! - [`pressed`]: a finger as a reader hands it over (image or record) to the record the bus
//!   carries, or why it must be pressed again;
//! - [`score`]: two templates compared with Bozorth3 (NIST NBIS's matcher, in pure Rust);
//! - [`index`]: Delaunay triangles of each template as rotation- and translation-invariant
//!   keys, so an identification compares against a shortlist, not the whole gallery;
//! - [`gallery`]: every enrollment on record, identified against by a new one (1:N), with the
//!   decision the thresholds give: a duplicate, a case for adjudication, or none.

pub mod extract;
pub mod gallery;
pub mod index;
pub mod iso;
pub mod minutia;
pub mod pressed;
pub mod score;
pub mod synth;

pub use gallery::{Decision, Gallery, Thresholds};
pub use minutia::{Finger, Kind, Minutia, Template};
