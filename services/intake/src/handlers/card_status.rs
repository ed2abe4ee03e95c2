//! `card.status`: the resident's card moved on (SFE, PRR, printed, shipped, activated); the
//! berkas's status and timeline follow, so "where is berkas X?" has one answer.

use crate::store::{berkas, timeline};
use ktpel_bus::HandlerError;
use ktpel_contract::enrollment::CardStatusChanged;
use ktpel_domain::StatusKartu;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};

/// The place and SOP step each status is reached at.
fn hop_of(status: StatusKartu) -> (&'static str, &'static str) {
    match status {
        StatusKartu::BelumRekam => ("ppp@kecamatan", "S01.2"),
        StatusKartu::Sfe => ("afis@dinas", "S19"),
        StatusKartu::Prr | StatusKartu::DuplicateRecord => ("pusat_data", "S19"),
        StatusKartu::CardPrinted => ("operator@dinas", "S21"),
        StatusKartu::CardShipped => ("petugas_distribusi@dinas", "S22.3"),
        StatusKartu::CardActivated => ("ppp@kecamatan", "S22.4"),
    }
}

pub async fn handle<C: ConnectionTrait>(
    txn: &C,
    m: &CardStatusChanged,
) -> Result<(), HandlerError> {
    let Some(row) = berkas::Entity::find_by_id(m.nomor_berkas.clone())
        .one(txn)
        .await?
    else {
        // A card of a berkas another intake took: not ours to track.
        return Ok(());
    };
    let (hop, step) = hop_of(m.status);
    timeline::Entity::insert(timeline::ActiveModel {
        nomor_berkas: Set(m.nomor_berkas.clone()),
        hop: Set(hop.to_owned()),
        step: Set(step.to_owned()),
        note: Set(format!("{}: {}", m.status, m.note)),
        at: Set(m.at),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await?;
    let mut row = row.into_active_model();
    row.status = Set(m.status.to_string());
    row.update(txn).await?;
    Ok(())
}
