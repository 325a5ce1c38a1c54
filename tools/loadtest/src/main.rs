//! `loadtest`: see the crate docs and `docs/operations.md`. Exits 1 when any
//! request failed, so it doubles as a post-deploy smoke test.

use std::{process::ExitCode, sync::Arc, time::Duration};

use clap::{Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loadtest::{
    plan,
    report::Report,
    target::{DirectTarget, HttpTarget, Target},
    Mode,
};
use shared::{
    keys::Id,
    store::{dynamodb_client, DynamoStore},
    Config,
};

#[derive(Debug, Parser)]
#[command(about = "Send the frontend's request pattern (N brands x 3 endpoints) and report")]
struct Cli {
    /// Base URL of the API (local server or https://...execute-api...).
    #[arg(long, default_value = "http://127.0.0.1:9000")]
    base_url: String,
    /// Query DynamoDB directly through the SDK instead (TABLE_NAME and the
    /// AWS variables choose the table): the floor the API can approach.
    #[arg(long)]
    direct: bool,
    /// How many brands.
    #[arg(long, default_value_t = 5)]
    brands: u32,
    /// Number of the first brand.
    #[arg(long, default_value_t = 1)]
    first_brand: u32,
    /// Brand ids are PREFIX + 4-digit number.
    #[arg(long, default_value = "brand-")]
    brand_prefix: String,
    /// The client id sent with every request.
    #[arg(long, default_value = "demo")]
    client_id: String,
    /// Sent as the Authorization header (e.g. "Bearer eyJ...").
    #[arg(long, env = "LOADTEST_AUTHORIZATION", hide_env_values = true)]
    authorization: Option<String>,
    #[arg(long, value_enum, default_value_t = ModeArg::Parallel)]
    mode: ModeArg,
    /// Brands per batch in batched mode.
    #[arg(long, default_value_t = 2)]
    batch_size: usize,
    /// Milliseconds between batches in batched mode.
    #[arg(long, default_value_t = 100)]
    batch_delay_ms: u64,
    /// Run the same burst K times.
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// Open-loop constant arrival rate, requests per second (with --duration).
    #[arg(long, requires = "duration")]
    rate: Option<f64>,
    /// Seconds to keep the rate up.
    #[arg(long)]
    duration: Option<f64>,
    /// Per-request client timeout in seconds.
    #[arg(long, default_value_t = 10.5)]
    timeout: f64,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModeArg {
    Sequential,
    Parallel,
    Batched,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => ExitCode::from(code as u8),
        Err(err) => {
            eprintln!("loadtest: {err}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<i32, Box<dyn std::error::Error>> {
    let timeout =
        Duration::try_from_secs_f64(cli.timeout).map_err(|_| "--timeout must be positive")?;
    let (mode, mode_name) = match (cli.rate, cli.duration) {
        (Some(rate), Some(duration)) if rate > 0.0 && duration > 0.0 => (
            Mode::Rate {
                rate,
                duration: Duration::from_secs_f64(duration),
            },
            format!("rate {rate}/s for {duration} s"),
        ),
        (Some(_), _) => return Err("--rate and --duration must be positive".into()),
        _ => match cli.mode {
            ModeArg::Sequential => (Mode::Sequential, "sequential".into()),
            ModeArg::Parallel => (Mode::Parallel, "parallel".into()),
            ModeArg::Batched => (
                Mode::Batched {
                    size: cli.batch_size,
                    delay: Duration::from_millis(cli.batch_delay_ms),
                },
                format!(
                    "batched {} brands / {} ms",
                    cli.batch_size, cli.batch_delay_ms
                ),
            ),
        },
    };
    let (target, name) = if cli.direct {
        let config = Config::from_env()?;
        let store = DynamoStore::new(dynamodb_client(&config).await, config.table_name.clone());
        let client_id = Id::parse(&cli.client_id).map_err(|e| format!("--client-id: {e}"))?;
        (
            Target::Direct(DirectTarget {
                store,
                client_id,
                timeout,
            }),
            format!("dynamodb:{}", config.table_name),
        )
    } else {
        let http = HttpTarget::new(
            &cli.base_url,
            &cli.client_id,
            cli.authorization.clone(),
            timeout,
        )?;
        (Target::Http(Box::new(http)), cli.base_url.clone())
    };
    let target = Arc::new(target);
    let plan = plan(&cli.brand_prefix, cli.first_brand, cli.brands);
    let total = match mode {
        Mode::Rate { rate, duration } => {
            (rate * duration.as_secs_f64()) as u64 * u64::from(cli.repeat)
        }
        _ => plan.len() as u64 * u64::from(cli.repeat),
    };
    let progress = if cli.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
    };
    progress.set_style(
        ProgressStyle::with_template("{spinner} {pos}/{len} requests  {elapsed}  {wide_bar}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut runs = Vec::new();
    for _ in 0..cli.repeat.max(1) {
        runs.push(loadtest::run(Arc::clone(&target), &plan, mode, &progress).await);
    }
    progress.finish_and_clear();
    let report = Report::new(&name, &mode_name, &runs);
    if cli.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(report.exit_code())
}
