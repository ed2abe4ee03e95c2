//! The SOP catalogue as data: for each procedure S01–S22, the documents the desk must receive
//! (the checklist) and the route of the berkas (the ordered hops `role@place`).
//!
//! Intake picks the route from here by the berkas's SOP id (DESIGN.md, "routing slip"), so a
//! route is a row in [`CATALOGUE`], not an `if` chain, and adding a procedure is a matter of
//! data. Every procedure of a berkas (S01–S18) is routed hop by hop from SOP.md; S19–S22 are
//! the system's own (the NID Scheduler, S20 backups, printing, distribution) and have no
//! route. Each entry says what kind of procedure it is ([`Kind`]): a first card, a new
//! resident, a replacement (with its reason), a relocation (within or between kabupaten/kota).

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// `S01` … `S22`, the step ids of SOP.md. With the `sea-orm` feature, a column type: stored as
/// its text (`S01`), read back only as one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
pub struct SopId(u8);

/// Why a text is not an SOP id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an SOP id (S01 to S22)")]
pub struct UnknownSop(pub String);

impl SopId {
    pub const FIRST: u8 = 1;
    pub const LAST: u8 = 22;

    /// The procedure with number `n` (1–22).
    pub fn new(n: u8) -> Result<Self, UnknownSop> {
        if (Self::FIRST..=Self::LAST).contains(&n) {
            Ok(Self(n))
        } else {
            Err(UnknownSop(format!("S{n:02}")))
        }
    }

    pub fn number(self) -> u8 {
        self.0
    }

    /// Every procedure, S01 to S22.
    pub fn all() -> impl Iterator<Item = SopId> {
        (Self::FIRST..=Self::LAST).map(SopId)
    }
}

impl fmt::Display for SopId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "S{:02}", self.0)
    }
}

impl FromStr for SopId {
    type Err = UnknownSop;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || UnknownSop(s.to_owned());
        let digits = s
            .strip_prefix('S')
            .or_else(|| s.strip_prefix('s'))
            .ok_or_else(bad)?;
        if digits.len() != 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        Self::new(digits.parse().map_err(|_| bad())?).map_err(|_| bad())
    }
}

impl Serialize for SopId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SopId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The documents of the berkas (SOP.md, "Documents").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dokumen {
    /// Formulir Permohonan (application form).
    FormulirPermohonan,
    /// Fotokopi KK (copy of the family card).
    FotokopiKk,
    /// Fotokopi KTP non-elektronik (the old paper ID).
    FotokopiKtpNonElektronik,
    /// Formulir permohonan pencatatan biodata, from the desa/kelurahan.
    FormulirPencatatanBiodata,
    /// Formulir Biodata Penduduk signed by the resident and the Kepala Desa/Lurah.
    FormulirBiodataPenduduk,
    /// Fotokopi Akta Kelahiran, or Ijazah, or Surat Keterangan Kepala Suku/Adat.
    AktaKelahiranAtauIjazah,
    /// Fotokopi Buku Nikah / Akta Kawin, or Akta Perceraian.
    BukuNikahAtauAktaCerai,
    /// The KTP-el whose data is wrong (S06–S08).
    KtpElSalah,
    /// The physically damaged KTP-el (S09/S10).
    KtpElRusak,
    /// The old KTP-el (S13–S18).
    KtpElLama,
    /// Surat Keterangan Kehilangan dari Kepolisian (police loss report).
    SuratKehilangan,
    /// Surat Keterangan Pindah (moving-out certificate).
    SuratKeteranganPindah,
    /// Formulir permohonan kedatangan (arrival form).
    FormulirKedatangan,
    /// Fotokopi dokumen pendukung lainnya.
    DokumenPendukung,
    /// Fotokopi ijazah terakhir: for a change of education (S13/S14).
    Ijazah,
    /// Surat keterangan bekerja or the letter of appointment: for a change of occupation.
    SuratKeteranganKerja,
    /// Surat keterangan from the religious leader: for a change of religion or belief.
    SuratKeteranganAgama,
}

impl Dokumen {
    pub const ALL: [Dokumen; 17] = [
        Self::FormulirPermohonan,
        Self::FotokopiKk,
        Self::FotokopiKtpNonElektronik,
        Self::FormulirPencatatanBiodata,
        Self::FormulirBiodataPenduduk,
        Self::AktaKelahiranAtauIjazah,
        Self::BukuNikahAtauAktaCerai,
        Self::KtpElSalah,
        Self::KtpElRusak,
        Self::KtpElLama,
        Self::SuratKehilangan,
        Self::SuratKeteranganPindah,
        Self::FormulirKedatangan,
        Self::DokumenPendukung,
        Self::Ijazah,
        Self::SuratKeteranganKerja,
        Self::SuratKeteranganAgama,
    ];

    /// The snake_case name used on the wire and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::FormulirPermohonan => "formulir_permohonan",
            Self::FotokopiKk => "fotokopi_kk",
            Self::FotokopiKtpNonElektronik => "fotokopi_ktp_non_elektronik",
            Self::FormulirPencatatanBiodata => "formulir_pencatatan_biodata",
            Self::FormulirBiodataPenduduk => "formulir_biodata_penduduk",
            Self::AktaKelahiranAtauIjazah => "akta_kelahiran_atau_ijazah",
            Self::BukuNikahAtauAktaCerai => "buku_nikah_atau_akta_cerai",
            Self::KtpElSalah => "ktp_el_salah",
            Self::KtpElRusak => "ktp_el_rusak",
            Self::KtpElLama => "ktp_el_lama",
            Self::SuratKehilangan => "surat_kehilangan",
            Self::SuratKeteranganPindah => "surat_keterangan_pindah",
            Self::FormulirKedatangan => "formulir_kedatangan",
            Self::DokumenPendukung => "dokumen_pendukung",
            Self::Ijazah => "ijazah",
            Self::SuratKeteranganKerja => "surat_keterangan_kerja",
            Self::SuratKeteranganAgama => "surat_keterangan_agama",
        }
    }
}

impl Dokumen {
    /// The document's name as the counter and the resident know it.
    pub fn label(self) -> &'static str {
        match self {
            Self::FormulirPermohonan => "Formulir Permohonan",
            Self::FotokopiKk => "Fotokopi Kartu Keluarga",
            Self::FotokopiKtpNonElektronik => "Fotokopi KTP non-elektronik",
            Self::FormulirPencatatanBiodata => "Formulir permohonan pencatatan biodata",
            Self::FormulirBiodataPenduduk => "Formulir Biodata Penduduk",
            Self::AktaKelahiranAtauIjazah => {
                "Fotokopi Akta Kelahiran, Ijazah, atau Surat Keterangan Kepala Suku/Adat"
            }
            Self::BukuNikahAtauAktaCerai => "Fotokopi Buku Nikah/Akta Kawin atau Akta Perceraian",
            Self::KtpElSalah => "KTP-el yang datanya salah",
            Self::KtpElRusak => "KTP-el yang rusak",
            Self::KtpElLama => "KTP-el lama",
            Self::SuratKehilangan => "Surat Keterangan Kehilangan dari Kepolisian",
            Self::SuratKeteranganPindah => "Surat Keterangan Pindah",
            Self::FormulirKedatangan => "Formulir permohonan kedatangan",
            Self::DokumenPendukung => "Fotokopi dokumen pendukung lainnya",
            Self::Ijazah => "Fotokopi ijazah terakhir",
            Self::SuratKeteranganKerja => {
                "Surat keterangan bekerja atau surat keputusan pengangkatan"
            }
            Self::SuratKeteranganAgama => "Surat keterangan pemuka agama/penghayat kepercayaan",
        }
    }
}

impl fmt::Display for Dokumen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a text is not a document name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a document name (e.g. formulir_permohonan, fotokopi_kk)")]
pub struct UnknownDokumen(pub String);

impl FromStr for Dokumen {
    type Err = UnknownDokumen;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or_else(|| UnknownDokumen(s.to_owned()))
    }
}

/// Who acts (SOP.md, "Actors").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Penduduk,
    Ppp,
    Operator,
    OperatorMobile,
    KepalaSeksi,
    PetugasDistribusi,
    Adb,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Penduduk => "penduduk",
            Self::Ppp => "ppp",
            Self::Operator => "operator",
            Self::OperatorMobile => "operator_mobile",
            Self::KepalaSeksi => "kepala_seksi",
            Self::PetugasDistribusi => "petugas_distribusi",
            Self::Adb => "adb",
        })
    }
}

/// Where they act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    Kecamatan,
    Dinas,
    PusatData,
    Mobile,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Kecamatan => "kecamatan",
            Self::Dinas => "dinas",
            Self::PusatData => "pusat_data",
            Self::Mobile => "mobile",
        })
    }
}

/// Which desk — which service — takes the berkas at a hop: the service counter (intake), the
/// enrollment station (biometric), or SIAK data entry (registry). Who sits there is the hop's
/// [`Role`]: at a kecamatan a ppp and an operator, in a mobile unit one operator_mobile at
/// both (S03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Desk {
    /// The service counter (*loket*): receives, verifies, archives, gives the papers back.
    Loket,
    /// The enrollment station (*perekaman*): capture, checks, sign-off.
    Perekaman,
    /// SIAK data entry at the Dinas: the Formulir Biodata recorded, the KK printed (S05.4);
    /// a correction or a changed data element (S06, S13).
    Siak,
    /// The Dinas's card printing (BCardMgmt, S21): the operator encodes, prints and verifies
    /// the card; the kepala_seksi checks it against the berkas.
    Cetak,
}

impl Desk {
    /// The routing-subject word of the desk's hand-off queue (`berkas.handoff.<word>`): the
    /// role that sits there in S01, the name operators and the message contract know.
    pub fn subject(self) -> &'static str {
        match self {
            Self::Loket => "ppp",
            Self::Perekaman => "operator",
            Self::Siak => "siak",
            Self::Cetak => "cetak",
        }
    }
}

/// One desk on the route: who, where, at which desk, the first SOP step they do, and what
/// they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hop {
    pub role: Role,
    pub place: Place,
    pub desk: Desk,
    /// The first step id done at this hop (`S01.2`).
    pub step: &'static str,
    pub action: &'static str,
}

impl fmt::Display for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.role, self.place)
    }
}

/// The documents a desk must receive: every group must be met by at least one of its
/// documents (a group of one is simply required; S01 asks for the KK copy *or* the old KTP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checklist {
    pub groups: &'static [&'static [Dokumen]],
}

/// The groups of a checklist that the berkas does not meet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct MissingDocuments(pub Vec<&'static [Dokumen]>);

impl fmt::Display for MissingDocuments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("missing documents: ")?;
        for (i, group) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            if group.len() > 1 {
                f.write_str("one of ")?;
            }
            for (j, d) in group.iter().enumerate() {
                if j > 0 {
                    f.write_str(" or ")?;
                }
                write!(f, "{d}")?;
            }
        }
        Ok(())
    }
}

impl MissingDocuments {
    /// The documents missing, by their names on paper, in Bahasa Indonesia.
    pub fn pesan(&self) -> String {
        let groups: Vec<String> = self
            .0
            .iter()
            .map(|group| {
                let names: Vec<&str> = group.iter().map(|d| d.label()).collect();
                match names.as_slice() {
                    [one] => (*one).to_owned(),
                    many => format!("salah satu dari {}", many.join(" atau ")),
                }
            })
            .collect();
        format!("dokumen belum lengkap: {}", groups.join("; "))
    }
}

impl Checklist {
    /// `Ok` when every group is met by `received`; otherwise every unmet group, so the
    /// resident hears about all of them at once.
    pub fn check(&self, received: &[Dokumen]) -> Result<(), MissingDocuments> {
        let missing: Vec<_> = self
            .groups
            .iter()
            .copied()
            .filter(|group| !group.iter().any(|d| received.contains(d)))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(MissingDocuments(missing))
        }
    }
}

/// One procedure of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sop {
    pub id: SopId,
    pub title: &'static str,
    /// What the procedure is for: it decides what the desks do (SIAK's work, the old card).
    pub kind: Kind,
    checklist: Checklist,
    route: Option<&'static [Hop]>,
}

/// What a procedure is for, as SOP.md's sections group them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A resident already in the population database gets a first KTP-el (S01–S03).
    FirstCard,
    /// A resident not yet in the population database is registered in SIAK, then enrolled
    /// (S04, S05).
    NewResident,
    /// A replacement card (S06–S14), for the reason it names.
    Replacement(Replacement),
    /// A family moves house (S15–S18, *perpindahan penduduk*): a new KK, and a new KTP-el for
    /// every member who has one.
    Relocation(Move),
    /// A procedure of the system, not of a berkas (S19–S22).
    System,
}

/// Where a relocating family moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Within one kabupaten/kota (S15–S17): one SIAK.
    WithinKabupaten,
    /// From another kabupaten/kota (S18): the origin's SIAK hands the family over to the
    /// destination's.
    BetweenKabupaten,
}

/// What SIAK's operator does for a berkas at the SIAK desk, by procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiakWork {
    /// Record the Formulir Biodata of a resident not yet registered (S04.3, S05.4).
    Register,
    /// Correct data recorded wrongly (S06, S07: *salah data*).
    Correct,
    /// Change a data element that changed (S13, S14: *perubahan elemen data*).
    Change,
    /// The arrival of a relocating family (*proses kedatangan*, S15–S18): the whole KK moves
    /// to its new address under a new KK.
    Arrival,
}

/// A replacement card (SOP.md section C): why, and what the desks do about the old card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replacement {
    /// The reason as the slide names it (*salah data*, *rusak*, *hilang*, …).
    pub reason: &'static str,
    /// The old card the resident hands in, archived when the new one is handed over (S22.5);
    /// `None` for a lost card.
    pub surrendered: Option<Dokumen>,
    /// What SIAK's operator does, where the route passes SIAK's desk: corrects wrong data
    /// (S06, S07) or changes a data element (S13, S14).
    pub siak: Option<SiakWork>,
    /// The card was lost (S11/S12): it is revoked the moment the berkas is accepted, so a
    /// found card is useless from then on.
    pub lost: bool,
}

/// Where the resident collects the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// Through distribution (S22) at the kecamatan/kelurahan desk: S01–S05 and the A variants.
    Kecamatan,
    /// Handed over at the Dinas desk: the B variants.
    DinasDesk,
}

impl Sop {
    /// The catalogue entry of `id` (every id has one).
    pub fn get(id: SopId) -> &'static Sop {
        &CATALOGUE[usize::from(id.number() - 1)]
    }

    /// The procedure's name in Bahasa Indonesia, as the desks show it (`title` is SOP.md's
    /// English).
    pub fn judul(&self) -> &'static str {
        match self.id.number() {
            1 => "Perekaman di tempat perekaman statis, daring (penduduk sudah terdaftar)",
            2 => "Perekaman di tempat perekaman statis, luring",
            3 => "Perekaman di tempat perekaman keliling",
            4 => "Penduduk baru, SIAK daring di kecamatan",
            5 => "Penduduk baru, SIAK luring",
            6 => "Penggantian: data salah (A, di kecamatan)",
            7 => "Penggantian: data salah (B, di Dinas)",
            8 => "Penggantian: foto dan/atau tanda tangan salah (B)",
            9 => "Penggantian: rusak fisik (A)",
            10 => "Penggantian: rusak fisik (B)",
            11 => "Penggantian: hilang (A)",
            12 => "Penggantian: hilang (B)",
            13 => "Penggantian: perubahan elemen data (A)",
            14 => "Penggantian: perubahan elemen data (B)",
            15 => "Pindah dalam satu kabupaten/kota, daring",
            16 => "Pindah dalam satu kabupaten/kota, luring",
            17 => "Pindah dalam satu kabupaten/kota, di loket Dinas",
            18 => "Pindah antar kabupaten/kota",
            19 => "Pengiriman data rekaman, daring (NID Scheduler)",
            20 => "Pengiriman data rekaman, luring (impor cadangan)",
            21 => "Pencetakan KTP-el (BCardMgmt)",
            _ => "Pendistribusian KTP-el kepada penduduk",
        }
    }

    pub fn checklist(&self) -> &Checklist {
        &self.checklist
    }

    /// The hops of the berkas in order; `None` for a procedure of the system (S19–S22).
    pub fn route(&self) -> Option<&'static [Hop]> {
        self.route
    }

    /// The resident is not in the population database yet (S04, S05): the desk takes the
    /// Formulir Biodata, and SIAK gives the NIK.
    pub fn new_resident(&self) -> bool {
        self.kind == Kind::NewResident
    }

    /// What the SIAK desk does for this procedure's berkas, if its route passes there.
    pub fn siak_work(&self) -> Option<SiakWork> {
        let at_siak = self.route?.iter().any(|h| h.desk == Desk::Siak);
        if !at_siak {
            return None;
        }
        match self.kind {
            Kind::NewResident => Some(SiakWork::Register),
            Kind::Relocation(_) => Some(SiakWork::Arrival),
            Kind::Replacement(r) => r.siak,
            Kind::FirstCard | Kind::System => None,
        }
    }

    /// A replacement whose photo and/or signature is captured again at the Dinas's station
    /// (S08; the B slides of S10 and S12), the fingerprints on record standing.
    pub fn recaptures(&self) -> bool {
        self.replacement().is_some()
            && self
                .route
                .is_some_and(|r| r.iter().any(|h| h.desk == Desk::Perekaman))
    }

    /// A replacement card (S06–S14): the reason and the old card; `None` for a first card.
    pub fn replacement(&self) -> Option<&Replacement> {
        match &self.kind {
            Kind::Replacement(r) => Some(r),
            _ => None,
        }
    }

    /// Where the berkas is taken: the place of the route's first desk (a kecamatan's counter,
    /// or the Dinas desk for the B variants, S17 and S18); `None` for a procedure of the
    /// system.
    pub fn taken_at(&self) -> Option<Place> {
        self.route.and_then(|r| r.first()).map(|h| h.place)
    }

    /// Where the resident collects the card: the B variants start and end at the Dinas desk.
    pub fn collection(&self) -> Collection {
        match self.route.and_then(|r| r.first()) {
            Some(first) if first.place == Dinas && self.replacement().is_some() => {
                Collection::DinasDesk
            }
            // S17/S18 start at the Dinas desk too, but the cards go out through distribution.
            _ => Collection::Kecamatan,
        }
    }

    /// Section C: the resident's card is replaced — a replacement (S06–S14) or a relocation
    /// (S15–S18) — so the card must be in their hands first.
    pub fn replaces_a_card(&self) -> bool {
        self.replacement().is_some() || self.relocation()
    }

    /// A relocation of a whole family (S15–S18, *perpindahan penduduk*): a new KK, and a new
    /// KTP-el for every member who has one.
    pub fn relocation(&self) -> bool {
        matches!(self.kind, Kind::Relocation(_))
    }

    /// A family moving in from another kabupaten/kota (S18): the origin's SIAK hands it over
    /// to the destination's; S15–S17 stay within one.
    pub fn between_kabupaten(&self) -> bool {
        self.kind == Kind::Relocation(Move::BetweenKabupaten)
    }

    /// The old card the resident hands in with the berkas, archived when the new one is
    /// handed over (S22.5): a replacement's (none for a lost card), a relocating family's.
    pub fn surrendered(&self) -> Option<Dokumen> {
        match self.replacement() {
            Some(r) => r.surrendered,
            None if self.relocation() => Some(KtpElLama),
            None => None,
        }
    }

    /// The step a card status is reached at for this procedure's berkas, where the procedure
    /// numbers it (section C, whose berkas pass the printing desk): print ready and printed at
    /// its printing desk (the kepala_seksi's
    /// check is the step after the operator's), shipped to the kecamatan's ppp and collected
    /// there (A), or handed over at the Dinas desk (B). `None`: S19–S22's own steps.
    pub fn status_step(&self, status: crate::StatusKartu) -> Option<(Role, Place, String)> {
        use crate::StatusKartu::*;
        let route = self.route?;
        let printing = route.iter().find(|h| h.desk == Desk::Cetak)?;
        let last = route.last()?;
        match (self.collection(), status) {
            (_, Prr) => Some((printing.role, printing.place, printing.step.to_owned())),
            (_, CardPrinted) => Some((KepalaSeksi, printing.place, step_after(printing.step))),
            (Collection::Kecamatan, CardShipped) => Some((Ppp, Kecamatan, step_after(last.step))),
            (Collection::Kecamatan, CardActivated) => {
                Some((Penduduk, Kecamatan, step_after(&step_after(last.step))))
            }
            (Collection::DinasDesk, CardActivated) => {
                Some((last.role, last.place, last.step.to_owned()))
            }
            _ => None,
        }
    }
}

/// `S06.4` → `S06.5`: the step that follows (a step id without a number stays as it is).
pub fn step_after(step: &str) -> String {
    match step.rsplit_once('.') {
        Some((sop, n)) => match n.parse::<u8>() {
            Ok(n) => format!("{sop}.{}", n + 1),
            Err(_) => step.to_owned(),
        },
        None => step.to_owned(),
    }
}

/// The procedure as a trainee at a desk reads it: what to receive, then who does what, where,
/// hop by hop (`ktpel sop S05`).
impl fmt::Display for Sop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} — {}", self.id, self.title)?;
        if self.checklist.groups.is_empty() {
            writeln!(
                f,
                "  documents: none (a procedure of the system, not of a berkas)"
            )?;
        } else {
            writeln!(f, "  documents:")?;
            for group in self.checklist.groups {
                let names: Vec<&str> = group.iter().map(|d| d.name()).collect();
                match names.as_slice() {
                    [one] => writeln!(f, "    - {one}")?,
                    more => writeln!(f, "    - one of: {}", more.join(", "))?,
                }
            }
        }
        if let Some(r) = self.replacement() {
            let old = match r.surrendered {
                Some(d) => format!("the old card ({d}) is handed in and archived (S22.5)"),
                None => "no old card: it is revoked when the berkas is accepted".to_owned(),
            };
            writeln!(f, "  reason: {}; {old}", r.reason)?;
            let collect = match self.collection() {
                Collection::Kecamatan => "at the kecamatan, through distribution (S22)",
                Collection::DinasDesk => "at the Dinas desk, with a tanda terima",
            };
            writeln!(f, "  the card is collected {collect}")?;
        }
        match self.route {
            None => writeln!(f, "  route: not routed in this system yet"),
            Some(route) => {
                writeln!(f, "  route:")?;
                for (i, hop) in route.iter().enumerate() {
                    writeln!(
                        f,
                        "    {}. {:<7} {:<28} at the {:<9} {}",
                        i + 1,
                        hop.step,
                        hop.to_string(),
                        hop.desk.name(),
                        hop.action
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl Desk {
    /// The desk as people call it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Loket => "loket",
            Self::Perekaman => "perekaman",
            Self::Siak => "SIAK",
            Self::Cetak => "BCardMgmt",
        }
    }
}

use Dokumen::*;
use Place::*;
use Role::*;

const S01_TO_S03_DOCS: &[&[Dokumen]] = &[
    &[FormulirPermohonan],
    &[FotokopiKk, FotokopiKtpNonElektronik],
];
const NEW_RESIDENT_DOCS: &[&[Dokumen]] = &[
    &[FormulirPencatatanBiodata],
    &[FormulirBiodataPenduduk],
    &[AktaKelahiranAtauIjazah],
];
const WRONG_DATA_DOCS: &[&[Dokumen]] = &[&[KtpElSalah], &[FormulirPermohonan], &[DokumenPendukung]];
const DAMAGED_DOCS: &[&[Dokumen]] = &[&[KtpElRusak], &[FormulirPermohonan], &[DokumenPendukung]];
const LOST_DOCS: &[&[Dokumen]] = &[
    &[SuratKehilangan],
    &[FormulirPermohonan],
    &[DokumenPendukung],
];
/// S13/S14: the supporting document is the one the element changed needs (the contract's
/// `PerubahanBiodata::dokumen_needed`), any of these.
const CHANGE_DOCS: &[&[Dokumen]] = &[
    &[KtpElLama],
    &[FormulirPermohonan],
    &[
        DokumenPendukung,
        BukuNikahAtauAktaCerai,
        Ijazah,
        SuratKeteranganKerja,
        SuratKeteranganAgama,
    ],
];
const MOVE_DOCS: &[&[Dokumen]] = &[
    &[KtpElLama],
    &[SuratKeteranganPindah],
    &[FormulirKedatangan],
];
const NO_DOCS: &[&[Dokumen]] = &[];

/// S01 — static station, online.
const S01_ROUTE: &[Hop] = &[
    Hop {
        role: Ppp,
        place: Kecamatan,
        desk: Desk::Loket,
        step: "S01.2",
        action: "receives the berkas, verifies and validates it, writes it in the buku harian",
    },
    Hop {
        role: Operator,
        place: Kecamatan,
        desk: Desk::Perekaman,
        step: "S01.3",
        action: "opens the record, captures photo, signature, fingerprints and iris, verifies both index fingers, takes the resident's e-signature, validates with own fingerprint, stores on the server (S01.3–S01.6)",
    },
    Hop {
        role: Ppp,
        place: Kecamatan,
        desk: Desk::Loket,
        step: "S01.7",
        action: "archives the berkas and gives the bukti perekaman (S01.7–S01.8)",
    },
];

/// S02 — static station, offline: the operator backs the enrollment up for S20.
const S02_ROUTE: &[Hop] = &[
    Hop {
        role: Ppp,
        place: Kecamatan,
        desk: Desk::Loket,
        step: "S02.2",
        action: "receives the berkas, verifies and validates it, writes it in the buku harian",
    },
    Hop {
        role: Operator,
        place: Kecamatan,
        desk: Desk::Perekaman,
        step: "S02.3",
        action: "captures and verifies as in S01, then backs the enrollment up to be sent through an online Server AFIS (S20)",
    },
    Hop {
        role: Ppp,
        place: Kecamatan,
        desk: Desk::Loket,
        step: "S02.7",
        action: "archives the berkas and gives the bukti perekaman",
    },
];

/// S04 — SIAK online at the kecamatan: the kecamatan's operator enters the Formulir Biodata
/// in SIAK (the kabupaten/kota's database, at the Dinas), then enrolls the resident.
const S04_ROUTE: &[Hop] = &[
    Hop {
        role: Ppp,
        place: Kecamatan,
        desk: Desk::Loket,
        step: "S04.2",
        action: "receives the berkas, verifies and validates it, writes the buku harian, gives the salinan permohonan",
    },
    Hop {
        role: Operator,
        place: Kecamatan,
        desk: Desk::Siak,
        step: "S04.3",
        action: "enters the Formulir Biodata in SIAK, makes sure it reached the kabupaten/kota's population database server (the resident gets a NIK)",
    },
    Hop {
        role: Operator,
        place: Kecamatan,
        desk: Desk::Perekaman,
        step: "S04.4",
        action: "opens the record through the AFIS application, captures photo, signature, fingerprints and iris, verifies both index fingers, takes the e-signature, validates with own fingerprint, stores on the server (S04.4–S04.6)",
    },
    Hop {
        role: Ppp,
        place: Kecamatan,
        desk: Desk::Loket,
        step: "S04.7",
        action: "archives the berkas and gives the bukti perekaman (S04.7–S04.8)",
    },
];

/// S05 — SIAK offline at the kecamatan: the berkas goes to the Dinas for SIAK and the KK, and
/// comes back; enrollment follows as S01/S02/S03 (S05.7).
const S05_ROUTE: &[Hop] = &[
    Hop {
        role: Ppp,
        place: Kecamatan,
        desk: Desk::Loket,
        step: "S05.2",
        action: "receives the berkas, verifies and validates it, writes the buku harian, gives the salinan permohonan, sends the berkas to the Dinas ppp",
    },
    Hop {
        role: Ppp,
        place: Dinas,
        desk: Desk::Loket,
        step: "S05.3",
        action: "receives the berkas from the kecamatan, verifies and validates it, writes the buku harian, hands it to the Dinas operator",
    },
    Hop {
        role: Operator,
        place: Dinas,
        desk: Desk::Siak,
        step: "S05.4",
        action: "enters the Formulir Biodata in SIAK (the resident gets a NIK), prints the KK, reports to the adb",
    },
    Hop {
        role: Ppp,
        place: Dinas,
        desk: Desk::Loket,
        step: "S05.5",
        action: "has the KK signed and stamped, sends the berkas and the KK to the kecamatan",
    },
    Hop {
        role: Ppp,
        place: Kecamatan,
        desk: Desk::Loket,
        step: "S05.6",
        action: "receives the KK, tells the resident that enrollment can now be done (S05.6–S05.7)",
    },
];

/// The Dinas's part of a relocation (S15–S17) from its printing desk on: the KK and a KTP-el
/// for every member printed and the chips verified, the kepala_seksi's check (the step
/// after), then the Dinas ppp has the KK signed and stamped, hands the cards to distribution
/// and archives the berkas; the kecamatan's ppp receives them with the Berita Acara and the
/// family collects (the two steps after).
macro_rules! relocation_at_the_dinas {
    ($print:literal, $ppp:literal) => {
        [
            Hop {
                role: Operator,
                place: Dinas,
                desk: Desk::Cetak,
                step: $print,
                action: "prints the new KK and a KTP-el for every member of the family who has one, verifies the chips (S21); the kepala_seksi checks them against the berkas",
            },
            Hop {
                role: Ppp,
                place: Dinas,
                desk: Desk::Loket,
                step: $ppp,
                action: "has the KK signed and stamped, hands the cards to the petugas_distribusi (S22.1), archives the berkas; the kecamatan's ppp receives KK and KTP-el with the Berita Acara and the family collects them with a tanda terima",
            },
        ]
    };
}

const ARRIVAL: &str = "runs the arrival (proses kedatangan) in SIAK: the whole family at its new address under a new KK";

/// S15 — relocation within one kabupaten/kota, online: the kecamatan of arrival runs the
/// arrival in SIAK itself, then sends the berkas to the Dinas.
const S15_ROUTE: &[Hop] = &{
    let dinas = relocation_at_the_dinas!("S15.7", "S15.9");
    [
        Hop {
            role: Ppp,
            place: Kecamatan,
            desk: Desk::Loket,
            step: "S15.2",
            action: "sees the old KTP-el, receives the Surat Keterangan Pindah and the arrival form, verifies and validates them, writes the buku harian, hands the berkas to the kecamatan's operator",
        },
        Hop {
            role: Operator,
            place: Kecamatan,
            desk: Desk::Siak,
            step: "S15.3",
            action: ARRIVAL,
        },
        Hop {
            role: Ppp,
            place: Kecamatan,
            desk: Desk::Loket,
            step: "S15.4",
            action: "has the camat sign the Surat Keterangan Kedatangan, sends the berkas to the Dinas and gives the resident a receipt (S15.4–S15.5)",
        },
        Hop {
            role: Ppp,
            place: Dinas,
            desk: Desk::Loket,
            step: "S15.6",
            action: "receives the berkas from the kecamatan, verifies and validates it, writes the buku harian, hands it to the operator",
        },
        dinas[0],
        dinas[1],
    ]
};

/// S16 — within one kabupaten/kota, offline: the kecamatan only verifies and forwards; the
/// Dinas's operator runs the arrival.
const S16_ROUTE: &[Hop] = &{
    let dinas = relocation_at_the_dinas!("S16.5", "S16.7");
    [
        Hop {
            role: Ppp,
            place: Kecamatan,
            desk: Desk::Loket,
            step: "S16.2",
            action: "sees the old KTP-el, receives the Surat Keterangan Pindah and the arrival form, verifies and validates them, writes the buku harian, forwards the berkas to the Dinas ppp, gives the resident a receipt",
        },
        Hop {
            role: Ppp,
            place: Dinas,
            desk: Desk::Loket,
            step: "S16.3",
            action: "receives the berkas from the kecamatan, verifies and validates it, writes the buku harian, hands it to the operator",
        },
        Hop {
            role: Operator,
            place: Dinas,
            desk: Desk::Siak,
            step: "S16.4",
            action: ARRIVAL,
        },
        dinas[0],
        dinas[1],
    ]
};

/// S17 — within one kabupaten/kota, at the Dinas desk: the cards still reach the family
/// through distribution.
const S17_ROUTE: &[Hop] = &{
    let dinas = relocation_at_the_dinas!("S17.4", "S17.6");
    [
        Hop {
            role: Ppp,
            place: Dinas,
            desk: Desk::Loket,
            step: "S17.2",
            action: "sees the old KTP-el, receives the Surat Keterangan Pindah and the arrival form, verifies and validates them, writes the buku harian, hands the berkas to the operator",
        },
        Hop {
            role: Operator,
            place: Dinas,
            desk: Desk::Siak,
            step: "S17.3",
            action: ARRIVAL,
        },
        dinas[0],
        dinas[1],
    ]
};

/// S18 — between kabupaten/kota: S17's flow at the destination Dinas, for a family its SIAK
/// received from the origin's (the Surat Keterangan Pindah, handed over through the Pusat Data).
const S18_ROUTE: &[Hop] = &{
    let dinas = relocation_at_the_dinas!("S18.4", "S18.6");
    [
        Hop {
            role: Ppp,
            place: Dinas,
            desk: Desk::Loket,
            step: "S18.2",
            action: "sees the KTP-el from the place of origin, receives the Surat Keterangan Pindah from the origin's Dinas and the arrival form, verifies and validates them, writes the buku harian, hands the berkas to the operator",
        },
        Hop {
            role: Operator,
            place: Dinas,
            desk: Desk::Siak,
            step: "S18.3",
            action: "runs the arrival in SIAK for the family the origin handed over: the whole family at its new address under a new KK of this kabupaten/kota",
        },
        dinas[0],
        dinas[1],
    ]
};

/// S03 — mobile station: one operator_mobile does everything.
const S03_ROUTE: &[Hop] = &[
    Hop {
        role: OperatorMobile,
        place: Mobile,
        desk: Desk::Loket,
        step: "S03",
        action: "receives the berkas, verifies and validates it, writes it in the buku harian",
    },
    Hop {
        role: OperatorMobile,
        place: Mobile,
        desk: Desk::Perekaman,
        step: "S03",
        action: "captures and verifies as in S01, backs the data up for an online Server AFIS (S20)",
    },
    Hop {
        role: OperatorMobile,
        place: Mobile,
        desk: Desk::Loket,
        step: "S03",
        action: "archives the berkas and gives the bukti perekaman",
    },
];

/// Section C, variant A: the kecamatan's counter (Sxx.2) forwards the berkas to the Dinas's
/// (Sxx.3); the operator does the reason's SIAK work (Sxx.4), prints and verifies the card,
/// the kepala_seksi checks it (Sxx.5); the Dinas ppp hands it to distribution and archives
/// the berkas (Sxx.6); the kecamatan's ppp receives it with the Berita Acara (Sxx.7, S22.3)
/// and the resident collects it (Sxx.8, S22.4). The slide draws the flow as arrows: the
/// numbers are theirs in order, step 1 being the resident bringing the berkas.
macro_rules! replacement_a {
    ($id:literal, $old:literal $(, siak: $work:literal)?) => {
        &[
            Hop {
                role: Ppp,
                place: Kecamatan,
                desk: Desk::Loket,
                step: concat!("S", $id, ".2"),
                action: concat!("receives the berkas", $old, ", verifies and validates it, writes the buku harian, gives the salinan permohonan, forwards the berkas to the Dinas ppp"),
            },
            Hop {
                role: Ppp,
                place: Dinas,
                desk: Desk::Loket,
                step: concat!("S", $id, ".3"),
                action: "receives the berkas from the kecamatan, verifies and validates it, writes the buku harian, hands it to the Dinas operator",
            },
            $(Hop {
                role: Operator,
                place: Dinas,
                desk: Desk::Siak,
                step: concat!("S", $id, ".4"),
                action: $work,
            },)?
            Hop {
                role: Operator,
                place: Dinas,
                desk: Desk::Cetak,
                step: concat!("S", $id, ".4"),
                action: concat!("prints the KTP-el and verifies the chip data (S21); the kepala_seksi checks the card against the berkas (S", $id, ".5)"),
            },
            Hop {
                role: Ppp,
                place: Dinas,
                desk: Desk::Loket,
                step: concat!("S", $id, ".6"),
                action: concat!("hands the card to the petugas_distribusi (S22.1) and archives the berkas; the kecamatan's ppp receives the card with the Berita Acara (S", $id, ".7) and the resident collects it with a tanda terima (S", $id, ".8)"),
            },
        ]
    };
}

/// Section C, variant B: all at the Dinas desk — the ppp (Sxx.2), the operator's SIAK work,
/// printing and chip check (Sxx.3), the kepala_seksi's check (Sxx.4), the ppp archives the
/// berkas and the old card and hands the new one over with a tanda terima (Sxx.5).
macro_rules! replacement_b {
    ($id:literal, $old:literal $(, siak: $work:literal)? $(, recapture: $again:literal)?) => {
        &[
            Hop {
                role: Ppp,
                place: Dinas,
                desk: Desk::Loket,
                step: concat!("S", $id, ".2"),
                action: concat!("receives the berkas", $old, ", verifies and validates it, writes the buku harian, hands it to the operator"),
            },
            $(Hop {
                role: Operator,
                place: Dinas,
                desk: Desk::Siak,
                step: concat!("S", $id, ".3"),
                action: $work,
            },)?
            $(Hop {
                role: Operator,
                place: Dinas,
                desk: Desk::Perekaman,
                step: concat!("S", $id, ".3"),
                action: $again,
            },)?
            Hop {
                role: Operator,
                place: Dinas,
                desk: Desk::Cetak,
                step: concat!("S", $id, ".3"),
                action: concat!("prints the KTP-el and verifies the chip data (S21); the kepala_seksi checks the card against the berkas (S", $id, ".4)"),
            },
            Hop {
                role: Ppp,
                place: Dinas,
                desk: Desk::Loket,
                step: concat!("S", $id, ".5"),
                action: "archives the berkas and the old card; hands the new card to the resident, who signs the tanda terima",
            },
        ]
    };
}

const fn sop(
    n: u8,
    kind: Kind,
    title: &'static str,
    groups: &'static [&'static [Dokumen]],
    route: Option<&'static [Hop]>,
) -> Sop {
    Sop {
        id: SopId(n),
        title,
        kind,
        checklist: Checklist { groups },
        route,
    }
}

/// A replacement card's entry (section C).
const fn pengganti(
    n: u8,
    title: &'static str,
    groups: &'static [&'static [Dokumen]],
    route: Option<&'static [Hop]>,
    reason: &'static str,
    surrendered: Option<Dokumen>,
    siak: Option<SiakWork>,
) -> Sop {
    let replacement = Replacement {
        reason,
        surrendered,
        lost: surrendered.is_none(),
        siak,
    };
    sop(n, Kind::Replacement(replacement), title, groups, route)
}

/// Every procedure of SOP.md, indexed by number − 1.
pub const CATALOGUE: [Sop; 22] = [
    sop(
        1,
        Kind::FirstCard,
        "Enrollment at a static station, online (resident already registered)",
        S01_TO_S03_DOCS,
        Some(S01_ROUTE),
    ),
    sop(
        2,
        Kind::FirstCard,
        "Enrollment at a static station, offline",
        S01_TO_S03_DOCS,
        Some(S02_ROUTE),
    ),
    sop(
        3,
        Kind::FirstCard,
        "Enrollment at a mobile station",
        S01_TO_S03_DOCS,
        Some(S03_ROUTE),
    ),
    sop(
        4,
        Kind::NewResident,
        "New resident, SIAK online at the kecamatan",
        NEW_RESIDENT_DOCS,
        Some(S04_ROUTE),
    ),
    sop(
        5,
        Kind::NewResident,
        "New resident, SIAK offline",
        NEW_RESIDENT_DOCS,
        Some(S05_ROUTE),
    ),
    pengganti(
        6,
        "Replacement: wrong data (A, at the kecamatan)",
        WRONG_DATA_DOCS,
        Some(
            replacement_a!("06", " and the wrong KTP-el", siak: "corrects the wrong data in SIAK"),
        ),
        "salah data",
        Some(KtpElSalah),
        Some(SiakWork::Correct),
    ),
    pengganti(
        7,
        "Replacement: wrong data (B, at the Dinas)",
        WRONG_DATA_DOCS,
        Some(
            replacement_b!("07", " and the wrong KTP-el", siak: "corrects the wrong data in SIAK"),
        ),
        "salah data",
        Some(KtpElSalah),
        Some(SiakWork::Correct),
    ),
    pengganti(
        8,
        "Replacement: wrong photo and/or signature (B)",
        WRONG_DATA_DOCS,
        Some(
            replacement_b!("08", " and the wrong KTP-el", recapture: "re-captures the pas photo and/or the signature at the Dinas's station (the fingerprints on record stand)"),
        ),
        "salah pas photo dan/atau tanda tangan",
        Some(KtpElSalah),
        None,
    ),
    pengganti(
        9,
        "Replacement: physically damaged (A)",
        DAMAGED_DOCS,
        Some(replacement_a!("09", " and the damaged KTP-el")),
        "rusak secara fisik",
        Some(KtpElRusak),
        None,
    ),
    pengganti(
        10,
        "Replacement: physically damaged (B)",
        DAMAGED_DOCS,
        Some(
            replacement_b!("10", " and the damaged KTP-el", recapture: "re-captures the pas photo and/or the signature at the Dinas's station, as the slide repeats from S08 (the fingerprints on record stand)"),
        ),
        "rusak secara fisik",
        Some(KtpElRusak),
        None,
    ),
    pengganti(
        11,
        "Replacement: lost (A)",
        LOST_DOCS,
        Some(replacement_a!(
            "11",
            " with the police's Surat Keterangan Kehilangan"
        )),
        "hilang",
        None,
        None,
    ),
    pengganti(
        12,
        "Replacement: lost (B)",
        LOST_DOCS,
        Some(
            replacement_b!("12", " with the police's Surat Keterangan Kehilangan", recapture: "re-captures the pas photo and/or the signature at the Dinas's station, as S10 (the fingerprints on record stand)"),
        ),
        "hilang",
        None,
        None,
    ),
    pengganti(
        13,
        "Replacement: a data element changed (A)",
        CHANGE_DOCS,
        Some(
            replacement_a!("13", " and the old KTP-el", siak: "changes the data element in SIAK (address, name…)"),
        ),
        "perubahan elemen data",
        Some(KtpElLama),
        Some(SiakWork::Change),
    ),
    pengganti(
        14,
        "Replacement: a data element changed (B)",
        CHANGE_DOCS,
        Some(
            replacement_b!("14", " and the old KTP-el", siak: "changes the data element in SIAK (address, name…)"),
        ),
        "perubahan elemen data",
        Some(KtpElLama),
        Some(SiakWork::Change),
    ),
    sop(
        15,
        Kind::Relocation(Move::WithinKabupaten),
        "Relocation within one kabupaten/kota, online",
        MOVE_DOCS,
        Some(S15_ROUTE),
    ),
    sop(
        16,
        Kind::Relocation(Move::WithinKabupaten),
        "Relocation within one kabupaten/kota, offline",
        MOVE_DOCS,
        Some(S16_ROUTE),
    ),
    sop(
        17,
        Kind::Relocation(Move::WithinKabupaten),
        "Relocation within one kabupaten/kota, at the Dinas desk",
        MOVE_DOCS,
        Some(S17_ROUTE),
    ),
    sop(
        18,
        Kind::Relocation(Move::BetweenKabupaten),
        "Relocation between kabupaten/kota",
        MOVE_DOCS,
        Some(S18_ROUTE),
    ),
    sop(
        19,
        Kind::System,
        "Sending enrollment data, online (NID Scheduler)",
        NO_DOCS,
        None,
    ),
    sop(
        20,
        Kind::System,
        "Sending enrollment data, offline (backup import)",
        NO_DOCS,
        None,
    ),
    sop(
        21,
        Kind::System,
        "Printing the KTP-el (BCardMgmt)",
        NO_DOCS,
        None,
    ),
    sop(
        22,
        Kind::System,
        "Distributing the KTP-el to residents",
        NO_DOCS,
        None,
    ),
];

#[cfg(test)]
mod tests {

    #[test]
    fn every_procedure_has_a_name_of_its_own_in_bahasa_indonesia() {
        let names: std::collections::HashSet<_> =
            SopId::all().map(|id| Sop::get(id).judul()).collect();
        assert_eq!(names.len(), 22);
        assert_ne!(
            Sop::get(SopId::new(22).unwrap()).judul(),
            Sop::get(SopId::new(21).unwrap()).judul()
        );
    }

    use super::*;

    fn s(n: u8) -> &'static Sop {
        Sop::get(SopId::new(n).unwrap())
    }

    /// `role@place desk step` for each hop of Sn's route.
    fn hops(n: u8) -> Vec<String> {
        s(n).route()
            .unwrap()
            .iter()
            .map(|h| format!("{h} {} {}", h.desk.subject(), h.step))
            .collect()
    }

    /// SOP.md: the A variants and S15/S16 at the kecamatan, the B variants, S17 and S18 at the
    /// Dinas desk.
    #[test]
    fn each_berkas_is_taken_where_its_first_step_is() {
        let at = |place| {
            (1..=22)
                .filter(|n| s(*n).taken_at() == Some(place))
                .collect::<Vec<u8>>()
        };
        assert_eq!(at(Place::Dinas), [7, 8, 10, 12, 14, 17, 18]);
        assert_eq!(at(Place::Kecamatan), [1, 2, 4, 5, 6, 9, 11, 13, 15, 16]);
        assert_eq!(s(3).taken_at(), Some(Place::Mobile));
        assert_eq!(s(19).taken_at(), None);
    }

    #[test]
    fn sop_ids_parse_and_print() {
        assert_eq!("S01".parse::<SopId>().unwrap().to_string(), "S01");
        assert_eq!("s22".parse::<SopId>().unwrap().number(), 22);
        for bad in ["S00", "S23", "S1", "01", "S0x", "", "S001"] {
            assert!(bad.parse::<SopId>().is_err(), "{bad}");
        }
        assert_eq!(
            serde_json::to_string(&SopId::new(3).unwrap()).unwrap(),
            "\"S03\""
        );
        assert!(serde_json::from_str::<SopId>("\"S99\"").is_err());
    }

    #[test]
    fn every_id_has_its_own_entry() {
        for id in SopId::all() {
            assert_eq!(Sop::get(id).id, id);
        }
        assert_eq!(SopId::all().count(), 22);
    }

    #[test]
    fn s01_route_follows_the_slide() {
        let route = s(1).route().unwrap();
        let hops: Vec<String> = route.iter().map(|h| format!("{h} {}", h.step)).collect();
        assert_eq!(
            hops,
            [
                "ppp@kecamatan S01.2",
                "operator@kecamatan S01.3",
                "ppp@kecamatan S01.7"
            ]
        );
    }

    #[test]
    fn s03_is_one_mobile_operator_throughout() {
        let route = s(3).route().unwrap();
        assert!(
            route
                .iter()
                .all(|h| h.role == Role::OperatorMobile && h.place == Place::Mobile)
        );
    }

    #[test]
    fn s03_hands_the_berkas_between_the_desks_of_one_person() {
        // One operator_mobile, but the berkas still goes counter → station → counter, to the
        // services that run those desks (their hand-off subjects).
        let desks: Vec<&str> = s(3)
            .route()
            .unwrap()
            .iter()
            .map(|h| h.desk.subject())
            .collect();
        assert_eq!(desks, ["ppp", "operator", "ppp"]);
        for n in 1..=3 {
            let route = s(n).route().unwrap();
            assert_eq!(route[1].desk, Desk::Perekaman, "S0{n}");
        }
    }

    #[test]
    fn s05_goes_to_the_dinas_for_siak_and_comes_back() {
        assert_eq!(
            hops(5),
            [
                "ppp@kecamatan ppp S05.2",
                "ppp@dinas ppp S05.3",
                "operator@dinas siak S05.4",
                "ppp@dinas ppp S05.5",
                "ppp@kecamatan ppp S05.6"
            ]
        );
        assert!(s(5).new_resident() && s(4).new_resident());
        assert!(!s(1).new_resident() && !s(11).new_resident());
    }

    #[test]
    fn s04_enters_siak_then_enrolls_at_the_kecamatan() {
        assert_eq!(
            hops(4),
            [
                "ppp@kecamatan ppp S04.2",
                "operator@kecamatan siak S04.3",
                "operator@kecamatan operator S04.4",
                "ppp@kecamatan ppp S04.7"
            ]
        );
    }

    #[test]
    fn a_procedure_reads_as_the_slide() {
        let text = s(5).to_string();
        assert!(
            text.starts_with("S05 — New resident, SIAK offline"),
            "{text}"
        );
        assert!(text.contains("    - formulir_biodata_penduduk"), "{text}");
        assert!(
            text.contains("3. S05.4   operator@dinas"),
            "the SIAK hop, numbered: {text}"
        );
        assert!(text.contains("at the SIAK"), "{text}");
        let text = s(1).to_string();
        assert!(
            text.contains("one of: fotokopi_kk, fotokopi_ktp_non_elektronik"),
            "{text}"
        );
        assert!(s(19).to_string().contains("not routed in this system yet"));
        let text = s(11).to_string();
        assert!(text.contains("reason: hilang; no old card"), "{text}");
        assert!(text.contains("through distribution (S22)"), "{text}");
        assert!(text.contains("at the BCardMgmt"), "{text}");
    }

    #[test]
    fn unrouted_procedures_say_so() {
        assert!(s(19).route().is_none());
        assert!(s(22).route().is_none());
    }

    #[test]
    fn an_a_replacement_goes_to_the_dinas_and_comes_back_through_distribution() {
        assert_eq!(
            hops(6),
            [
                "ppp@kecamatan ppp S06.2",
                "ppp@dinas ppp S06.3",
                "operator@dinas siak S06.4",
                "operator@dinas cetak S06.4",
                "ppp@dinas ppp S06.6"
            ]
        );
        // No SIAK work for a damaged or lost card.
        assert_eq!(
            hops(11),
            [
                "ppp@kecamatan ppp S11.2",
                "ppp@dinas ppp S11.3",
                "operator@dinas cetak S11.4",
                "ppp@dinas ppp S11.6"
            ]
        );
        assert_eq!(s(6).collection(), Collection::Kecamatan);
        assert_eq!(s(1).collection(), Collection::Kecamatan);
        assert_eq!(
            s(13).status_step(crate::StatusKartu::CardActivated),
            Some((Penduduk, Kecamatan, "S13.8".into()))
        );
        assert_eq!(s(1).status_step(crate::StatusKartu::CardActivated), None);
    }

    #[test]
    fn a_b_replacement_stays_at_the_dinas_desk() {
        assert_eq!(
            hops(14),
            [
                "ppp@dinas ppp S14.2",
                "operator@dinas siak S14.3",
                "operator@dinas cetak S14.3",
                "ppp@dinas ppp S14.5"
            ]
        );
        assert_eq!(s(7).collection(), Collection::DinasDesk);
        assert_eq!(
            s(7).status_step(crate::StatusKartu::CardActivated),
            Some((Ppp, Dinas, "S07.5".into()))
        );
        assert_eq!(s(7).status_step(crate::StatusKartu::CardShipped), None);
        assert_eq!(
            s(7).status_step(crate::StatusKartu::Prr),
            Some((Operator, Dinas, "S07.3".into()))
        );
        assert_eq!(
            s(7).status_step(crate::StatusKartu::CardPrinted),
            Some((KepalaSeksi, Dinas, "S07.4".into()))
        );
        assert_eq!(
            s(9).status_step(crate::StatusKartu::CardShipped),
            Some((Ppp, Kecamatan, "S09.7".into()))
        );
        assert_eq!(step_after("S03"), "S03");
    }

    #[test]
    fn a_relocation_moves_the_family_in_siak_then_prints_at_the_dinas() {
        assert_eq!(
            hops(15),
            [
                "ppp@kecamatan ppp S15.2",
                "operator@kecamatan siak S15.3",
                "ppp@kecamatan ppp S15.4",
                "ppp@dinas ppp S15.6",
                "operator@dinas cetak S15.7",
                "ppp@dinas ppp S15.9"
            ]
        );
        assert_eq!(
            hops(16),
            [
                "ppp@kecamatan ppp S16.2",
                "ppp@dinas ppp S16.3",
                "operator@dinas siak S16.4",
                "operator@dinas cetak S16.5",
                "ppp@dinas ppp S16.7"
            ]
        );
        assert_eq!(hops(17)[0], "ppp@dinas ppp S17.2");
        for n in 15..=18 {
            assert!(s(n).relocation(), "S{n}");
            assert_eq!(s(n).surrendered(), Some(KtpElLama));
            assert!(s(n).replacement().is_none());
        }
        assert_eq!(hops(18)[1], "operator@dinas siak S18.3");
        assert!(s(18).between_kabupaten() && !s(17).between_kabupaten());
        for n in 15..=18 {
            assert_eq!(s(n).siak_work(), Some(SiakWork::Arrival));
            // Even S17, taken at the Dinas desk, goes out through distribution.
            assert_eq!(s(n).collection(), Collection::Kecamatan);
        }
        assert_eq!(
            s(15).status_step(crate::StatusKartu::CardActivated),
            Some((Penduduk, Kecamatan, "S15.11".into()))
        );
        assert_eq!(
            s(17).status_step(crate::StatusKartu::CardPrinted),
            Some((KepalaSeksi, Dinas, "S17.5".into()))
        );
        assert_eq!(s(11).surrendered(), None);
        assert_eq!(s(1).surrendered(), None);
        assert!(!s(13).relocation());
    }

    #[test]
    fn s08_s10_s12_recapture_at_the_dinas_station() {
        for n in [8, 10, 12] {
            let id = format!("S{n:02}");
            assert_eq!(
                hops(n),
                [
                    format!("ppp@dinas ppp {id}.2"),
                    format!("operator@dinas operator {id}.3"),
                    format!("operator@dinas cetak {id}.3"),
                    format!("ppp@dinas ppp {id}.5"),
                ]
            );
            assert!(s(n).recaptures(), "{id}");
        }
        assert!(!s(1).recaptures() && !s(7).recaptures() && !s(9).recaptures());
        // Every replacement is routed now.
        assert!((6..=14).all(|n| s(n).route().is_some()));
    }

    #[test]
    fn a_replacement_names_siak_work_exactly_when_its_route_passes_siak() {
        for sop in &CATALOGUE {
            if let Kind::Replacement(r) = sop.kind {
                let at_siak = sop.route().unwrap().iter().any(|h| h.desk == Desk::Siak);
                assert_eq!(r.siak.is_some(), at_siak, "{}", sop.id);
            }
        }
    }

    #[test]
    fn the_kind_follows_the_sections_of_the_sop() {
        let kinds: Vec<Kind> = CATALOGUE.iter().map(|s| s.kind).collect();
        assert!(kinds[..3].iter().all(|k| *k == Kind::FirstCard));
        assert!(kinds[3..5].iter().all(|k| *k == Kind::NewResident));
        assert!(
            kinds[5..14]
                .iter()
                .all(|k| matches!(k, Kind::Replacement(_)))
        );
        assert!(
            kinds[14..17]
                .iter()
                .all(|k| *k == Kind::Relocation(Move::WithinKabupaten))
        );
        assert_eq!(kinds[17], Kind::Relocation(Move::BetweenKabupaten));
        assert!(kinds[18..].iter().all(|k| *k == Kind::System));
        // A procedure of the system has no route; every procedure of a berkas has one.
        for sop in &CATALOGUE {
            assert_eq!(
                sop.route().is_none(),
                sop.kind == Kind::System,
                "{}",
                sop.id
            );
        }
    }

    #[test]
    fn each_reason_has_its_siak_work_and_its_old_card() {
        assert_eq!(s(4).siak_work(), Some(SiakWork::Register));
        assert_eq!(s(5).siak_work(), Some(SiakWork::Register));
        assert_eq!(s(6).siak_work(), Some(SiakWork::Correct));
        assert_eq!(s(7).siak_work(), Some(SiakWork::Correct));
        assert_eq!(s(13).siak_work(), Some(SiakWork::Change));
        assert_eq!(s(14).siak_work(), Some(SiakWork::Change));
        for n in [1, 9, 11] {
            assert_eq!(s(n).siak_work(), None, "S{n:02}");
        }
        assert_eq!(s(1).replacement(), None);
        let lost = s(11).replacement().unwrap();
        assert!(lost.lost && lost.surrendered.is_none());
        assert_eq!(s(9).replacement().unwrap().surrendered, Some(KtpElRusak));
        assert_eq!(s(13).replacement().unwrap().surrendered, Some(KtpElLama));
        assert!(!s(6).replacement().unwrap().lost);
        // Every replacement is one, routed or not.
        assert!((6..=14).all(|n| s(n).replacement().is_some()));
    }

    #[test]
    fn s01_takes_the_kk_copy_or_the_old_ktp() {
        let c = s(1).checklist();
        assert!(c.check(&[FormulirPermohonan, FotokopiKk]).is_ok());
        assert!(
            c.check(&[FotokopiKtpNonElektronik, FormulirPermohonan])
                .is_ok()
        );
    }

    #[test]
    fn missing_documents_are_named() {
        let err = s(1).checklist().check(&[FotokopiKk]).unwrap_err();
        assert_eq!(err.to_string(), "missing documents: formulir_permohonan");
        let err = s(1).checklist().check(&[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "missing documents: formulir_permohonan; one of fotokopi_kk or fotokopi_ktp_non_elektronik"
        );
        let err = s(11).checklist().check(&[FormulirPermohonan]).unwrap_err();
        assert!(err.to_string().contains("surat_kehilangan"));
    }

    #[test]
    fn missing_documents_are_named_on_paper_in_bahasa_indonesia() {
        let err = s(1).checklist().check(&[]).unwrap_err();
        assert_eq!(
            err.pesan(),
            format!(
                "dokumen belum lengkap: {}; salah satu dari {} atau {}",
                FormulirPermohonan.label(),
                FotokopiKk.label(),
                FotokopiKtpNonElektronik.label()
            )
        );
    }

    #[test]
    fn document_names_round_trip() {
        for d in Dokumen::ALL {
            assert_eq!(d.name().parse::<Dokumen>(), Ok(d));
            assert_eq!(
                serde_json::to_string(&d).unwrap(),
                format!("\"{}\"", d.name())
            );
        }
        assert!("kk".parse::<Dokumen>().is_err());
    }
}
