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

mod error;
mod first_cards;
mod new_residents;
mod offline;
mod ops_room;
mod papers;
mod places;
mod population;
mod progress;
mod section_c;

use crate::run::{self, SiteArgs};
pub use error::DemoError;
use first_cards::Desks;
use ktpel_bus::Shutdown;
use ktpel_domain::{KodeWilayah, SopId, sop::Sop};
use ktpel_registry::seed;
use offline::OfflineKecamatan;
use ops_room::Watch;
use places::Places;
use population::{Counters, Population};
use progress::Progress;
use tokio::task::JoinHandle;

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
    documents: Option<std::path::PathBuf>,
) -> Result<(), DemoError> {
    let procedures = expand(procedures)?;
    // S15/S16 are taken at the counter of the kecamatan the family moves to.
    let at_another_counter = |p: &&SopId| {
        let procedure = Sop::get(**p);
        procedure.relocation() && procedure.taken_at() == Some(ktpel_domain::sop::Place::Kecamatan)
    };
    if kecamatan == 1
        && let Some(p) = procedures.iter().find(at_another_counter)
    {
        return Err(DemoError::OneKecamatan(*p));
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
        // Each part numbers its berkas from the start (its own places and databases): the
        // papers of the two parts go to a folder each, or the second's would overwrite the
        // first's of the same number.
        let papers = documents.as_ref().map(|dir| match (last, i) {
            (0, _) => dir.clone(),
            (_, 0) => dir.join("online"),
            _ => dir.join("offline"),
        });
        done += run_part(
            residents,
            region,
            kecamatan,
            procedures,
            watch,
            papers.as_deref(),
        )
        .await?;
        of += residents;
    }
    println!("completed {done}/{of}");
    if done == of {
        Ok(())
    } else {
        Err(DemoError::Unfinished(of - done))
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
fn expand(procedures: Vec<Procedures>) -> Result<Vec<SopId>, DemoError> {
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
        return Err(DemoError::NotRouted(*p));
    }
    Ok(procedures)
}

/// One part of the demo: `residents` through `procedures`, all online or all offline.
/// Returns how many finished.
async fn run_part(
    residents: usize,
    region: KodeWilayah,
    kecamatan: usize,
    procedures: Vec<SopId>,
    watch: Option<Watch>,
    documents: Option<&std::path::Path>,
) -> Result<usize, DemoError> {
    // S02 and S03 happen where there is no link: their kecamatan run offline, as sites. (`run`
    // gives them a part of their own when the list also needs a kecamatan online.)
    let offline = procedures.iter().any(|p| matches!(p.number(), 2 | 3));
    let kecamatan = if offline { kecamatan.max(1) } else { kecamatan };
    let process = run::process_settings(&SiteArgs::default())?;
    let mut running = Running {
        telemetry: telemetry(&process, region)?,
        shutdown: Shutdown::new(),
        tasks: Vec::new(),
        brokers: Vec::new(),
        made: places::Made::default(),
    };
    let places = if kecamatan == 0 {
        places::one_site(&process, region).await?
    } else {
        // S18 moves families to the Dinas of another kabupaten/kota: it runs as a site too.
        let s18 = procedures.iter().any(|p| Sop::get(*p).between_kabupaten());
        places::linked_sites(&process, region, kecamatan, offline, s18).await?
    };
    let mut progress = Progress::new(places.commits());
    let mut desks = desks_of(&places)?;
    if let Some(w) = watch {
        let ops_room = ops_room::serve(w, places.dinas(), &running.shutdown).await?;
        running.tasks.push(ops_room);
    }
    let where_ = places.describe(region);
    running.start(places);
    // Whatever ends the part — its end, an error, Ctrl-C or SIGTERM — its services stop and
    // what it made on the broker is removed.
    let outcome = {
        let work = async {
            let codes: Vec<KodeWilayah> = desks.counters.0.iter().map(|(c, _)| *c).collect();
            let mut population = Population::generate(residents, &codes, &procedures)?;
            let in_siak = population.in_siak();
            // With kecamatan nodes, the Dinas's register announces them to the kecamatan's copies.
            seed::record(&desks.register, kecamatan > 0, &in_siak).await?;
            // An offline kecamatan's copy of SIAK was filled before it lost its link.
            offline::fill_copies(&desks.offline, &in_siak, |p| desks.counters.kecamatan_of(p))
                .await?;
            println!(
                "ktpel demo: {residents} residents of {where_} through {} (SIAK seeded but for S05's){}",
                names(&procedures),
                if offline {
                    "; the kecamatan work offline and send their enrollments in S20 bundles"
                } else {
                    ""
                }
            );

            let management = process.site.management(process.amqp.url.first().expose());
            let s05_row =
                new_residents(&mut desks, &mut population, &management, &mut progress).await?;
            let submitted = desks.submit(&population.first, &mut progress).await?;
            let ours = desks.enroll(&submitted, &management, &mut progress).await?;
            let print_desk = desks.print(&ours, &mut progress).await?;
            let done = desks.distribute(&ours, &mut progress).await?;

            let mut rows = first_card_rows(&desks, &procedures, &submitted, s05_row).await;
            // Section C, once the first cards are in the residents' hands.
            let mut unfinished_c = 0;
            if !population.later.is_empty() {
                let section_rows = section_c(
                    &mut desks,
                    &population,
                    &in_siak,
                    &procedures,
                    &print_desk,
                    &mut progress,
                )
                .await?;
                unfinished_c = section_rows.iter().map(|(_, done, of)| of - done).sum();
                rows.extend(section_rows);
            }
            let done = done.saturating_sub(unfinished_c);

            progress.print_stages();
            print_procedures(&rows);
            if let Some(dir) = documents {
                let folders = papers::write_all(&desks, dir).await?;
                println!(
                    "ktpel demo: the papers of {folders} berkas in {}",
                    dir.display()
                );
            }
            if done < residents {
                let stuck = progress.stuck_at().unwrap_or("?");
                println!(
                    "{done}/{residents} finished; stuck first at: {stuck} (see http://127.0.0.1:8080 under `ktpel up`, and the .dlq queues)"
                );
            }
            Ok(done)
        };
        tokio::select! {
            outcome = work => outcome,
            _ = run::wait_for_signal() => Err(DemoError::Interrupted),
        }
    };
    if let (Ok(_), Some(w)) = (&outcome, watch.filter(|w| w.hold)) {
        println!(
            "ktpel demo: holding the ops room open on http://{}/ — Ctrl-C stops",
            w.addr
        );
        run::wait_for_signal().await;
    }
    running.stop(&mut desks).await;
    outcome
}

/// What a part runs while it runs: its services and ops room, their brokers, its telemetry.
struct Running {
    telemetry: ktpel_telemetry::Telemetry,
    shutdown: Shutdown,
    tasks: Vec<JoinHandle<()>>,
    brokers: Vec<ktpel_bus::Broker>,
    /// The vhosts and users made for the part, removed when it stops.
    made: places::Made,
}

impl Running {
    /// Starts the services of every place.
    fn start(&mut self, mut places: Places) {
        self.brokers = places.sites.iter().map(|s| s.broker.clone()).collect();
        self.made = std::mem::take(&mut places.made);
        for s in places.sites {
            self.tasks.extend(run::spawn_all(s.built, &self.shutdown));
        }
    }

    /// Stops the services (each finishes what it has in hand), then closes the desks'
    /// channels and the brokers' connections, in that order, so that nothing is left open.
    async fn stop(self, desks: &mut Desks) {
        self.shutdown.cancel();
        for t in self.tasks {
            let _ = t.await;
        }
        desks.close().await;
        for broker in &self.brokers {
            broker.close().await;
        }
        self.made.remove().await;
        self.telemetry.shutdown();
    }
}

/// A row per procedure of the first cards, in the order of `procedures`: how many of its
/// berkas finished, of how many (S05's: how many SIAK registered).
async fn first_card_rows(
    desks: &Desks,
    procedures: &[SopId],
    submitted: &[uuid::Uuid],
    s05_row: Option<(usize, usize)>,
) -> Vec<(SopId, usize, usize)> {
    let s05 = SopId::new(5).expect("S05");
    let first_cards: Vec<SopId> = procedures
        .iter()
        .copied()
        .filter(|p| !Sop::get(*p).replaces_a_card() && *p != s05)
        .collect();
    let mut rows = desks.finished_by_procedure(&first_cards, submitted).await;
    if let (true, Some((registered, of))) = (procedures.contains(&s05), s05_row) {
        rows.push((s05, registered, of));
    }
    rows.sort_by_key(|(sop, _, _)| procedures.iter().position(|p| p == sop));
    rows
}

/// The demo's telemetry: its sites share one process, so its metrics are labelled by the
/// demo's region; warnings and worse in the log unless told otherwise.
fn telemetry(
    process: &run::Process,
    region: KodeWilayah,
) -> Result<ktpel_telemetry::Telemetry, DemoError> {
    let mut settings = process.telemetry.clone();
    settings.log_filter.get_or_insert_with(|| "warn".into());
    ktpel_telemetry::init(
        "ktpel-demo",
        &settings,
        ktpel_telemetry::metrics::site_labels("demo", Some(&region.to_string())),
    )
    .map_err(DemoError::from)
}

/// The desks of `places`: a sender per site, the counters of its kecamatan, the databases
/// they look at, the Dinas's signing key.
fn desks_of(places: &Places) -> Result<Desks, DemoError> {
    let dinas = places.dinas();
    let offline = places
        .sites
        .iter()
        .filter_map(|s| {
            let link = s.link.clone()?;
            let k = || -> Result<OfflineKecamatan, DemoError> {
                Ok(OfflineKecamatan {
                    site: s.site,
                    link,
                    broker: s.broker.clone(),
                    biometric: s.db(ktpel_biometric::SERVICE)?,
                    registry: s.db(ktpel_registry::SERVICE)?,
                })
            };
            Some(k())
        })
        .collect::<Result<_, DemoError>>()?;
    let scheduler = dinas
        .built
        .iter()
        .find_map(|b| b.panel.as_ref())
        .map(|p| p.scheduler.clone())
        .ok_or(DemoError::NoScheduler)?;
    // The print desk signs with the key card-print made or read at its build.
    let key = dinas.key()?;
    let has = |s: &places::DemoSite, service: &str| s.built.iter().any(|b| b.name == service);
    let mut sites = Vec::new();
    let (mut origin, mut destination) = (0, None);
    for (i, s) in places.sites.iter().enumerate() {
        if !has(s, ktpel_intake::SERVICE) {
            continue;
        }
        let printing = if has(s, ktpel_card_print::SERVICE) {
            Some(section_c::DinasDesks {
                register: s.db(ktpel_registry::SERVICE)?,
                print: s.db(ktpel_card_print::SERVICE)?,
                distribution: s.db(ktpel_distribution::SERVICE)?,
                key: s.key()?,
            })
        } else {
            None
        };
        if i == places.dinas_index() {
            origin = sites.len();
        }
        if Some(i) == places.destination {
            destination = Some(sites.len());
        }
        sites.push(section_c::SiteDesks {
            sender: i,
            intake: s.db(ktpel_intake::SERVICE)?,
            biometric: s.db(ktpel_biometric::SERVICE)?,
            dinas: printing,
        });
    }
    Ok(Desks {
        sites,
        origin,
        destination,
        senders: places
            .sites
            .iter()
            .map(|s| crate::desk_bus::Sender::new(s.broker.clone(), "ktpel-demo"))
            .collect(),
        counters: Counters(places.kecamatan.clone()),
        intake: places.desk_dbs(ktpel_intake::SERVICE)?,
        biometric: places.desk_dbs(ktpel_biometric::SERVICE)?,
        register: dinas.db(ktpel_registry::SERVICE)?,
        print: dinas.db(ktpel_card_print::SERVICE)?,
        distribution: dinas.db(ktpel_distribution::SERVICE)?,
        afis: dinas.db(ktpel_afis_sync::SERVICE)?,
        dinas: dinas.site,
        scheduler,
        key,
        offline,
    })
}

/// S05 first: the new residents' berkas travel to SIAK at the Dinas and back — over the link,
/// so an offline kecamatan is online for that, and goes offline after. Those SIAK recorded go
/// on to enrollment (S05.7). Returns how many were recorded, of how many, if any applied.
async fn new_residents(
    desks: &mut Desks,
    population: &mut Population,
    management: &ktpel_site::Management,
    progress: &mut Progress,
) -> Result<Option<(usize, usize)>, DemoError> {
    if population.newcomers.is_empty() {
        return Ok(None);
    }
    for k in &desks.offline {
        k.link.declare(&k.broker, management).await?;
    }
    let recorded = new_residents::register(
        &population.newcomers,
        |p| desks.counters.kecamatan_of(p),
        new_residents::Desks {
            senders: &mut desks.senders,
            desk_of: &|k| desks.counters.desk_of(k),
            intake_dbs: &desks.intake,
            register: &desks.register,
        },
        progress,
    )
    .await?;
    offline::copies_know(&desks.offline, &recorded).await?;
    for k in &desks.offline {
        k.link.take_down(management).await?;
    }
    let row = (recorded.len(), population.newcomers.len());
    let enroll_as = population.enroll_as;
    population
        .first
        .extend(recorded.into_iter().map(|p| (p, enroll_as)));
    Ok(Some(row))
}

/// Section C for the residents whose first card is now in their hands.
async fn section_c(
    desks: &mut Desks,
    population: &Population,
    in_siak: &[ktpel_contract::registry::Biodata],
    procedures: &[SopId],
    print_desk: &first_cards::PrintDesk,
    progress: &mut Progress,
) -> Result<Vec<(SopId, usize, usize)>, DemoError> {
    let apps = section_c::applications(&population.later, in_siak);
    section_c::run(
        &apps,
        procedures,
        section_c::Desks {
            senders: &mut desks.senders,
            sites: &desks.sites,
            origin: desks.origin,
            destination: desks.destination,
            counters: &desks.counters,
            operator: &print_desk.operator,
            kepala_seksi: &print_desk.kepala_seksi,
        },
        progress,
    )
    .await
}

/// The table of procedures: how many berkas of each there were, and how many finished.
fn print_procedures(rows: &[(SopId, usize, usize)]) {
    println!();
    println!("| procedure | berkas | done |");
    println!("|---|---:|---:|");
    for (sop, finished, of) in rows {
        println!(
            "| {sop} {} | {of} | {finished}/{of} |",
            Sop::get(*sop).title
        );
    }
}
