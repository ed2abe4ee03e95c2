//! Logs and traces for every KTP-el service.
//!
//! [`init`] installs one `tracing` subscriber: human-readable logs on stderr, filtered by
//! `RUST_LOG` or the configured filter, and an OpenTelemetry layer so that every span has a
//! W3C trace id. When an OTLP endpoint is configured the spans are exported there; otherwise
//! they stay in-process — but the trace context still crosses the bus (see [`propagation`]),
//! so one berkas is one trace from intake to hand-over either way.
//!
//! The same call installs the process's metrics (see [`metrics`]): Prometheus text on
//! `/metrics`, and OTLP beside the spans when an endpoint is configured.

pub mod metrics;
pub mod propagation;

use ktpel_settings::TelemetrySettings;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::{Resource, trace::SdkTracerProvider};
use tracing_subscriber::{
    EnvFilter, Layer as _, filter::LevelFilter, layer::SubscriberExt, util::SubscriberInitExt,
};

/// Why telemetry could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("the OTLP exporter for {endpoint} could not be built: {reason}")]
    Exporter { endpoint: String, reason: String },
    #[error("the log filter `{filter}` is invalid: {reason}")]
    Filter { filter: String, reason: String },
}

/// Keeps the providers alive; [`Telemetry::shutdown`] flushes pending spans and metrics.
#[must_use = "dropping the guard early loses spans that were not exported yet"]
pub struct Telemetry {
    provider: SdkTracerProvider,
    meters: Option<opentelemetry_sdk::metrics::SdkMeterProvider>,
}

impl Telemetry {
    /// Flushes and stops span and metric export (call once, at the end of graceful shutdown).
    pub fn shutdown(self) {
        if let Err(e) = self.provider.shutdown() {
            eprintln!("telemetry: flushing spans at shutdown failed: {e}");
        }
        if let Some(meters) = self.meters
            && let Err(e) = meters.shutdown()
        {
            eprintln!("telemetry: flushing metrics at shutdown failed: {e}");
        }
    }
}

/// Installs logging and tracing for the process named `service`.
///
/// A second call in the same process (tests start many services) keeps the first subscriber
/// and returns a guard for a provider that exports nothing new.
///
/// `labels` (see [`metrics::site_labels`]) go on every span's resource and every metric.
pub fn init(
    service: &str,
    settings: &TelemetrySettings,
    labels: Vec<opentelemetry::KeyValue>,
) -> Result<Telemetry, TelemetryError> {
    let resource = Resource::builder()
        .with_service_name(service.to_owned())
        .with_attributes(labels)
        .build();
    let provider = tracer_provider(resource.clone(), settings)?;
    let meters = metrics::install(resource, settings.otlp_endpoint.as_deref())?;
    let filter = match &settings.log_filter {
        _ if std::env::var_os("RUST_LOG").is_some() => EnvFilter::from_default_env(),
        Some(f) => EnvFilter::try_new(f).map_err(|e| TelemetryError::Filter {
            filter: f.clone(),
            reason: e.to_string(),
        })?,
        None => EnvFilter::new("info"),
    };
    // The log filter quiets stderr only: spans at INFO and above always reach OpenTelemetry,
    // so turning logs down never breaks the trace of a berkas.
    let otel = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer(service.to_owned()))
        .with_filter(LevelFilter::INFO);
    let logs = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter);
    let installed = tracing_subscriber::registry()
        .with(logs)
        .with(otel)
        .try_init()
        .is_ok();
    if installed {
        opentelemetry::global::set_tracer_provider(provider.clone());
    }
    propagation::install();
    Ok(Telemetry { provider, meters })
}

fn tracer_provider(
    resource: Resource,
    settings: &TelemetrySettings,
) -> Result<SdkTracerProvider, TelemetryError> {
    let builder = SdkTracerProvider::builder().with_resource(resource);
    let Some(endpoint) = &settings.otlp_endpoint else {
        return Ok(builder.build());
    };
    use opentelemetry_otlp::WithExportConfig as _;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint.clone())
        .build()
        .map_err(|e| TelemetryError::Exporter {
            endpoint: endpoint.clone(),
            reason: e.to_string(),
        })?;
    Ok(builder.with_batch_exporter(exporter).build())
}
