//! The commands that ask a running `ktpel up` (or `ktpel serve`) over its HTTP face:
//! `ktpel scheduler …` and `ktpel berkas show`.

use ktpel_intake::query::BerkasTimeline;

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

fn get(url: &str) -> Result<String, String> {
    get_as(url, None)
}

/// GET `url`, with a bearer token when given; a refusal is reported with the server's reason.
fn get_as(url: &str, token: Option<&str>) -> Result<String, String> {
    let mut request = ureq::get(url).config().http_status_as_error(false).build();
    if let Some(t) = token {
        request = request.header("Authorization", &format!("Bearer {t}"));
    }
    let mut response = request
        .call()
        .map_err(|e| format!("{url}: {e} (is `ktpel up` running?)"))?;
    let status = response.status();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("{url}: {e}"))?;
    if status.is_success() {
        Ok(text)
    } else {
        Err(format!("{url}: {status}: {}", text.trim()))
    }
}

pub fn scheduler(base: &str, cmd: SchedulerCommand) -> Result<(), String> {
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
            let mut response = ureq::post(&url)
                .config()
                .http_status_as_error(false)
                .build()
                .header("Authorization", &format!("Bearer {token}"))
                .send_empty()
                .map_err(|e| format!("{url}: {e} (is `ktpel up` running?)"))?;
            let status = response.status();
            let text = response
                .body_mut()
                .read_to_string()
                .map_err(|e| e.to_string())?;
            if !status.is_success() {
                return Err(format!("{url}: {status}: {}", text.trim()));
            }
            print!("Scheduler Current Status: {text}");
        }
    }
    Ok(())
}

pub fn berkas(base: &str, cmd: BerkasCommand) -> Result<(), String> {
    let BerkasCommand::Show { nomor } = cmd;
    let token = crate::run::token_for(crate::auth::Role::Ppp)?;
    let text = get_as(&format!("{base}/berkas/{nomor}"), Some(&token))?;
    let mut b: BerkasTimeline = serde_json::from_str(&text).map_err(|e| e.to_string())?;
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
