//! The settings of a service: how every service is wired, and what is its own.
//!
//! Every service has the same four sections — the broker (`[amqp]`), its own database
//! (`[database]`), telemetry (`[telemetry]`) and the region it serves (`region`) — and a few
//! keys of its own (the biometric sealing key, the NID Scheduler's Co-Relation Id). The first
//! part is [`ServiceSettings`], written once; the second is the service's [`OwnSettings`],
//! flattened beside it so that the keys stay where operators know them (`database.url`,
//! `encryption_key`). A site (kecamatan, Dinas) is then configuration applied to the shared
//! part the same way for all seven services.

use crate::{AmqpSettings, DatabaseSettings, SettingsError, TelemetrySettings, Validate};
use ktpel_domain::KodeWilayah;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// A service's own keys: its name, their defaults, their checks.
pub trait OwnSettings:
    std::fmt::Debug + Clone + PartialEq + Default + Serialize + DeserializeOwned
{
    /// The service's name: `config/<SERVICE>.toml`, `KTPEL_<SERVICE>__…`, the default
    /// database file `data/<SERVICE>.db`.
    const SERVICE: &'static str;

    /// Checks the service's own keys; `region` is the region it serves, if set.
    fn validate(&self, _region: Option<&str>) -> Result<(), SettingsError> {
        Ok(())
    }
}

/// The settings of one service: the wiring every service has, and its own keys (`own`).
///
/// Read by hand rather than with `#[serde(flatten)]`: flattening buffers the values and loses
/// the `config` crate's leniency, so a Co-Relation Id written as `327301` (which the
/// environment layer reads as a number) would no longer go into a string.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceSettings<S> {
    pub amqp: AmqpSettings,
    pub database: DatabaseSettings,
    pub telemetry: TelemetrySettings,
    /// The region this service serves, as a kode wilayah prefix (`32.73` for a kabupaten/kota,
    /// `32.73.01` for a kecamatan); unset: every region. It becomes its queue's bindings.
    pub region: Option<String>,
    /// The service's own keys, at the top level beside the sections above.
    #[serde(flatten)]
    pub own: S,
}

impl<'de, S: DeserializeOwned> Deserialize<'de> for ServiceSettings<S> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = config::Value::deserialize(d)?;
        let mut table = value.into_table().map_err(D::Error::custom)?;
        // Each part from `config`'s own values, which convert between numbers and strings.
        fn part<T: DeserializeOwned + Default, E: Error>(
            table: &mut config::Map<String, config::Value>,
            key: &str,
        ) -> Result<T, E> {
            match table.remove(key) {
                Some(v) => T::deserialize(v).map_err(|e| E::custom(format!("{key}: {e}"))),
                None => Ok(T::default()),
            }
        }
        let amqp = part(&mut table, "amqp")?;
        let database = part(&mut table, "database")?;
        let telemetry = part(&mut table, "telemetry")?;
        let region = part(&mut table, "region")?;
        let own = S::deserialize(config::Value::new(None, config::ValueKind::Table(table)))
            .map_err(D::Error::custom)?;
        Ok(Self {
            amqp,
            database,
            telemetry,
            region,
            own,
        })
    }
}

impl<S: OwnSettings> Default for ServiceSettings<S> {
    fn default() -> Self {
        Self {
            amqp: AmqpSettings::default(),
            database: DatabaseSettings::sqlite_for(S::SERVICE),
            telemetry: TelemetrySettings::default(),
            region: None,
            own: S::default(),
        }
    }
}

impl<S: OwnSettings> Validate for ServiceSettings<S> {
    fn validate(&self) -> Result<(), SettingsError> {
        self.amqp.validate()?;
        self.database.validate()?;
        self.telemetry.validate()?;
        if let Some(region) = &self.region {
            KodeWilayah::parse(region)
                .map_err(|e| SettingsError::invalid("region", e.to_string()))?;
        }
        self.own.validate(self.region.as_deref())
    }
}
