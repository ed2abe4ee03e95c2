//! The Pusat Data's gallery in memory: both index fingers of every enrollment on record, from
//! every Dinas, indexed for 1:N identification ([`ktpel_biometrics::Gallery`]).
//!
//! The database is the gallery of record (`pusat_data_sidik_jari`, each finger's ISO/IEC
//! 19794-2 record); this is built from it at start and kept current as enrollments are filed.
//! It may run ahead of the database (a transaction that files a resident and then rolls back
//! leaves them here), never behind: so every record it names is looked up in the database
//! before it decides anything ([`crate::dedup`]).
//!
//! Both index fingers are what is identified, because they are what the thresholds were
//! measured on (`bench matcher`) and what every enrollment, also a replacement's, has on the
//! chip; the other eight are kept in the database for people to look at.

use crate::store::{adjudikasi, sidik_jari};
use futures_util::TryStreamExt;
use ktpel_biometrics::{Finger, Gallery, Template, Thresholds, iso};
use ktpel_contract::enrollment::{FingerTemplate, TemplateFormat};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QuerySelect,
};
use std::{
    collections::BTreeMap,
    sync::{Arc, RwLock},
    time::Instant,
};

/// The fingers identified 1:N.
pub const IDENTIFIED: [Finger; 2] = [Finger::RightIndex, Finger::LeftIndex];

/// The gallery, shared by the handler and whatever else files a resident. Cheap to clone.
#[derive(Clone)]
pub struct Galeri {
    gallery: Arc<RwLock<Gallery>>,
    thresholds: Thresholds,
}

/// A record of `finger` under its column's name (`RightIndex`…), as the table keeps it.
fn column_name(finger: Finger) -> String {
    let contract = ktpel_contract::enrollment::Finger::from_iso_position(finger.code())
        .expect("one of the ten");
    format!("{contract:?}")
}

/// The identified fingers' ISO records among `fingers`, decoded: `None` when the enrollment
/// has none (its templates are a device's own, version 1: matched by digest only). A record
/// that does not decode, or that is of another finger than it is filed under, is refused by
/// name: a station never sends one.
pub fn probe(fingers: &[FingerTemplate]) -> Result<Option<Vec<Template>>, String> {
    let mut probe = Vec::new();
    for f in fingers {
        if f.template.format != TemplateFormat::Iso19794_2 {
            continue;
        }
        let t = iso::decode(&f.template.data).map_err(|e| {
            format!(
                "the template of {:?} is no ISO/IEC 19794-2 record: {e}",
                f.finger
            )
        })?;
        if t.finger.code() != f.finger.iso_position() {
            return Err(format!(
                "the template filed as {:?} is a record of finger position {}",
                f.finger,
                t.finger.code()
            ));
        }
        if IDENTIFIED.contains(&t.finger) {
            probe.push(t);
        }
    }
    Ok((!probe.is_empty()).then_some(probe))
}

impl Galeri {
    /// An empty gallery deciding with `thresholds`.
    pub fn new(thresholds: Thresholds) -> Self {
        Self {
            gallery: Arc::new(RwLock::new(Gallery::new(thresholds, &IDENTIFIED))),
            thresholds,
        }
    }

    /// The gallery of every enrollment in `db` with ISO records, deciding with `thresholds`.
    pub async fn load(db: &DatabaseConnection, thresholds: Thresholds) -> Result<Self, DbErr> {
        let started = Instant::now();
        let mut gallery = Gallery::new(thresholds, &IDENTIFIED);
        let names: Vec<String> = IDENTIFIED.iter().map(|f| column_name(*f)).collect();
        let mut rows = sidik_jari::Entity::find()
            .select_only()
            .column(sidik_jari::Column::Nik)
            .column(sidik_jari::Column::Iso)
            .filter(sidik_jari::Column::Iso.is_not_null())
            .filter(sidik_jari::Column::Finger.is_in(names))
            .into_tuple::<(String, Option<Vec<u8>>)>()
            .stream(db)
            .await?;
        // A resident's two fingers are inserted together; rows come in any order.
        let mut by_nik: BTreeMap<String, Vec<Template>> = BTreeMap::new();
        let mut unreadable = 0usize;
        while let Some((nik, record)) = rows.try_next().await? {
            match record.as_deref().map(iso::decode) {
                Some(Ok(t)) => by_nik.entry(nik).or_default().push(t),
                _ => unreadable += 1,
            }
        }
        drop(rows);
        for (nik, templates) in &by_nik {
            gallery.insert(nik, templates);
        }
        if unreadable > 0 {
            tracing::error!(
                unreadable,
                "fingerprint records in the gallery that do not decode"
            );
        }
        tracing::info!(
            residents = gallery.len(),
            seconds = started.elapsed().as_secs_f64(),
            "gallery built from the database"
        );
        Ok(Self {
            gallery: Arc::new(RwLock::new(gallery)),
            thresholds,
        })
    }

    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// How many residents the gallery holds.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Gallery> {
        self.gallery.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The residents most like `probe`, each with its fingers' scores, the most alike first;
    /// `nik`'s own record left out. Bozorth3 takes tens of milliseconds here: off the async
    /// threads.
    pub async fn candidates(
        &self,
        probe: Vec<Template>,
        nik: String,
    ) -> Vec<(String, Vec<(Finger, u32)>)> {
        let gallery = self.gallery.clone();
        tokio::task::spawn_blocking(move || {
            gallery
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .candidates(&probe, Some(&nik))
        })
        .await
        .expect("the matcher does not panic")
    }

    /// Files `templates` under `nik` in the running gallery.
    pub fn insert(&self, nik: &str, templates: &[Template]) {
        self.gallery
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(nik, templates);
    }

    /// Takes in the residents an adjudicator found to be nobody on record since the gallery
    /// last looked (the desk files them in the database; the running gallery learns of them
    /// here, before the next identification), and marks them taken in `txn`.
    pub async fn catch_up<C: ConnectionTrait>(&self, txn: &C) -> Result<(), DbErr> {
        let decided = adjudikasi::Entity::find()
            .filter(adjudikasi::Column::InGallery.eq(false))
            .filter(adjudikasi::Column::Decision.eq(ktpel_domain::StatusKartu::Prr))
            .all(txn)
            .await?;
        for case in decided {
            if let Ok(Some(probe)) = probe(&case.record.0.enrollment.fingerprints) {
                self.insert(&case.nik, &probe);
            }
            adjudikasi::Entity::update(adjudikasi::ActiveModel {
                enrollment_id: Set(case.enrollment_id),
                in_gallery: Set(true),
                ..Default::default()
            })
            .exec(txn)
            .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktpel_biometrics::synth::{Variation, impression};
    use ktpel_contract::enrollment::{Finger as Position, Template as Wire};

    fn filed(finger: Position, data: Vec<u8>, format: TemplateFormat) -> FingerTemplate {
        FingerTemplate {
            finger,
            template: Wire {
                data,
                quality: 80,
                format,
            },
        }
    }

    fn record(finger: Finger) -> Vec<u8> {
        iso::encode(&impression(7, finger, 0, &Variation::default())).unwrap()
    }

    /// The device's own templates give nothing to identify; an ISO record that is not one, or
    /// of another finger than it is filed under, is refused by name.
    #[test]
    fn the_probe_is_both_index_fingers_and_a_bad_record_is_named() {
        let vendor = vec![filed(
            Position::RightIndex,
            vec![1; 64],
            TemplateFormat::Vendor,
        )];
        assert_eq!(probe(&vendor), Ok(None));
        let good = vec![
            filed(
                Position::RightThumb,
                record(Finger::RightThumb),
                TemplateFormat::Iso19794_2,
            ),
            filed(
                Position::RightIndex,
                record(Finger::RightIndex),
                TemplateFormat::Iso19794_2,
            ),
            filed(
                Position::LeftIndex,
                record(Finger::LeftIndex),
                TemplateFormat::Iso19794_2,
            ),
        ];
        let fingers: Vec<Finger> = probe(&good)
            .unwrap()
            .unwrap()
            .iter()
            .map(|t| t.finger)
            .collect();
        assert_eq!(fingers, IDENTIFIED);
        let mut truncated = good.clone();
        truncated[1].template.data.truncate(10);
        let err = probe(&truncated).unwrap_err();
        assert!(
            err.starts_with("the template of RightIndex is no ISO/IEC 19794-2 record"),
            "{err}"
        );
        let mut swapped = good;
        swapped[2].template.data = record(Finger::RightIndex);
        let err = probe(&swapped).unwrap_err();
        assert!(
            err.contains("filed as LeftIndex is a record of finger position 2"),
            "{err}"
        );
    }
}
