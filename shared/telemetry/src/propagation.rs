//! W3C trace context across the bus.
//!
//! A publisher writes `traceparent` (and `tracestate`) of its current span into the message
//! headers; a consumer makes its handler span a child of that context. The headers are plain
//! strings here so that the outbox can store them in a row and the bus crate can turn them
//! into AMQP field tables: neither needs to know OpenTelemetry.

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use std::collections::BTreeMap;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Sets the W3C propagator as the process-wide one (idempotent).
pub fn install() {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
}

/// The trace headers of the current `tracing` span (empty outside any traced span).
pub fn current_headers() -> BTreeMap<String, String> {
    let mut headers = Headers(BTreeMap::new());
    let cx = tracing::Span::current().context();
    TraceContextPropagator::new().inject_context(&cx, &mut headers);
    headers.0
}

/// Makes `span` a child of the trace carried in `headers`, if there is one.
pub fn set_parent_from(span: &tracing::Span, headers: &BTreeMap<String, String>) {
    let cx = TraceContextPropagator::new().extract(&HeadersRef(headers));
    // An error only means the span is already closed or not sampled: nothing to link.
    let _ = span.set_parent(cx);
}

/// The W3C trace id (32 hex digits) of `span`, if it has a valid one.
pub fn trace_id(span: &tracing::Span) -> Option<String> {
    use opentelemetry::trace::TraceContextExt as _;
    let cx = span.context();
    let sc = cx.span().span_context().clone();
    sc.is_valid().then(|| sc.trace_id().to_string())
}

struct Headers(BTreeMap<String, String>);

impl Injector for Headers {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
}

struct HeadersRef<'a>(&'a BTreeMap<String, String>);

impl Extractor for HeadersRef<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }
}
