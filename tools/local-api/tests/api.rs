//! The read API end to end on DynamoDB Local: data, order, pages, tenants,
//! caller binding, bad input and the events in `events/`.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod common;

use common::{v1_event, v2_event, Harness};
use lambda_http::http::StatusCode;
use local_api::seed::{brand_records, BrandRecords};
use serde_json::{json, Value};
use shared::{
    keys::Kind,
    records::{Competitor, Record, SocialScrape, WebsiteScrape},
    Route,
};

const RECORD_ROUTES: [Route; 3] = [
    Route::Competitors,
    Route::WebsiteScrapes,
    Route::SocialScrapes,
];

/// What the API should return for `records`: the kind's order, as JSON.
fn in_api_order<T: Record>(records: &[T]) -> Vec<Value> {
    let mut keyed: Vec<(String, Value)> = records
        .iter()
        .map(|r| (r.sort_key(), serde_json::to_value(r).unwrap()))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    if !T::KIND.scan_forward() {
        keyed.reverse();
    }
    keyed.into_iter().map(|(_, v)| v).collect()
}

fn expected(route: Route, records: &BrandRecords) -> Vec<Value> {
    match route {
        Route::Competitors => in_api_order::<Competitor>(&records.competitors),
        Route::WebsiteScrapes => in_api_order::<WebsiteScrape>(&records.website_scrapes),
        Route::SocialScrapes => in_api_order::<SocialScrape>(&records.social_scrapes),
        Route::Health => unreachable!(),
    }
}

fn query(client: &str, brand: &str) -> String {
    format!("client_id={client}&brand_id={brand}")
}

#[tokio::test]
async fn each_route_returns_the_brands_records_in_order_without_keys() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let records = brand_records(1);
    h.put("acme", "brand-0001", &records).await;
    for route in RECORD_ROUTES {
        let reply = h.get(route, &query("acme", "brand-0001")).await;
        assert_eq!(reply.status, StatusCode::OK, "{route:?}: {}", reply.body);
        assert_eq!(
            reply.body,
            Value::Array(expected(route, &records)),
            "{route:?}"
        );
        assert!(reply.header("x-next-cursor").is_none());
        assert!(reply
            .header("x-request-id")
            .is_some_and(|id| !id.is_empty()));
        let text = reply.body.to_string();
        assert!(
            !text.contains("\"pk\"") && !text.contains("\"sk\""),
            "keys leaked: {text}"
        );
    }
}

#[tokio::test]
async fn a_brand_without_records_is_an_empty_array() {
    let Some(h) = Harness::new().await else {
        return;
    };
    for route in RECORD_ROUTES {
        let reply = h.get(route, &query("acme", "nobody")).await;
        assert_eq!((reply.status, reply.body), (StatusCode::OK, json!([])));
    }
}

#[tokio::test]
async fn both_payload_versions_and_both_path_forms_give_the_same_answer() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let records = brand_records(2);
    h.put("acme", "b2", &records).await;
    for route in RECORD_ROUTES {
        let want = Value::Array(expected(route, &records));
        let slash = format!("{}/", route.path());
        for request in [
            v2_event("GET", route.path(), &query("acme", "b2"), None),
            v2_event("GET", &slash, &query("acme", "b2"), None),
            v1_event("GET", &slash, &[("client_id", "acme"), ("brand_id", "b2")]),
            v1_event(
                "GET",
                route.path(),
                &[("client_id", "acme"), ("brand_id", "b2")],
            ),
        ] {
            let reply = h.call(route, request).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            assert_eq!(reply.body, want);
        }
    }
}

/// Walks every page of `route` with `limit`, checking each page's size.
async fn walk(h: &Harness, route: Route, limit: usize) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = format!("{}&limit={limit}", query("acme", "paged"));
        if let Some(c) = &cursor {
            q.push_str(&format!("&cursor={c}"));
        }
        let reply = h.get(route, &q).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let page = reply.body.as_array().unwrap().clone();
        assert!(page.len() <= limit);
        cursor = reply.header("x-next-cursor").map(str::to_owned);
        if cursor.is_some() {
            assert_eq!(page.len(), limit, "only full pages announce more");
        }
        all.extend(page);
        if cursor.is_none() {
            return all;
        }
    }
}

#[tokio::test]
async fn cursors_walk_every_record_once_in_order() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let records = brand_records(3);
    h.put("acme", "paged", &records).await;
    for route in RECORD_ROUTES {
        let want = expected(route, &records);
        for limit in [1, 2, 3, want.len(), want.len() + 1] {
            assert_eq!(
                walk(&h, route, limit).await,
                want,
                "{route:?} limit {limit}"
            );
        }
    }
}

#[tokio::test]
async fn more_than_a_thousand_records_take_two_pages() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let template = brand_records(4).competitors[0].clone();
    let competitors: Vec<Competitor> = (0..1_050)
        .map(|i| Competitor {
            competitor_id: format!("c{i:05}"),
            ..template.clone()
        })
        .collect();
    let records = BrandRecords {
        competitors,
        website_scrapes: vec![],
        social_scrapes: vec![],
    };
    h.put("acme", "paged", &records).await;
    let first = h.get(Route::Competitors, &query("acme", "paged")).await;
    assert_eq!(first.body.as_array().unwrap().len(), 1_000);
    assert!(first.header("x-next-cursor").is_some());
    assert_eq!(
        walk(&h, Route::Competitors, 1_000).await,
        expected(Route::Competitors, &records)
    );
}

#[tokio::test]
async fn cursors_are_bound_to_their_client_brand_and_kind() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let records = brand_records(5);
    h.put("acme", "b1", &records).await;
    h.put("acme", "b2", &records).await;
    h.put("globex", "b1", &records).await;
    let first = h
        .get(
            Route::WebsiteScrapes,
            &format!("{}&limit=1", query("acme", "b1")),
        )
        .await;
    let cursor = first
        .header("x-next-cursor")
        .expect("more than one scrape")
        .to_owned();
    let cases = [
        (Route::WebsiteScrapes, query("acme", "b2")),
        (Route::WebsiteScrapes, query("globex", "b1")),
        (Route::SocialScrapes, query("acme", "b1")),
        (Route::Competitors, query("acme", "b1")),
    ];
    for (route, q) in cases {
        for (version, request) in
            common::both_versions("GET", route.path(), &format!("{q}&cursor={cursor}"))
        {
            let reply = h.call(route, request).await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::BAD_REQUEST, "invalid_cursor"),
                "{version} {route:?} {q}"
            );
        }
    }
    // The same cursor still works where it belongs.
    let reply = h
        .get(
            Route::WebsiteScrapes,
            &format!("{}&cursor={cursor}", query("acme", "b1")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn one_client_never_reads_another_clients_records() {
    let Some(h) = Harness::new().await else {
        return;
    };
    // Same brand ids, different data per client.
    for n in 1..=3u32 {
        let brand = format!("brand-{n:04}");
        h.put("client-a", &brand, &brand_records(n)).await;
        h.put("client-b", &brand, &brand_records(100 + n)).await;
    }
    for n in 1..=3u32 {
        let brand = format!("brand-{n:04}");
        for route in RECORD_ROUTES {
            let b_records = expected(route, &brand_records(100 + n));
            for limit in [1, 5, 1000] {
                let mut cursor = String::new();
                loop {
                    let q = format!("{}&limit={limit}{cursor}", query("client-a", &brand));
                    let reply = h.get(route, &q).await;
                    assert_eq!(reply.status, StatusCode::OK);
                    for record in reply.body.as_array().unwrap() {
                        assert!(
                            !b_records.contains(record),
                            "client-a saw client-b's {record}"
                        );
                    }
                    match reply.header("x-next-cursor") {
                        Some(next) => cursor = format!("&cursor={next}"),
                        None => break,
                    }
                }
            }
            let a = h.get(route, &query("client-a", &brand)).await;
            assert_eq!(a.body, Value::Array(expected(route, &brand_records(n))));
        }
    }
}

#[tokio::test]
async fn jwt_claims_bind_the_caller_to_its_client() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let records = brand_records(6);
    h.put("acme", "b1", &records).await;
    let path = Route::Competitors.path();
    let want = Value::Array(expected(Route::Competitors, &records));

    // The claim alone names the client.
    let reply = h
        .call(
            Route::Competitors,
            v2_event(
                "GET",
                path,
                "brand_id=b1",
                Some(json!({"client_id": "acme"})),
            ),
        )
        .await;
    assert_eq!((reply.status, &reply.body), (StatusCode::OK, &want));
    // A matching parameter is fine.
    let reply = h
        .call(
            Route::Competitors,
            v2_event(
                "GET",
                path,
                &query("acme", "b1"),
                Some(json!({"client_id": "acme"})),
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    // Another client's parameter is forbidden.
    let reply = h
        .call(
            Route::Competitors,
            v2_event(
                "GET",
                path,
                &query("acme", "b1"),
                Some(json!({"client_id": "globex"})),
            ),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    // Claims without the client claim grant nothing.
    for q in ["brand_id=b1", &query("acme", "b1")] {
        let reply = h
            .call(
                Route::Competitors,
                v2_event("GET", path, q, Some(json!({"sub": "user-1"}))),
            )
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{q}"
        );
    }
}

/// Every bad input of the contract, with the status and code it must get.
fn bad_inputs() -> Vec<(&'static str, String, u16, &'static str, &'static str)> {
    let long = "x".repeat(65);
    let ok = "client_id=acme&brand_id=b1";
    vec![
        (
            "missing brand",
            "client_id=acme".into(),
            400,
            "missing_parameter",
            "brand_id",
        ),
        (
            "missing client",
            "brand_id=b1".into(),
            400,
            "missing_parameter",
            "client_id",
        ),
        (
            "empty brand",
            "client_id=acme&brand_id=".into(),
            400,
            "invalid_parameter",
            "brand_id",
        ),
        (
            "empty client",
            "client_id=&brand_id=b1".into(),
            400,
            "invalid_parameter",
            "client_id",
        ),
        (
            "overlong brand",
            format!("client_id=acme&brand_id={long}"),
            400,
            "invalid_parameter",
            "brand_id",
        ),
        (
            "hash",
            "client_id=acme&brand_id=b1%23BRAND%23b2".into(),
            400,
            "invalid_parameter",
            "brand_id",
        ),
        (
            "client hash",
            "client_id=acme%23BRAND%23b1&brand_id=b1".into(),
            400,
            "invalid_parameter",
            "client_id",
        ),
        (
            "slash",
            "client_id=acme&brand_id=b%2F1".into(),
            400,
            "invalid_parameter",
            "brand_id",
        ),
        (
            "nul",
            "client_id=acme&brand_id=b%001".into(),
            400,
            "invalid_parameter",
            "brand_id",
        ),
        (
            "space",
            "client_id=acme&brand_id=b%201".into(),
            400,
            "invalid_parameter",
            "brand_id",
        ),
        (
            "plus is a space",
            "client_id=acme&brand_id=b+1".into(),
            400,
            "invalid_parameter",
            "brand_id",
        ),
        (
            "non-ascii",
            "client_id=acme&brand_id=caf%C3%A9".into(),
            400,
            "invalid_parameter",
            "brand_id",
        ),
        (
            "bad utf-8",
            "client_id=acme&brand_id=b%FF".into(),
            400,
            "invalid_parameter",
            "brand_id",
        ),
        (
            "duplicate brand",
            "client_id=acme&brand_id=b1&brand_id=b2".into(),
            400,
            "duplicate_parameter",
            "brand_id",
        ),
        (
            "duplicate client",
            "client_id=acme&client_id=acme&brand_id=b1".into(),
            400,
            "duplicate_parameter",
            "client_id",
        ),
        (
            "limit 0",
            format!("{ok}&limit=0"),
            400,
            "invalid_parameter",
            "limit",
        ),
        (
            "limit -1",
            format!("{ok}&limit=-1"),
            400,
            "invalid_parameter",
            "limit",
        ),
        (
            "limit 1001",
            format!("{ok}&limit=1001"),
            400,
            "invalid_parameter",
            "limit",
        ),
        (
            "limit ten",
            format!("{ok}&limit=ten"),
            400,
            "invalid_parameter",
            "limit",
        ),
        (
            "limit 2^64",
            format!("{ok}&limit=18446744073709551616"),
            400,
            "invalid_parameter",
            "limit",
        ),
        (
            "limit empty",
            format!("{ok}&limit="),
            400,
            "invalid_parameter",
            "limit",
        ),
        (
            "duplicate limit",
            format!("{ok}&limit=1&limit=2"),
            400,
            "duplicate_parameter",
            "limit",
        ),
        (
            "cursor garbage",
            format!("{ok}&cursor=not-a-cursor!"),
            400,
            "invalid_cursor",
            "cursor",
        ),
        (
            "cursor empty",
            format!("{ok}&cursor="),
            400,
            "invalid_cursor",
            "cursor",
        ),
        (
            "long query",
            format!("{ok}&pad={}", "p".repeat(4096)),
            414,
            "uri_too_long",
            "4096",
        ),
    ]
}

#[tokio::test]
async fn every_bad_input_gets_its_status_and_code_in_both_payload_versions() {
    let Some(h) = Harness::new().await else {
        return;
    };
    for (name, raw_query, status, code, mentions) in bad_inputs() {
        for route in RECORD_ROUTES {
            for (version, request) in common::both_versions("GET", route.path(), &raw_query) {
                let reply = h.call(route, request).await;
                assert_eq!(
                    reply.status.as_u16(),
                    status,
                    "{name} ({version}, {route:?}): {}",
                    reply.body
                );
                assert_eq!(reply.code(), code, "{name} ({version})");
                let message = reply.body["error"]["message"].as_str().unwrap();
                assert!(
                    message.contains(mentions),
                    "{name}: message {message:?} should name {mentions}"
                );
                assert!(reply.body["error"]["request_id"]
                    .as_str()
                    .is_some_and(|id| !id.is_empty()));
            }
        }
    }
}

#[tokio::test]
async fn truncated_cursors_are_refused() {
    let Some(h) = Harness::new().await else {
        return;
    };
    h.put("acme", "b1", &brand_records(7)).await;
    let first = h
        .get(Route::Competitors, "client_id=acme&brand_id=b1&limit=1")
        .await;
    let cursor = first.header("x-next-cursor").unwrap().to_owned();
    for cut in [1, 5, cursor.len() / 2] {
        let q = format!(
            "client_id=acme&brand_id=b1&cursor={}",
            &cursor[..cursor.len() - cut]
        );
        for (version, request) in common::both_versions("GET", Route::Competitors.path(), &q) {
            let reply = h.call(Route::Competitors, request).await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::BAD_REQUEST, "invalid_cursor"),
                "{version} cut {cut}"
            );
        }
    }
}

#[tokio::test]
async fn unknown_parameters_are_ignored_and_encoded_valid_ids_accepted() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let records = brand_records(8);
    h.put("acme", "brand-0008", &records).await;
    let want = Value::Array(expected(Route::SocialScrapes, &records));
    for q in [
        "client_id=acme&brand_id=brand-0008&_=1733230000&utm_source=x&cursor_hint=y",
        "client_id=%61cme&brand_id=brand%2D0008",
    ] {
        let reply = h.get(Route::SocialScrapes, q).await;
        assert_eq!((reply.status, &reply.body), (StatusCode::OK, &want), "{q}");
    }
}

#[tokio::test]
async fn other_methods_are_refused_with_allow() {
    let Some(h) = Harness::new().await else {
        return;
    };
    for route in shared::Route::ALL {
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            for (version, request) in
                common::both_versions(method, route.path(), "client_id=a&brand_id=b")
            {
                let reply = h.call(route, request).await;
                assert_eq!(
                    (reply.status, reply.code()),
                    (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
                    "{version} {method}"
                );
                assert_eq!(reply.header("allow"), Some("GET"));
            }
        }
    }
}

#[tokio::test]
async fn health_reports_the_database_and_version() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let reply = h.get(Route::Health, "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["status"], "ok");
    assert_eq!(reply.body["database"], "ok");
    assert_eq!(reply.body["version"], env!("CARGO_PKG_VERSION"));
    let time = reply.body["time"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(time, &time::format_description::well_known::Rfc3339).is_ok(),
        "{time}"
    );
}

#[tokio::test]
async fn every_event_file_invokes_its_function_successfully() {
    let Some(h) = Harness::new().await else {
        return;
    };
    h.put("demo", "brand-0001", &brand_records(1)).await;
    let mut checked = 0;
    for entry in std::fs::read_dir(common::repo_root().join("events")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let route = Route::ALL
            .into_iter()
            .filter(|r| name == r.function() || name.starts_with(&format!("{}-", r.function())))
            .max_by_key(|r| r.function().len())
            .unwrap_or_else(|| panic!("{name}: no function is named by this event file"));
        let request = lambda_http::request::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: not an API Gateway event: {e}"));
        let reply = h.call(route, request).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.body);
        if route == Route::Health {
            assert_eq!(reply.body["status"], "ok");
        } else {
            let kind = Kind::ALL
                .into_iter()
                .find(|k| route.path().ends_with(k.name()))
                .unwrap();
            assert!(
                !reply.body.as_array().unwrap().is_empty(),
                "{name}: {kind:?} records expected"
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 5,
        "expected an event per function and a REST one, found {checked}"
    );
}

#[tokio::test]
async fn the_local_table_matches_the_template() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let definition = local_api::table::TableDefinition::from_template(
        &common::repo_root().join("template.yaml"),
    )
    .unwrap();
    let described = h
        .client
        .describe_table()
        .table_name(h.store.table())
        .send()
        .await
        .unwrap();
    let table = described.table.unwrap();
    let keys: Vec<(String, String)> = table
        .key_schema()
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str().to_owned(),
            )
        })
        .collect();
    assert_eq!(keys, definition.key_schema);
    assert_eq!(
        keys,
        [
            ("pk".to_owned(), "HASH".to_owned()),
            ("sk".to_owned(), "RANGE".to_owned())
        ]
    );
}
