//! What the demo shows while it runs and at its end: how many berkas reached each stage, and
//! when.
//!
//! A stage is awaited by counting what the services have done (a query on their databases);
//! the count is taken again whenever one of the services commits a transaction, not on a
//! timer, so a stage is seen as soon as it is reached. On a terminal each stage is a bar
//! (`indicatif`); in a log it is a line every few seconds while the count moves, and the last.

use super::DemoError;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ktpel_bus::{Message, Outgoing, RoutingKey};
use std::{
    io::IsTerminal,
    time::{Duration, Instant},
};
use tokio::sync::watch;

/// How long a stage may take before the demo gives up on the berkas that did not reach it.
const STAGE_TIMEOUT: Duration = Duration::from_secs(180);
/// The least time between two counts while the services commit: a burst of commits is
/// counted once.
const BETWEEN_COUNTS: Duration = Duration::from_millis(100);
/// A count is taken at least this often, whatever commits (work no consumer commits: a
/// broker's shovel, a desk of the demo's own).
const AT_LEAST_EVERY: Duration = Duration::from_secs(1);
/// Off a terminal, a progress line at most this often.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// A terminal's bar for a wait for `n` berkas to reach `label`.
fn bar(label: &str, n: usize) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(n as u64), ProgressDrawTarget::stdout());
    bar.set_style(
        ProgressStyle::with_template("  {msg} {bar:30} {pos}/{len}  ({elapsed})")
            .expect("a valid template"),
    );
    bar.set_message(format!("{label}:"));
    bar
}

/// One line of the final table.
pub(crate) struct Stage {
    pub(crate) name: &'static str,
    pub(crate) reached: usize,
    /// Of how many (every resident, or those the stage is for).
    pub(crate) of: usize,
    pub(crate) at: Duration,
}

/// The stages of a part of the demo since it started, and what wakes a wait.
pub(crate) struct Progress {
    start: Instant,
    stages: Vec<Stage>,
    /// The services' commit counters.
    commits: Vec<watch::Receiver<u64>>,
    terminal: bool,
}

impl Progress {
    /// Starts the clock; waits wake on the commits of the services `commits` come from.
    pub(crate) fn new(commits: Vec<watch::Receiver<u64>>) -> Self {
        Self {
            start: Instant::now(),
            stages: Vec::new(),
            commits,
            terminal: std::io::stdout().is_terminal(),
        }
    }

    /// Records that `reached` of `of` berkas reached the stage `name`, now.
    pub(crate) fn reached(&mut self, name: &'static str, reached: usize, of: usize) {
        self.stages.push(Stage {
            name,
            reached,
            of,
            at: self.start.elapsed(),
        });
    }

    /// Waits until `count` reaches `n` (or the stage times out) and returns the last count.
    pub(crate) async fn wait<F, Fut>(&mut self, label: &str, n: usize, mut count: F) -> usize
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = usize>,
    {
        let deadline = Instant::now() + STAGE_TIMEOUT;
        let mut shown: Option<(usize, Instant)> = None;
        let bar = self.terminal.then(|| bar(label, n));
        loop {
            let k = count().await;
            let done = k >= n || Instant::now() >= deadline;
            match &bar {
                Some(bar) => {
                    bar.set_position(k as u64);
                    if done {
                        // The finished bar stays; the next one starts on a line of its own.
                        bar.finish();
                        println!();
                    }
                }
                None => self.log(label, k, n, done, &mut shown),
            }
            if done {
                return k;
            }
            self.next_commit().await;
        }
    }

    /// The progress of a wait off a terminal: a line when the count moved and [`LOG_EVERY`]
    /// passed, and the last.
    fn log(
        &self,
        label: &str,
        k: usize,
        n: usize,
        done: bool,
        shown: &mut Option<(usize, Instant)>,
    ) {
        let line = format!(
            "  {label}: {k}/{n}  ({:.1}s)",
            self.start.elapsed().as_secs_f64()
        );
        let due = match shown {
            None => true,
            Some((last, at)) => done || (*last != k && at.elapsed() >= LOG_EVERY),
        };
        if due {
            println!("{line}");
            *shown = Some((k, Instant::now()));
        }
    }

    /// Returns after a service's next commit (or [`AT_LEAST_EVERY`]), and no sooner than
    /// [`BETWEEN_COUNTS`].
    async fn next_commit(&mut self) {
        let gap = tokio::time::sleep(BETWEEN_COUNTS);
        if self.commits.is_empty() {
            tokio::time::sleep(AT_LEAST_EVERY).await;
            return;
        }
        let changed = futures_util::future::select_all(
            self.commits
                .iter_mut()
                .map(|commits| Box::pin(commits.changed())),
        );
        let closed = match tokio::time::timeout(AT_LEAST_EVERY, changed).await {
            Ok((Err(_), i, _)) => Some(i),
            _ => None,
        };
        // A service that stopped commits no more: its counter would wake every wait at once.
        if let Some(i) = closed {
            self.commits.swap_remove(i);
        }
        gap.await;
    }

    /// The first stage some berkas did not reach.
    pub(crate) fn stuck_at(&self) -> Option<&'static str> {
        self.stages
            .iter()
            .find(|s| s.reached < s.of)
            .map(|s| s.name)
    }

    /// The table of stages: how many berkas reached each, and when.
    pub(crate) fn print_stages(&self) {
        println!();
        println!("| stage | berkas | seconds |");
        println!("|---|---:|---:|");
        for s in &self.stages {
            println!(
                "| {} | {}/{} | {:.2} |",
                s.name,
                s.reached,
                s.of,
                s.at.as_secs_f64()
            );
        }
    }
}

/// A message of the demo's desks about `kecamatan`.
pub(crate) fn message<M: Message>(
    body: &M,
    subject: &str,
    kecamatan: &str,
) -> Result<Outgoing, DemoError> {
    let key = RoutingKey::regional(subject, kecamatan)?;
    Ok(Outgoing::new(body, key, "demo", "demo")?)
}
