//! SIAK's papers as PDF. `GET /siak/kk/{no_kk}`: the Kartu Keluarga, made from the
//! register's rows of the family (the same file each time while the family is unchanged), for
//! the SIAK operator whose kecamatan the family lives in; `GET /siak/skp/{nomor}`: the Surat
//! Keterangan Pindah of a family that left.

use super::Siak;
use crate::store::penduduk;
use axum::{
    extract::{Path, State},
    response::Response,
};
use ktpel_documents::kartu_keluarga::{Anggota, KartuKeluarga, RincianAnggota};
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
    // A member SIAK cannot read (a row changed by hand) is not printed with a guess.
    let biodata = members
        .iter()
        .map(|m| m.biodata().map_err(Refusal::unavailable))
        .collect::<Result<Vec<_>, _>>()?;
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
            .zip(biodata)
            .map(|(m, b)| Anggota {
                nik: m.nik.clone(),
                nama: m.nama.clone(),
                jenis_kelamin: m.kelamin().to_string(),
                tempat_lahir: m.tempat_lahir.clone(),
                tanggal_lahir: m.tanggal_lahir,
                rincian: b.rincian.map(|r| RincianAnggota {
                    agama: r.agama.printed().into(),
                    pendidikan: r.pendidikan.printed().into(),
                    pekerjaan: r.pekerjaan,
                    golongan_darah: r.golongan_darah.printed().into(),
                    status_perkawinan: r.status_perkawinan.printed().into(),
                    hubungan: r.hubungan.printed().into(),
                    kewarganegaraan: r.kewarganegaraan.printed().into(),
                    nama_ayah: r.nama_ayah,
                    nama_ibu: r.nama_ibu,
                }),
            })
            .collect(),
    };
    ktpel_web::pdf(&format!("kk-{no_kk}.pdf"), kk.pdf())
}

/// `GET /siak/skp/{nomor}`: the Surat Keterangan Pindah as PDF, made from the stored record
/// of the family that left (S18), for the SIAK operator of the family's kecamatan.
pub(super) async fn skp_pdf(
    State(s): State<Siak>,
    me: Signed,
    Path(nomor): Path<String>,
) -> Result<Response, Refusal> {
    me.at(Desk::Siak)?;
    let row = crate::store::pindah_keluar::Entity::find_by_id(nomor.clone())
        .one(&s.db)
        .await
        .map_err(Refusal::unavailable)?
        .ok_or(Refusal::NotFound)?;
    let anggota: Vec<ktpel_contract::registry::AnggotaPindah> =
        serde_json::from_value(row.keluarga).map_err(Refusal::unavailable)?;
    let first = anggota.first().ok_or(Refusal::NotFound)?;
    let desa = KodeWilayah::parse(&first.biodata.desa).map_err(|_| Refusal::NotFound)?;
    let kecamatan = desa.parent().ok_or(Refusal::NotFound)?;
    if !me.account.covers(&kecamatan.to_string()) {
        return Err(Refusal::NotFound);
    }
    let lineage = desa.lineage();
    let at = |i: usize| lineage.get(i).copied();
    let dari = at(1).ok_or(Refusal::NotFound)?;
    let ke = KodeWilayah::parse(&row.ke).map_err(|_| Refusal::NotFound)?;
    let letter = ktpel_documents::SuratPindah {
        nomor: row.nomor_skp,
        tanggal: ktpel_documents::tanggal::wib(row.at).date(),
        provinsi: at(0).map(|p| name(&p)).unwrap_or_default(),
        dari: name(&dari),
        dari_kode: dari.to_string(),
        ke: name(&ke),
        ke_kode: ke.to_string(),
        anggota: anggota
            .iter()
            .map(|a| ktpel_documents::surat_pindah::Pindah {
                nik: a.biodata.nik.to_string(),
                nama: a.biodata.nama.clone(),
                tempat_lahir: a.biodata.tempat_lahir.clone(),
                tanggal_lahir: a.biodata.tanggal_lahir,
            })
            .collect(),
    };
    ktpel_web::pdf(&format!("{nomor}.pdf"), letter.pdf())
}
