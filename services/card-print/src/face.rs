//! The card face (S21.3 "a print preview appears"): a PNG preview the job keeps, and the card
//! as PDF at its own size ([`pdf`]).
//!
//! The fields of a KTP-el, in its order: PROVINSI and KABUPATEN/KOTA as the header, then NIK,
//! Nama, Tempat/Tgl Lahir, Jenis Kelamin, Gol. Darah, Alamat, RT/RW, Kel/Desa, Kecamatan,
//! Agama, Status Perkawinan, Pekerjaan, Kewarganegaraan, Berlaku Hingga (`-` for an element
//! SIAK does not hold), and a photo box with the photo's digest (the photo itself stays sealed
//! in the biometric service) over the place and date of issue. The PNG preview's text is drawn
//! with an 8×8 bitmap font so no font file is needed.

use ktpel_contract::registry::Biodata;
use ktpel_domain::{KodeWilayah, Wilayah};

/// Card size in pixels (ID-1 proportions, 85.6 × 54 mm).
pub const WIDTH: u32 = 856;
pub const HEIGHT: u32 = 540;

/// The card's four colours: the face is drawn in palette indices and written as a two-bit
/// palette PNG: a quarter of a byte a pixel instead of three bytes to fill, filter and
/// compress, and a smaller face for the register to store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Colour {
    /// The light blue card.
    Card = 0,
    /// The printed text.
    Ink = 1,
    /// The rule under the header.
    Rule = 2,
    /// The photo box.
    Photo = 3,
}

/// The RGB of each [`Colour`], in the order of their indices.
const PALETTE: [[u8; 3]; 4] = [
    [0xd8, 0xe8, 0xf5],
    [0x10, 0x10, 0x30],
    [0x20, 0x40, 0x80],
    [0xb0, 0xc0, 0xd0],
];

/// Pixels a byte holds at two bits a pixel.
const PIXELS_PER_BYTE: u32 = 4;

struct Canvas {
    /// One palette index a pixel, row by row.
    pixels: Vec<u8>,
}

impl Canvas {
    fn new() -> Self {
        Self {
            pixels: vec![Colour::Card as u8; (WIDTH * HEIGHT) as usize],
        }
    }

    fn rect(&mut self, x: u32, y: u32, w: u32, h: u32, c: Colour) {
        let (x_end, y_end) = ((x + w).min(WIDTH), (y + h).min(HEIGHT));
        if x >= x_end {
            return;
        }
        for row in y..y_end {
            let start = (row * WIDTH) as usize;
            self.pixels[start + x as usize..start + x_end as usize].fill(c as u8);
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
                            Colour::Ink,
                        );
                    }
                }
            }
            cx += 8 * scale;
        }
    }

    /// The pixels packed four to a byte, leftmost in the high bits (PNG's order).
    fn packed(&self) -> Vec<u8> {
        debug_assert_eq!(WIDTH % PIXELS_PER_BYTE, 0, "rows end on a byte");
        self.pixels
            .chunks_exact(PIXELS_PER_BYTE as usize)
            .map(|p| p[0] << 6 | p[1] << 4 | p[2] << 2 | p[3])
            .collect()
    }

    fn png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, WIDTH, HEIGHT);
            enc.set_color(png::ColorType::Indexed);
            enc.set_depth(png::BitDepth::Two);
            enc.set_palette(PALETTE.concat());
            // The text is drawn in squares of 2 or 3 pixels, so most rows repeat the one above:
            // filtered against it (`Up`), a row of the face is mostly zeros. Measured on a
            // face: 8.6 KB in 0.12 ms, where no filter gave 20 KB and zlib's default level
            // 2.6 KB in 0.8 ms.
            enc.set_filter(png::FilterType::Up);
            enc.set_compression(png::Compression::Fast);
            let mut w = enc.write_header().expect("PNG header into memory");
            w.write_image_data(&self.packed())
                .expect("PNG data into memory");
        }
        out
    }
}

fn name_of(code: &str) -> String {
    Wilayah::global().name_of(code).to_uppercase()
}

/// Where and when the card was issued, under the photo: the Dinas's kabupaten/kota and the
/// day its number was given (the number carries it, so a card printed again shows the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terbit {
    pub tempat: String,
    pub tanggal: chrono::NaiveDate,
}

impl Terbit {
    /// From the card's number, `<kabupaten digits>-<yyyymmdd>-<serial>`; none before it has one.
    pub fn of_card(nomor_kartu: Option<&str>) -> Option<Self> {
        let nomor = nomor_kartu?;
        let mut parts = nomor.split('-');
        let kabupaten = parts.next()?;
        let tanggal = chrono::NaiveDate::parse_from_str(parts.next()?, "%Y%m%d").ok()?;
        let code = format!("{}.{}", kabupaten.get(..2)?, kabupaten.get(2..)?);
        Some(Self {
            tempat: name_of(&code),
            tanggal,
        })
    }

    fn printed(&self) -> [String; 2] {
        [
            self.tempat.clone(),
            self.tanggal.format("%d-%m-%Y").to_string(),
        ]
    }
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
    // An element SIAK does not hold (a resident recorded before it kept them) prints `-`.
    let or_dash = |f: fn(&ktpel_contract::registry::Rincian) -> String| {
        b.rincian.as_ref().map(f).unwrap_or_else(|| "-".into())
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
        ("Gol. Darah", or_dash(|r| r.golongan_darah.printed().into())),
        ("Alamat", b.alamat.to_uppercase()),
        ("RT/RW", or_dash(|r| format!("{}/{}", r.rt, r.rw))),
        ("Kel/Desa", at(3)),
        ("Kecamatan", at(2)),
        ("Agama", or_dash(|r| r.agama.printed().into())),
        (
            "Status Perkawinan",
            or_dash(|r| r.status_perkawinan.printed().into()),
        ),
        ("Pekerjaan", or_dash(|r| r.pekerjaan.to_uppercase())),
        (
            "Kewarganegaraan",
            or_dash(|r| r.kewarganegaraan.printed().into()),
        ),
        ("Berlaku Hingga", "SEUMUR HIDUP".into()),
    ]
}

// The layout, in pixels. Labels and values are drawn at scale 2 (16 px a character); the NIK
// at scale 3, as on the card.
const LEFT: u32 = 30;
const COLON_X: u32 = 322;
const VALUE_X: u32 = 338;
const PHOTO_X: u32 = 680;
/// Pixels from one line of a value to the next.
const LINE: u32 = 22;
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

/// What a card's face shows beside the text: its number, the photo's digest, and the photo
/// and signature themselves where card printing holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Beside {
    pub nomor_kartu: Option<String>,
    pub photo_sha256: String,
    pub pas_foto: Option<Vec<u8>>,
    pub tanda_tangan: Option<Vec<u8>>,
}

impl Beside {
    /// From the job and its kept photo and signature ([`crate::store::foto`]).
    pub fn of(j: &crate::store::job::Model, foto: Option<crate::store::foto::Model>) -> Self {
        let (pas_foto, tanda_tangan) = foto
            .map(|f| (f.pas_foto, f.tanda_tangan))
            .unwrap_or_default();
        Self {
            nomor_kartu: j.nomor_kartu.clone(),
            photo_sha256: j.photo_sha256.clone().unwrap_or_default(),
            pas_foto,
            tanda_tangan,
        }
    }
}

/// The card of `b` as PDF at its own size (ID-1), front and back: made again from the job's
/// stored biodata, number, photo and signature, the same file each time. The photo is printed
/// only if it is the one whose digest the chip carries; else its place shows the digest.
pub fn pdf(b: &Biodata, beside: &Beside) -> Result<Vec<u8>, ktpel_documents::DocumentError> {
    use sha2::{Digest, Sha256};
    let mut f = fields(b).into_iter();
    let mut next = || f.next().map(|(_, v)| v).unwrap_or_default();
    let (provinsi, kabupaten) = (next(), next());
    let sealed = |png: &&Vec<u8>| {
        let digest: String = Sha256::digest(png)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        digest == beside.photo_sha256
    };
    ktpel_documents::KartuKtp {
        provinsi,
        kabupaten,
        elements: fields(b)
            .into_iter()
            .skip(2)
            .map(|(l, v)| (l.to_owned(), v))
            .collect(),
        foto: beside.pas_foto.as_ref().filter(sealed).cloned(),
        photo_sha256: beside.photo_sha256.clone(),
        tanda_tangan: beside.tanda_tangan.clone(),
        terbit: Terbit::of_card(beside.nomor_kartu.as_deref()).map(|t| t.printed()),
        nomor_kartu: beside.nomor_kartu.clone(),
    }
    .pdf()
}

/// Renders the card face of `b` with the photo's digest in the photo box.
pub fn render(b: &Biodata, photo_sha256: &str, terbit: Option<&Terbit>) -> Vec<u8> {
    draw(b, photo_sha256, terbit).png()
}

fn draw(b: &Biodata, photo_sha256: &str, terbit: Option<&Terbit>) -> Canvas {
    let mut c = Canvas::new();
    let f = fields(b);
    c.text(250, 20, 3, &format!("PROVINSI {}", f[0].1));
    c.text(250, 50, 3, &f[1].1);
    c.rect(0, 85, WIDTH, 4, Colour::Rule);
    c.text(LEFT, 110, 3, f[2].0);
    c.text(LEFT + 4 * 24, 110, 3, &format!(": {}", f[2].1));
    let mut y = 150;
    for (label, value) in f.iter().skip(3) {
        c.text(LEFT, y, 2, label);
        c.text(COLON_X, y, 2, ":");
        for line in wrap(value, VALUE_CHARS) {
            c.text(VALUE_X, y, 2, &line);
            y += LINE;
        }
        y += 4;
    }
    // Under the photo: where and when the card was issued.
    if let Some(t) = terbit {
        for (i, line) in t.printed().iter().enumerate() {
            c.text(PHOTO_X + 8, 390 + i as u32 * 20, 1, line);
        }
    }
    // The photo box (3 × 4) with the digest of the sealed photo.
    c.rect(PHOTO_X, 160, WIDTH - PHOTO_X - 16, 213, Colour::Photo);
    c.text(PHOTO_X + 8, 230, 1, "FOTO (SHA-256)");
    for (i, part) in photo_sha256.as_bytes().chunks(18).enumerate() {
        c.text(
            PHOTO_X + 8,
            250 + i as u32 * 12,
            1,
            std::str::from_utf8(part).unwrap_or(""),
        );
    }
    c
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
                "Gol. Darah",
                "Alamat",
                "RT/RW",
                "Kel/Desa",
                "Kecamatan",
                "Agama",
                "Status Perkawinan",
                "Pekerjaan",
                "Kewarganegaraan",
                "Berlaku Hingga"
            ]
        );
        let value = |label: &str| f.iter().find(|(l, _)| *l == label).unwrap().1.clone();
        assert_eq!(f[0].1, "JAWA BARAT");
        assert_eq!(f[1].1, "KOTA BANDUNG");
        assert_eq!(f[2].1, "3273014107900001");
        assert_eq!(f[4].1, "KOTA BANDUNG, 01-07-1990");
        assert_eq!(value("Kecamatan"), "SUKASARI");
        assert_eq!(value("Gol. Darah"), "O");
        assert_eq!(value("RT/RW"), "001/002");
        assert_eq!(value("Agama"), "ISLAM");
        assert_eq!(value("Status Perkawinan"), "KAWIN");
        assert_eq!(value("Pekerjaan"), "GURU");
        assert_eq!(value("Kewarganegaraan"), "WNI");
        // A resident SIAK recorded before it kept the other elements: `-` for each.
        let older = Biodata {
            rincian: None,
            ..siti()
        };
        let f = fields(&older);
        for label in [
            "Gol. Darah",
            "RT/RW",
            "Agama",
            "Status Perkawinan",
            "Pekerjaan",
        ] {
            let v = &f.iter().find(|(l, _)| *l == label).unwrap().1;
            assert_eq!(v, "-", "{label}");
        }
    }

    #[test]
    fn the_place_and_date_of_issue_come_from_the_cards_number() {
        let t = Terbit::of_card(Some("3273-20261125-00001")).unwrap();
        assert_eq!(t.tempat, "KOTA BANDUNG");
        assert_eq!(
            t.tanggal,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
        );
        assert_eq!(Terbit::of_card(None), None);
        assert_eq!(Terbit::of_card(Some("3273-2026xx25-00001")), None);
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

    /// The face decoded to RGB, and the colour of one of its pixels.
    fn decoded(png: Vec<u8>) -> impl Fn(u32, u32) -> [u8; 3] {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut rgb = vec![0; reader.output_buffer_size()];
        let frame = reader.next_frame(&mut rgb).unwrap();
        assert_eq!(frame.color_type, png::ColorType::Rgb);
        move |x, y| {
            let i = ((y * WIDTH + x) * 3) as usize;
            [rgb[i], rgb[i + 1], rgb[i + 2]]
        }
    }

    #[test]
    fn the_face_is_drawn_in_the_cards_colours_where_each_belongs() {
        let at = decoded(render(&siti(), "ab12", None));
        let colour = |c: Colour| PALETTE[c as usize];
        assert_eq!(at(5, 5), colour(Colour::Card), "the card's corner");
        assert_eq!(
            at(400, 86),
            colour(Colour::Rule),
            "the rule under the header"
        );
        assert_eq!(at(PHOTO_X + 2, 165), colour(Colour::Photo), "the photo box");
        // The NIK line (scale 3 from y = 110) has ink, and only ink and card in it.
        let nik_row: Vec<[u8; 3]> = (LEFT..PHOTO_X).map(|x| at(x, 110 + 3)).collect();
        assert!(nik_row.contains(&colour(Colour::Ink)), "the NIK is printed");
        assert!(
            nik_row
                .iter()
                .all(|c| *c == colour(Colour::Ink) || *c == colour(Colour::Card))
        );
        // The pixel after the last of a row is the first of the next (the packing keeps rows).
        assert_eq!(at(WIDTH - 1, 86), colour(Colour::Rule));
        assert_eq!(
            at(0, 89),
            colour(Colour::Card),
            "the rule is four rows high"
        );
    }

    #[test]
    fn every_pixel_of_the_png_is_the_one_drawn() {
        let canvas = draw(
            &siti(),
            "ab12",
            Terbit::of_card(Some("3273-20261125-00001")).as_ref(),
        );
        let at = decoded(canvas.png());
        for y in 0..HEIGHT {
            for x in 0..WIDTH {
                let drawn = canvas.pixels[(y * WIDTH + x) as usize];
                assert_eq!(at(x, y), PALETTE[drawn as usize], "pixel ({x}, {y})");
            }
        }
    }

    #[test]
    fn the_face_is_a_png_of_card_size() {
        let png = render(&siti(), "ab12", None);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (WIDTH, HEIGHT));
    }
}
