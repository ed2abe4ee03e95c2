//! `ktpel` — the one command for people: run the services (`up`, `serve`, `demo`), read the
//! procedures (`sop`), check NIKs (`nik`), act at a desk (`intake`, `enroll`, `print`, `distribute`), load SIAK
//! (`registry seed`), carry an offline site's enrollments on removable media (`backup`), ask a
//! running system (`scheduler`, `berkas`). Each subcommand is a file
//! in this crate; the work is in the service libraries.

mod auth;
mod backup_cmd;
mod card_cmd;
mod demo;
mod desk_bus;
mod desks;
mod distribute_cmd;
mod enroll_cmd;
mod file;
mod http;
mod intake_cmd;
mod memory;
mod metrics;
mod nik_cmd;
mod page;
mod print_cmd;
mod registry_cmd;
mod remote;
mod report;
mod run;
mod site_cmd;
mod sop_cmd;
mod status;
mod user_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "ktpel", version, about = "KTP-el issuance on a message bus")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run every service of the site in one process, with a status page (Ctrl-C stops
    /// gracefully). With no site, every place on one broker.
    Up {
        /// Address of the status page and /health, /ready.
        #[arg(long, default_value = "127.0.0.1:8080")]
        http: std::net::SocketAddr,
        #[command(flatten)]
        site: run::SiteArgs,
    },
    /// Run one service (for containers).
    Serve {
        #[arg(value_enum)]
        service: run::ServiceName,
        #[arg(long, default_value = "127.0.0.1:8080")]
        http: std::net::SocketAddr,
        #[command(flatten)]
        site: run::SiteArgs,
    },
    /// Sites and their links: let a site onto this site's broker (`grant`).
    #[command(subcommand)]
    Site(site_cmd::SiteCommand),
    /// Act as a kecamatan desk and its operators for N residents through S01, every service
    /// in this process; prints how far they got and when.
    Demo {
        #[arg(long, default_value_t = 20)]
        residents: usize,
        /// Kecamatan (or kabupaten/kota) where the residents live.
        #[arg(long, default_value = "32.73.01")]
        region: ktpel_domain::KodeWilayah,
        /// Run the Dinas of the region, K of its kecamatan and the Pusat Data as sites of
        /// their own (each on its own vhost of the broker, linked by shovels); 0: every place
        /// on one broker.
        #[arg(long, default_value_t = 0)]
        kecamatan: usize,
        /// The procedures the residents go through, in turn (comma-separated SOP ids, or
        /// `all`). S02 and S03 run their kecamatan offline and carry the enrollments in S20
        /// bundles; a replacement or a relocation (S06–S17) follows the resident's first card.
        #[arg(long, value_delimiter = ',', default_value = "S01")]
        procedures: Vec<demo::Procedures>,
        /// Serve the Dinas's status page and `/metrics` here while the demo runs, and keep
        /// serving after its table until Ctrl-C (watch the ops room fill up).
        #[arg(long)]
        http: Option<std::net::SocketAddr>,
        /// Write the papers of every berkas — the salinan permohonan, the bukti perekaman,
        /// each card, the Kartu Keluarga and Surat Keterangan Pindah SIAK printed, the Berita
        /// Acara of its card's batch, the tanda terima — as PDF into this folder, one folder
        /// per berkas (a demo in two parts: `online/` and `offline/` under it).
        #[arg(long)]
        documents: Option<std::path::PathBuf>,
    },
    /// Check NIKs: one per argument, or one per line on stdin. Exit status 1 if any is invalid.
    Nik { niks: Vec<String> },
    /// The procedures (SOP S01–S22): a line each, or given ones in full — the documents to
    /// receive and the route hop by hop.
    Sop {
        ids: Vec<ktpel_domain::SopId>,
        /// Every procedure in full.
        #[arg(long)]
        all: bool,
    },
    /// Desk actions at intake (S01.1–S01.2).
    #[command(subcommand)]
    Intake(intake_cmd::IntakeCommand),
    /// The enrollment operator at the station (S01.3–S01.6).
    #[command(subcommand)]
    Enroll(enroll_cmd::EnrollCommand),
    /// The print desk at the Dinas (S21).
    #[command(subcommand)]
    Print(print_cmd::PrintCommand),
    /// The Dinas's card register: verify a card by its chip, list a NIK's cards.
    #[command(subcommand)]
    Card(card_cmd::CardCommand),
    /// The distribution desk (S22).
    #[command(subcommand)]
    Distribute(distribute_cmd::DistributeCommand),
    /// The population register (SIAK).
    #[command(subcommand)]
    Registry(registry_cmd::RegistryCommand),
    /// Offline backups on removable media (S20): keys, trust, status, export, import.
    #[command(subcommand)]
    Backup(backup_cmd::BackupCommand),
    /// The accounts of this site's desks in the browser: add, list, disable.
    #[command(subcommand)]
    User(user_cmd::UserCommand),
    /// The NID Scheduler of a running `ktpel up` (S19).
    Scheduler {
        #[command(subcommand)]
        command: remote::SchedulerCommand,
        /// Where `ktpel up` serves its status page.
        #[arg(long, default_value = "http://127.0.0.1:8080", global = true)]
        url: String,
    },
    /// Whether a running `ktpel up` or `ktpel serve` is ready (`GET /ready`): exit 0 if it is,
    /// 1 with why if not. A container's healthcheck.
    Ready {
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
    },
    /// Berkas in a running `ktpel up`.
    Berkas {
        #[command(subcommand)]
        command: remote::BerkasCommand,
        #[arg(long, default_value = "http://127.0.0.1:8080", global = true)]
        url: String,
    },
}

fn main() -> ExitCode {
    memory::cap_malloc_arenas();
    let cli = Cli::parse();
    let blocking = match cli.command {
        Command::Nik { niks } => return nik_cmd::run(niks),
        Command::Sop { ids, all } => {
            sop_cmd::run(ids, all);
            None
        }
        Command::Scheduler { command, url } => Some(printable(remote::scheduler(&url, command))),
        Command::Berkas { command, url } => Some(printable(remote::berkas(&url, command))),
        Command::Ready { url } => Some(printable(remote::ready(&url))),
        other => {
            return run_async(other);
        }
    };
    match blocking {
        Some(Ok(())) | None => ExitCode::SUCCESS,
        Some(Err(e)) => {
            eprintln!("ktpel: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_async(command: Command) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ktpel: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match command {
            Command::Up { http, site } => printable(run::up(http, site).await),
            Command::Site(cmd) => printable(site_cmd::run(cmd).await),
            Command::Demo {
                residents,
                region,
                kecamatan,
                procedures,
                http,
                documents,
            } => printable(
                demo::run(residents, region, kecamatan, procedures, http, documents).await,
            ),
            Command::Serve {
                service,
                http,
                site,
            } => printable(run::serve(service, http, site).await),
            Command::Intake(cmd) => printable(intake_cmd::run(cmd).await),
            Command::Enroll(cmd) => printable(enroll_cmd::run(cmd).await),
            Command::Print(cmd) => printable(print_cmd::run(cmd).await),
            Command::Card(cmd) => printable(card_cmd::run(cmd).await),
            Command::Distribute(cmd) => printable(distribute_cmd::run(cmd).await),
            Command::Registry(cmd) => printable(registry_cmd::run(cmd).await),
            Command::Backup(cmd) => printable(backup_cmd::run(cmd).await),
            Command::User(cmd) => printable(user_cmd::run(cmd).await),
            Command::Nik { .. }
            | Command::Sop { .. }
            | Command::Scheduler { .. }
            | Command::Berkas { .. }
            | Command::Ready { .. } => {
                unreachable!("handled without a runtime")
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ktpel: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A command's outcome as it is printed: the outermost edge, where an error becomes its text.
fn printable<E: std::fmt::Display>(result: Result<(), E>) -> Result<(), String> {
    result.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every subcommand's arguments are well formed (two with one name made `ktpel backup
    /// trust` panic as it parsed its arguments).
    #[test]
    fn every_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
