//! Deduplication: is this enrollment somebody already on record under another NIK?
//!
//! - **ISO/IEC 19794-2 templates** (what stations send): both index fingers are identified 1:N
//!   against every enrollment on record ([`crate::gallery`]), and Bozorth3's scores decide —
//!   the same person (DUPLICATE_RECORD), a case for a person to adjudicate, or nobody.
//! - **A device's own templates** (version 1 of the messages) cannot be compared as fingers:
//!   a template already on file under another NIK, byte for byte, is the same capture
//!   presented again. Every template is checked this way too, so a replayed capture is caught
//!   whatever its format.

use crate::{gallery::Galeri, store::sidik_jari};
use ktpel_contract::enrollment::{Finger, FingerTemplate, TemplateFormat};
use ktpel_domain::Nik;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The outcome for one enrollment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Unique,
    /// The same person as `other`, because of `why`.
    DuplicateOf {
        other: String,
        why: String,
    },
    /// Perhaps the person on record under `other`: for an adjudicator.
    Adjudicate {
        other: String,
        scores: Vec<(Finger, u32)>,
    },
}

/// Why an enrollment could not be deduplicated.
#[derive(Debug, thiserror::Error)]
pub enum DedupError {
    /// The enrollment's fingerprints are not what they say they are (permanent).
    #[error("{0}")]
    Template(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

fn digest(t: &FingerTemplate) -> String {
    Sha256::digest(&t.template.data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The contract's finger of the matcher's.
fn finger(f: ktpel_biometrics::Finger) -> Finger {
    Finger::from_iso_position(f.code()).expect("one of the ten")
}

/// `scores` as people read them: `right_index 87, left_index 64`.
pub fn scores_text(scores: &[(Finger, u32)]) -> String {
    scores
        .iter()
        .map(|(f, s)| {
            let name = serde_json::to_value(f)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            format!("{name} {s}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Identifies the enrollment of `nik` with `fingers` against everyone on record.
/// `min_fingers` identical device templates of one other NIK make a duplicate.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    galeri: &Galeri,
    nik: &Nik,
    fingers: &[FingerTemplate],
    min_fingers: usize,
) -> Result<Verdict, DedupError> {
    let probe = crate::gallery::probe(fingers).map_err(DedupError::Template)?;
    if let Some(verdict) = identical(db, nik, fingers, min_fingers).await? {
        return Ok(verdict);
    }
    let Some(probe) = probe else {
        return Ok(Verdict::Unique);
    };
    galeri.catch_up(db).await?;
    let candidates = galeri.candidates(probe, nik.to_string()).await;
    if candidates.is_empty() {
        return Ok(Verdict::Unique);
    }
    // Only what the database has on record counts (the gallery may run ahead of it).
    let named: Vec<String> = candidates.iter().map(|(n, _)| n.clone()).collect();
    let on_record: BTreeSet<String> = sidik_jari::Entity::find()
        .select_only()
        .column(sidik_jari::Column::Nik)
        .distinct()
        .filter(sidik_jari::Column::Nik.is_in(named))
        .filter(sidik_jari::Column::Iso.is_not_null())
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let candidates = candidates
        .into_iter()
        .filter(|(n, _)| on_record.contains(n))
        .collect();
    let to_contract = |scores: Vec<(ktpel_biometrics::Finger, u32)>| {
        scores
            .into_iter()
            .map(|(f, s)| (finger(f), s))
            .collect::<Vec<_>>()
    };
    Ok(match galeri.thresholds().decide(candidates) {
        ktpel_biometrics::Decision::Unique => Verdict::Unique,
        ktpel_biometrics::Decision::Duplicate {
            nik: other,
            fingers,
        } => {
            let why = format!(
                "sidik jari cocok dengan NIK {other} (skor Bozorth3: {})",
                scores_text(&to_contract(fingers))
            );
            Verdict::DuplicateOf { other, why }
        }
        ktpel_biometrics::Decision::Adjudicate {
            nik: other,
            fingers,
        } => Verdict::Adjudicate {
            other,
            scores: to_contract(fingers),
        },
    })
}

/// A duplicate by identical templates, if `min_fingers` of them are on file under one other
/// NIK.
async fn identical<C: ConnectionTrait>(
    db: &C,
    nik: &Nik,
    fingers: &[FingerTemplate],
    min_fingers: usize,
) -> Result<Option<Verdict>, DbErr> {
    let digests: Vec<String> = fingers.iter().map(digest).collect();
    // Along the primary key, however few fingerprints were on file when the statement was
    // first planned on this connection.
    ktpel_store::plan_for_the_rows_there_are(db).await?;
    let on_file = sidik_jari::Entity::find()
        .select_only()
        .column(sidik_jari::Column::Nik)
        .filter(sidik_jari::Column::TemplateSha256.is_in(digests))
        .filter(sidik_jari::Column::Nik.ne(nik.to_string()))
        .into_tuple::<String>()
        .all(db)
        .await?;
    let mut per_nik: BTreeMap<String, usize> = BTreeMap::new();
    for other in on_file {
        *per_nik.entry(other).or_default() += 1;
    }
    Ok(per_nik
        .into_iter()
        .filter(|(_, n)| *n >= min_fingers)
        .max_by_key(|(_, n)| *n)
        .map(|(other, n)| Verdict::DuplicateOf {
            why: format!("{n} templat sidik jari identik dengan milik NIK {other}"),
            other,
        }))
}

/// Files the fingers of an enrollment found to be nobody else under `nik`: each template's
/// digest, and its ISO record for the gallery. The running gallery is told by the caller.
pub async fn file<C: ConnectionTrait>(
    db: &C,
    nik: &Nik,
    fingers: &[FingerTemplate],
) -> Result<(), DbErr> {
    let rows =
        fingers.iter().map(|f| sidik_jari::ActiveModel {
            template_sha256: Set(digest(f)),
            finger: Set(format!("{:?}", f.finger)),
            nik: Set(nik.to_string()),
            iso: Set(
                (f.template.format == TemplateFormat::Iso19794_2).then(|| f.template.data.clone())
            ),
        });
    sidik_jari::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([sidik_jari::Column::TemplateSha256])
        .exec_without_returning(db)
        .await
        .map(|_| ())
}
