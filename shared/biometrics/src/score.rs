//! Two templates of a finger compared with Bozorth3, NIST NBIS's minutiae matcher (the
//! pure-Rust port `fprint-bozorth3`): a score that grows with the ridge structure two
//! impressions share, tolerant of rotation and translation. NBIS's own guidance reads a score
//! over 40 as a probable match; the thresholds the Pusat Data uses are settings
//! ([`crate::Thresholds`]), measured with `bench matcher`.

use crate::minutia::Template;
use fprint_bozorth3::Minutia as Xyt;

/// A template as Bozorth3 reads it, NIST's `xyt`: the origin at the bottom left with `y` up,
/// so that a direction counted counter-clockwise and the line between two minutiae are
/// measured the same way round (with `y` down they turn opposite ways when the print turns,
/// and a turned impression loses its mate).
pub fn xyt(t: &Template) -> Vec<Xyt> {
    let top = i32::from(t.height.max(1)) - 1;
    t.minutiae
        .iter()
        .map(|m| Xyt {
            x: i32::from(m.x),
            y: top - i32::from(m.y),
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
