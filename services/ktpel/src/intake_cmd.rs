//! `ktpel intake submit …`: act as a kecamatan desk and hand a berkas to intake (S01.1).

use chrono::Utc;
use ktpel_bus::{Outgoing, RoutingKey};
use ktpel_contract::berkas::{BerkasAccepted, BerkasRefused, BerkasSubmitted, SUBMITTED};
use ktpel_domain::{Nik, sop::Dokumen, sop::SopId};

#[derive(clap::Subcommand)]
pub enum IntakeCommand {
    /// Submit a berkas from a kecamatan desk.
    Submit {
        /// The SOP, e.g. S01.
        #[arg(long, default_value = "S01")]
        sop: SopId,
        #[arg(long)]
        nik: Nik,
        #[arg(long)]
        nama: String,
        /// Documents received, comma-separated snake_case names (formulir_permohonan,fotokopi_kk).
        #[arg(long, value_delimiter = ',')]
        dokumen: Vec<Dokumen>,
        /// The desk's kecamatan code; defaults to the NIK's.
        #[arg(long)]
        kecamatan: Option<String>,
        /// The ppp at the desk.
        #[arg(long, default_value = "ppp")]
        petugas: String,
        /// Seconds to wait for intake's answer (the berkas number, or why it was refused);
        /// 0: do not wait.
        #[arg(long, default_value_t = 30)]
        wait: u64,
    },
    /// The berkas intake knows, newest first, with their status and where they are.
    List {
        #[arg(long, default_value_t = 20)]
        limit: u64,
    },
}

pub async fn run(cmd: IntakeCommand) -> Result<(), String> {
    if let IntakeCommand::List { limit } = cmd {
        return list(limit).await;
    }
    let IntakeCommand::Submit {
        sop,
        nik,
        nama,
        dokumen,
        kecamatan,
        petugas,
        wait,
    } = cmd
    else {
        unreachable!("List returned above")
    };
    let kecamatan = kecamatan.unwrap_or_else(|| nik.kecamatan().to_string());
    let body = BerkasSubmitted {
        submission_id: uuid::Uuid::now_v7(),
        sop,
        nik,
        nama,
        dokumen,
        kecamatan: kecamatan.clone(),
        petugas,
        diterima_pada: Utc::now(),
    };
    let key = RoutingKey::regional(SUBMITTED, &kecamatan).map_err(|e| e.to_string())?;
    let msg = Outgoing::new(
        &body,
        key,
        body.submission_id.to_string(),
        body.submission_id.to_string(),
    )
    .map_err(|e| e.to_string())?;
    if wait == 0 {
        crate::desk_bus::publish("ktpel-desk", &msg).await?;
        println!("submitted {} (submission {})", body.sop, body.submission_id);
        return Ok(());
    }
    let id = body.submission_id;
    let answer = crate::desk_bus::ask(
        "ktpel-desk",
        &msg,
        &kecamatan,
        std::time::Duration::from_secs(wait),
        |a: &BerkasAccepted| a.submission_id == id,
        |r: &BerkasRefused| r.submission_id == id,
    )
    .await
    .map_err(|e| format!("submitted (submission {id}), but {e}: see `ktpel intake list`"))?;
    match answer {
        Ok(a) => {
            println!(
                "accepted: berkas {} (salinan permohonan for the resident), now at {}",
                a.nomor_berkas, a.next_hop
            );
            Ok(())
        }
        Err(r) => Err(format!("refused: {}", r.reasons.join("; "))),
    }
}

async fn list(limit: u64) -> Result<(), String> {
    use ktpel_intake::store::{Migrator, berkas};
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    let settings: ktpel_intake::IntakeSettings =
        ktpel_settings::load(ktpel_intake::SERVICE).map_err(|e| e.to_string())?;
    let db = ktpel_store::open::<Migrator>(&settings.database)
        .await
        .map_err(|e| e.to_string())?;
    let rows = berkas::Entity::find()
        .order_by_desc(berkas::Column::CreatedAt)
        .limit(limit)
        .all(&db)
        .await
        .map_err(|e| e.to_string())?;
    for b in rows {
        println!(
            "{}  {}  {}  {:<16} {:<16} {}",
            b.nomor_berkas,
            b.created_at.format("%Y-%m-%d %H:%M"),
            b.nik,
            b.status,
            b.at_hop,
            b.nama
        );
    }
    Ok(())
}
