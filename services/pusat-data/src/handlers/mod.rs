//! What the Pusat Data takes from the bus: one file per message.

pub mod pindah;
pub mod record;

use ktpel_bus::{Router, Scope};
use ktpel_contract::{
    enrollment::{EnrollmentRecord, TO_PUSAT_DATA},
    registry::{KeluargaPindah, PINDAH_KELUAR},
};

/// What the Pusat Data's handlers share.
pub struct PusatData {
    /// Identical fingerprints that make two enrollments one person (DUPLICATE_RECORD).
    pub duplicate_min_fingers: usize,
}

/// Everything the Pusat Data takes, from every kabupaten/kota.
pub fn router(duplicate_min_fingers: usize) -> Router<PusatData> {
    Router::new(
        crate::SERVICE,
        PusatData {
            duplicate_min_fingers,
        },
        None,
    )
    // S01.6 (and S20): the NID Schedulers' records, deduplicated: SFE, then PRR or
    // DUPLICATE_RECORD.
    .route::<EnrollmentRecord>(TO_PUSAT_DATA, Scope::Any, record::handle)
    // S18: a family one Dinas hands over to another, handed on with its enrollments.
    .route::<KeluargaPindah>(PINDAH_KELUAR, Scope::Any, pindah::handle)
}
