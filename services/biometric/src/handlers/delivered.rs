//! `card.status`: the Pusat Data has a record (SFE or any later status came back), so it is
//! sent — whether it went over the site link or in an S20 bundle — and leaves the backups.

use super::Biometric;
use crate::store::enrollment;
use chrono::Utc;
use ktpel_bus::{Context, HandlerError};
use ktpel_contract::enrollment::CardStatusChanged;
use ktpel_domain::StatusKartu;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

pub async fn handle(
    ctx: &Context<'_, Biometric>,
    m: CardStatusChanged,
) -> Result<(), HandlerError> {
    if m.status == StatusKartu::BelumRekam {
        return Ok(());
    }
    // Only the first status marks it; a berkas enrolled elsewhere matches no row.
    enrollment::Entity::update_many()
        .col_expr(enrollment::Column::DeliveredAt, Expr::value(Utc::now()))
        .filter(enrollment::Column::NomorBerkas.eq(m.nomor_berkas))
        .filter(enrollment::Column::DeliveredAt.is_null())
        .exec(ctx.txn)
        .await?;
    Ok(())
}
