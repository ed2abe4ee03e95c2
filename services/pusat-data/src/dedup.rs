//! Deduplication by identical fingerprint templates.
//!
//! This is the first, honest step: a template digest that is already on file under another
//! NIK is the same finger presented again. Real AFIS matching is 1:N with similarity scores
//! (two captures of one finger never give identical templates), which this does not do; it
//! catches the same capture data enrolled under two NIKs, not a second capture of one body.

use crate::store::sidik_jari;
use ktpel_contract::enrollment::FingerTemplate;
use ktpel_domain::Nik;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The outcome for one enrollment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Unique,
    /// The fingers match those of `other`.
    DuplicateOf {
        other: String,
        fingers: usize,
    },
}

fn digest(t: &FingerTemplate) -> String {
    Sha256::digest(&t.template.data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares the fingers with every NIK on file; `min_fingers` matching fingers of one other
/// NIK make a duplicate.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    nik: &Nik,
    fingers: &[FingerTemplate],
    min_fingers: usize,
) -> Result<Verdict, DbErr> {
    let digests: Vec<String> = fingers.iter().map(digest).collect();
    // Along the primary key, however few fingerprints were on file when the statement was
    // first planned on this connection.
    ktpel_store::plan_for_the_rows_there_are(db).await?;
    let on_file = sidik_jari::Entity::find()
        .filter(sidik_jari::Column::TemplateSha256.is_in(digests))
        .filter(sidik_jari::Column::Nik.ne(nik.to_string()))
        .all(db)
        .await?;
    let mut per_nik: BTreeMap<String, usize> = BTreeMap::new();
    for row in on_file {
        *per_nik.entry(row.nik).or_default() += 1;
    }
    Ok(per_nik
        .into_iter()
        .filter(|(_, n)| *n >= min_fingers)
        .max_by_key(|(_, n)| *n)
        .map_or(Verdict::Unique, |(other, fingers)| Verdict::DuplicateOf {
            other,
            fingers,
        }))
}

/// Files the fingers of a unique enrollment under `nik`.
pub async fn file<C: ConnectionTrait>(
    db: &C,
    nik: &Nik,
    fingers: &[FingerTemplate],
) -> Result<(), DbErr> {
    let rows = fingers.iter().map(|f| sidik_jari::ActiveModel {
        template_sha256: Set(digest(f)),
        finger: Set(format!("{:?}", f.finger)),
        nik: Set(nik.to_string()),
    });
    sidik_jari::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([sidik_jari::Column::TemplateSha256])
        .exec_without_returning(db)
        .await
        .map(|_| ())
}
