//! A finger's minutiae drawn for a person: each a dot where the ridge ends or forks, with a
//! stroke the way it runs (ridge endings hollow, bifurcations filled), on the print's own
//! frame, as an SVG the page holds inline.

use ktpel_biometrics::{Kind, Template};
use std::fmt::Write;

/// The drawing of `t`, labelled `label` for those who cannot see it.
pub fn svg(t: &Template, label: &str) -> String {
    let (w, h) = (t.width.max(1), t.height.max(1));
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{}" height="{}" role="img" aria-label="minutiae {label}: {} titik"><rect width="{w}" height="{h}" fill="#fff" stroke="#666"/>"##,
        w / 2,
        h / 2,
        t.minutiae.len()
    );
    for m in &t.minutiae {
        let a = f32::from(m.angle).to_radians();
        let (x, y) = (f32::from(m.x), f32::from(m.y));
        // Angles run counter-clockwise with y down on the image: up is -y.
        let (x2, y2) = (x + 14.0 * a.cos(), y - 14.0 * a.sin());
        let fill = match m.kind {
            Kind::Ending => "none",
            _ => "#b00",
        };
        let _ = write!(
            out,
            r##"<circle cx="{x:.0}" cy="{y:.0}" r="5" fill="{fill}" stroke="#b00" stroke-width="2"/><line x1="{x:.0}" y1="{y:.0}" x2="{x2:.0}" y2="{y2:.0}" stroke="#b00" stroke-width="2"/>"##
        );
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
        let s = svg(&t, "telunjuk kanan");
        assert_eq!(s.matches("<circle").count(), t.minutiae.len());
        assert_eq!(s.matches("<line").count(), t.minutiae.len());
        assert!(s.contains(&format!("{} titik", t.minutiae.len())), "{s}");
    }
}
