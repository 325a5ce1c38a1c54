//! Where requests go: an HTTP base URL, or DynamoDB directly (`--direct`).

use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::{
    client::legacy::{connect::HttpConnector, Client},
    rt::TokioExecutor,
};
use shared::{
    keys::Id,
    records::{Competitor, SocialScrape, WebsiteScrape},
    store::{DynamoStore, PageQuery, RecordStore},
};

use crate::{
    stats::{Outcome, Sample},
    Planned,
};

/// A target of the load.
#[derive(Debug)]
pub enum Target {
    Http(Box<HttpTarget>),
    Direct(DirectTarget),
}

/// The API at a base URL.
#[derive(Debug)]
pub struct HttpTarget {
    pub base_url: String,
    pub client_id: String,
    pub authorization: Option<String>,
    pub timeout: Duration,
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
}

/// The same queries straight through the SDK.
#[derive(Debug)]
pub struct DirectTarget {
    pub store: DynamoStore,
    pub client_id: Id,
    pub timeout: Duration,
}

impl HttpTarget {
    /// An HTTP(S) target. TLS uses the system's root certificates.
    pub fn new(
        base_url: &str,
        client_id: &str,
        authorization: Option<String>,
        timeout: Duration,
    ) -> std::io::Result<Self> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()?
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(usize::MAX)
            .build(https);
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            client_id: client_id.to_owned(),
            authorization,
            timeout,
            client,
        })
    }

    /// The URL the frontend calls (with its trailing slash).
    pub fn url(&self, planned: &Planned) -> String {
        format!(
            "{}/brands/{}/?brand_id={}&client_id={}",
            self.base_url, planned.endpoint, planned.brand, self.client_id
        )
    }

    async fn fetch(&self, planned: &Planned) -> Outcome {
        let mut request = hyper::Request::get(self.url(planned));
        if let Some(auth) = &self.authorization {
            request = request.header("authorization", auth);
        }
        let Ok(request) = request.body(Empty::new()) else {
            return Outcome::Transport("invalid request".into());
        };
        let response = match self.client.request(request).await {
            Ok(response) => response,
            Err(err) => return Outcome::Transport(transport_kind(&err)),
        };
        let status = response.status().as_u16();
        let body = match response.into_body().collect().await {
            Ok(body) => body.to_bytes(),
            Err(_) => return Outcome::Transport("body interrupted".into()),
        };
        if status != 200 {
            return Outcome::Status(status);
        }
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Array(_)) => Outcome::Ok,
            _ => Outcome::BadBody,
        }
    }
}

fn transport_kind(err: &hyper_util::client::legacy::Error) -> String {
    let text = format!("{err:?}").to_lowercase();
    if text.contains("refused") {
        "connection refused".into()
    } else if text.contains("reset") {
        "connection reset".into()
    } else if err.is_connect() {
        "connect failed".into()
    } else {
        "request failed".into()
    }
}

impl DirectTarget {
    async fn fetch(&self, planned: &Planned) -> Outcome {
        let Ok(brand) = Id::parse(&planned.brand) else {
            return Outcome::Store("invalid brand id".into());
        };
        let query = PageQuery {
            client: &self.client_id,
            brand: &brand,
            limit: 1000,
            after: None,
        };
        let result = match planned.endpoint {
            "competitors" => self.store.page::<Competitor>(query).await.map(|_| ()),
            "website-scrapes" => self.store.page::<WebsiteScrape>(query).await.map(|_| ()),
            _ => self.store.page::<SocialScrape>(query).await.map(|_| ()),
        };
        match result {
            Ok(()) => Outcome::Ok,
            Err(err) => Outcome::Store(err.to_string()),
        }
    }
}

impl Target {
    /// Sends one request and times it, bounded by the client timeout.
    pub async fn send(&self, planned: &Planned) -> Sample {
        let started = Instant::now();
        let (timeout, work) = match self {
            Target::Http(http) => (http.timeout, futures_box(http.fetch(planned))),
            Target::Direct(direct) => (direct.timeout, futures_box(direct.fetch(planned))),
        };
        let outcome = tokio::time::timeout(timeout, work)
            .await
            .unwrap_or(Outcome::Timeout);
        Sample {
            endpoint: planned.endpoint,
            outcome,
            latency: started.elapsed(),
        }
    }
}

type BoxFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Outcome> + Send + 'a>>;

fn futures_box<'a>(
    future: impl std::future::Future<Output = Outcome> + Send + 'a,
) -> BoxFuture<'a> {
    Box::pin(future)
}
