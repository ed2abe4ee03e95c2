//! The station's papers, made from what biometric stores: the bukti perekaman of a berkas,
//! from its enrollment.

use crate::store::enrollment;
use ktpel_contract::berkas::kecamatan_of;
use ktpel_documents::{BuktiPerekaman, tanggal};
use ktpel_domain::Wilayah;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// The kecamatan `e` was enrolled in: as recorded, else the one its berkas number names.
pub fn kecamatan(e: &enrollment::Model) -> String {
    e.kecamatan
        .clone()
        .or_else(|| kecamatan_of(&e.nomor_berkas))
        .unwrap_or_default()
}

/// The bukti perekaman of enrollment `e`.
pub fn bukti_of(e: &enrollment::Model) -> BuktiPerekaman {
    let kecamatan = kecamatan(e);
    BuktiPerekaman {
        nomor_bukti: e.bukti_perekaman.clone(),
        nomor_berkas: e.nomor_berkas.clone(),
        nik: e.nik.clone(),
        kecamatan: Wilayah::global().name_of(&kecamatan),
        kecamatan_kode: kecamatan,
        operator: e.operator.clone(),
        direkam: tanggal::wib(e.enrolled_at),
    }
}

/// The bukti perekaman of berkas `nomor`, if it was enrolled here.
pub async fn bukti<C: ConnectionTrait>(
    db: &C,
    nomor: &str,
) -> Result<Option<BuktiPerekaman>, DbErr> {
    Ok(enrollment::Entity::find()
        .filter(enrollment::Column::NomorBerkas.eq(nomor))
        .one(db)
        .await?
        .map(|e| bukti_of(&e)))
}
