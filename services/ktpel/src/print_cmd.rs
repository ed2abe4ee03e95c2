//! `ktpel print …`: the BCardMgmt desk of S21 at the Dinas, acting on the card-print
//! service's own database (the same settings as `ktpel up`; its relay sends what the desk
//! decides). Every action but `queue` and `operator add` logs in: the password comes from
//! `KTPEL_PASSWORD`, or is read from the first line of standard input.

use ktpel_card_print::{
    CardPrintSettings,
    config::KeyError,
    desk::{self, DeskError},
    operators::{self, LoginError, Role, Session},
    store::Migrator,
};
use ktpel_settings::SettingsError;
use ktpel_store::StoreError;
use sea_orm::{DatabaseConnection, DbErr};
use std::path::PathBuf;

/// Why a step at the print desk was not done.
#[derive(Debug, thiserror::Error)]
pub enum PrintCmdError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("reading the password: {0}")]
    Password(#[source] std::io::Error),
    #[error("an account needs a password")]
    EmptyPassword { username: String },
    /// The account could not be stored.
    #[error("{source}")]
    AddOperator { username: String, source: DbErr },
    #[error("{source}")]
    Login { user: String, source: LoginError },
    /// Reading the print queue.
    #[error(transparent)]
    Queue(DbErr),
    /// The Dinas's chip-signing key.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The desk step itself (S21.2–S21.4, approval) refused or failed.
    #[error(transparent)]
    Desk(#[from] DeskError),
    #[error("no chip was encoded for {nik}")]
    NoChip { nik: String },
    #[error(transparent)]
    File(#[from] crate::file::FileError),
}

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

/// The desk's password: `KTPEL_PASSWORD`, else the first line of standard input (the caller
/// says what it was reading when that fails).
pub(crate) fn password() -> std::io::Result<String> {
    if let Ok(p) = std::env::var("KTPEL_PASSWORD") {
        return Ok(p);
    }
    eprint!("password: ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn login(db: &DatabaseConnection, user: &str) -> Result<Session, PrintCmdError> {
    let password = password().map_err(PrintCmdError::Password)?;
    operators::login(db, user, &password)
        .await
        .map_err(|source| PrintCmdError::Login {
            user: user.to_owned(),
            source,
        })
}

pub async fn run(cmd: PrintCommand) -> Result<(), PrintCmdError> {
    let settings: CardPrintSettings = ktpel_settings::load(ktpel_card_print::SERVICE)?;
    let db = ktpel_store::open::<Migrator>(&settings.database).await?;
    match cmd {
        PrintCommand::OperatorAdd { username, role } => {
            let password = password().map_err(PrintCmdError::Password)?;
            if password.is_empty() {
                return Err(PrintCmdError::EmptyPassword { username });
            }
            if let Err(source) = operators::add(&db, &username, &password, role).await {
                return Err(PrintCmdError::AddOperator { username, source });
            }
            println!("account {username} ({})", role.as_str());
        }
        PrintCommand::Queue => {
            let queue = desk::queue(&db).await.map_err(PrintCmdError::Queue)?;
            println!("{} cards in the print queue", queue.len());
            for j in queue {
                let nama = desk::biodata(&j)?.nama;
                println!("  {}  {}  berkas {}", j.nik, nama, j.nomor_berkas);
            }
        }
        PrintCommand::Encode { nik, user, out } => {
            let s = login(&db, &user).await?;
            let chip = desk::encode(&db, &s, &settings.own.key()?, &nik).await?;
            if let Some(path) = out {
                crate::file::write(&path, &chip)?;
            }
            println!(
                "encoded the chip of {nik} ({} bytes), signed by the Dinas key",
                chip.len()
            );
        }
        PrintCommand::Print { nik, user, out } => {
            let s = login(&db, &user).await?;
            let png = desk::print(&db, &s, &nik).await?;
            let path = out.unwrap_or_else(|| PathBuf::from(format!("{nik}.png")));
            crate::file::write(&path, &png)?;
            println!("printed the card of {nik}; face in {}", path.display());
        }
        PrintCommand::Verify { nik, user, chip } => {
            let s = login(&db, &user).await?;
            let read = match chip {
                Some(path) => crate::file::read(&path)?,
                None => desk::open_job(&db, &nik)
                    .await?
                    .chip
                    .ok_or_else(|| PrintCmdError::NoChip { nik: nik.clone() })?,
            };
            desk::verify(&db, &s, &settings.own.key()?, &nik, &read).await?;
            println!("verified the chip of {nik}: signature good, matches the register");
        }
        PrintCommand::Approve { nik, user } => {
            let s = login(&db, &user).await?;
            desk::approve(&db, &s, &nik).await?;
            println!("approved the card of {nik} by {user}: CARD_PRINTED, sent to distribution");
        }
    }
    Ok(())
}
