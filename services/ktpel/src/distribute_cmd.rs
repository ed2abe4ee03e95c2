//! `ktpel distribute …`: the distribution desk of S22, acting on the distribution service's
//! own database (the same settings as `ktpel up`; its relay sends the status changes).

use ktpel_distribution::{
    DistributionSettings,
    desk::{self, DeskError},
    store::{Migrator, kartu},
};
use ktpel_settings::SettingsError;
use ktpel_store::StoreError;
use sea_orm::{DbErr, EntityTrait, QueryOrder};
use std::path::PathBuf;

/// Why a step at the distribution desk was not done.
#[derive(Debug, thiserror::Error)]
pub enum DistributeCmdError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading the cards at distribution.
    #[error(transparent)]
    List(#[from] DbErr),
    /// The desk step itself (S22.2–S22.4) refused or failed.
    #[error(transparent)]
    Desk(#[from] DeskError),
    /// The folder for the Berita Acara, or a batch's Berita Acara.
    #[error(transparent)]
    File(#[from] crate::file::FileError),
}

#[derive(clap::Subcommand)]
pub enum DistributeCommand {
    /// The cards at distribution and where each one is.
    List,
    /// S22.2–S22.3: batch every unbatched card by kecamatan, each with its Berita Acara
    /// Serah Terima (written as PDF, A4, into --out-dir): CARD_SHIPPED.
    Batch {
        /// The petugas_distribusi who takes the batches out.
        #[arg(long)]
        petugas: String,
        #[arg(long, default_value = ".")]
        out_dir: PathBuf,
    },
    /// S22.3: the kecamatan's ppp signs for batch ID; its residents are told to collect.
    Receive {
        batch_id: uuid::Uuid,
        #[arg(long)]
        ppp: String,
    },
    /// S22.4: hand the card of NIK over; the receiver signs the tanda terima: CARD_ACTIVATED.
    HandOver {
        nik: String,
        #[arg(long)]
        ppp: String,
        /// Who signed the tanda terima (the resident, or who collected for them).
        #[arg(long)]
        signed_by: String,
    },
}

pub async fn run(cmd: DistributeCommand) -> Result<(), DistributeCmdError> {
    let settings: DistributionSettings = ktpel_settings::load(ktpel_distribution::SERVICE)?;
    let db = ktpel_store::open::<Migrator>(&settings.database).await?;
    match cmd {
        DistributeCommand::List => {
            let cards = kartu::Entity::find()
                .order_by_asc(kartu::Column::Kecamatan)
                .order_by_asc(kartu::Column::Desa)
                .all(&db)
                .await?;
            println!("{} cards at distribution", cards.len());
            for c in cards {
                let state = match (&c.batch_id, &c.notified_at, &c.tanda_terima_by) {
                    (_, _, Some(by)) => format!("handed over, signed by {by}"),
                    (Some(_), Some(_), None) => "at the kecamatan, resident told".into(),
                    (Some(b), None, None) => format!("in batch {b}, on its way"),
                    (None, _, None) => "waiting for a batch".into(),
                };
                println!("  {}  {}  desa {}  {state}", c.nik, c.nama, c.desa);
            }
        }
        DistributeCommand::Batch { petugas, out_dir } => {
            let batches = desk::make_batches(&db, &petugas).await?;
            if batches.is_empty() {
                println!("no cards waiting for a batch");
            }
            crate::file::create_dir_all(&out_dir)?;
            for b in batches {
                let pdf = ktpel_distribution::berita_acara::pdf(&db, &b).await?;
                let path = out_dir.join(format!("berita-acara-{}.pdf", b.batch_id));
                crate::file::write(&path, &pdf)?;
                println!(
                    "batch {} for kecamatan {}: Berita Acara in {}",
                    b.batch_id,
                    b.kecamatan,
                    path.display()
                );
            }
        }
        DistributeCommand::Receive { batch_id, ppp } => {
            let told = desk::confirm_receipt(&db, batch_id, &ppp).await?;
            println!("batch {batch_id} received by {ppp}; {told} residents told to collect");
        }
        DistributeCommand::HandOver {
            nik,
            ppp,
            signed_by,
        } => {
            desk::hand_over(&db, &nik, &ppp, &signed_by).await?;
            println!(
                "card of {nik} handed over by {ppp}, tanda terima signed by {signed_by}: CARD_ACTIVATED"
            );
        }
    }
    Ok(())
}
