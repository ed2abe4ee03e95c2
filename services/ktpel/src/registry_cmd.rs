//! `ktpel registry seed`: load a synthetic population into SIAK (the registry's database);
//! `ktpel registry list`: who is registered (to pick a resident for a desk).

use ktpel_domain::KodeWilayah;
use ktpel_registry::{
    RegistrySettings,
    pindah::PindahError,
    seed::{self, SeedError},
    store::Migrator,
};
use ktpel_settings::SettingsError;
use ktpel_store::StoreError;
use sea_orm::DbErr;

/// Why a registry command did nothing, or stopped part way.
#[derive(Debug, thiserror::Error)]
pub enum RegistryCmdError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// S18: no Surat Keterangan Pindah was issued for the family of `nik`.
    #[error("{source}")]
    Pindah {
        nik: ktpel_domain::Nik,
        ke: KodeWilayah,
        source: PindahError,
    },
    /// A population made or stored (`seed`), or announced again (`announce`).
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// Reading the residents for `list`.
    #[error(transparent)]
    List(DbErr),
}

#[derive(clap::Subcommand)]
pub enum RegistryCommand {
    /// Add N synthetic residents (valid NIKs, real region codes, families sharing a KK).
    Seed {
        #[arg(long, default_value_t = 1000)]
        residents: usize,
        /// Kabupaten/kota or kecamatan code where they live.
        #[arg(long, default_value = "32.73")]
        region: KodeWilayah,
        /// The same seed gives the same population.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// At a Dinas: announce the residents of REGION (a kecamatan, or the whole kabupaten/kota)
    /// to their kecamatan's copy of SIAK again — for a kecamatan node granted after its
    /// residents were recorded. The register's relay (under `ktpel up`) sends them.
    Announce { region: KodeWilayah },
    /// S18, at the origin's Dinas: issue the Surat Keterangan Pindah for the whole family of NIK,
    /// moving to the kabupaten/kota KE: the family leaves this register and is handed over to
    /// the destination's SIAK (through the Pusat Data; the relay under `ktpel up` sends it).
    PindahKeluar {
        nik: ktpel_domain::Nik,
        /// The destination kabupaten/kota (e.g. 32.04).
        #[arg(long)]
        ke: KodeWilayah,
    },
    /// Residents in SIAK, by NIK.
    List {
        #[arg(long, default_value_t = 20)]
        limit: u64,
    },
}

pub async fn run(cmd: RegistryCommand) -> Result<(), RegistryCmdError> {
    // The registry as this site runs it: at a Dinas, new residents are announced to the
    // copies of SIAK at its kecamatan nodes.
    let settings: RegistrySettings = crate::run::registry_settings()?;
    let db = ktpel_store::open::<Migrator>(&settings.database).await?;
    let (residents, region, rng_seed) = match cmd {
        RegistryCommand::Seed {
            residents,
            region,
            seed,
        } => (residents, region, seed),
        RegistryCommand::List { limit } => return list(&db, limit).await,
        RegistryCommand::PindahKeluar { nik, ke } => {
            let moving = ktpel_registry::pindah::keluar(&db, &nik, &ke)
                .await
                .map_err(|source| RegistryCmdError::Pindah { nik, ke, source })?;
            println!(
                "Surat Keterangan Pindah {}: {} member(s) of the family leave {} for {}",
                moving.nomor_skp,
                moving.anggota.len(),
                moving.dari,
                moving.ke
            );
            for m in &moving.anggota {
                println!("  {}  {}", m.biodata.nik, m.biodata.nama);
            }
            return Ok(());
        }
        RegistryCommand::Announce { region } => {
            let n = seed::announce_region(&db, &region).await?;
            println!(
                "registry: {n} residents of {region} announced to their kecamatan's copy of SIAK"
            );
            return Ok(());
        }
    };
    let people = seed::generate(&region, residents, rng_seed)?;
    // In slices, so a large population shows how far it is.
    let mut inserted = 0;
    for (i, slice) in people.chunks(5000).enumerate() {
        inserted += seed::record(&db, settings.own.announce, slice).await?;
        if people.len() > 5000 {
            eprint!("\r  stored {}/{}", (i * 5000 + slice.len()), people.len());
        }
    }
    if people.len() > 5000 {
        eprintln!();
    }
    println!(
        "registry: {inserted} new residents in {region} ({} already registered)",
        people.len() as u64 - inserted
    );
    Ok(())
}

async fn list(db: &sea_orm::DatabaseConnection, limit: u64) -> Result<(), RegistryCmdError> {
    use ktpel_registry::store::penduduk;
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    let rows = penduduk::Entity::find()
        .order_by_asc(penduduk::Column::Nik)
        .limit(limit)
        .all(db)
        .await
        .map_err(RegistryCmdError::List)?;
    for p in rows {
        println!(
            "{}  {:<28} KK {}  desa {}  {}",
            p.nik, p.nama, p.no_kk, p.desa, p.alamat
        );
    }
    Ok(())
}
