//! A synthetic population's fingerprints at the template level: each finger of each person a
//! master set of minutiae, and any number of impressions of it as a scanner would give them —
//! rotated and shifted on the glass, stretched by the skin's elasticity, some minutiae lost,
//! some spurious, now and then only part of the finger. The same person, finger and
//! impression always give the same template, so tests and benchmarks are reproducible.
//!
//! The master: 55–90 minutiae (what MINDTCT finds on a real print at 500 ppi) spread over an
//! elliptical print at least 12 pixels apart (about two ridges), their directions following an orientation field that turns
//! around a core and a delta, as on a loop; endings a little more common than bifurcations.

use crate::minutia::{Finger, Kind, Minutia, Template};
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::f32::consts::PI;

/// The scanner's image: 416 × 512 pixels at 500 ppi (about 21 × 26 mm).
pub const WIDTH: u16 = 416;
pub const HEIGHT: u16 = 512;
pub const PPI: u16 = 500;

/// How far impressions of one finger differ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variation {
    /// The largest rotation on the glass, degrees either way.
    pub rotation: f32,
    /// The largest shift, pixels either way.
    pub shift: f32,
    /// The largest elastic displacement, pixels.
    pub elastic: f32,
    /// Each minutia's position and angle jitter, pixels and degrees either way.
    pub jitter: (f32, f32),
    /// The share of the master's minutiae an impression misses.
    pub missing: f32,
    /// Spurious minutiae an impression adds, at most.
    pub spurious: u32,
    /// The share of impressions that show only part of the finger.
    pub partial: f32,
}

impl Default for Variation {
    fn default() -> Self {
        Self {
            rotation: 20.0,
            shift: 25.0,
            elastic: 4.0,
            jitter: (2.0, 8.0),
            missing: 0.15,
            spurious: 12,
            partial: 0.1,
        }
    }
}

/// A seed from the parts that name a finger or an impression.
fn seed(parts: &[u64]) -> u64 {
    // SplitMix64 over the parts: a different stream for every person, finger and impression.
    parts.iter().fold(0x9e37_79b9_7f4a_7c15, |h, p| {
        let mut z = h ^ p.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    })
}

/// The direction of the ridges at `(x, y)` (radians, modulo π) of a loop with its core and
/// delta: the classic zero-pole model.
fn orientation(x: f32, y: f32, core: (f32, f32), delta: (f32, f32)) -> f32 {
    0.5 * ((y - core.1).atan2(x - core.0) - (y - delta.1).atan2(x - delta.0))
}

/// The master minutiae of `person`'s `finger`.
pub fn master(person: u64, finger: Finger) -> Vec<Minutia> {
    let mut rng = StdRng::seed_from_u64(seed(&[person, u64::from(finger.code())]));
    let (w, h) = (f32::from(WIDTH), f32::from(HEIGHT));
    let core = (
        w / 2.0 + rng.random_range(-30.0..30.0),
        h * 0.42 + rng.random_range(-30.0..30.0),
    );
    let delta = (
        core.0 + rng.random_range(-120.0..120.0),
        core.1 + rng.random_range(110.0..180.0),
    );
    let n = rng.random_range(55..=90);
    let mut minutiae: Vec<Minutia> = Vec::with_capacity(n);
    let mut tries = 0;
    while minutiae.len() < n && tries < 20_000 {
        tries += 1;
        let (x, y) = (rng.random_range(0.0..w), rng.random_range(0.0..h));
        // Inside the print: an ellipse a little smaller than the image.
        if ((x - w / 2.0) / (w * 0.44)).powi(2) + ((y - h / 2.0) / (h * 0.46)).powi(2) > 1.0 {
            continue;
        }
        if minutiae
            .iter()
            .any(|m| (f32::from(m.x) - x).hypot(f32::from(m.y) - y) < 12.0)
        {
            continue;
        }
        let along = orientation(x, y, core, delta) + if rng.random_bool(0.5) { 0.0 } else { PI };
        minutiae.push(Minutia {
            x: x as u16,
            y: y as u16,
            angle: degrees(along),
            kind: if rng.random_bool(0.55) {
                Kind::Ending
            } else {
                Kind::Bifurcation
            },
            quality: rng.random_range(50..=95),
        });
    }
    minutiae
}

/// An angle in radians (counter-clockwise, `y` down) as whole degrees `0..360`.
fn degrees(radians: f32) -> u16 {
    (radians.to_degrees().rem_euclid(360.0).round() as u16) % 360
}

/// Impression number `impression` of `person`'s `finger`, varied as `v` says.
pub fn impression(person: u64, finger: Finger, impression: u32, v: &Variation) -> Template {
    let master = master(person, finger);
    let mut rng = StdRng::seed_from_u64(seed(&[
        person,
        u64::from(finger.code()),
        u64::from(impression) + 1,
    ]));
    let (w, h) = (f32::from(WIDTH), f32::from(HEIGHT));
    let turn = rng.random_range(-v.rotation..=v.rotation).to_radians();
    let shift = (
        rng.random_range(-v.shift..=v.shift),
        rng.random_range(-v.shift..=v.shift),
    );
    let amplitude = rng.random_range(0.0..=v.elastic);
    let wave = rng.random_range(200.0..400.0);
    let phase = (
        rng.random_range(0.0..2.0 * PI),
        rng.random_range(0.0..2.0 * PI),
    );
    // A partial print: only one side of a line through the print is on the glass.
    let cut = rng.random_bool(f64::from(v.partial)).then(|| {
        let at = rng.random_range(0.0..2.0 * PI);
        (at.cos(), at.sin(), rng.random_range(-60.0..20.0))
    });
    let (sin, cos) = turn.sin_cos();
    let mut minutiae = Vec::with_capacity(master.len() + v.spurious as usize);
    for m in &master {
        if rng.random_bool(f64::from(v.missing)) {
            continue;
        }
        let (x0, y0) = (f32::from(m.x) - w / 2.0, f32::from(m.y) - h / 2.0);
        if let Some((cx, cy, offset)) = cut
            && x0 * cx + y0 * cy > -offset
        {
            continue;
        }
        let (mut x, mut y) = (cos * x0 - sin * y0, sin * x0 + cos * y0);
        x += amplitude * (2.0 * PI * y / wave + phase.0).sin();
        y += amplitude * (2.0 * PI * x / wave + phase.1).sin();
        let (jp, ja) = v.jitter;
        let x = x + w / 2.0 + shift.0 + rng.random_range(-jp..=jp);
        let y = y + h / 2.0 + shift.1 + rng.random_range(-jp..=jp);
        if !(0.0..w).contains(&x) || !(0.0..h).contains(&y) {
            continue;
        }
        // The direction turns with the print: as a vector in pixels (y down), rotated.
        let a = f32::from(m.angle).to_radians();
        let (vx, vy) = (a.cos(), -a.sin());
        let (rx, ry) = (cos * vx - sin * vy, sin * vx + cos * vy);
        let angle = (-ry).atan2(rx) + rng.random_range(-ja..=ja).to_radians();
        minutiae.push(Minutia {
            x: x as u16,
            y: y as u16,
            angle: degrees(angle),
            kind: m.kind,
            quality: m.quality,
        });
    }
    for _ in 0..rng.random_range(0..=v.spurious) {
        minutiae.push(Minutia {
            x: rng.random_range(0..WIDTH),
            y: rng.random_range(0..HEIGHT),
            angle: rng.random_range(0..360),
            kind: Kind::Ending,
            quality: rng.random_range(20..60),
        });
    }
    let quality = if minutiae.is_empty() {
        0
    } else {
        (minutiae.iter().map(|m| u32::from(m.quality)).sum::<u32>() / minutiae.len() as u32) as u8
    };
    Template {
        finger,
        width: WIDTH,
        height: HEIGHT,
        ppi: PPI,
        quality,
        minutiae,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::compare;

    #[test]
    fn the_same_person_finger_and_impression_give_the_same_template() {
        let v = Variation::default();
        let a = impression(7, Finger::RightIndex, 0, &v);
        assert_eq!(a, impression(7, Finger::RightIndex, 0, &v));
        assert_ne!(a, impression(7, Finger::RightIndex, 1, &v));
        assert_ne!(a, impression(7, Finger::LeftIndex, 0, &v));
        assert!(a.minutiae.len() >= 20, "{}", a.minutiae.len());
        assert!(
            a.minutiae
                .iter()
                .all(|m| m.x < WIDTH && m.y < HEIGHT && m.angle < 360)
        );
    }

    /// Two impressions of one finger score well above two fingers of different people; an
    /// impression with no variation at all is the master itself.
    #[test]
    fn mates_outscore_strangers() {
        let v = Variation::default();
        let still = Variation {
            rotation: 0.0,
            shift: 0.0,
            elastic: 0.0,
            jitter: (0.0, 0.0),
            missing: 0.0,
            spurious: 0,
            partial: 0.0,
        };
        assert_eq!(
            impression(3, Finger::LeftThumb, 5, &still).minutiae,
            master(3, Finger::LeftThumb)
        );
        let (mut mated, mut strangers) = (Vec::new(), Vec::new());
        for p in 0..20 {
            let a = impression(p, Finger::RightIndex, 0, &v);
            mated.push(compare(&a, &impression(p, Finger::RightIndex, 1, &v)));
            strangers.push(compare(&a, &impression(p + 100, Finger::RightIndex, 0, &v)));
        }
        mated.sort_unstable();
        strangers.sort_unstable();
        assert!(
            mated[mated.len() / 2] > 3 * strangers[strangers.len() / 2].max(1),
            "mated {mated:?} strangers {strangers:?}"
        );
    }
}
