//! What "every status once, in order" means for a berkas of S01, read from intake's tables.

use ktpel_intake::{query, store::berkas};
use sea_orm::{ConnectionTrait, EntityTrait};

/// The statuses a berkas of S01 hears, in the order the procedure reaches them.
pub const STATUSES: [&str; 5] = [
    "SFE",
    "PRR",
    "CARD_PRINTED",
    "CARD_SHIPPED",
    "CARD_ACTIVATED",
];

/// Checks that every berkas intake holds is at CARD_ACTIVATED and heard each of [`STATUSES`]
/// exactly once, in order; the number of berkas, or what one of them heard instead.
pub async fn each_once_in_order<C: ConnectionTrait>(intake: &C) -> Result<usize, String> {
    let all = berkas::Entity::find()
        .all(intake)
        .await
        .map_err(|e| e.to_string())?;
    for b in &all {
        let t = query::where_is(intake, &b.nomor_berkas)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("{}: no timeline", b.nomor_berkas))?;
        let heard: Vec<&str> = t
            .timeline
            .iter()
            .filter_map(|e| {
                STATUSES
                    .into_iter()
                    .find(|s| e.note.starts_with(&format!("{s}:")))
            })
            .collect();
        if heard != STATUSES || b.status.as_str() != "CARD_ACTIVATED" {
            return Err(format!(
                "{} is {} and heard {heard:?}: {:#?}",
                b.nomor_berkas, b.status, t.timeline
            ));
        }
    }
    Ok(all.len())
}
