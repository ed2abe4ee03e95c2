//! The counter's papers, made from what intake stores: the salinan permohonan of a berkas,
//! from the berkas and its line in the counter's book.

use crate::store::{berkas, buku_harian};
use ktpel_documents::SalinanPermohonan;
use ktpel_domain::{Dokumen, Wilayah, sop::Sop};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// The salinan permohonan of `b`, received as `book` records it.
pub fn salinan_of(b: &berkas::Model, book: &buku_harian::Model) -> SalinanPermohonan {
    let dokumen = serde_json::from_value::<Vec<Dokumen>>(book.dokumen.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.label().to_owned())
        .collect();
    SalinanPermohonan {
        nomor_berkas: b.nomor_berkas.clone(),
        prosedur: format!("{} — {}", b.sop, Sop::get(b.sop).judul()),
        nik: b.nik.clone(),
        nama: b.nama.clone(),
        kecamatan: Wilayah::global().name_of(&b.kecamatan),
        kecamatan_kode: b.kecamatan.clone(),
        dokumen,
        petugas: book.petugas.clone(),
        tanggal: book.tanggal,
    }
}

/// The salinan permohonan of berkas `nomor`, if intake has it and its line in the book.
pub async fn salinan<C: ConnectionTrait>(
    db: &C,
    nomor: &str,
) -> Result<Option<SalinanPermohonan>, DbErr> {
    let Some(b) = berkas::Entity::find_by_id(nomor.to_owned()).one(db).await? else {
        return Ok(None);
    };
    let book = buku_harian::Entity::find()
        .filter(buku_harian::Column::NomorBerkas.eq(nomor))
        .one(db)
        .await?;
    Ok(book.map(|book| salinan_of(&b, &book)))
}
