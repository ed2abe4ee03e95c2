//! The offline part of `ktpel demo --procedures S02,S03`: kecamatan nodes with no link, whose
//! copy of SIAK was filled before they went out (MOSIP's "initial sync"), whose enrollments
//! the demo carries to the Dinas's Server AFIS in S20 bundles — exported to a file at the
//! kecamatan, imported from it at the Dinas, as `ktpel backup export` and `import` do — and
//! whose links come back afterwards, so that the card statuses reach their desks.

use super::DemoError;
use ktpel_afis_sync::import;
use ktpel_biometric::{BiometricSettings, backup};
use ktpel_bundle::{SiteKeys, TrustedSites};
use ktpel_bus::Broker;
use ktpel_contract::registry::Biodata;
use ktpel_site::{Link, Management, Site};
use sea_orm::DatabaseConnection;
use std::path::{Path, PathBuf};

/// A kecamatan that works without its link.
pub(crate) struct OfflineKecamatan {
    pub(crate) site: Site,
    pub(crate) link: Link,
    pub(crate) broker: Broker,
    pub(crate) biometric: DatabaseConnection,
    pub(crate) registry: DatabaseConnection,
}

fn folder(site: &Site) -> PathBuf {
    Path::new("data/demo").join(site.slug())
}

/// Fills each offline kecamatan's copy of SIAK with the residents who apply at its desk.
pub(crate) async fn fill_copies(
    offline: &[OfflineKecamatan],
    people: &[Biodata],
    desk_of: impl Fn(&Biodata) -> String,
) -> Result<(), DemoError> {
    for k in offline {
        let code = k.site.code().map(|c| c.to_string()).unwrap_or_default();
        let theirs: Vec<Biodata> = people
            .iter()
            .filter(|p| desk_of(p) == code)
            .cloned()
            .collect();
        ktpel_registry::seed::record(&k.registry, false, &theirs).await?;
    }
    Ok(())
}

/// Enrollments stored at the offline kecamatan and not yet at the Pusat Data.
pub(crate) async fn unsent(offline: &[OfflineKecamatan]) -> usize {
    let mut n = 0;
    for k in offline {
        n += backup::unsent_count(&k.biometric).await.unwrap_or(0) as usize;
    }
    n
}

/// S20: each offline kecamatan exports its unsent enrollments to a file, the Dinas imports
/// them; then the kecamatan come back online. Returns how many records were imported new.
pub(crate) async fn carry(
    offline: &[OfflineKecamatan],
    dinas: &Site,
    afis_sync: &DatabaseConnection,
    management: &Management,
) -> Result<u64, DemoError> {
    let biometric: BiometricSettings = ktpel_settings::load(ktpel_biometric::SERVICE)?;
    let seal = biometric.own.seal_key()?;
    let afis_keys = SiteKeys::from_file(&folder(dinas).join("site.key"))?;
    let trusted_file = folder(dinas).join("trusted-sites");
    let served = dinas.code().map(|c| c.to_string()).unwrap_or_default();
    let mut imported = 0;
    for k in offline {
        let code = k.site.code().ok_or(DemoError::NotAKecamatan(k.site))?;
        let keys = SiteKeys::from_file(&folder(&k.site).join("site.key"))?;
        // Once per kecamatan, as the Dinas's operator would: `ktpel backup trust`.
        TrustedSites::add(&trusted_file, code, keys.signing_public())?;
        let Some(made) = backup::export(
            &k.biometric,
            &seal,
            &keys,
            &code,
            &afis_keys.bundle_public(),
            biometric.own.bundle_valid_days,
        )
        .await?
        else {
            continue;
        };
        let file = folder(&k.site).join(format!("{}.s20", made.header.bundle_id));
        crate::file::write(&file, &made.file)?;
        println!(
            "  S20 at {}: {} enrollment(s) backed up to {} ({} bytes)",
            k.site,
            made.header.records,
            file.display(),
            made.file.len()
        );
        // …carried to the Dinas on a flash disk, and imported there.
        let bytes = crate::file::read(&file)?;
        let trusted = TrustedSites::load(&trusted_file)?;
        let opened =
            import::open(&bytes, &afis_keys, &trusted, chrono::Utc::now()).map_err(|source| {
                DemoError::Bundle {
                    path: file.clone(),
                    source,
                }
            })?;
        let summary = import::import(afis_sync, &served, &opened, |_| {}).await?;
        println!("  S20 at {dinas}: {summary}");
        imported += summary.new;
    }
    // Back at the office: the links return, and the card statuses come down.
    for k in offline {
        k.link.declare(&k.broker, management).await?;
    }
    Ok(imported)
}

/// Waits until each offline kecamatan's copy of SIAK has the residents of `recorded` who live
/// there (the register announced them over the link), before the link goes.
pub(crate) async fn copies_know(
    offline: &[OfflineKecamatan],
    recorded: &[Biodata],
) -> Result<(), DemoError> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    for k in offline {
        let code = k.site.code().map(|c| format!("{c}.")).unwrap_or_default();
        let theirs: Vec<String> = recorded
            .iter()
            .filter(|p| p.desa.starts_with(&code))
            .map(|p| p.nik.to_string())
            .collect();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let known = ktpel_registry::store::penduduk::Entity::find()
                .filter(ktpel_registry::store::penduduk::Column::Nik.is_in(theirs.clone()))
                .count(&k.registry)
                .await?;
            if known as usize >= theirs.len() {
                break;
            }
            if std::time::Instant::now() > deadline {
                return Err(DemoError::CopyBehind {
                    site: k.site,
                    known,
                    of: theirs.len(),
                });
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    Ok(())
}
