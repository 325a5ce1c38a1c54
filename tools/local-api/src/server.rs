//! The local API: every function's handler, in-process, behind a router that
//! mirrors API Gateway's HTTP API.
//!
//! Each incoming request is turned into the payload 2.0 event API Gateway
//! would send (raw path and query, headers, request context with a fresh
//! request id, `$default` stage), parsed by lambda_http exactly as in Lambda,
//! and handed to the same `App::handle` the function binaries run. Requests
//! run concurrently on the tokio runtime, as separate Lambda environments
//! would; nothing is queued behind a slow request.
//!
//! What API Gateway itself answers is mirrored too, but in the project's
//! error envelope: an unknown route is a 404 and an oversized body a 413.

use std::{net::SocketAddr, sync::Arc};

use axum::{body::Bytes, extract::State, http, Router};
use lambda_http::{request::LambdaRequest, Body, RequestExt};
use serde_json::{json, Map, Value};
use shared::{api::ApiError, App, Route};
use time::{format_description::well_known::Rfc2822, OffsetDateTime};
use tokio::net::TcpListener;

/// Largest request body accepted, as API Gateway's HTTP API payload limit.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// The router, without a socket, so tests can drive it directly.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(app)
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn handle(
    State(app): State<Arc<App>>,
    request: http::Request<axum::body::Body>,
) -> http::Response<axum::body::Body> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = request.into_parts();
    let Some(route) = Route::for_path(parts.uri.path()) else {
        return gateway_error(ApiError::NotFound(parts.uri.path().to_owned()), &request_id);
    };
    // lambda_http builds the request URL from Host (and X-Forwarded-Proto)
    // and panics when it cannot parse it. API Gateway only ever sends its own
    // domain and scheme; a local client can send anything, so check here.
    if let Some(host) = parts.headers.get(http::header::HOST) {
        let valid = host
            .to_str()
            .ok()
            .and_then(|h| h.parse::<http::uri::Authority>().ok());
        if valid.is_none() {
            let reason = "is not a valid host[:port]".to_owned();
            return gateway_error(
                ApiError::InvalidHeader {
                    name: "host",
                    reason,
                },
                &request_id,
            );
        }
    }
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return gateway_error(ApiError::PayloadTooLarge, &request_id),
    };
    let source_ip = parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map_or_else(|| "127.0.0.1".to_owned(), |peer| peer.0.ip().to_string());
    let event = http_api_event(route, &parts, &body, &request_id, &source_ip);
    let request = match serde_json::from_value::<LambdaRequest>(event) {
        Ok(event) => lambda_http::Request::from(event),
        Err(err) => {
            return gateway_error(ApiError::Internal(Box::new(err)), &request_id);
        }
    };
    let mut context = lambda_http::Context::default();
    context.request_id = request_id;
    let response = app
        .handle(route, request.with_lambda_context(context))
        .await;
    into_axum(response)
}

/// The payload 2.0 event API Gateway's HTTP API would send for this request.
fn http_api_event(
    route: Route,
    parts: &http::request::Parts,
    body: &Bytes,
    request_id: &str,
    source_ip: &str,
) -> Value {
    let mut headers = Map::new();
    for (name, value) in &parts.headers {
        join_comma(
            &mut headers,
            name.as_str(),
            &String::from_utf8_lossy(value.as_bytes()),
        );
    }
    // API Gateway sets the scheme itself; a client's value never passes.
    headers.insert("x-forwarded-proto".into(), Value::String("http".into()));
    let raw_query = parts.uri.query().unwrap_or_default();
    let mut params = Map::new();
    for (key, value) in form_urlencoded::parse(raw_query.as_bytes()) {
        join_comma(&mut params, &key, &value);
    }
    let now = OffsetDateTime::now_utc();
    let user_agent = headers.get("user-agent").cloned().unwrap_or_default();
    let (body, encoded) = match std::str::from_utf8(body) {
        _ if body.is_empty() => (Value::Null, false),
        Ok(text) => (Value::String(text.to_owned()), false),
        Err(_) => {
            use base64::Engine as _;
            (
                Value::String(base64::engine::general_purpose::STANDARD.encode(body)),
                true,
            )
        }
    };
    let route_key = format!("{} {}", route.allow(), route.path());
    json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": parts.uri.path(),
        "rawQueryString": raw_query,
        "headers": headers,
        "queryStringParameters": if params.is_empty() { Value::Null } else { Value::Object(params) },
        "requestContext": {
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": parts.method.as_str(),
                "path": parts.uri.path(),
                "protocol": format!("{:?}", parts.version),
                "sourceIp": source_ip,
                "userAgent": user_agent,
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": now.format(&Rfc2822).unwrap_or_default(),
            "timeEpoch": now.unix_timestamp() * 1000,
        },
        "body": body,
        "isBase64Encoded": encoded,
    })
}

/// Adds `value` under `key`; API Gateway joins repeated headers and query
/// parameters into one comma-separated value.
fn join_comma(map: &mut Map<String, Value>, key: &str, value: &str) {
    match map.get_mut(key) {
        Some(Value::String(joined)) => {
            joined.push(',');
            joined.push_str(value);
        }
        _ => {
            map.insert(key.to_owned(), Value::String(value.to_owned()));
        }
    }
}

/// An answer API Gateway would give itself, in the project's envelope.
fn gateway_error(err: ApiError, request_id: &str) -> http::Response<axum::body::Body> {
    err.log(request_id);
    let mut response = err.into_response(request_id, 1);
    if let Ok(value) = http::HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    into_axum(response)
}

fn into_axum(response: lambda_http::Response<Body>) -> http::Response<axum::body::Body> {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    http::Response::from_parts(parts, axum::body::Body::from(bytes))
}
