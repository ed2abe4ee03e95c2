//! The accounts of a site's desks: made by `ktpel user add`, signed in to at `/login`.
//! Passwords are kept only as Argon2id hashes; too many wrong passwords in a row lock the
//! account for a while, so a guesser gets a handful of tries an hour, not thousands.

use crate::{
    role::Role,
    store::{akun, jejak},
};
use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};
use chrono::{DateTime, Duration, Utc};
use ktpel_domain::KodeWilayah;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryOrder,
};

/// Wrong passwords in a row that lock an account.
pub const LOCK_AFTER: i32 = 5;
/// How long a locked account stays locked.
pub const LOCKED_FOR: Duration = Duration::minutes(15);

/// A person who may sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub role: Role,
    /// The kecamatan whose berkas this account works on; `None`: every berkas of the site.
    pub kecamatan: Option<KodeWilayah>,
    pub disabled: bool,
}

impl Account {
    /// Whether this account may see and act on a berkas entered under `kecamatan`.
    pub fn covers(&self, kecamatan: &str) -> bool {
        self.kecamatan
            .as_ref()
            .is_none_or(|own| own.to_string() == kecamatan)
    }
}

impl TryFrom<akun::Model> for Account {
    type Error = DbErr;

    fn try_from(m: akun::Model) -> Result<Self, DbErr> {
        let kecamatan = m
            .kecamatan
            .map(|k| KodeWilayah::parse(&k))
            .transpose()
            .map_err(|e| DbErr::Custom(format!("account {}: stored kecamatan: {e}", m.username)))?;
        Ok(Self {
            username: m.username,
            role: m.role,
            kecamatan,
            disabled: m.disabled,
        })
    }
}

/// Why an account could not be made or changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("a username is 1–64 letters, digits, `.`, `_` or `-`; `{0}` is not")]
    BadUsername(String),
    #[error("a password needs at least 10 characters")]
    ShortPassword,
    #[error("{0} is not a kecamatan code (e.g. 32.73.01)")]
    NotAKecamatan(String),
    #[error("no account `{0}`")]
    NoSuchAccount(String),
    #[error("hashing the password: {0}")]
    Hash(String),
    #[error("the account store: {0}")]
    Db(#[from] DbErr),
}

impl AccountError {
    /// The reason in Bahasa Indonesia, for the accounts page in the browser (the `ktpel user`
    /// command says it in English).
    pub fn pesan(&self) -> String {
        match self {
            Self::BadUsername(name) => format!(
                "nama pengguna terdiri dari 1–64 huruf, angka, `.`, `_` atau `-`; `{name}` tidak"
            ),
            Self::ShortPassword => "kata sandi paling sedikit 10 karakter".to_owned(),
            Self::NotAKecamatan(code) => {
                format!("{code} bukan kode kecamatan (misalnya 32.73.01)")
            }
            Self::NoSuchAccount(name) => format!("tidak ada akun `{name}`"),
            Self::Hash(_) | Self::Db(_) => format!("penyimpanan akun gagal: {self}"),
        }
    }
}

/// Why a sign-in was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// One message for a wrong name and a wrong password, so neither can be probed.
    #[error("nama pengguna atau kata sandi salah")]
    Refused,
    #[error("akun dikunci sampai {} UTC setelah terlalu banyak percobaan yang salah", .until.format("%H:%M"))]
    Locked { until: DateTime<Utc> },
    #[error("akun ini dinonaktifkan")]
    Disabled,
    #[error("the account store: {0}")]
    Db(#[from] DbErr),
}

fn valid_username(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn hash(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Makes an account, or gives an existing one a new password, role and kecamatan (and enables
/// it again).
pub async fn add<C: ConnectionTrait>(
    db: &C,
    username: &str,
    password: &str,
    role: Role,
    kecamatan: Option<&str>,
) -> Result<Account, AccountError> {
    if !valid_username(username) {
        return Err(AccountError::BadUsername(username.to_owned()));
    }
    if password.chars().count() < 10 {
        return Err(AccountError::ShortPassword);
    }
    let kecamatan = kecamatan
        .map(|k| match KodeWilayah::parse(k) {
            Ok(code) if code.level() == ktpel_domain::wilayah::Level::Kecamatan => Ok(code),
            _ => Err(AccountError::NotAKecamatan(k.to_owned())),
        })
        .transpose()?;
    let model = akun::ActiveModel {
        username: Set(username.to_owned()),
        password_hash: Set(hash(password)?),
        role: Set(role),
        kecamatan: Set(kecamatan.as_ref().map(ToString::to_string)),
        disabled: Set(false),
        failed_attempts: Set(0),
        locked_until: Set(None),
        created_at: Set(Utc::now()),
    };
    if akun::Entity::find_by_id(username.to_owned())
        .one(db)
        .await?
        .is_some()
    {
        let mut model = model;
        model.created_at = sea_orm::ActiveValue::NotSet;
        model.update(db).await?;
    } else {
        akun::Entity::insert(model)
            .exec_without_returning(db)
            .await?;
    }
    Ok(Account {
        username: username.to_owned(),
        role,
        kecamatan,
        disabled: false,
    })
}

/// Every account, by name.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<Account>, DbErr> {
    akun::Entity::find()
        .order_by_asc(akun::Column::Username)
        .all(db)
        .await?
        .into_iter()
        .map(Account::try_from)
        .collect()
}

/// The account `username`, if there is one.
pub async fn get<C: ConnectionTrait>(db: &C, username: &str) -> Result<Option<Account>, DbErr> {
    akun::Entity::find_by_id(username.to_owned())
        .one(db)
        .await?
        .map(Account::try_from)
        .transpose()
}

/// Disables `username`: it can no longer sign in, and its open sessions end at their next
/// request.
pub async fn disable<C: ConnectionTrait>(db: &C, username: &str) -> Result<(), AccountError> {
    let Some(found) = akun::Entity::find_by_id(username.to_owned())
        .one(db)
        .await?
    else {
        return Err(AccountError::NoSuchAccount(username.to_owned()));
    };
    let mut model = found.into_active_model();
    model.disabled = Set(true);
    model.update(db).await?;
    Ok(())
}

/// Checks `username` and `password` at `now`. A wrong password counts towards the lock; the
/// right one, on an account not locked, clears the count.
pub async fn sign_in<C: ConnectionTrait>(
    db: &C,
    username: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Account, SignInError> {
    let Some(found) = akun::Entity::find_by_id(username.to_owned())
        .one(db)
        .await?
    else {
        // Spend the time a hash check takes, so an unknown name answers as slowly as a known
        // one.
        let _ = hash(password);
        return Err(SignInError::Refused);
    };
    if let Some(until) = found.locked_until.filter(|u| *u > now) {
        return Err(SignInError::Locked { until });
    }
    let right = PasswordHash::new(&found.password_hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false);
    let disabled = found.disabled;
    let failed = found.failed_attempts;
    let mut model = found.clone().into_active_model();
    if !right {
        let failed = failed + 1;
        model.failed_attempts = Set(failed);
        let locked = failed >= LOCK_AFTER;
        if locked {
            model.failed_attempts = Set(0);
            model.locked_until = Set(Some(now + LOCKED_FOR));
        }
        model.update(db).await?;
        return Err(if locked {
            SignInError::Locked {
                until: now + LOCKED_FOR,
            }
        } else {
            SignInError::Refused
        });
    }
    if disabled {
        return Err(SignInError::Disabled);
    }
    if failed != 0 || found.locked_until.is_some() {
        model.failed_attempts = Set(0);
        model.locked_until = Set(None);
        model.update(db).await?;
    }
    Ok(Account::try_from(found)?)
}

/// What a desk did, for the record: who, what, which berkas.
#[derive(Debug, Clone)]
pub struct Deed<'a> {
    pub username: &'a str,
    pub action: &'a str,
    pub nomor_berkas: Option<&'a str>,
    pub detail: String,
}

/// Writes `deed` into the audit trail.
pub async fn record<C: ConnectionTrait>(db: &C, deed: Deed<'_>) -> Result<(), DbErr> {
    jejak::Entity::insert(jejak::ActiveModel {
        at: Set(Utc::now()),
        username: Set(deed.username.to_owned()),
        action: Set(deed.action.to_owned()),
        nomor_berkas: Set(deed.nomor_berkas.map(str::to_owned)),
        detail: Set(deed.detail),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// The trail of one berkas, oldest first.
pub async fn trail_of<C: ConnectionTrait>(
    db: &C,
    nomor_berkas: &str,
) -> Result<Vec<jejak::Model>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    jejak::Entity::find()
        .filter(jejak::Column::NomorBerkas.eq(nomor_berkas))
        .order_by_asc(jejak::Column::Id)
        .all(db)
        .await
}
