//! A sheet of A4 paper written from top to bottom: lines of text, rows of a table whose
//! cells wrap, rules; a new page when the bottom margin is reached. What is written is kept
//! as marks per page and laid out with krilla at the end, with DejaVu Sans embedded (its
//! subset), so the file prints the same anywhere and is the same bytes for the same content.
//! Text is measured with the font's own advance widths, so a wrapped line never runs past
//! its cell.

use std::sync::OnceLock;

use krilla::{
    Document,
    geom::{PathBuilder, Point, Size, Transform},
    image::Image,
    page::PageSettings,
    paint::Stroke,
    text::{Font, TextDirection},
};

/// A4 in PostScript points, portrait.
pub const A4: (f32, f32) = (595.28, 841.89);
/// The KTP-el's size, ID-1 (85.60 × 53.98 mm), in points.
pub const ID_1: (f32, f32) = (242.65, 153.01);
/// A4's margins: 2.5 cm left and right, 2 cm top and bottom.
const A4_MARGINS: (f32, f32) = (70.9, 56.7);

/// Why a document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("the embedded font cannot be read")]
    Font,
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    /// What was written does not fit on a sheet that has one side only (a card).
    #[error("the text does not fit on the card")]
    DoesNotFit,
    /// The pas photo given for the card is not a PNG image this can read.
    #[error("the photo is not a readable PNG image: {0}")]
    Photo(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

enum Mark {
    Text {
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        text: String,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
    },
    /// A PNG image, its top left corner at (x, y).
    Image {
        x: f32,
        y: f32,
        size: (f32, f32),
        image: Image,
    },
    /// A pen stroke through points (a signature), or a thin frame when closed.
    Stroke {
        points: Vec<(f32, f32)>,
        width: f32,
    },
}

/// The sheet being written: its size and margins (left and right, top and bottom), its
/// pages' marks and where the pen is.
pub struct Sheet {
    size: (f32, f32),
    margins: (f32, f32),
    pages: Vec<Vec<Mark>>,
    y: f32,
    /// A card has one face: what would go past its bottom margin is an error, not a page.
    one_page: bool,
    overflowed: bool,
    /// A row's first line's height and each wrapped line's after it, in font sizes.
    leading: (f32, f32),
}

impl Default for Sheet {
    fn default() -> Self {
        Self::new()
    }
}

/// DejaVu Sans, read once for its advance widths.
fn faces() -> &'static [ttf_parser::Face<'static>; 2] {
    static FACES: OnceLock<[ttf_parser::Face<'static>; 2]> = OnceLock::new();
    FACES.get_or_init(|| {
        let face = |data| ttf_parser::Face::parse(data, 0).expect("DejaVu Sans is a font");
        [face(dejavu::sans::regular()), face(dejavu::sans::bold())]
    })
}

/// The width of `text` at `size`: the sum of the font's advances (no kerning, which in
/// DejaVu Sans only ever narrows a pair). A character the font lacks counts as a wide one.
pub fn width(text: &str, size: f32, weight: Weight) -> f32 {
    let face = &faces()[weight as usize];
    let units: f32 = text
        .chars()
        .map(|c| {
            face.glyph_index(c)
                .and_then(|g| face.glyph_hor_advance(g))
                .map_or(f32::from(face.units_per_em()), f32::from)
        })
        .sum();
    units / f32::from(face.units_per_em()) * size
}

/// `text` broken at spaces into lines no wider than `room`; a word wider than the room on
/// its own is broken between characters. Never no line: an empty text is one empty line.
fn wrap(text: &str, size: f32, weight: Weight, room: f32) -> Vec<String> {
    let fits = |s: &str| width(s, size, weight) <= room;
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if fits(&candidate) {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        for c in word.chars() {
            current.push(c);
            if !fits(&current) && current.chars().count() > 1 {
                current.pop();
                lines.push(std::mem::replace(&mut current, c.to_string()));
            }
        }
    }
    lines.push(current);
    lines
}

impl Sheet {
    /// A4, portrait (letters, Berita Acara).
    pub fn new() -> Self {
        Self {
            size: A4,
            margins: A4_MARGINS,
            pages: vec![Vec::new()],
            y: A4_MARGINS.1,
            one_page: false,
            overflowed: false,
            leading: (1.5, 1.2),
        }
    }

    /// A card, ID-1, with margins of 8 pt left and right, 6 pt top and bottom (the KTP-el).
    pub fn card() -> Self {
        Self {
            size: ID_1,
            margins: (8.0, 6.0),
            pages: vec![Vec::new()],
            y: 6.0,
            one_page: true,
            overflowed: false,
            leading: (1.25, 1.15),
        }
    }

    /// A4, landscape (the Kartu Keluarga's family table).
    pub fn landscape() -> Self {
        Self {
            size: (A4.1, A4.0),
            ..Self::new()
        }
    }

    fn left(&self) -> f32 {
        self.margins.0
    }

    fn right(&self) -> f32 {
        self.size.0 - self.margins.0
    }

    /// The width there is to write in.
    pub fn text_width(&self) -> f32 {
        self.right() - self.left()
    }

    /// Moves down `height`, starting a new page if that passes the bottom margin.
    fn advance(&mut self, height: f32) {
        if self.y + height > self.size.1 - self.margins.1 {
            if self.one_page {
                self.overflowed = true;
            }
            self.pages.push(Vec::new());
            self.y = self.margins.1;
        }
        self.y += height;
    }

    fn mark(&mut self, mark: Mark) {
        self.pages.last_mut().expect("a page").push(mark);
    }

    /// One line of text; more where it is wider than the page's text width (each wrapped
    /// line aligned the same).
    pub fn line(&mut self, text: &str, size: f32, weight: Weight, align: Align) {
        for part in wrap(text, size, weight, self.text_width()) {
            self.advance(size * 1.35);
            let left = self.left();
            let x = match align {
                Align::Left => left,
                Align::Center => {
                    ((left + self.right() - width(&part, size, weight)) / 2.0).max(left)
                }
            };
            let y = self.y;
            self.mark(Mark::Text {
                x,
                y,
                size,
                weight,
                text: part,
            });
        }
    }

    /// A paragraph, wrapped at word boundaries to the text width.
    pub fn paragraph(&mut self, text: &str, size: f32) {
        for line in wrap(text, size, Weight::Regular, self.text_width()) {
            if !line.is_empty() {
                self.line(&line, size, Weight::Regular, Align::Left);
            }
        }
    }

    /// A row of cells, each at its offset from the left margin and wrapped to the room
    /// before the next; the row is as tall as its tallest cell. Each cell is written whole
    /// before the next, so a text extractor reads a wrapped value in one piece.
    pub fn row(&mut self, cells: &[(f32, &str)], size: f32, weight: Weight) {
        let lines: Vec<Vec<String>> = cells
            .iter()
            .enumerate()
            .map(|(i, (at, text))| {
                let room = cells
                    .get(i + 1)
                    .map_or(self.text_width() - at, |(next, _)| next - at - 4.0);
                wrap(text, size, weight, room)
            })
            .collect();
        let (first, next) = (size * self.leading.0, size * self.leading.1);
        let tallest = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        self.advance(first + next * (tallest - 1) as f32);
        let top = self.y - first - next * (tallest - 1) as f32;
        for ((at, _), cell) in cells.iter().zip(lines) {
            let x = self.left() + at;
            for (k, text) in cell.into_iter().enumerate() {
                let y = top + first + next * k as f32;
                self.mark(Mark::Text {
                    x,
                    y,
                    size,
                    weight,
                    text,
                });
            }
        }
    }

    /// Text at a place of its own, `(x, y)` from the top left margin corner (its baseline),
    /// the pen left where it is: what stands beside the flow, as on a card.
    pub fn text_at(&mut self, (x, y): (f32, f32), text: &str, size: f32, weight: Weight) {
        let (x, y) = (self.left() + x, self.margins.1 + y);
        self.mark(Mark::Text {
            x,
            y,
            size,
            weight,
            text: text.to_owned(),
        });
    }

    /// A PNG image in the box `size` at `(x, y)` from the top left margin corner, the pen
    /// left where it is.
    pub fn image_at(
        &mut self,
        (x, y): (f32, f32),
        size: (f32, f32),
        png: &[u8],
    ) -> Result<(), DocumentError> {
        let image = Image::from_png(png.to_vec().into(), true).map_err(DocumentError::Photo)?;
        let (x, y) = (self.left() + x, self.margins.1 + y);
        self.mark(Mark::Image { x, y, size, image });
        Ok(())
    }

    /// A pen stroke through `points`, each from the top left margin corner.
    pub fn stroke_at(&mut self, points: &[(f32, f32)], width: f32) {
        let (left, top) = (self.left(), self.margins.1);
        let points = points.iter().map(|(x, y)| (left + x, top + y)).collect();
        self.mark(Mark::Stroke { points, width });
    }

    /// Where the pen is, from the top margin: where what follows begins.
    pub fn pen(&self) -> f32 {
        self.y - self.margins.1
    }

    /// The next page, on purpose (a card's back); the pen at its top.
    pub fn next_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.margins.1;
    }

    /// A horizontal rule across the text width, a little below the last line.
    pub fn rule(&mut self) {
        self.advance(4.0);
        let y = self.y;
        let (x1, x2) = (self.left(), self.right());
        self.mark(Mark::Rule { x1, x2, y });
    }

    /// Empty space.
    pub fn gap(&mut self, height: f32) {
        self.advance(height);
    }

    /// The Dinas's letterhead: the government of `kabupaten`, the office, its province, a
    /// rule.
    pub fn letterhead(&mut self, kabupaten: &str, provinsi: &str) {
        self.line(
            &format!("PEMERINTAH {}", kabupaten.to_uppercase()),
            12.0,
            Weight::Bold,
            Align::Center,
        );
        self.line(
            "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
            13.0,
            Weight::Bold,
            Align::Center,
        );
        self.line(
            &format!("PROVINSI {}", provinsi.to_uppercase()),
            10.0,
            Weight::Regular,
            Align::Center,
        );
        self.rule();
    }

    /// A letter's title under its letterhead: the title, its number, room after.
    pub fn letter_title(&mut self, title: &str, nomor: &str) {
        self.gap(10.0);
        self.line(title, 12.0, Weight::Bold, Align::Center);
        self.line(
            &format!("Nomor: {nomor}"),
            10.0,
            Weight::Regular,
            Align::Center,
        );
        self.gap(10.0);
    }

    /// A receipt's heading: its title, a line under it (the office), a rule.
    pub fn heading(&mut self, title: &str, under: &str) {
        self.line(title, 13.0, Weight::Bold, Align::Center);
        self.line(under, 10.0, Weight::Regular, Align::Center);
        self.rule();
        self.gap(6.0);
    }

    /// Labelled values, one a line: `label : value`, the values aligned.
    pub fn fields(&mut self, fields: &[(&str, &str)]) {
        for (label, value) in fields {
            let value = format!(": {value}");
            self.row(&[(0.0, label), (110.0, &value)], 10.0, Weight::Regular);
        }
    }

    /// Two blocks side by side (the signatures at the foot of a Berita Acara): each a list
    /// of lines, the left at the margin, the right from the middle.
    pub fn columns(&mut self, left: &[&str], right: &[&str], size: f32) {
        let lines = left.len().max(right.len());
        for i in 0..lines {
            let cells: Vec<(f32, &str)> = [
                (0.0, left.get(i).copied().unwrap_or("")),
                (
                    self.text_width() / 2.0 + 10.0,
                    right.get(i).copied().unwrap_or(""),
                ),
            ]
            .into_iter()
            .collect();
            self.row(&cells, size, Weight::Regular);
        }
    }

    /// The PDF: every page laid out, the fonts embedded.
    pub fn finish(self) -> Result<Vec<u8>, DocumentError> {
        if self.overflowed {
            return Err(DocumentError::DoesNotFit);
        }
        let regular = Font::new(dejavu::sans::regular().into(), 0).ok_or(DocumentError::Font)?;
        let bold = Font::new(dejavu::sans::bold().into(), 0).ok_or(DocumentError::Font)?;
        let mut document = Document::new();
        for marks in self.pages {
            let settings =
                PageSettings::from_wh(self.size.0, self.size.1).expect("A4 is a page size");
            let mut page = document.start_page_with(settings);
            let mut surface = page.surface();
            for mark in marks {
                match mark {
                    Mark::Text {
                        x,
                        y,
                        size,
                        weight,
                        text,
                    } => {
                        let font = match weight {
                            Weight::Regular => regular.clone(),
                            Weight::Bold => bold.clone(),
                        };
                        surface.draw_text(
                            Point::from_xy(x, y),
                            font,
                            size,
                            &text,
                            false,
                            TextDirection::Auto,
                        );
                    }
                    Mark::Rule { x1, x2, y } => stroke(&mut surface, &[(x1, y), (x2, y)], 0.6),
                    Mark::Stroke { points, width } => stroke(&mut surface, &points, width),
                    Mark::Image {
                        x,
                        y,
                        size: (w, h),
                        image,
                    } => {
                        surface.push_transform(&Transform::from_translate(x, y));
                        surface.draw_image(image, Size::from_wh(w, h).expect("a photo's box"));
                        surface.pop();
                    }
                }
            }
            surface.finish();
            page.finish();
        }
        document
            .finish()
            .map_err(|e| DocumentError::Pdf(format!("{e:?}")))
    }
}

/// A line through `points`, `width` thick.
fn stroke(surface: &mut krilla::surface::Surface, points: &[(f32, f32)], width: f32) {
    let mut path = PathBuilder::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i == 0 {
            path.move_to(*x, *y);
        } else {
            path.line_to(*x, *y);
        }
    }
    if let Some(path) = path.finish() {
        surface.set_stroke(Some(Stroke {
            width,
            ..Default::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_measured_with_the_font() {
        // DejaVu Sans: "i" is narrow, "W" wide; bold is wider.
        assert!(width("iiii", 10.0, Weight::Regular) < width("WWWW", 10.0, Weight::Regular));
        assert!(width("NIK", 10.0, Weight::Bold) > width("NIK", 10.0, Weight::Regular));
        assert_eq!(width("", 10.0, Weight::Regular), 0.0);
    }

    #[test]
    fn wrapped_lines_keep_every_word_and_stay_in_their_room() {
        let text = "JL. RAYA CIBEUREUM GANG H. ABDUL MU'IN NO. 123 KOMPLEKS PERUMAHAN";
        let lines = wrap(text, 10.0, Weight::Regular, 120.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(
            lines
                .iter()
                .all(|l| width(l, 10.0, Weight::Regular) <= 120.0)
        );
        assert_eq!(lines.join(" "), text);
        // One word longer than the room: broken between characters, nothing lost.
        let long = "X".repeat(60);
        let lines = wrap(&long, 10.0, Weight::Regular, 50.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), long);
        assert_eq!(wrap("", 10.0, Weight::Regular, 50.0), vec![String::new()]);
    }
}
