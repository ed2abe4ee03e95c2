//! `afis_bundle`: each S20 backup bundle imported, once, with what it brought.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "afis_bundle")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub bundle_id: Uuid,
    /// The site that exported it.
    pub site: String,
    pub created_at: DateTimeUtc,
    pub imported_at: DateTimeUtc,
    pub records: i64,
    /// Records this Server AFIS had not had before.
    pub new: i64,
    /// Records it already had (over the site link, or in an earlier bundle).
    pub known: i64,
    pub refused: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
