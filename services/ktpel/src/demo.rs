//! `ktpel demo --residents N`: the whole S01 in one process — every service, a synthetic
//! population in SIAK, and this command acting as the kecamatan desk, the enrollment
//! operator, the print operator and kepala_seksi, the petugas_distribusi and the kecamatan's
//! ppp. It prints how many berkas reached each stage and when, ending in `completed N/N`, or
//! in where the rest are stuck.
//!
//! With `--kecamatan K` the places are real sites: a Dinas, K of its kecamatan and the Pusat
//! Data, each on a vhost of its own of the broker (`ktpel-demo-<site>`, or `<vhost>-<site>`
//! when `amqp.url` names a vhost), each kecamatan
//! and the Dinas with a least-privileged user on the site above, linked by shovels as in
//! production. The desks act at their own site: berkas are submitted and enrolled at the
//! kecamatan, cards made and handed over at the Dinas.
//!
//! The desks ride out a broker restart: every message the demo publishes is re-sent until the
//! broker confirms it (a copy is dropped by the receiving service's inbox: the message id is
//! fixed), and what a desk decides is written to its service's outbox first.

use crate::demo_new_residents;
use crate::demo_offline::{self, OfflineKecamatan};
use crate::demo_section_c;
use crate::desk_bus::Sender;
use crate::run::{self, Built, Process, ServiceName, SiteArgs};
use chrono::Utc;
use ktpel_biometric::{station, store::operator_inbox};
use ktpel_bus::{Broker, Message, Outgoing, RoutingKey, Shutdown};
use ktpel_card_print::{CardPrintSettings, desk as print_desk, operators};
use ktpel_contract::{berkas, enrollment::CAPTURED, registry::Biodata};
use ktpel_distribution::{desk as dist_desk, store::kartu};
use ktpel_domain::{
    Dokumen, KodeWilayah, Nik, SopId,
    sop::Sop,
    wilayah::{Level, Wilayah},
};
use ktpel_intake::{query, store::berkas as intake_berkas};
use ktpel_registry::seed;
use ktpel_site::{Place, Site, SiteSettings, amqp_url::credentials_of, grant};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::{
    collections::HashSet,
    io::Write,
    time::{Duration, Instant},
};
use tokio::task::JoinHandle;

const STAGE_TIMEOUT: Duration = Duration::from_secs(180);

fn load<T>(name: &str) -> Result<T, String>
where
    T: Default + serde::Serialize + serde::de::DeserializeOwned + ktpel_settings::Validate,
{
    ktpel_settings::load(name).map_err(|e| e.to_string())
}

fn err(e: &dyn std::fmt::Display) -> String {
    e.to_string()
}

/// One line of the final table.
pub(crate) struct Stage {
    pub(crate) name: &'static str,
    pub(crate) reached: usize,
    /// Of how many (every resident, or those the stage is for).
    pub(crate) of: usize,
    pub(crate) at: Duration,
}

/// A site of the demo: its broker and its services, built.
struct DemoSite {
    site: Site,
    broker: Broker,
    built: Vec<Built>,
    /// A link not declared yet: an offline kecamatan's, declared when it comes back (S02/S03).
    link: Option<ktpel_site::Link>,
    /// The site's link to its parent, declared, and the management API that runs it (for
    /// the status page and the link metrics under `--http`).
    uplink: Option<(ktpel_site::Link, ktpel_site::Management)>,
}

impl DemoSite {
    fn db(&self, service: &str) -> Result<DatabaseConnection, String> {
        self.built
            .iter()
            .find(|b| b.name == service)
            .map(|b| b.db.clone())
            .ok_or_else(|| format!("{service} does not run at {}", self.site))
    }
}

/// Where the demo's places run: one site for everything, or a Dinas, its kecamatan and the
/// Pusat Data on sites of their own.
struct Places {
    sites: Vec<DemoSite>,
    /// The index in `sites` of the Dinas (or of the one site).
    dinas: usize,
    /// Each kecamatan whose desk takes berkas, and the index of its site.
    kecamatan: Vec<(KodeWilayah, usize)>,
}

impl Places {
    fn dinas(&self) -> &DemoSite {
        &self.sites[self.dinas]
    }

    /// The intake and biometric databases of every kecamatan desk.
    fn desk_dbs(&self, service: &str) -> Result<Vec<DatabaseConnection>, String> {
        let mut seen = HashSet::new();
        self.kecamatan
            .iter()
            .filter(|(_, i)| seen.insert(*i))
            .map(|(_, i)| self.sites[*i].db(service))
            .collect()
    }
}

/// Every place on the process's broker, as `ktpel up` runs them.
async fn one_site(process: &Process, region: KodeWilayah) -> Result<Places, String> {
    let broker = Broker::new(process.amqp.url.expose(), "ktpel-demo");
    let built = run::build_all(&ServiceName::ALL, &broker, &Place::default()).await?;
    Ok(Places {
        sites: vec![DemoSite {
            site: Site::ALL,
            broker,
            built,
            link: None,
            uplink: None,
        }],
        dinas: 0,
        kecamatan: vec![(region, 0)],
    })
}

/// The Dinas of `region`, `k` of its kecamatan and the Pusat Data, each on a vhost of its own
/// of the process's broker, granted and linked as in production — but for `offline`
/// kecamatan, whose links are declared only when they come back (S02, S03).
async fn linked_sites(
    process: &Process,
    region: KodeWilayah,
    k: usize,
    offline: bool,
) -> Result<Places, String> {
    let dinas_code = match region.level() {
        Level::KabupatenKota => region,
        Level::Kecamatan => region.parent().expect("a kecamatan has a parent"),
        _ => {
            return Err(format!(
                "--region {region}: give a kabupaten/kota or a kecamatan"
            ));
        }
    };
    let mut codes: Vec<KodeWilayah> = Vec::new();
    if region.level() == Level::Kecamatan {
        codes.push(region);
    }
    for r in Wilayah::global().children(&dinas_code) {
        if codes.len() < k && !codes.contains(&r.kode) {
            codes.push(r.kode);
        }
    }
    if codes.len() < k {
        return Err(format!("{dinas_code} has only {} kecamatan", codes.len()));
    }
    let management = process.site.management(process.amqp.url.expose());
    let (admin_user, _) = credentials_of(process.amqp.url.expose());
    let dinas = Site::dinas(dinas_code).map_err(|e| err(&e))?;
    let mut all = vec![Site::PUSAT_DATA, dinas];
    for c in &codes {
        all.push(Site::kecamatan(*c).map_err(|e| err(&e))?);
    }
    // Names of this demo's own, so that demos on other vhosts of the broker do not meet.
    let prefix = match ktpel_site::amqp_url::vhost_of(process.amqp.url.expose()).as_str() {
        "/" => "ktpel-demo".to_owned(),
        named => named.to_owned(),
    };
    let vhost = |s: &Site| format!("{prefix}-{}", s.slug());
    for s in &all {
        management
            .put_vhost(&vhost(s))
            .await
            .map_err(|e| format!("{e} (the demo's sites need the broker's management plugin)"))?;
        let everything = ktpel_site::management::Permissions {
            configure: ".*".into(),
            write: ".*".into(),
            read: ".*".into(),
        };
        management
            .put_permissions(&vhost(s), &admin_user, &everything)
            .await
            .map_err(|e| err(&e))?;
    }
    let url_of = |s: &Site, user: Option<(&str, &str)>| {
        with_vhost(process.amqp.url.expose(), &vhost(s), user)
    };
    let mut sites = Vec::new();
    for s in &all {
        let broker = Broker::new(url_of(s, None), format!("ktpel-demo-{}", s.slug()));
        // The site's user up there, with a password of this run's (never shown).
        let parent_url = match s.parent() {
            Some(parent) => {
                let user = format!("{prefix}-{}", grant::user_of(s));
                let password = format!("{:032x}", rand::random::<u128>());
                let admin = Broker::new(url_of(&parent, None), "ktpel-demo-admin");
                let granted =
                    grant::grant(&management, &admin, &vhost(&parent), s, &user, &password).await;
                admin.close().await;
                granted.map_err(|e| err(&e))?;
                Some(url_of(&parent, Some((&user, &password))))
            }
            None => None,
        };
        let place = Place {
            site: SiteSettings {
                name: *s,
                parent_url: parent_url.map(Into::into),
                management_url: process.site.management_url.clone(),
                reconnect_seconds: 1,
                offline: false,
            },
            data_dir: Some(format!("data/demo/{}", s.slug())),
        };
        let built = run::build_all(ServiceName::at(s), &broker, &place).await?;
        let mut later = None;
        let mut uplink = None;
        if let Some(link) = place.site.link(&url_of(s, None)) {
            if offline && s.kind() == ktpel_site::SiteKind::Kecamatan {
                // Offline: what goes up waits in the uplink queue.
                link.declare_uplink_queue(&broker)
                    .await
                    .map_err(|e| err(&e))?;
                later = Some(link);
            } else {
                link.declare(&broker, &management)
                    .await
                    .map_err(|e| err(&e))?;
                uplink = Some((link, management.clone()));
            }
        }
        sites.push(DemoSite {
            site: *s,
            broker,
            built,
            link: later,
            uplink,
        });
    }
    Ok(Places {
        sites,
        dinas: 1,
        kecamatan: codes.iter().enumerate().map(|(i, c)| (*c, i + 2)).collect(),
    })
}

/// `url` (the broker of the process) on `vhost`, as `user` if given.
fn with_vhost(url: &str, vhost: &str, user: Option<(&str, &str)>) -> String {
    let mut uri: lapin::uri::AMQPUri = url.parse().unwrap_or_default();
    uri.vhost = vhost.to_owned();
    if let Some((u, p)) = user {
        uri.authority.userinfo.username = u.to_owned();
        uri.authority.userinfo.password = p.to_owned();
    }
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "{}://{}:{}@{}:{}/{}",
        uri.scheme,
        enc(&uri.authority.userinfo.username),
        enc(&uri.authority.userinfo.password),
        uri.authority.host,
        uri.authority.port,
        enc(&uri.vhost)
    )
}

/// `--procedures`: an SOP id, or `all`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Procedures {
    One(SopId),
    /// Every routed procedure (S02 and S03 in a part of their own, offline).
    All,
}

impl std::str::FromStr for Procedures {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("all") {
            Ok(Self::All)
        } else {
            s.parse()
                .map(Self::One)
                .map_err(|e| format!("{e}, or `all`"))
        }
    }
}

/// The procedures `all` stands for.
fn every_procedure() -> Vec<SopId> {
    SopId::all()
        .filter(|id| Sop::get(*id).route().is_some())
        .collect()
}

/// The demo: the procedures in one part, or — when the list holds both the offline ones (S02,
/// S03: their kecamatan work with no link, on sites of their own) and ones that need a
/// kecamatan online to SIAK (S04, section C) — in two parts, the online ones first, the
/// residents shared by how many procedures each part has. Ends with `completed N/N` over both.
pub async fn run(
    residents: usize,
    region: KodeWilayah,
    kecamatan: usize,
    procedures: Vec<Procedures>,
    http: Option<std::net::SocketAddr>,
) -> Result<(), String> {
    let procedures = expand(procedures)?;
    let section_c = |p: &SopId| Sop::get(*p).replaces_a_card();
    if kecamatan > 0
        && let Some(p) = procedures.iter().find(|p| section_c(p))
    {
        return Err(format!(
            "--procedures: {p} (section C) is demoed on one broker so far: leave out --kecamatan"
        ));
    }
    let offline = |p: &SopId| matches!(p.number(), 2 | 3);
    let online_only = |p: &SopId| p.number() == 4 || Sop::get(*p).replaces_a_card();
    let parts: Vec<(Vec<SopId>, usize, usize)> = if procedures.iter().any(offline)
        && procedures.iter().any(online_only)
    {
        let (away, online): (Vec<SopId>, Vec<SopId>) = procedures.iter().partition(|p| offline(p));
        let away_residents = (residents * away.len() / procedures.len()).max(away.len());
        println!(
            "ktpel demo: in two parts — {} online, then {} at a kecamatan working offline",
            names(&online),
            names(&away)
        );
        vec![
            (online, residents.saturating_sub(away_residents), kecamatan),
            (away, away_residents, kecamatan.max(1)),
        ]
    } else {
        vec![(procedures, residents, kecamatan)]
    };
    let (mut done, mut of) = (0, 0);
    let last = parts.len() - 1;
    for (i, (procedures, residents, kecamatan)) in parts.into_iter().enumerate() {
        // The ops room: served during every part, held open after the last.
        let watch = http.map(|addr| Watch {
            addr,
            hold: i == last,
        });
        done += run_part(residents, region, kecamatan, procedures, watch).await?;
        of += residents;
    }
    println!("completed {done}/{of}");
    if done == of {
        Ok(())
    } else {
        Err(format!("{} berkas did not finish", of - done))
    }
}

fn names(procedures: &[SopId]) -> String {
    procedures
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `--procedures` as SOP ids, `all` expanded, each routed.
fn expand(procedures: Vec<Procedures>) -> Result<Vec<SopId>, String> {
    let mut expanded: Vec<SopId> = Vec::new();
    for p in procedures {
        match p {
            Procedures::One(id) => expanded.push(id),
            Procedures::All => expanded.extend(every_procedure()),
        }
    }
    let procedures = if expanded.is_empty() {
        vec![SopId::new(1).expect("S01")]
    } else {
        expanded
    };
    if let Some(p) = procedures.iter().find(|p| Sop::get(**p).route().is_none()) {
        return Err(format!(
            "--procedures: {p} is not routed in this system yet"
        ));
    }
    Ok(procedures)
}

/// `--http`: where the Dinas's status page and metrics are served during a part, and whether
/// to hold them open after it until Ctrl-C.
#[derive(Debug, Clone, Copy)]
struct Watch {
    addr: std::net::SocketAddr,
    hold: bool,
}

/// Serves the status page and `/metrics` of `site` at `watch.addr` until `stop`.
async fn serve_ops_room(
    watch: Watch,
    site: &DemoSite,
    stop: &Shutdown,
) -> Result<JoinHandle<()>, String> {
    let listener = tokio::net::TcpListener::bind(watch.addr)
        .await
        .map_err(|e| format!("--http: cannot listen on {}: {e}", watch.addr))?;
    let status = run::status_of(
        &site.built,
        site.broker.clone(),
        site.site,
        site.uplink.clone(),
        7,
    );
    println!(
        "ktpel demo: status page and metrics on http://{}/",
        watch.addr
    );
    Ok(tokio::spawn(crate::http::serve(
        listener,
        status,
        // Nobody acts through the demo's page: the desks are this command.
        crate::auth::Tokens::none(),
        stop.clone(),
    )))
}

/// One part of the demo: `residents` through `procedures`, all online or all offline.
/// Returns how many finished.
async fn run_part(
    residents: usize,
    region: KodeWilayah,
    kecamatan: usize,
    procedures: Vec<SopId>,
    watch: Option<Watch>,
) -> Result<usize, String> {
    let section_c = |p: &SopId| Sop::get(*p).replaces_a_card();
    if kecamatan > 0
        && let Some(p) = procedures.iter().find(|p| section_c(p))
    {
        return Err(format!(
            "--procedures: {p} (section C) is demoed on one broker so far: leave out --kecamatan"
        ));
    }
    // S02 and S03 happen where there is no link: their kecamatan run offline, as sites. (`run`
    // gives them a part of their own when the list also needs a kecamatan online.)
    let offline = procedures.iter().any(|p| matches!(p.number(), 2 | 3));
    let kecamatan = if offline { kecamatan.max(1) } else { kecamatan };
    let process = run::process_settings(&SiteArgs::default())?;
    let mut telemetry_settings = process.telemetry.clone();
    telemetry_settings
        .log_filter
        .get_or_insert_with(|| "warn".into());
    // The demo's sites are in one process: its metrics are labelled by the demo's region.
    let telemetry = ktpel_telemetry::init(
        "ktpel-demo",
        &telemetry_settings,
        ktpel_telemetry::metrics::site_labels("demo", Some(&region.to_string())),
    )
    .map_err(|e| e.to_string())?;
    let shutdown = Shutdown::new();

    let places = if kecamatan == 0 {
        one_site(&process, region).await?
    } else {
        linked_sites(&process, region, kecamatan, offline).await?
    };
    let dinas = places.dinas();
    let afis_db = dinas.db(ktpel_afis_sync::SERVICE)?;
    let dinas_site = dinas.site;
    let offline_sites: Vec<OfflineKecamatan> = places
        .sites
        .iter()
        .filter_map(|s| {
            let link = s.link.clone()?;
            Some(Ok(OfflineKecamatan {
                site: s.site,
                link,
                broker: s.broker.clone(),
                biometric: match s.db(ktpel_biometric::SERVICE) {
                    Ok(db) => db,
                    Err(e) => return Some(Err(e)),
                },
                registry: match s.db(ktpel_registry::SERVICE) {
                    Ok(db) => db,
                    Err(e) => return Some(Err(e)),
                },
            }))
        })
        .collect::<Result<_, String>>()?;
    let registry_db = dinas.db(ktpel_registry::SERVICE)?;
    let print_db = dinas.db(ktpel_card_print::SERVICE)?;
    let dist_db = dinas.db(ktpel_distribution::SERVICE)?;
    let intake_dbs = places.desk_dbs(ktpel_intake::SERVICE)?;
    let biometric_dbs = places.desk_dbs(ktpel_biometric::SERVICE)?;
    let scheduler = dinas
        .built
        .iter()
        .find_map(|b| b.panel.as_ref())
        .map(|p| p.scheduler.clone())
        .ok_or("the NID Scheduler was not built")?;
    // The print desk signs with the key card-print made or read at its build.
    let key = load::<CardPrintSettings>(ktpel_card_print::SERVICE)?
        .own
        .key()
        .map_err(|e| err(&e))?;
    let mut desks: Vec<Sender> = places
        .sites
        .iter()
        .map(|s| Sender::new(s.broker.clone(), "ktpel-demo"))
        .collect();
    let ops_room = match watch {
        Some(w) => Some(serve_ops_room(w, places.dinas(), &shutdown).await?),
        None => None,
    };
    let mut tasks: Vec<JoinHandle<()>> = Vec::new();
    tasks.extend(ops_room);
    let mut sites_run = Vec::new();
    for s in places.sites {
        sites_run.push((s.site, s.broker));
        tasks.extend(run::spawn_all(s.built, &shutdown));
    }
    let kecamatan_codes = places.kecamatan.clone();
    let desk_of = |k: &str| {
        kecamatan_codes
            .iter()
            .find(|(c, _)| c.to_string() == k)
            .map(|(_, i)| *i)
    };

    // A population of its own for this run (fresh NIKs every time), spread over the
    // kecamatan.
    let seed_base = Utc::now().timestamp_millis() as u64;
    let mut people = Vec::new();
    for (i, (code, _)) in kecamatan_codes.iter().enumerate() {
        let share =
            residents / kecamatan_codes.len() + usize::from(i < residents % kecamatan_codes.len());
        people.extend(seed::generate(code, share, seed_base + i as u64).map_err(|e| err(&e))?);
    }
    // Each resident goes through the procedures in turn; those of S05 are not in SIAK yet.
    let s05 = SopId::new(5).expect("S05");
    // Enrollment after S05 (S05.7), and the first card of whoever applies under section C
    // later: the run's first enrollment procedure, S01 by default.
    let enroll_as = procedures
        .iter()
        .copied()
        .find(|p| matches!(p.number(), 1..=3))
        .unwrap_or(SopId::new(1).expect("S01"));
    let (newcomers, registered): (Vec<_>, Vec<_>) = people
        .into_iter()
        .enumerate()
        .partition(|(i, _)| procedures[i % procedures.len()] == s05);
    let assigned: Vec<(Biodata, SopId)> = registered
        .into_iter()
        .map(|(i, p)| (p, procedures[i % procedures.len()]))
        .collect();
    // Section C follows a first card: those residents enroll first.
    let later: Vec<(Biodata, SopId)> = assigned
        .iter()
        .filter(|(_, sop)| section_c(sop))
        .cloned()
        .collect();
    let mut plan: Vec<(Biodata, SopId)> = assigned
        .into_iter()
        .map(|(p, sop)| {
            if section_c(&sop) {
                (p, enroll_as)
            } else {
                (p, sop)
            }
        })
        .collect();
    let newcomers: Vec<Biodata> = newcomers.into_iter().map(|(_, p)| p).collect();
    // In SIAK already: all but S04's (S04 enters them in SIAK on the way).
    let people: Vec<Biodata> = plan
        .iter()
        .filter(|(_, sop)| !Sop::get(*sop).new_resident())
        .map(|(p, _)| p.clone())
        .collect();
    // With kecamatan nodes, the Dinas's register announces them to the kecamatan's copies.
    seed::record(&registry_db, kecamatan > 0, &people)
        .await
        .map_err(|e| err(&e))?;
    // Each resident applies at the desk of the kecamatan where they live.
    let desk_kecamatan = |p: &Biodata| {
        let home = KodeWilayah::parse(&p.desa)
            .ok()
            .and_then(|d| d.parent())
            .map(|k| k.to_string())
            .unwrap_or_else(|| p.nik.kecamatan().to_string());
        if desk_of(&home).is_some() {
            home
        } else {
            kecamatan_codes[0].0.to_string()
        }
    };
    // An offline kecamatan's copy of SIAK was filled before it lost its link.
    demo_offline::fill_copies(&offline_sites, &people, |p| desk_kecamatan(p)).await?;
    let where_ = if sites_run.len() == 1 {
        format!("{region}, every place on one broker")
    } else {
        format!(
            "{} kecamatan of {}, each site on its own vhost: {}",
            kecamatan_codes.len(),
            dinas_name(&sites_run),
            sites_run
                .iter()
                .map(|(s, _)| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let names: Vec<String> = procedures.iter().map(|p| p.to_string()).collect();
    println!(
        "ktpel demo: {residents} residents of {where_} through {} (SIAK seeded but for S05's){}",
        names.join(", "),
        if offline {
            "; the kecamatan work offline and send their enrollments in S20 bundles"
        } else {
            ""
        }
    );

    let start = Instant::now();
    let mut stages = Vec::new();

    // S05 first: the new residents' berkas travel to SIAK at the Dinas and back — over the
    // link, so an offline kecamatan is online for that, and goes offline after.
    let mut s05_row = None;
    if !newcomers.is_empty() {
        let management = process.site.management(process.amqp.url.expose());
        for k in &offline_sites {
            k.link
                .declare(&k.broker, &management)
                .await
                .map_err(|e| err(&e))?;
        }
        let recorded = demo_new_residents::register(
            &newcomers,
            |p| desk_kecamatan(p),
            demo_new_residents::Desks {
                senders: &mut desks,
                desk_of: &desk_of,
                intake_dbs: &intake_dbs,
                register: &registry_db,
            },
            start,
            &mut stages,
        )
        .await?;
        demo_offline::copies_know(&offline_sites, &recorded).await?;
        for k in &offline_sites {
            k.link.take_down(&management).await.map_err(|e| err(&e))?;
        }
        s05_row = Some((recorded.len(), newcomers.len()));
        // S05.7: on to enrollment, under the NIK SIAK gave.
        plan.extend(recorded.into_iter().map(|p| (p, enroll_as)));
    }
    // S01.1–S01.2 at each kecamatan's desk (S04.1–S04.2 for a resident not in SIAK, with the
    // Formulir Biodata and no NIK: SIAK gives one on the way).
    let mut submitted = Vec::new();
    for (p, sop) in &plan {
        let k = desk_kecamatan(p);
        let new_resident = Sop::get(*sop).new_resident();
        let b = berkas::BerkasSubmitted {
            submission_id: uuid::Uuid::now_v7(),
            sop: *sop,
            nik: (!new_resident).then(|| p.nik.clone()),
            nama: p.nama.clone(),
            biodata: new_resident.then(|| demo_new_residents::formulir(p)),
            perubahan: None,
            kedatangan: None,
            dokumen: if new_resident {
                demo_new_residents::DOCUMENTS.to_vec()
            } else {
                vec![Dokumen::FormulirPermohonan, Dokumen::FotokopiKk]
            },
            kecamatan: k.clone(),
            petugas: "ppp-demo".into(),
            diterima_pada: Utc::now(),
        };
        let m = message(&b, berkas::SUBMITTED, &k)?;
        desks[desk_of(&k).expect("a desk")].send(&m).await?;
        submitted.push(b.submission_id);
    }
    stages.push(Stage {
        name: "submitted at the desk (S01.1)",
        reached: residents,
        of: residents,
        at: start.elapsed(),
    });

    // This run's berkas, by the submissions the desks made (an S04 resident has a NIK only
    // once SIAK gave one).
    let at_operator = || async {
        let mut ours = HashSet::new();
        for db in &intake_dbs {
            ours.extend(query::numbers_of(db, &submitted).await.unwrap_or_default());
        }
        let mut waiting = Vec::new();
        for db in &biometric_dbs {
            waiting.extend(
                operator_inbox::Entity::find()
                    .all(db)
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|w| ours.contains(&w.nomor_berkas)),
            );
        }
        waiting
    };
    let reached = wait("at the operator (S01.3)", residents, start, || async {
        at_operator().await.len()
    })
    .await;
    stages.push(Stage {
        name: "accepted, at the operator (S01.2–S01.3)",
        reached,
        of: residents,
        at: start.elapsed(),
    });

    // From here on, the residents by the NIK each berkas carries.
    let waiting = at_operator().await;
    let ours: HashSet<String> = waiting.iter().map(|w| w.nik.clone()).collect();
    // S01.4–S01.6 at the station of the berkas's kecamatan.
    for w in waiting {
        let nik = Nik::parse(&w.nik).map_err(|e| err(&e))?;
        let c = station::capture(
            &w.nomor_berkas,
            &nik,
            &station::Person::of(&nik),
            "operator-demo",
            true,
        );
        let k =
            berkas::kecamatan_of(&w.nomor_berkas).unwrap_or_else(|| nik.kecamatan().to_string());
        let m = message(&c, CAPTURED, &k)?;
        let desk = desk_of(&k).ok_or_else(|| format!("no station at {k}"))?;
        desks[desk].send(&m).await?;
    }
    if offline {
        // S02.6/S03: stored at the kecamatan; S20: carried to the Dinas.
        wait("stored at the offline stations", residents, start, || {
            demo_offline::unsent(&offline_sites)
        })
        .await;
        let management = process.site.management(process.amqp.url.expose());
        let imported =
            demo_offline::carry(&offline_sites, &dinas_site, &afis_db, &management).await?;
        stages.push(Stage {
            name: "enrolled offline, backed up, imported at the Dinas (S02.6, S03, S20)",
            reached: imported as usize,
            of: residents,
            at: start.elapsed(),
        });
    }
    scheduler.run_now();
    let our_niks: Vec<String> = ours.iter().cloned().collect();
    let status_count = |wanted: &'static [&'static str]| {
        let (dbs, niks) = (&intake_dbs, &our_niks);
        async move {
            let mut n = 0;
            for db in dbs {
                n += query::count_in_status(db, niks, wanted)
                    .await
                    .unwrap_or_default() as usize;
            }
            n
        }
    };
    const AFTER_PRR: &[&str] = &["PRR", "CARD_PRINTED", "CARD_SHIPPED", "CARD_ACTIVATED"];
    let reached = wait("print ready (PRR)", residents, start, || async {
        scheduler.run_now();
        status_count(AFTER_PRR).await
    })
    .await;
    stages.push(Stage {
        name: "enrolled, sent by the NID Scheduler, PRR (S01.6, S19)",
        reached,
        of: residents,
        at: start.elapsed(),
    });

    // S21 at the Dinas.
    operators::add(
        &print_db,
        "operator-demo",
        "demo",
        operators::Role::Operator,
    )
    .await
    .map_err(|e| err(&e))?;
    operators::add(&print_db, "kasi-demo", "demo", operators::Role::KepalaSeksi)
        .await
        .map_err(|e| err(&e))?;
    let op = operators::login(&print_db, "operator-demo", "demo")
        .await
        .map_err(|e| err(&e))?;
    let kasi = operators::login(&print_db, "kasi-demo", "demo")
        .await
        .map_err(|e| err(&e))?;
    let in_queue = || async {
        print_desk::queue(&print_db)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|j| ours.contains(&j.nik))
            .collect::<Vec<_>>()
    };
    wait("in the print queue", residents, start, || async {
        in_queue().await.len()
    })
    .await;
    for job in in_queue().await {
        print_desk::make_card(&print_db, &key, &op, &kasi, &job.nik)
            .await
            .map_err(|e| err(&e))?;
    }
    const AFTER_PRINT: &[&str] = &["CARD_PRINTED", "CARD_SHIPPED", "CARD_ACTIVATED"];
    let reached = wait("CARD_PRINTED", residents, start, || {
        status_count(AFTER_PRINT)
    })
    .await;
    stages.push(Stage {
        name: "encoded, printed, verified, approved (S21)",
        reached,
        of: residents,
        at: start.elapsed(),
    });

    // S22.
    let in_distribution = || async {
        kartu::Entity::find()
            .all(&dist_db)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|c| ours.contains(&c.nik))
            .count()
    };
    wait("at distribution", residents, start, in_distribution).await;
    for b in dist_desk::make_batches(&dist_db, "petugas-demo")
        .await
        .map_err(|e| err(&e))?
    {
        dist_desk::confirm_receipt(&dist_db, b.batch_id, "ppp-demo")
            .await
            .map_err(|e| err(&e))?;
    }
    let reached = wait("CARD_SHIPPED", residents, start, || {
        status_count(&["CARD_SHIPPED", "CARD_ACTIVATED"])
    })
    .await;
    stages.push(Stage {
        name: "batched with a Berita Acara, received (S22.2–S22.3)",
        reached,
        of: residents,
        at: start.elapsed(),
    });
    for c in dist_desk::awaiting_collection(&dist_db)
        .await
        .map_err(|e| err(&e))?
    {
        if ours.contains(&c.nik) {
            dist_desk::hand_over(&dist_db, &c.nik, "ppp-demo", &c.nama)
                .await
                .map_err(|e| err(&e))?;
        }
    }
    let done = wait("CARD_ACTIVATED", residents, start, || {
        status_count(&["CARD_ACTIVATED"])
    })
    .await;
    stages.push(Stage {
        name: "handed over with a tanda terima: CARD_ACTIVATED (S22.4)",
        reached: done,
        of: residents,
        at: start.elapsed(),
    });

    // A row per procedure: the first cards' by their berkas (S05's: registered in SIAK).
    let mut rows: Vec<(SopId, usize, usize)> = Vec::new();
    for sop in procedures.iter().filter(|p| !section_c(p)) {
        if *sop == s05 {
            if let Some((registered, of)) = s05_row {
                rows.push((*sop, registered, of));
            }
            continue;
        }
        let (mut finished, mut of) = (0, 0);
        for db in &intake_dbs {
            let numbers = query::numbers_of(db, &submitted).await.unwrap_or_default();
            for b in intake_berkas::Entity::find()
                .filter(intake_berkas::Column::NomorBerkas.is_in(numbers))
                .filter(intake_berkas::Column::Sop.eq(sop.to_string()))
                .all(db)
                .await
                .unwrap_or_default()
            {
                of += 1;
                finished += usize::from(b.status == "CARD_ACTIVATED");
            }
        }
        rows.push((*sop, finished, of));
    }
    // Section C, once the first cards are in the residents' hands.
    let mut unfinished_c = 0;
    if !later.is_empty() {
        let apps = demo_section_c::applications(&later, &people);
        let section_rows = demo_section_c::run(
            &apps,
            &procedures,
            demo_section_c::Desks {
                sender: &mut desks[0],
                intake: &intake_dbs[0],
                register: &registry_db,
                biometric: &biometric_dbs[0],
                print: &print_db,
                distribution: &dist_db,
                key: &key,
                operator: &op,
                kepala_seksi: &kasi,
            },
            start,
            &mut stages,
        )
        .await?;
        unfinished_c = section_rows.iter().map(|(_, done, of)| of - done).sum();
        rows.extend(section_rows);
    }
    let done = done.saturating_sub(unfinished_c);

    println!();
    println!("| stage | berkas | seconds |");
    println!("|---|---:|---:|");
    for s in &stages {
        println!(
            "| {} | {}/{} | {:.2} |",
            s.name,
            s.reached,
            s.of,
            s.at.as_secs_f64()
        );
    }
    println!();
    println!("| procedure | berkas | done |");
    println!("|---|---:|---:|");
    for (sop, finished, of) in &rows {
        println!(
            "| {sop} {} | {of} | {finished}/{of} |",
            Sop::get(*sop).title
        );
    }
    if done < residents {
        let stuck = stages
            .iter()
            .find(|s| s.reached < s.of)
            .map(|s| s.name)
            .unwrap_or("?");
        println!(
            "{done}/{residents} finished; stuck first at: {stuck} (see http://127.0.0.1:8080 under `ktpel up`, and the .dlq queues)"
        );
    }
    if let Some(w) = watch.filter(|w| w.hold) {
        println!(
            "ktpel demo: holding the ops room open on http://{}/ — Ctrl-C stops",
            w.addr
        );
        run::wait_for_signal().await;
    }
    shutdown.cancel();
    for t in tasks {
        let _ = t.await;
    }
    // Close the desks' own channels first, so closing the connections leaves nothing open.
    for d in &mut desks {
        d.close().await;
    }
    for (_, broker) in &sites_run {
        broker.close().await;
    }
    telemetry.shutdown();
    Ok(done)
}

pub(crate) fn message<M: Message>(
    body: &M,
    subject: &str,
    kecamatan: &str,
) -> Result<Outgoing, String> {
    let key = RoutingKey::regional(subject, kecamatan).map_err(|e| err(&e))?;
    Outgoing::new(body, key, "demo", "demo").map_err(|e| err(&e))
}

fn dinas_name(sites: &[(Site, Broker)]) -> String {
    sites
        .iter()
        .find(|(s, _)| s.kind() == ktpel_site::SiteKind::Dinas)
        .map(|(s, _)| s.to_string())
        .unwrap_or_default()
}

/// Waits until `count` reaches `n` (or the stage times out), showing progress on one line.
pub(crate) async fn wait<F, Fut>(label: &str, n: usize, start: Instant, mut count: F) -> usize
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let deadline = Instant::now() + STAGE_TIMEOUT;
    loop {
        let k = count().await;
        print!(
            "\r  {label}: {k}/{n}  ({:.1}s)   ",
            start.elapsed().as_secs_f64()
        );
        let _ = std::io::stdout().flush();
        if k >= n || Instant::now() >= deadline {
            println!();
            return k;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
