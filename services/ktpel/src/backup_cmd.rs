//! `ktpel backup`: S20, offline backups on removable media.
//!
//! At the offline site (a kecamatan node, a mobile unit): `status` (how long since the Pusat
//! Data last had its records) and `export --out FILE`. At the online Server AFIS: `import
//! FILE`. Once, between them: `keys` on each side and `trust SITE KEY` at the Server AFIS.
//! The work is in `ktpel_biometric::backup` and `ktpel_afis_sync::import`.

use crate::run::{SiteArgs, placed_settings};
use chrono::Utc;
use ktpel_afis_sync::{AfisSyncSettings, config::served_region, import};
use ktpel_biometric::{BiometricSettings, backup, seal::SealError};
use ktpel_bundle::{BundleError, KeyError, PublicKey, SiteKeys, TrustError, TrustedSites};
use ktpel_domain::{KodeWilayah, wilayah::WilayahError};
use ktpel_settings::SettingsError;
use ktpel_store::StoreError;
use sea_orm::DbErr;
use std::path::{Path, PathBuf};

/// Why a backup command did nothing, or stopped part way.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The site's bundle keys (`bundle_key_file`) cannot be read or made.
    #[error(transparent)]
    SiteKeys(#[from] KeyError),
    /// `bundle_recipient` in the biometric settings is not a public key.
    #[error("{source}")]
    Recipient { source: KeyError },
    #[error(transparent)]
    TrustedSites(#[from] TrustError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The site's own code (`site.name`) is not a region code.
    #[error(transparent)]
    SiteCode(#[from] WilayahError),
    #[error(
        "this process runs every place on one broker: its enrollments reach the NID Scheduler directly. Export at a site: --site kecamatan:<code> (or site.name)"
    )]
    NoSite,
    #[error(
        "for which Server AFIS? give --to <its bundle key> (its `ktpel backup keys`), or set bundle_recipient"
    )]
    NoRecipient,
    #[error("{} exists: give another name (a bundle is never written over)", .path.display())]
    Exists { path: PathBuf },
    /// The biometric encryption key, to open the stored enrollments.
    #[error(transparent)]
    SealKey(#[from] SealError),
    /// How long the site has gone without the Pusat Data having its enrollments.
    #[error(transparent)]
    Offline(DbErr),
    #[error(transparent)]
    Export(#[from] backup::BackupError),
    #[error(transparent)]
    File(#[from] crate::file::FileError),
    /// The header of a bundle (`backup show`) does not read.
    #[error("{}: {source}", .path.display())]
    Header { path: PathBuf, source: BundleError },
    /// The bundle does not check (tampered, truncated, foreign, misaddressed, expired).
    #[error("{} refused, nothing imported: {source}", .path.display())]
    Refused { path: PathBuf, source: BundleError },
    /// The bundle checked, but its records could not be queued.
    #[error("{}: nothing imported: {source}", .path.display())]
    Import { path: PathBuf, source: DbErr },
}

#[derive(clap::Subcommand)]
pub enum BackupCommand {
    /// This site's public bundle keys (made on first use): the signing key for the Server
    /// AFIS that imports this site's backups, the bundle key for the sites that export to it.
    Keys {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// At the Server AFIS: take backups from SITE, signed with KEY (its `ktpel backup keys`).
    Trust {
        // Not `site`: the flattened `--site` of this process has that name.
        #[arg(value_name = "SITE")]
        from: KodeWilayah,
        key: PublicKey,
        #[command(flatten)]
        at: SiteArgs,
    },
    /// How long this site has gone without the Pusat Data having its enrollments; exit
    /// status 3 past `max_days_offline`.
    Status {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// S20.1–S20.2: write this site's unsent enrollments to FILE (for a flash disk), signed
    /// by the site and encrypted for the Server AFIS that will import it. Marks nothing as
    /// sent: records leave the backups when the Pusat Data has them.
    Export {
        #[arg(long)]
        out: PathBuf,
        /// The Server AFIS's bundle key (default: `bundle_recipient` of the biometric settings).
        #[arg(long)]
        to: Option<PublicKey>,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// S20.3: check FILE and queue its records at this Server AFIS for the Pusat Data.
    Import {
        file: PathBuf,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// What a bundle says of itself (site, dates, records, keys), without opening it.
    Show { file: PathBuf },
}

pub async fn run(cmd: BackupCommand) -> Result<(), BackupError> {
    match cmd {
        BackupCommand::Keys { site } => keys(&site),
        BackupCommand::Trust {
            from: site,
            key,
            at,
        } => {
            let s: AfisSyncSettings = placed_settings(&at)?;
            let path = Path::new(&s.own.trusted_sites_file);
            let all = TrustedSites::add(path, site, key)?;
            println!(
                "backup: bundles from {site} signed by {key} are taken here ({} site(s) in {})",
                all.iter().count(),
                path.display()
            );
            Ok(())
        }
        BackupCommand::Status { site } => {
            let s: BiometricSettings = placed_settings(&site)?;
            let offline = offline(&s).await?;
            println!("backup: {offline}");
            if offline.too_long {
                // A distinct status, for a cron job or a monitoring check to act on.
                std::process::exit(3);
            }
            Ok(())
        }
        BackupCommand::Export { out, to, site } => export(&out, to, &site).await,
        BackupCommand::Import { file, site } => import_file(&file, &site).await,
        BackupCommand::Show { file } => {
            let bytes = crate::file::read(&file)?;
            let h = ktpel_bundle::peek(&bytes).map_err(|source| BackupError::Header {
                path: file.clone(),
                source,
            })?;
            let day = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
            println!(
                "bundle {}\n  site        {}\n  made        {}\n  expires     {}\n  records     {}\n  signed by   {}\n  for         {}",
                h.bundle_id,
                h.site,
                day(h.created_at),
                day(h.expires_at),
                h.records,
                h.signer,
                h.recipient
            );
            Ok(())
        }
    }
}

fn keys(site: &SiteArgs) -> Result<(), BackupError> {
    let s: BiometricSettings = placed_settings(site)?;
    let path = Path::new(&s.own.bundle_key_file);
    let keys = SiteKeys::from_file(path)?;
    let code = s.region.as_deref().unwrap_or("<site code>");
    println!("bundle keys of this site ({})", path.display());
    println!(
        "  signing key  {}   at the Server AFIS: ktpel backup trust {code} {}",
        keys.signing_public(),
        keys.signing_public()
    );
    println!(
        "  bundle key   {}   at a site exporting here: bundle_recipient, or export --to",
        keys.bundle_public()
    );
    Ok(())
}

async fn offline(s: &BiometricSettings) -> Result<backup::Offline, BackupError> {
    let db = ktpel_store::open::<ktpel_biometric::store::Migrator>(&s.database).await?;
    backup::Offline::measure(&db, s.own.max_days_offline, Utc::now())
        .await
        .map_err(BackupError::Offline)
}

async fn export(out: &Path, to: Option<PublicKey>, site: &SiteArgs) -> Result<(), BackupError> {
    let s: BiometricSettings = placed_settings(site)?;
    let code = s.region.as_deref().ok_or(BackupError::NoSite)?;
    let code = KodeWilayah::parse(code)?;
    let recipient = match (to, &s.own.bundle_recipient) {
        (Some(k), _) => k,
        (None, Some(k)) => k
            .parse()
            .map_err(|source| BackupError::Recipient { source })?,
        (None, None) => return Err(BackupError::NoRecipient),
    };
    if out.exists() {
        return Err(BackupError::Exists {
            path: out.to_owned(),
        });
    }
    let key = s.own.seal_key()?;
    let site_keys = SiteKeys::from_file(Path::new(&s.own.bundle_key_file))?;
    let db = ktpel_store::open::<ktpel_biometric::store::Migrator>(&s.database).await?;
    let Some(made) = backup::export(
        &db,
        &key,
        &site_keys,
        &code,
        &recipient,
        s.own.bundle_valid_days,
    )
    .await?
    else {
        println!(
            "backup: nothing to export — every enrollment of {code} has reached the Pusat Data"
        );
        return Ok(());
    };
    // Written aside and renamed: a full disk or a pulled flash disk leaves no half bundle
    // under the name.
    crate::file::write_whole(out, &made.file)?;
    let h = &made.header;
    println!(
        "backup: {} enrollment(s) of {code} written to {} ({} bytes), bundle {}, valid until {}",
        h.records,
        out.display(),
        made.file.len(),
        h.bundle_id,
        h.expires_at.format("%Y-%m-%d")
    );
    println!("  nothing is marked sent: they stay in the backups until the Pusat Data has them");
    println!(
        "  {}",
        backup::Offline::measure(&db, s.own.max_days_offline, Utc::now())
            .await
            .map_err(BackupError::Offline)?
    );
    Ok(())
}

async fn import_file(file: &Path, site: &SiteArgs) -> Result<(), BackupError> {
    let s: AfisSyncSettings = placed_settings(site)?;
    let bytes = crate::file::read(file)?;
    let keys = SiteKeys::from_file(Path::new(&s.own.bundle_key_file))?;
    let trusted = TrustedSites::load(Path::new(&s.own.trusted_sites_file))?;
    let opened = import::open(&bytes, &keys, &trusted, Utc::now()).map_err(|source| {
        BackupError::Refused {
            path: file.to_owned(),
            source,
        }
    })?;
    let db = ktpel_store::open::<ktpel_afis_sync::store::Migrator>(&s.database).await?;
    let bar = indicatif::ProgressBar::new(opened.records.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "  importing {bar:40} {pos}/{len} records ({eta} left)",
        )
        .expect("a valid template"),
    );
    // Small bundles go in one step; the bar is for the flash disk with thousands.
    if opened.records.len() <= import::SLICE {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let summary = import::import(&db, served_region(&s), &opened, |n| bar.set_position(n))
        .await
        .map_err(|source| BackupError::Import {
            path: file.to_owned(),
            source,
        })?;
    bar.finish_and_clear();
    println!("backup: {summary}");
    if summary.new > 0 {
        println!(
            "  the NID Scheduler sends the new records to the Pusat Data (ktpel scheduler status)"
        );
    }
    Ok(())
}
