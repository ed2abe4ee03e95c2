//! The desks in the browser that this process serves, beside its status page: the site's
//! account store and session key (`[desks]`), sign-in, and the pages of each service it runs
//! (the counter with intake, the station with biometric, the print desk with card-print,
//! distribution's desk, SIAK's with the register, the NID Scheduler's panel with afis-sync),
//! and the accounts for the
//! admin. Each service's pages read its own database; what a desk does
//! goes to the service over the bus.

use crate::{run::Process, status::Status};
use ktpel_bus::{Broker, Shutdown};
use ktpel_site::Place;
use ktpel_web::{Desks, session::Key};

/// Why the desks could not start.
#[derive(Debug, thiserror::Error)]
pub enum DesksError {
    #[error("the desks' account store: {0}")]
    Store(#[from] ktpel_store::StoreError),
    #[error("the desks' session key: {0}")]
    SessionKey(#[from] ktpel_web::session::KeyError),
    #[error("the counter's settings: {0}")]
    Settings(#[from] ktpel_settings::SettingsError),
    #[error("the print desk's chip-signing key: {0}")]
    SigningKey(#[from] ktpel_card_print::config::KeyError),
    #[error("a desk's line to its service: {0}")]
    Line(#[from] ktpel_web::answers::LineError),
}

/// The desk pages of the services in `status`, at `place`, sending on `broker` until
/// `shutdown`.
pub async fn router(
    settings: &Process,
    status: &Status,
    place: &Place,
    broker: &Broker,
    shutdown: &Shutdown,
) -> Result<axum::Router, DesksError> {
    let accounts =
        ktpel_store::open::<ktpel_web::store::Migrator>(&settings.desks.database).await?;
    let key = Key::of(&settings.desks)?;
    let mut desks = Desks::new(
        accounts,
        key,
        &settings.desks,
        &settings.site.name.to_string(),
    );
    let mut pages = axum::Router::new();
    let intake = status.intake().cloned();
    if let Some(db) = status.intake() {
        let counters = place.settings::<ktpel_intake::config::Own>()?.own.counters;
        let loket = ktpel_intake::loket::open(
            desks,
            db.clone(),
            counters,
            broker.clone(),
            shutdown.clone(),
        )?;
        desks = loket.desks.clone();
        pages = pages.merge(ktpel_intake::loket::routes(loket));
    }
    if let Some(db) = status.db_of(ktpel_biometric::SERVICE) {
        let perekaman = ktpel_biometric::perekaman::open(
            desks,
            db.clone(),
            exporter(&place.settings::<ktpel_biometric::config::Own>()?),
            broker.clone(),
            shutdown.clone(),
        )?;
        desks = perekaman.desks.clone();
        pages = pages.merge(ktpel_biometric::perekaman::routes(perekaman));
    }
    if let Some(db) = status.db_of(ktpel_card_print::SERVICE) {
        let key = place
            .settings::<ktpel_card_print::config::Own>()?
            .own
            .key()?;
        let cetak = ktpel_card_print::cetak::Cetak::new(desks, db.clone(), key);
        desks = cetak.desks.clone();
        pages = pages.merge(cetak.routes());
    }
    if let Some(db) = status.db_of(ktpel_distribution::SERVICE) {
        let distribusi = ktpel_distribution::distribusi::Distribusi::new(desks, db.clone());
        desks = distribusi.desks.clone();
        pages = pages.merge(distribusi.routes());
    }
    // SIAK's desk where the register is (a Dinas), not at a kecamatan's copy of it.
    let registry = place.settings::<ktpel_registry::config::Own>()?.own;
    if let Some(db) = status.db_of(ktpel_registry::SERVICE)
        && registry.mode == ktpel_registry::config::Mode::Register
    {
        let siak = ktpel_registry::siak::Siak::new(desks, db.clone(), (&registry).into());
        desks = siak.desks.clone();
        pages = pages.merge(siak.routes());
    }
    if let Some(source) = status.panel() {
        let s = place.settings::<ktpel_afis_sync::config::Own>()?;
        let importer = ktpel_afis_sync::ops::Importer {
            bundle_key_file: s.own.bundle_key_file.clone().into(),
            trusted_sites_file: s.own.trusted_sites_file.clone().into(),
            served: ktpel_afis_sync::config::served_region(&s).to_owned(),
        };
        let ops = ktpel_afis_sync::ops::Ops::new(desks, source.clone(), Some(importer));
        desks = ops.desks.clone();
        pages = pages.merge(ops.routes());
    }
    // The adjudication desk where the Pusat Data runs.
    if let Some(db) = status.db_of(ktpel_pusat_data::SERVICE) {
        let adjudikasi = ktpel_pusat_data::adjudikasi::Adjudikasi::new(desks, db.clone());
        desks = adjudikasi.desks.clone();
        pages = pages.merge(adjudikasi.routes());
    }
    if let Some(db) = intake {
        pages = pages.merge(ktpel_intake::cek::Cek::new(desks.clone(), db).routes());
    }
    let desks = desks.serving([ktpel_web::Desk::Akun]);
    Ok(pages
        .merge(ktpel_web::akun::routes().with_state(desks.clone()))
        .merge(ktpel_web::signin::routes().with_state(desks)))
}

/// The station's S20 backups as its settings make them, or why it cannot make them.
fn exporter(s: &ktpel_biometric::BiometricSettings) -> ktpel_biometric::perekaman::Backup {
    let site = s
        .region
        .as_deref()
        .ok_or("this process is no site of its own (site.name)")?;
    let site = ktpel_domain::KodeWilayah::parse(site).map_err(|e| e.to_string())?;
    let recipient = s
        .own
        .bundle_recipient
        .as_deref()
        .ok_or("no Server AFIS to export to (biometric bundle_recipient)")?
        .parse()
        .map_err(|e: ktpel_bundle::KeyError| format!("bundle_recipient: {e}"))?;
    Ok(std::sync::Arc::new(ktpel_biometric::perekaman::Exporter {
        seal: s.own.seal_key().map_err(|e| e.to_string())?,
        site_keys: ktpel_bundle::SiteKeys::from_file(std::path::Path::new(&s.own.bundle_key_file))
            .map_err(|e| e.to_string())?,
        site,
        recipient,
        valid_days: s.own.bundle_valid_days,
        max_days_offline: s.own.max_days_offline,
    }))
}
