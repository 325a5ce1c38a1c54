//! `local-api`: create the local table, seed demo data, serve the API.
//!
//! `make dev` runs `local-api up`. DynamoDB is wherever the standard AWS
//! variables point (`AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB Local).

use std::{path::PathBuf, process::ExitCode, sync::Arc};

use clap::{Parser, Subcommand};
use local_api::{seed, server, table::TableDefinition};
use shared::{keys::Id, App};
use tokio::net::TcpListener;

#[derive(Debug, Parser)]
#[command(about = "Run the Brand Enrichment API locally on DynamoDB Local")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the table from template.yaml (if it does not exist).
    CreateTable(TableArgs),
    /// Write deterministic demo data.
    Seed(SeedArgs),
    /// Serve every route on ADDR.
    Serve(ServeArgs),
    /// create-table, seed, then serve.
    Up {
        #[command(flatten)]
        table: TableArgs,
        #[command(flatten)]
        seed: SeedArgs,
        #[command(flatten)]
        serve: ServeArgs,
    },
}

#[derive(Debug, clap::Args)]
struct TableArgs {
    /// The SAM template holding the table definition.
    #[arg(long, default_value = "template.yaml")]
    template: PathBuf,
}

#[derive(Debug, clap::Args)]
struct SeedArgs {
    /// How many brands to seed: brand-0001 ... brand-NNNN.
    #[arg(long, env = "SEED_BRANDS", default_value_t = 200)]
    brands: u32,
    /// The client that owns the seeded brands.
    #[arg(long, env = "SEED_CLIENT", default_value = "demo")]
    client: String,
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LOCAL_API_ADDR", default_value = "127.0.0.1:9000")]
    addr: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!(
                "local-api: {}",
                shared::api::error::cause_chain(err.as_ref())
            );
            ExitCode::FAILURE
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

async fn run(command: Command) -> Result<(), BoxError> {
    let app = App::from_env().await?;
    match command {
        Command::CreateTable(args) => create_table(&app, &args).await,
        Command::Seed(args) => seed_brands(&app, &args).await,
        Command::Serve(args) => serve(app, &args).await,
        Command::Up {
            table,
            seed,
            serve: serve_args,
        } => {
            create_table(&app, &table).await?;
            seed_brands(&app, &seed).await?;
            serve(app, &serve_args).await
        }
    }
}

async fn create_table(app: &App, args: &TableArgs) -> Result<(), BoxError> {
    let definition = TableDefinition::from_template(&args.template)?;
    definition
        .create(app.store().client(), app.store().table())
        .await?;
    eprintln!("table {} is ready", app.store().table());
    Ok(())
}

async fn seed_brands(app: &App, args: &SeedArgs) -> Result<(), BoxError> {
    let client = Id::parse(&args.client).map_err(|e| format!("--client: {e}"))?;
    let started = std::time::Instant::now();
    let written = seed::seed(app.store(), &client, args.brands).await?;
    eprintln!(
        "seeded {written} records for {} brands of client '{client}' ({} ... {}) in {:.1}s",
        args.brands,
        seed::brand_id(1),
        seed::brand_id(args.brands),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn serve(app: Arc<App>, args: &ServeArgs) -> Result<(), BoxError> {
    let listener = TcpListener::bind(&args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let addr = listener.local_addr()?;
    eprintln!("Brand Enrichment API ready on http://{addr}  (Ctrl-C to stop)");
    eprintln!(
        "  try: curl -s 'http://{addr}/brands/competitors/?client_id=demo&brand_id=brand-0001'"
    );
    server::serve(listener, app, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let term = async {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            term.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
