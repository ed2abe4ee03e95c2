//! The card register: every card the Dinas issued, by its own number, and whether it is still
//! the valid one. One valid card per NIK: a replacement's activation revokes the card it
//! replaces (archived when the resident handed it in, S22.5); a lost card (S11/S12) is revoked
//! the moment its replacement's berkas is accepted, so a found card is useless from then on.
//! A reader [`verify`]s a card by its chip: the Dinas's signature, then the register.

use crate::{
    chip::{Chip, ChipError},
    store::register,
};
use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use ktpel_domain::sop::{Sop, SopId};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};

/// Why a card does not verify.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Chip(#[from] ChipError),
    #[error("card {0} is not in this Dinas's card register")]
    Unknown(String),
    #[error("card {nomor_kartu} of NIK {nik} was revoked on {}: {reason}", .at.format("%Y-%m-%d %H:%M"))]
    Revoked {
        nomor_kartu: String,
        nik: String,
        at: DateTime<Utc>,
        reason: String,
    },
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

/// S21.4 at any desk: the chip's signature, then the register — the card if it is the NIK's
/// valid one.
pub async fn verify<C: ConnectionTrait>(
    db: &C,
    key: &VerifyingKey,
    chip_bytes: &[u8],
) -> Result<register::Model, VerifyError> {
    let chip = Chip::read(chip_bytes, key)?;
    let nomor = chip.data.nomor_kartu;
    let card = register::Entity::find_by_id(nomor.clone())
        .one(db)
        .await?
        .ok_or(VerifyError::Unknown(nomor))?;
    if let (Some(at), reason) = (card.revoked_at, &card.revoked_reason) {
        return Err(VerifyError::Revoked {
            nomor_kartu: card.nomor_kartu.clone(),
            nik: card.nik.clone(),
            at,
            reason: reason.clone().unwrap_or_default(),
        });
    }
    Ok(card)
}

/// The next card number of the Dinas `kabupaten` (4 digits) on `now`'s day:
/// `3273-20261125-00001`, the Dinas's series of the day ([`ktpel_store::series`]).
///
/// The number is taken in a transaction of its own, before the card is written: the series'
/// row is locked for that one statement, not for as long as a station takes to sign a chip
/// and draw a face, so eight stations encoding at once do not wait on each other. Call it
/// outside any transaction of the caller's (on SQLite it waits for the caller's own write). A number is never
/// given twice; one taken for a card whose step then failed is not given again (a spoiled
/// blank keeps its number too), so the day's numbers may skip one.
pub async fn take_number(
    db: &DatabaseConnection,
    kabupaten: &str,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    use crate::store::job;
    let prefix = format!("{kabupaten}-{}-", now.format("%Y%m%d"));
    let txn = ktpel_store::begin_write(db).await?;
    let issued_before = job::Entity::find()
        .filter(job::Column::NomorKartu.starts_with(&prefix))
        .count(&txn);
    let n = ktpel_store::series::next(&txn, &prefix, issued_before).await?;
    txn.commit().await?;
    Ok(format!("{prefix}{n:05}"))
}

/// The kepala_seksi approved the card: it exists, valid until replaced or lost.
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    nomor_kartu: &str,
    nik: &str,
    nomor_berkas: &str,
    sop: SopId,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    register::Entity::insert(register::ActiveModel {
        nomor_kartu: Set(nomor_kartu.to_owned()),
        nik: Set(nik.to_owned()),
        nomor_berkas: Set(nomor_berkas.to_owned()),
        sop: Set(sop),
        issued_at: Set(at),
        activated_at: Set(None),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        archived_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// `CARD_ACTIVATED` for `nomor_berkas`: its card is in the resident's hands, and every other
/// card of the NIK still valid is revoked — archived too when the replacement's procedure had
/// the resident hand the old one in. Returns how many were revoked.
pub async fn activated<C: ConnectionTrait>(
    db: &C,
    nik: &str,
    nomor_berkas: &str,
    at: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let Some(card) = register::Entity::find()
        .filter(register::Column::Nik.eq(nik))
        .filter(register::Column::NomorBerkas.eq(nomor_berkas))
        .one(db)
        .await?
    else {
        // Not a card of this Dinas's register (made before it, or elsewhere).
        return Ok(0);
    };
    if card.activated_at.is_some() {
        return Ok(0);
    }
    let surrendered = Sop::get(card.sop).surrendered();
    let reason = match surrendered {
        Some(old) => format!(
            "replaced by card {} (berkas {nomor_berkas}); handed in as {old}",
            card.nomor_kartu
        ),
        None => format!(
            "replaced by card {} (berkas {nomor_berkas})",
            card.nomor_kartu
        ),
    };
    let nomor_kartu = card.nomor_kartu.clone();
    let mut a = card.into_active_model();
    a.activated_at = Set(Some(at));
    a.update(db).await?;
    revoke_valid(
        db,
        nik,
        Some(&nomor_kartu),
        &reason,
        surrendered.map(|_| at),
        at,
    )
    .await
}

/// S11.2/S12.2: the lost card of `nik` is revoked as its replacement's berkas is accepted.
pub async fn lost<C: ConnectionTrait>(
    db: &C,
    nik: &str,
    nomor_berkas: &str,
    at: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let reason = format!("reported lost (berkas {nomor_berkas})");
    revoke_valid(db, nik, None, &reason, None, at).await
}

/// S18 at the origin: the family moved to another kabupaten/kota with the Surat Keterangan
/// Pindah `nomor_skp`; their cards are handed in there for new ones.
pub async fn moved_away<C: ConnectionTrait>(
    db: &C,
    nik: &str,
    nomor_skp: &str,
    ke: &str,
    at: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let reason = format!(
        "the family moved to kabupaten/kota {ke} (Surat Keterangan Pindah {nomor_skp}): the card is handed in there for a new one"
    );
    revoke_valid(db, nik, None, &reason, None, at).await
}

/// Revokes the valid cards of `nik` but `keep`.
async fn revoke_valid<C: ConnectionTrait>(
    db: &C,
    nik: &str,
    keep: Option<&str>,
    reason: &str,
    archived: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let valid = register::Entity::find()
        .filter(register::Column::Nik.eq(nik))
        .filter(register::Column::RevokedAt.is_null())
        .all(db)
        .await?;
    let mut revoked = 0;
    for card in valid {
        if Some(card.nomor_kartu.as_str()) == keep {
            continue;
        }
        tracing::info!(nomor_kartu = %card.nomor_kartu, reason, "card revoked");
        let mut a = card.into_active_model();
        a.revoked_at = Set(Some(at));
        a.revoked_reason = Set(Some(reason.to_owned()));
        a.archived_at = Set(archived);
        a.update(db).await?;
        revoked += 1;
    }
    Ok(revoked)
}

/// Every card of `nik`, oldest first.
pub async fn cards_of<C: ConnectionTrait>(
    db: &C,
    nik: &str,
) -> Result<Vec<register::Model>, DbErr> {
    register::Entity::find()
        .filter(register::Column::Nik.eq(nik))
        .order_by_asc(register::Column::IssuedAt)
        .all(db)
        .await
}
