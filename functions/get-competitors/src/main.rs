//! The `get-competitors` Lambda: serves `Route::Competitors`. Only wiring lives here; the
//! handler is `shared::App::handle`, which tests call directly.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    // Configuration and the DynamoDB client are built once per process,
    // outside the handler, and reused by every invocation.
    let app = shared::App::from_env().await?;
    lambda_http::run(app.service(shared::Route::Competitors)).await
}
