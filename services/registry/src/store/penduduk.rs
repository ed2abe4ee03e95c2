//! `registry_penduduk`: one row per resident.

use ktpel_contract::registry::Biodata;
use ktpel_domain::StatusKartu;
use ktpel_domain::{JenisKelamin, Nik};
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

    /// The biodata for the wire. A row whose NIK no longer parses (it was written by an
    /// older version of the rules) is reported as an error rather than sent.
    pub fn biodata(&self) -> Result<Biodata, ktpel_domain::NikError> {
        Ok(Biodata {
            nik: Nik::parse(&self.nik)?,
            nama: self.nama.clone(),
            no_kk: self.no_kk.clone(),
            jenis_kelamin: self.kelamin(),
            tempat_lahir: self.tempat_lahir.clone(),
            tanggal_lahir: self.tanggal_lahir,
            alamat: self.alamat.clone(),
            desa: self.desa.clone(),
        })
    }
}
