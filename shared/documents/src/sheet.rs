//! A sheet of A4 paper written from top to bottom: lines of text, rows of a table, rules;
//! a new page when the bottom margin is reached. What is written is kept as marks per page
//! and laid out with krilla at the end, with DejaVu Sans embedded (its subset), so the file
//! prints the same anywhere and is the same bytes for the same content.

use krilla::{
    Document,
    geom::{PathBuilder, Point},
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
}

impl Default for Sheet {
    fn default() -> Self {
        Self::new()
    }
}

/// The width of `text` at `size`, estimated from DejaVu Sans's average advance (a little
/// over half the size; bold a little wider). Used to centre and wrap, on the safe side.
fn width(text: &str, size: f32, weight: Weight) -> f32 {
    let em = match weight {
        Weight::Regular => 0.56,
        Weight::Bold => 0.62,
    };
    text.chars().count() as f32 * size * em
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
        }
    }

    /// A card, ID-1, with 8 pt margins (the KTP-el's face).
    pub fn card() -> Self {
        Self {
            size: ID_1,
            margins: (8.0, 8.0),
            pages: vec![Vec::new()],
            y: 8.0,
            one_page: true,
            overflowed: false,
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

    /// One line of text.
    pub fn line(&mut self, text: &str, size: f32, weight: Weight, align: Align) {
        self.advance(size * 1.35);
        let left = self.left();
        let x = match align {
            Align::Left => left,
            Align::Center => ((left + self.right() - width(text, size, weight)) / 2.0).max(left),
        };
        let y = self.y;
        self.mark(Mark::Text {
            x,
            y,
            size,
            weight,
            text: text.to_owned(),
        });
    }

    /// A paragraph, wrapped at word boundaries to the text width.
    pub fn paragraph(&mut self, text: &str, size: f32) {
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if !current.is_empty() && width(&candidate, size, Weight::Regular) > self.text_width() {
                self.line(&current, size, Weight::Regular, Align::Left);
                current = word.to_owned();
            } else {
                current = candidate;
            }
        }
        if !current.is_empty() {
            self.line(&current, size, Weight::Regular, Align::Left);
        }
    }

    /// A row of cells, each at its offset from the left margin, cut to fit before the next.
    pub fn row(&mut self, cells: &[(f32, &str)], size: f32, weight: Weight) {
        self.advance(size * 1.5);
        let y = self.y;
        for (i, (at, text)) in cells.iter().enumerate() {
            let room = cells
                .get(i + 1)
                .map_or(self.text_width() - at, |(next, _)| next - at - 4.0);
            let mut shown: String = (*text).to_owned();
            while !shown.is_empty() && width(&shown, size, weight) > room {
                shown.pop();
            }
            let x = self.left() + at;
            self.mark(Mark::Text {
                x,
                y,
                size,
                weight,
                text: shown,
            });
        }
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
                    Mark::Rule { x1, x2, y } => {
                        let mut path = PathBuilder::new();
                        path.move_to(x1, y);
                        path.line_to(x2, y);
                        if let Some(path) = path.finish() {
                            surface.set_stroke(Some(Stroke {
                                width: 0.6,
                                ..Default::default()
                            }));
                            surface.draw_path(&path);
                            surface.set_stroke(None);
                        }
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
