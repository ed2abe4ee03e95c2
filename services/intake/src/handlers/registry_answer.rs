//! `registry.answer`: SIAK has answered about a berkas's NIK (S01.2, "verifies and validates").

use super::submitted::{accept, refuse};
use crate::store::pending;
use ktpel_bus::{Context, HandlerError};
use ktpel_contract::{
    berkas::BerkasSubmitted,
    registry::{Biodata, ResidentAnswer},
};
use ktpel_domain::{KodeWilayah, StatusKartu, sop::Sop};
use sea_orm::{EntityTrait, ModelTrait};

/// The berkas waiting for this answer goes on (S01.2–S01.3) or is refused with the reasons.
pub async fn handle(
    ctx: &Context<'_, super::Intake>,
    answer: ResidentAnswer,
) -> Result<(), HandlerError> {
    let (txn, outbox) = (ctx.txn, ctx.outbox);
    let Some(waiting) = pending::Entity::find_by_id(answer.request_id)
        .one(txn)
        .await?
    else {
        // Answered before (a duplicate answer with another message id): nothing waits.
        tracing::info!(request = %answer.request_id, "no berkas waits for this answer");
        return Ok(());
    };
    let submission: BerkasSubmitted = serde_json::from_value(waiting.submission.clone())
        .map_err(|e| HandlerError::permanent(format!("a stored submission is unreadable: {e}")))?;
    waiting.delete(txn).await?;
    let kecamatan = KodeWilayah::parse(&submission.kecamatan)
        .map_err(|e| HandlerError::permanent(e.to_string()))?;
    let Some(siak) = &answer.resident else {
        let reason = format!(
            "NIK {} tidak terdaftar di SIAK: daftarkan penduduk terlebih dahulu (S04/S05)",
            answer.nik
        );
        return refuse(outbox, &submission, &kecamatan, vec![reason]);
    };
    let procedure = Sop::get(submission.sop);
    if !procedure.replaces_a_card() {
        return accept(
            txn,
            outbox,
            &submission,
            &siak.nama,
            StatusKartu::BelumRekam,
        )
        .await;
    }
    let problems = replacement_problems(&submission, siak, answer.status_kartu);
    if !problems.is_empty() {
        return refuse(outbox, &submission, &kecamatan, problems);
    }
    accept(
        txn,
        outbox,
        &submission,
        &siak.nama,
        StatusKartu::CardActivated,
    )
    .await
}

/// Why a replacement or a relocation (section C) cannot be made for the resident SIAK knows:
/// a card is replaced once it is in the resident's hands, not while one is being made; a
/// change stays in the resident's kecamatan; S15–S17 move within one kabupaten/kota.
fn replacement_problems(
    m: &BerkasSubmitted,
    siak: &Biodata,
    status: Option<StatusKartu>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let nik = &siak.nik;
    match status {
        Some(StatusKartu::CardActivated) => {}
        None | Some(StatusKartu::BelumRekam) => problems.push(format!(
            "NIK {nik} belum punya KTP-el untuk diganti: penduduk melakukan perekaman terlebih dahulu (S01)"
        )),
        Some(StatusKartu::DuplicateRecord) => problems.push(format!(
            "rekaman NIK {nik} berstatus DUPLICATE_RECORD dan sedang diperiksa: kartu tidak dapat dibuat sampai selesai"
        )),
        Some(in_production) => problems.push(format!(
            "kartu NIK {nik} masih dalam proses ({in_production}): penggantian menunggu kartu diserahkan"
        )),
    }
    if let Some(arrival) = &m.kedatangan {
        let kabupaten = |d: &str| {
            KodeWilayah::parse(d)
                .ok()
                .and_then(|d| d.lineage().get(1).copied())
        };
        let same_kabupaten = kabupaten(&arrival.desa) == kabupaten(&siak.desa);
        let between = Sop::get(m.sop).between_kabupaten();
        if between && same_kabupaten {
            problems.push(format!(
                "keluarga sudah tinggal di {} di kabupaten/kota ini: pindah di dalam satu kabupaten/kota adalah S15–S17",
                siak.desa
            ));
        } else if !between && !same_kabupaten {
            problems.push(format!(
                "keluarga tinggal di {} di kabupaten/kota lain: pindah dari sana adalah S18",
                siak.desa
            ));
        } else if arrival.desa == siak.desa {
            problems.push(format!(
                "keluarga sudah tinggal di desa/kelurahan {}: alamat baru di sana adalah perubahan data (S13/S14)",
                siak.desa
            ));
        }
    }
    if let Some(desa) = m.perubahan.as_ref().and_then(|p| p.desa.as_ref()) {
        let kecamatan = |d: &str| KodeWilayah::parse(d).ok().and_then(|d| d.parent());
        if kecamatan(desa) != kecamatan(&siak.desa) {
            problems.push(format!(
                "desa/kelurahan {desa} tidak berada di kecamatan penduduk: pindah kecamatan adalah perpindahan (S15–S18)"
            ));
        }
    }
    // Status perkawinan, pekerjaan, agama, pendidikan: SIAK changes what it holds; a resident
    // it recorded before it kept them has none to change (S06/S07 records the whole biodata).
    if m.perubahan.as_ref().is_some_and(|p| p.changes_rincian()) && siak.rincian.is_none() {
        problems.push(
            "SIAK belum mencatat status perkawinan, pekerjaan, agama dan pendidikan penduduk ini: tidak ada yang dapat diubah"
                .to_owned(),
        );
    }
    problems
}
