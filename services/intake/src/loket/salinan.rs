//! `GET /loket/berkas/{nomor}/salinan.pdf`: the salinan permohonan as PDF, made from the
//! berkas and the counter's book (the same file each time), for the staff of the berkas's
//! kecamatan, as its page is.

use super::Loket;
use axum::{
    extract::{Path, State},
    response::Response,
};
use ktpel_documents::SalinanPermohonan;
use ktpel_domain::{Dokumen, Wilayah, sop::Sop};
use ktpel_web::{Refusal, Signed};

pub(super) async fn salinan_pdf(
    State(loket): State<Loket>,
    me: Signed,
    Path(nomor): Path<String>,
) -> Result<Response, Refusal> {
    let (b, book) = super::berkas_for(&loket, &me, &nomor).await?;
    let book = book.ok_or(Refusal::NotFound)?;
    let dokumen = serde_json::from_value::<Vec<Dokumen>>(book.dokumen)
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.label().to_owned())
        .collect();
    let salinan = SalinanPermohonan {
        nomor_berkas: b.nomor_berkas.clone(),
        prosedur: format!("{} — {}", b.sop, Sop::get(b.sop).judul()),
        nik: b.nik.clone(),
        nama: b.nama.clone(),
        kecamatan: Wilayah::global().name_of(&b.kecamatan),
        kecamatan_kode: b.kecamatan.clone(),
        dokumen,
        petugas: book.petugas,
        tanggal: book.tanggal,
    };
    ktpel_web::pdf(&format!("salinan-{nomor}.pdf"), salinan.pdf())
}
