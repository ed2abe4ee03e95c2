//! The berkas (application file) between the desk, intake and the next hops.

use crate::Message;
use chrono::{DateTime, Utc};
use ktpel_domain::{
    Nik,
    sop::{Dokumen, SopId},
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

/// The kecamatan of a berkas number (`327301-20261125-0001`: the number begins with the
/// code of the desk that took the berkas), dotted; `None` for a number not made so.
pub fn kecamatan_of(nomor_berkas: &str) -> Option<String> {
    let digits = nomor_berkas.split('-').next()?;
    ktpel_domain::KodeWilayah::parse(digits)
        .ok()
        .map(|k| k.to_string())
}

/// S01.1–S01.2: the resident hands the berkas to the ppp, who enters it at a kecamatan desk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BerkasSubmitted {
    /// Chosen by the desk; resubmitting the same id (a retry over a poor link) is harmless.
    pub submission_id: Uuid,
    pub sop: SopId,
    pub nik: Nik,
    /// The name as written on the Formulir Permohonan.
    pub nama: String,
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
    pub nik: Nik,
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
    pub nik: Nik,
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
    pub nik: Nik,
    pub nama: String,
    pub kecamatan: String,
    /// Index of the hop that should act now in the SOP's route.
    pub hop: usize,
    /// The stamps of the hops done so far, oldest first.
    pub stamps: Vec<Stamp>,
    /// Set once the enrollment is stored (S01.6): the bukti perekaman for the resident.
    #[serde(default)]
    pub bukti_perekaman: Option<String>,
}

impl Message for BerkasHandedOff {
    const KIND: &'static str = HANDOFF;
    const VERSION: u16 = 1;
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
