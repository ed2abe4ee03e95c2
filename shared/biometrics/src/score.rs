//! Two templates of a finger compared with Bozorth3, NIST NBIS's minutiae matcher (the
//! pure-Rust port `fprint-bozorth3`): a score that grows with the ridge structure two
//! impressions share, tolerant of rotation and translation. NBIS's own guidance reads a score
//! over 40 as a probable match; the thresholds the Pusat Data uses are settings
//! ([`crate::Thresholds`]), measured with `bench matcher`.

use crate::minutia::Template;
use fprint_bozorth3::Minutia as Xyt;

/// A template as Bozorth3 reads it: `x`, `y` and the angle in whole degrees.
pub fn xyt(t: &Template) -> Vec<Xyt> {
    t.minutiae
        .iter()
        .map(|m| Xyt {
            x: i32::from(m.x),
            y: i32::from(m.y),
            theta: i32::from(m.angle % 360),
        })
        .collect()
}

/// The Bozorth3 score of `probe` against `gallery`, both already as [`xyt`]. 0 when either
/// has too few minutiae to tell.
pub fn bozorth3(probe: &[Xyt], gallery: &[Xyt]) -> u32 {
    fprint_bozorth3::match_score(probe, gallery)
}

/// The score of two templates.
pub fn compare(probe: &Template, gallery: &Template) -> u32 {
    bozorth3(&xyt(probe), &xyt(gallery))
}
