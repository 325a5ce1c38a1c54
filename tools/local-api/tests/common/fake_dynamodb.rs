//! A small HTTP fake that speaks DynamoDB's JSON protocol, for answers a TCP
//! proxy cannot forge: it throttles the first N requests with the error type
//! chosen, then answers Query with one competitor and DescribeTable with an
//! active table.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use axum::{
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    Router,
};
use serde_json::json;

/// A running fake.
pub struct FakeDynamoDb {
    pub addr: SocketAddr,
    requests: Arc<AtomicUsize>,
}

impl FakeDynamoDb {
    /// Throttles the first `throttled` requests with `error_type`
    /// (e.g. `ThrottlingException`), then answers normally.
    pub async fn start(throttled: usize, error_type: &'static str) -> Self {
        let requests = Arc::new(AtomicUsize::new(0));
        let seen = requests.clone();
        let app = Router::new().fallback(move |headers: HeaderMap| {
            let seen = seen.clone();
            async move {
                let index = seen.fetch_add(1, Ordering::SeqCst);
                let target = headers
                    .get("x-amz-target")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                answer(index < throttled, error_type, &target)
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake");
        let addr = listener.local_addr().expect("fake address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, requests }
    }

    /// The endpoint URL to give the SDK.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests (attempts) arrived.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn answer(throttle: bool, error_type: &str, target: &str) -> axum::response::Response {
    let headers = [("content-type", "application/x-amz-json-1.0")];
    if throttle {
        let body = json!({
            "__type": format!("com.amazonaws.dynamodb.v20120810#{error_type}"),
            "message": "Rate of requests exceeds the allowed throughput.",
        });
        return (StatusCode::BAD_REQUEST, headers, body.to_string()).into_response();
    }
    let body = if target.ends_with(".DescribeTable") {
        json!({"Table": {"TableName": "brand-enrichment", "TableStatus": "ACTIVE"}})
    } else {
        json!({
            "Count": 1,
            "ScannedCount": 1,
            "Items": [{
                "pk": {"S": "CLIENT#acme#BRAND#b1"},
                "sk": {"S": "COMPETITOR#c1"},
                "competitor_id": {"S": "c1"},
                "name": {"S": "Globex"},
                "domain": {"S": "globex.example.com"},
                "similarity": {"N": "0.5"},
                "source": {"S": "search"},
                "discovered_at": {"S": "2026-01-01T00:00:00Z"},
                "updated_at": {"S": "2026-01-02T00:00:00Z"}
            }]
        })
    };
    (StatusCode::OK, headers, body.to_string()).into_response()
}
