//! `ktpel distribute …`: the distribution desk of S22, acting on the distribution service's
//! own database (the same settings as `ktpel up`; its relay sends the status changes).

use ktpel_distribution::{
    DistributionSettings, desk,
    store::{Migrator, kartu},
};
use sea_orm::{EntityTrait, QueryOrder};
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum DistributeCommand {
    /// The cards at distribution and where each one is.
    List,
    /// S22.2–S22.3: batch every unbatched card by kecamatan, each with its Berita Acara
    /// Serah Terima (written as HTML into --out-dir): CARD_SHIPPED.
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

pub async fn run(cmd: DistributeCommand) -> Result<(), String> {
    let settings: DistributionSettings =
        ktpel_settings::load(ktpel_distribution::SERVICE).map_err(|e| e.to_string())?;
    let db = ktpel_store::open::<Migrator>(&settings.database)
        .await
        .map_err(|e| e.to_string())?;
    let e = |e: desk::DeskError| e.to_string();
    match cmd {
        DistributeCommand::List => {
            let cards = kartu::Entity::find()
                .order_by_asc(kartu::Column::Kecamatan)
                .order_by_asc(kartu::Column::Desa)
                .all(&db)
                .await
                .map_err(|e| e.to_string())?;
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
            let batches = desk::make_batches(&db, &petugas).await.map_err(e)?;
            if batches.is_empty() {
                println!("no cards waiting for a batch");
            }
            std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
            for b in batches {
                let path = out_dir.join(format!("berita-acara-{}.html", b.batch_id));
                std::fs::write(&path, &b.berita_acara)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                println!(
                    "batch {} for kecamatan {}: Berita Acara in {}",
                    b.batch_id,
                    b.kecamatan,
                    path.display()
                );
            }
        }
        DistributeCommand::Receive { batch_id, ppp } => {
            let told = desk::confirm_receipt(&db, batch_id, &ppp)
                .await
                .map_err(e)?;
            println!("batch {batch_id} received by {ppp}; {told} residents told to collect");
        }
        DistributeCommand::HandOver {
            nik,
            ppp,
            signed_by,
        } => {
            desk::hand_over(&db, &nik, &ppp, &signed_by)
                .await
                .map_err(e)?;
            println!(
                "card of {nik} handed over by {ppp}, tanda terima signed by {signed_by}: CARD_ACTIVATED"
            );
        }
    }
    Ok(())
}
