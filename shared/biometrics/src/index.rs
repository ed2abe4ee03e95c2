//! The shortlist behind a 1:N identification: each template's Delaunay triangles (the
//! triangulation of its minutiae) as keys that neither rotation nor translation changes —
//! the three sides' lengths and the three minutiae's directions relative to the triangle — in
//! an inverted index from key to templates. A probe's triangles vote for the templates that
//! share them; the few with the most votes are compared with Bozorth3, so the cost of an
//! identification grows with the shortlist, not with the gallery times the fingers.
//!
//! A key quantizes each side to 10 pixels and each direction to 45°. A value near the edge of
//! its bin is also looked up in the neighbouring bin, so jitter of a few pixels or degrees does
//! not lose the triangle.

use crate::minutia::Template;
use std::collections::HashMap;

/// The width of a side's bin, pixels, and of a direction's, degrees.
const SIDE_BIN: f32 = 10.0;
const ANGLE_BIN: f32 = 45.0;
/// Triangles with a side shorter or longer than these (pixels) are left out: a short side's
/// direction is noise, a long side crosses too much distortion.
const SIDES: (f32, f32) = (12.0, 200.0);
/// Within this share of a bin from its edge, the neighbouring bin is looked up too.
const EDGE: f32 = 0.25;

/// A triangle's features: the sides, longest first, and each vertex's direction relative to
/// the side it starts, in the same order.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Features {
    sides: [f32; 3],
    angles: [f32; 3],
}

/// The triangles of `t` as features.
fn triangles(t: &Template) -> Vec<Features> {
    let points: Vec<delaunator::Point> = t
        .minutiae
        .iter()
        .map(|m| delaunator::Point {
            x: f64::from(m.x),
            y: f64::from(m.y),
        })
        .collect();
    let triangulation = delaunator::triangulate(&points);
    let mut out = Vec::with_capacity(triangulation.triangles.len() / 3);
    for tri in triangulation.triangles.chunks_exact(3) {
        let v = [tri[0], tri[1], tri[2]].map(|i| &t.minutiae[i]);
        let at = |i: usize| (f32::from(v[i].x), f32::from(v[i].y));
        let side = |a: usize, b: usize| {
            let ((ax, ay), (bx, by)) = (at(a), at(b));
            (bx - ax).hypot(by - ay)
        };
        // Side k runs from vertex k to vertex k+1.
        let lengths = [side(0, 1), side(1, 2), side(2, 0)];
        if lengths.iter().any(|l| *l < SIDES.0 || *l > SIDES.1) {
            continue;
        }
        // Start at the longest side, so the order does not depend on the triangulation's.
        let first = (0..3)
            .max_by(|a, b| lengths[*a].total_cmp(&lengths[*b]))
            .expect("three sides");
        let mut f = Features {
            sides: [0.0; 3],
            angles: [0.0; 3],
        };
        for k in 0..3 {
            let (a, b) = ((first + k) % 3, (first + k + 1) % 3);
            let ((ax, ay), (bx, by)) = (at(a), at(b));
            // The side's direction, counter-clockwise with y down, as the minutiae's angles.
            let direction = (-(by - ay)).atan2(bx - ax).to_degrees();
            f.sides[k] = lengths[a];
            f.angles[k] = (f32::from(v[a].angle) - direction).rem_euclid(360.0);
        }
        out.push(f);
    }
    out
}

/// The bins of a value: its own, and the neighbour's when it lies near that edge.
fn bins(value: f32, width: f32, wrap: Option<u32>) -> ([u32; 2], usize) {
    let at = value / width;
    let bin = at.floor();
    let frac = at - bin;
    let bin = bin as i64;
    let neighbour = if frac < EDGE {
        Some(bin - 1)
    } else if frac > 1.0 - EDGE {
        Some(bin + 1)
    } else {
        None
    };
    let fold = |b: i64| match wrap {
        Some(n) => b.rem_euclid(i64::from(n)) as u32,
        None => b.max(0) as u32,
    };
    match neighbour {
        Some(n) => ([fold(bin), fold(n)], 2),
        None => ([fold(bin), 0], 1),
    }
}

/// The one key of a triangle as enrolled.
fn key(f: &Features) -> u32 {
    let side = |l: f32| ((l / SIDE_BIN) as u32).min(31);
    let angle = |a: f32| ((a / ANGLE_BIN) as u32) % 8;
    f.sides
        .iter()
        .fold(0, |k, l| (k << 5) | side(*l))
        .wrapping_shl(9)
        | f.angles.iter().fold(0, |k, a| (k << 3) | angle(*a))
}

/// Every key a probe's triangle is looked up under: each feature's bin, and its neighbour's
/// near an edge.
fn probe_keys(f: &Features, out: &mut Vec<u32>) {
    out.clear();
    let sides = f.sides.map(|l| bins(l, SIDE_BIN, None));
    let angles = f.angles.map(|a| bins(a, ANGLE_BIN, Some(8)));
    for &s0 in &sides[0].0[..sides[0].1] {
        for &s1 in &sides[1].0[..sides[1].1] {
            for &s2 in &sides[2].0[..sides[2].1] {
                let s = ((s0.min(31) << 10) | (s1.min(31) << 5) | s2.min(31)) << 9;
                for &a0 in &angles[0].0[..angles[0].1] {
                    for &a1 in &angles[1].0[..angles[1].1] {
                        for &a2 in &angles[2].0[..angles[2].1] {
                            out.push(s | (a0 << 6) | (a1 << 3) | a2);
                        }
                    }
                }
            }
        }
    }
}

/// The inverted index: key → the entries (templates, by the caller's number) with a triangle
/// of that key.
#[derive(Debug, Default)]
pub struct Index {
    postings: HashMap<u32, Vec<u32>>,
    entries: usize,
}

impl Index {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds template `t` as entry `entry`.
    pub fn insert(&mut self, entry: u32, t: &Template) {
        let mut keys: Vec<u32> = triangles(t).iter().map(key).collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            self.postings.entry(k).or_default().push(entry);
        }
        self.entries += 1;
    }

    /// How many templates are in.
    pub fn len(&self) -> usize {
        self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// The postings held: what the index costs in memory, about 4 bytes each.
    pub fn postings(&self) -> usize {
        self.postings.values().map(Vec::len).sum()
    }

    /// The entries sharing the most triangles with `probe`, with how many, most first; at
    /// most `n`.
    pub fn shortlist(&self, probe: &Template, n: usize) -> Vec<(u32, u32)> {
        let mut votes: HashMap<u32, u32> = HashMap::new();
        let mut keys = Vec::with_capacity(64);
        for f in triangles(probe) {
            probe_keys(&f, &mut keys);
            keys.sort_unstable();
            keys.dedup();
            for k in &keys {
                if let Some(entries) = self.postings.get(k) {
                    for e in entries {
                        *votes.entry(*e).or_default() += 1;
                    }
                }
            }
        }
        let mut ranked: Vec<(u32, u32)> = votes.into_iter().collect();
        ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(n);
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        minutia::Finger,
        synth::{Variation, impression},
    };

    /// Among 300 fingers, another impression of one finger puts that finger first.
    #[test]
    fn another_impression_ranks_its_finger_first() {
        let v = Variation::default();
        let mut index = Index::new();
        for p in 0..300 {
            index.insert(p as u32, &impression(p, Finger::RightIndex, 0, &v));
        }
        assert_eq!(index.len(), 300);
        let mut first = 0;
        for p in 0..30 {
            let list = index.shortlist(&impression(p, Finger::RightIndex, 1, &v), 10);
            if list.first().map(|(e, _)| *e) == Some(p as u32) {
                first += 1;
            }
        }
        assert!(first >= 27, "ranked first {first} of 30");
    }

    #[test]
    fn a_key_does_not_change_when_the_print_is_turned_or_moved() {
        let t = impression(1, Finger::LeftIndex, 0, &Variation::default());
        let moved = Template {
            minutiae: t
                .minutiae
                .iter()
                .map(|m| crate::Minutia {
                    x: m.x + 3,
                    y: m.y + 5,
                    ..*m
                })
                .collect(),
            width: t.width + 3,
            height: t.height + 5,
            ..t.clone()
        };
        let keys = |t: &Template| {
            let mut k: Vec<u32> = triangles(t).iter().map(key).collect();
            k.sort_unstable();
            k
        };
        assert_eq!(keys(&t), keys(&moved));
        assert!(!keys(&t).is_empty());
    }
}
