//! S18 between kabupaten/kota, at the origin: SIAK issues the Surat Keterangan Pindah for the
//! applicant's whole family (seluruh KK) and hands the family over to the destination's SIAK —
//! a [`KeluargaPindah`] up to the Pusat Data, which hands it on — and the family leaves this
//! register (kept in `registry_pindah_keluar`), in one transaction with the message.

use crate::store::{penduduk, pindah_keluar};
use chrono::Utc;
use ktpel_bus::{Outgoing, RoutingKey, outbox};
use ktpel_contract::registry::{AnggotaPindah, KeluargaPindah, PINDAH_KELUAR};
use ktpel_domain::{KodeWilayah, Nik, wilayah::Level};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, TransactionTrait,
};

/// Why no Surat Keterangan Pindah was issued. Nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum PindahError {
    #[error("NIK {0} is not in this register")]
    Unknown(Nik),
    #[error("{0} is not a kabupaten/kota code (e.g. 32.04)")]
    NotKabupaten(KodeWilayah),
    #[error(
        "the family already lives in kabupaten/kota {0}: a move within one is S15–S17, not S18"
    )]
    SameKabupaten(KodeWilayah),
    #[error("SIAK holds {0} with an invalid NIK")]
    Invalid(String),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("bus: {0}")]
    Bus(#[from] ktpel_bus::BusError),
}

impl PindahError {
    /// The reason in Bahasa Indonesia, for SIAK's desk.
    pub fn pesan(&self) -> String {
        match self {
            Self::Unknown(nik) => format!("NIK {nik} tidak ada di register ini"),
            Self::NotKabupaten(k) => format!("{k} bukan kode kabupaten/kota (mis. 32.04)"),
            Self::SameKabupaten(k) => format!(
                "keluarga sudah tinggal di kabupaten/kota {k}: pindah di dalam satu kabupaten/kota adalah S15–S17, bukan S18"
            ),
            other => other.to_string(),
        }
    }
}

/// Issues the Surat Keterangan Pindah for the family of `nik`, moving to the kabupaten/kota
/// `ke`: the family leaves this register and is handed over. Returns what was sent.
pub async fn keluar(
    db: &DatabaseConnection,
    nik: &Nik,
    ke: &KodeWilayah,
) -> Result<KeluargaPindah, PindahError> {
    if ke.level() != Level::KabupatenKota {
        return Err(PindahError::NotKabupaten(*ke));
    }
    let txn = db.begin().await?;
    let applicant = penduduk::Entity::find_by_id(nik.to_string())
        .one(&txn)
        .await?
        .ok_or_else(|| PindahError::Unknown(nik.clone()))?;
    let dari = KodeWilayah::parse(&applicant.desa)
        .ok()
        .and_then(|d| d.lineage().get(1).copied())
        .ok_or_else(|| PindahError::Invalid(applicant.nik.clone()))?;
    if dari == *ke {
        return Err(PindahError::SameKabupaten(dari));
    }
    let family = penduduk::Entity::find()
        .filter(penduduk::Column::NoKk.eq(applicant.no_kk.clone()))
        .all(&txn)
        .await?;
    let mut anggota = Vec::with_capacity(family.len());
    for member in &family {
        anggota.push(AnggotaPindah {
            biodata: member
                .biodata()
                .map_err(|_| PindahError::Invalid(member.nik.clone()))?,
            status_kartu: member.status_kartu,
            rekaman: None,
        });
    }
    let now = Utc::now();
    let prefix = format!("SKP-{}-{}-", dari.digits(), now.format("%Y%m%d"));
    let today = pindah_keluar::Entity::find()
        .filter(pindah_keluar::Column::NomorSkp.starts_with(&prefix))
        .count(&txn)
        .await?;
    let moving = KeluargaPindah {
        nomor_skp: format!("{prefix}{:04}", today + 1),
        dari: dari.to_string(),
        ke: ke.to_string(),
        anggota,
        at: now,
    };
    pindah_keluar::Entity::insert(pindah_keluar::ActiveModel {
        nomor_skp: Set(moving.nomor_skp.clone()),
        nik: Set(nik.to_string()),
        ke: Set(ke.to_string()),
        keluarga: Set(serde_json::to_value(&moving.anggota).expect("biodata serializes")),
        at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    penduduk::Entity::delete_many()
        .filter(penduduk::Column::NoKk.eq(applicant.no_kk.clone()))
        .exec(&txn)
        .await?;
    let key = RoutingKey::regional(PINDAH_KELUAR, &dari.to_string())
        .map_err(|e| PindahError::Invalid(e.to_string()))?;
    let message = Outgoing::new(&moving, key, &moving.nomor_skp, &moving.nomor_skp)?;
    outbox::enqueue(&txn, &message).await?;
    // A desk command's process has no relay: the service's relay hears of it at commit.
    outbox::notify(&txn).await?;
    txn.commit().await?;
    tracing::info!(nomor_skp = %moving.nomor_skp, members = moving.anggota.len(), %ke, "family handed over to another kabupaten/kota");
    Ok(moving)
}
