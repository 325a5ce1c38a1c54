//! Binding a request to the client it may read.
//!
//! Deployed routes sit behind a JWT authorizer, which hands the token's
//! claims to the function. The caller's client is then the value of the
//! configured claim (`CLIENT_ID_CLAIM`, default `client_id`), and a
//! `client_id` parameter may only repeat it. Without claims (the local server,
//! or direct invocations) the `client_id` parameter is required.

use lambda_http::{request::RequestContext, Request, RequestExt};

use crate::{api::ApiError, keys::Id};

/// The client this request may read, from the claims and the parameter.
pub fn bind_client(req: &Request, asked: Option<Id>, claim_name: &str) -> Result<Id, ApiError> {
    let Some(claims) = jwt_claim(req, claim_name) else {
        return asked.ok_or(ApiError::MissingParameter("client_id"));
    };
    let Some(claimed) = claims else {
        return Err(ApiError::Forbidden(format!(
            "the token carries no '{claim_name}' claim, so it grants no client"
        )));
    };
    let claimed = Id::parse(claimed).map_err(|_| {
        ApiError::Forbidden(format!(
            "the token's '{claim_name}' claim is not a valid client id"
        ))
    })?;
    match asked {
        Some(asked) if asked != claimed => Err(ApiError::Forbidden(
            "client_id does not match the client of the token".into(),
        )),
        _ => Ok(claimed),
    }
}

/// `None` when the request carries no JWT claims at all; otherwise the named
/// claim, which may itself be absent.
fn jwt_claim<'r>(req: &'r Request, claim_name: &str) -> Option<Option<&'r str>> {
    let authorizer = match req.request_context_ref()? {
        RequestContext::ApiGatewayV2(ctx) => ctx.authorizer.as_ref()?,
        RequestContext::ApiGatewayV1(ctx) => &ctx.authorizer,
        _ => return None,
    };
    let jwt = authorizer.jwt.as_ref()?;
    Some(jwt.claims.get(claim_name).map(String::as_str))
}
