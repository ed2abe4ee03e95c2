//! `card.status`: the resident's card moved on (SFE, PRR, printed, shipped, activated); the
//! berkas's status and timeline follow, so "where is berkas X?" has one answer.

use crate::store::{berkas, timeline};
use chrono::Utc;
use ktpel_bus::{Context, HandlerError};
use ktpel_contract::enrollment::CardStatusChanged;
use ktpel_domain::{
    StatusKartu,
    sop::{Sop, SopId},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, sea_query::Expr,
};

/// The place and SOP step each status is reached at: the procedure's own step where it numbers
/// one (a replacement's card handed over, section C), else S19–S22's.
fn hop_of(sop: SopId, status: StatusKartu) -> (String, String) {
    if let Some((role, place, step)) = Sop::get(sop).status_step(status) {
        return (format!("{role}@{place}"), step);
    }
    let (hop, step) = match status {
        StatusKartu::BelumRekam => ("ppp@kecamatan", "S01.2"),
        StatusKartu::Sfe => ("afis@dinas", "S19"),
        StatusKartu::Prr | StatusKartu::DuplicateRecord => ("pusat_data", "S19"),
        StatusKartu::CardPrinted => ("operator@dinas", "S21"),
        StatusKartu::CardShipped => ("petugas_distribusi@dinas", "S22.3"),
        StatusKartu::CardActivated => ("ppp@kecamatan", "S22.4"),
    };
    (hop.to_owned(), step.to_owned())
}

/// The berkas's status and timeline follow the card (S19–S22); the last card handed over
/// closes a berkas still open here.
pub async fn handle(
    ctx: &Context<'_, super::Intake>,
    m: CardStatusChanged,
) -> Result<(), HandlerError> {
    let txn = ctx.txn;
    // The status moves in the statement that reads the berkas (five statuses a card: one
    // round trip each saved).
    let Some(row) = berkas::Entity::update_many()
        .col_expr(berkas::Column::Status, Expr::value(m.status.to_string()))
        .filter(berkas::Column::NomorBerkas.eq(m.nomor_berkas.clone()))
        .exec_with_returning(txn)
        .await?
        .into_iter()
        .next()
    else {
        // A card of a berkas another intake took: not ours to track.
        return Ok(());
    };
    let (hop, step) = hop_of(row.sop, m.status);
    let entry = timeline::Entry {
        status: Some(m.status),
        ..timeline::Entry::new(hop, step, format!("{}: {}", m.status, m.note), m.at)
    };
    timeline::write(txn, &m.nomor_berkas, vec![entry]).await?;
    // The cards in the residents' hands close a berkas still open here: a replacement's or a
    // relocation's at the kecamatan, whose berkas was archived at the Dinas (the tanda terima
    // archived, S22.5) — once every card of the berkas (a family has several; each was print
    // ready first) is handed over.
    let close = m.status == StatusKartu::CardActivated
        && row.archived_at.is_none()
        && every_card_handed_over(txn, &m.nomor_berkas).await?;
    if close {
        let mut row = row.into_active_model();
        row.at_hop = Set("arsip".into());
        row.archived_at = Set(Some(Utc::now()));
        row.update(txn).await?;
    }
    Ok(())
}

/// Whether as many cards of the berkas were handed over as were print ready.
async fn every_card_handed_over<C: ConnectionTrait>(
    txn: &C,
    nomor_berkas: &str,
) -> Result<bool, HandlerError> {
    let handed_over = timeline::count_status(txn, nomor_berkas, StatusKartu::CardActivated).await?;
    let print_ready = timeline::count_status(txn, nomor_berkas, StatusKartu::Prr).await?;
    Ok(handed_over >= print_ready)
}
