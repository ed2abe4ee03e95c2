//! What card-print hears: the enrollment (photo digest, index fingers), the Pusat Data's
//! verdict, and SIAK's biodata — a job enters the print queue when it has all three; a
//! replacement's berkas at the printing desk (section C), whose job reuses the enrollment on
//! record; a card handed over (the register revokes the one it replaces) or reported lost.

use crate::{
    card_register, desk,
    identity::{self, OnRecord},
    store::{
        foto,
        job::{self, JobState},
        rekaman,
    },
};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Utc;
use ktpel_bus::{Context, HandlerError, Outbox, Outgoing, Router, RoutingKey, Scope};
use ktpel_contract::{
    berkas::{BerkasHandedOff, PRINTING_DESK},
    enrollment::{
        CARD_STATUS, CREATED, CardReportedLost, CardStatusChanged, EnrollmentCreated, Finger, LOST,
        VERSION_WITHOUT_FORMAT,
    },
    registry::{
        ANSWER_TO_CARD_PRINT, KeluargaPindah, LOOKUP, PINDAH_DATANG, PINDAH_KELUAR, ResidentAnswer,
        ResidentLookup,
    },
};
use ktpel_domain::{
    Nik, StatusKartu,
    sop::{Desk, Sop},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, TryIntoModel,
};

/// What card-print's handlers share: the score a replacement's pressed finger must reach
/// against the record (the signing key is the desks', not the bus's).
pub struct CardPrint {
    pub verify_score: u32,
}

type Ctx<'a> = Context<'a, CardPrint>;

/// Everything card-print takes, for the region it serves.
pub fn router(region: Option<&str>, verify_score: u32) -> Router<CardPrint> {
    Router::new(crate::SERVICE, CardPrint { verify_score }, region)
        // S21.1: the enrollment (photo digest, index fingers) of a card to print.
        .route::<EnrollmentCreated>(CREATED, Scope::Region, enrollment)
        .route_version::<EnrollmentCreated>(
            VERSION_WITHOUT_FORMAT,
            CREATED,
            Scope::Region,
            enrollment,
        )
        // S21.1: PRR puts a first card in line; CARD_ACTIVATED tells the register (S22.4).
        .route::<CardStatusChanged>(CARD_STATUS, Scope::Region, status)
        // S21.1: SIAK's biodata, asked for at PRR, whatever region answers.
        .route::<ResidentAnswer>(ANSWER_TO_CARD_PRINT, Scope::Any, answer)
        // Section C: a replacement's berkas at the printing desk.
        .route::<BerkasHandedOff>(PRINTING_DESK, Scope::Region, replacement)
        // S11: a lost card reported is revoked in the register.
        .route::<CardReportedLost>(LOST, Scope::Region, lost)
        // S18: a family leaving (their cards revoked), a family arriving (their enrollments).
        .route::<KeluargaPindah>(PINDAH_KELUAR, Scope::Region, moving_away)
        .route::<KeluargaPindah>(PINDAH_DATANG, Scope::Region, moving_in)
}

/// S11: the lost card is revoked in the register.
async fn lost(ctx: &Ctx<'_>, l: CardReportedLost) -> Result<(), HandlerError> {
    card_register::lost(ctx.txn, l.nik.as_str(), &l.nomor_berkas, l.at).await?;
    Ok(())
}

/// S18, arriving (`registry.pindah_datang`): each member's enrollment on record is kept, for
/// their new cards.
async fn moving_in(ctx: &Ctx<'_>, m: KeluargaPindah) -> Result<(), HandlerError> {
    for member in &m.anggota {
        let Some(r) = &member.rekaman else { continue };
        rekaman::Entity::insert(rekaman::ActiveModel {
            nik: Set(member.biodata.nik.to_string()),
            photo_sha256: Set(r.photo_sha256.clone()),
            right_index: Set(r.right_index.clone()),
            left_index: Set(r.left_index.clone()),
            nomor_skp: Set(m.nomor_skp.clone()),
            pas_foto: Set(r.pas_foto.clone()),
            tanda_tangan: Set(r.tanda_tangan.clone()),
        })
        .on_conflict_do_nothing_on([rekaman::Column::Nik])
        .exec_without_returning(ctx.txn)
        .await?;
    }
    Ok(())
}

/// S18, leaving this Dinas (`registry.pindah_keluar`, its own SIAK's): the family's cards are
/// revoked, handed in at the destination.
async fn moving_away(ctx: &Ctx<'_>, m: KeluargaPindah) -> Result<(), HandlerError> {
    for member in &m.anggota {
        card_register::moved_away(
            ctx.txn,
            member.biodata.nik.as_str(),
            &m.nomor_skp,
            &m.ke,
            m.at,
        )
        .await?;
    }
    Ok(())
}

/// The job of `nik` in berkas `nomor`, created empty if it is new.
async fn job_of<C: ConnectionTrait>(
    txn: &C,
    nik: &Nik,
    nomor: &str,
) -> Result<job::Model, HandlerError> {
    if let Some(j) = job::Entity::find_by_id((nomor.to_owned(), nik.to_string()))
        .one(txn)
        .await?
    {
        return Ok(j);
    }
    Ok(blank_job(nik, nomor).insert(txn).await?)
}

/// A job with nothing known yet but whose card it is.
fn blank_job(nik: &Nik, nomor: &str) -> job::ActiveModel {
    job::ActiveModel {
        nik: Set(nik.to_string()),
        nomor_berkas: Set(nomor.to_owned()),
        photo_sha256: Set(None),
        right_index: Set(None),
        left_index: Set(None),
        print_ready: Set(false),
        biodata: Set(None),
        state: Set(JobState::Waiting),
        chip: Set(None),
        encoded_by: Set(None),
        printed_by: Set(None),
        verified_by: Set(None),
        approved_by: Set(None),
        updated_at: Set(Utc::now()),
        nomor_kartu: Set(None),
        slip: Set(None),
    }
}

/// Saves `a`, in the print queue if it now has everything: the piece that completes a job
/// queues it in the same statement.
async fn save<C: ConnectionTrait>(txn: &C, mut a: job::ActiveModel) -> Result<(), HandlerError> {
    if let Ok(j) = a.clone().try_into_model()
        && j.state == JobState::Waiting
        && desk::ready(&j)
    {
        a.state = Set(JobState::Queued);
    }
    a.update(txn).await?;
    Ok(())
}

async fn enrollment(ctx: &Ctx<'_>, e: EnrollmentCreated) -> Result<(), HandlerError> {
    let txn = ctx.txn;
    let j = job_of(txn, &e.nik, &e.nomor_berkas).await?;
    if j.state == JobState::Approved {
        return Ok(()); // a copy of an enrollment whose card was made
    }
    let finger = |f: Finger| {
        e.fingerprints
            .iter()
            .find(|t| t.finger == f)
            .map(|t| STANDARD.encode(&t.template.data))
    };
    foto::keep(
        txn,
        &e.nomor_berkas,
        e.nik.as_str(),
        e.pas_foto,
        e.tanda_tangan,
    )
    .await?;
    let mut a = j.into_active_model();
    a.photo_sha256 = Set(Some(e.photo_sha256));
    a.right_index = Set(finger(Finger::RightIndex));
    a.left_index = Set(finger(Finger::LeftIndex));
    a.updated_at = Set(Utc::now());
    save(txn, a).await
}

/// PRR puts a first card in line and asks SIAK for the biodata; `CARD_ACTIVATED` tells the
/// register the card is in the resident's hands. Other statuses are not ours.
async fn status(ctx: &Ctx<'_>, s: CardStatusChanged) -> Result<(), HandlerError> {
    let txn = ctx.txn;
    match s.status {
        StatusKartu::Prr => {}
        StatusKartu::CardActivated => {
            card_register::activated(txn, s.nik.as_str(), &s.nomor_berkas, s.at).await?;
            return Ok(());
        }
        _ => return Ok(()),
    }
    let j = job_of(txn, &s.nik, &s.nomor_berkas).await?;
    if j.print_ready {
        // A copy, or the PRR this service announced for a replacement.
        return Ok(());
    }
    let mut a = j.into_active_model();
    a.print_ready = Set(true);
    a.updated_at = Set(Utc::now());
    save(txn, a).await?;
    // Asked under the region the status came for (the berkas's kecamatan, in this Dinas's
    // kabupaten/kota, where its register answers) — not the NIK's, which may be another
    // kabupaten's for a resident who moved in.
    let routing_key = ctx.routing_key();
    let region = RoutingKey::region_of(routing_key).ok_or_else(|| {
        HandlerError::permanent(format!("the status's key `{routing_key}` names no region"))
    })?;
    ask_siak(ctx.outbox, &s.nik, &s.nomor_berkas, &region.to_string())
}

/// Asks SIAK for the biodata of the card (the chip and the face are made from it).
fn ask_siak(
    outbox: &Outbox,
    nik: &Nik,
    nomor_berkas: &str,
    region: &str,
) -> Result<(), HandlerError> {
    let lookup = ResidentLookup {
        request_id: uuid::Uuid::now_v7(),
        nik: nik.clone(),
        reply_subject: ANSWER_TO_CARD_PRINT.into(),
        reply_region: None,
    };
    let key =
        RoutingKey::regional(LOOKUP, region).map_err(|e| HandlerError::permanent(e.to_string()))?;
    outbox.push(Outgoing::new(&lookup, key, nomor_berkas, nomor_berkas)?);
    Ok(())
}

/// SIAK's biodata for the jobs of the NIK that wait for it.
async fn answer(ctx: &Ctx<'_>, r: ResidentAnswer) -> Result<(), HandlerError> {
    let txn = ctx.txn;
    let Some(biodata) = &r.resident else {
        return Err(HandlerError::permanent(format!(
            "SIAK does not know NIK {} any more: the card cannot be printed",
            r.nik
        )));
    };
    let waiting = job::Entity::find()
        .filter(job::Column::Nik.eq(r.nik.to_string()))
        .filter(job::Column::State.eq(JobState::Waiting))
        .all(txn)
        .await?;
    for j in waiting {
        let mut a = j.into_active_model();
        a.biodata = Set(Some(
            serde_json::to_value(biodata).map_err(|e| HandlerError::permanent(e.to_string()))?,
        ));
        a.updated_at = Set(Utc::now());
        save(txn, a).await?;
    }
    Ok(())
}

/// A berkas of section C at the printing desk (a replacement's Sxx.4 / Sxx.3; a relocation's,
/// with a card for every member SIAK moved who had one): the enrollment on record stands, so
/// each card is print ready at once (`CARD_ACTIVATED → PRR`); the biodata is asked of SIAK
/// after its work on the berkas (a correction, a new address, is on the card).
async fn replacement(ctx: &Ctx<'_>, m: BerkasHandedOff) -> Result<(), HandlerError> {
    let procedure = Sop::get(m.sop);
    let here = procedure
        .route()
        .and_then(|r| r.get(m.hop))
        .filter(|h| h.desk == Desk::Cetak)
        .ok_or_else(|| {
            HandlerError::permanent(format!(
                "berkas {}: hop {} of {} is not the printing desk",
                m.nomor_berkas, m.hop, m.sop
            ))
        })?;
    let members = if m.anggota.is_empty() {
        vec![m.nik.clone().ok_or_else(|| {
            HandlerError::permanent(format!(
                "berkas {} reached printing without a NIK",
                m.nomor_berkas
            ))
        })?]
    } else {
        m.anggota.clone()
    };
    for nik in &members {
        open_card(ctx, &m, here, nik).await?;
    }
    Ok(())
}

/// One card of the berkas `m` for `nik`, unless it is open already (a copy of the slip).
async fn open_card(
    ctx: &Ctx<'_>,
    m: &BerkasHandedOff,
    here: &ktpel_domain::sop::Hop,
    nik: &Nik,
) -> Result<(), HandlerError> {
    let txn = ctx.txn;
    if job::Entity::find_by_id((m.nomor_berkas.clone(), nik.to_string()))
        .one(txn)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let earlier = job::Entity::find()
        .filter(job::Column::Nik.eq(nik.to_string()))
        .order_by_desc(job::Column::UpdatedAt)
        .all(txn)
        .await?;
    if let Some(open) = earlier.iter().find(|j| j.state != JobState::Approved) {
        return Err(HandlerError::permanent(format!(
            "berkas {}: NIK {nik} already has a card in production (berkas {}, {}): one card at a time",
            m.nomor_berkas, open.nomor_berkas, open.state
        )));
    }
    // The enrollment on record: the last card made here, or the one the Pusat Data handed on
    // with a family moving in (S18).
    let enrolled = match earlier.iter().find(|j| j.photo_sha256.is_some()) {
        Some(j) => (
            j.photo_sha256.clone(),
            j.right_index.clone(),
            j.left_index.clone(),
            foto::of(txn, &j.nomor_berkas, &j.nik).await?,
        ),
        None => match rekaman::Entity::find_by_id(nik.to_string())
            .one(txn)
            .await?
        {
            Some(r) => (
                Some(r.photo_sha256),
                Some(r.right_index),
                Some(r.left_index),
                Some(foto::Model {
                    nomor_berkas: r.nomor_skp,
                    nik: r.nik,
                    pas_foto: r.pas_foto,
                    tanda_tangan: r.tanda_tangan,
                }),
            ),
            None => {
                return Err(HandlerError::permanent(format!(
                    "berkas {}: no enrollment of NIK {nik} on record at this Dinas's printing: its first card was not made here",
                    m.nomor_berkas
                )));
            }
        },
    };
    let (photo_on_record, right_index, left_index, foto_on_record) = enrolled;
    // S06–S14: the card is the person on record's: the fingers pressed at the counter are
    // verified 1:1 against the enrollment (a relocation's cards are the family SIAK moved).
    let procedure = Sop::get(m.sop);
    let verified = match procedure.replacement() {
        Some(_) => {
            let on_record = OnRecord {
                right_index: right_index.as_deref(),
                left_index: left_index.as_deref(),
            };
            let verified = identity::verify(on_record, &m.sidik_jari, ctx.service.verify_score)
                .map_err(|e| {
                    HandlerError::permanent(format!(
                        "berkas {}, NIK {nik}: {e} ({})",
                        m.nomor_berkas,
                        e.pesan()
                    ))
                })?;
            Some(verified)
        }
        None => None,
    };
    let now = Utc::now();
    // S08, S10, S12: the photo and signature re-captured at the Dinas's station (the
    // applicant's); else those on record.
    let applicant = m.nik.as_ref() == Some(nik);
    let photo = match &m.foto_sha256 {
        Some(again) if applicant => Some(again.clone()),
        _ => photo_on_record,
    };
    let (on_record_foto, on_record_ttd) = foto_on_record
        .map(|f| (f.pas_foto, f.tanda_tangan))
        .unwrap_or_default();
    let again = |taken: &Option<Vec<u8>>| taken.clone().filter(|_| applicant);
    foto::keep(
        txn,
        &m.nomor_berkas,
        nik.as_str(),
        again(&m.pas_foto).or(on_record_foto),
        again(&m.tanda_tangan).or(on_record_ttd),
    )
    .await?;
    // The slip handed on after approval: without the images and fingers, which stay here.
    let slip = BerkasHandedOff {
        pas_foto: None,
        tanda_tangan: None,
        sidik_jari: Vec::new(),
        ..m.clone()
    };
    job::ActiveModel {
        photo_sha256: Set(photo),
        right_index: Set(right_index),
        left_index: Set(left_index),
        print_ready: Set(true),
        updated_at: Set(now),
        slip: Set(Some(
            serde_json::to_value(&slip).map_err(|e| HandlerError::permanent(e.to_string()))?,
        )),
        ..blank_job(nik, &m.nomor_berkas)
    }
    .insert(txn)
    .await?;
    let why = match procedure.replacement() {
        Some(r) => format!("KTP-el pengganti ({}, {})", m.sop, r.reason),
        None => format!("KTP-el baru untuk alamat baru ({}, perpindahan)", m.sop),
    };
    let prr = CardStatusChanged {
        nik: nik.clone(),
        nomor_berkas: m.nomor_berkas.clone(),
        status: StatusKartu::Prr,
        note: match &verified {
            Some(v) => format!(
                "{why} di {here}: {}; rekaman perekaman yang ada dipakai, siap cetak",
                v.catatan()
            ),
            None => format!("{why} di {here}: rekaman perekaman yang ada dipakai, siap cetak"),
        },
        at: now,
    };
    let key = RoutingKey::regional(CARD_STATUS, &m.kecamatan)
        .map_err(|e| HandlerError::permanent(e.to_string()))?;
    ctx.outbox
        .push(Outgoing::new(&prr, key, &m.nomor_berkas, &m.nomor_berkas)?);
    ask_siak(ctx.outbox, nik, &m.nomor_berkas, &m.kecamatan)
}
