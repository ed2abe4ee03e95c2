//! `ktpel intake submit …`: act as a kecamatan desk and hand a berkas to intake (S01.1).

use chrono::Utc;
use ktpel_bus::{
    Broker, Message, Outgoing, RoutingKey, Topology,
    publisher::{Publication, Publisher},
};
use ktpel_contract::berkas::{BerkasSubmitted, SUBMITTED};
use ktpel_domain::{Nik, sop::Dokumen, sop::SopId};
use ktpel_settings::AmqpSettings;

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
    },
}

pub async fn run(cmd: IntakeCommand) -> Result<(), String> {
    let IntakeCommand::Submit {
        sop,
        nik,
        nama,
        dokumen,
        kecamatan,
        petugas,
    } = cmd;
    let amqp: AmqpSettings = ktpel_settings::load::<crate::run::Process>("ktpel")
        .map_err(|e| e.to_string())?
        .amqp;
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
    let broker = Broker::new(&amqp.url, "ktpel-desk");
    let channel = broker.channel().await.map_err(|e| e.to_string())?;
    Topology::default()
        .declare_exchanges(&channel)
        .await
        .map_err(|e| e.to_string())?;
    let publisher = Publisher::new(channel, "ktpel-desk")
        .await
        .map_err(|e| e.to_string())?;
    publisher
        .publish(&Publication {
            exchange: &Topology::default().exchange,
            routing_key: msg.routing_key.as_str(),
            message_id: msg.message_id,
            correlation_id: &msg.correlation_id,
            message_type: &BerkasSubmitted::message_type(),
            headers: &msg.headers,
            body: &msg.body,
        })
        .await
        .map_err(|e| e.to_string())?;
    broker.close().await;
    println!("submitted {} (submission {})", body.sop, body.submission_id);
    Ok(())
}
