//! `ktpel card …`: the Dinas's card register — is this card the resident's valid one? Acts
//! on card-print's database (the same settings as `ktpel up`).

use ktpel_card_print::{
    CardPrintSettings,
    card_register::{self, VerifyError},
    config::KeyError,
    store::Migrator,
};
use ktpel_settings::SettingsError;
use ktpel_store::StoreError;
use sea_orm::DbErr;
use std::path::PathBuf;

/// Why a card was not shown valid, or the register not read.
#[derive(Debug, thiserror::Error)]
pub enum CardCmdError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    File(#[from] crate::file::FileError),
    /// The Dinas's chip-signing key, whose public half checks the chip.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The chip in `path` is not the valid card of its NIK: altered, unknown, or revoked.
    #[error("NOT VALID: {source}")]
    NotValid { path: PathBuf, source: VerifyError },
    /// Reading the cards of `nik` from the register.
    #[error("{source}")]
    Cards { nik: String, source: DbErr },
    #[error("no card of NIK {nik} in this Dinas's register")]
    NoCard { nik: String },
}

#[derive(clap::Subcommand)]
pub enum CardCommand {
    /// Read a card's chip (the bytes the card reader returned): its Dinas signature, then
    /// the register. Exit status 1 for a card revoked (replaced, or reported lost), unknown,
    /// or altered.
    Verify { chip: PathBuf },
    /// Every card of a NIK, oldest first: number, berkas, procedure, and what became of it.
    Show { nik: String },
}

pub async fn run(cmd: CardCommand) -> Result<(), CardCmdError> {
    let settings: CardPrintSettings = ktpel_settings::load(ktpel_card_print::SERVICE)?;
    let db = ktpel_store::open::<Migrator>(&settings.database).await?;
    match cmd {
        CardCommand::Verify { chip } => {
            let bytes = crate::file::read(&chip)?;
            let key = settings.own.key()?;
            let card = match card_register::verify(&db, &key.verifying_key(), &bytes).await {
                Ok(card) => card,
                Err(source) => return Err(CardCmdError::NotValid { path: chip, source }),
            };
            println!(
                "valid: card {} of NIK {} (berkas {}, {}), issued {}",
                card.nomor_kartu,
                card.nik,
                card.nomor_berkas,
                card.sop,
                card.issued_at.format("%Y-%m-%d %H:%M")
            );
        }
        CardCommand::Show { nik } => {
            let cards = match card_register::cards_of(&db, &nik).await {
                Ok(cards) => cards,
                Err(source) => return Err(CardCmdError::Cards { nik, source }),
            };
            if cards.is_empty() {
                return Err(CardCmdError::NoCard { nik });
            }
            for c in cards {
                let state = match (&c.revoked_at, &c.activated_at) {
                    (Some(at), _) => format!(
                        "REVOKED {}: {}{}",
                        at.format("%Y-%m-%d %H:%M"),
                        c.revoked_reason.clone().unwrap_or_default(),
                        if c.archived_at.is_some() {
                            "; archived (S22.5)"
                        } else {
                            ""
                        }
                    ),
                    (None, Some(at)) => {
                        format!("VALID, handed over {}", at.format("%Y-%m-%d %H:%M"))
                    }
                    (None, None) => "VALID, not handed over yet".to_owned(),
                };
                println!(
                    "{}  berkas {}  {}  {state}",
                    c.nomor_kartu, c.nomor_berkas, c.sop
                );
            }
        }
    }
    Ok(())
}
