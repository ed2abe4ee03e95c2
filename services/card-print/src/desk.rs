//! The BCardMgmt desk (S21): the print queue and what the operator and the kepala_seksi do.
//! Every action checks the session's role and the job's state, and changes one job: a step of
//! the operator's with one write that finds nothing to change if the card moved meanwhile,
//! the approval in one transaction with its outgoing messages.

use crate::{
    card_register,
    chip::{Chip, ChipData, ChipError},
    face,
    operators::{Role, Session},
    store::job::{self, JobState},
};
use chrono::Utc;
use ed25519_dalek::SigningKey;
use ktpel_bus::{Outgoing, RoutingKey, outbox};
use ktpel_contract::{
    berkas::BerkasHandedOff,
    enrollment::{CARD_STATUS, CardPrinted, CardStatusChanged, PRINTED},
    registry::Biodata,
};
use ktpel_domain::{
    KodeWilayah, StatusKartu,
    sop::{Collection, Sop, SopId},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// Why a desk action was refused. Nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("no card job for NIK {0}")]
    NoJob(String),
    #[error("NIK {nik} is {state}; this step needs {needed}")]
    WrongState {
        nik: String,
        state: JobState,
        needed: JobState,
    },
    #[error("this needs the {needed} role; {who} has the {role} role")]
    NotAllowed {
        who: String,
        role: Role,
        needed: Role,
    },
    #[error("the card of NIK {nik} has no card number: it was not encoded (S21.2)")]
    NoCardNumber { nik: String },
    /// What the job keeps (SIAK's biodata, a replacement's slip) does not read back: written
    /// by an older version, or changed by hand.
    #[error("the stored {what} of NIK {nik} is unreadable: {reason}")]
    Stored {
        nik: String,
        what: &'static str,
        reason: String,
    },
    #[error("the resident's desa code `{desa}` is not a region code")]
    NotARegion { desa: String },
    /// A replacement's slip cannot go on from the printing desk.
    #[error("berkas {nomor_berkas} cannot be handed on from printing: {reason}")]
    NoNextHop {
        nomor_berkas: String,
        reason: String,
    },
    #[error(transparent)]
    Chip(#[from] ChipError),
    #[error("the card cannot be drawn: {0}")]
    Face(#[from] ktpel_documents::DocumentError),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("bus: {0}")]
    Bus(#[from] ktpel_bus::BusError),
}

impl DeskError {
    /// Whether trying again may succeed: the database or the broker did not answer.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Db(_) | Self::Bus(_))
    }

    /// The reason in Bahasa Indonesia, for the print desk in the browser.
    pub fn pesan(&self) -> String {
        match self {
            Self::NoJob(nik) => format!("tidak ada pekerjaan kartu untuk NIK {nik}"),
            Self::WrongState { nik, state, needed } => {
                format!("kartu NIK {nik} berstatus {state}; langkah ini memerlukan {needed}")
            }
            Self::NotAllowed { who, role, needed } => {
                format!("langkah ini untuk peran {needed}; {who} berperan {role}")
            }
            Self::NoCardNumber { nik } => {
                format!("kartu NIK {nik} belum bernomor: chip belum ditulis (S21.2)")
            }
            Self::NotARegion { desa } => format!("kode desa penduduk `{desa}` bukan kode wilayah"),
            Self::Chip(e) => format!("chip ditolak: {e}"),
            other => other.to_string(),
        }
    }
}

/// Moves a job to `Queued` once it has everything (called after each piece arrives).
pub fn ready(j: &job::Model) -> bool {
    j.print_ready && j.biodata.is_some() && j.photo_sha256.is_some()
}

/// The print queue: residents whose cards may be made now, oldest first.
pub async fn queue<C: ConnectionTrait>(db: &C) -> Result<Vec<job::Model>, DbErr> {
    job::Entity::find()
        .filter(job::Column::State.eq(JobState::Queued))
        .order_by_asc(job::Column::UpdatedAt)
        .all(db)
        .await
}

/// The card of `nik` being made: the one job of the NIK not approved yet (a resident has one
/// card in production at a time; earlier ones were approved).
pub async fn open_job<C: ConnectionTrait>(db: &C, nik: &str) -> Result<job::Model, DeskError> {
    job::Entity::find()
        .filter(job::Column::Nik.eq(nik))
        .filter(job::Column::State.ne(JobState::Approved))
        .one(db)
        .await?
        .ok_or_else(|| DeskError::NoJob(nik.to_owned()))
}

async fn job_in<C: ConnectionTrait>(
    db: &C,
    nik: &str,
    needed: JobState,
) -> Result<job::Model, DeskError> {
    let j = open_job(db, nik).await?;
    if j.state != needed {
        return Err(DeskError::WrongState {
            nik: nik.to_owned(),
            state: j.state,
            needed,
        });
    }
    Ok(j)
}

fn require(s: &Session, role: Role) -> Result<(), DeskError> {
    if s.role == role {
        Ok(())
    } else {
        Err(DeskError::NotAllowed {
            who: s.username.clone(),
            role: s.role,
            needed: role,
        })
    }
}

/// The resident's biodata from SIAK, as the job keeps it.
pub fn biodata(j: &job::Model) -> Result<Biodata, DeskError> {
    let value = j
        .biodata
        .clone()
        .ok_or_else(|| DeskError::NoJob(j.nik.clone()))?;
    serde_json::from_value(value).map_err(|e| DeskError::Stored {
        nik: j.nik.clone(),
        what: "biodata",
        reason: e.to_string(),
    })
}

/// The Dinas that issues the card: the kabupaten/kota the resident lives in now, which after a
/// move (S18) is not the one in their NIK.
fn issuing_dinas(b: &Biodata) -> String {
    KodeWilayah::parse(&b.desa)
        .ok()
        .and_then(|d| d.lineage().get(1).map(|k| k.digits()))
        .unwrap_or_else(|| b.nik.as_str()[..4].to_owned())
}

/// A card in the print queue with its number: the job, SIAK's biodata, the number taken for
/// it (in a transaction of its own, [`card_register::take_number`]).
async fn numbered(
    db: &DatabaseConnection,
    nik: &str,
) -> Result<(job::Model, Biodata, String), DeskError> {
    let j = job_in(db, nik, JobState::Queued).await?;
    let b = biodata(&j)?;
    let nomor_kartu = card_register::take_number(db, &issuing_dinas(&b), Utc::now()).await?;
    Ok((j, b, nomor_kartu))
}

/// The chip of job `j` with its number, signed with the Dinas key by `s`.
fn chip_of(
    j: &job::Model,
    b: Biodata,
    s: &Session,
    key: &SigningKey,
    nomor_kartu: &str,
) -> Vec<u8> {
    let data = ChipData {
        biodata: b,
        photo_sha256: j.photo_sha256.clone().unwrap_or_default(),
        right_index: j.right_index.clone().unwrap_or_default(),
        left_index: j.left_index.clone().unwrap_or_default(),
        issued_by: s.username.clone(),
        nomor_kartu: nomor_kartu.to_owned(),
    };
    Chip::encode(data, key).to_bytes()
}

/// Moves the card of `j` from `from` to `to` with the step's record; refused, with the state
/// it is in now, when another desk moved it first.
async fn advance(
    db: &DatabaseConnection,
    j: &job::Model,
    (from, to): (JobState, JobState),
    record: job::Advance,
) -> Result<(), DeskError> {
    if job::advance(db, &j.nomor_berkas, &j.nik, (from, to), record).await? {
        return Ok(());
    }
    // This card, by its key: approved since, it is no longer the NIK's open job, and a newer
    // card of the NIK is not the one refused.
    let now = job::Entity::find_by_id((j.nomor_berkas.clone(), j.nik.clone()))
        .one(db)
        .await?
        .ok_or_else(|| DeskError::NoJob(j.nik.clone()))?;
    Err(DeskError::WrongState {
        nik: j.nik.clone(),
        state: now.state,
        needed: from,
    })
}

/// S21.2 "Encode & Print Card": writes the chip, signed with the Dinas key; returns its bytes.
pub async fn encode(
    db: &DatabaseConnection,
    s: &Session,
    key: &SigningKey,
    nik: &str,
) -> Result<Vec<u8>, DeskError> {
    require(s, Role::Operator)?;
    let (j, b, nomor_kartu) = numbered(db, nik).await?;
    let chip = chip_of(&j, b, s, key, &nomor_kartu);
    let record = job::Advance {
        nomor_kartu: Some(nomor_kartu),
        chip: Some(chip.clone()),
        encoded_by: Some(s.username.clone()),
        ..Default::default()
    };
    advance(db, &j, (JobState::Queued, JobState::Encoded), record).await?;
    Ok(chip)
}

/// The card of job `j` as PDF, front and back, made again from what the job and its kept
/// photo and signature hold: the same file each time.
pub async fn card_pdf<C: ConnectionTrait>(db: &C, j: &job::Model) -> Result<Vec<u8>, DeskError> {
    let foto = crate::store::foto::of(db, &j.nomor_berkas, &j.nik).await?;
    Ok(face::pdf(&biodata(j)?, &face::Beside::of(j, foto))?)
}

/// The face of job `j`'s card as printed (PNG), with its number once it has one.
fn face_of(j: &job::Model, b: &Biodata, nomor_kartu: Option<&str>) -> Vec<u8> {
    face::render(
        b,
        j.photo_sha256.as_deref().unwrap_or_default(),
        face::Terbit::of_card(nomor_kartu).as_ref(),
    )
}

/// S21.3: prints the face; returns the PNG (the print preview).
pub async fn print(db: &DatabaseConnection, s: &Session, nik: &str) -> Result<Vec<u8>, DeskError> {
    require(s, Role::Operator)?;
    let j = job_in(db, nik, JobState::Encoded).await?;
    let png = face_of(&j, &biodata(&j)?, j.nomor_kartu.as_deref());
    let record = job::Advance {
        face_png: Some(png.clone()),
        printed_by: Some(s.username.clone()),
        ..Default::default()
    };
    advance(db, &j, (JobState::Encoded, JobState::Printed), record).await?;
    Ok(png)
}

/// S21.4: reads the chip back (`chip_read`: the bytes the card reader returned), checks the
/// Dinas signature, and compares it with the register. A chip that fails is refused and the
/// card stays `PRINTED` (to be made again).
pub async fn verify(
    db: &DatabaseConnection,
    s: &Session,
    key: &SigningKey,
    nik: &str,
    chip_read: &[u8],
) -> Result<(), DeskError> {
    require(s, Role::Operator)?;
    let j = job_in(db, nik, JobState::Printed).await?;
    read_back(chip_read, key, &biodata(&j)?)?;
    let record = job::Advance {
        verified_by: Some(s.username.clone()),
        ..Default::default()
    };
    advance(db, &j, (JobState::Printed, JobState::Verified), record).await
}

/// S21.4's check: the chip read back carries the Dinas signature and the register's biodata.
fn read_back(chip_read: &[u8], key: &SigningKey, register: &Biodata) -> Result<(), DeskError> {
    Chip::read(chip_read, &key.verifying_key())?.matches(register)?;
    Ok(())
}

/// What the operator made of a card in one sitting: the chip as written and the face as
/// printed (the preview).
#[derive(Debug)]
pub struct Produced {
    pub chip: Vec<u8>,
    pub face: Vec<u8>,
}

/// S21.2–S21.4 in one sitting, as one operator at one station does them with the card in
/// hand: the chip encoded and signed, the face printed, the chip read back and checked — one
/// write of the card (after its number is taken), which keeps each step's record (who
/// encoded, printed and verified it; the chip; the face) as the three steps one by one would.
/// The chip is read back from the bytes just written, as [`make_card`] always did. A card not
/// in the queue is refused, and nothing is written; a chip that fails its check leaves the
/// card in the queue (its number taken: the day's numbers skip it).
pub async fn produce(
    db: &DatabaseConnection,
    s: &Session,
    key: &SigningKey,
    nik: &str,
) -> Result<Produced, DeskError> {
    require(s, Role::Operator)?;
    let (j, b, nomor_kartu) = numbered(db, nik).await?;
    let chip = chip_of(&j, b.clone(), s, key, &nomor_kartu);
    let face = face_of(&j, &b, Some(&nomor_kartu));
    read_back(&chip, key, &b)?;
    let record = job::Advance {
        nomor_kartu: Some(nomor_kartu),
        chip: Some(chip.clone()),
        encoded_by: Some(s.username.clone()),
        face_png: Some(face.clone()),
        printed_by: Some(s.username.clone()),
        verified_by: Some(s.username.clone()),
    };
    advance(db, &j, (JobState::Queued, JobState::Verified), record).await?;
    Ok(Produced { chip, face })
}

/// The kepala_seksi checks the card against the berkas and approves it: `CARD_PRINTED`, and
/// the card goes to distribution (S22.1).
pub async fn approve(db: &DatabaseConnection, s: &Session, nik: &str) -> Result<(), DeskError> {
    require(s, Role::KepalaSeksi)?;
    let txn = ktpel_store::begin_write(db).await?;
    let j = job_in(&txn, nik, JobState::Verified).await?;
    if j.slip.is_some() {
        job::Entity::find()
            .filter(job::Column::NomorBerkas.eq(j.nomor_berkas.clone()))
            .lock_exclusive()
            .all(&txn)
            .await?;
    }
    let b = biodata(&j)?;
    let now = Utc::now();
    let kecamatan = KodeWilayah::parse(&b.desa)
        .ok()
        .and_then(|d| d.parent())
        .map(|k| k.to_string())
        .unwrap_or_default();
    let printed_by = j.printed_by.clone().unwrap_or_default();
    let status = CardStatusChanged {
        nik: b.nik.clone(),
        nomor_berkas: j.nomor_berkas.clone(),
        status: StatusKartu::CardPrinted,
        note: format!("dicetak oleh {printed_by}, diperiksa oleh {}", s.username),
        at: now,
    };
    let slip: Option<BerkasHandedOff> = j
        .slip
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| DeskError::Stored {
            nik: nik.to_owned(),
            what: "slip",
            reason: e.to_string(),
        })?;
    let sop = slip
        .as_ref()
        .map(|m| m.sop)
        .unwrap_or(SopId::new(1).expect("S01"));
    let nomor_kartu = j
        .nomor_kartu
        .clone()
        .ok_or_else(|| DeskError::NoCardNumber {
            nik: nik.to_owned(),
        })?;
    card_register::issue(&txn, &nomor_kartu, nik, &j.nomor_berkas, sop, now).await?;
    let printed = CardPrinted {
        nik: b.nik.clone(),
        nomor_berkas: j.nomor_berkas.clone(),
        nama: b.nama.clone(),
        desa: b.desa.clone(),
        printed_by: printed_by.clone(),
        approved_by: s.username.clone(),
        at: now,
        nomor_kartu,
        at_dinas_desk: Sop::get(sop).collection() == Collection::DinasDesk,
    };
    let key = |subject| RoutingKey::regional(subject, &kecamatan);
    let (status_key, printed_key) = match (key(CARD_STATUS), key(PRINTED)) {
        (Ok(a), Ok(b)) => (a, b),
        _ => {
            return Err(DeskError::NotARegion {
                desa: b.desa.clone(),
            });
        }
    };
    let nomor = j.nomor_berkas.clone();
    outbox::enqueue(&txn, &Outgoing::new(&status, status_key, &nomor, &nomor)?).await?;
    outbox::enqueue(&txn, &Outgoing::new(&printed, printed_key, &nomor, &nomor)?).await?;
    let verified_at = j.updated_at;
    let nomor_berkas = j.nomor_berkas.clone();
    let mut a = j.into_active_model();
    a.approved_by = Set(Some(s.username.clone()));
    a.state = Set(JobState::Approved);
    a.updated_at = Set(now);
    a.update(&txn).await?;
    // The berkas goes on with its last card: a relocating family's once every member's card
    // is approved (the berkas's jobs are locked, so two desks approving its last two cards at
    // once cannot both think the other is still open).
    if let Some(slip) = slip {
        let open = job::Entity::find()
            .filter(job::Column::NomorBerkas.eq(nomor_berkas))
            .filter(job::Column::State.ne(JobState::Approved))
            .count(&txn)
            .await?;
        if open == 0 {
            let handed_on = hand_on(&slip, &printed_by, verified_at)?;
            outbox::enqueue(&txn, &handed_on).await?;
        }
    }
    // A desk command's process has no relay: the service's relay hears of it at commit.
    outbox::notify(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// A replacement's slip from the printing desk to the next (the Dinas ppp), stamped by the
/// operator who printed and verified the card (Sxx.4 / Sxx.3) when they did. The
/// kepala_seksi's check is the step after, on the timeline as `CARD_PRINTED`.
fn hand_on(
    slip: &BerkasHandedOff,
    printed_by: &str,
    verified_at: chrono::DateTime<Utc>,
) -> Result<ktpel_bus::Outgoing, DeskError> {
    let stuck = |reason: String| DeskError::NoNextHop {
        nomor_berkas: slip.nomor_berkas.clone(),
        reason,
    };
    let route = Sop::get(slip.sop)
        .route()
        .ok_or_else(|| stuck(format!("{} has no route", slip.sop)))?;
    let (Some(here), Some(next)) = (route.get(slip.hop), route.get(slip.hop + 1)) else {
        return Err(stuck(format!("{} has no hop after {}", slip.sop, slip.hop)));
    };
    let (_, message) = slip
        .onward(here, next, printed_by, verified_at)
        .map_err(|e| stuck(e.to_string()))?;
    Ok(message)
}

/// How a desk takes a card through S21.2–S21.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sitting {
    /// One operator with the card in hand: [`produce`], one write of the card.
    Together,
    /// Each step on its own ([`encode`], [`print`], [`verify`]), as desks whose station
    /// encodes apart from the printer do.
    StepByStep,
}

/// S21.2–S21.4 and the check for one card, start to finish: the operator encodes, prints and
/// verifies (reading back the chip just written), the kepala_seksi approves. What a desk
/// with one card in hand does; it stops at the first refusal, leaving the card where it got.
pub async fn make_card(
    db: &DatabaseConnection,
    key: &SigningKey,
    (operator, kepala_seksi): (&Session, &Session),
    nik: &str,
    sitting: Sitting,
) -> Result<(), DeskError> {
    // The card goes through the steps it has not been through yet, so a desk that lost the
    // database half-way carries on from where it was.
    let mut job = open_job(db, nik).await?;
    loop {
        match job.state {
            JobState::Queued if sitting == Sitting::Together => {
                // Made and verified: nothing to read again before the approval.
                produce(db, operator, key, nik).await?;
                return approve(db, kepala_seksi, nik).await;
            }
            JobState::Queued => drop(encode(db, operator, key, nik).await?),
            JobState::Encoded => drop(print(db, operator, nik).await?),
            JobState::Printed => {
                let chip = job.chip.clone().ok_or(DeskError::NoCardNumber {
                    nik: nik.to_owned(),
                })?;
                verify(db, operator, key, nik, &chip).await?;
            }
            JobState::Verified => return approve(db, kepala_seksi, nik).await,
            JobState::Approved => return Ok(()),
            JobState::Waiting => {
                return Err(DeskError::WrongState {
                    nik: nik.to_owned(),
                    state: JobState::Waiting,
                    needed: JobState::Queued,
                });
            }
        }
        job = open_job(db, nik).await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job_with(biodata: Option<serde_json::Value>) -> job::Model {
        job::Model {
            nomor_berkas: "327301-20261206-0001".into(),
            nik: "3273014107900001".into(),
            photo_sha256: None,
            right_index: None,
            left_index: None,
            print_ready: true,
            biodata,
            state: JobState::Queued,
            chip: None,
            encoded_by: None,
            printed_by: None,
            verified_by: None,
            approved_by: None,
            updated_at: Utc::now(),
            nomor_kartu: None,
            slip: None,
        }
    }

    #[test]
    fn unreadable_stored_biodata_is_named_as_such() {
        let err = biodata(&job_with(Some(serde_json::json!({"nik": 7})))).unwrap_err();
        assert!(
            matches!(&err, DeskError::Stored { what: "biodata", nik, .. } if nik == "3273014107900001"),
            "{err}"
        );
        assert!(matches!(
            biodata(&job_with(None)).unwrap_err(),
            DeskError::NoJob(_)
        ));
    }

    #[test]
    fn a_slip_at_its_last_hop_cannot_be_handed_on() {
        let route = Sop::get(SopId::new(6).unwrap()).route().unwrap();
        let slip = BerkasHandedOff {
            sidik_jari: Vec::new(),
            nomor_berkas: "327301-20261206-0002".into(),
            sop: SopId::new(6).unwrap(),
            nik: None,
            nama: "Siti".into(),
            kecamatan: "32.73.01".into(),
            hop: route.len() - 1,
            stamps: Vec::new(),
            bukti_perekaman: None,
            biodata: None,
            no_kk: None,
            perubahan: None,
            foto_sha256: None,
            pas_foto: None,
            tanda_tangan: None,
            kedatangan: None,
            anggota: Vec::new(),
        };
        let err = hand_on(&slip, "op", Utc::now()).unwrap_err();
        assert!(
            matches!(&err, DeskError::NoNextHop { nomor_berkas, .. } if nomor_berkas == "327301-20261206-0002"),
            "{err}"
        );
    }
}
