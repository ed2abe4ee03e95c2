//! Why the demo stopped, each reason with what it was about.

use ktpel_domain::{KodeWilayah, SopId};
use ktpel_site::Site;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Another process consumes the queues this demo would: it would take the demo's work
    /// into its own databases, and the demo would never finish.
    #[error(
        "another ktpel (`ktpel up`?) is consuming queue {queue} on this vhost ({consumers} consumer(s)): the demo would share its work with it and never finish. Stop it, or run the demo on a vhost of its own (KTPEL__AMQP__URL=…/<vhost>), or with --kecamatan N (sites of their own)"
    )]
    Busy { queue: &'static str, consumers: u32 },
    #[error(
        "{0} moves a family to another kecamatan, whose counter takes the berkas: run it with --kecamatan 2 or more, or without --kecamatan (every place on one broker)"
    )]
    OneKecamatan(SopId),
    /// A berkas taken at a kecamatan's counter (S15/S16: the kecamatan of arrival's) where
    /// the demo runs none.
    #[error(
        "{sop} takes the berkas at the counter of kecamatan {kecamatan}, where this demo runs none: run it with --kecamatan 2 or more"
    )]
    NoCounter { sop: SopId, kecamatan: String },
    #[error("--procedures: {0} is not routed in this system yet")]
    NotRouted(SopId),
    #[error("--region {0}: give a kabupaten/kota or a kecamatan")]
    Region(KodeWilayah),
    #[error("{dinas} has only {have} kecamatan")]
    TooFewKecamatan { dinas: KodeWilayah, have: usize },
    #[error("--http: cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("{service} does not run at {site}")]
    NotRunning { service: String, site: Site },
    #[error("the NID Scheduler was not built")]
    NoScheduler,
    #[error("no desk at {0}")]
    NoDesk(String),
    #[error("no station at {0}")]
    NoStation(String),
    #[error("berkas {nomor_berkas}: {source}")]
    Nik {
        nomor_berkas: String,
        source: ktpel_domain::nik::NikError,
    },
    #[error("SIAK does not have {0}")]
    NotInSiak(String),
    /// A resident's or a region's code does not name where it should be.
    #[error("{who} lives in no {level}")]
    Nowhere { who: String, level: &'static str },
    #[error("{0} has no other kabupaten/kota")]
    NoOtherKabupaten(KodeWilayah),
    #[error("{0} has no other kecamatan to move to")]
    NoOtherKecamatan(KodeWilayah),
    #[error("a resident of SIAK: {0}")]
    Resident(#[from] ktpel_domain::NikError),
    #[error("SIAK holds a resident wrongly: {0}")]
    Stored(#[from] ktpel_registry::store::penduduk::StoredError),
    #[error(transparent)]
    File(#[from] crate::file::FileError),
    #[error("{0} berkas did not finish")]
    Unfinished(usize),
    #[error("interrupted: the demo's services stopped and what it made on the broker is removed")]
    Interrupted,
    #[error(transparent)]
    Settings(#[from] ktpel_settings::SettingsError),
    #[error(transparent)]
    Start(#[from] ktpel_site::StartError),
    #[error("telemetry: {0}")]
    Telemetry(#[from] ktpel_telemetry::TelemetryError),
    #[error(transparent)]
    Desk(#[from] crate::desk_bus::DeskBusError),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("--documents: {0}")]
    Document(#[from] ktpel_documents::DocumentError),
    #[error("print desk: {0}")]
    Print(#[from] ktpel_card_print::desk::DeskError),
    #[error("the Dinas's signing key: {0}")]
    SigningKey(#[from] ktpel_card_print::config::KeyError),
    #[error("distribution desk: {0}")]
    Distribution(#[from] ktpel_distribution::desk::DeskError),
    #[error("SIAK: {0}")]
    Seed(#[from] ktpel_registry::seed::SeedError),
    #[error("SIAK: {0}")]
    Pindah(#[from] ktpel_registry::pindah::PindahError),
    #[error("--documents, SIAK's papers: {0}")]
    SiakPaper(#[from] ktpel_registry::papers::PaperError),
    #[error("the stations' key: {0}")]
    Seal(#[from] ktpel_biometric::seal::SealError),
    #[error("S20 backup: {0}")]
    Backup(#[from] ktpel_biometric::backup::BackupError),
    #[error("a site's keys: {0}")]
    SiteKeys(#[from] ktpel_bundle::KeyError),
    #[error("the Dinas's trusted sites: {0}")]
    Trust(#[from] ktpel_bundle::TrustError),
    #[error("{} is not a kecamatan: only a kecamatan works offline", .0)]
    NotAKecamatan(Site),
    #[error("{}: {source}", path.display())]
    Bundle {
        path: PathBuf,
        source: ktpel_bundle::BundleError,
    },
    #[error("{site}'s copy of SIAK has {known} of its {of} new residents")]
    CopyBehind { site: Site, known: u64, of: usize },
    #[error(transparent)]
    Site(#[from] ktpel_site::site::SiteError),
    #[error("a site's link: {0}")]
    Link(#[from] ktpel_site::link::LinkError),
    #[error("{0} (the demo's sites need the broker's management plugin)")]
    Management(#[from] ktpel_site::management::ManagementError),
    #[error("a site's user on its parent: {0}")]
    Grant(Box<ktpel_site::grant::GrantError>),
    #[error(transparent)]
    RoutingKey(#[from] ktpel_bus::routing::RoutingKeyError),
    #[error(transparent)]
    Bus(#[from] ktpel_bus::BusError),
}

/// A grant's error is large: boxed, so that every `Result` of the demo stays small.
impl From<ktpel_site::grant::GrantError> for DemoError {
    fn from(e: ktpel_site::grant::GrantError) -> Self {
        Self::Grant(Box::new(e))
    }
}
