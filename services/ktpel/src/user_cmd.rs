//! `ktpel user add|list|disable`: the accounts of this site's desks in the browser (the
//! account store of `[desks]`). The password comes from `KTPEL_PASSWORD`, or the first line
//! of standard input; it is never printed.

use ktpel_settings::SettingsError;
use ktpel_store::StoreError;
use ktpel_web::{
    Role,
    accounts::{self, AccountError},
};

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Make an account, or give an existing one a new password and role (enabling it again).
    Add {
        username: String,
        /// ppp, operator, operator_mobile, siak, cetak, kepala_seksi, distribusi, ops, adjudikator, admin.
        #[arg(long)]
        role: Role,
        /// The kecamatan whose berkas the account works on (a kecamatan's staff); none: every
        /// berkas of the site (the Dinas's staff).
        #[arg(long)]
        kecamatan: Option<String>,
    },
    /// Every account: name, role, kecamatan, and whether it is disabled.
    List,
    /// Stop an account signing in; its open sessions end at their next request.
    Disable { username: String },
}

#[derive(Debug, thiserror::Error)]
pub enum UserCmdError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("reading the password: {0}")]
    Password(std::io::Error),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error("the account store: {0}")]
    Db(#[from] sea_orm::DbErr),
}

pub async fn run(cmd: UserCommand) -> Result<(), UserCmdError> {
    let settings = crate::run::process_settings(&crate::run::SiteArgs::default())?;
    let db = ktpel_store::open::<ktpel_web::store::Migrator>(&settings.desks.database).await?;
    match cmd {
        UserCommand::Add {
            username,
            role,
            kecamatan,
        } => {
            let password = crate::print_cmd::password().map_err(UserCmdError::Password)?;
            let a = accounts::add(&db, &username, &password, role, kecamatan.as_deref()).await?;
            println!(
                "account {} ({}{})",
                a.username,
                a.role,
                a.kecamatan
                    .map(|k| format!(", kecamatan {k}"))
                    .unwrap_or_default()
            );
        }
        UserCommand::List => {
            for a in accounts::list(&db).await? {
                println!(
                    "{:<20} {:<16} {:<10} {}",
                    a.username,
                    a.role,
                    a.kecamatan.map(|k| k.to_string()).unwrap_or("-".into()),
                    if a.disabled { "disabled" } else { "active" }
                );
            }
        }
        UserCommand::Disable { username } => {
            accounts::disable(&db, &username).await?;
            println!("account {username} disabled");
        }
    }
    db.close().await?;
    Ok(())
}
