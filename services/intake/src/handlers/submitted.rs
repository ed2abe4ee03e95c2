//! `berkas.submitted`: S01.1–S01.3 at the ppp desk.

use crate::store::pending;
use crate::store::{berkas, buku_harian, timeline};
use chrono::Utc;
use ktpel_bus::{Context, HandlerError, Outbox, Outgoing, RoutingKey};
use ktpel_contract::berkas::{
    ACCEPTED, BerkasAccepted, BerkasHandedOff, BerkasRefused, BerkasSubmitted, REFUSED, Stamp,
    handoff_subject,
};
use ktpel_contract::enrollment::{CardReportedLost, LOST};
use ktpel_contract::registry::{ANSWER_TO_INTAKE, FormulirBiodata, LOOKUP, ResidentLookup};
use ktpel_domain::{
    StatusKartu,
    sop::{self, Hop},
    wilayah::KodeWilayah,
};
use ktpel_site::DesksAt;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

/// S01.1–S01.2: checks the berkas against the checklist and asks SIAK about the NIK, all in
/// the consumer's transaction; a berkas that fails the checklist is refused at once and
/// nothing of it is stored.
pub async fn handle(
    ctx: &Context<'_, super::Intake>,
    m: BerkasSubmitted,
) -> Result<(), HandlerError> {
    let (txn, outbox) = (ctx.txn, ctx.outbox);
    // The desk's own code is configuration, not the resident's input: a bad one is a
    // misconfigured desk, and no retry will fix it.
    let kecamatan = KodeWilayah::parse(&m.kecamatan)
        .map_err(|e| HandlerError::permanent(format!("the desk's kecamatan code: {e}")))?;

    // A desk that retries over a poor link sends the same submission again — perhaps because
    // the answer was lost with its connection: tell it again, change nothing.
    if let Some(b) = berkas::Entity::find()
        .filter(berkas::Column::SubmissionId.eq(m.submission_id))
        .one(txn)
        .await?
    {
        tracing::info!(submission = %m.submission_id, nomor_berkas = %b.nomor_berkas, "submission seen before; answered again");
        let next = sop::Sop::get(m.sop)
            .route()
            .and_then(|r| r.get(1))
            .map(|h| h.to_string())
            .unwrap_or_default();
        let accepted = BerkasAccepted {
            submission_id: m.submission_id,
            nomor_berkas: b.nomor_berkas.clone(),
            sop: m.sop,
            nik: m.nik.clone(),
            next_hop: next,
        };
        let msg = Outgoing::new(
            &accepted,
            key(ACCEPTED, &b.kecamatan)?,
            &b.nomor_berkas,
            &b.nomor_berkas,
        )?;
        outbox.push(msg);
        return Ok(());
    }

    if pending::Entity::find()
        .filter(pending::Column::SubmissionId.eq(m.submission_id))
        .one(txn)
        .await?
        .is_some()
    {
        tracing::info!(submission = %m.submission_id, "submission already waiting for SIAK");
        return Ok(());
    }

    let problems = problems(&m, &ctx.service.counters, &kecamatan);
    if !problems.is_empty() {
        return refuse(outbox, &m, &kecamatan, problems);
    }
    if sop::Sop::get(m.sop).new_resident() {
        // S04.2/S05.2: a resident not yet in SIAK: the Formulir Biodata goes with the berkas
        // to SIAK (the Dinas's database; S04 from the kecamatan's operator, S05 through the
        // Dinas's counter), which gives the NIK.
        return accept(txn, outbox, &m, &m.nama, StatusKartu::BelumRekam).await;
    }
    let Some(nik) = &m.nik else {
        // `problems` refuses a registered resident's berkas without a NIK.
        return Err(HandlerError::permanent(
            "a berkas without a NIK passed the checks",
        ));
    };

    // S01.2 "verifies and validates": is the NIK in the population register? The berkas
    // waits in `intake_pending` until SIAK answers (see `registry_answer`).
    let request_id = uuid::Uuid::now_v7();
    pending::Entity::insert(pending::ActiveModel {
        request_id: Set(request_id),
        submission_id: Set(m.submission_id),
        submission: Set(
            serde_json::to_value(&m).map_err(|e| HandlerError::permanent(e.to_string()))?
        ),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(txn)
    .await?;
    let lookup = ResidentLookup {
        request_id,
        nik: nik.clone(),
        reply_subject: ANSWER_TO_INTAKE.to_owned(),
        reply_region: Some(kecamatan.to_string()),
    };
    let id = m.submission_id.to_string();
    let msg = Outgoing::new(&lookup, key(LOOKUP, &kecamatan.to_string())?, &id, &id)?;
    outbox.push(msg);
    Ok(())
}

/// Every reason the counter must refuse berkas `m` entered under `kecamatan` at `counters`,
/// checked before anything is stored or asked of SIAK (S01.1–S01.2): the procedure's place
/// and documents, its forms. Empty: the berkas goes on. The web counter shows the same
/// reasons next to the fields before it sends the berkas.
pub fn problems(m: &BerkasSubmitted, counters: &DesksAt, kecamatan: &KodeWilayah) -> Vec<String> {
    let procedure = sop::Sop::get(m.sop);
    if !matches!(procedure.route(), Some(route) if route.len() >= 2) {
        return vec![format!("{} belum dapat dilayani sistem ini", m.sop)];
    }
    let mut problems = Vec::new();
    let first = procedure.route().and_then(|r| r.first()).map(|h| h.place);
    if let Some(place) = first.filter(|p| !counters.runs(*p)) {
        problems.push(format!(
            "{} dilayani di loket {place}, bukan di sini ({})",
            m.sop,
            procedure.judul()
        ));
    }
    if let Err(missing) = procedure.checklist().check(&m.dokumen) {
        problems.push(missing.pesan());
    }
    problems.extend(perubahan_problems(m));
    problems.extend(kedatangan_problems(m, kecamatan));
    problems.extend(sidik_jari_problems(m));
    if procedure.new_resident() {
        problems.extend(new_resident_problems(m, kecamatan));
    } else if m.nik.is_none() {
        problems.push(format!(
            "{} untuk penduduk yang sudah terdaftar di SIAK: isi NIK (penduduk yang belum terdaftar mengajukan S05)",
            m.sop
        ));
    }
    problems
}

/// What is wrong with the data change a berkas carries: S06/S07 and S13/S14 need one (what
/// SIAK is to correct or change); no other procedure changes SIAK's data.
fn perubahan_problems(m: &BerkasSubmitted) -> Vec<String> {
    use ktpel_domain::sop::SiakWork;
    let work = sop::Sop::get(m.sop).siak_work();
    let change = m.perubahan.as_ref().filter(|p| !p.is_empty());
    match (work, change) {
        (Some(SiakWork::Correct | SiakWork::Change), None) => vec![format!(
            "{} mengubah data penduduk di SIAK: isi apa yang dikoreksi atau diubah (nama, tempat lahir, alamat, desa/kelurahan)",
            m.sop
        )],
        (Some(SiakWork::Correct | SiakWork::Change), Some(p)) => {
            let mut problems = Vec::new();
            if [&p.nama, &p.tempat_lahir, &p.alamat]
                .into_iter()
                .any(|v| v.as_deref().is_some_and(|v| v.trim().is_empty()))
            {
                problems.push("elemen data tidak boleh diubah menjadi kosong".to_owned());
            }
            if let Some(desa) = &p.desa
                && let Err(e) = KodeWilayah::parse(desa)
            {
                problems.push(format!("desa/kelurahan baru: {}", e.pesan()));
            }
            for (element, needed) in p.dokumen_needed() {
                if !m.dokumen.contains(&needed) {
                    problems.push(format!(
                        "perubahan {element} memerlukan dokumen pendukung: {}",
                        needed.label()
                    ));
                }
            }
            problems
        }
        (_, Some(_)) => vec![format!(
            "{} tidak mengubah data di SIAK: koreksi data adalah S06/S07, perubahan elemen data S13/S14",
            m.sop
        )],
        (_, None) => Vec::new(),
    }
}

/// What is wrong with the fingers pressed at the counter: a replacement card (S06–S14) is
/// made only for the person on record, so the resident presses an index finger (both, where
/// both are there) and the printing desk verifies it 1:1 against the enrollment. Each must be
/// an ISO/IEC 19794-2 record of the index finger it is filed under. No other procedure takes
/// fingers at the counter: a first card's are captured at the station (S01.4).
fn sidik_jari_problems(m: &BerkasSubmitted) -> Vec<String> {
    use ktpel_contract::enrollment::{Finger, TemplateFormat};
    let replacement = sop::Sop::get(m.sop).replacement().is_some();
    if !replacement {
        return match m.sidik_jari.is_empty() {
            true => Vec::new(),
            false => vec![format!(
                "{} tidak memerlukan sidik jari di loket: hanya KTP-el pengganti (S06–S14) yang diverifikasi 1:1",
                m.sop
            )],
        };
    }
    let mut problems = Vec::new();
    let index = |f: Finger| matches!(f, Finger::RightIndex | Finger::LeftIndex);
    if !m.sidik_jari.iter().any(|f| index(f.finger)) {
        problems.push(format!(
            "{} membuat KTP-el pengganti untuk pemilik rekaman: pindai sidik jari telunjuk penduduk, untuk verifikasi 1:1 dengan rekaman",
            m.sop
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for f in &m.sidik_jari {
        if !index(f.finger) {
            problems.push(format!(
                "sidik jari {:?}: yang dipindai hanya jari telunjuk",
                f.finger
            ));
        } else if !seen.insert(f.finger) {
            problems.push(format!("sidik jari {:?} dipindai dua kali", f.finger));
        } else if f.template.format != TemplateFormat::Iso19794_2 {
            problems.push(format!(
                "sidik jari {:?}: bukan rekaman ISO/IEC 19794-2, pindai ulang",
                f.finger
            ));
        } else if let Err(e) =
            ktpel_biometrics::iso::decode_as(&f.template.data, f.finger.iso_position())
        {
            problems.push(format!(
                "sidik jari {:?} tidak terbaca ({e}), pindai ulang",
                f.finger
            ));
        }
    }
    problems
}

/// What is wrong with the arrival form: a relocation (S15–S18) needs one, for a desa of the
/// kecamatan the berkas is entered under (where the family arrives); nothing else takes one.
fn kedatangan_problems(m: &BerkasSubmitted, kecamatan: &KodeWilayah) -> Vec<String> {
    let relocation = sop::Sop::get(m.sop).relocation();
    match (&m.kedatangan, relocation) {
        (None, true) => vec![format!(
            "{} memindahkan keluarga: isi formulir kedatangan (desa/kelurahan dan alamat tujuan)",
            m.sop
        )],
        (Some(_), false) => vec![format!(
            "{} bukan perpindahan: formulir kedatangan hanya untuk S15–S18",
            m.sop
        )],
        (Some(k), true) => {
            let mut problems = Vec::new();
            match KodeWilayah::parse(&k.desa) {
                Ok(desa) if desa.parent().as_ref() == Some(kecamatan) => {}
                Ok(desa) => problems.push(format!(
                    "desa/kelurahan {desa} tidak berada di kecamatan {kecamatan}: berkas diajukan di kecamatan tujuan"
                )),
                Err(e) => problems.push(format!(
                    "desa/kelurahan pada formulir kedatangan: {}",
                    e.pesan()
                )),
            }
            if k.alamat.trim().is_empty() {
                problems.push("formulir kedatangan belum berisi alamat".to_owned());
            }
            problems
        }
        (None, false) => Vec::new(),
    }
}

/// Why a new resident's berkas cannot go on (S04.2, S05.2): every reason at once.
fn new_resident_problems(m: &BerkasSubmitted, kecamatan: &KodeWilayah) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(nik) = &m.nik {
        problems.push(format!(
            "{} untuk penduduk yang belum terdaftar, yang mendapat NIK dari SIAK; NIK {nik} diisi: penduduk yang sudah terdaftar mengajukan S01",
            m.sop
        ));
    }
    let Some(b) = &m.biodata else {
        problems.push(format!(
            "{} memerlukan Formulir Biodata Penduduk (nama, jenis kelamin, tempat dan tanggal lahir, alamat, desa/kelurahan)",
            m.sop
        ));
        return problems;
    };
    problems.extend(biodata_problems(b, kecamatan));
    problems
}

/// What is wrong with a Formulir Biodata entered at `kecamatan`'s desk.
fn biodata_problems(b: &FormulirBiodata, kecamatan: &KodeWilayah) -> Vec<String> {
    let mut problems = Vec::new();
    if b.nama.trim().is_empty() {
        problems.push("Formulir Biodata belum berisi nama".to_owned());
    }
    if b.tempat_lahir.trim().is_empty() || b.alamat.trim().is_empty() {
        problems.push("Formulir Biodata memerlukan tempat lahir dan alamat".to_owned());
    }
    match KodeWilayah::parse(&b.desa) {
        Ok(desa) if desa.parent().as_ref() == Some(kecamatan) => {}
        Ok(desa) => problems.push(format!(
            "desa/kelurahan {desa} tidak berada di kecamatan {kecamatan}: penduduk mengajukan di kecamatan tempat tinggalnya"
        )),
        Err(e) => problems.push(format!("desa/kelurahan pada Formulir Biodata: {}", e.pesan())),
    }
    if b.tanggal_lahir > Utc::now().date_naive() {
        problems.push(format!("tanggal lahir {} di masa depan", b.tanggal_lahir));
    }
    if let Some(kk) = &b.no_kk
        && !(kk.len() == 16 && kk.bytes().all(|c| c.is_ascii_digit()))
    {
        problems.push(format!("nomor KK `{kk}` bukan 16 angka"));
    }
    problems
}

/// S01.2–S01.3 once SIAK knows the resident (or S05.2 for a new one): buku harian, number,
/// hand-off to the next desk. Public for the tests that take numbers from several
/// transactions at once, as the consumer's partitions do.
pub async fn accept<C: ConnectionTrait>(
    txn: &C,
    outbox: &Outbox,
    m: &BerkasSubmitted,
    nama: &str,
    status: StatusKartu,
) -> Result<(), HandlerError> {
    let kecamatan = KodeWilayah::parse(&m.kecamatan)
        .map_err(|e| HandlerError::permanent(format!("the desk's kecamatan code: {e}")))?;
    let route = sop::Sop::get(m.sop)
        .route()
        .filter(|r| r.len() >= 2)
        .ok_or_else(|| HandlerError::permanent(format!("{} lost its route", m.sop)))?;

    // S01.2: the ppp writes the buku harian; the number is the salinan permohonan.
    let now = Utc::now();
    let desk_hop: &Hop = &route[0];
    let nomor = nomor_berkas(txn, &kecamatan, desk_hop.place, now).await?;
    let next: &Hop = &route[1];
    berkas::Entity::insert(berkas::ActiveModel {
        nomor_berkas: Set(nomor.clone()),
        submission_id: Set(m.submission_id),
        sop: Set(m.sop),
        // Empty until SIAK gives a new resident a NIK (S05.4).
        nik: Set(m.nik.as_ref().map(|n| n.to_string()).unwrap_or_default()),
        nama: Set(nama.to_owned()),
        kecamatan: Set(kecamatan.to_string()),
        at_hop: Set(next.to_string()),
        status: Set(status),
        bukti_perekaman: Set(None),
        archived_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    buku_harian::Entity::insert(buku_harian::ActiveModel {
        tanggal: Set(m.diterima_pada.date_naive()),
        desk: Set(kecamatan.to_string()),
        nomor_berkas: Set(nomor.clone()),
        nik: Set(m.nik.as_ref().map(|n| n.to_string()).unwrap_or_default()),
        nama: Set(m.nama.clone()),
        sop: Set(m.sop),
        dokumen: Set(serde_json::to_value(&m.dokumen).unwrap_or_default()),
        petugas: Set(m.petugas.clone()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await?;
    timeline::Entity::insert(timeline::ActiveModel {
        nomor_berkas: Set(nomor.clone()),
        hop: Set(desk_hop.to_string()),
        step: Set(desk_hop.step.to_owned()),
        note: Set(format!(
            "diterima oleh {}, dicatat di buku harian",
            m.petugas
        )),
        at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await?;

    // S01.3: the operator receives the berkas from the ppp (S05.2: the Dinas ppp does).
    let region = kecamatan.to_string();
    let handoff = BerkasHandedOff {
        sidik_jari: m.sidik_jari.clone(),
        nomor_berkas: nomor.clone(),
        sop: m.sop,
        nik: m.nik.clone(),
        nama: nama.to_owned(),
        kecamatan: region.clone(),
        hop: 1,
        stamps: vec![Stamp {
            hop: desk_hop.to_string(),
            step: desk_hop.step.to_owned(),
            at: now,
            by: m.petugas.clone(),
        }],
        bukti_perekaman: None,
        biodata: m.biodata.clone(),
        no_kk: None,
        perubahan: m.perubahan.clone(),
        foto_sha256: None,
        pas_foto: None,
        tanda_tangan: None,
        kedatangan: m.kedatangan.clone(),
        anggota: Vec::new(),
    };
    let handoff_key = key(&handoff_subject(next), &region)?;
    outbox.push(Outgoing::new(&handoff, handoff_key, &nomor, &nomor)?);
    let accepted = BerkasAccepted {
        submission_id: m.submission_id,
        nomor_berkas: nomor.clone(),
        sop: m.sop,
        nik: m.nik.clone(),
        next_hop: next.to_string(),
    };
    outbox.push(Outgoing::new(
        &accepted,
        key(ACCEPTED, &region)?,
        &nomor,
        &nomor,
    )?);
    if let (Some(nik), Some(r)) = (&m.nik, sop::Sop::get(m.sop).replacement())
        && r.lost
    {
        // S11.2/S12.2: the lost card is revoked now — a found card is useless from here on.
        let lost = CardReportedLost {
            nik: nik.clone(),
            nomor_berkas: nomor.clone(),
            at: now,
        };
        outbox.push(Outgoing::new(&lost, key(LOST, &region)?, &nomor, &nomor)?);
    }
    tracing::info!(nomor_berkas = %nomor, next = %next, "berkas accepted");
    Ok(())
}

/// S01.2 fails: tell the desk every reason. Nothing of the berkas is stored.
pub(crate) fn refuse(
    outbox: &Outbox,
    m: &BerkasSubmitted,
    kecamatan: &KodeWilayah,
    reasons: Vec<String>,
) -> Result<(), HandlerError> {
    tracing::info!(submission = %m.submission_id, reasons = reasons.len(), "berkas refused");
    let refused = BerkasRefused {
        submission_id: m.submission_id,
        sop: m.sop,
        nik: m.nik.clone(),
        reasons,
    };
    let id = m.submission_id.to_string();
    let msg = Outgoing::new(&refused, key(REFUSED, &kecamatan.to_string())?, &id, &id)?;
    outbox.push(msg);
    Ok(())
}

fn key(subject: &str, region: &str) -> Result<RoutingKey, HandlerError> {
    RoutingKey::regional(subject, region).map_err(|e| HandlerError::permanent(e.to_string()))
}

/// `<kecamatan digits>-<yyyymmdd>-<nnnn>`: the desk's series of the day
/// ([`ktpel_store::series`]); `…-D<nnnn>` for a berkas taken at the Dinas desk (the B
/// variants, S17, S18), whose series is the Dinas's own: the kecamatan's counter numbers its
/// kecamatan's berkas of the day at its own site, and the two must never hand out one number
/// twice (the card, its batch and its tanda terima follow the number). The consumer's
/// partitions number their berkas one after another: counted concurrently from the berkas
/// already there, two took one number, and under load (100 berkas/s) the loser's retries ran
/// out and its whole batch went back to the queue.
async fn nomor_berkas<C: ConnectionTrait>(
    txn: &C,
    kecamatan: &KodeWilayah,
    desk: sop::Place,
    now: chrono::DateTime<Utc>,
) -> Result<String, HandlerError> {
    let prefix = format!(
        "{}-{}-{}",
        kecamatan.to_string().replace('.', ""),
        now.format("%Y%m%d"),
        if desk == sop::Place::Dinas { "D" } else { "" }
    );
    let mut issued =
        berkas::Entity::find().filter(berkas::Column::NomorBerkas.starts_with(&prefix));
    if desk != sop::Place::Dinas {
        // Not the Dinas's, which start with the kecamatan's prefix too.
        issued = issued.filter(berkas::Column::NomorBerkas.not_like(format!("{prefix}D%")));
    }
    let issued_before = issued.count(txn);
    let n = ktpel_store::series::next(txn, &prefix, issued_before).await?;
    Ok(format!("{prefix}{n:04}"))
}
