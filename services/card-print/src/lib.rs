//! card-print — BCardMgmt (S21), the Dinas's card printing.
//!
//! A resident enters the print queue when three things are known: the enrollment (photo
//! digest and the two index-finger templates, from `enrollment.created`), the Pusat Data's
//! `PRR` (print ready, from `card.status`), and the biodata from SIAK (asked over the bus).
//! Then, at the desk ([`desk`]), an operator who logged in ([`operators`], passwords kept as
//! Argon2 hashes) encodes the chip ([`chip`]: the data signed with the Dinas's Ed25519 key),
//! prints the card face ([`face`], a PNG with the fields of a KTP-el), and verifies the chip
//! against the register; a kepala_seksi checks the card and approves it, and the status
//! becomes `CARD_PRINTED`, the card going on to distribution (S22).

pub mod card_register;
pub mod cetak;
pub mod chip;
pub mod config;
pub mod desk;
pub mod face;
pub mod handlers;
pub mod identity;
pub mod operators;
pub mod startup;
pub mod store;

pub use config::CardPrintSettings;
pub use startup::CardPrint;

/// The service's name: AMQP app id, connection name, default database file.
pub const SERVICE: &str = "card-print";

/// A resident the unit tests print cards for.
#[cfg(test)]
pub(crate) fn siti() -> ktpel_contract::registry::Biodata {
    ktpel_contract::registry::Biodata {
        nik: ktpel_domain::Nik::parse("3273014107900001").unwrap(),
        nama: "Siti Rahayu".into(),
        no_kk: "3273010101100001".into(),
        jenis_kelamin: ktpel_domain::JenisKelamin::Perempuan,
        tempat_lahir: "Kota Bandung".into(),
        tanggal_lahir: chrono::NaiveDate::from_ymd_opt(1990, 7, 1).unwrap(),
        alamat: "Jl. Merdeka No. 1".into(),
        desa: "32.73.01.1001".into(),
        rincian: Some(ktpel_contract::registry::Rincian {
            rt: "001".into(),
            rw: "002".into(),
            agama: ktpel_domain::biodata::Agama::Islam,
            status_perkawinan: ktpel_domain::biodata::StatusPerkawinan::Kawin,
            pekerjaan: "GURU".into(),
            kewarganegaraan: ktpel_domain::biodata::Kewarganegaraan::Wni,
            golongan_darah: ktpel_domain::biodata::GolonganDarah::O,
            pendidikan: ktpel_domain::biodata::Pendidikan::Strata1,
            hubungan: ktpel_domain::biodata::Hubungan::Istri,
            nama_ayah: "Slamet Rahayu".into(),
            nama_ibu: "Sari".into(),
        }),
    }
}
