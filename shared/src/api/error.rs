//! The one error type a handler returns, and its one mapping to a response.
//!
//! A 4xx message says what is wrong with the request. A 5xx message is fixed
//! text: the cause stays in the error's source chain, which is logged, and
//! never reaches the body.

use lambda_http::{
    http::{header, HeaderValue, StatusCode},
    Body, Response,
};
use serde_json::json;

use crate::{
    api::{params::MAX_QUERY_LEN, response},
    cursor::CursorError,
    store::StoreError,
};

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("query parameter '{0}' is required")]
    MissingParameter(&'static str),
    #[error("query parameter '{name}' {reason}")]
    InvalidParameter { name: &'static str, reason: String },
    #[error("header '{name}' {reason}")]
    InvalidHeader { name: &'static str, reason: String },
    #[error("query parameter '{0}' must be given at most once")]
    DuplicateParameter(&'static str),
    #[error("query parameter 'cursor': {0}")]
    InvalidCursor(#[from] CursorError),
    #[error("request body {0}")]
    InvalidBody(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("no route for {0}")]
    NotFound(String),
    #[error("method {method} is not allowed here; allowed: {allow}")]
    MethodNotAllowed { method: String, allow: &'static str },
    #[error("request body is too large")]
    PayloadTooLarge,
    #[error("query string is longer than {MAX_QUERY_LEN} bytes")]
    UriTooLong,
    #[error("the database is temporarily unavailable; retry later")]
    Unavailable(#[source] StoreError),
    #[error("internal error")]
    Internal(#[source] BoxError),
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        if err.is_transient() {
            ApiError::Unavailable(err)
        } else {
            ApiError::Internal(err.into())
        }
    }
}

impl ApiError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MissingParameter(_)
            | ApiError::InvalidParameter { .. }
            | ApiError::InvalidHeader { .. }
            | ApiError::DuplicateParameter(_)
            | ApiError::InvalidCursor(_)
            | ApiError::InvalidBody(_) => StatusCode::BAD_REQUEST,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong => StatusCode::URI_TOO_LONG,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable code in the error body.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MissingParameter(_) => "missing_parameter",
            ApiError::InvalidParameter { .. } | ApiError::InvalidHeader { .. } => {
                "invalid_parameter"
            }
            ApiError::DuplicateParameter(_) => "duplicate_parameter",
            ApiError::InvalidCursor(_) => "invalid_cursor",
            ApiError::InvalidBody(_) => "invalid_body",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UriTooLong => "uri_too_long",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// Logs the error with its whole cause chain: at ERROR for our faults
    /// and dependencies (5xx), at WARN for the caller's (4xx).
    pub fn log(&self, request_id: &str) {
        let cause = cause_chain(self);
        if self.status().is_server_error() {
            tracing::error!(
                request_id,
                code = self.code(),
                status = self.status().as_u16(),
                cause,
                "request failed"
            );
        } else {
            tracing::warn!(
                request_id,
                code = self.code(),
                status = self.status().as_u16(),
                cause,
                "request rejected"
            );
        }
    }

    /// The response: status, the JSON error envelope, and `Retry-After` or
    /// `Allow` where they apply.
    pub fn into_response(self, request_id: &str, retry_after_secs: u32) -> Response<Body> {
        let body = json!({
            "error": {
                "code": self.code(),
                "message": self.to_string(),
                "request_id": request_id,
            }
        });
        let mut response = response::json(self.status(), &body);
        let headers = response.headers_mut();
        match &self {
            ApiError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                headers.insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            _ => {}
        }
        response
    }
}

/// `error: cause: cause ...`, for the log line.
pub fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(response: &Response<Body>) -> serde_json::Value {
        serde_json::from_slice(response.body().as_ref()).unwrap()
    }

    #[test]
    fn server_errors_never_show_their_cause() {
        let secret = "arn:aws:dynamodb:eu-west-1:123456789012:table/secret";
        for err in [
            ApiError::Internal(secret.into()),
            ApiError::Unavailable(StoreError::Unavailable(secret.into())),
        ] {
            let response = err.into_response("req-1", 2);
            let text = String::from_utf8(response.body().to_vec()).unwrap();
            assert!(!text.contains("123456789012"), "{text}");
        }
    }

    #[test]
    fn unavailable_carries_retry_after() {
        let response =
            ApiError::Unavailable(StoreError::TimedOut("slow".into())).into_response("req-1", 2);
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
        assert_eq!(body(&response)["error"]["code"], "unavailable");
        assert_eq!(body(&response)["error"]["request_id"], "req-1");
    }

    #[test]
    fn method_not_allowed_carries_allow() {
        let response = ApiError::MethodNotAllowed {
            method: "POST".into(),
            allow: "GET",
        }
        .into_response("r", 1);
        assert_eq!(response.status(), 405);
        assert_eq!(response.headers()[header::ALLOW], "GET");
    }

    #[test]
    fn rejected_store_errors_are_internal() {
        let err = ApiError::from(StoreError::Rejected("no such table".into()));
        assert_eq!(err.status(), 500);
        assert_eq!(
            cause_chain(&err),
            "internal error: DynamoDB rejected the request: no such table"
        );
    }
}
