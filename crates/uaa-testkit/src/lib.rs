//! Test harness shared by the server's and the CLI's integration tests: a real `uaa` server
//! on `127.0.0.1:0` over a fresh SQLite file, a plain HTTP client, and an RS256 verifier that
//! shares no code with the server's signer (RustCrypto `rsa` against aws-lc-rs), so a token
//! that verifies here would verify for any third-party client.
//!
//! A harness fails the test that uses it by panicking with a message, so `expect` is the
//! intended failure mode here.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use tokio::sync::oneshot;
use uaa_server::Application;
use uaa_server::bootstrap::Tuning;
use uaa_server::config::{self, Config};

/// A running server; dropped at the end of the test (the task is aborted).
pub struct TestServer {
    pub base: String,
    pub http: reqwest::Client,
    pub db_path: PathBuf,
    pub dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.task.abort();
    }
}

/// Options of a test server.
#[derive(Debug, Clone)]
pub struct Options {
    /// The text of a `uaa.yml`; `None` runs development mode.
    pub yaml: Option<String>,
    /// bcrypt cost; tests default to 4 for speed, UAA's 10 is exercised explicitly.
    pub bcrypt_cost: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            yaml: None,
            bcrypt_cost: 4,
        }
    }
}

impl TestServer {
    /// Development mode: UAA's sample clients (`admin`/`adminsecret`, `cf`, …) and users.
    pub async fn spawn() -> Self {
        Self::start(Options::default()).await
    }

    /// A server configured by `yaml` (a `uaa.yml`).
    pub async fn with_yaml(yaml: &str) -> Self {
        Self::start(Options {
            yaml: Some(yaml.to_owned()),
            ..Options::default()
        })
        .await
    }

    pub async fn start(opts: Options) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let db_path = dir.path().join("uaa.db");
        Self::start_in(opts, dir, db_path).await
    }

    /// A server over an existing SQLite file (another `TestServer`'s `db_path`, which must
    /// outlive this one): a restart with another configuration, or a second instance.
    pub async fn start_on_database(opts: Options, db_path: &std::path::Path) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_in(opts, dir, db_path.to_path_buf()).await
    }

    async fn start_in(opts: Options, dir: tempfile::TempDir, db_path: PathBuf) -> Self {
        let cfg: Config = match &opts.yaml {
            Some(y) => {
                let path = dir.path().join("uaa.yml");
                std::fs::write(&path, y).expect("write uaa.yml");
                config::load(Some(&path)).expect("valid uaa.yml")
            }
            None => config::load(None).expect("development config"),
        };
        Self::start_with(cfg, dir, db_path, opts.bcrypt_cost).await
    }

    async fn start_with(
        cfg: Config,
        dir: tempfile::TempDir,
        db_path: PathBuf,
        bcrypt_cost: u32,
    ) -> Self {
        let url = format!("sqlite://{}?mode=rwc", db_path.display());
        let tuning = Tuning {
            bcrypt_cost,
            ..Tuning::default()
        };
        let app = Application::build(&cfg, "127.0.0.1:0", &url, &tuning)
            .await
            .expect("server starts");
        let addr = app.local_addr().expect("bound");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = app
                .run_until(async {
                    let _ = rx.await;
                })
                .await;
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        Self {
            base: format!("http://{addr}"),
            http,
            db_path,
            dir,
            stop: Some(tx),
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// `POST /oauth/token` with Basic client credentials and a form body.
    pub async fn token_request(
        &self,
        client: &str,
        secret: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.http
            .post(self.url("/oauth/token"))
            .basic_auth(client, Some(secret))
            .form(form)
            .send()
            .await
            .expect("token request")
    }

    /// A client_credentials access token; panics unless the server issues one.
    pub async fn client_token(&self, client: &str, secret: &str) -> String {
        let r = self
            .token_request(client, secret, &[("grant_type", "client_credentials")])
            .await;
        access_token(r).await
    }

    /// A password-grant access token.
    pub async fn password_token(&self, client: &str, secret: &str, user: &str, pw: &str) -> String {
        let r = self
            .token_request(
                client,
                secret,
                &[
                    ("grant_type", "password"),
                    ("username", user),
                    ("password", pw),
                ],
            )
            .await;
        access_token(r).await
    }

    /// The server's `/token_keys`.
    pub async fn jwks(&self) -> Value {
        self.http
            .get(self.url("/token_keys"))
            .send()
            .await
            .expect("token_keys")
            .json()
            .await
            .expect("jwks json")
    }
}

async fn access_token(r: reqwest::Response) -> String {
    let status = r.status();
    let body: Value = r.json().await.expect("token json");
    assert_eq!(status, 200, "token request failed: {body}");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// Decodes a JWT's payload without verifying it.
pub fn claims(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("json")
}

/// Verifies an RS256 JWT against a JWKS (`{"keys":[…]}`) with RustCrypto's `rsa`, selecting
/// the key by `kid`. Returns the claims.
pub fn verify_rs256(token: &str, jwks: &Value) -> Result<Value, String> {
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier;
    use rsa::{BoxedUint, PublicKey as RsaPublicKey};
    use sha2::Sha256;

    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a compact JWS".into());
    };
    let dec = |x: &str| URL_SAFE_NO_PAD.decode(x).map_err(|e| e.to_string());
    let header: Value = serde_json::from_slice(&dec(h)?).map_err(|e| e.to_string())?;
    if header["alg"] != "RS256" {
        return Err(format!("alg is {}", header["alg"]));
    }
    let kid = header["kid"].as_str().ok_or("no kid")?;
    let jwk = jwks["keys"]
        .as_array()
        .and_then(|ks| ks.iter().find(|k| k["kid"] == kid))
        .ok_or("kid not in jwks")?;
    let n = dec(jwk["n"].as_str().ok_or("no n")?)?;
    let e = dec(jwk["e"].as_str().ok_or("no e")?)?;
    let key = RsaPublicKey::new(
        BoxedUint::from_be_slice_vartime(&n),
        BoxedUint::from_be_slice_vartime(&e),
    )
    .map_err(|e| e.to_string())?;
    let verifier = VerifyingKey::<Sha256>::new(key);
    let sig = Signature::try_from(dec(s)?.as_slice()).map_err(|e| e.to_string())?;
    verifier
        .verify(format!("{h}.{p}").as_bytes(), &sig)
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&dec(p)?).map_err(|e| e.to_string())
}

/// Verifies a JWT (RS256, ES256, …) against a JWKS with `openidconnect`'s RustCrypto key
/// types, selecting the key by `kid`: what a third-party relying party would do. Returns the
/// claims.
pub fn verify_with_jwks(token: &str, jwks: &Value) -> Result<Value, String> {
    use openidconnect::JsonWebKey as _;
    use openidconnect::core::{CoreJsonWebKey, CoreJwsSigningAlgorithm};

    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a compact JWS".into());
    };
    let dec = |x: &str| URL_SAFE_NO_PAD.decode(x).map_err(|e| e.to_string());
    let header: Value = serde_json::from_slice(&dec(h)?).map_err(|e| e.to_string())?;
    let alg: CoreJwsSigningAlgorithm =
        serde_json::from_value(header["alg"].clone()).map_err(|e| e.to_string())?;
    let kid = header["kid"].as_str().ok_or("no kid")?;
    let jwk = jwks["keys"]
        .as_array()
        .and_then(|ks| ks.iter().find(|k| k["kid"] == kid))
        .ok_or("kid not in jwks")?;
    let key: CoreJsonWebKey = serde_json::from_value(jwk.clone()).map_err(|e| e.to_string())?;
    key.verify_signature(&alg, format!("{h}.{p}").as_bytes(), &dec(s)?)
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&dec(p)?).map_err(|e| e.to_string())
}

/// The HTTP client `openidconnect` and `oauth2` run on (their `AsyncHttpClient`), over our
/// reqwest 0.13 instead of the reqwest 0.12 their default features would pull in. Redirects
/// are not followed (oauth2's rule). Requests to `issuer.uri` (say
/// `http://localhost:8080/uaa`, which the discovery document and the tokens name) go to the
/// test server's real address, so the relying party sees exactly the configured URLs.
#[derive(Debug, Clone)]
pub struct OidcHttp {
    http: reqwest::Client,
    issuer_uri: String,
    base: String,
}

impl TestServer {
    /// An `openidconnect` HTTP client for this server configured with `issuer_uri`.
    pub fn oidc_http(&self, issuer_uri: &str) -> OidcHttp {
        OidcHttp {
            http: self.http.clone(),
            issuer_uri: issuer_uri.trim_end_matches('/').to_owned(),
            base: self.base.clone(),
        }
    }
}

impl<'c> openidconnect::AsyncHttpClient<'c> for OidcHttp {
    type Error = std::io::Error;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<openidconnect::HttpResponse, Self::Error>>
                + Send
                + 'c,
        >,
    >;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let uri = parts.uri.to_string();
            if let Some(rest) = uri.strip_prefix(&self.issuer_uri) {
                parts.uri = format!("{}{rest}", self.base)
                    .parse()
                    .map_err(std::io::Error::other)?;
            }
            let request = openidconnect::http::Request::from_parts(parts, body);
            let request = reqwest::Request::try_from(request).map_err(std::io::Error::other)?;
            let response = self
                .http
                .execute(request)
                .await
                .map_err(std::io::Error::other)?;
            let mut out = openidconnect::http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                out = out.header(name, value);
            }
            let body = response.bytes().await.map_err(std::io::Error::other)?;
            out.body(body.to_vec()).map_err(std::io::Error::other)
        })
    }
}
