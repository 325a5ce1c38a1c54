//! The HTTP face of the functions: parsing, caller binding, errors, responses.

pub mod auth;
pub mod error;
pub mod params;
pub mod response;

pub use error::ApiError;
