//! `ktpel print …`: the BCardMgmt desk of S21 at the Dinas, acting on the card-print
//! service's own database (the same settings as `ktpel up`; its relay sends what the desk
//! decides). Every action but `queue` signs in with the site's account store, the one the
//! desks in the browser use (`ktpel user add NAME --role cetak|kepala_seksi`): the password
//! comes from `KTPEL_PASSWORD`, or is read from the first line of standard input. Wrong
//! passwords count towards the account's lock as they do at `/login`.

use ktpel_card_print::{
    CardPrintSettings,
    config::KeyError,
    desk::{self, DeskError},
    operators::{NotAtPrintDesk, Role, Session},
    store::Migrator,
};
use ktpel_settings::SettingsError;
use ktpel_store::StoreError;
use ktpel_web::accounts::{self, SignInError};
use sea_orm::DbErr;
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
    #[error("signing in as {user}: {source}")]
    SignIn { user: String, source: SignInError },
    #[error(transparent)]
    NotAtPrintDesk(#[from] NotAtPrintDesk),
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
    /// S21.3: print the card face; writes it as PDF at the card's size (ID-1), or the PNG
    /// preview when `--out` ends in `.png`.
    Print {
        nik: String,
        #[arg(long)]
        user: String,
        /// Where to write the card face (default NIK.pdf).
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
    /// S21.2–S21.4 in one sitting: write the chip, print the face (as `print` writes it), read
    /// the chip back and check it.
    Produce {
        nik: String,
        #[arg(long)]
        user: String,
        /// Where to write the card face (default NIK.pdf).
        #[arg(long)]
        out: Option<PathBuf>,
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

/// Signs `user` in with the site's account store, to take a step that is `part`'s.
async fn login(user: &str, part: Role) -> Result<Session, PrintCmdError> {
    let site = crate::run::process_settings(&crate::run::SiteArgs::default())?;
    let accounts_db = ktpel_store::open::<ktpel_web::store::Migrator>(&site.desks.database).await?;
    let password = password().map_err(PrintCmdError::Password)?;
    let account = accounts::sign_in(&accounts_db, user, &password, chrono::Utc::now())
        .await
        .map_err(|source| PrintCmdError::SignIn {
            user: user.to_owned(),
            source,
        })?;
    Ok(Session::of(&account, part)?)
}

/// Writes the printed face of `nik`'s card to `out` (default `NIK.pdf`): the PNG preview when
/// the name ends in `.png`, else the card as PDF; where it went.
async fn write_face(
    db: &sea_orm::DatabaseConnection,
    nik: &str,
    png: Vec<u8>,
    out: Option<PathBuf>,
) -> Result<PathBuf, PrintCmdError> {
    let path = out.unwrap_or_else(|| PathBuf::from(format!("{nik}.pdf")));
    let face = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"))
    {
        png
    } else {
        desk::card_pdf(db, &desk::open_job(db, nik).await?).await?
    };
    crate::file::write(&path, &face)?;
    Ok(path)
}

pub async fn run(cmd: PrintCommand) -> Result<(), PrintCmdError> {
    let settings: CardPrintSettings = ktpel_settings::load(ktpel_card_print::SERVICE)?;
    let db = ktpel_store::open::<Migrator>(&settings.database).await?;
    match cmd {
        PrintCommand::Queue => {
            let queue = desk::queue(&db).await.map_err(PrintCmdError::Queue)?;
            println!("{} cards in the print queue", queue.len());
            for j in queue {
                let nama = desk::biodata(&j)?.nama;
                println!("  {}  {}  berkas {}", j.nik, nama, j.nomor_berkas);
            }
        }
        PrintCommand::Encode { nik, user, out } => {
            let s = login(&user, Role::Operator).await?;
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
            let s = login(&user, Role::Operator).await?;
            let png = desk::print(&db, &s, &nik).await?;
            let path = write_face(&db, &nik, png, out).await?;
            println!("printed the card of {nik}; face in {}", path.display());
        }
        PrintCommand::Produce { nik, user, out } => {
            let s = login(&user, Role::Operator).await?;
            let made = desk::produce(&db, &s, &settings.own.key()?, &nik).await?;
            let path = write_face(&db, &nik, made.face, out).await?;
            println!(
                "encoded, printed and verified the card of {nik} (chip {} bytes, signed by the Dinas key); face in {}",
                made.chip.len(),
                path.display()
            );
        }
        PrintCommand::Verify { nik, user, chip } => {
            let s = login(&user, Role::Operator).await?;
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
            let s = login(&user, Role::KepalaSeksi).await?;
            desk::approve(&db, &s, &nik).await?;
            println!("approved the card of {nik} by {user}: CARD_PRINTED, sent to distribution");
        }
    }
    Ok(())
}
