//! A PDF read back with the tools a person or a print shop would use (Debian's
//! `poppler-utils` and `qpdf`, installed by `scripts/services.sh tools`): its text in the
//! order it is written, each word's box on its page, each page's size, its images, and
//! qpdf's structural check.

use std::{path::Path, process::Command};

/// A PDF written to a temporary file, for the tools to read.
pub struct Pdf {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

/// A word as `pdftotext -bbox` places it: its page (from 1), its box in points from the
/// page's top left corner, its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub page: usize,
    pub x_min: f32,
    pub y_min: f32,
    pub x_max: f32,
    pub y_max: f32,
    pub text: String,
}

fn run(tool: &str, args: &[&str]) -> std::process::Output {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} ({e}): scripts/services.sh tools installs it"));
    assert!(
        out.status.success() || tool == "qpdf",
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

impl Pdf {
    pub fn new(bytes: &[u8]) -> Self {
        assert!(
            bytes.starts_with(b"%PDF-"),
            "not a PDF: {} bytes",
            bytes.len()
        );
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("document.pdf");
        std::fs::write(&path, bytes).expect("the PDF written");
        Self { _dir: dir, path }
    }

    fn path(&self) -> &str {
        self.path.to_str().expect("a UTF-8 temporary path")
    }

    /// The text in the order the document writes it (`pdftotext -raw`).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&run("pdftotext", &["-raw", self.path(), "-"]).stdout).into_owned()
    }

    /// Every page's size in points (`pdfinfo`).
    pub fn page_sizes(&self) -> Vec<(f32, f32)> {
        let out = run("pdfinfo", &["-f", "1", "-l", "999", self.path()]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("Page") && l.contains("size:"))
            .map(|l| {
                let numbers: Vec<f32> = l
                    .split_whitespace()
                    .filter_map(|w| w.parse().ok())
                    .collect();
                // "Page    1 size: 242.65 x 153.01 pts": the page number, then the size.
                (numbers[1], numbers[2])
            })
            .collect()
    }

    /// Every word with its box (`pdftotext -bbox`).
    pub fn words(&self) -> Vec<Word> {
        let html = String::from_utf8_lossy(&run("pdftotext", &["-bbox", self.path(), "-"]).stdout)
            .into_owned();
        let attr = |tag: &str, name: &str| -> f32 {
            let start = tag.find(&format!("{name}=\"")).expect("the attribute") + name.len() + 2;
            let end = start + tag[start..].find('"').expect("its end");
            tag[start..end].parse().expect("a number")
        };
        let mut words = Vec::new();
        let mut page = 0;
        for line in html.lines() {
            let line = line.trim();
            if line.starts_with("<page ") {
                page += 1;
            } else if let Some(tag) = line.strip_prefix("<word ") {
                let text_start = tag.find('>').expect("the tag's end") + 1;
                let text_end = tag.rfind("</word>").expect("the word's end");
                words.push(Word {
                    page,
                    x_min: attr(tag, "xMin"),
                    y_min: attr(tag, "yMin"),
                    x_max: attr(tag, "xMax"),
                    y_max: attr(tag, "yMax"),
                    text: unescape(&tag[text_start..text_end]),
                });
            }
        }
        words
    }

    /// qpdf's check of the file's structure: `Ok` or what it found.
    pub fn qpdf_check(&self) -> Result<(), String> {
        let out = run("qpdf", &["--check", self.path()]);
        let report = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        if out.status.success() && report.contains("No syntax or stream encoding errors") {
            Ok(())
        } else {
            Err(report)
        }
    }

    /// The images of the document, each as a PNG file's bytes (`pdfimages -png`), in order.
    pub fn images(&self) -> Vec<Vec<u8>> {
        let out = tempfile::tempdir().expect("a temporary folder");
        let prefix = out.path().join("image");
        run(
            "pdfimages",
            &["-png", self.path(), prefix.to_str().expect("UTF-8")],
        );
        let mut files: Vec<_> = std::fs::read_dir(out.path())
            .expect("the images' folder")
            .map(|e| e.expect("an entry").path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f: &std::path::PathBuf| std::fs::read(Path::new(f)).expect("an image"))
            .collect()
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// `text` without any white space: what stays the same however a line was wrapped.
pub fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The pixels of a PNG, decoded to 8-bit RGB(A) as it is stored, with its size.
pub fn pixels(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).expect("its pixels");
    buf.truncate(frame.buffer_size());
    (frame.width, frame.height, buf)
}
