//! `cargo run --release -p bench -- bus --messages N`
//! `cargo run --release -p bench -- pipeline --residents N` (see `pipeline.rs`)
//! `cargo run --release -p bench -- drain --messages N` (see `drain.rs`)
//! `cargo run --release -p bench -- import --records N` (see `import.rs`)
//! `cargo run --release -p bench -- scheduler --records N` (see `scheduler.rs`)
//! `cargo run --release -p bench -- desks --sessions N` (see `desks.rs`)
//! `cargo run --release -p bench -- papers --cards N` (see `papers.rs`)
//! `cargo run --release -p bench -- matcher` (see `matcher.rs`)
//!
//! Measures messages per second through the whole backbone — outbox write in a transaction →
//! relay publish with confirms → quorum queue → consumer with inbox, handler transaction and
//! ack — on PostgreSQL, beside a raw lapin baseline that does the same broker work (same
//! message size, persistent messages to a quorum queue, the same confirm window, manual acks,
//! the same prefetch) with no storage, in the same run. Machines are shared and noisy, so the
//! figure to read is the ratio, not the absolute rate.

mod bus;
mod desks;
mod drain;
mod import;
mod matcher;
mod papers;
mod pipeline;
mod scheduler;
mod statements;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "KTP-el benchmarks: each prints a table with a baseline from the same run")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The messaging backbone against raw lapin.
    Bus(bus::Args),
    /// S01 end to end through every service against raw lapin with as many hops.
    Pipeline(pipeline::Args),
    /// A kecamatan's backlog after a link outage, drained to the Dinas, against raw lapin.
    Drain(drain::Args),
    /// An S20 backup bundle imported at the Server AFIS, against raw lapin publishing it.
    Import(import::Args),
    /// The NID Scheduler draining waiting records to the Pusat Data, against raw lapin.
    Scheduler(scheduler::Args),
    /// The counter in the browser under concurrent sessions, against the bus's desk path.
    Desks(desks::Args),
    /// The card as PDF, against the PNG preview, in the same run.
    Papers(papers::Args),
    /// 1:N identification: accuracy on a synthetic population, and speed beside comparing
    /// the whole gallery.
    Matcher(matcher::Args),
}

#[tokio::main]
async fn main() {
    match Cli::parse().command {
        Command::Bus(args) => bus::run(args).await,
        Command::Pipeline(args) => pipeline::run(args).await,
        Command::Drain(args) => drain::run(args).await,
        Command::Import(args) => import::run(args).await,
        Command::Scheduler(args) => scheduler::run(args).await,
        Command::Desks(args) => desks::run(args).await,
        Command::Papers(args) => papers::run(args).await,
        Command::Matcher(args) => matcher::run(args).await,
    }
}
