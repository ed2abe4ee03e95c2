//! What intake takes from the bus, one file per message; [`router`] lists them.

pub mod card_status;
pub mod handed_back;
pub mod registry_answer;
pub mod submitted;

use ktpel_bus::{Router, Scope};
use ktpel_contract::{
    berkas::{BerkasHandedOff, BerkasSubmitted, SUBMITTED},
    enrollment::{CARD_STATUS, CardStatusChanged},
    registry::{ANSWER_TO_INTAKE, ResidentAnswer},
};
use ktpel_domain::sop::Desk;
use ktpel_site::DesksAt;

/// What intake's handlers share.
pub struct Intake {
    /// The counters run here: a berkas is taken only at a counter of this site.
    counters: DesksAt,
}

/// Everything intake takes, for the region it serves and the counters it runs.
pub fn router(region: Option<&str>, counters: DesksAt) -> Router<Intake> {
    let mut router = Router::new(crate::SERVICE, Intake { counters }, region)
        // Berkas from the desks of this region (S01.1).
        .route::<BerkasSubmitted>(SUBMITTED, Scope::Region, submitted::handle)
        // The registry answers on its own subject, whatever region this intake serves (S01.2).
        .route::<ResidentAnswer>(ANSWER_TO_INTAKE, Scope::Any, registry_answer::handle)
        // The card's status, for the berkas's timeline (S19–S22).
        .route::<CardStatusChanged>(CARD_STATUS, Scope::Region, card_status::handle);
    // The berkas at its counters: back at the kecamatan's (S01.7, S05.6), at the Dinas's
    // (S05.3, S05.5).
    for subject in counters.subjects(Desk::Loket) {
        router = router.route::<BerkasHandedOff>(&subject, Scope::Region, handed_back::handle);
    }
    router
}
