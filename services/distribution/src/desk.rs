//! The distribution desk (S22): batches with their Berita Acara, the kecamatan's receipt, the
//! hand-over to the resident. Each action is one transaction with its status events.

use crate::{
    berita_acara,
    store::{batch, kartu},
};
use chrono::Utc;
use ktpel_bus::{BusError, Outgoing, RoutingKey, outbox};
use ktpel_contract::enrollment::{CARD_STATUS, CardStatusChanged};
use ktpel_domain::{Nik, StatusKartu};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use std::collections::BTreeMap;

impl DeskError {
    /// Whether trying again may succeed: the database or the broker did not answer.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Db(_) | Self::Bus(_))
    }

    /// The reason in Bahasa Indonesia, for the distribution desk in the browser.
    pub fn pesan(&self) -> String {
        match self {
            Self::NoBatch(id) => format!("tidak ada batch {id}"),
            Self::AlreadyReceived(id, by) => format!("batch {id} sudah diterima oleh {by}"),
            Self::NoCard(nik) => format!("tidak ada kartu NIK {nik} di distribusi"),
            Self::NotAtKecamatan(nik) => {
                format!("kartu NIK {nik} belum sampai di kecamatan (batch-nya belum diterima)")
            }
            Self::AlreadyHandedOver(nik, to) => {
                format!("kartu NIK {nik} sudah diserahkan kepada {to}")
            }
            Self::NoSignature => "tanda terima memerlukan nama penerima kartu".to_owned(),
            Self::Document(e) => format!("Berita Acara tidak dapat dibuat: {e}"),
            other => other.to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("no batch {0}")]
    NoBatch(uuid::Uuid),
    #[error("batch {0} was already received by {1}")]
    AlreadyReceived(uuid::Uuid, String),
    #[error("no card for NIK {0} in distribution")]
    NoCard(String),
    #[error("the card of NIK {0} has not reached the kecamatan yet (its batch was not received)")]
    NotAtKecamatan(String),
    #[error("the card of NIK {0} was already handed over to {1}")]
    AlreadyHandedOver(String, String),
    #[error("a tanda terima needs the name of who received the card")]
    NoSignature,
    #[error("the Berita Acara could not be made: {0}")]
    Document(#[from] ktpel_documents::DocumentError),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("bus: {0}")]
    Bus(#[from] BusError),
}

async fn announce<C: ConnectionTrait>(
    txn: &C,
    card: &kartu::Model,
    status: StatusKartu,
    note: String,
) -> Result<(), DeskError> {
    let nik = Nik::parse(&card.nik).map_err(|e| DbErr::Custom(e.to_string()))?;
    let event = CardStatusChanged {
        nik,
        nomor_berkas: card.nomor_berkas.clone(),
        status,
        note,
        at: Utc::now(),
    };
    let key = RoutingKey::regional(CARD_STATUS, &card.kecamatan)
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    let msg = Outgoing::new(&event, key, &card.nomor_berkas, &card.nomor_berkas)?;
    outbox::enqueue(txn, &msg).await?;
    // A desk command's process has no relay: the service's relay hears of it at commit.
    outbox::notify(txn).await?;
    Ok(())
}

/// S22.2–S22.3: every card not yet in a batch, grouped by kecamatan (one batch each, its
/// Berita Acara listing the cards by desa/kelurahan); the cards become `CARD_SHIPPED`.
pub async fn make_batches(
    db: &DatabaseConnection,
    petugas: &str,
) -> Result<Vec<batch::Model>, DeskError> {
    let txn = ktpel_store::begin_write(db).await?;
    let waiting = kartu::Entity::find()
        .filter(kartu::Column::BatchId.is_null())
        .filter(kartu::Column::AtDinasDesk.eq(false))
        .order_by_asc(kartu::Column::Desa)
        .order_by_asc(kartu::Column::Nik)
        .all(&txn)
        .await?;
    let mut by_kecamatan: BTreeMap<String, Vec<kartu::Model>> = BTreeMap::new();
    for c in waiting {
        by_kecamatan.entry(c.kecamatan.clone()).or_default().push(c);
    }
    let now = Utc::now();
    let mut batches = Vec::new();
    for (kecamatan, cards) in by_kecamatan {
        let id = uuid::Uuid::now_v7();
        let doc = berita_acara::render(
            &format!("BAST-{}", id.simple()),
            &kecamatan,
            petugas,
            &now.format("%d-%m-%Y").to_string(),
            &cards,
        );
        let b = batch::ActiveModel {
            batch_id: Set(id),
            kecamatan: Set(kecamatan.clone()),
            petugas: Set(petugas.to_owned()),
            berita_acara: Set(doc),
            created_at: Set(now),
            received_by: Set(None),
            received_at: Set(None),
        }
        .insert(&txn)
        .await?;
        for c in cards {
            let note = format!(
                "diserahkan ke kecamatan dengan Berita Acara {}",
                id.simple()
            );
            announce(&txn, &c, StatusKartu::CardShipped, note).await?;
            let mut a = c.into_active_model();
            a.batch_id = Set(Some(id));
            a.update(&txn).await?;
        }
        batches.push(b);
    }
    txn.commit().await?;
    Ok(batches)
}

/// S22.3–S22.4: the kecamatan's ppp signs for the batch and tells its residents to collect.
pub async fn confirm_receipt(
    db: &DatabaseConnection,
    batch_id: uuid::Uuid,
    ppp: &str,
) -> Result<u64, DeskError> {
    let txn = ktpel_store::begin_write(db).await?;
    let b = batch::Entity::find_by_id(batch_id)
        .one(&txn)
        .await?
        .ok_or(DeskError::NoBatch(batch_id))?;
    if let Some(by) = &b.received_by {
        return Err(DeskError::AlreadyReceived(batch_id, by.clone()));
    }
    let now = Utc::now();
    let mut a = b.into_active_model();
    a.received_by = Set(Some(ppp.to_owned()));
    a.received_at = Set(Some(now));
    a.update(&txn).await?;
    let told = kartu::Entity::update_many()
        .col_expr(
            kartu::Column::NotifiedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(kartu::Column::BatchId.eq(batch_id))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(told)
}

/// S22.4–S22.5: the card is handed to the resident, who signs the tanda terima; the card is
/// `CARD_ACTIVATED` and the tanda terima archived.
pub async fn hand_over(
    db: &DatabaseConnection,
    nik: &str,
    ppp: &str,
    signed_by: &str,
) -> Result<(), DeskError> {
    if signed_by.trim().is_empty() {
        return Err(DeskError::NoSignature);
    }
    let txn = ktpel_store::begin_write(db).await?;
    // The NIK's card not handed over yet; else the last one that was, to say so.
    let cards = kartu::Entity::find()
        .filter(kartu::Column::Nik.eq(nik))
        .order_by_desc(kartu::Column::ReceivedAt)
        .all(&txn)
        .await?;
    let c = match cards.iter().find(|c| c.tanda_terima_by.is_none()) {
        Some(c) => c.clone(),
        None => {
            let last = cards
                .first()
                .ok_or_else(|| DeskError::NoCard(nik.to_owned()))?;
            return Err(DeskError::AlreadyHandedOver(
                nik.to_owned(),
                last.tanda_terima_by.clone().unwrap_or_default(),
            ));
        }
    };
    if c.notified_at.is_none() {
        return Err(DeskError::NotAtKecamatan(nik.to_owned()));
    }
    let place = if c.at_dinas_desk {
        "di loket Dinas"
    } else {
        "di kecamatan"
    };
    let note = format!("diserahkan {place} oleh {ppp}, tanda terima ditandatangani {signed_by}");
    announce(&txn, &c, StatusKartu::CardActivated, note).await?;
    let mut a = c.into_active_model();
    a.tanda_terima_by = Set(Some(signed_by.to_owned()));
    a.handed_over_at = Set(Some(Utc::now()));
    a.handed_over_by = Set(Some(ppp.to_owned()));
    a.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// The cards at the kecamatan whose residents were told to collect and have not yet: who the
/// ppp expects at the desk (S22.4).
pub async fn awaiting_collection<C: ConnectionTrait>(db: &C) -> Result<Vec<kartu::Model>, DbErr> {
    kartu::Entity::find()
        .filter(kartu::Column::NotifiedAt.is_not_null())
        .filter(kartu::Column::TandaTerimaBy.is_null())
        .order_by_asc(kartu::Column::Nik)
        .all(db)
        .await
}
