//! The summary table for people and the JSON document for machines.

use std::{fmt::Write as _, time::Duration};

use serde::Serialize;

use crate::{
    stats::{median, Summary},
    Run,
};

/// Everything a run of the tool measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub target: String,
    pub mode: String,
    /// Wall time of each repeat, in milliseconds.
    pub wall_ms: Vec<f64>,
    pub median_wall_ms: f64,
    /// All repeats together.
    pub summary: Summary,
    /// Each repeat on its own (success per burst).
    pub repeats: Vec<Summary>,
}

impl Report {
    /// Builds the report of `runs` (one per repeat).
    pub fn new(target: &str, mode: &str, runs: &[Run]) -> Self {
        let walls: Vec<Duration> = runs.iter().map(|r| r.wall).collect();
        let all: Vec<_> = runs
            .iter()
            .flat_map(|r| r.samples.iter().cloned())
            .collect();
        Self {
            target: target.to_owned(),
            mode: mode.to_owned(),
            wall_ms: walls.iter().map(|w| w.as_secs_f64() * 1e3).collect(),
            median_wall_ms: median(&walls).as_secs_f64() * 1e3,
            summary: Summary::of(&all),
            repeats: runs.iter().map(|r| Summary::of(&r.samples)).collect(),
        }
    }

    /// 0 when every request succeeded, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.summary.failed > 0 || self.summary.requests == 0)
    }

    /// The human-readable table.
    pub fn table(&self) -> String {
        let s = &self.summary;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "target {}  mode {}  repeats {}",
            self.target,
            self.mode,
            self.repeats.len()
        );
        let _ = writeln!(
            out,
            "{:<18}{:>10}{:>10}{:>10}",
            "endpoint", "requests", "ok", "failed"
        );
        for (endpoint, c) in &s.by_endpoint {
            let _ = writeln!(
                out,
                "{endpoint:<18}{:>10}{:>10}{:>10}",
                c.requests, c.ok, c.failed
            );
        }
        let _ = writeln!(
            out,
            "{:<18}{:>10}{:>10}{:>10}",
            "total", s.requests, s.ok, s.failed
        );
        if s.failures.is_empty() {
            let _ = writeln!(out, "failures: none");
        } else {
            let _ = writeln!(out, "failures:");
            for row in &s.failures {
                let _ = writeln!(
                    out,
                    "  {:<18}{:<28}{:>8}",
                    row.endpoint, row.failure, row.count
                );
            }
        }
        if self.repeats.len() > 1 {
            let per: Vec<String> = self
                .repeats
                .iter()
                .zip(&self.wall_ms)
                .map(|(r, w)| format!("{}/{} in {:.0} ms", r.ok, r.requests, w))
                .collect();
            let _ = writeln!(out, "repeats: {}", per.join(", "));
        }
        let _ = write!(
            out,
            "wall {:.0} ms (median of repeats)",
            self.median_wall_ms
        );
        if let Some(l) = s.latency {
            let _ = write!(
                out,
                "  p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
                l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms
            );
        }
        out.push('\n');
        out
    }
}
