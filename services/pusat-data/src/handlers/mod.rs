//! What the Pusat Data takes from the bus: one file per message.

pub mod pindah;
pub mod record;

use crate::gallery::Galeri;
use ktpel_bus::{Router, Scope};
use ktpel_contract::{
    enrollment::{EnrollmentRecord, TO_PUSAT_DATA, VERSION_WITHOUT_FORMAT},
    registry::{KeluargaPindah, PINDAH_KELUAR},
};

/// What the Pusat Data's handlers share.
pub struct PusatData {
    /// Identical device templates that make two enrollments one person (DUPLICATE_RECORD).
    pub duplicate_min_fingers: usize,
    /// Every enrollment on record, for 1:N identification.
    pub galeri: Galeri,
}

/// Everything the Pusat Data takes, from every kabupaten/kota.
pub fn router(duplicate_min_fingers: usize, galeri: Galeri) -> Router<PusatData> {
    Router::new(
        crate::SERVICE,
        PusatData {
            duplicate_min_fingers,
            galeri,
        },
        None,
    )
    // S01.6 (and S20): the NID Schedulers' records, deduplicated: SFE, then PRR or
    // DUPLICATE_RECORD (or an adjudicator's case).
    .route::<EnrollmentRecord>(TO_PUSAT_DATA, Scope::Any, record::handle)
    // … also from a NID Scheduler not yet upgraded (templates without their format).
    .route_version::<EnrollmentRecord>(
        VERSION_WITHOUT_FORMAT,
        TO_PUSAT_DATA,
        Scope::Any,
        record::handle,
    )
    // S18: a family one Dinas hands over to another, handed on with its enrollments.
    .route::<KeluargaPindah>(PINDAH_KELUAR, Scope::Any, pindah::handle)
}
