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
        let store = SqlStore::connect(database_url)
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
        let audit = self.state.audit.clone();
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async move {
                shutdown.await;
                flag.store(true, Ordering::Relaxed);
                tracing::info!("shutting down");
            })
            .await?;
        audit.close().await;
        store.close().await;
        Ok(())
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
