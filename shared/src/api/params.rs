//! Query parameters of the record routes, validated after percent-decoding.
//!
//! lambda_http hands us the decoded parameters as a multi-map for both payload
//! versions (HTTP API 2.0 from `rawQueryString`, REST 1.0 from
//! `multiValueQueryStringParameters`), so a parameter given twice is visible
//! and refused instead of one value being picked silently.

use lambda_http::{Request, RequestExt};

use crate::{api::ApiError, keys::Id};

/// Longest query string accepted, in bytes; longer is a 414.
pub const MAX_QUERY_LEN: usize = 4096;
/// Largest (and default) page size.
pub const MAX_LIMIT: usize = 1000;

/// The parameters of a record request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    /// `client_id`; optional here because a JWT claim may supply it.
    pub client: Option<Id>,
    pub brand: Id,
    pub limit: usize,
    pub cursor: Option<String>,
}

/// Reads and validates `brand_id`, `client_id`, `limit` and `cursor`.
/// Unknown parameters (cache-busters) are ignored.
pub fn list_params(req: &Request) -> Result<ListParams, ApiError> {
    check_query_len(req)?;
    let brand = single(req, "brand_id")?.ok_or(ApiError::MissingParameter("brand_id"))?;
    let brand = id("brand_id", brand)?;
    let client = single(req, "client_id")?
        .map(|raw| id("client_id", raw))
        .transpose()?;
    let limit = match single(req, "limit")? {
        None => MAX_LIMIT,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(ApiError::InvalidParameter {
                    name: "limit",
                    reason: format!("must be a whole number from 1 to {MAX_LIMIT}"),
                })
            }
        },
    };
    let cursor = single(req, "cursor")?.map(str::to_owned);
    Ok(ListParams {
        client,
        brand,
        limit,
        cursor,
    })
}

/// Refuses an oversized query string on routes without other parameters.
pub fn check_query_len(req: &Request) -> Result<(), ApiError> {
    if query_len(req) > MAX_QUERY_LEN {
        return Err(ApiError::UriTooLong);
    }
    Ok(())
}

/// The query string's length as the caller sent it: the raw string for HTTP
/// API events, the re-encoded parameters for REST events.
fn query_len(req: &Request) -> usize {
    req.uri().query().map_or(0, str::len)
}

fn single<'r>(req: &'r Request, name: &'static str) -> Result<Option<&'r str>, ApiError> {
    let Some(values) = req.query_string_parameters_ref().and_then(|q| q.all(name)) else {
        return Ok(None);
    };
    match values.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(ApiError::DuplicateParameter(name)),
    }
}

fn id(name: &'static str, raw: &str) -> Result<Id, ApiError> {
    Id::parse(raw).map_err(|err| ApiError::InvalidParameter {
        name,
        reason: err.to_string(),
    })
}
