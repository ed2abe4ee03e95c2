//! Layered, typed configuration for every KTP-el service.
//!
//! One rule for all services (DESIGN.md, "Configuration"): defaults in code, then a file
//! `config/<name>.toml` (optional), then the environment, `KTPEL__SECTION__KEY`
//! (for example `KTPEL__AMQP__URL`). The result is deserialized into the service's own settings
//! struct and validated *before* anything starts, so a bad value stops the program at start
//! with a message that names the key, instead of failing at 3 a.m. on first use.
//!
//! URLs with credentials and keys are [`Secret`]s: printed (in a log line, an error, `{:?}`)
//! without their password, read only where they are used.

mod broker_urls;
mod common;
pub mod secret;
mod secret_file;
mod service;

pub use broker_urls::BrokerUrls;
pub use common::{AmqpSettings, DatabaseSettings, TelemetrySettings};
pub use secret::Secret;
pub use secret_file::write_secret_file;
pub use service::{OwnSettings, ServiceSettings};

use config::{Config, Environment, File};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// The prefix of every environment variable the services read.
pub const ENV_PREFIX: &str = "KTPEL";

/// The name of the process's own settings (`config/ktpel.toml`): the broker, telemetry, and
/// the sections that belong to the process rather than to any one service.
pub const PROCESS: &str = "ktpel";

/// Sections of the process's settings that no service's settings hold: `KTPEL__SITE__NAME`
/// (the site), `KTPEL__HTTP__…` (the HTTP face's tokens), `KTPEL__DESKS__…` (the desks'
/// accounts) in the one environment of a container must not trip a service's check for
/// unknown keys.
pub const PROCESS_SECTIONS: &[&str] = &["site", "http", "desks"];

/// Why the settings could not be loaded. Each variant names the offending key.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A source could not be read or a value has the wrong type; `config` names the key.
    #[error("configuration error: {0}")]
    Source(#[from] config::ConfigError),
    /// The value parsed but makes no sense (for example an `http://` URL for AMQP).
    #[error("configuration key `{key}` is invalid: {reason}")]
    Invalid { key: String, reason: String },
}

impl SettingsError {
    /// Shorthand for [`SettingsError::Invalid`].
    pub fn invalid(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

/// A settings struct that can check itself after it was deserialized.
pub trait Validate {
    /// Returns the first invalid key, named as in the file and the environment.
    fn validate(&self) -> Result<(), SettingsError>;
}

/// Loads `T` from its defaults, then `config/<name>.toml`, then `KTPEL__…` variables, then
/// `KTPEL_<NAME>__…` variables (so that services sharing one process or one environment,
/// as under `ktpel up`, can still be told apart: `KTPEL_INTAKE__DATABASE__URL`).
pub fn load<T>(name: &str) -> Result<T, SettingsError>
where
    T: Default + Serialize + DeserializeOwned + Validate,
{
    let service_prefix = format!("{ENV_PREFIX}_{}", name.to_uppercase().replace('-', "_"));
    load_from(
        name,
        [
            Environment::with_prefix(ENV_PREFIX).separator("__"),
            Environment::with_prefix(&service_prefix).separator("__"),
        ],
    )
}

/// As [`load`], without the final check: for a caller that completes the settings first
/// (a site places a service: its region, its database) and then checks them itself.
pub fn load_unchecked<T>(name: &str) -> Result<T, SettingsError>
where
    T: Default + Serialize + DeserializeOwned,
{
    let service_prefix = format!("{ENV_PREFIX}_{}", name.to_uppercase().replace('-', "_"));
    read(
        name,
        [
            Environment::with_prefix(ENV_PREFIX).separator("__"),
            Environment::with_prefix(&service_prefix).separator("__"),
        ],
    )
}

/// As [`load`], with explicit environment sources, later ones winning (tests pass maps
/// instead of the process environment, so they can run in parallel).
pub fn load_from<T>(
    name: &str,
    environments: impl IntoIterator<Item = Environment>,
) -> Result<T, SettingsError>
where
    T: Default + Serialize + DeserializeOwned + Validate,
{
    let settings: T = read(name, environments)?;
    settings.validate()?;
    Ok(settings)
}

/// The layers read and deserialized, unknown keys refused; not yet checked.
fn read<T>(
    name: &str,
    environments: impl IntoIterator<Item = Environment>,
) -> Result<T, SettingsError>
where
    T: Default + Serialize + DeserializeOwned,
{
    let mut builder = Config::builder()
        .add_source(Config::try_from(&T::default())?)
        .add_source(File::with_name(&format!("config/{name}")).required(false));
    for environment in environments {
        builder = builder.add_source(environment.try_parsing(true));
    }
    let mut table: config::Map<String, config::Value> = builder.build()?.try_deserialize()?;
    if name != PROCESS {
        for section in PROCESS_SECTIONS {
            table.remove(*section);
        }
    }
    let given = config::Value::new(None, config::ValueKind::Table(table));
    let settings = T::deserialize(given.clone())?;
    // A key a service does not read is a typo or a key of another service: say which, rather
    // than let a setting silently do nothing. (Checked after the fact, so that a service's own
    // keys can sit beside the shared sections: see `ServiceSettings`.) The process's own
    // settings share one environment with every service's (`KTPEL__DATABASE__URL` in a
    // container), so they take what they know and leave the rest.
    if name != PROCESS {
        let given = serde_json::Value::deserialize(given)?;
        let read = serde_json::to_value(&settings)
            .map_err(|e| SettingsError::invalid(name, format!("cannot be shown: {e}")))?;
        if let Some(key) = unknown_key(&given, &read, "") {
            return Err(SettingsError::invalid(
                key,
                format!("is not a setting of {name} (a typo, or another service's key?)"),
            ));
        }
    }
    Ok(settings)
}

/// The first key of `given` that `read` (the settings as understood) does not have.
fn unknown_key(given: &serde_json::Value, read: &serde_json::Value, path: &str) -> Option<String> {
    let (serde_json::Value::Object(given), serde_json::Value::Object(read)) = (given, read) else {
        return None;
    };
    given.iter().find_map(|(key, value)| {
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match read.get(key) {
            None => Some(here),
            Some(known) => unknown_key(value, known, &here),
        }
    })
}

#[cfg(test)]
mod tests;
