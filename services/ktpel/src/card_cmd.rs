//! `ktpel card …`: the Dinas's card register — is this card the resident's valid one? Acts
//! on card-print's database (the same settings as `ktpel up`).

use ktpel_card_print::{CardPrintSettings, card_register, store::Migrator};
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum CardCommand {
    /// Read a card's chip (the bytes the card reader returned): its Dinas signature, then
    /// the register. Exit status 1 for a card revoked (replaced, or reported lost), unknown,
    /// or altered.
    Verify { chip: PathBuf },
    /// Every card of a NIK, oldest first: number, berkas, procedure, and what became of it.
    Show { nik: String },
}

pub async fn run(cmd: CardCommand) -> Result<(), String> {
    let settings: CardPrintSettings =
        ktpel_settings::load(ktpel_card_print::SERVICE).map_err(|e| e.to_string())?;
    let db = ktpel_store::open::<Migrator>(&settings.database)
        .await
        .map_err(|e| e.to_string())?;
    match cmd {
        CardCommand::Verify { chip } => {
            let bytes = std::fs::read(&chip).map_err(|e| format!("{}: {e}", chip.display()))?;
            let key = settings.own.key().map_err(|e| e.to_string())?;
            let card = card_register::verify(&db, &key.verifying_key(), &bytes)
                .await
                .map_err(|e| format!("NOT VALID: {e}"))?;
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
            let cards = card_register::cards_of(&db, &nik)
                .await
                .map_err(|e| e.to_string())?;
            if cards.is_empty() {
                return Err(format!("no card of NIK {nik} in this Dinas's register"));
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
