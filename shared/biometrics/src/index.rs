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
/// the side it starts, in the same order; and where it lies on the print.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Features {
    sides: [f32; 3],
    angles: [f32; 3],
    pose: Pose,
    /// The vertices' minutiae, by their place in the template's list, in the same order.
    vertices: [usize; 3],
}

/// Where a triangle lies on its print: the direction of its longest side (whole degrees,
/// counter-clockwise) and the vertex it starts from, in pixels with `y` up. Two triangles
/// that share a key are the same part of the finger only if every such pair of two prints
/// agrees on one turn and shift.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Pose {
    direction: u16,
    x: i16,
    y: i16,
}

/// The enrolled triangles of one key: each one's template (the caller's entry number), and
/// its pose at the same place in the other list. Apart, so that the first pass of a
/// shortlist reads the entries alone.
#[derive(Debug, Default)]
struct Postings {
    entries: Vec<u32>,
    poses: Vec<Pose>,
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
        let (ax, ay) = at(first);
        let mut f = Features {
            sides: [0.0; 3],
            angles: [0.0; 3],
            pose: Pose {
                direction: 0,
                x: ax as i16,
                y: (f32::from(t.height) - ay) as i16,
            },
            vertices: [0; 3],
        };
        for k in 0..3 {
            let (a, b) = ((first + k) % 3, (first + k + 1) % 3);
            let ((ax, ay), (bx, by)) = (at(a), at(b));
            // The side's direction, counter-clockwise with y down, as the minutiae's angles.
            let direction = (-(by - ay)).atan2(bx - ax).to_degrees();
            f.sides[k] = lengths[a];
            f.vertices[k] = tri[a];
            f.angles[k] = (f32::from(v[a].angle) - direction).rem_euclid(360.0);
            if k == 0 {
                f.pose.direction = (direction.rem_euclid(360.0).round() as u16) % 360;
            }
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

/// Two poses agree when they differ by at most this turn (degrees) and shift (pixels, each
/// way): what two impressions of one finger differ by in one triangle's place once the print's
/// turn and shift are taken out (jitter, a little elastic distortion).
const AGREE_TURN: i32 = 12;
const AGREE_SHIFT: i32 = 24;

/// The turn and shift that take a probe's triangle onto an enrolled one: the turn, and where
/// the probe's vertex lands relative to the enrolled one's when turned about the origin.
#[derive(Debug, Clone, Copy)]
struct Guess {
    turn: i32,
    dx: i32,
    dy: i32,
}

/// Sine and cosine of every whole degree.
fn trig() -> &'static [(f32, f32); 360] {
    static TABLE: std::sync::OnceLock<[(f32, f32); 360]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(|d| (d as f32).to_radians().sin_cos()))
}

fn guess(probe: &Pose, enrolled: &Pose) -> Guess {
    let turn = (i32::from(enrolled.direction) - i32::from(probe.direction)).rem_euclid(360);
    let (sin, cos) = trig()[turn as usize];
    let (x, y) = (f32::from(probe.x), f32::from(probe.y));
    Guess {
        turn,
        dx: i32::from(enrolled.x) - (cos * x - sin * y).round() as i32,
        dy: i32::from(enrolled.y) - (sin * x + cos * y).round() as i32,
    }
}

/// Each triangle of `probe` with every key it is looked up under.
fn lookups(probe: &Template) -> Vec<(Features, u32)> {
    let mut out = Vec::with_capacity(1024);
    let mut keys = Vec::with_capacity(64);
    for f in triangles(probe) {
        probe_keys(&f, &mut keys);
        keys.sort_unstable();
        keys.dedup();
        out.extend(keys.iter().map(|k| (f, *k)));
    }
    out
}

/// Whether two guesses are of one pose.
fn agree(a: &Guess, b: &Guess) -> bool {
    let turn = (a.turn - b.turn).rem_euclid(360);
    turn.min(360 - turn) <= AGREE_TURN
        && (a.dx - b.dx).abs() <= AGREE_SHIFT
        && (a.dy - b.dy).abs() <= AGREE_SHIFT
}

/// The guess the most others agree with, and how many do (itself included): the triangles
/// two prints share in one pose.
fn most_agreed(guesses: &[Guess]) -> Option<(usize, u32)> {
    guesses
        .iter()
        .enumerate()
        .map(|(i, a)| (i, guesses.iter().filter(|b| agree(a, b)).count() as u32))
        .max_by_key(|(i, n)| (*n, std::cmp::Reverse(*i)))
}

fn agreeing(guesses: &[Guess]) -> u32 {
    most_agreed(guesses).map_or(0, |(_, n)| n)
}

/// The minutiae of `probe` and `other` that lie together: the vertices of their triangles
/// that share a key and agree on one pose (two triangles at least), each minutia in one pair
/// at most, as (probe's, other's) places in their templates' lists. What the adjudication
/// desk marks on both prints.
pub fn paired_minutiae(probe: &Template, other: &Template) -> Vec<(usize, usize)> {
    let mut by_key: HashMap<u32, Vec<Features>> = HashMap::new();
    for f in triangles(other) {
        by_key.entry(key(&f)).or_default().push(f);
    }
    let mut matched: Vec<(Features, Features, Guess)> = Vec::new();
    for (f, k) in lookups(probe) {
        for g in by_key.get(&k).into_iter().flatten() {
            matched.push((f, *g, guess(&f.pose, &g.pose)));
        }
    }
    let guesses: Vec<Guess> = matched.iter().map(|(_, _, g)| *g).collect();
    // One triangle agrees with itself: it takes two to say the prints lie together.
    let Some((centre, _)) = most_agreed(&guesses).filter(|(_, n)| *n >= 2) else {
        return Vec::new();
    };
    let (mut used_probe, mut used_other) = (
        vec![false; probe.minutiae.len()],
        vec![false; other.minutiae.len()],
    );
    let mut pairs = Vec::new();
    for (p, o, g) in &matched {
        if !agree(&guesses[centre], g) {
            continue;
        }
        for (a, b) in p.vertices.iter().zip(&o.vertices) {
            if !used_probe[*a] && !used_other[*b] {
                used_probe[*a] = true;
                used_other[*b] = true;
                pairs.push((*a, *b));
            }
        }
    }
    pairs.sort_unstable();
    pairs
}

/// An entry found by a probe: how many of its triangles agree on one pose with the probe's,
/// and how many share a key at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub entry: u32,
    pub agreeing: u32,
    pub votes: u32,
}

/// The inverted index: key → the enrolled triangles (of templates, by the caller's number)
/// of that key, with their poses.
#[derive(Debug, Default)]
pub struct Index {
    postings: HashMap<u32, Postings>,
    entries: usize,
}

impl Index {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds template `t` as entry `entry`.
    pub fn insert(&mut self, entry: u32, t: &Template) {
        for f in triangles(t) {
            let postings = self.postings.entry(key(&f)).or_default();
            postings.entries.push(entry);
            postings.poses.push(f.pose);
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

    /// The postings held: what the index costs in memory, 10 bytes each.
    pub fn postings(&self) -> usize {
        self.postings.values().map(|p| p.entries.len()).sum()
    }

    /// The entries sharing the most triangles in one pose with `probe`, most first; at most
    /// `n`. A stranger's print shares a few triangles' keys by chance, each in another pose;
    /// another impression of the same finger shares many, in one.
    ///
    /// Two passes over the probe's postings: the first counts each entry's shared keys, the
    /// second weighs the poses of only the entries with the most (at least [`WEIGHED`]), since
    /// no entry can have more triangles agreeing than it shares.
    pub fn shortlist(&self, probe: &Template, n: usize) -> Vec<Found> {
        let looked_up: Vec<(Pose, &Postings)> = lookups(probe)
            .into_iter()
            .filter_map(|(f, k)| Some((f.pose, self.postings.get(&k)?)))
            .collect();
        SCRATCH.with_borrow_mut(|scratch| {
            let Scratch { votes, touched } = scratch;
            // First pass: shared keys per entry.
            for (_, postings) in &looked_up {
                for &entry in &postings.entries {
                    let e = entry as usize;
                    if e >= votes.len() {
                        votes.resize(e + 1, 0);
                    }
                    if votes[e] == 0 {
                        touched.push(entry);
                    }
                    votes[e] = votes[e].saturating_add(1);
                }
            }
            let mut counted: Vec<(u32, u16)> = touched
                .drain(..)
                .map(|e| (e, std::mem::take(&mut votes[e as usize])))
                .collect();
            let weighed = WEIGHED.max(n);
            if counted.len() > weighed {
                counted.select_nth_unstable_by(weighed - 1, |a, b| b.1.cmp(&a.1));
                counted.truncate(weighed);
            }
            // The entries weighed are marked in `votes`, cleared again below.
            for (e, _) in &counted {
                votes[*e as usize] = 1;
            }
            // Second pass: the poses of the entries weighed.
            let mut hits: Vec<(u32, Guess)> = Vec::new();
            for (pose, postings) in &looked_up {
                for (&entry, enrolled) in postings.entries.iter().zip(&postings.poses) {
                    if votes[entry as usize] != 0 {
                        hits.push((entry, guess(pose, enrolled)));
                    }
                }
            }
            for (e, _) in &counted {
                votes[*e as usize] = 0;
            }
            hits.sort_unstable_by_key(|(entry, _)| *entry);
            let mut guesses: Vec<Guess> = Vec::new();
            let mut found: Vec<Found> = hits
                .chunk_by(|a, b| a.0 == b.0)
                .map(|run| {
                    guesses.clear();
                    guesses.extend(run.iter().map(|(_, g)| *g));
                    Found {
                        entry: run[0].0,
                        agreeing: agreeing(&guesses),
                        // Each of its postings was met once here, as in the first pass.
                        votes: run.len() as u32,
                    }
                })
                .collect();
            found.sort_unstable_by(|a, b| {
                (b.agreeing, b.votes, a.entry).cmp(&(a.agreeing, a.votes, b.entry))
            });
            found.truncate(n);
            found
        })
    }
}

/// How many entries, those sharing the most keys with a probe, have their poses weighed.
pub const WEIGHED: usize = 1000;

/// The first pass's counters, kept per thread and cleared after each use.
#[derive(Default)]
struct Scratch {
    votes: Vec<u16>,
    touched: Vec<u32>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
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
            if list.first().map(|f| f.entry) == Some(p as u32) {
                first += 1;
            }
        }
        assert!(first >= 27, "ranked first {first} of 30");
    }

    /// A stranger's print shares some triangles' keys with prints on record, but they do not
    /// agree on one pose; another impression's do.
    #[test]
    fn a_mates_triangles_agree_on_one_pose_and_a_strangers_do_not() {
        let v = Variation::default();
        let mut index = Index::new();
        for p in 0..1000 {
            index.insert(p as u32, &impression(p, Finger::RightIndex, 0, &v));
        }
        let (mut mates, mut strangers) = (Vec::new(), Vec::new());
        for p in 0..40u64 {
            let list = index.shortlist(&impression(p * 13, Finger::RightIndex, 1, &v), 5);
            let mate = list.iter().find(|f| f.entry == (p * 13) as u32);
            mates.push(mate.map_or(0, |f| f.agreeing));
            let list = index.shortlist(&impression(50_000 + p, Finger::RightIndex, 0, &v), 5);
            let best = list.first().expect("some keys are shared by chance");
            assert!(best.votes > best.agreeing, "{best:?}");
            strangers.push(best.agreeing);
        }
        mates.sort_unstable();
        strangers.sort_unstable();
        // At least 38 of the 40 mates well above every stranger.
        let worst_stranger = *strangers.last().unwrap();
        assert!(worst_stranger < 5, "strangers: {strangers:?}");
        assert!(
            mates[2] >= 2 * worst_stranger,
            "mates {mates:?}, strangers {strangers:?}"
        );
    }

    /// Another impression's minutiae are paired with the minutiae they come from; a
    /// stranger's print pairs few.
    #[test]
    fn the_minutiae_paired_are_those_of_one_place_of_the_finger() {
        let v = Variation::default();
        let (mut right, mut wrong, mut strangers) = (0, 0, 0);
        for p in 0..20u64 {
            let first = impression(p, Finger::RightIndex, 0, &v);
            let second = impression(p, Finger::RightIndex, 1, &v);
            for (a, b) in paired_minutiae(&second, &first) {
                // The same master minutia lies within a few pixels once the pose is undone;
                // checked without the pose: by their kinds, and paired minutiae mostly agree.
                if second.minutiae[a].kind == first.minutiae[b].kind {
                    right += 1;
                } else {
                    wrong += 1;
                }
            }
            let stranger = impression(p + 5_000, Finger::RightIndex, 0, &v);
            strangers += paired_minutiae(&second, &stranger).len();
        }
        assert!(right >= 20 * 10, "{right} paired of the same kind");
        assert!(
            wrong * 10 < right,
            "{wrong} of another kind, {right} of the same"
        );
        assert!(
            strangers * 4 < right,
            "strangers {strangers}, mates {right}"
        );
    }

    /// Ranks and agreeing triangles of mates and of the best strangers, run by hand:
    /// `cargo test --release -p ktpel-biometrics index::tests::survey -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn survey() {
        let v = Variation::default();
        let size = 10_000u64;
        let mut index = Index::new();
        for p in 0..size {
            index.insert(p as u32, &impression(p, Finger::RightIndex, 0, &v));
        }
        let (mut ranks, mut mates, mut strangers): (Vec<u32>, Vec<u32>, Vec<u32>) =
            (Vec::new(), Vec::new(), Vec::new());
        let probes: Vec<Template> = (0..500u64)
            .map(|p| impression(1_000_000 + p, Finger::RightIndex, 1, &v))
            .collect();
        let started = std::time::Instant::now();
        for probe in &probes {
            std::hint::black_box(index.shortlist(probe, 20));
        }
        eprintln!("per shortlist: {:?}", started.elapsed() / 500);
        for p in 0..500u64 {
            let list = index.shortlist(&impression(p * 7, Finger::RightIndex, 1, &v), 20);
            let rank = list.iter().position(|f| f.entry == (p * 7) as u32);
            ranks.push(rank.map_or(99, |r| r as u32));
            mates.push(rank.map_or(0, |r| list[r].agreeing));
            let list = index.shortlist(&impression(1_000_000 + p, Finger::RightIndex, 1, &v), 20);
            strangers.push(list.first().map_or(0, |f| f.agreeing));
        }
        for v in [&mut ranks, &mut mates, &mut strangers] {
            v.sort_unstable();
        }
        for q in [0.0, 0.01, 0.02, 0.05, 0.5, 0.95, 0.99, 1.0] {
            let at = |v: &Vec<_>| v[((v.len() - 1) as f64 * q) as usize];
            eprintln!(
                "q{q}: mate rank {} mate agreeing {} best stranger agreeing {}",
                at(&ranks),
                at(&mates),
                at(&strangers)
            );
        }
        for k in [1, 2, 3, 5, 10, 20] {
            eprintln!(
                "mate within top {k}: {}",
                ranks.iter().filter(|r| **r < k).count()
            );
        }
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
