//! Building JSON responses.

use lambda_http::{
    http::{header, HeaderValue, StatusCode},
    Body, Response,
};
use serde::Serialize;

/// A JSON response. Per-client data must not be cached by shared caches,
/// hence `no-store`.
pub fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response<Body> {
    // Serializing our own records and envelopes cannot fail; if it ever did,
    // an empty body with the status is still an answer, never a panic.
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
