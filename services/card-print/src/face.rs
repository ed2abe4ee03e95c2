//! The card face, rendered as a PNG (S21.3 "a print preview appears").
//!
//! The fields of a KTP-el, in its order: PROVINSI and KABUPATEN/KOTA as the header, then NIK,
//! Nama, Tempat/Tgl Lahir, Jenis Kelamin, Alamat, Kel/Desa, Kecamatan, and a photo box with
//! the photo's digest (the photo itself stays sealed in the biometric service). Text is drawn
//! with an 8×8 bitmap font so no font file is needed.

use ktpel_contract::registry::Biodata;
use ktpel_domain::{KodeWilayah, Wilayah};

/// Card size in pixels (ID-1 proportions, 85.6 × 54 mm).
pub const WIDTH: u32 = 856;
pub const HEIGHT: u32 = 540;

struct Canvas {
    rgb: Vec<u8>,
}

impl Canvas {
    fn new() -> Self {
        // A light blue card.
        let mut rgb = Vec::with_capacity((WIDTH * HEIGHT * 3) as usize);
        for _ in 0..WIDTH * HEIGHT {
            rgb.extend_from_slice(&[0xd8, 0xe8, 0xf5]);
        }
        Self { rgb }
    }

    fn put(&mut self, x: u32, y: u32, c: [u8; 3]) {
        if x < WIDTH && y < HEIGHT {
            let i = ((y * WIDTH + x) * 3) as usize;
            self.rgb[i..i + 3].copy_from_slice(&c);
        }
    }

    fn rect(&mut self, x: u32, y: u32, w: u32, h: u32, c: [u8; 3]) {
        for dy in 0..h {
            for dx in 0..w {
                self.put(x + dx, y + dy, c);
            }
        }
    }

    /// Text at (x, y), each font pixel drawn as a `scale`×`scale` square.
    fn text(&mut self, x: u32, y: u32, scale: u32, s: &str) {
        use font8x8::UnicodeFonts;
        let mut cx = x;
        for ch in s.chars() {
            let glyph = font8x8::BASIC_FONTS.get(ch).unwrap_or([0; 8]);
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..8 {
                    if bits & (1 << col) != 0 {
                        self.rect(
                            cx + col * scale,
                            y + row as u32 * scale,
                            scale,
                            scale,
                            [0x10, 0x10, 0x30],
                        );
                    }
                }
            }
            cx += 8 * scale;
        }
    }

    fn png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, WIDTH, HEIGHT);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            // Each row filtered the way that suits it (flat card rows, text rows): 31 KB where
            // one filter for all gave 73 KB, for about half a millisecond more a card — less
            // than the bigger face cost PostgreSQL to store (issue 11).
            enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
            let mut w = enc.write_header().expect("PNG header into memory");
            w.write_image_data(&self.rgb).expect("PNG data into memory");
        }
        out
    }
}

fn name_of(code: &str) -> String {
    KodeWilayah::parse(code)
        .ok()
        .and_then(|k| Wilayah::global().resolve(&k).ok())
        .map(|r| r.name.to_uppercase())
        .unwrap_or_else(|| code.to_owned())
}

/// The lines of the card face, in order (also what the tests read).
pub fn fields(b: &Biodata) -> Vec<(&'static str, String)> {
    let desa = KodeWilayah::parse(&b.desa).ok();
    let lineage = desa.map(|d| d.lineage()).unwrap_or_default();
    let at = |i: usize| {
        lineage
            .get(i)
            .map(|k| name_of(&k.to_string()))
            .unwrap_or_default()
    };
    vec![
        ("PROVINSI", at(0)),
        ("KABUPATEN/KOTA", at(1)),
        ("NIK", b.nik.to_string()),
        ("Nama", b.nama.to_uppercase()),
        (
            "Tempat/Tgl Lahir",
            format!(
                "{}, {}",
                b.tempat_lahir.to_uppercase(),
                b.tanggal_lahir.format("%d-%m-%Y")
            ),
        ),
        ("Jenis Kelamin", b.jenis_kelamin.to_string().to_uppercase()),
        ("Alamat", b.alamat.to_uppercase()),
        ("Kel/Desa", at(3)),
        ("Kecamatan", at(2)),
        ("Berlaku Hingga", "SEUMUR HIDUP".into()),
    ]
}

// The layout, in pixels. Labels and values are drawn at scale 2 (16 px a character); the NIK
// at scale 3, as on the card.
const LEFT: u32 = 30;
const COLON_X: u32 = 290;
const VALUE_X: u32 = 306;
const PHOTO_X: u32 = 680;
/// Characters of a value on one line before it wraps, so no value runs into the photo.
const VALUE_CHARS: usize = ((PHOTO_X - 10 - VALUE_X) / 16) as usize;

/// Splits `value` into lines of at most `width` characters, at spaces where it can.
fn wrap(value: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in value.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let line = lines.last_mut().expect("never empty");
            let used = line.chars().count();
            let room = width.saturating_sub(used + usize::from(used > 0));
            if word.len() <= room {
                if used > 0 {
                    line.push(' ');
                }
                line.extend(word.iter());
                break;
            }
            if used == 0 {
                // A word longer than a line: cut it.
                line.extend(word.drain(..width));
            }
            lines.push(String::new());
        }
    }
    lines
}

/// Renders the card face of `b` with the photo's digest in the photo box.
pub fn render(b: &Biodata, photo_sha256: &str) -> Vec<u8> {
    let mut c = Canvas::new();
    let f = fields(b);
    c.text(250, 20, 3, &format!("PROVINSI {}", f[0].1));
    c.text(250, 50, 3, &f[1].1);
    c.rect(0, 85, WIDTH, 4, [0x20, 0x40, 0x80]);
    c.text(LEFT, 110, 3, f[2].0);
    c.text(LEFT + 4 * 24, 110, 3, &format!(": {}", f[2].1));
    let mut y = 160;
    for (label, value) in f.iter().skip(3) {
        c.text(LEFT, y, 2, label);
        c.text(COLON_X, y, 2, ":");
        for line in wrap(value, VALUE_CHARS) {
            c.text(VALUE_X, y, 2, &line);
            y += 26;
        }
        y += 6;
    }
    // The photo box (3 × 4) with the digest of the sealed photo.
    c.rect(PHOTO_X, 160, WIDTH - PHOTO_X - 16, 213, [0xb0, 0xc0, 0xd0]);
    c.text(PHOTO_X + 8, 230, 1, "FOTO (SHA-256)");
    for (i, part) in photo_sha256.as_bytes().chunks(18).enumerate() {
        c.text(
            PHOTO_X + 8,
            250 + i as u32 * 12,
            1,
            std::str::from_utf8(part).unwrap_or(""),
        );
    }
    c.png()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::siti;

    #[test]
    fn the_face_has_the_fields_of_a_ktp_el() {
        let f = fields(&siti());
        let labels: Vec<&str> = f.iter().map(|(l, _)| *l).collect();
        assert_eq!(
            labels,
            [
                "PROVINSI",
                "KABUPATEN/KOTA",
                "NIK",
                "Nama",
                "Tempat/Tgl Lahir",
                "Jenis Kelamin",
                "Alamat",
                "Kel/Desa",
                "Kecamatan",
                "Berlaku Hingga"
            ]
        );
        assert_eq!(f[0].1, "JAWA BARAT");
        assert_eq!(f[1].1, "KOTA BANDUNG");
        assert_eq!(f[2].1, "3273014107900001");
        assert_eq!(f[4].1, "KOTA BANDUNG, 01-07-1990");
        assert_eq!(f[8].1, "SUKASARI");
    }

    #[test]
    fn labels_end_before_the_colon_and_values_wrap_before_the_photo() {
        for (label, _) in fields(&siti()).iter().skip(3) {
            assert!(LEFT + label.len() as u32 * 16 < COLON_X, "{label}");
        }
        let long = "JL. SUDIRMAN NO. 36, RT 012/RW 003, SARIJADI";
        let lines = wrap(long, VALUE_CHARS);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= VALUE_CHARS));
        assert_eq!(lines.join(" "), long, "nothing lost in the wrap");
        assert_eq!(wrap("ABCDEFGHIJ", 4), ["ABCD", "EFGH", "IJ"]);
        assert_eq!(wrap("ABCD EF", 4), ["ABCD", "EF"]);
    }

    #[test]
    fn the_face_is_a_png_of_card_size() {
        let png = render(&siti(), "ab12");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (WIDTH, HEIGHT));
    }
}
