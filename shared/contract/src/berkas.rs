//! The berkas (application file) between the desk, intake and the next hops.

use crate::Message;
use crate::enrollment::FingerTemplate;
use crate::registry::{FormulirBiodata, Kedatangan, PerubahanBiodata};
use chrono::{DateTime, Utc};
use ktpel_domain::{
    Nik,
    sop::{Desk, Dokumen, Hop, Place, SopId},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Routing subject of [`BerkasSubmitted`]: `berkas.submitted.<prov>.<kab>.<kec>`.
pub const SUBMITTED: &str = "berkas.submitted";
/// Routing subject of [`BerkasAccepted`].
pub const ACCEPTED: &str = "berkas.accepted";
/// Routing subject of [`BerkasRefused`].
pub const REFUSED: &str = "berkas.refused";
/// Routing subject prefix of [`BerkasHandedOff`]: `berkas.handoff.<role>.<prov>.<kab>.<kec>`
/// is spelled `berkas.handoff.<role>` + region.
pub const HANDOFF: &str = "berkas.handoff";
/// Routing subject prefix of a [`BerkasHandedOff`] to a desk at the Dinas:
/// `berkas.dinas.<desk>` + region (the kecamatan whose desk took the berkas). Apart from
/// [`HANDOFF`] so that what goes to the Dinas and what comes back cross the link one way each.
pub const AT_DINAS: &str = "berkas.dinas";

/// A berkas for the Dinas's service counter (S05.3, S05.5): crosses up from a kecamatan.
pub const DINAS_COUNTER: &str = "berkas.dinas.ppp";
/// A berkas for the kecamatan's service counter (S01.7, S05.6): from the Dinas, crosses down.
pub const KECAMATAN_COUNTER: &str = "berkas.handoff.ppp";

/// A berkas for SIAK's data entry (S04.3, S05.4): SIAK is the kabupaten/kota's database at
/// the Dinas, wherever its operator sits, so from a kecamatan it crosses up.
pub const SIAK_DESK: &str = "berkas.dinas.siak";
/// A berkas for the Dinas's card printing (BCardMgmt, S21; section C's Sxx.4 / Sxx.3).
pub const PRINTING_DESK: &str = "berkas.dinas.cetak";

/// A berkas for the kecamatan's enrollment station (S01.3; S04.4 coming back from SIAK).
pub const KECAMATAN_STATION: &str = "berkas.handoff.operator";

/// The subject a berkas is handed to `desk` at `place` under (SIAK's desk is always the
/// Dinas's database).
pub fn desk_subject(desk: Desk, place: Place) -> String {
    let prefix = match (desk, place) {
        (Desk::Siak, _) | (_, Place::Dinas) => AT_DINAS,
        (_, Place::Kecamatan | Place::Mobile | Place::PusatData) => HANDOFF,
    };
    format!("{prefix}.{}", desk.subject())
}

/// The subject a berkas is handed to `hop` under: the hop's place and desk.
pub fn handoff_subject(hop: &Hop) -> String {
    desk_subject(hop.desk, hop.place)
}

/// The kecamatan of a berkas number (`327301-20261125-0001`: the number begins with the
/// code of the desk that took the berkas), dotted; `None` for a number not made so.
pub fn kecamatan_of(nomor_berkas: &str) -> Option<String> {
    let digits = nomor_berkas.split('-').next()?;
    ktpel_domain::KodeWilayah::parse(digits)
        .ok()
        .map(|k| k.to_string())
}

/// The documents of a complete berkas of `sop`: the first of each group of its checklist and
/// the supporting document each element `perubahan` changes needs — what a desk holding every
/// paper ticks (the demo's berkas, the tests').
pub fn dokumen_lengkap(sop: SopId, perubahan: Option<&PerubahanBiodata>) -> Vec<Dokumen> {
    let mut dokumen: Vec<Dokumen> = ktpel_domain::sop::Sop::get(sop)
        .checklist()
        .groups
        .iter()
        .map(|g| g[0])
        .collect();
    for (_, d) in perubahan
        .map(PerubahanBiodata::dokumen_needed)
        .unwrap_or_default()
    {
        if !dokumen.contains(&d) {
            dokumen.push(d);
        }
    }
    dokumen
}

/// S01.1–S01.2: the resident hands the berkas to the ppp, who enters it at a kecamatan desk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BerkasSubmitted {
    /// Chosen by the desk; resubmitting the same id (a retry over a poor link) is harmless.
    pub submission_id: Uuid,
    pub sop: SopId,
    /// The resident's NIK; none for a resident not yet in SIAK (S04, S05), who gets one there.
    pub nik: Option<Nik>,
    /// The name as written on the Formulir Permohonan.
    pub nama: String,
    /// S04/S05: the Formulir Biodata Penduduk, signed by the resident and the Kepala
    /// Desa/Lurah, as the desk received it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biodata: Option<FormulirBiodata>,
    /// S06/S07, S13/S14: what SIAK is to correct or change, as the desk entered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perubahan: Option<PerubahanBiodata>,
    /// S15–S18: the arrival form — where the family moves to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kedatangan: Option<Kedatangan>,
    /// S06–S14: the resident's index fingers, pressed on the counter's reader as ISO/IEC
    /// 19794-2 records: a replacement card is made for the person on record only, which the
    /// printing desk verifies 1:1 against the enrollment it holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sidik_jari: Vec<FingerTemplate>,
    /// The documents the ppp received.
    pub dokumen: Vec<Dokumen>,
    /// Kode wilayah of the desk's kecamatan (6 digits, dotted or not).
    pub kecamatan: String,
    /// The ppp who received it.
    pub petugas: String,
    pub diterima_pada: DateTime<Utc>,
}

impl Message for BerkasSubmitted {
    const KIND: &'static str = SUBMITTED;
    const VERSION: u16 = 1;
}

/// S01.2: entered in the buku harian; the number is the resident's salinan permohonan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BerkasAccepted {
    pub submission_id: Uuid,
    pub nomor_berkas: String,
    pub sop: SopId,
    pub nik: Option<Nik>,
    /// The hop the berkas went to next, as `role@place`.
    pub next_hop: String,
}

impl Message for BerkasAccepted {
    const KIND: &'static str = ACCEPTED;
    const VERSION: u16 = 1;
}

/// S01.2: the berkas is not complete or not valid; nothing was stored. Every reason is listed
/// so the resident can bring everything at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BerkasRefused {
    pub submission_id: Uuid,
    pub sop: SopId,
    pub nik: Option<Nik>,
    pub reasons: Vec<String>,
}

impl Message for BerkasRefused {
    const KIND: &'static str = REFUSED;
    const VERSION: u16 = 1;
}

/// The berkas moves along its routing slip to the next desk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BerkasHandedOff {
    pub nomor_berkas: String,
    pub sop: SopId,
    /// None until SIAK gives a new resident one (S05.4).
    pub nik: Option<Nik>,
    pub nama: String,
    pub kecamatan: String,
    /// Index of the hop that should act now in the SOP's route.
    pub hop: usize,
    /// The stamps of the hops done so far, oldest first.
    pub stamps: Vec<Stamp>,
    /// Set once the enrollment is stored (S01.6): the bukti perekaman for the resident.
    #[serde(default)]
    pub bukti_perekaman: Option<String>,
    /// S05: the Formulir Biodata, travelling with the berkas to SIAK at the Dinas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biodata: Option<FormulirBiodata>,
    /// S05.4–S05.6: the number of the KK printed at the Dinas, travelling back with the berkas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_kk: Option<String>,
    /// S06/S07, S13/S14: the correction or change, travelling to SIAK at the Dinas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perubahan: Option<PerubahanBiodata>,
    /// S08, S10, S12: the SHA-256 of the pas photo re-captured at the Dinas's station, for the
    /// new card (the fingerprints on record stand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foto_sha256: Option<String>,
    /// S08, S10, S12: the re-captured pas photo (PNG) and signature trace themselves, for the
    /// card's face: on the slip from the station to printing only.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::enrollment::base64_bytes::optional"
    )]
    pub pas_foto: Option<Vec<u8>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::enrollment::base64_bytes::optional"
    )]
    pub tanda_tangan: Option<Vec<u8>>,
    /// S15–S18: the arrival form, travelling to SIAK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kedatangan: Option<Kedatangan>,
    /// S15–S18: the members of the family SIAK moved who get a new KTP-el (those who had
    /// one); printing makes a card for each. Empty: the card is the NIK's alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anggota: Vec<Nik>,
    /// S06–S14: the index fingers pressed at the counter, travelling to the printing desk,
    /// which verifies them 1:1 against the enrollment on record before it makes the card.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sidik_jari: Vec<FingerTemplate>,
}

impl Message for BerkasHandedOff {
    const KIND: &'static str = HANDOFF;
    const VERSION: u16 = 1;
}

impl BerkasHandedOff {
    /// The slip as `here` hands it on to `next`: stamped by `by`, one hop further, with the
    /// message that carries it there (under the berkas's kecamatan, the desk's place and desk).
    pub fn onward(
        &self,
        here: &Hop,
        next: &Hop,
        by: impl Into<String>,
        at: DateTime<Utc>,
    ) -> Result<(Self, ktpel_bus::Outgoing), ktpel_bus::HandlerError> {
        let forward = self.stamped(here, by, at);
        let message = forward.to(next)?;
        Ok((forward, message))
    }

    /// The slip with `here`'s stamp, one hop further.
    pub fn stamped(&self, here: &Hop, by: impl Into<String>, at: DateTime<Utc>) -> Self {
        let mut forward = self.clone();
        forward.stamps.push(Stamp {
            hop: here.to_string(),
            step: here.step.to_owned(),
            at,
            by: by.into(),
        });
        forward.hop += 1;
        forward
    }

    /// The message that hands this slip to `next`.
    pub fn to(&self, next: &Hop) -> Result<ktpel_bus::Outgoing, ktpel_bus::HandlerError> {
        let key = ktpel_bus::RoutingKey::regional(&handoff_subject(next), &self.kecamatan)
            .map_err(|e| ktpel_bus::HandlerError::permanent(e.to_string()))?;
        let mut message =
            ktpel_bus::Outgoing::new(self, key, &self.nomor_berkas, &self.nomor_berkas)?;
        // For the wait histogram per SOP step: the step just done, and how long the berkas
        // was at that desk (from the stamp before it: when it was handed there).
        if let [.., before, done] = self.stamps.as_slice() {
            let waited = (done.at - before.at).num_milliseconds().max(0);
            message
                .headers
                .insert(ktpel_bus::metrics::STEP_HEADER.into(), done.step.clone());
            message
                .headers
                .insert(ktpel_bus::metrics::WAITED_HEADER.into(), waited.to_string());
        }
        Ok(message)
    }
}

/// One stamp on the routing slip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stamp {
    /// `role@place`.
    pub hop: String,
    /// The SOP step done (`S01.2`).
    pub step: String,
    pub at: DateTime<Utc>,
    pub by: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crossing_subjects_are_the_desks_subjects() {
        use Desk::*;
        assert_eq!(desk_subject(Loket, Place::Dinas), DINAS_COUNTER);
        assert_eq!(desk_subject(Loket, Place::Kecamatan), KECAMATAN_COUNTER);
        assert_eq!(desk_subject(Perekaman, Place::Kecamatan), KECAMATAN_STATION);
        assert_eq!(desk_subject(Siak, Place::Kecamatan), SIAK_DESK);
        assert_eq!(desk_subject(Siak, Place::Dinas), SIAK_DESK);
        assert_eq!(desk_subject(Loket, Place::Mobile), KECAMATAN_COUNTER);
        assert_eq!(desk_subject(Cetak, Place::Dinas), PRINTING_DESK);
    }

    #[test]
    fn a_hand_off_carries_the_step_done_and_how_long_it_waited() {
        let route = ktpel_domain::sop::Sop::get("S01".parse::<ktpel_domain::sop::SopId>().unwrap())
            .route()
            .expect("S01 has a route");
        let start: DateTime<Utc> = "2026-12-01T08:00:00Z".parse().unwrap();
        let slip = BerkasHandedOff {
            sidik_jari: Vec::new(),
            nomor_berkas: "B-1".into(),
            sop: "S01".parse::<ktpel_domain::sop::SopId>().unwrap(),
            nik: None,
            nama: "Siti".into(),
            kecamatan: "32.73.01".into(),
            hop: 0,
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
        let (first, message) = slip.onward(&route[0], &route[1], "ppp", start).unwrap();
        assert!(
            !message
                .headers
                .contains_key(ktpel_bus::metrics::STEP_HEADER),
            "the first desk has nothing before it to wait from"
        );
        let later = start + chrono::Duration::seconds(90);
        let (_, message) = first
            .onward(&route[1], &route[2], "operator", later)
            .unwrap();
        assert_eq!(
            message.headers[ktpel_bus::metrics::STEP_HEADER],
            route[1].step
        );
        assert_eq!(message.headers[ktpel_bus::metrics::WAITED_HEADER], "90000");
    }
}
