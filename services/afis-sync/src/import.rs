//! S20.3: the operator imports an offline backup into this (online) Server AFIS.
//!
//! [`open`] checks the file before anything is stored (see `ktpel_bundle`: tampered,
//! truncated, foreign, misaddressed and expired bundles are refused with the reason). [`import`]
//! then adds its records to the scheduler's queue in one transaction — all of them or none — so
//! the NID Scheduler sends them like any other (S19), and counts them as it sends. A record
//! already here (it came over the site link, or in an earlier bundle) is not added again: the
//! same bundle imported twice, or a bundle whose site link came back meanwhile, doubles
//! nothing.

use crate::store::{bundle, outbound};
use chrono::{DateTime, Utc};
use ktpel_bundle::{BundleError, Opened, SiteKeys, TrustedSites};
use ktpel_contract::enrollment::EnrollmentCreated;
use ktpel_domain::KodeWilayah;
use sea_orm::{
    ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait, TransactionTrait,
    sea_query::OnConflict,
};
use uuid::Uuid;

/// Records added per statement: large bundles go in slices, so progress shows.
pub const SLICE: usize = 500;

/// Checks and opens a bundle file for this Server AFIS.
pub fn open(
    file: &[u8],
    keys: &SiteKeys,
    trusted: &TrustedSites,
    now: DateTime<Utc>,
) -> Result<Opened<EnrollmentCreated>, BundleError> {
    ktpel_bundle::open(file, keys, trusted, now)
}

/// A record of the bundle that was not queued, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refused {
    pub enrollment_id: Uuid,
    pub nomor_berkas: String,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub bundle_id: Uuid,
    pub site: String,
    pub records: u64,
    /// Queued for the Pusat Data now.
    pub new: u64,
    /// Already here: nothing added.
    pub already_known: u64,
    pub refused: Vec<Refused>,
    /// When this same bundle was imported before, if it was.
    pub imported_before: Option<DateTime<Utc>>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "bundle {} from {}: {} records — {} new, {} already known, {} refused",
            self.bundle_id,
            self.site,
            self.records,
            self.new,
            self.already_known,
            self.refused.len()
        )?;
        if let Some(at) = self.imported_before {
            write!(
                f,
                " (imported before, on {})",
                at.format("%Y-%m-%d %H:%M UTC")
            )?;
        }
        for r in &self.refused {
            write!(
                f,
                "\n  refused {} ({}): {}",
                r.nomor_berkas, r.enrollment_id, r.reason
            )?;
        }
        Ok(())
    }
}

/// Why one record of a trusted bundle is not taken: a site may send only the berkas its own
/// desks took, and this Server AFIS sends only its own region's.
fn refusal(r: &EnrollmentCreated, site: &KodeWilayah, served: &str) -> Option<String> {
    let Some(kecamatan) = r.kecamatan.as_deref() else {
        return Some("the record names no kecamatan".into());
    };
    let within = |region: &str| kecamatan == region || kecamatan.starts_with(&format!("{region}."));
    if !within(&site.to_string()) {
        Some(format!(
            "taken at {kecamatan}, not at the bundle's site {site}"
        ))
    } else if !within(served) {
        Some(format!(
            "taken at {kecamatan}, outside the region this Server AFIS serves ({served})"
        ))
    } else {
        None
    }
}

/// Queues the records of `opened` for the Pusat Data in one transaction; `progress` hears
/// how many records have been gone through.
pub async fn import(
    db: &DatabaseConnection,
    served: &str,
    opened: &Opened<EnrollmentCreated>,
    mut progress: impl FnMut(u64),
) -> Result<Summary, DbErr> {
    let header = &opened.header;
    let txn = db.begin().await?;
    let before = bundle::Entity::find_by_id(header.bundle_id)
        .one(&txn)
        .await?;
    let now = Utc::now();
    let mut refused = Vec::new();
    let mut new = 0;
    let mut done = 0;
    for slice in opened.records.chunks(SLICE) {
        let mut rows = Vec::with_capacity(slice.len());
        for r in slice {
            if let Some(reason) = refusal(r, &opened.site, served) {
                refused.push(Refused {
                    enrollment_id: r.enrollment_id,
                    nomor_berkas: r.nomor_berkas.clone(),
                    reason,
                });
                continue;
            }
            rows.push(outbound::ActiveModel {
                enrollment_id: Set(r.enrollment_id),
                nomor_berkas: Set(r.nomor_berkas.clone()),
                nik: Set(r.nik.to_string()),
                enrollment: Set(serde_json::to_value(r)
                    .map_err(|e| DbErr::Custom(format!("record {}: {e}", r.enrollment_id)))?),
                queued_at: Set(now),
                sent_at: Set(None),
                headers: Set(None),
                bundle_id: Set(Some(header.bundle_id)),
                ..Default::default()
            });
        }
        if !rows.is_empty() {
            new += outbound::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::column(outbound::Column::EnrollmentId)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        done += slice.len() as u64;
        progress(done);
    }
    let summary = Summary {
        bundle_id: header.bundle_id,
        site: header.site.clone(),
        records: header.records,
        new,
        already_known: header.records - new - refused.len() as u64,
        refused,
        imported_before: before.as_ref().map(|b| b.imported_at),
    };
    if before.is_none() {
        bundle::Entity::insert(bundle::ActiveModel {
            bundle_id: Set(header.bundle_id),
            site: Set(header.site.clone()),
            created_at: Set(header.created_at),
            imported_at: Set(now),
            records: Set(summary.records as i64),
            new: Set(summary.new as i64),
            known: Set(summary.already_known as i64),
            refused: Set(summary.refused.len() as i64),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    tracing::info!(bundle = %header.bundle_id, site = %header.site, new = summary.new, known = summary.already_known, refused = summary.refused.len(), "S20 bundle imported");
    Ok(summary)
}

/// Every S20 bundle imported here, summed (for the ops room: `ktpel_bundles_imported`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BundleTotals {
    pub bundles: u64,
    pub new: u64,
    pub known: u64,
    pub refused: u64,
}

/// The bundles imported here and their records by outcome (each bundle counted once, at its
/// first import).
pub async fn bundle_totals(db: &DatabaseConnection) -> Result<BundleTotals, DbErr> {
    let rows = bundle::Entity::find().all(db).await?;
    Ok(rows
        .iter()
        .fold(BundleTotals::default(), |t, b| BundleTotals {
            bundles: t.bundles + 1,
            new: t.new + b.new.max(0) as u64,
            known: t.known + b.known.max(0) as u64,
            refused: t.refused + b.refused.max(0) as u64,
        }))
}

/// Records that came first in a bundle (the panel's "imported" beside "sent").
pub async fn imported_total(db: &DatabaseConnection) -> Result<u64, DbErr> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    outbound::Entity::find()
        .filter(outbound::Column::BundleId.is_not_null())
        .count(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kecamatan: Option<&str>) -> EnrollmentCreated {
        EnrollmentCreated {
            enrollment_id: Uuid::now_v7(),
            bukti_perekaman: "BP-1".into(),
            nomor_berkas: "327301-20261125-0001".into(),
            nik: ktpel_domain::Nik::parse("3273010101900001").unwrap(),
            photo_sha256: "00".into(),
            fingerprints: vec![],
            enrolled_at: Utc::now(),
            kecamatan: kecamatan.map(str::to_owned),
            pas_foto: None,
            tanda_tangan: None,
        }
    }

    #[test]
    fn a_site_sends_only_its_own_berkas_and_only_into_the_region_served() {
        let coblong = KodeWilayah::parse("32.73.01").unwrap();
        assert_eq!(refusal(&record(Some("32.73.01")), &coblong, "32.73"), None);
        let e = refusal(&record(Some("32.73.02")), &coblong, "32.73").unwrap();
        assert!(e.contains("not at the bundle's site 32.73.01"), "{e}");
        let e = refusal(&record(Some("32.73.01")), &coblong, "32.04").unwrap();
        assert!(e.contains("outside the region"), "{e}");
        // 32.73.010 is not inside 32.73.01: codes match by whole parts.
        let e = refusal(&record(Some("32.73.010")), &coblong, "32.73");
        assert!(e.is_some());
        assert!(refusal(&record(None), &coblong, "32.73").is_some());
    }
}
