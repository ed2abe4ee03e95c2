//! Settings of distribution (`config/distribution.toml`, `KTPEL__…`, `KTPEL_DISTRIBUTION__…`):
//! the wiring every service has (its `region` is the Dinas's kabupaten/kota), nothing of its
//! own.

use ktpel_settings::{OwnSettings, ServiceSettings};
use serde::{Deserialize, Serialize};

pub type DistributionSettings = ServiceSettings<Own>;

/// distribution has no keys of its own.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Own {}

impl OwnSettings for Own {
    const SERVICE: &'static str = crate::SERVICE;
}

/// The site sets only its region and database.
impl ktpel_site::AtSite for Own {}
