//! `GET /siak/kk/{no_kk}`: the Kartu Keluarga as PDF, made from the register's rows of the
//! family (the same file each time while the family is unchanged), for the SIAK operator
//! whose kecamatan the family lives in.

use super::Siak;
use crate::store::penduduk;
use axum::{
    extract::{Path, State},
    response::Response,
};
use ktpel_documents::kartu_keluarga::{Anggota, KartuKeluarga};
use ktpel_domain::{KodeWilayah, Wilayah};
use ktpel_web::{Desk, Refusal, Signed};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// The name of region `code` (the code itself when unknown).
fn name(code: &KodeWilayah) -> String {
    Wilayah::global().name_of(&code.to_string())
}

pub(super) async fn kk_pdf(
    State(s): State<Siak>,
    me: Signed,
    Path(no_kk): Path<String>,
) -> Result<Response, Refusal> {
    me.at(Desk::Siak)?;
    let members = penduduk::Entity::find()
        .filter(penduduk::Column::NoKk.eq(no_kk.clone()))
        .order_by_asc(penduduk::Column::TanggalLahir)
        .order_by_asc(penduduk::Column::Nik)
        .all(&s.db)
        .await
        .map_err(Refusal::unavailable)?;
    // The family's desa is its eldest member's; another kecamatan's operator is told the
    // same as for a KK that does not exist.
    let first = members.first().ok_or(Refusal::NotFound)?;
    let desa = KodeWilayah::parse(&first.desa).map_err(|_| Refusal::NotFound)?;
    let lineage = desa.lineage();
    let kecamatan = desa.parent().ok_or(Refusal::NotFound)?;
    if !me.account.covers(&kecamatan.to_string()) {
        return Err(Refusal::NotFound);
    }
    let at = |i: usize| lineage.get(i).map(name).unwrap_or_default();
    let kk = KartuKeluarga {
        no_kk: no_kk.clone(),
        alamat: first.alamat.clone(),
        desa: name(&desa),
        desa_kode: desa.to_string(),
        kecamatan: name(&kecamatan),
        kabupaten: at(1),
        provinsi: at(0),
        anggota: members
            .iter()
            .map(|m| Anggota {
                nik: m.nik.clone(),
                nama: m.nama.clone(),
                jenis_kelamin: m.kelamin().to_string(),
                tempat_lahir: m.tempat_lahir.clone(),
                tanggal_lahir: m.tanggal_lahir,
            })
            .collect(),
    };
    ktpel_web::pdf(&format!("kk-{no_kk}.pdf"), kk.pdf())
}
