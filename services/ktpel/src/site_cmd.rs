//! `ktpel site …`: sites and their links, run at a site against its own broker (the
//! `amqp.url` and `site.management_url` of `config/ktpel.toml`).
//!
//! - `grant SITE`: at a Dinas (or the Pusat Data), let a kecamatan (or a Dinas) onto this
//!   broker with a user of its own and least privilege, and declare its downlink queue. The
//!   password comes from `KTPEL_PASSWORD`, or the first line of standard input, and is never
//!   printed.
//! - `status`: this site's links as its broker runs them.

use crate::run::{SiteArgs, process_settings};
use ktpel_bus::Broker;
use ktpel_settings::SettingsError;
use ktpel_site::{
    Site,
    grant::{self, GrantError},
};

/// The shortest password a site's user on this broker may have.
const MIN_PASSWORD: usize = 12;

/// Why a site was not let onto this broker, or its links not shown.
#[derive(Debug, thiserror::Error)]
pub enum SiteCmdError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// A Dinas lets in only its own kecamatan, the Pusat Data only a Dinas.
    #[error(
        "{site} is not a site of {here}: its parent is {}",
        .site.parent().map_or_else(|| "none".to_owned(), |p| p.to_string())
    )]
    NotOurs { site: Site, here: Site },
    #[error("reading the password: {0}")]
    Password(#[source] std::io::Error),
    #[error("the site's password must have at least {min} characters")]
    ShortPassword { min: usize },
    #[error(transparent)]
    Grant(#[from] GrantError),
}

#[derive(clap::Subcommand)]
pub enum SiteCommand {
    /// Let SITE (a kecamatan of this Dinas, or a Dinas at the Pusat Data) onto this broker.
    Grant {
        site: Site,
        /// The user's name on this broker; default: the site's (`kecamatan-32.73.01`).
        #[arg(long)]
        user: Option<String>,
    },
    /// This site's links to its parent and their state.
    Status {
        #[command(flatten)]
        site: SiteArgs,
    },
}

pub async fn run(cmd: SiteCommand) -> Result<(), SiteCmdError> {
    match cmd {
        SiteCommand::Grant { site, user } => {
            let settings = process_settings(&SiteArgs::default())?;
            // A Dinas lets in its own kecamatan, the Pusat Data a Dinas (on one broker for
            // every place, `all`, anything goes).
            let here = settings.site.name;
            if here != Site::ALL && site.parent() != Some(here) {
                return Err(SiteCmdError::NotOurs { site, here });
            }
            let user = user.unwrap_or_else(|| grant::user_of(&site));
            let password = crate::print_cmd::password().map_err(SiteCmdError::Password)?;
            if password.len() < MIN_PASSWORD {
                return Err(SiteCmdError::ShortPassword { min: MIN_PASSWORD });
            }
            let management = settings.site.management(settings.amqp.url.first().expose());
            let admin = Broker::new(&settings.amqp.url, "ktpel-site-grant");
            let vhost = ktpel_site::amqp_url::vhost_of(settings.amqp.url.first().expose());
            let result = grant::grant(&management, &admin, &vhost, &site, &user, &password).await;
            admin.close().await;
            result?;
            let here = settings.amqp.url.redacted();
            println!("{site} may now link to this broker as user `{user}` (vhost `{vhost}`).");
            println!(
                "At {site}, set site.parent_url (KTPEL__SITE__PARENT_URL) to this broker's URL \
                 with that user and password, as that site's broker reaches it: like {}",
                here.replacen(
                    &ktpel_site::amqp_url::credentials_of(settings.amqp.url.first().expose()).0,
                    &user,
                    1
                )
            );
            Ok(())
        }
        SiteCommand::Status { site } => {
            let settings = process_settings(&site)?;
            let Some(link) = settings.site.link(settings.amqp.url.first().expose()) else {
                println!("site {}: no link (it has no parent)", settings.site.name);
                return Ok(());
            };
            let management = settings.site.management(settings.amqp.url.first().expose());
            let broker = Broker::new(&settings.amqp.url, "ktpel-site-status");
            let states = link.states(&broker, &management).await;
            broker.close().await;
            println!("site {}", settings.site.name);
            for s in states {
                let waiting = s
                    .waiting
                    .map(|n| format!(", {n} waiting"))
                    .unwrap_or_default();
                let reason = s.reason.map(|r| format!(" ({r})")).unwrap_or_default();
                println!("  {}: {} {}{waiting}{reason}", s.link, s.shovel, s.state);
            }
            Ok(())
        }
    }
}
