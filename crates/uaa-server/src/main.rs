//! The `uaa` binary: `uaa serve [--config FILE] [--listen ADDR] [--database-url URL]`.
//! Options also come from `UAA_CONFIG_PATH` (a folder holding `uaa.yml`, as UAA reads it),
//! `UAA_LISTEN` and `UAA_DATABASE_URL`; the database defaults to `database.url` of the file,
//! then to `sqlite://uaa.db?mode=rwc` in the working directory.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use uaa_server::bootstrap::Tuning;
use uaa_server::config;
use uaa_server::startup::{Application, redact_url, shutdown_signal};
use uaa_server::telemetry::{self, LogFormat};

#[derive(Parser)]
#[command(
    name = "uaa",
    version,
    about = "A UAA-compatible OAuth2 / OpenID Connect server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// A uaa.yml file. Without one (and without UAA_CONFIG_PATH) the server runs in
    /// development mode with UAA's sample clients and users.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, env = "UAA_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Database URL: sqlite://FILE?mode=rwc or postgres://…
    #[arg(long, env = "UAA_DATABASE_URL")]
    database_url: Option<String>,
    /// Log line format.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
}

const DEFAULT_DATABASE_URL: &str = "sqlite://uaa.db?mode=rwc";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Command::Serve(args) = cli.command;
    telemetry::init(args.log_format);
    let path = config::resolve_path(args.config.clone(), std::env::var("UAA_CONFIG_PATH").ok());
    let cfg = match config::load(path.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("uaa: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    for w in &cfg.warnings {
        tracing::warn!("{w}");
    }
    if cfg.dev_mode {
        tracing::warn!(
            "no --config given: running in DEVELOPMENT MODE with UAA's sample clients and users \
             (admin/adminsecret, cf, admin/admin, marissa/koala). Never use this mode in production."
        );
    }
    let database_url = args
        .database_url
        .or_else(|| cfg.database_url.clone())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("uaa: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let app = Application::build(&cfg, &args.listen, &database_url, &Tuning::default()).await?;
        tracing::info!(
            listen = %app.local_addr()?,
            database = %redact_url(&database_url),
            issuer = %cfg.issuer_uri,
            "uaa started"
        );
        app.run_until(shutdown_signal()).await?;
        anyhow::Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("uaa: {e:#}");
            ExitCode::FAILURE
        }
    }
}
