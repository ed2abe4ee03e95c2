//! `ktpel backup`: S20, offline backups on removable media.
//!
//! At the offline site (a kecamatan node, a mobile unit): `status` (how long since the Pusat
//! Data last had its records) and `export --out FILE`. At the online Server AFIS: `import
//! FILE`. Once, between them: `keys` on each side and `trust SITE KEY` at the Server AFIS.
//! The work is in `ktpel_biometric::backup` and `ktpel_afis_sync::import`.

use crate::run::{SiteArgs, placed_settings};
use chrono::Utc;
use ktpel_afis_sync::{AfisSyncSettings, config::served_region, import};
use ktpel_biometric::{BiometricSettings, backup};
use ktpel_bundle::{PublicKey, SiteKeys, TrustedSites};
use ktpel_domain::KodeWilayah;
use std::path::{Path, PathBuf};

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
        site: KodeWilayah,
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

pub async fn run(cmd: BackupCommand) -> Result<(), String> {
    match cmd {
        BackupCommand::Keys { site } => keys(&site),
        BackupCommand::Trust { site, key, at } => {
            let s: AfisSyncSettings = placed_settings(&at)?;
            let path = Path::new(&s.own.trusted_sites_file);
            let all = TrustedSites::add(path, site, key).map_err(|e| e.to_string())?;
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
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let h = ktpel_bundle::peek(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
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

fn keys(site: &SiteArgs) -> Result<(), String> {
    let s: BiometricSettings = placed_settings(site)?;
    let path = Path::new(&s.own.bundle_key_file);
    let keys = SiteKeys::from_file(path).map_err(|e| e.to_string())?;
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

async fn offline(s: &BiometricSettings) -> Result<backup::Offline, String> {
    let db = ktpel_store::open::<ktpel_biometric::store::Migrator>(&s.database)
        .await
        .map_err(|e| e.to_string())?;
    backup::Offline::measure(&db, s.own.max_days_offline, Utc::now())
        .await
        .map_err(|e| e.to_string())
}

async fn export(out: &Path, to: Option<PublicKey>, site: &SiteArgs) -> Result<(), String> {
    let s: BiometricSettings = placed_settings(site)?;
    let code = s.region.as_deref().ok_or(
        "this process runs every place on one broker: its enrollments reach the NID Scheduler directly. Export at a site: --site kecamatan:<code> (or site.name)",
    )?;
    let code = KodeWilayah::parse(code).map_err(|e| e.to_string())?;
    let recipient = match (to, &s.own.bundle_recipient) {
        (Some(k), _) => k,
        (None, Some(k)) => k
            .parse()
            .map_err(|e: ktpel_bundle::KeyError| e.to_string())?,
        (None, None) => {
            return Err("for which Server AFIS? give --to <its bundle key> (its `ktpel backup keys`), or set bundle_recipient".into());
        }
    };
    if out.exists() {
        return Err(format!(
            "{} exists: give another name (a bundle is never written over)",
            out.display()
        ));
    }
    let key = s.own.seal_key().map_err(|e| e.to_string())?;
    let site_keys =
        SiteKeys::from_file(Path::new(&s.own.bundle_key_file)).map_err(|e| e.to_string())?;
    let db = ktpel_store::open::<ktpel_biometric::store::Migrator>(&s.database)
        .await
        .map_err(|e| e.to_string())?;
    let Some(made) = backup::export(
        &db,
        &key,
        &site_keys,
        &code,
        &recipient,
        s.own.bundle_valid_days,
    )
    .await
    .map_err(|e| e.to_string())?
    else {
        println!(
            "backup: nothing to export — every enrollment of {code} has reached the Pusat Data"
        );
        return Ok(());
    };
    // Written aside and renamed: a full disk or a pulled flash disk leaves no half bundle
    // under the name.
    let tmp = out.with_extension("partial");
    std::fs::write(&tmp, &made.file)
        .and_then(|()| std::fs::rename(&tmp, out))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("{}: {e}", out.display())
        })?;
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
            .map_err(|e| e.to_string())?
    );
    Ok(())
}

async fn import_file(file: &Path, site: &SiteArgs) -> Result<(), String> {
    let s: AfisSyncSettings = placed_settings(site)?;
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let keys = SiteKeys::from_file(Path::new(&s.own.bundle_key_file)).map_err(|e| e.to_string())?;
    let trusted =
        TrustedSites::load(Path::new(&s.own.trusted_sites_file)).map_err(|e| e.to_string())?;
    let opened = import::open(&bytes, &keys, &trusted, Utc::now())
        .map_err(|e| format!("{} refused, nothing imported: {e}", file.display()))?;
    let db = ktpel_store::open::<ktpel_afis_sync::store::Migrator>(&s.database)
        .await
        .map_err(|e| e.to_string())?;
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
        .map_err(|e| format!("{}: nothing imported: {e}", file.display()))?;
    bar.finish_and_clear();
    println!("backup: {summary}");
    if summary.new > 0 {
        println!(
            "  the NID Scheduler sends the new records to the Pusat Data (ktpel scheduler status)"
        );
    }
    Ok(())
}
