//! A finger's minutiae drawn for a person: each a dot where the ridge ends or forks, with a
//! stroke the way it runs (ridge endings hollow, bifurcations filled), on the print's own
//! frame, as an SVG the page holds inline. The minutiae paired with the other print's are
//! drawn in blue and numbered, the same number on both prints.

use ktpel_biometrics::{Kind, Template};
use std::{collections::HashMap, fmt::Write};

/// The drawing of `t`, labelled `label` for those who cannot see it; `paired` gives each
/// paired minutia (by its place in `t`'s list) its pair's number.
pub fn svg(t: &Template, label: &str, paired: &HashMap<usize, usize>) -> String {
    let (w, h) = (t.width.max(1), t.height.max(1));
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{}" height="{}" role="img" aria-label="minutiae {label}: {} titik, {} berpasangan"><rect width="{w}" height="{h}" fill="#fff" stroke="#666"/>"##,
        w / 2,
        h / 2,
        t.minutiae.len(),
        paired.len()
    );
    for (i, m) in t.minutiae.iter().enumerate() {
        let pair = paired.get(&i);
        let colour = if pair.is_some() { "#0050b0" } else { "#b00" };
        let a = f32::from(m.angle).to_radians();
        let (x, y) = (f32::from(m.x), f32::from(m.y));
        // Angles run counter-clockwise with y down on the image: up is -y.
        let (x2, y2) = (x + 14.0 * a.cos(), y - 14.0 * a.sin());
        let fill = match m.kind {
            Kind::Ending => "none",
            _ => colour,
        };
        let _ = write!(
            out,
            r##"<circle cx="{x:.0}" cy="{y:.0}" r="5" fill="{fill}" stroke="{colour}" stroke-width="2"/><line x1="{x:.0}" y1="{y:.0}" x2="{x2:.0}" y2="{y2:.0}" stroke="{colour}" stroke-width="2"/>"##
        );
        if let Some(n) = pair {
            let _ = write!(
                out,
                r##"<text x="{:.0}" y="{:.0}" font-size="16" fill="{colour}">{n}</text>"##,
                x + 7.0,
                y - 7.0
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktpel_biometrics::{
        Finger,
        synth::{Variation, impression},
    };

    #[test]
    fn every_minutia_is_drawn_with_its_direction() {
        let t = impression(3, Finger::RightIndex, 0, &Variation::default());
        let s = svg(&t, "telunjuk kanan", &HashMap::new());
        assert_eq!(s.matches("<circle").count(), t.minutiae.len());
        assert_eq!(s.matches("<line").count(), t.minutiae.len());
        assert!(
            s.contains(&format!("{} titik, 0 berpasangan", t.minutiae.len())),
            "{s}"
        );
        assert!(!s.contains("<text"), "{s}");
    }

    #[test]
    fn paired_minutiae_are_numbered_in_blue() {
        let t = impression(3, Finger::RightIndex, 0, &Variation::default());
        let paired = HashMap::from([(0, 1), (4, 2)]);
        let s = svg(&t, "telunjuk kanan", &paired);
        assert_eq!(s.matches("<text").count(), 2);
        assert!(s.contains(">1</text>") && s.contains(">2</text>"), "{s}");
        assert_eq!(s.matches(r##"stroke="#0050b0""##).count(), 4, "{s}");
        assert!(s.contains("2 berpasangan"), "{s}");
    }
}
