//! `card.status`: SIAK keeps where each resident's card stands, so that a desk asking about a
//! NIK for a replacement (section C) learns whether the card was handed over or is still in
//! production.

use super::Registry;
use crate::store::penduduk;
use ktpel_bus::{Context, HandlerError};
use ktpel_contract::enrollment::CardStatusChanged;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

pub async fn handle(ctx: &Context<'_, Registry>, m: CardStatusChanged) -> Result<(), HandlerError> {
    // A resident this register does not hold (another kabupaten's) changes nothing here.
    penduduk::Entity::update_many()
        .col_expr(penduduk::Column::StatusKartu, Expr::value(m.status))
        .filter(penduduk::Column::Nik.eq(m.nik.to_string()))
        .exec(ctx.txn)
        .await?;
    Ok(())
}
