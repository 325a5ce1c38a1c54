//! Everything the Brand Enrichment Lambdas share.
//!
//! A quick tour, from the outside in:
//!
//! - [`app`]: the one entry point a function binary needs. [`App`] holds the
//!   configuration and the DynamoDB store, both built once per process, and
//!   turns an API Gateway request for a [`Route`] into a response.
//! - [`api`]: request parsing and validation, caller binding (JWT claims),
//!   the error envelope and response building. Everything here returns a
//!   response for every outcome a caller should see; nothing is bubbled up
//!   to the runtime, so API Gateway never answers a bare 502.
//! - [`store`]: the DynamoDB access layer behind the [`store::RecordStore`]
//!   trait. Handlers speak in records and pages, never in `AttributeValue`.
//! - [`records`], [`keys`], [`cursor`]: the data contract: record shapes,
//!   validated ids and table keys, and the opaque pagination cursor.
//! - [`config`] and [`telemetry`]: environment, SDK client set-up and
//!   structured JSON logging.

pub mod api;
pub mod app;
pub mod config;
pub mod cursor;
pub mod keys;
pub mod records;
pub mod store;
pub mod telemetry;

pub use app::{App, Route};
pub use config::Config;
