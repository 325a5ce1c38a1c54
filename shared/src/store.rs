//! DynamoDB access: the one place that speaks `AttributeValue`.
//!
//! [`RecordStore`] is the port the handlers use; [`DynamoStore`] is the
//! DynamoDB adapter. SDK errors are sorted into the few cases a caller can act
//! on ([`StoreError`]), keeping the SDK error as the source for the log.

use std::{collections::HashMap, future::Future, time::Duration};

use aws_config::{retry::RetryConfig, timeout::TimeoutConfig, BehaviorVersion};
use aws_sdk_dynamodb::{
    error::{ProvideErrorMetadata, SdkError},
    types::{AttributeValue, PutRequest, WriteRequest},
    Client,
};

use crate::{
    config::Config,
    keys::{partition_key, Id},
    records::Record,
};

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One page of a query: which brand, how many records, and where to resume.
#[derive(Debug, Clone)]
pub struct PageQuery<'a> {
    pub client: &'a Id,
    pub brand: &'a Id,
    /// At most this many records (1 to 1000, validated by the caller).
    pub limit: usize,
    /// Continue after this sort key (from a cursor), or from the start.
    pub after: Option<String>,
}

/// Records in the kind's order, and the sort key of the last one when more
/// records follow it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub records: Vec<T>,
    pub next_after: Option<String>,
}

/// A DynamoDB failure, sorted by what the caller should be told.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// DynamoDB kept throttling after the SDK's retries: try again later.
    #[error("DynamoDB throttled the request")]
    Throttled(#[source] BoxError),
    /// No answer within the configured timeouts: try again later.
    #[error("DynamoDB did not answer in time")]
    TimedOut(#[source] BoxError),
    /// Connection refused or reset, or a DynamoDB server error: try again later.
    #[error("DynamoDB is unavailable")]
    Unavailable(#[source] BoxError),
    /// DynamoDB refused the request itself (missing table, bad credentials,
    /// validation). Retrying will not help; this is our bug or misconfiguration.
    #[error("DynamoDB rejected the request")]
    Rejected(#[source] BoxError),
    /// A stored item does not match its record type.
    #[error("a stored item does not match its record type")]
    Corrupt(#[source] serde_dynamo::Error),
}

impl StoreError {
    /// Whether the failure is transient, so a caller should retry later (503)
    /// rather than being told of an internal error (500).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            StoreError::Throttled(_) | StoreError::TimedOut(_) | StoreError::Unavailable(_)
        )
    }
}

/// Error codes DynamoDB uses for throttling. `ThrottlingException` has no
/// modelled variant on every operation, so codes are matched rather than
/// per-operation enums; the same rules then serve Query, DescribeTable and
/// BatchWriteItem.
const THROTTLING_CODES: [&str; 4] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
];

fn classify<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match &err {
        SdkError::TimeoutError(_) => StoreError::TimedOut(err.into()),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            StoreError::TimedOut(err.into())
        }
        SdkError::DispatchFailure(failure) if failure.is_user() => StoreError::Rejected(err.into()),
        SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            StoreError::Unavailable(err.into())
        }
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or_default();
            if THROTTLING_CODES.contains(&code) {
                StoreError::Throttled(err.into())
            } else if code == "InternalServerError" || code == "ServiceUnavailable" {
                StoreError::Unavailable(err.into())
            } else {
                StoreError::Rejected(err.into())
            }
        }
        _ => StoreError::Rejected(err.into()),
    }
}

/// Where handlers get their records from.
pub trait RecordStore: Send + Sync + 'static {
    /// One page of `T` records of a brand, in the kind's order.
    fn page<T: Record>(
        &self,
        query: PageQuery<'_>,
    ) -> impl Future<Output = Result<Page<T>, StoreError>> + Send;

    /// Whether the table can be reached (for `/health`).
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The DynamoDB adapter. Cheap to clone: the SDK client is an `Arc` inside.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

/// Builds the SDK client once per process, with the configured timeouts and
/// retries. Region, credentials and `AWS_ENDPOINT_URL_DYNAMODB` come from the
/// standard AWS environment.
pub async fn dynamodb_client(config: &Config) -> Client {
    let sdk = &config.sdk;
    let shared = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(sdk.connect_timeout)
                .operation_attempt_timeout(sdk.attempt_timeout)
                .operation_timeout(sdk.operation_timeout)
                .build(),
        )
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(sdk.max_attempts)
                .with_initial_backoff(sdk.initial_backoff)
                .with_max_backoff(Duration::from_secs(1)),
        )
        .load()
        .await;
    Client::new(&shared)
}

impl DynamoStore {
    /// A store over `table`, using an already built client.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The SDK client, for tools that manage the table itself.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The table this store reads and writes.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Writes records of one brand (each as its own item, keyed by the
    /// record's sort key), overwriting items with the same key.
    ///
    /// BatchWriteItem may hand back unprocessed items under load; they are
    /// written again with backoff, and if some still remain the call fails,
    /// so a write is never dropped silently.
    pub async fn put_records<T: Record>(
        &self,
        client: &Id,
        brand: &Id,
        records: &[T],
    ) -> Result<(), StoreError> {
        let pk = partition_key(client, brand);
        for chunk in records.chunks(25) {
            let mut pending = chunk
                .iter()
                .map(|record| {
                    let mut item: HashMap<String, AttributeValue> =
                        serde_dynamo::to_item(record).map_err(StoreError::Corrupt)?;
                    item.insert("pk".into(), AttributeValue::S(pk.clone()));
                    item.insert("sk".into(), AttributeValue::S(record.sort_key()));
                    let put = PutRequest::builder()
                        .set_item(Some(item))
                        .build()
                        .map_err(|e| StoreError::Rejected(e.into()))?;
                    Ok(WriteRequest::builder().put_request(put).build())
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let mut backoff = Duration::from_millis(25);
            for _round in 0..8 {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(classify)?;
                pending = out
                    .unprocessed_items
                    .and_then(|mut left| left.remove(&self.table))
                    .unwrap_or_default();
                if pending.is_empty() {
                    break;
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
            }
            if !pending.is_empty() {
                return Err(StoreError::Throttled(
                    format!("{} items still unprocessed after retries", pending.len()).into(),
                ));
            }
        }
        Ok(())
    }
}

impl RecordStore for DynamoStore {
    async fn page<T: Record>(&self, query: PageQuery<'_>) -> Result<Page<T>, StoreError> {
        let kind = T::KIND;
        let pk = partition_key(query.client, query.brand);
        let mut start = query.after.map(|sk| {
            HashMap::from([
                ("pk".to_owned(), AttributeValue::S(pk.clone())),
                ("sk".to_owned(), AttributeValue::S(sk)),
            ])
        });
        let mut items = Vec::new();
        loop {
            // One record more than asked for tells whether another page exists,
            // so a cursor is only sent when there really is more.
            let want = (query.limit + 1 - items.len()) as i32;
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", AttributeValue::S(pk.clone()))
                .expression_attribute_values(":prefix", AttributeValue::S(kind.sk_prefix().into()))
                .scan_index_forward(kind.scan_forward())
                .limit(want)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(classify)?;
            items.extend(out.items.unwrap_or_default());
            // DynamoDB also ends a page at 1 MB, so keep reading until we
            // have enough or the partition is exhausted.
            match out.last_evaluated_key {
                Some(key) if items.len() <= query.limit => start = Some(key),
                _ => break,
            }
        }
        let more = items.len() > query.limit;
        items.truncate(query.limit);
        let next_after = if more {
            items
                .last()
                .and_then(|item| item.get("sk"))
                .and_then(|sk| sk.as_s().ok())
                .cloned()
        } else {
            None
        };
        let records = serde_dynamo::from_items(items).map_err(StoreError::Corrupt)?;
        Ok(Page {
            records,
            next_after,
        })
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map(|_| ())
            .map_err(classify)
    }
}
