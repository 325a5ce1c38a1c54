//! What a run measured: outcomes per endpoint, latency percentiles from an
//! HDR histogram, and the failure table.

use std::{collections::BTreeMap, time::Duration};

use hdrhistogram::Histogram;
use serde::Serialize;

/// How one request ended.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// 200 and a JSON array body.
    Ok,
    /// Any other status.
    Status(u16),
    /// 200 whose body is not the expected JSON array.
    BadBody,
    /// No answer within the client timeout.
    Timeout,
    /// The connection failed (refused, reset, TLS...).
    Transport(String),
    /// A direct DynamoDB query failed.
    Store(String),
}

impl Outcome {
    /// Whether the request succeeded.
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok)
    }

    /// How the failure is shown in the table.
    pub fn label(&self) -> String {
        match self {
            Outcome::Ok => "ok".into(),
            Outcome::Status(code) => format!("HTTP {code}"),
            Outcome::BadBody => "bad body".into(),
            Outcome::Timeout => "client timeout".into(),
            Outcome::Transport(kind) => format!("transport: {kind}"),
            Outcome::Store(kind) => format!("dynamodb: {kind}"),
        }
    }
}

/// One finished request.
#[derive(Debug, Clone)]
pub struct Sample {
    pub endpoint: &'static str,
    pub outcome: Outcome,
    pub latency: Duration,
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Counts for one endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EndpointCounts {
    pub requests: u64,
    pub ok: u64,
    pub failed: u64,
}

/// One failure bucket: endpoint and how it failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureRow {
    pub endpoint: String,
    pub failure: String,
    pub count: u64,
}

/// The summary of a set of samples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub requests: u64,
    pub ok: u64,
    pub failed: u64,
    pub by_endpoint: BTreeMap<String, EndpointCounts>,
    pub failures: Vec<FailureRow>,
    /// Latencies of all requests, failed ones included: a request that failed
    /// after 10 s took 10 s from the user's point of view.
    pub latency: Option<Latency>,
}

impl Summary {
    /// Summarises `samples`.
    pub fn of(samples: &[Sample]) -> Self {
        // 1 µs to 1 h at 3 significant digits.
        let mut histogram = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3)
            .expect("static bounds are valid");
        let mut by_endpoint: BTreeMap<String, EndpointCounts> = BTreeMap::new();
        let mut failures: BTreeMap<(String, String), u64> = BTreeMap::new();
        for sample in samples {
            let micros = (sample.latency.as_micros() as u64).clamp(1, 3_600_000_000);
            histogram.saturating_record(micros);
            let counts = by_endpoint.entry(sample.endpoint.to_owned()).or_default();
            counts.requests += 1;
            if sample.outcome.is_ok() {
                counts.ok += 1;
            } else {
                counts.failed += 1;
                *failures
                    .entry((sample.endpoint.to_owned(), sample.outcome.label()))
                    .or_default() += 1;
            }
        }
        let ms = |micros: u64| micros as f64 / 1_000.0;
        let latency = (!samples.is_empty()).then(|| Latency {
            p50_ms: ms(histogram.value_at_quantile(0.50)),
            p95_ms: ms(histogram.value_at_quantile(0.95)),
            p99_ms: ms(histogram.value_at_quantile(0.99)),
            max_ms: ms(histogram.max()),
        });
        let ok = by_endpoint.values().map(|c| c.ok).sum();
        Self {
            requests: samples.len() as u64,
            ok,
            failed: samples.len() as u64 - ok,
            by_endpoint,
            failures: failures
                .into_iter()
                .map(|((endpoint, failure), count)| FailureRow {
                    endpoint,
                    failure,
                    count,
                })
                .collect(),
            latency,
        }
    }
}

/// The median of some durations (for repeated bursts), or zero.
pub fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(endpoint: &'static str, outcome: Outcome, ms: u64) -> Sample {
        Sample {
            endpoint,
            outcome,
            latency: Duration::from_millis(ms),
        }
    }

    #[test]
    fn percentiles_of_one_to_a_hundred_ms() {
        let samples: Vec<Sample> = (1..=100)
            .map(|ms| sample("competitors", Outcome::Ok, ms))
            .collect();
        let latency = Summary::of(&samples).latency.unwrap();
        // HDR histograms keep 3 significant digits.
        assert!((latency.p50_ms - 50.0).abs() < 0.1, "{latency:?}");
        assert!((latency.p95_ms - 95.0).abs() < 0.1, "{latency:?}");
        assert!((latency.p99_ms - 99.0).abs() < 0.1, "{latency:?}");
        assert!((latency.max_ms - 100.0).abs() < 0.1, "{latency:?}");
    }

    #[test]
    fn failures_are_counted_per_endpoint_and_kind() {
        let samples = vec![
            sample("competitors", Outcome::Ok, 5),
            sample("competitors", Outcome::Status(503), 5),
            sample("competitors", Outcome::Status(503), 6),
            sample("social-scrapes", Outcome::Timeout, 10_500),
            sample("social-scrapes", Outcome::Ok, 7),
        ];
        let summary = Summary::of(&samples);
        assert_eq!((summary.requests, summary.ok, summary.failed), (5, 2, 3));
        assert_eq!(
            summary.by_endpoint["competitors"],
            EndpointCounts {
                requests: 3,
                ok: 1,
                failed: 2
            }
        );
        assert_eq!(
            summary.failures,
            vec![
                FailureRow {
                    endpoint: "competitors".into(),
                    failure: "HTTP 503".into(),
                    count: 2
                },
                FailureRow {
                    endpoint: "social-scrapes".into(),
                    failure: "client timeout".into(),
                    count: 1
                },
            ]
        );
        assert!((summary.latency.unwrap().max_ms - 10_500.0).abs() < 11.0);
    }

    #[test]
    fn nothing_measured_has_no_latency() {
        assert_eq!(Summary::of(&[]).latency, None);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        let d = Duration::from_millis;
        assert_eq!(median(&[d(3), d(1), d(2)]), d(2));
        assert_eq!(
            median(&[d(4), d(1), d(2), d(3)]),
            Duration::from_micros(2_500)
        );
        assert_eq!(median(&[]), Duration::ZERO);
    }
}
