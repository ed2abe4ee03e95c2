//! A realistic synthetic population, so that the procedures can be tried and tested without
//! real personal data: families sharing a KK number and an address in real desa of the chosen
//! kabupaten/kota, valid NIKs (region, birth date with the +40 rule for women, serial), and
//! common Indonesian names, and each member's other elements ([`rincian`]). The same seed
//! gives the same population.

mod rincian;

use crate::store::penduduk;
use chrono::{Datelike, NaiveDate, Utc};
use ktpel_bus::{Outgoing, RoutingKey, outbox};
use ktpel_contract::registry::{Biodata, RESIDENT, ResidentRecorded};
use ktpel_domain::{
    JenisKelamin, KodeWilayah, Nik, Wilayah,
    wilayah::{Level, Region},
};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use std::collections::HashSet;

/// Why a population could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seed region {0} must be a kabupaten/kota or a kecamatan code")]
    Level(KodeWilayah),
    #[error("seed region {0} has no desa/kelurahan in the current list")]
    Empty(KodeWilayah),
    #[error("storing the population failed: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("announcing a resident to the kecamatan's copy failed: {0}")]
    Announce(String),
}

const GIVEN_MALE: &[&str] = &[
    "Agus", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko", "Rizky", "Slamet", "Teguh",
    "Wahyu", "Yusuf", "Andi", "Bayu", "Dimas",
];
const GIVEN_FEMALE: &[&str] = &[
    "Ayu", "Dewi", "Fitri", "Indah", "Lestari", "Nur", "Putri", "Rina", "Sari", "Siti", "Wulan",
    "Yuni", "Ani", "Kartika", "Maya", "Ratna",
];
const FAMILY: &[&str] = &[
    "Rahayu",
    "Santoso",
    "Wijaya",
    "Hidayat",
    "Saputra",
    "Kurniawan",
    "Setiawan",
    "Pratama",
    "Nugroho",
    "Susanto",
    "Permana",
    "Gunawan",
    "Hakim",
    "Lubis",
    "Siregar",
    "Sitompul",
];
const STREETS: &[&str] = &[
    "Jl. Merdeka",
    "Jl. Sudirman",
    "Jl. Diponegoro",
    "Gg. Melati",
    "Jl. Kenanga",
    "Jl. Pahlawan",
    "Jl. Cempaka",
    "Jl. Anggrek",
];

/// Generates `n` residents living in `region` (a kabupaten/kota or a kecamatan), from `seed`.
/// Nothing is stored.
pub fn generate(region: &KodeWilayah, n: usize, seed: u64) -> Result<Vec<Biodata>, SeedError> {
    let wilayah = Wilayah::global();
    let kecamatan: Vec<Region> = match region.level() {
        Level::KabupatenKota => wilayah.children(region),
        Level::Kecamatan => wilayah.resolve(region).into_iter().collect(),
        _ => return Err(SeedError::Level(*region)),
    };
    let desa: Vec<(Region, Region)> = kecamatan
        .iter()
        .flat_map(|kec| {
            wilayah
                .children(&kec.kode)
                .into_iter()
                .map(move |d| (kec.clone(), d))
        })
        .collect();
    if desa.is_empty() {
        return Err(SeedError::Empty(*region));
    }
    let kabupaten = region
        .lineage()
        .get(1)
        .and_then(|k| wilayah.resolve(k).ok())
        .map(|r| r.name)
        .unwrap_or_default();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut taken = HashSet::new();
    let mut people = Vec::with_capacity(n);
    while people.len() < n {
        // One family: a KK, an address, one to five members.
        let (kec, desa) = desa.choose(&mut rng).expect("not empty");
        let family = *FAMILY.choose(&mut rng).expect("not empty");
        let issued = NaiveDate::from_ymd_opt(
            rng.random_range(2010..=2024),
            rng.random_range(1..=12),
            rng.random_range(1..=28),
        )
        .expect("a real date");
        let no_kk = format!(
            "{}{:02}{:02}{:02}{:04}",
            kec.kode.digits(),
            issued.day(),
            issued.month(),
            issued.year() % 100,
            rng.random_range(1..=9999)
        );
        // Drawn in this order since the first version: a seed keeps its population.
        let street = STREETS.choose(&mut rng).expect("not empty");
        let number: i32 = rng.random_range(1..=200);
        let rt: i32 = rng.random_range(1..=15);
        let rw: i32 = rng.random_range(1..=10);
        let alamat = format!("{street} No. {number}");
        let first_member = people.len();
        for _ in 0..rng.random_range(1..=5usize).min(n - people.len()) {
            let sex = if rng.random_bool(0.5) {
                JenisKelamin::Perempuan
            } else {
                JenisKelamin::LakiLaki
            };
            // Adults of 17 to 80: the KTP-el is for residents of 17 and over.
            let born = Utc::now().date_naive()
                - chrono::Duration::days(rng.random_range(17 * 365 + 5..80 * 365));
            let given = match sex {
                JenisKelamin::Perempuan => GIVEN_FEMALE,
                JenisKelamin::LakiLaki => GIVEN_MALE,
            }
            .choose(&mut rng)
            .expect("not empty");
            let mut serial = rng.random_range(1..=9000u16);
            let nik = loop {
                let nik = Nik::compose(&kec.kode, born, sex, serial)
                    .expect("a current kecamatan and a real date make a valid NIK");
                if taken.insert(nik.clone()) {
                    break nik;
                }
                serial = serial % 9999 + 1;
            };
            people.push(Biodata {
                nik,
                nama: format!("{given} {family}"),
                no_kk: no_kk.clone(),
                jenis_kelamin: sex,
                tempat_lahir: kabupaten.clone(),
                tanggal_lahir: born,
                alamat: alamat.clone(),
                desa: desa.kode.to_string(),
                rincian: None,
            });
        }
        rincian::fill(
            &mut people[first_member..],
            rt as u16,
            rw as u16,
            Utc::now().date_naive(),
        );
    }
    Ok(people)
}

pub(crate) fn row(p: &Biodata) -> penduduk::ActiveModel {
    let r = p.rincian.as_ref();
    penduduk::ActiveModel {
        nik: Set(p.nik.to_string()),
        nama: Set(p.nama.clone()),
        no_kk: Set(p.no_kk.clone()),
        jenis_kelamin: Set(match p.jenis_kelamin {
            JenisKelamin::Perempuan => "P".into(),
            JenisKelamin::LakiLaki => "L".into(),
        }),
        tempat_lahir: Set(p.tempat_lahir.clone()),
        tanggal_lahir: Set(p.tanggal_lahir),
        alamat: Set(p.alamat.clone()),
        desa: Set(p.desa.clone()),
        updated_at: Set(Utc::now()),
        status_kartu: sea_orm::ActiveValue::NotSet,
        rt: Set(r.map(|r| r.rt.clone())),
        rw: Set(r.map(|r| r.rw.clone())),
        agama: Set(r.map(|r| r.agama.code().to_owned())),
        status_perkawinan: Set(r.map(|r| r.status_perkawinan.code().to_owned())),
        pekerjaan: Set(r.map(|r| r.pekerjaan.clone())),
        kewarganegaraan: Set(r.map(|r| r.kewarganegaraan.code().to_owned())),
        golongan_darah: Set(r.map(|r| r.golongan_darah.code().to_owned())),
        pendidikan: Set(r.map(|r| r.pendidikan.code().to_owned())),
        hubungan: Set(r.map(|r| r.hubungan.code().to_owned())),
        nama_ayah: Set(r.map(|r| r.nama_ayah.clone())),
        nama_ibu: Set(r.map(|r| r.nama_ibu.clone())),
    }
}

/// Keeps `p` as given, replacing what the register held for the NIK (a kecamatan's copy
/// taking the register's announcement).
pub async fn upsert<C: ConnectionTrait>(db: &C, p: &Biodata) -> Result<(), sea_orm::DbErr> {
    use penduduk::Column as C;
    penduduk::Entity::insert(row(p))
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(C::Nik)
                .update_columns([
                    C::Nama,
                    C::NoKk,
                    C::JenisKelamin,
                    C::TempatLahir,
                    C::TanggalLahir,
                    C::Alamat,
                    C::Desa,
                    C::UpdatedAt,
                    C::Rt,
                    C::Rw,
                    C::Agama,
                    C::StatusPerkawinan,
                    C::Pekerjaan,
                    C::Kewarganegaraan,
                    C::GolonganDarah,
                    C::Pendidikan,
                    C::Hubungan,
                    C::NamaAyah,
                    C::NamaIbu,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// As [`store`], and announces each of `people` to the copy of SIAK at their kecamatan
/// (`registry.resident.<kecamatan>`) through the outbox, in the same transaction: a Dinas
/// whose kecamatan nodes keep copies.
pub async fn store_and_announce(
    db: &sea_orm::DatabaseConnection,
    people: &[Biodata],
) -> Result<u64, SeedError> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    let inserted = store(&txn, people).await?;
    announce(&txn, people).await?;
    txn.commit().await?;
    Ok(inserted)
}

/// Announces what the register holds of the residents living in `region` (a kecamatan, or a
/// whole kabupaten/kota) to their kecamatan's copy of SIAK: for a kecamatan node granted
/// after its residents were recorded (`ktpel registry announce`). Returns how many.
pub async fn announce_region(
    db: &sea_orm::DatabaseConnection,
    region: &KodeWilayah,
) -> Result<u64, SeedError> {
    use sea_orm::{ColumnTrait, QueryFilter, TransactionTrait};
    let rows = penduduk::Entity::find()
        .filter(penduduk::Column::Desa.starts_with(format!("{region}.")))
        .all(db)
        .await?;
    let people = rows
        .iter()
        .map(|r| r.biodata())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SeedError::Announce(format!("the register holds an invalid NIK: {e}")))?;
    let txn = db.begin().await?;
    announce(&txn, &people).await?;
    txn.commit().await?;
    Ok(people.len() as u64)
}

/// The announcements `registry.resident.<kecamatan>` of `people`, one each, in order: a
/// handler at the SIAK desk pushes them onto its consumer's outbox; seeding writes them with
/// [`announce`].
pub(crate) fn announcements(people: &[Biodata]) -> Result<Vec<Outgoing>, SeedError> {
    people
        .iter()
        .map(|p| {
            let kecamatan = KodeWilayah::parse(&p.desa)
                .ok()
                .and_then(|d| {
                    d.lineage()
                        .into_iter()
                        .find(|k| k.level() == Level::Kecamatan)
                })
                .unwrap_or_else(|| p.nik.kecamatan());
            let key = RoutingKey::regional(RESIDENT, &kecamatan.to_string())
                .map_err(|e| SeedError::Announce(e.to_string()))?;
            let id = p.nik.to_string();
            Outgoing::new(
                &ResidentRecorded {
                    resident: p.clone(),
                },
                key,
                &id,
                &id,
            )
            .map_err(|e| SeedError::Announce(e.to_string()))
        })
        .collect()
}

/// Writes the [`announcements`] of `people` in `txn` at once: for seeding, which runs
/// outside the registry's consumer (a handler pushes them onto its outbox instead).
async fn announce<C: ConnectionTrait>(txn: &C, people: &[Biodata]) -> Result<(), SeedError> {
    let messages = announcements(people)?;
    outbox::enqueue_all(txn, &messages)
        .await
        .map_err(|e| SeedError::Announce(e.to_string()))?;
    // Seeding runs from a command of its own: the registry's relay hears of it at commit.
    outbox::notify(txn)
        .await
        .map_err(|e| SeedError::Announce(e.to_string()))?;
    Ok(())
}

/// Records `people` in the register: [`store_and_announce`] where the register announces to
/// kecamatan copies (`announce`, a Dinas with kecamatan nodes), else [`store`].
pub async fn record(
    db: &sea_orm::DatabaseConnection,
    announce: bool,
    people: &[Biodata],
) -> Result<u64, SeedError> {
    if announce {
        store_and_announce(db, people).await
    } else {
        store(db, people).await
    }
}

/// Stores `people`; a NIK already in the register is left as it is. Returns how many were new.
pub async fn store<C: ConnectionTrait>(db: &C, people: &[Biodata]) -> Result<u64, SeedError> {
    let mut inserted = 0;
    for chunk in people.chunks(500) {
        let rows = chunk.iter().map(row);
        if let sea_orm::TryInsertResult::Inserted(n) = penduduk::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([penduduk::Column::Nik])
            .exec_without_returning(db)
            .await?
        {
            inserted += n;
        }
    }
    Ok(inserted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kota_bandung() -> KodeWilayah {
        KodeWilayah::parse("32.73").unwrap()
    }

    #[test]
    fn the_population_is_valid_and_reproducible() {
        let a = generate(&kota_bandung(), 200, 7).unwrap();
        let b = generate(&kota_bandung(), 200, 7).unwrap();
        assert_eq!(a, b, "same seed, same population");
        assert_eq!(a.len(), 200);
        let niks: HashSet<_> = a.iter().map(|p| p.nik.clone()).collect();
        assert_eq!(niks.len(), 200, "NIKs are unique");
        let today = Utc::now().date_naive();
        for p in &a {
            // Every NIK re-parses, lives in Kota Bandung, and agrees with the biodata.
            assert_eq!(Nik::parse(p.nik.as_str()).unwrap(), p.nik);
            assert!(p.nik.as_str().starts_with("3273"));
            assert_eq!(p.nik.sex(), p.jenis_kelamin);
            assert_eq!(p.nik.birth_date(today), p.tanggal_lahir);
            assert!(p.desa.starts_with("32.73."));
            assert_eq!(p.no_kk.len(), 16);
        }
        let families: HashSet<_> = a.iter().map(|p| &p.no_kk).collect();
        assert!(families.len() < a.len(), "some residents share a KK");
    }

    #[test]
    fn a_desa_or_province_is_not_a_seed_region() {
        assert!(matches!(
            generate(&KodeWilayah::parse("32").unwrap(), 1, 1),
            Err(SeedError::Level(_))
        ));
    }
}
