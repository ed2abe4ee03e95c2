//! `ktpel print …`: the BCardMgmt desk of S21 at the Dinas, acting on the card-print
//! service's own database (the same settings as `ktpel up`; its relay sends what the desk
//! decides). Every action but `queue` and `operator add` logs in: the password comes from
//! `KTPEL_PASSWORD`, or is read from the first line of standard input.

use ktpel_card_print::{
    CardPrintSettings, desk,
    operators::{self, Role, Session},
    store::Migrator,
};
use sea_orm::DatabaseConnection;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum PrintCommand {
    /// Create (or replace) a desk account.
    OperatorAdd {
        username: String,
        /// operator or kepala_seksi.
        #[arg(long)]
        role: Role,
    },
    /// The print queue: PRR residents whose cards may be made now.
    Queue,
    /// S21.2: write the chip, signed with the Dinas key.
    Encode {
        nik: String,
        #[arg(long)]
        user: String,
        /// Also write the chip's bytes to this file.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// S21.3: print the card face; writes the PNG.
    Print {
        nik: String,
        #[arg(long)]
        user: String,
        /// Where to write the card face (default NIK.png).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// S21.4: read the chip back, check its signature and compare it with the register.
    Verify {
        nik: String,
        #[arg(long)]
        user: String,
        /// The bytes the card reader returned; default: the chip as encoded.
        #[arg(long)]
        chip: Option<PathBuf>,
    },
    /// The kepala_seksi checks the card and approves it: CARD_PRINTED, on to distribution.
    Approve {
        nik: String,
        #[arg(long)]
        user: String,
    },
}

pub(crate) fn password() -> Result<String, String> {
    if let Ok(p) = std::env::var("KTPEL_PASSWORD") {
        return Ok(p);
    }
    eprint!("password: ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("reading the password: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn login(db: &DatabaseConnection, user: &str) -> Result<Session, String> {
    operators::login(db, user, &password()?)
        .await
        .map_err(|e| e.to_string())
}

pub async fn run(cmd: PrintCommand) -> Result<(), String> {
    let settings: CardPrintSettings =
        ktpel_settings::load(ktpel_card_print::SERVICE).map_err(|e| e.to_string())?;
    let db = ktpel_store::open::<Migrator>(&settings.database)
        .await
        .map_err(|e| e.to_string())?;
    let e = |e: desk::DeskError| e.to_string();
    match cmd {
        PrintCommand::OperatorAdd { username, role } => {
            let password = password()?;
            if password.is_empty() {
                return Err("an account needs a password".into());
            }
            operators::add(&db, &username, &password, role)
                .await
                .map_err(|e| e.to_string())?;
            println!("account {username} ({})", role.as_str());
        }
        PrintCommand::Queue => {
            let queue = desk::queue(&db).await.map_err(|e| e.to_string())?;
            println!("{} cards in the print queue", queue.len());
            for j in queue {
                let nama = desk::biodata(&j).map(|b| b.nama).map_err(e)?;
                println!("  {}  {}  berkas {}", j.nik, nama, j.nomor_berkas);
            }
        }
        PrintCommand::Encode { nik, user, out } => {
            let s = login(&db, &user).await?;
            let chip = desk::encode(
                &db,
                &s,
                &settings.own.key().map_err(|e| e.to_string())?,
                &nik,
            )
            .await
            .map_err(e)?;
            if let Some(path) = out {
                std::fs::write(&path, &chip).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            println!(
                "encoded the chip of {nik} ({} bytes), signed by the Dinas key",
                chip.len()
            );
        }
        PrintCommand::Print { nik, user, out } => {
            let s = login(&db, &user).await?;
            let png = desk::print(&db, &s, &nik).await.map_err(e)?;
            let path = out.unwrap_or_else(|| PathBuf::from(format!("{nik}.png")));
            std::fs::write(&path, &png).map_err(|e| format!("{}: {e}", path.display()))?;
            println!("printed the card of {nik}; face in {}", path.display());
        }
        PrintCommand::Verify { nik, user, chip } => {
            let s = login(&db, &user).await?;
            let read = match chip {
                Some(path) => {
                    std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?
                }
                None => desk::open_job(&db, &nik)
                    .await
                    .map_err(e)?
                    .chip
                    .ok_or_else(|| format!("no chip was encoded for {nik}"))?,
            };
            desk::verify(
                &db,
                &s,
                &settings.own.key().map_err(|e| e.to_string())?,
                &nik,
                &read,
            )
            .await
            .map_err(e)?;
            println!("verified the chip of {nik}: signature good, matches the register");
        }
        PrintCommand::Approve { nik, user } => {
            let s = login(&db, &user).await?;
            desk::approve(&db, &s, &nik).await.map_err(e)?;
            println!("approved the card of {nik} by {user}: CARD_PRINTED, sent to distribution");
        }
    }
    Ok(())
}
