//! The commands that ask a running `ktpel up` (or `ktpel serve`) over its HTTP face:
//! `ktpel scheduler …`, `ktpel berkas show` and `ktpel ready`.

use crate::run::TokenError;
use ktpel_intake::query::BerkasTimeline;
use ureq::http::{Response, StatusCode};

/// Why a running `ktpel up` was not asked, or did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("{url}: {source} (is `ktpel up` running?)")]
    Unreachable { url: String, source: ureq::Error },
    /// The answer's body did not arrive whole.
    #[error("{url}: {source}")]
    Body { url: String, source: ureq::Error },
    /// The server said no (a 401 or 403 for the token, a 404 for a berkas), with its reason.
    #[error("{url}: {status}: {reason}")]
    Refused {
        url: String,
        status: StatusCode,
        reason: String,
    },
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The berkas as the server sent it does not read as one.
    #[error("{source}")]
    Timeline {
        nomor: String,
        source: serde_json::Error,
    },
}

#[derive(clap::Subcommand)]
pub enum SchedulerCommand {
    /// Print the NID Scheduler panel (S19.4–S19.5) and the link checks (S19.1–S19.3).
    Status,
    /// Send what is waiting now instead of at the next interval.
    Run,
    Pause,
    Resume,
}

#[derive(clap::Subcommand)]
pub enum BerkasCommand {
    /// Where is berkas NUMBER? Its status and every hop it passed.
    Show { nomor: String },
}

fn get(url: &str) -> Result<String, RemoteError> {
    get_as(url, None)
}

/// GET `url`, with a bearer token when given; a refusal is reported with the server's reason.
fn get_as(url: &str, token: Option<&str>) -> Result<String, RemoteError> {
    let mut request = ureq::get(url).config().http_status_as_error(false).build();
    if let Some(t) = token {
        request = request.header("Authorization", &format!("Bearer {t}"));
    }
    answer(url, request.call())
}

/// The body of the answer to a request to `url`; a refusal, with the server's reason.
fn answer(
    url: &str,
    sent: Result<Response<ureq::Body>, ureq::Error>,
) -> Result<String, RemoteError> {
    let mut response = sent.map_err(|source| RemoteError::Unreachable {
        url: url.to_owned(),
        source,
    })?;
    let status = response.status();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|source| RemoteError::Body {
            url: url.to_owned(),
            source,
        })?;
    if status.is_success() {
        Ok(text)
    } else {
        Err(RemoteError::Refused {
            url: url.to_owned(),
            status,
            reason: text.trim().to_owned(),
        })
    }
}

/// `ktpel ready`: whether the process at `base` is ready (`GET /ready`), with what it says;
/// a container's healthcheck, which has no `curl`. Gives up after five seconds: a process
/// that does not answer in that time is not healthy.
pub fn ready(base: &str) -> Result<(), RemoteError> {
    let url = format!("{}/ready", base.trim_end_matches('/'));
    let agent = ureq::Agent::new_with_config(
        ureq::config::Config::builder()
            .http_status_as_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(5)))
            .build(),
    );
    let said = answer(&url, agent.get(&url).call())?;
    println!("{}", said.trim());
    Ok(())
}

pub fn scheduler(base: &str, cmd: SchedulerCommand) -> Result<(), RemoteError> {
    match cmd {
        SchedulerCommand::Status => print!("{}", get(&format!("{base}/scheduler?format=text"))?),
        SchedulerCommand::Run | SchedulerCommand::Pause | SchedulerCommand::Resume => {
            let action = match cmd {
                SchedulerCommand::Run => "run",
                SchedulerCommand::Pause => "pause",
                _ => "resume",
            };
            let url = format!("{base}/scheduler/{action}");
            let token = crate::run::token_for(crate::auth::Role::Operator)?;
            let sent = ureq::post(&url)
                .config()
                .http_status_as_error(false)
                .build()
                .header("Authorization", &format!("Bearer {token}"))
                .send_empty();
            let text = answer(&url, sent)?;
            print!("Scheduler Current Status: {text}");
        }
    }
    Ok(())
}

pub fn berkas(base: &str, cmd: BerkasCommand) -> Result<(), RemoteError> {
    let BerkasCommand::Show { nomor } = cmd;
    let token = crate::run::token_for(crate::auth::Role::Ppp)?;
    let text = get_as(&format!("{base}/berkas/{nomor}"), Some(&token))?;
    let mut b: BerkasTimeline =
        serde_json::from_str(&text).map_err(|source| RemoteError::Timeline {
            nomor: nomor.clone(),
            source,
        })?;
    // In the order things happened: a hop's stamp reaches the counter with the slip, after the
    // statuses announced meanwhile (a replacement's SIAK work, before its card was printed).
    b.timeline.sort_by_key(|e| e.at);
    println!(
        "Berkas {}  ({}, NIK {}, {})",
        b.nomor_berkas, b.sop, b.nik, b.nama
    );
    println!("Status {}  at {}", b.status, b.at_hop);
    if let Some(bukti) = &b.bukti_perekaman {
        println!("Bukti perekaman {bukti}");
    }
    for e in &b.timeline {
        println!(
            "  {}  {:<6} {:<26} {}",
            e.at.format("%Y-%m-%d %H:%M:%S"),
            e.step,
            e.hop,
            e.note
        );
    }
    Ok(())
}
