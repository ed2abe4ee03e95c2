//! The message contract between the KTP-el services, in one place.
//!
//! Every message body is a struct here with its [`Message`] kind and schema version; the
//! AsyncAPI document `docs/asyncapi.yaml` describes the same messages for people and other
//! languages, and a test ([`CATALOGUE`] against the document) keeps the two in step.
//!
//! Bodies use the domain types (`Nik`, `SopId`, `Dokumen`), so a message that carries
//! an invalid NIK or an unknown SOP does not even deserialize: the consumer dead-letters it
//! with the reason (a permanent failure) instead of acting on it.

pub mod berkas;
pub mod enrollment;
pub mod registry;

pub use ktpel_bus::Message;

/// One entry of the contract: the AMQP `type` and the routing subject (the key without the
/// region code).
#[derive(Debug, Clone, Copy)]
pub struct ContractEntry {
    pub message_type: fn() -> String,
    pub subject: &'static str,
    pub summary: &'static str,
}

/// Every message the services exchange.
pub const CATALOGUE: &[ContractEntry] = &[
    ContractEntry {
        message_type: berkas::BerkasSubmitted::message_type,
        subject: berkas::SUBMITTED,
        summary: "A kecamatan desk hands a berkas to intake (S01.1).",
    },
    ContractEntry {
        message_type: berkas::BerkasAccepted::message_type,
        subject: berkas::ACCEPTED,
        summary: "Intake accepted the berkas: the salinan permohonan for the desk (S01.2).",
    },
    ContractEntry {
        message_type: berkas::BerkasRefused::message_type,
        subject: berkas::REFUSED,
        summary: "Intake refused the berkas, with every reason (S01.2).",
    },
    ContractEntry {
        message_type: berkas::BerkasHandedOff::message_type,
        subject: berkas::HANDOFF,
        summary: "The berkas moves to the next hop of its routing slip (S01.3).",
    },
    ContractEntry {
        message_type: registry::ResidentLookup::message_type,
        subject: registry::LOOKUP,
        summary: "Is this NIK registered in SIAK, and with what data? (S01.2)",
    },
    ContractEntry {
        message_type: registry::ResidentLookup::message_type,
        subject: registry::ASK_DINAS,
        summary: "A lookup the kecamatan's copy of SIAK could not answer, passed up to the Dinas.",
    },
    ContractEntry {
        message_type: registry::ResidentRecorded::message_type,
        subject: registry::RESIDENT,
        summary: "The Dinas's register recorded a resident: for the copy of SIAK at their kecamatan.",
    },
    ContractEntry {
        message_type: registry::KeluargaPindah::message_type,
        subject: registry::PINDAH_KELUAR,
        summary: "S18: the origin's SIAK hands a moving family over (Surat Keterangan Pindah), up to the Pusat Data.",
    },
    ContractEntry {
        message_type: registry::KeluargaPindah::message_type,
        subject: registry::PINDAH_DATANG,
        summary: "S18: the Pusat Data hands the family, with each member's enrollment on record, down to the destination Dinas.",
    },
    ContractEntry {
        message_type: registry::ResidentAnswer::message_type,
        subject: registry::ANSWER_TO_CARD_PRINT,
        summary: "SIAK's answer to card-print (the biodata for the chip and the card face).",
    },
    ContractEntry {
        message_type: registry::ResidentAnswer::message_type,
        subject: registry::ANSWER_TO_DESK,
        summary: "SIAK's answer to the counter's desk in the browser (the ppp's NIK lookup, S01.2).",
    },
    ContractEntry {
        message_type: registry::ResidentAnswer::message_type,
        subject: registry::ANSWER_TO_INTAKE,
        summary: "SIAK's answer, on the subject the asker named.",
    },
    ContractEntry {
        message_type: enrollment::EnrollmentCaptured::message_type,
        subject: enrollment::CAPTURED,
        summary: "The operator's station captured an enrollment (S01.4-S01.6).",
    },
    ContractEntry {
        message_type: enrollment::EnrollmentRefused::message_type,
        subject: enrollment::REFUSED,
        summary: "biometric refused a capture, with every reason; nothing stored.",
    },
    ContractEntry {
        message_type: enrollment::EnrollmentCreated::message_type,
        subject: enrollment::CREATED,
        summary: "A stored enrollment, for the NID Scheduler (S01.6, S19).",
    },
    ContractEntry {
        message_type: enrollment::EnrollmentRecord::message_type,
        subject: enrollment::TO_PUSAT_DATA,
        summary: "The NID Scheduler sends an enrollment to the Pusat Data (S19).",
    },
    ContractEntry {
        message_type: || enrollment::earlier::<enrollment::EnrollmentCreated>(),
        subject: enrollment::CREATED,
        summary: "The stored enrollment as version 1 wrote it (templates without their format): still read.",
    },
    ContractEntry {
        message_type: || enrollment::earlier::<enrollment::EnrollmentRecord>(),
        subject: enrollment::TO_PUSAT_DATA,
        summary: "The record for the Pusat Data as version 1 wrote it: still read.",
    },
    ContractEntry {
        message_type: enrollment::CardStatusChanged::message_type,
        subject: enrollment::CARD_STATUS,
        summary: "A resident's card status changed (SFE, PRR, DUPLICATE_RECORD, ...).",
    },
    ContractEntry {
        message_type: enrollment::CardReportedLost::message_type,
        subject: enrollment::LOST,
        summary: "A lost card's replacement berkas was accepted: the card register revokes the lost card (S11.2, S12.2).",
    },
    ContractEntry {
        message_type: enrollment::CardPrinted::message_type,
        subject: enrollment::PRINTED,
        summary: "A printed, verified and approved card for distribution (S21, S22.1).",
    },
];
