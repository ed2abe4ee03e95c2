//! `card_print_operator`: who may log in to BCardMgmt (S21.1), with Argon2 password hashes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "card_print_operator")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub username: String,
    /// PHC string (`$argon2id$…`): never the password itself.
    pub password_hash: String,
    /// `operator` or `kepala_seksi`: an account whose stored role is another word is not read
    /// (its sign-in fails), so it may do nothing.
    pub role: crate::operators::Role,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
