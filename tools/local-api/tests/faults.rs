//! A failing DynamoDB gives a fast, clear answer: 503 with `Retry-After` and
//! the JSON error envelope, within a ceiling of a few times the configured
//! SDK budget. The ceilings detect hangs; they are not benchmarks.
//!
//! These tests need no DynamoDB Local: each points its own client at a port
//! that refuses connections or a listener that never answers.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use common::{test_config, v2_event, Reply};
use lambda_http::http::StatusCode;
use shared::{
    store::{dynamodb_client, DynamoStore},
    App, Route,
};
use tokio::net::TcpListener;

/// Generous hang detector: 3x the test config's 2.5 s operation budget.
const CEILING: Duration = Duration::from_millis(7_500);

async fn app_at(endpoint: &str) -> App {
    let config = test_config("brand-enrichment");
    let client = dynamodb_client(&config).await;
    let client = aws_sdk_dynamodb::Client::from_conf(
        client.config().to_builder().endpoint_url(endpoint).build(),
    );
    App::new(DynamoStore::new(client, config.table_name.clone()), config)
}

/// An endpoint that refuses connections: a port we bound and released.
async fn refused_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// An endpoint that accepts connections and never answers.
async fn stalled_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://{addr}")
}

async fn assert_fast_503(app: &App, route: Route) {
    let started = Instant::now();
    let reply = Reply::from(
        app.handle(
            route,
            v2_event("GET", route.path(), "client_id=acme&brand_id=b1", None),
        )
        .await,
    );
    let took = started.elapsed();
    assert!(took < CEILING, "{route:?} took {took:?}");
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.header("retry-after"), Some("1"));
    if route == Route::Health {
        assert_eq!(reply.body["status"], "unavailable");
        assert_eq!(reply.body["database"], "unreachable");
    } else {
        assert_eq!(reply.code(), "unavailable");
        let text = reply.body.to_string();
        assert!(
            !text.contains("127.0.0.1") && !text.contains("timed out"),
            "internals leaked: {text}"
        );
    }
}

#[tokio::test]
async fn dynamodb_down_is_a_fast_503_on_every_route() {
    let app = Arc::new(app_at(&refused_endpoint().await).await);
    for route in Route::ALL {
        assert_fast_503(&app, route).await;
    }
}

#[tokio::test]
async fn dynamodb_stalled_is_a_fast_503_on_every_route() {
    let app = Arc::new(app_at(&stalled_endpoint().await).await);
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for route in Route::ALL {
        let app = Arc::clone(&app);
        calls.spawn(async move { assert_fast_503(&app, route).await });
    }
    while let Some(done) = calls.join_next().await {
        done.unwrap();
    }
    assert!(started.elapsed() < CEILING);
}
