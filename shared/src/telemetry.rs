//! Structured JSON logs, one object per line, as CloudWatch and Lambda's JSON
//! log format expect.
//!
//! Each line carries `level` (`INFO`, `WARN`, ...), so Lambda's application
//! log level filter applies to it; the request summary is logged at INFO and
//! must not be filtered out in production (see `docs/operations.md`). The
//! level comes from `RUST_LOG`, else from Lambda's `AWS_LAMBDA_LOG_LEVEL`,
//! else INFO.

use tracing_subscriber::EnvFilter;

/// Installs the JSON subscriber once; later calls (tests) are no-ops.
pub fn init() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .or_else(|| std::env::var("AWS_LAMBDA_LOG_LEVEL").ok())
        .and_then(|level| EnvFilter::try_new(level.to_lowercase()).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_env_filter(filter)
        .try_init();
}
