//! What the NID Scheduler takes from the bus: one file per message.

pub mod created;

use ktpel_bus::{Router, Scope};
use ktpel_contract::enrollment::{CREATED, EnrollmentCreated, VERSION_WITHOUT_FORMAT};

/// What the NID Scheduler's handlers share: nothing beyond their context.
pub struct AfisSync;

/// Everything the NID Scheduler takes, for the region it serves (a Dinas's Server AFIS takes
/// its kecamatan's enrollments).
pub fn router(served_region: &str) -> Router<AfisSync> {
    Router::new(crate::SERVICE, AfisSync, Some(served_region))
        // S01.6: a sealed enrollment joins the queue of records for the Pusat Data.
        .route::<EnrollmentCreated>(CREATED, Scope::Region, created::handle)
        // … also from a station not yet upgraded (its templates are the device's own).
        .route_version::<EnrollmentCreated>(
            VERSION_WITHOUT_FORMAT,
            CREATED,
            Scope::Region,
            created::handle,
        )
}
