//! Faults between a function and DynamoDB: a port that refuses connections, a
//! listener that never answers, a TCP proxy in front of DynamoDB Local
//! (network faults) or a fake speaking DynamoDB's protocol (throttling). Each test has its own proxy or fake and its own table; the
//! SDK budgets are short (1 s per attempt, 2.5 s per operation) and the
//! ceilings generous, as hang detectors.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use common::{
    fake_dynamodb::FakeDynamoDb,
    proxy::{Fault, Proxy},
    test_config, v2_event, Harness, Reply,
};
use lambda_http::http::StatusCode;
use local_api::seed::brand_records;
use serde_json::Value;
use shared::{
    records::Competitor,
    store::{dynamodb_client, DynamoStore},
    App, Route,
};
use tokio::net::TcpListener;

/// 3x the 2.5 s operation budget of `test_config`.
const CEILING: Duration = Duration::from_millis(7_500);

/// An App on `table` whose DynamoDB client goes to `endpoint`.
async fn app_via(endpoint: &str, table: &str) -> App {
    let config = test_config(table);
    let client = dynamodb_client(&config).await;
    let client = aws_sdk_dynamodb::Client::from_conf(
        client.config().to_builder().endpoint_url(endpoint).build(),
    );
    App::new(DynamoStore::new(client, table), config)
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

async fn get(app: &App, route: Route) -> (Reply, Duration) {
    let started = Instant::now();
    let query = if route == Route::Health {
        ""
    } else {
        "client_id=acme&brand_id=b1"
    };
    let reply = Reply::from(
        app.handle(route, v2_event("GET", route.path(), query, None))
            .await,
    );
    let took = started.elapsed();
    assert!(took < CEILING, "{route:?} took {took:?}: a hang");
    (reply, took)
}

/// A seeded table behind a proxy with `fault`, and what it should return.
async fn behind_proxy(fault: Fault) -> Option<(Harness, Proxy, App, Value)> {
    let h = Harness::new().await?;
    let records = brand_records(11);
    h.put("acme", "b1", &records).await;
    let mut want: Vec<&Competitor> = records.competitors.iter().collect();
    want.sort_by_key(|c| c.competitor_id.clone());
    let want = serde_json::to_value(want).unwrap();
    let proxy = Proxy::start(&common::endpoint().unwrap(), fault).await;
    let app = app_via(&proxy.url(), h.store.table()).await;
    Some((h, proxy, app, want))
}

fn assert_503(reply: &Reply) {
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.header("retry-after"), Some("1"));
    if reply.body.get("database").is_some() {
        assert_eq!(reply.body["status"], "unavailable"); // /health has its own body
    } else {
        assert_eq!(reply.code(), "unavailable");
    }
}

#[tokio::test]
async fn dynamodb_down_is_a_fast_503_on_every_route_without_leaking_internals() {
    let app = app_via(&refused_endpoint().await, "brand-enrichment").await;
    for route in Route::ALL {
        let (reply, _) = get(&app, route).await;
        assert_503(&reply);
        let text = reply.body.to_string();
        assert!(
            !text.contains("127.0.0.1") && !text.contains("dispatch"),
            "internals leaked: {text}"
        );
    }
}

#[tokio::test]
async fn dynamodb_stalled_is_a_fast_503_on_every_route_at_once() {
    let app = Arc::new(app_via(&stalled_endpoint().await, "brand-enrichment").await);
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for route in Route::ALL {
        let app = Arc::clone(&app);
        calls.spawn(async move { assert_503(&get(&app, route).await.0) });
    }
    while let Some(done) = calls.join_next().await {
        done.unwrap();
    }
    assert!(started.elapsed() < CEILING);
}

#[tokio::test]
async fn added_latency_below_the_attempt_timeout_still_answers_correctly() {
    let Some((_h, _proxy, app, want)) =
        behind_proxy(Fault::Latency(Duration::from_millis(300))).await
    else {
        return;
    };
    let (reply, took) = get(&app, Route::Competitors).await;
    assert_eq!((reply.status, reply.body), (StatusCode::OK, want));
    assert!(
        took >= Duration::from_millis(300),
        "the latency was not injected ({took:?})"
    );
}

#[tokio::test]
async fn a_stalled_first_attempt_is_abandoned_and_the_retry_succeeds() {
    let Some((_h, proxy, app, want)) = behind_proxy(Fault::StallFirst(1)).await else {
        return;
    };
    let (reply, took) = get(&app, Route::Competitors).await;
    assert_eq!((reply.status, reply.body), (StatusCode::OK, want));
    assert!(proxy.connections() >= 2, "no retry on a new connection");
    assert!(
        took >= Duration::from_millis(1_000),
        "answered before the attempt timeout ({took:?})?"
    );
}

#[tokio::test]
async fn a_connection_reset_mid_response_is_retried() {
    let Some((_h, proxy, app, want)) = behind_proxy(Fault::ResetFirst(1)).await else {
        return;
    };
    let (reply, _) = get(&app, Route::Competitors).await;
    assert_eq!((reply.status, reply.body), (StatusCode::OK, want));
    assert!(proxy.connections() >= 2, "no retry on a new connection");
}

#[tokio::test]
async fn pooled_connections_that_die_between_requests_are_replaced() {
    let Some((_h, proxy, app, want)) = behind_proxy(Fault::None).await else {
        return;
    };
    let (first, _) = get(&app, Route::Competitors).await;
    assert_eq!(first.status, StatusCode::OK);
    let before = proxy.connections();
    proxy.kill_connections();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (second, _) = get(&app, Route::Competitors).await;
    assert_eq!((second.status, second.body), (StatusCode::OK, want));
    assert!(
        proxy.connections() > before,
        "the dead pooled connection was reused"
    );
}

#[tokio::test]
async fn health_is_503_while_dynamodb_is_down_and_200_once_it_is_back() {
    let Some((_h, proxy, app, want)) = behind_proxy(Fault::Refuse).await else {
        return;
    };
    let (health, _) = get(&app, Route::Health).await;
    assert_503(&health);
    assert_eq!(health.body["database"], "unreachable");
    let (records, _) = get(&app, Route::Competitors).await;
    assert_503(&records);
    proxy.set_fault(Fault::None);
    let (health, _) = get(&app, Route::Health).await;
    assert_eq!(
        (health.status, &health.body["database"]),
        (StatusCode::OK, &Value::from("ok"))
    );
    let (records, _) = get(&app, Route::Competitors).await;
    assert_eq!((records.status, records.body), (StatusCode::OK, want));
}

#[tokio::test]
async fn throttling_that_clears_within_the_retries_answers_200() {
    for error in [
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
    ] {
        let fake = FakeDynamoDb::start(2, error).await;
        let app = app_via(&fake.url(), "brand-enrichment").await;
        let (reply, _) = get(&app, Route::Competitors).await;
        assert_eq!(reply.status, StatusCode::OK, "{error}: {}", reply.body);
        assert_eq!(reply.body[0]["competitor_id"], "c1");
        assert_eq!(
            fake.requests(),
            3,
            "{error}: two throttled attempts, then success"
        );
    }
}

#[tokio::test]
async fn throttling_that_outlasts_the_retries_is_a_503_with_retry_after() {
    for error in [
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
    ] {
        let fake = FakeDynamoDb::start(usize::MAX, error).await;
        let app = Arc::new(app_via(&fake.url(), "brand-enrichment").await);
        for route in [Route::Competitors, Route::Health] {
            let before = fake.requests();
            let (reply, _) = get(&app, route).await;
            assert_503(&reply);
            assert_eq!(
                fake.requests() - before,
                3,
                "{error} {route:?}: every attempt was used"
            );
        }
    }
}
