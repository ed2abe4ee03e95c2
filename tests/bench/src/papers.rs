//! `cargo run --release -p bench -- papers --cards 1000`: the card as the print desk makes it.
//!
//! For `--cards` synthetic residents (the whole biodata, the station's photo and signature),
//! the card's PNG face (the print preview, drawn pixel by pixel with a bitmap font) and its PDF
//! (front and back at ID-1, DejaVu Sans embedded, the photo), made one after the other for
//! each resident so both see the same machine at the same moment. Reported: the median and
//! p99 of each, the PDF's as a ratio to the PNG's, and the files' sizes.

use ktpel_biometric::station::{Person, portrait, signature_trace};
use ktpel_card_print::face::{self, Beside};
use ktpel_domain::KodeWilayah;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Cards to make, each as PNG and as PDF.
    #[arg(long, default_value_t = 1000)]
    cards: usize,
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

pub async fn run(args: Args) {
    let region = KodeWilayah::parse("32.73.01").expect("Sukasari");
    let people =
        ktpel_registry::seed::generate(&region, args.cards.max(1), 11).expect("a population");
    println!(
        "Papers benchmark: the card of {} residents, as the PNG preview and as PDF (front and back)",
        people.len()
    );
    let (mut png, mut pdf) = (Vec::new(), Vec::new());
    let (mut png_bytes, mut pdf_bytes) = (0usize, 0usize);
    for (i, b) in people.iter().enumerate() {
        let person = Person::of(&b.nik);
        let photo = portrait(&person, "photo");
        let digest: String = Sha256::digest(&photo)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect();
        let nomor = format!("3273-20261207-{:05}", i + 1);
        let terbit = face::Terbit::of_card(Some(&nomor));
        let started = Instant::now();
        let preview = face::render(b, &digest, terbit.as_ref());
        png.push(started.elapsed());
        png_bytes += preview.len();
        let beside = Beside {
            nomor_kartu: Some(nomor),
            photo_sha256: digest,
            pas_foto: Some(photo),
            tanda_tangan: Some(signature_trace(&person, "signature")),
        };
        let started = Instant::now();
        let card = face::pdf(b, &beside).expect("the card");
        pdf.push(started.elapsed());
        pdf_bytes += card.len();
    }
    png.sort();
    pdf.sort();
    let n = people.len();
    let row = |what: &str, times: &[Duration], bytes: usize| {
        println!(
            "| {what} | {:.0} | {:.0} | {:.2} | {} |",
            quantile(times, 0.5).as_secs_f64() * 1e6,
            quantile(times, 0.99).as_secs_f64() * 1e6,
            quantile(times, 0.5).as_secs_f64() / quantile(&png, 0.5).as_secs_f64(),
            bytes / n,
        );
    };
    println!();
    println!("| the card as | median µs | p99 µs | median ÷ PNG's | bytes |");
    println!("|---|---:|---:|---:|---:|");
    row("PNG preview (baseline)", &png, png_bytes);
    row("PDF, front and back", &pdf, pdf_bytes);
}
