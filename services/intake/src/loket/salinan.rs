//! `GET /loket/berkas/{nomor}/salinan.pdf`: the salinan permohonan as PDF, made from the
//! berkas and the counter's book (the same file each time), for the staff of the berkas's
//! kecamatan, as its page is.

use super::Loket;
use axum::{
    extract::{Path, State},
    response::Response,
};
use ktpel_web::{Refusal, Signed};

pub(super) async fn salinan_pdf(
    State(loket): State<Loket>,
    me: Signed,
    Path(nomor): Path<String>,
) -> Result<Response, Refusal> {
    let (b, book) = super::berkas_for(&loket, &me, &nomor).await?;
    let book = book.ok_or(Refusal::NotFound)?;
    let salinan = crate::papers::salinan_of(&b, &book);
    ktpel_web::pdf(&format!("salinan-{nomor}.pdf"), salinan.pdf())
}
