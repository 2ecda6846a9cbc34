//! `Application`: a bound listener plus the router, so tests can start a real server on
//! `127.0.0.1:0`, read its port, and stop it; the binary runs the same thing until SIGTERM or
//! SIGINT and then drains connections (graceful shutdown).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use uaa_store::SqlStore;

use crate::bootstrap::{Tuning, build_state};
use crate::config::Config;
use crate::state::AppState;

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Opens the database, seeds it from `config`, and binds `listen`.
    pub async fn build(
        config: &Config,
        listen: &str,
        database_url: &str,
        tuning: &Tuning,
    ) -> anyhow::Result<Self> {
        let store = SqlStore::connect_with(database_url, config.database_pool)
            .await
            .with_context(|| format!("database {}", redact_url(database_url)))?;
        let state = build_state(config, store, tuning).await?;
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let router = crate::routes::router(state.clone())
            .layer(axum::middleware::from_fn(crate::telemetry::log_requests));
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then stops accepting and drains in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let flag = self.state.shutting_down.clone();
        let store = self.state.store.clone();
        let housekeeping = tokio::spawn(housekeeping(store.clone()));
        let audit = self.state.audit.clone();
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async move {
                shutdown.await;
                flag.store(true, Ordering::Relaxed);
                tracing::info!("shutting down");
            })
            .await?;
        housekeeping.abort();
        audit.close().await;
        store.close().await;
        Ok(())
    }
}

/// How often expired tokens and old audit rows are pruned, and how long audit rows are kept
/// (far beyond the lockout window, which is what reads them).
const HOUSEKEEPING_EVERY: std::time::Duration = std::time::Duration::from_secs(600);
const AUDIT_RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;

/// Prunes the store periodically; with several instances on PostgreSQL one of them does it
/// each round (`SqlStore::prune` takes an advisory lock).
async fn housekeeping(store: SqlStore) {
    let mut tick = tokio::time::interval(HOUSEKEEPING_EVERY);
    tick.tick().await;
    loop {
        tick.tick().await;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        match store.prune(now, now - AUDIT_RETENTION_MS).await {
            Ok(p) if p.ran => tracing::info!(tokens = p.tokens, audit = p.audit, "housekeeping"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
        }
        // Expired authorization codes and login sessions (idempotent deletes, no lock needed).
        if let Err(e) = store.prune_authorize(now).await {
            tracing::warn!(error = %e, "housekeeping of codes and sessions failed");
        }
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// A database URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}
