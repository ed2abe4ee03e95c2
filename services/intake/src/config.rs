//! Settings of the intake service (`config/intake.toml`, `KTPEL__…`, `KTPEL_INTAKE__…`): the
//! wiring every service has (its `region` is the desks whose berkas it takes), nothing of its
//! own.

use ktpel_settings::{OwnSettings, ServiceSettings};
use serde::{Deserialize, Serialize};

pub type IntakeSettings = ServiceSettings<Own>;

/// intake has no keys of its own.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Own {}

impl OwnSettings for Own {
    const SERVICE: &'static str = crate::SERVICE;
}

/// The site sets only its region and database.
impl ktpel_site::AtSite for Own {}
