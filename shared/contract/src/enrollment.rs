//! Enrollment (perekaman): the capture at the operator's station, the record on its way to
//! the Pusat Data, and the answer that comes back.

use crate::Message;
use chrono::{DateTime, Utc};
use ktpel_domain::{Nik, StatusKartu};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Routing subject of [`EnrollmentCaptured`] (station → biometric).
pub const CAPTURED: &str = "enrollment.captured";
/// Routing subject of [`EnrollmentRefused`] (biometric → station).
pub const REFUSED: &str = "enrollment.refused";
/// Routing subject of [`EnrollmentCreated`] (biometric → afis-sync).
pub const CREATED: &str = "enrollment.created";
/// Routing subject of [`EnrollmentRecord`] (afis-sync → Pusat Data).
pub const TO_PUSAT_DATA: &str = "pusat_data.enrollment";
/// Routing subject of [`CardStatusChanged`] (Pusat Data, card-print, distribution → all).
pub const CARD_STATUS: &str = "card.status";

/// Which finger a template is of (the ten, thumbs first, right hand first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finger {
    RightThumb,
    RightIndex,
    RightMiddle,
    RightRing,
    RightLittle,
    LeftThumb,
    LeftIndex,
    LeftMiddle,
    LeftRing,
    LeftLittle,
}

impl Finger {
    pub const ALL: [Finger; 10] = [
        Self::RightThumb,
        Self::RightIndex,
        Self::RightMiddle,
        Self::RightRing,
        Self::RightLittle,
        Self::LeftThumb,
        Self::LeftIndex,
        Self::LeftMiddle,
        Self::LeftRing,
        Self::LeftLittle,
    ];

    /// The finger position code of ISO/IEC 19794-2 (and ANSI/NIST): 1 right thumb … 10
    /// left little, the order of [`Finger::ALL`].
    pub fn iso_position(self) -> u8 {
        Self::ALL
            .iter()
            .position(|f| *f == self)
            .map_or(0, |i| i as u8 + 1)
    }

    /// The finger of ISO/IEC 19794-2 position `code`, if it is one of the ten.
    pub fn from_iso_position(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }

    /// The finger as an operator calls it (ibu jari kanan … kelingking kiri).
    pub fn nama(self) -> &'static str {
        match self {
            Self::RightThumb => "ibu jari kanan",
            Self::RightIndex => "telunjuk kanan",
            Self::RightMiddle => "jari tengah kanan",
            Self::RightRing => "jari manis kanan",
            Self::RightLittle => "kelingking kanan",
            Self::LeftThumb => "ibu jari kiri",
            Self::LeftIndex => "telunjuk kiri",
            Self::LeftMiddle => "jari tengah kiri",
            Self::LeftRing => "jari manis kiri",
            Self::LeftLittle => "kelingking kiri",
        }
    }
}

/// Which eye.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eye {
    Right,
    Left,
}

/// A biometric template (base64 on the wire) with its quality score (0–100, as capture
/// devices report NFIQ-like scores) and how its bytes are to be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    #[serde(with = "base64_bytes")]
    pub data: Vec<u8>,
    pub quality: u8,
    /// Absent from version 1 of the enrollment messages, whose templates were all the
    /// device's own.
    #[serde(default)]
    pub format: TemplateFormat,
}

/// How a template's bytes are to be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateFormat {
    /// The capture device's own encoding: opaque, compared only byte for byte. Irises and
    /// the operator's sign-off, and every template of a version 1 message.
    #[default]
    Vendor,
    /// An ISO/IEC 19794-2:2005 finger minutiae record: what the Pusat Data identifies 1:N.
    Iso19794_2,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerTemplate {
    pub finger: Finger,
    #[serde(flatten)]
    pub template: Template,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IrisTemplate {
    pub eye: Eye,
    #[serde(flatten)]
    pub template: Template,
}

/// S01.4–S01.6 at the operator's station: what the devices captured, the 1:1 check of both
/// index fingers, the resident's electronic signature of the data statement, and the
/// operator's own fingerprint to validate the enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentCaptured {
    pub capture_id: Uuid,
    pub nomor_berkas: String,
    pub nik: Nik,
    #[serde(with = "base64_bytes")]
    pub photo: Vec<u8>,
    #[serde(with = "base64_bytes")]
    pub signature: Vec<u8>,
    pub fingerprints: Vec<FingerTemplate>,
    pub irises: Vec<IrisTemplate>,
    /// S01.5: the live index fingers matched the captured ones.
    pub left_index_verified: bool,
    pub right_index_verified: bool,
    /// S01.5: the resident's electronic signature of "the data is correct".
    #[serde(with = "base64_bytes")]
    pub resident_e_signature: Vec<u8>,
    pub operator: String,
    /// S01.6: the operator's fingerprint validating the enrollment; none means not validated.
    pub operator_signoff: Option<Template>,
    pub captured_at: DateTime<Utc>,
}

impl Message for EnrollmentCaptured {
    const KIND: &'static str = CAPTURED;
    const VERSION: u16 = 1;
}

/// The capture was not accepted; nothing was stored. Every reason is listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentRefused {
    pub capture_id: Uuid,
    pub nomor_berkas: String,
    pub nik: Nik,
    pub reasons: Vec<String>,
}

impl Message for EnrollmentRefused {
    const KIND: &'static str = REFUSED;
    const VERSION: u16 = 1;
}

/// S01.6 "makes sure the record is stored on the server": a new enrollment for the AFIS sync.
/// It carries what the Pusat Data needs for deduplication and printing: the templates, not
/// the fingerprint images; the pas photo and the signature the card's face shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentCreated {
    pub enrollment_id: Uuid,
    /// The bukti perekaman (proof of enrollment) number given to the resident.
    pub bukti_perekaman: String,
    pub nomor_berkas: String,
    pub nik: Nik,
    /// SHA-256 of the photo, hex: the chip carries the digest, not the image.
    pub photo_sha256: String,
    pub fingerprints: Vec<FingerTemplate>,
    pub enrolled_at: DateTime<Utc>,
    /// The kecamatan whose desk took the berkas: where the card's status goes back to.
    /// Absent from older senders (the NID Scheduler's Co-Relation Id is used then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kecamatan: Option<String>,
    /// The pas photo (PNG) as the station sealed it, for the card's face (S21.3); its digest
    /// is `photo_sha256`. Absent from older senders: the card then shows the digest in the
    /// photo's place.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "base64_bytes::optional"
    )]
    pub pas_foto: Option<Vec<u8>>,
    /// The signature pad's trace, for the card's face: pairs of bytes, (x, y) on a 256 × 256
    /// grid, one stroke through them.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "base64_bytes::optional"
    )]
    pub tanda_tangan: Option<Vec<u8>>,
}

/// Version 2: every fingerprint template says its [`TemplateFormat`] (ISO/IEC 19794-2 from the
/// station), which the Pusat Data matches 1:N. A Pusat Data that knows only version 1 would
/// compare ISO records byte for byte and never find the same finger twice, so it refuses the
/// new version rather than misread it. Version 1 is still read (its templates are
/// [`TemplateFormat::Vendor`]).
impl Message for EnrollmentCreated {
    const KIND: &'static str = CREATED;
    const VERSION: u16 = 2;
}

/// S19: the record as the NID Scheduler sends it to the Pusat Data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentRecord {
    /// The sending site's Co-Relation Id (region code down to kecamatan/kelurahan).
    pub co_relation_id: String,
    pub enrollment: EnrollmentCreated,
}

/// Version 2 with [`EnrollmentCreated`]'s; version 1 is still read.
impl Message for EnrollmentRecord {
    const KIND: &'static str = TO_PUSAT_DATA;
    const VERSION: u16 = 2;
}

/// The version of [`EnrollmentCreated`] and [`EnrollmentRecord`] before templates said their
/// format: still read, by the same handlers.
pub const VERSION_WITHOUT_FORMAT: u16 = 1;

/// The AMQP `type` of `M` as [`VERSION_WITHOUT_FORMAT`] wrote it.
pub fn earlier<M: Message>() -> String {
    format!("{}.v{VERSION_WITHOUT_FORMAT}", M::KIND)
}

/// A resident's card status changed (SFE, PRR, DUPLICATE_RECORD, CARD_PRINTED, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardStatusChanged {
    pub nik: Nik,
    pub nomor_berkas: String,
    pub status: StatusKartu,
    /// Why, for people: "matches the fingerprints of NIK …", "printed by …".
    pub note: String,
    pub at: DateTime<Utc>,
}

impl Message for CardStatusChanged {
    const KIND: &'static str = CARD_STATUS;
    const VERSION: u16 = 1;
}

/// Routing subject of [`CardPrinted`] (card-print → distribution).
pub const PRINTED: &str = "card.printed";

/// S21 done and checked by the kepala_seksi: a card for distribution (S22.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardPrinted {
    pub nik: Nik,
    pub nomor_berkas: String,
    pub nama: String,
    /// Kode wilayah of the resident's desa/kelurahan (dotted): distribution groups by it.
    pub desa: String,
    pub printed_by: String,
    pub approved_by: String,
    pub at: DateTime<Utc>,
    /// The card's own number in the Dinas's card register (one valid card per NIK).
    #[serde(default)]
    pub nomor_kartu: String,
    /// Where the resident collects it: a B variant's card at the Dinas desk, with no batch
    /// to the kecamatan (section C); otherwise through distribution to the kecamatan (S22).
    #[serde(default)]
    pub at_dinas_desk: bool,
}

impl Message for CardPrinted {
    const KIND: &'static str = PRINTED;
    const VERSION: u16 = 1;
}

/// Routing subject of [`CardReportedLost`] (intake → card-print): `card.lost.<kecamatan>`.
pub const LOST: &str = "card.lost";

/// S11.2/S12.2: the berkas of a lost card was accepted with the police's Surat Keterangan
/// Kehilangan: the card register revokes the lost card at once, so a found card is useless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardReportedLost {
    pub nik: Nik,
    /// The replacement's berkas.
    pub nomor_berkas: String,
    pub at: DateTime<Utc>,
}

impl Message for CardReportedLost {
    const KIND: &'static str = LOST;
    const VERSION: u16 = 1;
}

/// Bytes as standard base64 strings in JSON.
pub(crate) mod base64_bytes {
    use base64::{Engine, engine::general_purpose::STANDARD};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD
            .decode(text.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("not base64: {e}")))
    }

    /// Optional bytes: absent, or base64 (`#[serde(default, skip_serializing_if =
    /// "Option::is_none", with = "base64_bytes::optional")]`).
    pub mod optional {
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
            match bytes {
                Some(b) => super::serialize(b, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
            #[derive(Deserialize)]
            struct Wrapped(#[serde(with = "super")] Vec<u8>);
            Ok(Option::<Wrapped>::deserialize(d)?.map(|Wrapped(b)| b))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version 1 body (templates without their format) still reads: its templates are the
    /// device's own. Version 2 writes the format of every template.
    #[test]
    fn a_version_1_enrollment_reads_with_the_devices_own_templates() {
        let v1 = r#"{"co_relation_id": "32.73.01", "enrollment": {"enrollment_id": "01a24da6-aed7-76b1-b4d1-12b88f19783b", "bukti_perekaman": "BP-1", "nomor_berkas": "327301-20261206-0003", "nik": "3273016002700001", "photo_sha256": "00", "fingerprints": [{"finger": "right_index", "data": "AAEC", "quality": 94}], "enrolled_at": "2026-12-06T23:18:19Z"}}"#;
        let r: EnrollmentRecord = serde_json::from_str(v1).unwrap();
        let t = &r.enrollment.fingerprints[0].template;
        assert_eq!(
            (t.format, t.data.as_slice()),
            (TemplateFormat::Vendor, &[0u8, 1, 2][..])
        );
        assert_eq!(EnrollmentRecord::message_type(), "pusat_data.enrollment.v2");
        assert_eq!(earlier::<EnrollmentRecord>(), "pusat_data.enrollment.v1");
        let mut iso = r.clone();
        iso.enrollment.fingerprints[0].template.format = TemplateFormat::Iso19794_2;
        let written = serde_json::to_string(&iso).unwrap();
        assert!(written.contains(r#""format":"iso19794_2""#), "{written}");
        assert_eq!(
            serde_json::from_str::<EnrollmentRecord>(&written).unwrap(),
            iso
        );
    }
}
