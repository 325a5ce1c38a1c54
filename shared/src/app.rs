//! The application: routes, the handlers behind them, and request logging.
//!
//! [`App::handle`] is what every function binary and the local server call.
//! It never fails: each outcome becomes a response, and each request ends
//! with one structured summary line (request id, route, status, duration).

use std::{sync::Arc, time::Instant};

use lambda_http::{
    http::{header, HeaderValue, Method, StatusCode},
    request::RequestContext,
    service_fn, Body, Request, RequestExt, Response, Service,
};
use serde::Serialize;
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use crate::{
    api::{auth, params, response, ApiError},
    config::Config,
    cursor::{self, Binding},
    records::{Competitor, Record, SocialScrape, WebsiteScrape},
    store::{dynamodb_client, DynamoStore, PageQuery, RecordStore},
    telemetry,
};

/// The API's routes; each is served by one function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    Competitors,
    WebsiteScrapes,
    SocialScrapes,
    Health,
}

impl Route {
    /// Every route, in the order the docs list them.
    pub const ALL: [Route; 4] = [
        Route::Competitors,
        Route::WebsiteScrapes,
        Route::SocialScrapes,
        Route::Health,
    ];

    /// The route's path as API Gateway declares it (no trailing slash).
    pub fn path(self) -> &'static str {
        match self {
            Route::Competitors => "/brands/competitors",
            Route::WebsiteScrapes => "/brands/website-scrapes",
            Route::SocialScrapes => "/brands/social-scrapes",
            Route::Health => "/health",
        }
    }

    /// The function crate (and binary) that serves the route.
    pub fn function(self) -> &'static str {
        match self {
            Route::Competitors => "get-competitors",
            Route::WebsiteScrapes => "get-website-scrapes",
            Route::SocialScrapes => "get-social-scrapes",
            Route::Health => "health",
        }
    }

    /// The methods the route answers; anything else is a 405.
    pub fn allow(self) -> &'static str {
        "GET"
    }

    /// The route a raw path names, with or without a trailing slash.
    pub fn for_path(path: &str) -> Option<Route> {
        let path = path
            .strip_suffix('/')
            .filter(|p| !p.is_empty())
            .unwrap_or(path);
        Route::ALL.into_iter().find(|route| route.path() == path)
    }
}

/// What every handler needs, built once per process and shared by reference.
#[derive(Debug)]
pub struct App<S = DynamoStore> {
    store: S,
    config: Config,
}

impl App<DynamoStore> {
    /// Start-up for a function binary: logging, configuration from the
    /// environment, and the DynamoDB client, once per process.
    pub async fn from_env() -> Result<Arc<Self>, crate::config::ConfigError> {
        telemetry::init();
        let config = Config::from_env()?;
        let client = dynamodb_client(&config).await;
        let store = DynamoStore::new(client, config.table_name.clone());
        Ok(Arc::new(App::new(store, config)))
    }
}

impl<S: RecordStore> App<S> {
    /// An app over any store (tests use fakes).
    pub fn new(store: S, config: Config) -> Self {
        Self { store, config }
    }

    /// The store, for tools that seed or inspect it.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// A `lambda_http` service answering `route`, for `lambda_http::run`.
    /// Its error type is the runtime's, but it never returns one.
    pub fn service(
        self: Arc<Self>,
        route: Route,
    ) -> impl Service<Request, Response = Response<Body>, Error = lambda_http::Error, Future: Send>
    {
        service_fn(move |req| {
            let app = Arc::clone(&self);
            async move { Ok::<_, lambda_http::Error>(app.handle(route, req).await) }
        })
    }

    /// Answers one request for `route`. Never fails and never panics on input.
    pub async fn handle(&self, route: Route, req: Request) -> Response<Body> {
        let started = Instant::now();
        let request_id = request_id(&req);
        let method = req.method().clone();
        let result = if method != Method::GET {
            Err(ApiError::MethodNotAllowed {
                method: method.to_string(),
                allow: route.allow(),
            })
        } else {
            match route {
                Route::Competitors => self.records::<Competitor>(&req).await,
                Route::WebsiteScrapes => self.records::<WebsiteScrape>(&req).await,
                Route::SocialScrapes => self.records::<SocialScrape>(&req).await,
                Route::Health => self.health(&req, &request_id).await,
            }
        };
        let mut response = result.unwrap_or_else(|err| {
            err.log(&request_id);
            err.into_response(&request_id, self.config.retry_after_secs)
        });
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert("x-request-id", value);
        }
        tracing::info!(
            request_id,
            route = route.path(),
            method = %method,
            path = req.raw_http_path(),
            status = response.status().as_u16(),
            duration_ms = started.elapsed().as_secs_f64() * 1e3,
            "request"
        );
        response
    }

    async fn records<T: Record>(&self, req: &Request) -> Result<Response<Body>, ApiError> {
        let params = params::list_params(req)?;
        let client = auth::bind_client(req, params.client, &self.config.client_id_claim)?;
        let binding = Binding {
            client: &client,
            brand: &params.brand,
            kind: T::KIND,
        };
        let after = params
            .cursor
            .as_deref()
            .map(|c| cursor::decode(c, binding))
            .transpose()?;
        let page = self
            .store
            .page::<T>(PageQuery {
                client: &client,
                brand: &params.brand,
                limit: params.limit,
                after,
            })
            .await?;
        let mut response = response::json(StatusCode::OK, &page.records);
        if let Some(after) = page.next_after {
            let next = cursor::encode(binding, &after);
            if let Ok(value) = HeaderValue::from_str(&next) {
                response.headers_mut().insert("x-next-cursor", value);
            }
        }
        Ok(response)
    }

    async fn health(&self, req: &Request, request_id: &str) -> Result<Response<Body>, ApiError> {
        params::check_query_len(req)?;
        let reachable = match self.store.ping().await {
            Ok(()) => true,
            Err(err) => {
                ApiError::from(err).log(request_id);
                false
            }
        };
        let body = Health {
            status: if reachable { "ok" } else { "unavailable" },
            database: if reachable { "ok" } else { "unreachable" },
            version: env!("CARGO_PKG_VERSION"),
            time: OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default(),
        };
        if reachable {
            return Ok(response::json(StatusCode::OK, &body));
        }
        let mut response = response::json(StatusCode::SERVICE_UNAVAILABLE, &body);
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(self.config.retry_after_secs),
        );
        Ok(response)
    }
}

#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    database: &'static str,
    version: &'static str,
    time: String,
}

/// The Lambda request id; else API Gateway's; else a fresh one (local runs).
fn request_id(req: &Request) -> String {
    let lambda = req.lambda_context_ref().map(|ctx| ctx.request_id.clone());
    let gateway = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
        Some(RequestContext::ApiGatewayV1(ctx)) => ctx.request_id.clone(),
        _ => None,
    };
    lambda
        .into_iter()
        .chain(gateway)
        .find(|id| !id.is_empty())
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Kind;

    #[test]
    fn routes_match_with_and_without_trailing_slash() {
        for route in Route::ALL {
            assert_eq!(Route::for_path(route.path()), Some(route));
            assert_eq!(Route::for_path(&format!("{}/", route.path())), Some(route));
        }
        assert_eq!(Route::for_path("/brands"), None);
        assert_eq!(Route::for_path("/"), None);
        assert_eq!(Route::for_path("/health//"), None);
    }

    #[test]
    fn kinds_of_record_routes() {
        assert_eq!(Competitor::KIND, Kind::Competitors);
    }
}
