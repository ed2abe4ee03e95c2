//! What the biometric service takes from the bus: one file per message.

pub mod captured;
pub mod delivered;
pub mod handoff;

use crate::seal::SealKey;
use ktpel_bus::{Router, Scope};
use ktpel_contract::{
    berkas::BerkasHandedOff,
    enrollment::{CAPTURED, CARD_STATUS, CardStatusChanged, EnrollmentCaptured},
};
use ktpel_domain::sop::Desk;
use ktpel_site::DesksAt;

/// What the biometric service's handlers share: the key that seals enrollments at rest.
pub struct Biometric {
    pub key: SealKey,
}

/// Everything the biometric service takes, for the region it serves and the stations it runs.
pub fn router(region: Option<&str>, stations: DesksAt, key: SealKey) -> Router<Biometric> {
    let mut router = Router::new(crate::SERVICE, Biometric { key }, region)
        // S01.4–S01.6: the station's capture, checked, sealed and stored.
        .route::<EnrollmentCaptured>(CAPTURED, Scope::Region, captured::handle)
        // S02.6/S20: the Pusat Data has the record once its card status comes back.
        .route::<CardStatusChanged>(CARD_STATUS, Scope::Region, delivered::handle);
    // S01.3, S04.4: the berkas at a station of this site, from the ppp or from SIAK.
    for subject in stations.subjects(Desk::Perekaman) {
        router = router.route::<BerkasHandedOff>(&subject, Scope::Region, handoff::handle);
    }
    router
}
