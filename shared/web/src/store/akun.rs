//! `desk_akun`: who may sign in at this site's desks, with which role.

use crate::role::Role;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "desk_akun")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub username: String,
    /// PHC string (`$argon2id$…`): never the password itself.
    pub password_hash: String,
    pub role: Role,
    /// The kecamatan whose berkas the account works on; none: every berkas of the site.
    pub kecamatan: Option<String>,
    pub disabled: bool,
    /// Wrong passwords in a row since the last sign-in.
    pub failed_attempts: i32,
    /// Until when a sign-in is refused after too many wrong passwords.
    pub locked_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
