//! SIAK's worklist at `/siak`: the berkas waiting at SIAK's desk, each with what it brought
//! (the Formulir Biodata, what to correct or change, the arrival form), and the operator's
//! one action on each — do the procedure's SIAK work and hand the berkas on. The work is the
//! registry's own ([`crate::handlers::work`]), done in one transaction with taking the berkas
//! off the list and queuing what it sends, so it is done once however many operators press.

use super::{Siak, page};
use crate::{
    handlers::{AtDesk, work, work_of},
    store::{antrian, penduduk},
};
use askama::Template;
use axum::{
    Form,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use ktpel_bus::{HandlerError, Outbox, outbox};
use ktpel_contract::berkas::BerkasHandedOff;
use ktpel_domain::sop::{SiakWork, Sop};
use ktpel_web::{Desk, Frame, Refusal, Signed, html};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Deserialize;

/// A berkas on the worklist, as the page shows it.
pub(super) struct Task {
    pub nomor_berkas: String,
    pub sop: String,
    /// What the operator does, in the SOP's words.
    pub kerja: &'static str,
    pub nama: String,
    /// What the berkas brought for SIAK: a label and a value each.
    pub rincian: Vec<(&'static str, String)>,
    pub tiba: String,
}

/// The button's words for each kind of work.
fn kerja(w: SiakWork) -> &'static str {
    match w {
        SiakWork::Register => "Catat biodata dan cetak KK",
        SiakWork::Correct => "Koreksi data",
        SiakWork::Change => "Ubah elemen data",
        SiakWork::Arrival => "Proses kedatangan dan cetak KK",
    }
}

fn rincian(b: &BerkasHandedOff) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    if let Some(nik) = &b.nik {
        rows.push(("NIK", nik.to_string()));
    }
    if let Some(f) = &b.biodata {
        rows.extend([
            ("Nama", f.nama.clone()),
            ("Jenis kelamin", f.jenis_kelamin.to_string()),
            (
                "Tempat, tanggal lahir",
                format!("{}, {}", f.tempat_lahir, f.tanggal_lahir.format("%d-%m-%Y")),
            ),
            ("Alamat", f.alamat.clone()),
            ("Desa/kelurahan", f.desa.clone()),
            (
                "Nomor KK",
                f.no_kk.clone().unwrap_or_else(|| "KK baru".into()),
            ),
        ]);
    }
    if let Some(p) = &b.perubahan {
        let changes = [
            ("Nama menjadi", &p.nama),
            ("Tempat lahir menjadi", &p.tempat_lahir),
            ("Alamat menjadi", &p.alamat),
            ("Desa/kelurahan menjadi", &p.desa),
        ];
        rows.extend(
            changes
                .into_iter()
                .filter_map(|(label, v)| v.clone().map(|v| (label, v))),
        );
    }
    if let Some(k) = &b.kedatangan {
        rows.extend([
            ("Desa/kelurahan tujuan", k.desa.clone()),
            ("Alamat tujuan", k.alamat.clone()),
        ]);
    }
    rows
}

/// The berkas waiting at SIAK's desk that `me` may work on, oldest first.
pub(super) async fn waiting(db: &DatabaseConnection, me: &Signed) -> Result<Vec<Task>, Refusal> {
    let rows = antrian::Entity::find()
        .order_by_asc(antrian::Column::ArrivedAt)
        .all(db)
        .await
        .map_err(Refusal::unavailable)?;
    Ok(rows
        .into_iter()
        .filter(|r| me.account.covers(&r.kecamatan))
        .map(|r| {
            // A row that no longer reads as a berkas is shown by its number alone.
            let b = r.berkas().ok();
            Task {
                nomor_berkas: r.nomor_berkas.clone(),
                sop: format!("{} — {}", r.sop, Sop::get(r.sop).judul()),
                kerja: b
                    .as_ref()
                    .and_then(|b| work_of(b).ok())
                    .map(kerja)
                    .unwrap_or("—"),
                nama: b.as_ref().map(|b| b.nama.clone()).unwrap_or_default(),
                rincian: b.as_ref().map(rincian).unwrap_or_default(),
                tiba: r.arrived_at.format("%Y-%m-%d %H:%M").to_string(),
            }
        })
        .collect())
}

#[derive(Deserialize)]
pub(super) struct Kerja {
    csrf: String,
    nomor: String,
}

/// The Kartu Keluarga just printed, to print.
#[derive(Template)]
#[template(path = "siak/kk.html")]
struct KkPage {
    frame: Frame,
    nomor_berkas: String,
    no_kk: String,
    anggota: Vec<super::Resident>,
}

/// Why the operator's press did nothing.
enum Failed {
    /// Not on the list (done already, or never this account's): the same answer for both.
    Gone,
    /// The berkas itself cannot be entered: the reason, for the operator.
    Refused(String),
    Unavailable(String),
}

impl From<sea_orm::DbErr> for Failed {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Unavailable(e.to_string())
    }
}

/// `POST /siak/kerjakan`: the procedure's SIAK work on one berkas, then on to the next desk.
pub(super) async fn work_on(
    State(s): State<Siak>,
    me: Signed,
    Form(f): Form<Kerja>,
) -> Result<Response, Refusal> {
    me.at(Desk::Siak)?;
    me.check_csrf(&f.csrf)?;
    let nomor = f.nomor.trim().to_owned();
    match enter(&s, &me, &nomor).await {
        Ok(kk) => {
            s.desks
                .record(
                    &me.account.username,
                    "dikerjakan_di_siak",
                    Some(&nomor),
                    "SIAK".to_owned(),
                )
                .await;
            match kk {
                Some(no_kk) => {
                    let anggota = penduduk::Entity::find()
                        .filter(penduduk::Column::NoKk.eq(no_kk.clone()))
                        .order_by_asc(penduduk::Column::TanggalLahir)
                        .all(&s.db)
                        .await
                        .map_err(Refusal::unavailable)?
                        .into_iter()
                        .map(super::Resident::from)
                        .collect();
                    Ok(html(&KkPage {
                        frame: s.desks.frame(Some(&me)),
                        nomor_berkas: nomor,
                        no_kk,
                        anggota,
                    }))
                }
                None => Ok(Redirect::to(&format!("/siak?selesai={nomor}")).into_response()),
            }
        }
        Err(Failed::Gone) => Err(Refusal::NotFound),
        Err(Failed::Unavailable(why)) => Err(Refusal::Unavailable(why)),
        Err(Failed::Refused(why)) => page(&s, &me, String::new(), None, Some(why)).await,
    }
}

/// Takes berkas `nomor` off the list and does its work, in one transaction; the KK printed,
/// if the work printed one.
async fn enter(s: &Siak, me: &Signed, nomor: &str) -> Result<Option<String>, Failed> {
    let txn = s.db.begin().await?;
    let Some(row) = antrian::Entity::find_by_id(nomor.to_owned())
        .one(&txn)
        .await?
    else {
        return Err(Failed::Gone);
    };
    if !me.account.covers(&row.kecamatan) {
        return Err(Failed::Gone);
    }
    // Taken off first: of two operators pressing at once, the second finds nothing to delete
    // (PostgreSQL makes it wait for the first's commit) and does nothing.
    let taken = antrian::Entity::delete_by_id(nomor.to_owned())
        .exec(&txn)
        .await?;
    if taken.rows_affected != 1 {
        return Err(Failed::Gone);
    }
    let berkas = row
        .berkas()
        .map_err(|e| Failed::Refused(format!("the stored berkas does not read: {e}")))?;
    let sent = Outbox::default();
    let operator = format!("{}@dinas (SIAK)", me.account.username);
    let at = AtDesk {
        txn: &txn,
        outbox: &sent,
        registry: &s.registry,
        operator: &operator,
    };
    let done = match work(&at, &berkas).await {
        Ok(done) => done,
        // Rolled back with the transaction: the berkas stays on the list.
        Err(HandlerError::Permanent(why)) => return Err(Failed::Refused(why)),
        Err(HandlerError::Transient(why)) => return Err(Failed::Unavailable(why)),
    };
    sent.write(&txn)
        .await
        .map_err(|e| Failed::Unavailable(e.to_string()))?;
    outbox::notify(&txn)
        .await
        .map_err(|e| Failed::Unavailable(e.to_string()))?;
    txn.commit().await?;
    tracing::info!(nomor_berkas = %nomor, "berkas entered in SIAK at the desk");
    Ok(done.kk)
}
