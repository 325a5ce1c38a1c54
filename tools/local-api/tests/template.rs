//! Pins the deployment's properties in `template.yaml`, and checks that the
//! workspace, the template and `events/` agree, so that an edit cannot quietly
//! drop a function, a route, least privilege or an alarm.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use serde_yaml_ng::{value::TaggedValue, Mapping, Value};
use shared::Route;

fn template() -> Value {
    let text = std::fs::read_to_string(common::repo_root().join("template.yaml")).unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

fn resources(t: &Value) -> &Mapping {
    t["Resources"].as_mapping().unwrap()
}

/// `(logical id, resource)` of every resource of `kind`.
fn of_type<'t>(t: &'t Value, kind: &str) -> Vec<(String, &'t Value)> {
    resources(t)
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(kind))
        .map(|(k, r)| (k.as_str().unwrap().to_owned(), r))
        .collect()
}

/// A short-form intrinsic such as `!Ref X` or `!GetAtt X.Arn`.
fn tagged<'v>(v: &'v Value, tag: &str) -> Option<&'v Value> {
    match v {
        Value::Tagged(t) if t.tag == tag => Some(&t.value),
        _ => None,
    }
}

fn tag(name: &str, value: Value) -> Value {
    Value::Tagged(Box::new(TaggedValue {
        tag: serde_yaml_ng::value::Tag::new(name),
        value,
    }))
}

fn function_crates() -> BTreeSet<String> {
    std::fs::read_dir(common::repo_root().join("functions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn binary(function: &Value) -> &str {
    function["Metadata"]["BuildProperties"]["Binary"]
        .as_str()
        .unwrap()
}

fn http_api_path(function: &Value) -> Option<&str> {
    function["Properties"]["Events"]
        .as_mapping()?
        .values()
        .find(|e| e["Type"].as_str() == Some("HttpApi"))
        .and_then(|e| e["Properties"]["Path"].as_str())
}

#[test]
fn every_function_crate_has_a_resource_a_route_and_an_event_and_back() {
    let t = template();
    let functions = of_type(&t, "AWS::Serverless::Function");
    let crates = function_crates();
    let in_template: BTreeSet<String> = functions
        .iter()
        .map(|(_, f)| binary(f).to_owned())
        .collect();
    assert_eq!(
        in_template, crates,
        "template functions and functions/ differ"
    );
    let events: Vec<String> = std::fs::read_dir(common::repo_root().join("events"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for (id, function) in &functions {
        let name = binary(function);
        assert!(
            common::repo_root()
                .join("functions")
                .join(name)
                .join("Cargo.toml")
                .exists(),
            "{id}"
        );
        assert_eq!(
            function["Metadata"]["BuildMethod"].as_str(),
            Some("rust-cargolambda"),
            "{id}"
        );
        // One name everywhere: get-competitors -> GetCompetitorsFunction.
        let pascal: String = name
            .split('-')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .collect();
        assert_eq!(id, &format!("{pascal}Function"));
        let route = Route::ALL
            .into_iter()
            .find(|r| r.function() == name)
            .unwrap_or_else(|| panic!("{name} serves no Route"));
        assert_eq!(
            http_api_path(function),
            Some(route.path()),
            "{id}: route path"
        );
        assert!(
            !route.path().ends_with('/'),
            "HTTP API routes are declared without a trailing slash"
        );
        assert!(
            events
                .iter()
                .any(|e| e == &format!("{name}.json") || e.starts_with(&format!("{name}-"))),
            "{name} has no event in events/"
        );
    }
}

#[test]
fn functions_are_arm64_provided_al2023_with_a_live_alias_and_provisioned_concurrency() {
    let t = template();
    let globals = &t["Globals"]["Function"];
    assert_eq!(globals["Runtime"].as_str(), Some("provided.al2023"));
    assert_eq!(
        globals["Architectures"],
        Value::Sequence(vec!["arm64".into()])
    );
    assert_eq!(globals["Handler"].as_str(), Some("bootstrap"));
    assert_eq!(globals["AutoPublishAlias"].as_str(), Some("live"));
    assert_eq!(globals["Tracing"].as_str(), Some("Active"));
    let pc = tagged(&globals["ProvisionedConcurrencyConfig"], "!If").unwrap();
    assert_eq!(pc[0].as_str(), Some("HasProvisionedConcurrency"));
    assert_eq!(
        pc[1]["ProvisionedConcurrentExecutions"],
        tag("!Ref", "ProvisionedConcurrency".into())
    );
    assert_eq!(pc[2], tag("!Ref", "AWS::NoValue".into()));
    assert!(tagged(&t["Conditions"]["HasProvisionedConcurrency"], "!Not").is_some());
    for (id, function) in of_type(&t, "AWS::Serverless::Function") {
        let props = &function["Properties"];
        for key in [
            "Runtime",
            "Architectures",
            "Handler",
            "AutoPublishAlias",
            "ProvisionedConcurrencyConfig",
        ] {
            assert!(props.get(key).is_none(), "{id} overrides the global {key}");
        }
        let logging = &props["LoggingConfig"];
        assert_eq!(logging["LogFormat"].as_str(), Some("JSON"), "{id}");
        assert_eq!(
            logging["ApplicationLogLevel"],
            tag("!Ref", "LogLevel".into()),
            "{id}"
        );
        let group = tagged(&logging["LogGroup"], "!Ref")
            .unwrap()
            .as_str()
            .unwrap();
        assert_eq!(
            resources(&t)[group]["Type"].as_str(),
            Some("AWS::Logs::LogGroup")
        );
        assert!(resources(&t)[group]["Properties"]
            .get("RetentionInDays")
            .is_some());
    }
    // The prod log level can never drop INFO lines (summaries, metric documents).
    let levels = t["Parameters"]["LogLevel"]["AllowedValues"]
        .as_sequence()
        .unwrap();
    for level in levels {
        assert!(
            ["TRACE", "DEBUG", "INFO"].contains(&level.as_str().unwrap()),
            "{level:?}"
        );
    }
}

#[test]
fn each_function_may_only_do_what_it_does() {
    let t = template();
    for (id, function) in of_type(&t, "AWS::Serverless::Function") {
        let want = if binary(function) == "health" {
            "dynamodb:DescribeTable"
        } else {
            "dynamodb:Query"
        };
        let policies = function["Properties"]["Policies"].as_sequence().unwrap();
        assert_eq!(policies.len(), 1, "{id}: one inline policy");
        let statements = policies[0]["Statement"].as_sequence().unwrap();
        assert_eq!(statements.len(), 1, "{id}: one statement");
        let s = &statements[0];
        assert_eq!(s["Effect"].as_str(), Some("Allow"));
        assert_eq!(s["Action"].as_str(), Some(want), "{id}");
        assert_eq!(
            s["Resource"],
            tag("!GetAtt", "Table.Arn".into()),
            "{id}: the table only, no index or *"
        );
        let env = &t["Globals"]["Function"]["Environment"]["Variables"];
        assert_eq!(env["TABLE_NAME"], tag("!Ref", "Table".into()));
    }
}

#[test]
fn lambda_timeout_sits_between_the_sdk_budget_and_api_gateways_limit() {
    let t = template();
    let timeout = &t["Parameters"]["FunctionTimeout"];
    let env = &t["Globals"]["Function"]["Environment"]["Variables"];
    let operation_ms: u64 = env["DYNAMODB_OPERATION_TIMEOUT_MS"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let min = timeout["MinValue"].as_u64().unwrap();
    let max = timeout["MaxValue"].as_u64().unwrap();
    let default = timeout["Default"].as_u64().unwrap();
    assert!(
        min * 1000 > operation_ms,
        "a Lambda timeout of {min}s could cut the SDK's {operation_ms}ms budget"
    );
    assert!(
        max < 30 && default < 30,
        "HTTP API integrations time out at 30 s"
    );
    assert!((min..=max).contains(&default));
    let attempt_ms: u64 = env["DYNAMODB_ATTEMPT_TIMEOUT_MS"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(attempt_ms < operation_ms);
}

fn alarms(t: &Value) -> Vec<(String, &Value)> {
    of_type(t, "AWS::CloudWatch::Alarm")
}

fn dimension<'v>(alarm: &'v Value, name: &str) -> Option<&'v Value> {
    alarm["Properties"]["Dimensions"]
        .as_sequence()?
        .iter()
        .find(|d| d["Name"].as_str() == Some(name))
        .map(|d| &d["Value"])
}

#[test]
fn every_function_has_error_throttle_duration_and_spillover_alarms() {
    let t = template();
    let alarms = alarms(&t);
    for (id, _) in of_type(&t, "AWS::Serverless::Function") {
        let on_function: Vec<&(String, &Value)> = alarms
            .iter()
            .filter(|(_, a)| dimension(a, "FunctionName") == Some(&tag("!Ref", id.clone().into())))
            .collect();
        let metric = |name: &str| {
            on_function
                .iter()
                .find(|(_, a)| a["Properties"]["MetricName"].as_str() == Some(name))
                .unwrap_or_else(|| panic!("{id}: no {name} alarm"))
                .1
        };
        metric("Errors");
        metric("Throttles");
        let duration = metric("Duration");
        assert_eq!(
            duration["Properties"]["ExtendedStatistic"].as_str(),
            Some("p99")
        );
        assert_eq!(
            duration["Properties"]["Threshold"],
            tag("!Ref", "P99DurationThresholdMs".into())
        );
        let spill = metric("ProvisionedConcurrencySpilloverInvocations");
        assert_eq!(
            spill["Condition"].as_str(),
            Some("HasProvisionedConcurrency")
        );
        assert_eq!(
            dimension(spill, "Resource"),
            Some(&tag("!Sub", format!("${{{id}}}:live").into()))
        );
        assert_eq!(
            spill["Properties"]["TreatMissingData"].as_str(),
            Some("notBreaching")
        );
    }
    for (id, alarm) in &alarms {
        let actions = &alarm["Properties"]["AlarmActions"];
        assert!(
            actions.as_sequence().is_some_and(|a| !a.is_empty()),
            "{id} notifies nobody"
        );
    }
}

#[test]
fn dynamodb_alarms_name_an_operation_and_the_api_has_a_5xx_rate_alarm() {
    let t = template();
    let alarms = alarms(&t);
    for metric in ["ThrottledRequests", "SystemErrors"] {
        let ops: BTreeSet<&str> = alarms
            .iter()
            .filter(|(_, a)| a["Properties"]["MetricName"].as_str() == Some(metric))
            .map(|(id, a)| {
                assert_eq!(
                    dimension(a, "TableName"),
                    Some(&tag("!Ref", "Table".into())),
                    "{id}"
                );
                dimension(a, "Operation")
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| panic!("{id} has no Operation"))
            })
            .collect();
        assert_eq!(ops, BTreeSet::from(["Query", "DescribeTable"]), "{metric}");
    }
    let rate = alarms
        .iter()
        .find(|(_, a)| {
            a["Properties"]["Metrics"].as_sequence().is_some_and(|m| {
                m.iter()
                    .any(|q| q["MetricStat"]["Metric"]["MetricName"].as_str() == Some("5xx"))
            })
        })
        .expect("an API 5xx rate alarm");
    let expression = rate.1["Properties"]["Metrics"]
        .as_sequence()
        .unwrap()
        .iter()
        .find_map(|m| m["Expression"].as_str())
        .unwrap();
    assert!(expression.contains("errors / requests"), "{expression}");
    assert_eq!(of_type(&t, "AWS::CloudWatch::Dashboard").len(), 1);
}

#[test]
fn the_api_has_cors_jwt_auth_throttling_and_access_logs() {
    let t = template();
    let (id, api) = of_type(&t, "AWS::Serverless::HttpApi").pop().unwrap();
    let props = &api["Properties"];
    let cors = &props["CorsConfiguration"];
    assert_eq!(
        cors["AllowOrigins"],
        tag("!Ref", "CorsAllowedOrigins".into())
    );
    let list = |key: &str| -> BTreeSet<String> {
        cors[key]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert!(list("AllowHeaders")
        .is_superset(&["Authorization", "Content-Type"].map(String::from).into()));
    assert!(list("ExposeHeaders").is_superset(
        &["X-Next-Cursor", "Retry-After", "X-Request-Id"]
            .map(String::from)
            .into()
    ));
    assert!(
        t["Rules"]["NoWildcardCorsInProd"].is_mapping(),
        "prod must refuse CORS '*'"
    );
    assert_eq!(
        props["Auth"]["DefaultAuthorizer"].as_str(),
        Some("JwtAuthorizer")
    );
    let jwt = &props["Auth"]["Authorizers"]["JwtAuthorizer"]["JwtConfiguration"];
    assert_eq!(jwt["issuer"], tag("!Ref", "JwtIssuer".into()));
    assert_eq!(jwt["audience"], tag("!Ref", "JwtAudience".into()));
    assert_eq!(
        props["DefaultRouteSettings"]["ThrottlingBurstLimit"],
        tag("!Ref", "ThrottlingBurstLimit".into())
    );
    assert_eq!(
        props["DefaultRouteSettings"]["ThrottlingRateLimit"],
        tag("!Ref", "ThrottlingRateLimit".into())
    );
    assert!(
        props["AccessLogSettings"]["Format"]
            .as_str()
            .unwrap()
            .starts_with('{'),
        "{id}: JSON access logs"
    );
    // Only /health opts out of the authorizer.
    for (fid, function) in of_type(&t, "AWS::Serverless::Function") {
        let event = function["Properties"]["Events"]
            .as_mapping()
            .unwrap()
            .values()
            .next()
            .unwrap();
        let opt_out = event["Properties"]["Auth"]["Authorizer"].as_str() == Some("NONE");
        assert_eq!(opt_out, binary(function) == "health", "{fid}");
    }
}

#[test]
fn the_table_is_protected() {
    let t = template();
    let (_, table) = of_type(&t, "AWS::DynamoDB::Table").pop().unwrap();
    assert_eq!(table["DeletionPolicy"].as_str(), Some("Retain"));
    assert_eq!(table["UpdateReplacePolicy"].as_str(), Some("Retain"));
    let p = &table["Properties"];
    assert_eq!(p["BillingMode"].as_str(), Some("PAY_PER_REQUEST"));
    assert_eq!(
        p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(p["SSESpecification"]["SSEEnabled"].as_bool(), Some(true));
    assert_eq!(
        p["TimeToLiveSpecification"]["AttributeName"].as_str(),
        Some("expires_at")
    );
    let protection = tagged(&p["DeletionProtectionEnabled"], "!If").unwrap();
    assert_eq!(protection[0].as_str(), Some("IsProd"));
    assert!(tagged(&p["TableName"], "!Sub")
        .unwrap()
        .as_str()
        .unwrap()
        .contains("${AWS::StackName}"));
}

#[test]
fn openapi_describes_every_route_and_error_code() {
    let text = std::fs::read_to_string(common::repo_root().join("openapi.yaml")).unwrap();
    let spec: Value = serde_yaml_ng::from_str(&text).unwrap();
    assert_eq!(spec["openapi"].as_str(), Some("3.1.0"));
    for route in Route::ALL {
        let get = &spec["paths"][route.path()]["get"];
        assert!(
            get.is_mapping(),
            "{} ({}) is missing from openapi.yaml",
            route.path(),
            route.function()
        );
        assert!(get["responses"]["200"].is_mapping());
    }
    let codes: BTreeSet<&str> = spec["components"]["schemas"]["Error"]["properties"]["error"]
        ["properties"]["code"]["enum"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for err in [
        "missing_parameter",
        "invalid_parameter",
        "duplicate_parameter",
        "invalid_cursor",
        "invalid_body",
        "forbidden",
        "not_found",
        "method_not_allowed",
        "payload_too_large",
        "uri_too_long",
        "unavailable",
        "internal",
    ] {
        assert!(codes.contains(err), "{err} is not documented");
    }
    for header in ["X-Next-Cursor", "Retry-After", "X-Request-Id"] {
        assert!(
            spec["components"]["headers"][header].is_mapping(),
            "{header}"
        );
    }
}
