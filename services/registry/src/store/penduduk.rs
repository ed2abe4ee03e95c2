//! `registry_penduduk`: one row per resident.

use ktpel_contract::registry::{Biodata, Rincian};
use ktpel_domain::StatusKartu;
use ktpel_domain::{JenisKelamin, Nik, biodata::NotInList};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_penduduk")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub nik: String,
    pub nama: String,
    pub no_kk: String,
    /// `L` or `P`.
    pub jenis_kelamin: String,
    pub tempat_lahir: String,
    pub tanggal_lahir: Date,
    pub alamat: String,
    pub desa: String,
    pub updated_at: DateTimeUtc,
    /// The card status last heard (`card.status`); none before the first.
    pub status_kartu: Option<StatusKartu>,
    /// The other elements ([`Rincian`]), each by its code; all none for a resident recorded
    /// before the register kept them.
    pub rt: Option<String>,
    pub rw: Option<String>,
    pub agama: Option<String>,
    pub status_perkawinan: Option<String>,
    pub pekerjaan: Option<String>,
    pub kewarganegaraan: Option<String>,
    pub golongan_darah: Option<String>,
    pub pendidikan: Option<String>,
    pub hubungan: Option<String>,
    pub nama_ayah: Option<String>,
    pub nama_ibu: Option<String>,
}

/// A row the register cannot give out as it is: written by an older version of the rules, or
/// changed by hand.
#[derive(Debug, thiserror::Error)]
pub enum StoredError {
    #[error("an invalid NIK: {0}")]
    Nik(#[from] ktpel_domain::NikError),
    #[error("{0}")]
    Element(#[from] NotInList),
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The resident's sex, stored as SIAK codes it: `L` or `P`.
    pub fn kelamin(&self) -> JenisKelamin {
        if self.jenis_kelamin == "P" {
            JenisKelamin::Perempuan
        } else {
            JenisKelamin::LakiLaki
        }
    }

    /// The biodata for the wire. A row whose NIK or an element no longer parses (it was
    /// written by an older version of the rules) is reported as an error rather than sent.
    pub fn biodata(&self) -> Result<Biodata, StoredError> {
        Ok(Biodata {
            nik: Nik::parse(&self.nik)?,
            nama: self.nama.clone(),
            no_kk: self.no_kk.clone(),
            jenis_kelamin: self.kelamin(),
            tempat_lahir: self.tempat_lahir.clone(),
            tanggal_lahir: self.tanggal_lahir,
            alamat: self.alamat.clone(),
            desa: self.desa.clone(),
            rincian: self.rincian()?,
        })
    }

    /// The other elements, when the row has them (the religion stands for all: they are
    /// written together).
    fn rincian(&self) -> Result<Option<Rincian>, NotInList> {
        let Some(agama) = &self.agama else {
            return Ok(None);
        };
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let code = |v: &Option<String>| v.as_deref().unwrap_or_default().to_owned();
        Ok(Some(Rincian {
            rt: text(&self.rt),
            rw: text(&self.rw),
            agama: agama.parse()?,
            status_perkawinan: code(&self.status_perkawinan).parse()?,
            pekerjaan: text(&self.pekerjaan),
            kewarganegaraan: code(&self.kewarganegaraan).parse()?,
            golongan_darah: code(&self.golongan_darah).parse()?,
            pendidikan: code(&self.pendidikan).parse()?,
            hubungan: code(&self.hubungan).parse()?,
            nama_ayah: text(&self.nama_ayah),
            nama_ibu: text(&self.nama_ibu),
        }))
    }
}
