//! SIAK's papers as PDF. `GET /siak/kk/{no_kk}`: the Kartu Keluarga, made from the
//! register's rows of the family (the same file each time while the family is unchanged), for
//! the SIAK operator whose kecamatan the family lives in; `GET /siak/skp/{nomor}`: the Surat
//! Keterangan Pindah of a family that left.

use super::Siak;
use crate::papers::{self, PaperError};
use axum::{
    extract::{Path, State},
    response::Response,
};
use ktpel_web::{Desk, Refusal, Signed};

fn refusal(e: PaperError) -> Refusal {
    Refusal::unavailable(e)
}

pub(super) async fn kk_pdf(
    State(s): State<Siak>,
    me: Signed,
    Path(no_kk): Path<String>,
) -> Result<Response, Refusal> {
    me.at(Desk::Siak)?;
    let paper = papers::kartu_keluarga(&s.db, &no_kk)
        .await
        .map_err(refusal)?
        .ok_or(Refusal::NotFound)?;
    // Another kecamatan's operator is told the same as for a KK that does not exist.
    if !me.account.covers(&paper.kecamatan.to_string()) {
        return Err(Refusal::NotFound);
    }
    ktpel_web::pdf(&format!("kk-{no_kk}.pdf"), paper.document.pdf())
}

/// `GET /siak/skp/{nomor}`: the Surat Keterangan Pindah as PDF, made from the stored record
/// of the family that left (S18), for the SIAK operator of the family's kecamatan.
pub(super) async fn skp_pdf(
    State(s): State<Siak>,
    me: Signed,
    Path(nomor): Path<String>,
) -> Result<Response, Refusal> {
    me.at(Desk::Siak)?;
    let paper = papers::surat_pindah(&s.db, &nomor)
        .await
        .map_err(refusal)?
        .ok_or(Refusal::NotFound)?;
    if !me.account.covers(&paper.kecamatan.to_string()) {
        return Err(Refusal::NotFound);
    }
    ktpel_web::pdf(&format!("{nomor}.pdf"), paper.document.pdf())
}
