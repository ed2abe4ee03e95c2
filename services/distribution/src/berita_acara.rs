//! The Berita Acara Serah Terima (S22.3): the hand-over record between the Dinas and a
//! kecamatan, listing every card by desa/kelurahan, with room for both signatures.

use crate::store::kartu;
use ktpel_domain::{KodeWilayah, Wilayah};
use std::collections::BTreeMap;

fn name(code: &str) -> String {
    KodeWilayah::parse(code)
        .ok()
        .and_then(|k| Wilayah::global().resolve(&k).ok())
        .map(|r| r.name)
        .unwrap_or_else(|| code.to_owned())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The document for `cards` of one kecamatan, handed over by `petugas`.
pub fn render(
    batch: &str,
    kecamatan: &str,
    petugas: &str,
    date: &str,
    cards: &[kartu::Model],
) -> String {
    let mut by_desa: BTreeMap<&str, Vec<&kartu::Model>> = BTreeMap::new();
    for c in cards {
        by_desa.entry(&c.desa).or_default().push(c);
    }
    let mut rows = String::new();
    let mut n = 0;
    for (desa, list) in &by_desa {
        rows.push_str(&format!(
            "<tr><th colspan=4>Kel/Desa {} ({})</th></tr>",
            escape(&name(desa)),
            desa
        ));
        for c in list {
            n += 1;
            rows.push_str(&format!(
                "<tr><td>{n}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                c.nik,
                escape(&c.nama),
                c.nomor_berkas
            ));
        }
    }
    format!(
        "<!doctype html><meta charset=utf-8><title>Berita Acara Serah Terima {batch}</title>\
         <h1>BERITA ACARA SERAH TERIMA KTP-EL</h1>\
         <p>Nomor: {batch}<br>Tanggal: {date}</p>\
         <p>Pada hari ini Dinas Kependudukan dan Pencatatan Sipil menyerahkan {n} (keping) KTP-el \
         kepada Kecamatan {kec} ({kecamatan}) dengan rincian sebagai berikut:</p>\
         <table border=1 cellpadding=4><tr><th>No</th><th>NIK</th><th>Nama</th><th>Nomor berkas</th></tr>{rows}</table>\
         <table width=100%><tr><td>Yang menyerahkan,<br>Petugas Pendistribusian KTP-el<br><br><br>{p}</td>\
         <td>Yang menerima,<br>Petugas Kecamatan {kec}<br><br><br>(.....................)</td></tr></table>",
        kec = escape(&name(kecamatan)),
        p = escape(petugas),
    )
}
