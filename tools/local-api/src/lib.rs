//! The local stack: the API served in-process ([`server`]), the table created
//! from `template.yaml` ([`table`]) and deterministic demo data ([`seed`]).
//! Never deployed; `make dev`, the tests and the benchmarks use it.

pub mod seed;
pub mod server;
pub mod table;
