//! The NIK looked up in SIAK at the counter before the berkas is entered (S01.2 "verifies and
//! validates"): the ppp types the NIK, the desk asks SIAK over the bus (the kecamatan's copy,
//! or the register) and shows its answer — who the NIK is, where they live, where their card
//! stands — with the form ready, the name filled in from SIAK where the ppp had typed none.

use super::{FormPage, Loket, PATIENCE, procedure};
use crate::loket::form::{Form, Problems};
use axum::{Form as Posted, extract::State, response::Response};
use ktpel_bus::{Outgoing, RoutingKey};
use ktpel_contract::registry::{ANSWER_TO_DESK, LOOKUP, ResidentAnswer, ResidentLookup};
use ktpel_domain::Nik;
use ktpel_web::{Desk, Refusal, Signed, html};
use serde::Deserialize;
use uuid::Uuid;

/// SIAK's answer as the counter shows it.
pub struct SiakSays {
    /// Whether SIAK knows the NIK.
    pub found: bool,
    /// One sentence.
    pub text: String,
    /// What SIAK holds of the resident: a label and a value each.
    pub rows: Vec<(&'static str, String)>,
}

impl SiakSays {
    fn of(answer: &ResidentAnswer) -> Self {
        match &answer.resident {
            Some(r) => Self {
                found: true,
                text: format!("NIK {} terdaftar di SIAK.", answer.nik),
                rows: vec![
                    ("Nama", r.nama.clone()),
                    (
                        "Tempat, tanggal lahir",
                        format!("{}, {}", r.tempat_lahir, r.tanggal_lahir.format("%d-%m-%Y")),
                    ),
                    ("Alamat", r.alamat.clone()),
                    ("Desa/kelurahan", r.desa.clone()),
                    (
                        "Status kartu",
                        answer
                            .status_kartu
                            .map(|s| s.to_string())
                            .unwrap_or_else(|| "belum ada kartu".into()),
                    ),
                ],
            },
            None => Self {
                found: false,
                text: format!(
                    "NIK {} tidak terdaftar di SIAK: penduduk baru mengajukan S04/S05.",
                    answer.nik
                ),
                rows: Vec::new(),
            },
        }
    }
}

#[derive(Deserialize)]
pub(super) struct Asked {
    csrf: String,
    sop: String,
    nik: String,
}

/// `POST /loket/cek-nik`: SIAK's answer for the NIK typed, on the procedure's form.
pub(super) async fn look_up(
    State(loket): State<Loket>,
    me: Signed,
    Posted(asked): Posted<Asked>,
) -> Result<Response, Refusal> {
    me.at(Desk::Loket)?;
    me.check_csrf(&asked.csrf)?;
    let procedure = procedure(&loket, Some(&asked.sop))?;
    let mut form = Form {
        sop: asked.sop.clone(),
        nik: asked.nik.trim().to_owned(),
        ..Form::default()
    };
    let page = |form: Form, problems: Problems, siak: Option<SiakSays>| {
        let mut page = FormPage::new(&loket, &me, procedure, form);
        page.problems = problems;
        page.siak = siak;
        html(&page)
    };
    let nik = match Nik::parse(&form.nik) {
        Ok(nik) => nik,
        Err(e) => {
            let mut problems = Problems::default();
            problems.add("nik", e.pesan());
            return Ok(page(form, problems, None));
        }
    };
    // The account's kecamatan asks its own copy of SIAK; a Dinas's ppp, the NIK's kecamatan.
    let kecamatan = me
        .account
        .kecamatan
        .unwrap_or_else(|| nik.kecamatan())
        .to_string();
    let request_id = Uuid::now_v7();
    let lookup = ResidentLookup {
        request_id,
        nik,
        reply_subject: ANSWER_TO_DESK.to_owned(),
        reply_region: Some(kecamatan.clone()),
    };
    let key = RoutingKey::regional(LOOKUP, &kecamatan).map_err(Refusal::unavailable)?;
    let id = request_id.to_string();
    let msg = Outgoing::new(&lookup, key, &id, &id).map_err(Refusal::unavailable)?;
    let siak = match loket.own.siak.ask(&msg, request_id, PATIENCE).await {
        Ok(Ok(answer)) | Ok(Err(answer)) => {
            let says = SiakSays::of(&answer);
            if form.nama.is_empty()
                && let Some(r) = &answer.resident
            {
                form.nama = r.nama.clone();
            }
            says
        }
        Err(e) => SiakSays {
            found: false,
            text: format!(
                "SIAK belum menjawab ({e}); coba lagi, atau ajukan berkas: intake tetap memeriksa NIK"
            ),
            rows: Vec::new(),
        },
    };
    loket
        .record(
            &me,
            "cek_nik_siak",
            None,
            format!(
                "{}: {}",
                procedure.id,
                if siak.found {
                    "terdaftar"
                } else {
                    "tidak terdaftar / tidak menjawab"
                }
            ),
        )
        .await;
    Ok(page(form, Problems::default(), Some(siak)))
}
