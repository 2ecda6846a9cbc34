//! The HTTP side of uaac (cf-uaa-lib's `Http`, `Scim`, `TokenIssuer`, `Info`): the exact
//! headers uaac sends, the status codes it accepts, and its error kinds, with clearer messages
//! where uaac's were cryptic (connection and TLS failures, an expired token).

use std::fmt;

use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};

/// JSON accept header exactly as cf-uaa-lib writes it.
pub const JSON_UTF8: &str = "application/json;charset=utf-8";
pub const FORM_UTF8: &str = "application/x-www-form-urlencoded;charset=utf-8";

/// A failed request, printed the way uaac's `complain` prints its exceptions.
#[derive(Debug)]
pub enum HttpError {
    /// A 4xx with a JSON body (`TargetError`): printed as `error response:` + the JSON.
    Target(Value),
    /// The token was refused as invalid or expired (`InvalidToken`).
    InvalidToken(Value),
    /// 404 (`NotFound`).
    NotFound,
    /// Any other status, or a body that is not JSON (`BadResponse`).
    BadResponse(String),
    /// The server could not be reached.
    Connect { url: String, detail: String },
    /// The TLS handshake or certificate check failed.
    Tls { url: String, detail: String },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
        match self {
            Self::Target(v) => write!(f, "\nerror response:\n{}", pretty(v)),
            Self::InvalidToken(v) => {
                let d = v["error_description"].as_str().unwrap_or("invalid token");
                write!(
                    f,
                    "\nerror response:\n{}\n\nThe access token was refused ({d}). It may have expired or been revoked: get a new one with `uaac token client get` or `uaac token owner get`.\n",
                    pretty(v)
                )
            }
            Self::NotFound => write!(f, "\nCF::UAA::NotFound: invalid status response: 404\n\n"),
            Self::BadResponse(m) => write!(f, "\nCF::UAA::BadResponse: {m}\n\n"),
            Self::Connect { url, detail } => write!(
                f,
                "\nCF::UAA::HTTPException: cannot connect to {url}: {detail}\n\n"
            ),
            Self::Tls { url, detail } => write!(
                f,
                "\nCF::UAA::SSLException: TLS failure talking to {url}: {detail}. Use --ca-cert FILE to trust its certificate, or --skip-ssl-validation.\n\n"
            ),
        }
    }
}

/// Connection settings of one target.
#[derive(Debug, Clone, Default)]
pub struct TargetOpts {
    pub skip_ssl_validation: bool,
    pub ca_cert: Option<String>,
    /// `X-Identity-Zone-Subdomain` for SCIM and client-admin calls (`-z`).
    pub zone: Option<String>,
    pub trace: bool,
}

/// One HTTP conversation with a UAA.
pub struct Http {
    client: reqwest::Client,
    pub opts: TargetOpts,
    /// What `--trace` printed, flushed by the caller to standard output.
    pub trace_log: std::sync::Mutex<String>,
}

/// A response uaac accepted: status and JSON body (Null when empty).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Http {
    pub fn new(opts: TargetOpts) -> Result<Self, String> {
        let mut b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("uaac-rs/", env!("CARGO_PKG_VERSION")));
        if opts.skip_ssl_validation {
            b = b.danger_accept_invalid_certs(true);
        }
        if let Some(path) = &opts.ca_cert {
            let pem = std::fs::read(path)
                .map_err(|e| format!("cannot read CA certificate {path}: {e}"))?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .map_err(|e| format!("invalid CA certificate {path}: {e}"))?;
            b = b.add_root_certificate(cert);
        }
        Ok(Self {
            client: b.build().map_err(|e| e.to_string())?,
            opts,
            trace_log: std::sync::Mutex::new(String::new()),
        })
    }

    fn trace(&self, text: String) {
        if self.opts.trace
            && let Ok(mut t) = self.trace_log.lock()
        {
            t.push_str(&text);
        }
    }

    /// Sends a request and applies uaac's acceptance rules (cf-uaa-lib `json_parse_reply`).
    pub async fn request(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, String)],
        body: Option<String>,
    ) -> Result<Reply, HttpError> {
        let mut req = self.client.request(method.clone(), url);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let shown: Vec<String> = headers
            .iter()
            .map(|(k, v)| {
                let v = if k.eq_ignore_ascii_case("authorization") {
                    format!("{} [redacted]", v.split(' ').next().unwrap_or(""))
                } else {
                    v.clone()
                };
                format!("{k:?}=>{v:?}")
            })
            .collect();
        self.trace(format!(
            "--->\nrequest: {method} {url}\nheaders: {{{}}}\n{}",
            shown.join(", "),
            body.as_ref()
                .map(|b| format!("body: {}\n", redact_form(b)))
                .unwrap_or_default()
        ));
        if let Some(b) = body {
            req = req.body(b);
        }
        let resp = req.send().await.map_err(|e| classify(url, &e))?;
        let status = resp.status().as_u16();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = resp.text().await.map_err(|e| classify(url, &e))?;
        self.trace(format!(
            "<---\nresponse: {status}\nheaders: {{\"content-type\"=>{ctype:?}}}\nbody: {}\n",
            truncate(&text)
        ));
        if status == 404 {
            return Err(HttpError::NotFound);
        }
        if ![200, 201, 204, 400, 401, 403, 409, 422].contains(&status) {
            return Err(HttpError::BadResponse(format!(
                "invalid status response: {status}"
            )));
        }
        let body = if text.is_empty() {
            Value::Null
        } else if ctype.to_ascii_lowercase().contains("application/json") {
            serde_json::from_str(&text).map_err(|_| {
                HttpError::BadResponse("received invalid response content or type".into())
            })?
        } else {
            return Err(HttpError::BadResponse(
                "received invalid response content or type".into(),
            ));
        };
        if status >= 400 {
            if body["error"] == "invalid_token" {
                return Err(HttpError::InvalidToken(body));
            }
            return Err(HttpError::Target(body));
        }
        Ok(Reply { status, body })
    }

    /// `GET` with uaac's JSON headers and an optional authorization header.
    pub async fn get_json(&self, url: &str, auth: Option<&str>) -> Result<Value, HttpError> {
        let mut h = vec![("accept", JSON_UTF8.to_owned())];
        if let Some(a) = auth {
            h.push(("authorization", a.to_owned()));
        }
        h.extend(self.zone_header());
        Ok(self.request(Method::GET, url, &h, None).await?.body)
    }

    /// A request with a JSON body (`content-type` and `accept` as cf-uaa-lib sends them).
    pub async fn send_json(
        &self,
        method: Method,
        url: &str,
        auth: &str,
        body: &Value,
        extra: &[(&str, String)],
    ) -> Result<Value, HttpError> {
        let mut h = vec![
            ("content-type", JSON_UTF8.to_owned()),
            ("accept", JSON_UTF8.to_owned()),
            ("authorization", auth.to_owned()),
        ];
        h.extend(self.zone_header());
        h.extend(extra.iter().cloned());
        Ok(self
            .request(method, url, &h, Some(body.to_string()))
            .await?
            .body)
    }

    /// `DELETE`: only `authorization` (and httpclient's `Accept: */*`).
    pub async fn delete(&self, url: &str, auth: &str) -> Result<Value, HttpError> {
        let mut h = vec![
            ("authorization", auth.to_owned()),
            ("accept", "*/*".to_owned()),
        ];
        h.extend(self.zone_header());
        Ok(self.request(Method::DELETE, url, &h, None).await?.body)
    }

    fn zone_header(&self) -> Vec<(&'static str, String)> {
        self.opts
            .zone
            .iter()
            .map(|z| ("X-Identity-Zone-Subdomain", z.clone()))
            .collect()
    }

    /// `POST /oauth/token` as `TokenIssuer` sends it: form body, JSON accept, and client
    /// credentials in Basic, form-urlencoded with `X-CF-ENCODED-CREDENTIALS: true` unless the
    /// target uses `--basic_auth`.
    pub async fn token(
        &self,
        token_url: &str,
        client_id: &str,
        secret: &str,
        basic_auth: bool,
        form: &[(&str, &str)],
    ) -> Result<Value, HttpError> {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut h = vec![
            ("content-type", FORM_UTF8.to_owned()),
            ("accept", JSON_UTF8.to_owned()),
        ];
        let creds = if basic_auth {
            format!("{client_id}:{secret}")
        } else {
            h.push(("X-CF-ENCODED-CREDENTIALS", "true".to_owned()));
            format!("{}:{}", form_encode(client_id), form_encode(secret))
        };
        h.push((
            "authorization",
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(creds)
            ),
        ));
        let reply = self
            .request(Method::POST, token_url, &h, Some(body))
            .await?;
        let b = reply.body;
        if b.get("token_type").and_then(Value::as_str).is_none()
            || b.get("access_token").and_then(Value::as_str).is_none()
        {
            return Err(HttpError::BadResponse(
                "received invalid response content or type".into(),
            ));
        }
        Ok(b)
    }
}

/// Ruby's `CGI.escape` / form encoding (space → `+`).
pub fn form_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn truncate(s: &str) -> String {
    const MAX: usize = 50_000;
    if s.len() > MAX {
        format!("{}...", &s[..s.floor_char_boundary(MAX)])
    } else {
        s.to_owned()
    }
}

/// Hides secrets in a traced form body (`password`, `client_secret`).
fn redact_form(body: &str) -> String {
    if body.starts_with('{') {
        return match serde_json::from_str::<Value>(body) {
            Ok(Value::Object(mut m)) => {
                for k in [
                    "secret",
                    "oldSecret",
                    "client_secret",
                    "password",
                    "oldPassword",
                ] {
                    if m.contains_key(k) {
                        m.insert(k.into(), json!("[redacted]"));
                    }
                }
                Value::Object(m).to_string()
            }
            _ => body.to_owned(),
        };
    }
    form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| {
            let v = if matches!(&*k, "password" | "client_secret") {
                "[redacted]".into()
            } else {
                v
            };
            format!("{}={}", form_encode(&k), form_encode(&v))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Turns a transport failure into a specific, readable error: the innermost cause is the
/// useful part of reqwest's chain; TLS problems are told apart from unreachable hosts.
fn classify(url: &str, e: &reqwest::Error) -> HttpError {
    let mut chain = vec![e.to_string()];
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        chain.push(s.to_string());
        src = s.source();
    }
    let detail = chain.last().cloned().unwrap_or_default();
    let all = chain.join(" ").to_ascii_lowercase();
    let tls = [
        "certificate",
        "tls",
        "handshake",
        "corrupt message",
        "unknownissuer",
        "alert",
    ]
    .iter()
    .any(|w| all.contains(w));
    if tls {
        HttpError::Tls {
            url: url.to_owned(),
            detail,
        }
    } else {
        HttpError::Connect {
            url: url.to_owned(),
            detail,
        }
    }
}
