//! Configuration, read once from the environment at start-up.
//!
//! Every value has a default that suits a deployed function, so a function
//! only needs `TABLE_NAME` (and the standard AWS variables the SDK reads:
//! `AWS_REGION`, credentials, and `AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB
//! Local). A present but malformed value stops the process at start-up with
//! a message naming the variable, rather than surfacing per request.
//! `docs/operations.md` explains why each default is what it is.

use std::{env, time::Duration};

/// The table used when `TABLE_NAME` is not set.
pub const DEFAULT_TABLE_NAME: &str = "brand-enrichment";

/// What the functions read from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `TABLE_NAME`: the DynamoDB table holding every client's records.
    pub table_name: String,
    /// `CLIENT_ID_CLAIM`: the JWT claim that names the caller's client.
    pub client_id_claim: String,
    /// `RETRY_AFTER_SECONDS`: sent with every 503 so callers back off.
    pub retry_after_secs: u32,
    /// How long the SDK may spend on DynamoDB before we answer 503.
    pub sdk: SdkSettings,
}

/// SDK timeouts and retries. They bound how long a failing DynamoDB can hold
/// a request: at most `operation_timeout`, well inside the Lambda timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdkSettings {
    /// `DYNAMODB_CONNECT_TIMEOUT_MS`: TCP + TLS connect.
    pub connect_timeout: Duration,
    /// `DYNAMODB_ATTEMPT_TIMEOUT_MS`: one HTTP attempt, so a stalled
    /// connection is abandoned and retried instead of waited on.
    pub attempt_timeout: Duration,
    /// `DYNAMODB_OPERATION_TIMEOUT_MS`: all attempts and backoff together.
    pub operation_timeout: Duration,
    /// `DYNAMODB_MAX_ATTEMPTS`: first try plus retries.
    pub max_attempts: u32,
    /// `DYNAMODB_INITIAL_BACKOFF_MS`: base of the jittered exponential backoff.
    pub initial_backoff: Duration,
}

impl Default for SdkSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_millis(1_000),
            attempt_timeout: Duration::from_millis(2_000),
            operation_timeout: Duration::from_millis(5_000),
            max_attempts: 3,
            initial_backoff: Duration::from_millis(50),
        }
    }
}

/// A variable that is set but unusable. Names the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("environment variable {var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the
    /// process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = SdkSettings::default();
        let millis = |var: &'static str, default: Duration| {
            number(&lookup, var, default.as_millis() as u64, 1..=60_000).map(Duration::from_millis)
        };
        let sdk = SdkSettings {
            connect_timeout: millis("DYNAMODB_CONNECT_TIMEOUT_MS", defaults.connect_timeout)?,
            attempt_timeout: millis("DYNAMODB_ATTEMPT_TIMEOUT_MS", defaults.attempt_timeout)?,
            operation_timeout: millis("DYNAMODB_OPERATION_TIMEOUT_MS", defaults.operation_timeout)?,
            max_attempts: number(&lookup, "DYNAMODB_MAX_ATTEMPTS", 3, 1..=10)? as u32,
            initial_backoff: millis("DYNAMODB_INITIAL_BACKOFF_MS", defaults.initial_backoff)?,
        };
        if sdk.attempt_timeout > sdk.operation_timeout {
            return Err(ConfigError {
                var: "DYNAMODB_ATTEMPT_TIMEOUT_MS",
                reason: "must not exceed DYNAMODB_OPERATION_TIMEOUT_MS".into(),
            });
        }
        Ok(Self {
            table_name: text(&lookup, "TABLE_NAME", DEFAULT_TABLE_NAME)?,
            client_id_claim: text(&lookup, "CLIENT_ID_CLAIM", "client_id")?,
            retry_after_secs: number(&lookup, "RETRY_AFTER_SECONDS", 1, 1..=3_600)? as u32,
            sdk,
        })
    }
}

fn text(
    lookup: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: &str,
) -> Result<String, ConfigError> {
    match lookup(var) {
        None => Ok(default.to_owned()),
        Some(value) if value.trim().is_empty() => Err(ConfigError {
            var,
            reason: "is set but empty".into(),
        }),
        Some(value) => Ok(value),
    }
}

fn number(
    lookup: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let Some(raw) = lookup(var) else {
        return Ok(default);
    };
    match raw.trim().parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(ConfigError {
            var,
            reason: format!(
                "expected a whole number from {} to {}, got {raw:?}",
                range.start(),
                range.end()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let c = config(&[]).unwrap();
        assert_eq!(c.table_name, DEFAULT_TABLE_NAME);
        assert_eq!(c.client_id_claim, "client_id");
        assert_eq!(c.sdk, SdkSettings::default());
    }

    #[test]
    fn values_are_read() {
        let c = config(&[
            ("TABLE_NAME", "t"),
            ("DYNAMODB_ATTEMPT_TIMEOUT_MS", "250"),
            ("DYNAMODB_MAX_ATTEMPTS", "5"),
        ])
        .unwrap();
        assert_eq!(c.table_name, "t");
        assert_eq!(c.sdk.attempt_timeout, Duration::from_millis(250));
        assert_eq!(c.sdk.max_attempts, 5);
    }

    #[test]
    fn malformed_values_name_their_variable() {
        for (var, value) in [
            ("DYNAMODB_CONNECT_TIMEOUT_MS", "soon"),
            ("DYNAMODB_MAX_ATTEMPTS", "0"),
            ("TABLE_NAME", " "),
            ("DYNAMODB_ATTEMPT_TIMEOUT_MS", "59000"),
        ] {
            let err = config(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var, "{err}");
        }
    }
}
