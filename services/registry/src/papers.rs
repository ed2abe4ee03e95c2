//! SIAK's papers, made from the register alone (the same file each time while the rows are
//! unchanged): the Kartu Keluarga of a family, from its members' rows; the Surat Keterangan
//! Pindah of a family that left, from the record kept of it. The SIAK desk serves them
//! (`/siak/kk/{no_kk}`, `/siak/skp/{nomor}`), and `ktpel demo --documents` files them.

use crate::store::{penduduk, pindah_keluar};
use ktpel_documents::{
    KartuKeluarga, SuratPindah,
    kartu_keluarga::{Anggota, RincianAnggota},
    surat_pindah::Pindah,
};
use ktpel_domain::{KodeWilayah, Wilayah};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// Why a paper of the register could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    /// A row SIAK cannot read (changed by hand): nothing is printed with a guess.
    #[error("the register's record is unreadable: {0}")]
    Unreadable(String),
}

/// A paper and the kecamatan of the family it is about (whose SIAK operator may print it).
#[derive(Debug, Clone)]
pub struct Paper<T> {
    pub kecamatan: KodeWilayah,
    pub document: T,
}

/// The name of region `code` (the code itself when unknown).
fn name(code: &KodeWilayah) -> String {
    Wilayah::global().name_of(&code.to_string())
}

fn unreadable(e: impl std::fmt::Display) -> PaperError {
    PaperError::Unreadable(e.to_string())
}

/// The Kartu Keluarga `no_kk`, its members eldest first; none when no resident has it.
pub async fn kartu_keluarga<C: ConnectionTrait>(
    db: &C,
    no_kk: &str,
) -> Result<Option<Paper<KartuKeluarga>>, PaperError> {
    let members = penduduk::Entity::find()
        .filter(penduduk::Column::NoKk.eq(no_kk))
        .order_by_asc(penduduk::Column::TanggalLahir)
        .order_by_asc(penduduk::Column::Nik)
        .all(db)
        .await?;
    // The family's desa is its eldest member's.
    let Some(first) = members.first() else {
        return Ok(None);
    };
    let desa = KodeWilayah::parse(&first.desa).map_err(unreadable)?;
    let kecamatan = desa
        .parent()
        .ok_or_else(|| unreadable("a desa without kecamatan"))?;
    let lineage = desa.lineage();
    let at = |i: usize| lineage.get(i).map(name).unwrap_or_default();
    let mut anggota = Vec::with_capacity(members.len());
    for m in &members {
        let b = m.biodata().map_err(unreadable)?;
        anggota.push(Anggota {
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
        });
    }
    Ok(Some(Paper {
        kecamatan,
        document: KartuKeluarga {
            no_kk: no_kk.to_owned(),
            alamat: first.alamat.clone(),
            desa: name(&desa),
            desa_kode: desa.to_string(),
            kecamatan: name(&kecamatan),
            kabupaten: at(1),
            provinsi: at(0),
            anggota,
        },
    }))
}

/// The Surat Keterangan Pindah `nomor` of a family that left (S18); none when there is none.
pub async fn surat_pindah<C: ConnectionTrait>(
    db: &C,
    nomor: &str,
) -> Result<Option<Paper<SuratPindah>>, PaperError> {
    let Some(row) = pindah_keluar::Entity::find_by_id(nomor.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let anggota: Vec<ktpel_contract::registry::AnggotaPindah> =
        serde_json::from_value(row.keluarga).map_err(unreadable)?;
    let first = anggota
        .first()
        .ok_or_else(|| unreadable("a move of nobody"))?;
    let desa = KodeWilayah::parse(&first.biodata.desa).map_err(unreadable)?;
    let kecamatan = desa
        .parent()
        .ok_or_else(|| unreadable("a desa without kecamatan"))?;
    let lineage = desa.lineage();
    let dari = *lineage
        .get(1)
        .ok_or_else(|| unreadable("a desa without kabupaten"))?;
    let ke = KodeWilayah::parse(&row.ke).map_err(unreadable)?;
    Ok(Some(Paper {
        kecamatan,
        document: SuratPindah {
            nomor: row.nomor_skp,
            tanggal: ktpel_documents::tanggal::wib(row.at).date(),
            provinsi: lineage.first().map(name).unwrap_or_default(),
            dari: name(&dari),
            dari_kode: dari.to_string(),
            ke: name(&ke),
            ke_kode: ke.to_string(),
            anggota: anggota
                .iter()
                .map(|a| Pindah {
                    nik: a.biodata.nik.to_string(),
                    nama: a.biodata.nama.clone(),
                    tempat_lahir: a.biodata.tempat_lahir.clone(),
                    tanggal_lahir: a.biodata.tanggal_lahir,
                })
                .collect(),
        },
    }))
}

/// The Surat Keterangan Pindah numbers of the moves that took resident `nik` away.
pub async fn moves_of<C: ConnectionTrait>(db: &C, nik: &str) -> Result<Vec<String>, DbErr> {
    let rows = pindah_keluar::Entity::find().all(db).await?;
    Ok(rows
        .into_iter()
        .filter(|r| {
            serde_json::from_value::<Vec<ktpel_contract::registry::AnggotaPindah>>(
                r.keluarga.clone(),
            )
            .is_ok_and(|a| a.iter().any(|m| m.biodata.nik.as_str() == nik))
        })
        .map(|r| r.nomor_skp)
        .collect())
}
