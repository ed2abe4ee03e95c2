//! Operator accounts and login (S21.1: "log in with the operator's username and password").
//! Passwords are kept only as Argon2id hashes.

use crate::store::operator;
use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, sea_query::OnConflict};

/// What an account may do. A column type: stored as its word, read back only as one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sea_orm::EnumIter, sea_orm::DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(sea_orm::sea_query::StringLen::None)"
)]
pub enum Role {
    /// Encodes, prints and verifies cards.
    #[sea_orm(string_value = "operator")]
    Operator,
    /// Checks printed cards against the berkas and approves them.
    #[sea_orm(string_value = "kepala_seksi")]
    KepalaSeksi,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::KepalaSeksi => "kepala_seksi",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    /// `operator`, or `kepala_seksi` (also written `kepala-seksi`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "operator" => Ok(Self::Operator),
            "kepala_seksi" | "kepala-seksi" => Ok(Self::KepalaSeksi),
            other => Err(format!(
                "unknown role {other:?}: expected operator or kepala_seksi"
            )),
        }
    }
}

/// A logged-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub username: String,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// One message for a wrong name and a wrong password, so neither can be probed.
    #[error("wrong username or password")]
    Refused,
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

/// Creates or replaces an account.
pub async fn add<C: ConnectionTrait>(
    db: &C,
    username: &str,
    password: &str,
    role: Role,
) -> Result<(), DbErr> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| DbErr::Custom(format!("hashing a password: {e}")))?
        .to_string();
    operator::Entity::insert(operator::ActiveModel {
        username: Set(username.to_owned()),
        password_hash: Set(hash),
        role: Set(role),
    })
    .on_conflict(
        OnConflict::column(operator::Column::Username)
            .update_columns([operator::Column::PasswordHash, operator::Column::Role])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// Checks a username and password.
pub async fn login<C: ConnectionTrait>(
    db: &C,
    username: &str,
    password: &str,
) -> Result<Session, LoginError> {
    let Some(account) = operator::Entity::find_by_id(username.to_owned())
        .one(db)
        .await?
    else {
        return Err(LoginError::Refused);
    };
    let hash = PasswordHash::new(&account.password_hash).map_err(|_| LoginError::Refused)?;
    Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .map_err(|_| LoginError::Refused)?;
    Ok(Session {
        username: account.username,
        role: account.role,
    })
}
