//! `loadtest`: the frontend's request pattern, against any deployment.
//!
//! The frontend asks for three kinds of data per brand, in parallel. This
//! tool sends exactly that (N brands x the 3 read endpoints) sequentially,
//! all at once, in batches, or at a constant arrival rate, and reports what
//! happened per endpoint. `--direct` sends the same DynamoDB queries through
//! the SDK with no HTTP or Lambda in between: the floor the API approaches.

pub mod report;
pub mod stats;
pub mod target;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use indicatif::ProgressBar;
use stats::Sample;
use target::Target;
use tokio::task::JoinSet;

/// The read endpoints, as the frontend calls them.
pub const ENDPOINTS: [&str; 3] = ["competitors", "website-scrapes", "social-scrapes"];

/// One request to send: which endpoint, for which brand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub endpoint: &'static str,
    pub brand: String,
}

/// Brands `first..first+count` (ids `{prefix}{n:04}`) x the 3 endpoints,
/// brand by brand, as the frontend issues them.
pub fn plan(prefix: &str, first: u32, count: u32) -> Vec<Planned> {
    (first..first + count)
        .flat_map(|n| {
            ENDPOINTS.map(|endpoint| Planned {
                endpoint,
                brand: format!("{prefix}{n:04}"),
            })
        })
        .collect()
}

/// How requests are sent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    /// One after the other.
    Sequential,
    /// Everything at once.
    Parallel,
    /// `size` brands (x3 requests) at once, then `delay`, then the next batch.
    Batched { size: usize, delay: Duration },
    /// Open loop: `rate` requests per second for `duration`, cycling through
    /// the plan, whether or not earlier requests have finished.
    Rate { rate: f64, duration: Duration },
}

/// The samples of one run, and its wall time.
#[derive(Debug, Clone)]
pub struct Run {
    pub samples: Vec<Sample>,
    pub wall: Duration,
}

/// Sends `plan` to `target` in `mode`, ticking `progress` per request.
pub async fn run(target: Arc<Target>, plan: &[Planned], mode: Mode, progress: &ProgressBar) -> Run {
    let started = Instant::now();
    let mut samples = Vec::with_capacity(plan.len());
    match mode {
        Mode::Sequential => {
            for planned in plan {
                samples.push(target.send(planned).await);
                progress.inc(1);
            }
        }
        Mode::Parallel => {
            samples = all_at_once(&target, plan, progress).await;
        }
        Mode::Batched { size, delay } => {
            for (i, batch) in plan.chunks(size.max(1) * ENDPOINTS.len()).enumerate() {
                if i > 0 {
                    tokio::time::sleep(delay).await;
                }
                samples.extend(all_at_once(&target, batch, progress).await);
            }
        }
        Mode::Rate { rate, duration } => {
            let mut tasks = JoinSet::new();
            let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            for planned in plan.iter().cycle() {
                ticker.tick().await;
                if started.elapsed() >= duration {
                    break;
                }
                let (target, planned) = (Arc::clone(&target), planned.clone());
                tasks.spawn(async move { target.send(&planned).await });
            }
            while let Some(done) = tasks.join_next().await {
                if let Ok(sample) = done {
                    samples.push(sample);
                }
                progress.inc(1);
            }
        }
    }
    Run {
        samples,
        wall: started.elapsed(),
    }
}

async fn all_at_once(
    target: &Arc<Target>,
    plan: &[Planned],
    progress: &ProgressBar,
) -> Vec<Sample> {
    let mut tasks = JoinSet::new();
    for planned in plan {
        let (target, planned) = (Arc::clone(target), planned.clone());
        tasks.spawn(async move { target.send(&planned).await });
    }
    let mut samples = Vec::with_capacity(plan.len());
    while let Some(done) = tasks.join_next().await {
        if let Ok(sample) = done {
            samples.push(sample);
        }
        progress.inc(1);
    }
    samples
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_is_brands_times_endpoints_in_frontend_order() {
        let plan = plan("brand-", 1, 2);
        assert_eq!(plan.len(), 6);
        assert_eq!(
            plan[0],
            Planned {
                endpoint: "competitors",
                brand: "brand-0001".into()
            }
        );
        assert_eq!(
            plan[5],
            Planned {
                endpoint: "social-scrapes",
                brand: "brand-0002".into()
            }
        );
    }
}
