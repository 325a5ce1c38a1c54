//! The tool against a server that fails on purpose: it must exit non-zero
//! and report each failure under its endpoint and kind.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use axum::{http::StatusCode, response::IntoResponse, routing::get, Router};

/// competitors: fine; website-scrapes: 503; social-scrapes: 200 but not an array.
async fn start() -> std::net::SocketAddr {
    let app = Router::new()
        .route(
            "/brands/competitors/",
            get(|| async { ([("content-type", "application/json")], "[]") }),
        )
        .route(
            "/brands/website-scrapes/",
            get(|| async { (StatusCode::SERVICE_UNAVAILABLE, "{}").into_response() }),
        )
        .route(
            "/brands/social-scrapes/",
            get(|| async { "{\"not\":\"an array\"}" }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn loadtest(args: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_loadtest"))
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap(), report)
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_give_a_non_zero_exit_and_the_right_table() {
    let addr = start().await;
    let base = format!("http://{addr}");
    let (code, report) = tokio::task::spawn_blocking(move || {
        loadtest(&["--base-url", &base, "--brands", "4", "--json"])
    })
    .await
    .unwrap();
    assert_eq!(code, 1, "{report}");
    let summary = &report["summary"];
    assert_eq!(summary["requests"], 12);
    assert_eq!(summary["ok"], 4);
    assert_eq!(summary["failed"], 8);
    assert_eq!(summary["by_endpoint"]["competitors"]["ok"], 4);
    assert_eq!(
        summary["failures"],
        serde_json::json!([
            {"endpoint": "social-scrapes", "failure": "bad body", "count": 4},
            {"endpoint": "website-scrapes", "failure": "HTTP 503", "count": 4},
        ])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_connection_is_a_failure_too() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let (code, report) = tokio::task::spawn_blocking(move || {
        loadtest(&[
            "--base-url",
            &base,
            "--brands",
            "1",
            "--mode",
            "sequential",
            "--json",
        ])
    })
    .await
    .unwrap();
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["failed"], 3);
    let failure = report["summary"]["failures"][0]["failure"]
        .as_str()
        .unwrap();
    assert!(failure.starts_with("transport"), "{failure}");
}

#[tokio::test(flavor = "multi_thread")]
async fn all_good_exits_zero() {
    let app = Router::new().fallback(get(|| async { "[]" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let (code, report) = tokio::task::spawn_blocking(move || {
        loadtest(&[
            "--base-url",
            &base,
            "--brands",
            "2",
            "--mode",
            "batched",
            "--batch-size",
            "1",
            "--repeat",
            "2",
            "--json",
        ])
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["summary"]["requests"], 12);
    assert_eq!(report["repeats"].as_array().unwrap().len(), 2);
}
