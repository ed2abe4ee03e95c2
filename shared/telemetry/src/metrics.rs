//! Metrics for every KTP-el service, through OpenTelemetry.
//!
//! [`install`] (called by [`crate::init`]) makes one meter provider per process with two
//! readers: a Prometheus registry that [`render`] turns into the text served on `/metrics`
//! of every process's HTTP port, and, when an OTLP endpoint is configured, a periodic OTLP
//! exporter. The process's labels — its site and region code, never a NIK or a name — are
//! resource attributes, copied onto every series so that one Prometheus can hold every site.
//!
//! Instruments come from [`meter`]: made after `install`, they report; made before (or in a
//! process that never installs), they are no-ops, so library code never has to ask.

use crate::TelemetryError;
use opentelemetry::{KeyValue, metrics::Meter};
use opentelemetry_sdk::{Resource, metrics::SdkMeterProvider};
use std::sync::OnceLock;

/// The scope every KTP-el instrument is made in.
const SCOPE: &str = "ktpel";

/// The resource attributes copied onto every series (`ktpel_site`, `ktpel_region`,
/// `service_name`).
pub const SITE: &str = "ktpel.site";
pub const REGION: &str = "ktpel.region";

/// The process's Prometheus registry, once installed.
static REGISTRY: OnceLock<prometheus::Registry> = OnceLock::new();

/// The meter that every instrument of this process is made from.
pub fn meter() -> Meter {
    opentelemetry::global::meter(SCOPE)
}

/// Builds the process's meter provider and makes it the global one. A second call in the
/// same process (tests start many services) keeps the first and returns `None`.
pub(crate) fn install(
    resource: Resource,
    otlp_endpoint: Option<&str>,
) -> Result<Option<SdkMeterProvider>, TelemetryError> {
    if REGISTRY.get().is_some() {
        return Ok(None);
    }
    let registry = prometheus::Registry::new();
    let labels = [SITE, REGION, "service.name"]
        .into_iter()
        .map(opentelemetry::Key::from_static_str)
        .collect::<std::collections::HashSet<_>>();
    let prometheus = opentelemetry_prometheus::exporter()
        .with_registry(registry.clone())
        .with_resource_selector(labels)
        // The scope is always `ktpel`: a label on every series that says nothing.
        .scope_info_enabled(false)
        .build()
        .map_err(|e| TelemetryError::Exporter {
            endpoint: "/metrics".into(),
            reason: e.to_string(),
        })?;
    let mut builder = SdkMeterProvider::builder()
        .with_resource(resource)
        .with_reader(prometheus);
    if let Some(endpoint) = otlp_endpoint {
        use opentelemetry_otlp::WithExportConfig as _;
        let exporter = opentelemetry_otlp::MetricExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint.to_owned())
            .build()
            .map_err(|e| TelemetryError::Exporter {
                endpoint: endpoint.to_owned(),
                reason: e.to_string(),
            })?;
        builder = builder
            .with_reader(opentelemetry_sdk::metrics::PeriodicReader::builder(exporter).build());
    }
    let provider = builder.build();
    if REGISTRY.set(registry).is_err() {
        return Ok(None);
    }
    opentelemetry::global::set_meter_provider(provider.clone());
    Ok(Some(provider))
}

/// This process's metrics in the Prometheus text format (empty before [`install`]).
pub fn render() -> String {
    use prometheus::Encoder as _;
    let Some(registry) = REGISTRY.get() else {
        return String::new();
    };
    let mut text = Vec::new();
    if let Err(e) = prometheus::TextEncoder::new().encode(&registry.gather(), &mut text) {
        tracing::warn!(error = %e, "metrics could not be encoded");
    }
    String::from_utf8(text).unwrap_or_default()
}

/// The content type of [`render`]'s text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The process's labels as resource attributes: its site (`all`, `kecamatan:32.73.01`…) and
/// the region code it serves (empty for `all` and the Pusat Data).
pub fn site_labels(site: &str, region: Option<&str>) -> Vec<KeyValue> {
    vec![
        KeyValue::new(SITE, site.to_owned()),
        KeyValue::new(REGION, region.unwrap_or_default().to_owned()),
    ]
}

/// Seconds as histogram buckets for waits: a second to a week (a berkas may wait days at a
/// desk; an offline kecamatan, a week).
pub const WAIT_BUCKETS: [f64; 14] = [
    1.0,
    5.0,
    15.0,
    60.0,
    300.0,
    900.0,
    1800.0,
    3600.0,
    4.0 * 3600.0,
    8.0 * 3600.0,
    86400.0,
    2.0 * 86400.0,
    4.0 * 86400.0,
    7.0 * 86400.0,
];

/// Seconds as histogram buckets for handling one message: a millisecond to half a minute.
pub const HANDLER_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
