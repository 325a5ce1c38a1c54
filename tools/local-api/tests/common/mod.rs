//! Shared set-up for the integration tests: a private table on the DynamoDB
//! Local that `make test` starts, and helpers to call the API in-process.
//!
//! Without `AWS_ENDPOINT_URL_DYNAMODB` a test is skipped with a visible
//! message, except under `CI=true`, where that is a failure: CI must never
//! pass by skipping.

#![allow(dead_code)] // each test binary uses a different subset

pub mod fake_dynamodb;
pub mod proxy;

use std::{path::PathBuf, sync::Arc, time::Duration};

use aws_sdk_dynamodb::Client;
use lambda_http::{http::StatusCode, Body, Request, RequestExt, Response};
use local_api::{seed::BrandRecords, table::TableDefinition};
use serde_json::Value;
use shared::{
    config::{Config, SdkSettings},
    keys::Id,
    store::{dynamodb_client, DynamoStore},
    App, Route,
};

/// The repository root (for template.yaml and events/).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Short SDK budgets, so that a fault test fails fast if it fails at all.
pub fn test_config(table: &str) -> Config {
    let mut config = Config::from_lookup(|_| None).expect("defaults are valid");
    config.table_name = table.to_owned();
    config.sdk = SdkSettings {
        connect_timeout: Duration::from_millis(500),
        attempt_timeout: Duration::from_millis(1_000),
        operation_timeout: Duration::from_millis(2_500),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(20),
    };
    config
}

/// The DynamoDB Local endpoint, or `None` (skip) outside CI.
pub fn endpoint() -> Option<String> {
    match std::env::var("AWS_ENDPOINT_URL_DYNAMODB") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("AWS_ENDPOINT_URL_DYNAMODB is not set: run the tests with `make test`, which starts DynamoDB Local")
        }
        Err(_) => {
            eprintln!(
                "SKIPPED: AWS_ENDPOINT_URL_DYNAMODB is not set; `make test` starts DynamoDB Local"
            );
            None
        }
    }
}

/// A fresh table (from template.yaml) on DynamoDB Local, and an App over it.
pub struct Harness {
    pub app: Arc<App>,
    pub store: DynamoStore,
    pub client: Client,
}

impl Harness {
    /// `None` when DynamoDB Local is not configured (outside CI only).
    pub async fn new() -> Option<Self> {
        endpoint()?;
        let table = format!("it-{}", uuid::Uuid::new_v4());
        let config = test_config(&table);
        let client = dynamodb_client(&config).await;
        TableDefinition::from_template(&repo_root().join("template.yaml"))
            .expect("template.yaml defines the table")
            .create(&client, &table)
            .await
            .expect("DynamoDB Local must be reachable at AWS_ENDPOINT_URL_DYNAMODB");
        let store = DynamoStore::new(client.clone(), table);
        let app = Arc::new(App::new(store.clone(), config));
        Some(Self { app, store, client })
    }

    /// Writes `records` for `client`'s `brand`.
    pub async fn put(&self, client: &str, brand: &str, records: &BrandRecords) {
        local_api::seed::write_brand(&self.store, &id(client), &id(brand), records)
            .await
            .expect("seeding DynamoDB Local");
    }

    /// GET `route` with a raw query string, as an HTTP API (2.0) event.
    pub async fn get(&self, route: Route, raw_query: &str) -> Reply {
        self.call(route, v2_event("GET", route.path(), raw_query, None))
            .await
    }

    /// Sends a request to `route`'s handler.
    pub async fn call(&self, route: Route, request: Request) -> Reply {
        Reply::from(self.app.handle(route, request).await)
    }
}

/// A validated id, for test data.
pub fn id(raw: &str) -> Id {
    Id::parse(raw).expect("test ids are valid")
}

/// An HTTP API (payload 2.0) request, with optional JWT claims.
pub fn v2_event(method: &str, path: &str, raw_query: &str, claims: Option<Value>) -> Request {
    let mut event = serde_json::json!({
        "version": "2.0",
        "routeKey": format!("GET {path}"),
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": {"host": "api.example.com"},
        "requestContext": {
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.1", "userAgent": "test"},
            "requestId": format!("test-{}", uuid::Uuid::new_v4()),
            "routeKey": format!("GET {path}"),
            "stage": "$default",
            "timeEpoch": 0
        },
        "isBase64Encoded": false
    });
    if let Some(claims) = claims {
        event["requestContext"]["authorizer"] =
            serde_json::json!({"jwt": {"claims": claims, "scopes": null}});
    }
    lambda_http::request::from_str(&event.to_string()).expect("a valid HTTP API event")
}

/// A REST API (payload 1.0) request. API Gateway decodes the query string
/// itself, so parameters arrive decoded, each with all its values.
pub fn v1_event(method: &str, path: &str, params: &[(&str, &str)]) -> Request {
    let mut multi = serde_json::Map::new();
    for (key, value) in params {
        let entry = multi
            .entry(key.to_string())
            .or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(values) = entry {
            values.push(Value::String(value.to_string()));
        }
    }
    let single: serde_json::Map<String, Value> = multi
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_array()
                    .and_then(|a| a.last())
                    .cloned()
                    .unwrap_or(Value::Null),
            )
        })
        .collect();
    let event = serde_json::json!({
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"Host": "api.example.com"},
        "multiValueHeaders": {"Host": ["api.example.com"]},
        "queryStringParameters": if single.is_empty() { Value::Null } else { Value::Object(single) },
        "multiValueQueryStringParameters": if multi.is_empty() { Value::Null } else { Value::Object(multi) },
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": path,
            "stage": "$default",
            "requestId": format!("test-{}", uuid::Uuid::new_v4()),
            "identity": {"sourceIp": "203.0.113.1"}
        },
        "body": null,
        "isBase64Encoded": false
    });
    lambda_http::request::from_str(&event.to_string()).expect("a valid REST API event")
}

/// A response, with its body parsed as JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: lambda_http::http::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The error code of an error envelope.
    pub fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .unwrap_or("<no error code>")
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl From<Response<Body>> for Reply {
    fn from(response: Response<Body>) -> Self {
        let (parts, body) = response.into_parts();
        let body = serde_json::from_slice(body.as_ref()).expect("every response body is JSON");
        Self {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }
}

/// Whether a request carries an authorizer (used to sanity-check fixtures).
pub fn has_claims(request: &Request) -> bool {
    matches!(
        request.request_context_ref(),
        Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) if ctx.authorizer.is_some()
    )
}

/// The same request as an HTTP API (2.0) and a REST API (1.0) event, labelled.
pub fn both_versions(method: &str, path: &str, raw_query: &str) -> [(&'static str, Request); 2] {
    let decoded: Vec<(String, String)> = form_urlencoded::parse(raw_query.as_bytes())
        .into_owned()
        .collect();
    let pairs: Vec<(&str, &str)> = decoded
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    [
        ("2.0", v2_event(method, path, raw_query, None)),
        ("1.0", v1_event(method, path, &pairs)),
    ]
}
