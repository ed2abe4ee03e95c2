//! The papers of the procedures as print-ready PDF (A4), each from one template:
//! [`berita_acara`], the Berita Acara Serah Terima of S22.3; [`kartu_keluarga`], the family
//! card SIAK prints; [`salinan_permohonan`], the resident's receipt at the counter;
//! [`bukti_perekaman`], the station's; [`tanda_terima`], signed when the card is handed over;
//! [`kartu_ktp`], the card's face at ID-1 size; [`surat_pindah`], the Surat Keterangan
//! Pindah of S18. A document is made from stored
//! data alone and is the same bytes every time, so a lost paper is printed again the same.
//!
//! - [`tanggal`]: dates and numbers written out in Indonesian words;
//! - [`sheet`]: a page written from top to bottom, laid out with krilla, DejaVu Sans embedded.

pub mod berita_acara;
pub mod bukti_perekaman;
pub mod kartu_keluarga;
pub mod kartu_ktp;
pub mod salinan_permohonan;
pub mod sheet;
pub mod surat_pindah;
pub mod tanda_terima;
pub mod tanggal;

pub use berita_acara::BeritaAcara;
pub use bukti_perekaman::BuktiPerekaman;
pub use kartu_keluarga::KartuKeluarga;
pub use kartu_ktp::KartuKtp;
pub use salinan_permohonan::SalinanPermohonan;
pub use sheet::DocumentError;
pub use surat_pindah::SuratPindah;
pub use tanda_terima::TandaTerima;
