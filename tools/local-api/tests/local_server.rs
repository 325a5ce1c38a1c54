//! The local server mirrors API Gateway: routing with and without the
//! trailing slash, 404 for unknown routes, request ids, and bursts served
//! concurrently over real sockets with nothing dropped.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod common;

use std::{sync::Arc, time::Duration};

use common::Harness;
use local_api::seed::brand_records;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// A minimal HTTP/1.1 GET over a fresh connection: (status, body).
async fn http_get(addr: std::net::SocketAddr, target: &str) -> (u16, serde_json::Value) {
    raw_get(addr, target, &format!("Host: {addr}\r\n")).await
}

/// A GET with the given header lines (each ending in CRLF).
async fn raw_get(
    addr: std::net::SocketAddr,
    target: &str,
    headers: &str,
) -> (u16, serde_json::Value) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {target} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete response");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    assert!(
        head.to_ascii_lowercase().contains("x-request-id:"),
        "{head}"
    );
    (status, serde_json::from_str(body).expect("a JSON body"))
}

async fn start(h: &Harness) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = Arc::clone(&h.app);
    tokio::spawn(local_api::server::serve(listener, app, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

#[tokio::test]
async fn routes_answer_with_and_without_trailing_slash_and_unknown_paths_are_404() {
    let Some(h) = Harness::new().await else {
        return;
    };
    h.put("demo", "brand-0001", &brand_records(1)).await;
    let (addr, _stop) = start(&h).await;
    let q = "?client_id=demo&brand_id=brand-0001";
    for path in [
        "/brands/competitors",
        "/brands/website-scrapes",
        "/brands/social-scrapes",
    ] {
        let (with, body_with) = http_get(addr, &format!("{path}/{q}")).await;
        let (without, body_without) = http_get(addr, &format!("{path}{q}")).await;
        assert_eq!((with, without), (200, 200), "{path}");
        assert_eq!(body_with, body_without);
    }
    assert_eq!(http_get(addr, "/health").await.0, 200);
    for unknown in ["/", "/brands", "/brands/unknown/", "/health/x"] {
        let (status, body) = http_get(addr, unknown).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{unknown}"
        );
    }
}

#[tokio::test]
async fn a_burst_is_served_concurrently_and_completely() {
    let Some(h) = Harness::new().await else {
        return;
    };
    for n in 1..=20u32 {
        h.put("demo", &format!("brand-{n:04}"), &brand_records(n))
            .await;
    }
    let (addr, _stop) = start(&h).await;
    let mut burst = tokio::task::JoinSet::new();
    for n in 1..=20u32 {
        for kind in ["competitors", "website-scrapes", "social-scrapes"] {
            let target = format!("/brands/{kind}/?client_id=demo&brand_id=brand-{n:04}");
            burst.spawn(async move {
                tokio::time::timeout(Duration::from_secs(30), http_get(addr, &target)).await
            });
        }
    }
    let mut ok = 0;
    while let Some(result) = burst.join_next().await {
        let (status, body) = result.unwrap().expect("no request may hang");
        assert_eq!(status, 200, "{body}");
        assert!(!body.as_array().unwrap().is_empty());
        ok += 1;
    }
    assert_eq!(ok, 60);
}

#[tokio::test]
async fn headers_that_lambda_http_cannot_parse_are_a_clear_400() {
    let Some(h) = Harness::new().await else {
        return;
    };
    h.put("demo", "brand-0001", &brand_records(1)).await;
    let (addr, _stop) = start(&h).await;
    let target = "/brands/competitors/?client_id=demo&brand_id=brand-0001";
    let (status, body) = raw_get(addr, target, "Host: bad host\r\n").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_parameter")),
        "{body}"
    );
    assert!(body["error"]["message"].as_str().unwrap().contains("host"));
    // A client's X-Forwarded-Proto never reaches lambda_http's URL building.
    let header = format!("Host: {addr}\r\nX-Forwarded-Proto: not a scheme\r\n");
    let (status, body) = raw_get(addr, target, &header).await;
    assert_eq!(status, 200, "{body}");
}
