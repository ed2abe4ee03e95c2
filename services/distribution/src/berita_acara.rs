//! The papers of distribution, made from its rows: the Berita Acara Serah Terima (S22.3), the
//! hand-over record between the Dinas and a kecamatan, listing every card by desa/kelurahan,
//! with room for both signatures; the tanda terima the resident signs for their card (S22.4).

use crate::{
    desk::DeskError,
    store::{batch, kartu},
};
use ktpel_documents::berita_acara::{BeritaAcara, Desa, Kartu};
use ktpel_domain::{KodeWilayah, Wilayah};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;

/// The Berita Acara of `b` as PDF (A4), made from what is stored — the batch and its cards —
/// so it is the same bytes every time it is printed.
pub async fn pdf<C: ConnectionTrait>(db: &C, b: &batch::Model) -> Result<Vec<u8>, DeskError> {
    let cards = kartu::Entity::find()
        .filter(kartu::Column::BatchId.eq(b.batch_id))
        .order_by_asc(kartu::Column::Desa)
        .order_by_asc(kartu::Column::Nik)
        .all(db)
        .await?;
    let mut desa: Vec<Desa> = Vec::new();
    for c in cards {
        if desa.last().is_none_or(|d| d.kode != c.desa) {
            desa.push(Desa {
                kode: c.desa.clone(),
                nama: name(&c.desa),
                kartu: Vec::new(),
            });
        }
        desa.last_mut().expect("pushed").kartu.push(Kartu {
            nik: c.nik,
            nama: c.nama,
            nomor_berkas: c.nomor_berkas,
        });
    }
    let lineage = KodeWilayah::parse(&b.kecamatan)
        .map(|k| k.lineage())
        .unwrap_or_default();
    let at = |i: usize| {
        lineage
            .get(i)
            .map(|k| name(&k.to_string()))
            .unwrap_or_default()
    };
    let document = BeritaAcara {
        nomor: format!("BAST-{}", b.batch_id.simple()),
        tanggal: ktpel_documents::tanggal::wib(b.created_at).date(),
        provinsi: at(0),
        kabupaten: at(1),
        kecamatan_kode: b.kecamatan.clone(),
        kecamatan: name(&b.kecamatan),
        petugas: b.petugas.clone(),
        desa,
    };
    Ok(document.pdf()?)
}

fn name(code: &str) -> String {
    Wilayah::global().name_of(code)
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

/// The tanda terima of card `c` (S22.4), once handed over: made from the card's row alone.
/// None before the hand-over.
pub fn tanda_terima(c: &kartu::Model) -> Option<ktpel_documents::TandaTerima> {
    let (penerima, at) = (c.tanda_terima_by.clone()?, c.handed_over_at?);
    let tempat = if c.at_dinas_desk {
        "Loket Dinas Kependudukan dan Pencatatan Sipil".to_owned()
    } else {
        format!("Kecamatan {} ({})", name(&c.kecamatan), c.kecamatan)
    };
    Some(ktpel_documents::TandaTerima {
        nomor_berkas: c.nomor_berkas.clone(),
        nomor_kartu: c.nomor_kartu.clone().unwrap_or_default(),
        nik: c.nik.clone(),
        nama: c.nama.clone(),
        tempat,
        penerima,
        petugas: c.handed_over_by.clone().unwrap_or_default(),
        diserahkan: ktpel_documents::tanggal::wib(at),
    })
}
