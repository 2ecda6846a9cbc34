//! The commands: each one does what uaac's topic method does (base.rb topics in cf-uaac), over
//! `http` and `config`, and returns the value uaac would print (`pp`) or a failure. A command
//! that fails prints uaac's complaint and exits 1.

use std::collections::BTreeSet;

use base64::Engine;
use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::config::UaacConfig;
use crate::http::{Http, HttpError, TargetOpts, form_encode};
use crate::pp;
use crate::prompt::{Prompter, from_env_or_fd};

/// What a command leaves behind: something to print, or nothing (exit 0 either way).
pub enum Done {
    /// `pp(value)`.
    Print(Value),
    /// `say(text)`: the text and a newline.
    Say(String),
    /// Text printed as is.
    Raw(String),
    Quiet,
}

/// A command's failure: the text uaac prints, and exit status 1.
#[derive(Debug)]
pub struct Fail(pub String);

impl From<HttpError> for Fail {
    fn from(e: HttpError) -> Self {
        Fail(e.to_string())
    }
}

impl From<String> for Fail {
    fn from(e: String) -> Self {
        Fail(e)
    }
}

pub type CmdResult = Result<Done, Fail>;

/// Option values as the commands read them.
pub trait Opts {
    /// The value of a string option (the last one when repeated).
    fn str(&self, key: &str) -> Option<String>;
    /// Every value of a repeatable option.
    fn all(&self, key: &str) -> Vec<String>;
    fn flag(&self, key: &str) -> Option<bool>;
    fn has(&self, key: &str) -> bool;
}

pub struct Ctx<'a> {
    pub opts: &'a dyn Opts,
    pub cfg: UaacConfig,
    pub prompt: Prompter,
    pub wrap: usize,
}

fn fail<T>(msg: impl Into<String>) -> Result<T, Fail> {
    Err(Fail(msg.into()))
}

impl Ctx<'_> {
    fn target(&self) -> Result<String, Fail> {
        self.cfg
            .target()
            .ok_or_else(|| Fail("target not set".into()))
    }

    fn target_bool(&self, key: &str) -> bool {
        self.cfg
            .target_value(key)
            .and_then(yaml_serde::Value::as_bool)
            .unwrap_or(false)
    }

    fn target_str(&self, key: &str) -> Option<String> {
        self.cfg
            .target_value(key)
            .and_then(yaml_serde::Value::as_str)
            .map(str::to_owned)
    }

    /// Connection settings: the target's stored ones, overridden by this command's
    /// `--skip-ssl-validation` / `--ca-cert` (honoured on every command, not only `target`).
    fn http(&self) -> Result<Http, Fail> {
        let opts = TargetOpts {
            skip_ssl_validation: self.opts.has("skip_ssl_validation")
                || (self.cfg.target().is_some() && self.target_bool("skip_ssl_validation")),
            ca_cert: self
                .opts
                .str("ca_cert")
                .or_else(|| self.cfg.target().and_then(|_| self.target_str("ca_cert"))),
            zone: self.opts.str("zone"),
            trace: self.opts.flag("trace") == Some(true) || self.opts.flag("debug") == Some(true),
        };
        Http::new(opts).map_err(Fail)
    }

    /// `auth_header`: `<token_type> <access_token>` of the current context.
    fn auth(&self) -> Result<String, Fail> {
        let get = |k: &str| {
            self.cfg
                .value(k)
                .and_then(yaml_serde::Value::as_str)
                .map(str::to_owned)
        };
        match (get("token_type"), get("access_token")) {
            (Some(t), Some(a)) => Ok(format!("{t} {a}")),
            _ => fail("Need an access token to complete this command. Please login."),
        }
    }

    fn client_id(&mut self, given: Option<String>) -> Result<String, Fail> {
        match given.or_else(|| self.opts.str("client")) {
            Some(c) => Ok(c),
            None => Ok(self.prompt.ask("Client ID")?),
        }
    }

    /// The client secret: `-s`, `--secret-env`, `--secret-fd`, else the `Client secret` prompt.
    fn client_secret(&mut self) -> Result<String, Fail> {
        if let Some(s) = self.given_secret()? {
            return Ok(s);
        }
        Ok(self.prompt.ask_pwd("Client secret")?)
    }

    /// The given secret, else asked twice (`verified_pwd`).
    fn verified_secret(&mut self, prompt: &str) -> Result<String, Fail> {
        match self.given_secret()? {
            Some(s) => Ok(s),
            None => Ok(self.prompt.verified_pwd(prompt)?),
        }
    }

    fn given_secret(&self) -> Result<Option<String>, Fail> {
        if let Some(s) = self.opts.str("secret") {
            return Ok(Some(s));
        }
        Ok(from_env_or_fd(
            self.opts.str("secret_env").as_deref(),
            self.opts.str("secret_fd").as_deref(),
        )?)
    }

    /// A password from `-p`, `--password-env` or `--password-fd`, if one was given.
    fn given_password(&self) -> Result<Option<String>, Fail> {
        if let Some(p) = self.opts.str("password") {
            return Ok(Some(p));
        }
        Ok(from_env_or_fd(
            self.opts.str("password_env").as_deref(),
            self.opts.str("password_fd").as_deref(),
        )?)
    }

    /// The given password, else asked once (`userpwd`).
    fn password(&mut self, prompt: &str) -> Result<String, Fail> {
        match self.given_password()? {
            Some(p) => Ok(p),
            None => Ok(self.prompt.ask_pwd(prompt)?),
        }
    }

    /// The given password, else asked twice (`verified_pwd`).
    fn verified_password(&mut self, prompt: &str) -> Result<String, Fail> {
        match self.given_password()? {
            Some(p) => Ok(p),
            None => Ok(self.prompt.verified_pwd(prompt)?),
        }
    }
}

/// `normalize_url`: trims trailing slashes, lowercases the host; adds `scheme` when the URL
/// has none (returns None when it has none and no scheme is given).
pub fn normalize_url(url: &str, scheme: Option<&str>) -> Result<Option<String>, Fail> {
    let url = url.trim().trim_end_matches('/');
    if url.contains(char::is_whitespace) {
        return fail("invalid whitespace in target url");
    }
    let with_scheme = if url.starts_with("http://") || url.starts_with("https://") {
        url.to_owned()
    } else {
        match scheme {
            Some(s) => format!("{s}://{url}"),
            None => return Ok(None),
        }
    };
    let parsed =
        url::Url::parse(&with_scheme).map_err(|e| Fail(format!("invalid target url: {e}")))?;
    let host = parsed.host_str().unwrap_or("").to_lowercase();
    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = parsed.path().trim_end_matches('/');
    Ok(Some(format!("{}://{host}{port}{path}", parsed.scheme())))
}

async fn server_info(ctx: &Ctx<'_>, http: &Http, base: &str) -> Result<Value, Fail> {
    let _ = ctx;
    Ok(http.get_json(&format!("{base}/login"), None).await?)
}

/// `update_target_info`: caches `prompts` (and `token_endpoint`) in the target.
async fn update_target_info(ctx: &mut Ctx<'_>, info: Option<Value>) -> Result<Value, Fail> {
    if info.is_none()
        && let Some(p) = ctx.cfg.target_value("prompts")
    {
        return Ok(json!({"prompts": yaml_to_json(p)}));
    }
    let info = match info {
        Some(i) => i,
        None => {
            let http = ctx.http()?;
            let base = ctx.target()?;
            let i = server_info(ctx, &http, &base).await?;
            flush_trace(&http);
            i
        }
    };
    let Some(prompts) = info.get("prompts") else {
        return fail(format!("Invalid response from target {}", ctx.target()?));
    };
    let mut set = vec![("prompts".to_owned(), json_to_yaml(prompts))];
    if let Some(te) = info.get("token_endpoint") {
        set.push(("token_endpoint".to_owned(), json_to_yaml(te)));
    }
    ctx.cfg.target_opts(&set).map_err(|e| Fail(e.to_string()))?;
    Ok(info)
}

pub fn flush_trace(http: &Http) {
    if let Ok(mut t) = http.trace_log.lock()
        && !t.is_empty()
    {
        print!("{t}");
        t.clear();
    }
}

pub fn yaml_to_json(v: &yaml_serde::Value) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

pub fn json_to_yaml(v: &Value) -> yaml_serde::Value {
    yaml_serde::to_value(v).unwrap_or(yaml_serde::Value::Null)
}

// ---------------------------------------------------------------- misc

pub fn version() -> CmdResult {
    Ok(Done::Say(format!(
        "UAA client {}",
        env!("CARGO_PKG_VERSION")
    )))
}

/// `target [uaa_url]`.
pub async fn target(ctx: &mut Ctx<'_>, url: Option<String>) -> CmdResult {
    if let Some(given) = url {
        let force = ctx.opts.flag("force") == Some(true);
        let mut info: Option<Value> = None;
        let chosen = if let Ok(i) = given.parse::<usize>() {
            match ctx.cfg.target_exists(i) {
                Some(t) => t,
                None => return fail("invalid target index"),
            }
        } else if let Some(u) = normalize_url(&given, None)? {
            if !force && ctx.cfg.target_exists(&u).is_none() {
                info = Some(probe(ctx, &u).await?);
            }
            u
        } else {
            let https = normalize_url(&given, Some("https"))?.unwrap_or_default();
            let http = normalize_url(&given, Some("http"))?.unwrap_or_default();
            if let Some(t) = ctx
                .cfg
                .target_exists(&https)
                .or_else(|| ctx.cfg.target_exists(&http))
            {
                t
            } else {
                if !force {
                    info = Some(probe(ctx, &https).await?);
                }
                https
            }
        };
        ctx.cfg
            .set_target(&chosen)
            .map_err(|e| Fail(e.to_string()))?;
        let mut set = Vec::new();
        if ctx.opts.has("skip_ssl_validation") {
            set.push((
                "skip_ssl_validation".to_owned(),
                yaml_serde::Value::Bool(true),
            ));
        }
        // uaac always writes `ca_cert`, empty when not given.
        set.push((
            "ca_cert".to_owned(),
            ctx.opts
                .str("ca_cert")
                .map_or(yaml_serde::Value::Null, yaml_serde::Value::String),
        ));
        if let Some(b) = ctx.opts.flag("basic_auth") {
            set.push(("basic_auth".to_owned(), yaml_serde::Value::Bool(b)));
        }
        ctx.cfg.target_opts(&set).map_err(|e| Fail(e.to_string()))?;
        if let Some(i) = info.filter(|i| i.get("prompts").is_some()) {
            update_target_info(ctx, Some(i)).await?;
        }
    }
    let Some(t) = ctx.cfg.target() else {
        return Ok(Done::Say("no target set".into()));
    };
    match ctx.cfg.context() {
        None => Ok(Done::Say(format!("\nTarget: {t}\n\n"))),
        Some(c) => {
            let cid = ctx
                .cfg
                .value("client_id")
                .and_then(yaml_serde::Value::as_str)
                .unwrap_or("")
                .to_owned();
            Ok(Done::Say(format!(
                "\nTarget: {t}\nContext: {c}, from client {cid}\n\n"
            )))
        }
    }
}

/// `bad_uaa_url`: the target must answer `GET /login` with JSON.
async fn probe(ctx: &Ctx<'_>, url: &str) -> Result<Value, Fail> {
    let http = ctx.http()?;
    let r = http.get_json(&format!("{url}/login"), None).await;
    flush_trace(&http);
    match r {
        Ok(v) => Ok(v),
        Err(e) => fail(format!("failed to access {url}: {}", one_line(&e))),
    }
}

fn one_line(e: &HttpError) -> String {
    match e {
        HttpError::Connect { detail, .. } => format!("error: {detail}"),
        HttpError::Tls { detail, .. } => {
            format!("TLS error: {detail} (use --skip-ssl-validation or --ca-cert FILE)")
        }
        other => other.to_string().trim().to_owned(),
    }
}

pub fn targets(ctx: &Ctx<'_>) -> CmdResult {
    let ts = ctx.cfg.targets();
    if ts.is_empty() {
        return Ok(Done::Say("\nno targets\n".into()));
    }
    let mut out = String::new();
    for (i, (t, current)) in ts.iter().enumerate() {
        out.push_str(&format!("{i} {} {t}\n", if *current { '*' } else { ' ' }));
    }
    out.push('\n');
    Ok(Done::Raw(out))
}

/// `config_pp(tgt, ctx)` of the `context` and `contexts` commands.
fn config_pp(ctx: &Ctx<'_>, only_target: Option<&str>, only_context: Option<&str>) -> String {
    let mut out = String::new();
    for (i, (tk, tv)) in ctx.cfg.document().iter().enumerate() {
        let tname = tk.as_str().unwrap_or("");
        if only_target.is_some_and(|t| t != tname) {
            continue;
        }
        let Some(tmap) = tv.as_mapping() else {
            continue;
        };
        let tcur = tmap.get("current").and_then(yaml_serde::Value::as_bool) == Some(true);
        out.push('\n');
        out.push_str(&pp::pp(
            &json!(format!("[{i}]{}[{tname}]", if tcur { '*' } else { ' ' })),
            0,
        ));
        for (k, v) in tmap {
            let key = k.as_str().unwrap_or("");
            if ["contexts", "current", "prompts"].contains(&key) {
                continue;
            }
            pp::pp_into(&mut out, &yaml_to_json(v), 2, ctx.wrap, Some(key));
        }
        let Some(contexts) = tmap.get("contexts").and_then(yaml_serde::Value::as_mapping) else {
            continue;
        };
        for (si, (ck, cv)) in contexts.iter().enumerate() {
            let cname = ck.as_str().unwrap_or("");
            if only_context.is_some_and(|c| c != cname) {
                continue;
            }
            out.push('\n');
            let mut cj = yaml_to_json(cv);
            let ccur = cj.get("current").and_then(Value::as_bool) == Some(true) && tcur;
            if let Some(m) = cj.as_object_mut() {
                m.shift_remove("current");
            }
            pp::pp_into(
                &mut out,
                &json!(format!("[{si}]{}[{cname}]", if ccur { '*' } else { ' ' })),
                2,
                ctx.wrap,
                None,
            );
            pp::pp_into(&mut out, &cj, 4, 0, None);
        }
    }
    out.push('\n');
    out
}

/// `context [name]`.
pub fn context(ctx: &mut Ctx<'_>, name: Option<String>) -> CmdResult {
    if let Some(n) = name {
        let key = ctx
            .cfg
            .valid_context(crate::config::Key::from_arg(&n))
            .map_err(|e| Fail(e.to_string()))?;
        ctx.cfg.set_context(&key).map_err(|e| Fail(e.to_string()))?;
    }
    let Some(c) = ctx.cfg.context() else {
        return Ok(Done::Say(format!(
            "no context set in target {}",
            ctx.cfg.target().unwrap_or_default()
        )));
    };
    let t = ctx.cfg.target();
    Ok(Done::Raw(config_pp(ctx, t.as_deref(), Some(&c))))
}

pub fn contexts(ctx: &Ctx<'_>) -> CmdResult {
    Ok(Done::Raw(config_pp(ctx, None, None)))
}

// ---------------------------------------------------------------- info

fn misc_target(ctx: &Ctx<'_>) -> Result<String, Fail> {
    ctx.cfg
        .target()
        .ok_or_else(|| Fail("target not set".into()))
}

pub async fn info(ctx: &mut Ctx<'_>) -> CmdResult {
    let base = misc_target(ctx)?;
    let http = ctx.http()?;
    let i = server_info(ctx, &http, &base).await;
    flush_trace(&http);
    let i = update_target_info(ctx, Some(i?)).await?;
    Ok(Done::Print(i))
}

pub async fn prompts(ctx: &mut Ctx<'_>) -> CmdResult {
    let base = misc_target(ctx)?;
    let http = ctx.http()?;
    let i = server_info(ctx, &http, &base).await;
    flush_trace(&http);
    let i = update_target_info(ctx, Some(i?)).await?;
    Ok(Done::Print(i["prompts"].clone()))
}

/// `me`: `GET /userinfo?schema=openid`.
pub async fn me(ctx: &mut Ctx<'_>) -> CmdResult {
    let base = misc_target(ctx)?;
    let auth = ctx.auth()?;
    let http = ctx.http()?;
    let r = http
        .get_json(&format!("{base}/userinfo?schema=openid"), Some(&auth))
        .await;
    flush_trace(&http);
    Ok(Done::Print(r?))
}

/// `signing key`: `GET /token_key`, with raw Basic credentials when `-c` is given; the key is
/// kept in the target for `token decode`.
pub async fn signing_key(ctx: &mut Ctx<'_>) -> CmdResult {
    let base = misc_target(ctx)?;
    let auth = if ctx.opts.has("client") {
        let id = ctx.client_id(None)?;
        let secret = ctx.client_secret()?;
        Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
        ))
    } else {
        None
    };
    let http = ctx.http()?;
    let r = http
        .get_json(&format!("{base}/token_key"), auth.as_deref())
        .await;
    flush_trace(&http);
    let info = r?;
    if let (Some(alg), Some(value)) = (info["alg"].as_str(), info["value"].as_str()) {
        ctx.cfg
            .target_opts(&[
                ("signing_alg".into(), yaml_serde::Value::String(alg.into())),
                (
                    "signing_key".into(),
                    yaml_serde::Value::String(value.into()),
                ),
            ])
            .map_err(|e| Fail(e.to_string()))?;
    }
    Ok(Done::Print(info))
}

// ---------------------------------------------------------------- tokens

const DECODE_WARNING: &str =
    "WARNING: Decoding token without verifying it was signed by its authoring UAA";

/// Decodes a JWT's payload without verifying it (uaac's `TokenCoder.decode(verify: false)`).
pub fn decode_unverified(token: &str) -> Result<Value, Fail> {
    let part = token
        .split('.')
        .nth(1)
        .ok_or_else(|| Fail("\nCF::UAA::InvalidTokenFormat: invalid token format\n\n".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| Fail("\nCF::UAA::InvalidTokenFormat: invalid token format\n\n".into()))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| Fail("\nCF::UAA::InvalidTokenFormat: invalid token format\n\n".into()))
}

/// `issuer_request` + the grant: refreshes the cached prompts, then posts to the token
/// endpoint (the target's `token_endpoint` when the server announced one).
async fn grant(
    ctx: &mut Ctx<'_>,
    client_id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> Result<Value, Fail> {
    update_target_info(ctx, None).await?;
    let base = ctx.target_str("token_endpoint").unwrap_or(ctx.target()?);
    let basic = ctx.target_bool("basic_auth");
    let http = ctx.http()?;
    let mut full: Vec<(&str, &str)> = form.to_vec();
    let scope = ctx.opts.str("scope").map(|s| arglist(&s).join(" "));
    if let Some(s) = &scope {
        full.push(("scope", s));
    }
    let r = http
        .token(
            &format!("{base}/oauth/token"),
            client_id,
            secret,
            basic,
            &full,
        )
        .await;
    flush_trace(&http);
    Ok(r?)
}

/// `set_context` + `say_success`.
fn got_token(ctx: &mut Ctx<'_>, reply: Value, grant_name: &str) -> CmdResult {
    let claims = decode_unverified(reply["access_token"].as_str().unwrap_or(""))?;
    eprintln!("{DECODE_WARNING}");
    let Value::Object(map) = reply else {
        return fail("attempt to get token failed\n");
    };
    ctx.cfg
        .set_context_from_token(&map, &claims)
        .map_err(|e| Fail(e.to_string()))?;
    let target = ctx.cfg.target().unwrap_or_default();
    let context = ctx.cfg.context().unwrap_or_default();
    let cid = claims["client_id"].as_str().unwrap_or("");
    Ok(Done::Say(format!(
        "\nSuccessfully fetched token via {grant_name} grant.\nTarget: {target}\nContext: {context}, from client {cid}\n\n"
    )))
}

/// `token client get [id]`.
pub async fn token_client_get(ctx: &mut Ctx<'_>, id: Option<String>) -> CmdResult {
    ctx.target()?;
    let id = ctx.client_id(id)?;
    let secret = ctx.client_secret()?;
    let reply = grant(ctx, &id, &secret, &[("grant_type", "client_credentials")]).await?;
    got_token(ctx, reply, "client credentials")
}

/// `token owner get [client] [user]`.
pub async fn token_owner_get(
    ctx: &mut Ctx<'_>,
    client: Option<String>,
    user: Option<String>,
) -> CmdResult {
    ctx.target()?;
    let client = ctx.client_id(client)?;
    let secret = ctx.client_secret()?;
    let user = match user {
        Some(u) => u,
        None => ctx.prompt.ask("User name")?,
    };
    let pw = ctx.password("Password")?;
    let reply = grant(
        ctx,
        &client,
        &secret,
        &[
            ("grant_type", "password"),
            ("username", &user),
            ("password", &pw),
        ],
    )
    .await?;
    got_token(ctx, reply, "owner password")
}

/// `token sso get [client]`: a passcode grant.
pub async fn token_sso_get(ctx: &mut Ctx<'_>, client: Option<String>) -> CmdResult {
    let target = ctx.target()?;
    let client = ctx.client_id(client)?;
    let secret = ctx.client_secret()?;
    let passcode = match ctx.opts.str("passcode") {
        Some(p) => p,
        None => ctx
            .prompt
            .ask(&format!("Passcode ( from {target}/passcode )"))?,
    };
    let reply = grant(
        ctx,
        &client,
        &secret,
        &[("grant_type", "password"), ("passcode", &passcode)],
    )
    .await?;
    got_token(ctx, reply, "owner passcode")
}

/// `token refresh [refreshtoken]`.
pub async fn token_refresh(ctx: &mut Ctx<'_>, rt: Option<String>) -> CmdResult {
    ctx.target()?;
    let rt = match rt {
        Some(r) => r,
        None => ctx
            .cfg
            .value("refresh_token")
            .and_then(yaml_serde::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| Fail("no refresh token in the current context".into()))?,
    };
    let client = ctx.client_id(None)?;
    let secret = ctx.client_secret()?;
    let reply = grant(
        ctx,
        &client,
        &secret,
        &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
    )
    .await?;
    got_token(ctx, reply, "refresh")
}

/// `token decode [token] [tokentype]`: locally, or through `/check_token` with `-c`/`-s`.
pub async fn token_decode(
    ctx: &mut Ctx<'_>,
    token: Option<String>,
    ttype: Option<String>,
) -> CmdResult {
    let ttype = ttype.or_else(|| token.as_ref().map(|_| "bearer".to_owned()));
    let token = token.or_else(|| {
        ctx.cfg
            .value("access_token")
            .and_then(yaml_serde::Value::as_str)
            .map(str::to_owned)
    });
    let ttype = ttype.or_else(|| {
        ctx.cfg
            .value("token_type")
            .and_then(yaml_serde::Value::as_str)
            .map(str::to_owned)
    });
    let (Some(token), Some(_)) = (token, ttype) else {
        return Ok(Done::Say("no token to decode".into()));
    };
    if let (Some(c), Some(s)) = (ctx.opts.str("client"), ctx.given_secret()?) {
        let base = ctx.target()?;
        let http = ctx.http()?;
        let auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{c}:{s}"))
        );
        let body = format!("token={}", form_encode(&token));
        let r = http
            .request(
                Method::POST,
                &format!("{base}/check_token"),
                &[
                    ("content-type", crate::http::FORM_UTF8.to_owned()),
                    ("accept", crate::http::JSON_UTF8.to_owned()),
                    ("authorization", auth),
                ],
                Some(body),
            )
            .await;
        flush_trace(&http);
        return Ok(Done::Print(r?.body));
    }
    let claims = decode_unverified(&token)?;
    print!("\nNote: no key given to validate token signature\n\n");
    Ok(Done::Print(claims))
}

/// `token delete [contexts...]`.
pub fn token_delete(ctx: &mut Ctx<'_>, contexts: Vec<String>) -> CmdResult {
    let map = |e: Box<dyn std::error::Error>| Fail(e.to_string());
    if ctx.opts.flag("all") == Some(true) {
        ctx.cfg.delete(None, None).map_err(|e| map(e.into()))?;
        return Ok(Done::Quiet);
    }
    let target = ctx.cfg.target();
    if !contexts.is_empty() {
        for c in contexts {
            ctx.cfg
                .delete(target.as_deref(), Some(&c))
                .map_err(|e| map(e.into()))?;
        }
        return Ok(Done::Quiet);
    }
    if let Some(c) = ctx.cfg.context() {
        ctx.cfg
            .delete(target.as_deref(), Some(&c))
            .map_err(|e| map(e.into()))?;
        return Ok(Done::Quiet);
    }
    Ok(Done::Say(
        "no target set, no contexts given -- nothing to delete".into(),
    ))
}

// ---------------------------------------------------------------- clients

/// `Util.arglist`: a list given as `a,b c`.
pub fn arglist(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// uaac's `CLIENT_SCHEMA`, in its order: the fields `client add/update` send.
const CLIENT_SCHEMA: &[(&str, &str)] = &[
    ("name", "string"),
    ("scope", "list"),
    ("authorized_grant_types", "list"),
    ("authorities", "list"),
    ("access_token_validity", "seconds"),
    ("refresh_token_validity", "seconds"),
    ("redirect_uri", "list"),
    ("autoapprove", "list"),
    ("allowpublic", "list"),
    ("allowedproviders", "list"),
    ("signup_redirect_url", "url"),
    ("required_user_groups", "list"),
];

/// Ruby's `Util.strlist` of a stored value, for defaults.
fn strlist(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::Array(a) => Some(a.iter().map(pp::to_s).collect::<Vec<_>>().join(" ")),
        other => Some(pp::to_s(other)),
    }
}

/// `client_info(defaults)`: the JSON uaac sends on add/update, plus our `--add_*`/`--remove_*`
/// list edits (an addition: uaac replaces whole lists).
fn client_info(
    ctx: &Ctx<'_>,
    client_id: &str,
    defaults: &Map<String, Value>,
    name: Option<&str>,
) -> Map<String, Value> {
    let mut info = Map::new();
    info.insert("client_id".into(), json!(client_id));
    if let Ok(Some(s)) = ctx.given_secret() {
        info.insert("client_secret".into(), json!(s));
    }
    let del: Vec<String> = ctx
        .opts
        .str("del_attrs")
        .map(|d| arglist(&d))
        .unwrap_or_default();
    for (k, kind) in CLIENT_SCHEMA {
        if del.iter().any(|d| d == k) {
            continue;
        }
        let default = match (*k, name) {
            // `client add` sets `opts[:name]` (given, or the client id) before this runs.
            ("name", Some(n)) => Some(n.to_owned()),
            _ => strlist(defaults.get(*k)),
        };
        let mut value: Option<String> = if ctx.opts.has(k) {
            match ctx.opts.str(k) {
                Some(v) if !v.is_empty() => Some(v),
                _ => default,
            }
        } else {
            default
        };
        if *kind == "list" {
            value = edit_list(ctx, k, value);
        }
        let Some(v) = value else { continue };
        if (*k == "autoapprove" || *k == "allowpublic") && (v == "true" || v == "false") {
            info.insert((*k).into(), json!(v == "true"));
            continue;
        }
        if *kind == "list" {
            let items = arglist(&v);
            if *k == "allowedproviders"
                && ctx.opts.has(k)
                && ["all", "null", "nil"].contains(&items.join("").as_str())
            {
                info.insert((*k).into(), Value::Null);
                continue;
            }
            info.insert((*k).into(), json!(items));
        } else {
            info.insert((*k).into(), json!(v));
        }
    }
    info
}

/// Applies `--add_<list>` / `--remove_<list>` to a list value.
fn edit_list(ctx: &Ctx<'_>, key: &str, value: Option<String>) -> Option<String> {
    let add: Vec<String> = ctx
        .opts
        .all(&format!("add_{key}"))
        .iter()
        .flat_map(|v| arglist(v))
        .collect();
    let remove: BTreeSet<String> = ctx
        .opts
        .all(&format!("remove_{key}"))
        .iter()
        .flat_map(|v| arglist(v))
        .collect();
    if add.is_empty() && remove.is_empty() {
        return value;
    }
    let mut items: Vec<String> = value.as_deref().map(arglist).unwrap_or_default();
    for a in add {
        if !items.contains(&a) {
            items.push(a);
        }
    }
    items.retain(|i| !remove.contains(i));
    Some(items.join(" "))
}

/// uaac downcases the keys of SCIM and client-registry responses in place
/// (`Util.hash_keys!(…, :down)`): a key that changes is removed and re-added, so it moves after
/// the keys that were already lower case. uaac's output order depends on it.
pub fn downcase_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut kept = Map::new();
            let mut moved = Vec::new();
            for (k, v) in m {
                let lower = k.to_lowercase();
                let v = downcase_keys(v);
                if lower == k {
                    kept.insert(k, v);
                } else {
                    moved.push((lower, v));
                }
            }
            kept.extend(moved);
            Value::Object(kept)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(downcase_keys).collect()),
        other => other,
    }
}

/// `add_meta_fields_to_client`: every client command ends with `GET …/meta`.
async fn with_meta(
    ctx: &Ctx<'_>,
    http: &Http,
    auth: &str,
    client: Value,
    id: &str,
) -> Result<Value, Fail> {
    let base = ctx.target()?;
    let meta = http
        .get_json(
            &format!("{base}/oauth/clients/{}/meta", path_seg(id)),
            Some(auth),
        )
        .await?;
    let mut c = downcase_keys(client);
    if let Some(m) = c.as_object_mut() {
        m.insert(
            "created_by".into(),
            downcase_keys(meta)["createdby"].clone(),
        );
    }
    Ok(c)
}

fn path_seg(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Runs `f` with an authenticated HTTP client and prints the trace afterwards.
macro_rules! scim {
    ($ctx:expr, |$http:ident, $auth:ident, $base:ident| $body:expr) => {{
        let $base = $ctx.target()?;
        let $auth = $ctx.auth()?;
        let $http = $ctx.http()?;
        let r: Result<_, Fail> = async { $body }.await;
        flush_trace(&$http);
        r
    }};
}

pub async fn client_get(ctx: &mut Ctx<'_>, id: Option<String>) -> CmdResult {
    let id = ctx.client_id(id)?;
    let attrs = ctx.opts.str("attrs");
    let c = scim!(ctx, |http, auth, base| {
        let client = match &attrs {
            None => {
                http.get_json(
                    &format!("{base}/oauth/clients/{}", path_seg(&id)),
                    Some(&auth),
                )
                .await?
            }
            Some(a) => {
                let q = query(&[
                    ("attributes", a.as_str()),
                    ("filter", &format!("client_id eq \"{id}\"")),
                    ("startIndex", "1"),
                ]);
                let list = http
                    .get_json(&format!("{base}/oauth/clients?{q}"), Some(&auth))
                    .await?;
                let items = downcase_keys(list)["resources"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                match items.as_slice() {
                    [one] => one.clone(),
                    [] => return Err(HttpError::NotFound.into()),
                    _ => {
                        return Err(
                            HttpError::BadResponse("more than one client matched".into()).into(),
                        );
                    }
                }
            }
        };
        with_meta(ctx, &http, &auth, client, &id).await
    })?;
    Ok(Done::Print(c))
}

/// Form-encodes query parameters in the given order.
fn query(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

pub async fn client_add(ctx: &mut Ctx<'_>, id: Option<String>) -> CmdResult {
    let id = ctx.client_id(id)?;
    let secret = ctx.verified_secret("New client secret")?;
    let clone = ctx.opts.str("clone");
    let c = scim!(ctx, |http, auth, base| {
        let mut defaults = match &clone {
            Some(o) => match http
                .get_json(
                    &format!("{base}/oauth/clients/{}", path_seg(o)),
                    Some(&auth),
                )
                .await?
            {
                Value::Object(m) => m,
                _ => Map::new(),
            },
            None => Map::new(),
        };
        defaults.remove("client_id");
        // uaac sets `opts[:name]` (given, or the client id) before building the body, and
        // sends client_id, client_secret, then the schema fields.
        let fields = client_info(ctx, &id, &defaults, Some(&id));
        let mut info = Map::new();
        for (k, v) in fields {
            if k == "client_secret" {
                continue;
            }
            info.insert(k.clone(), v);
            if k == "client_id" {
                info.insert("client_secret".into(), json!(secret));
            }
        }
        let created = http
            .send_json(
                Method::POST,
                &format!("{base}/oauth/clients"),
                &auth,
                &Value::Object(info),
                &[],
            )
            .await?;
        with_meta(ctx, &http, &auth, created, &id).await
    })?;
    Ok(Done::Print(c))
}

pub async fn client_update(ctx: &mut Ctx<'_>, id: Option<String>) -> CmdResult {
    let id = ctx.client_id(id)?;
    let out = scim!(ctx, |http, auth, base| {
        let url = format!("{base}/oauth/clients/{}", path_seg(&id));
        let orig = match http.get_json(&url, Some(&auth)).await? {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let mut info = client_info(ctx, &id, &orig, None);
        info.remove("client_secret");
        // uaac keeps only the schema keys present in the stored client.
        let changed = info.iter().any(|(k, v)| orig.get(k) != Some(v));
        if !changed {
            return Ok(None);
        }
        let updated = http
            .send_json(Method::PUT, &url, &auth, &Value::Object(info), &[])
            .await?;
        let updated = if updated.is_null() {
            http.get_json(&url, Some(&auth)).await?
        } else {
            updated
        };
        Ok(Some(with_meta(ctx, &http, &auth, updated, &id).await?))
    })?;
    match out {
        Some(c) => Ok(Done::Print(c)),
        None => Ok(Done::Say(
            "Nothing to update. Use -i for interactive update.".into(),
        )),
    }
}

pub async fn client_delete(ctx: &mut Ctx<'_>, id: Option<String>) -> CmdResult {
    let id = ctx.client_id(id)?;
    scim!(ctx, |http, auth, base| {
        http.delete(&format!("{base}/oauth/clients/{}", path_seg(&id)), &auth)
            .await?;
        Ok(())
    })?;
    Ok(Done::Print(json!("client registration deleted")))
}

/// `clients [filter]`: pages through `GET /oauth/clients` with `startIndex`.
pub async fn clients(ctx: &mut Ctx<'_>, filter: Option<String>) -> CmdResult {
    let attrs = ctx.opts.str("attrs");
    let start = ctx.opts.str("start");
    let count = ctx.opts.str("count");
    let list = scim!(ctx, |http, auth, base| {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(a) = &attrs {
            params.push(("attributes", a.clone()));
        }
        if let Some(f) = &filter {
            params.push(("filter", f.clone()));
        }
        if start.is_some() || count.is_some() {
            params.push(("startIndex", start.clone().unwrap_or_else(|| "1".into())));
            if let Some(c) = &count {
                params.push(("count", c.clone()));
            }
            let q = query(
                &params
                    .iter()
                    .map(|(k, v)| (*k, v.as_str()))
                    .collect::<Vec<_>>(),
            );
            let page = http
                .get_json(&format!("{base}/oauth/clients?{q}"), Some(&auth))
                .await?;
            return Ok(downcase_keys(page)["resources"]
                .as_array()
                .cloned()
                .unwrap_or_default());
        }
        all_pages(&http, &auth, &format!("{base}/oauth/clients"), &params).await
    })?;
    // `scim_common_list`: a list keyed by client_id.
    let mut keyed = Map::new();
    for mut c in list {
        let key = c
            .as_object_mut()
            .and_then(|m| m.remove("client_id"))
            .map(|v| pp::to_s(&v));
        match key {
            Some(k) => {
                keyed.insert(k, c);
            }
            None => return Ok(Done::Print(Value::Array(vec![c]))),
        }
    }
    Ok(Done::Print(Value::Object(keyed)))
}

/// cf-uaa-lib `all_pages`: follows `startIndex` until `totalResults` items were read.
async fn all_pages(
    http: &Http,
    auth: &str,
    url: &str,
    params: &[(&str, String)],
) -> Result<Vec<Value>, Fail> {
    let mut out = Vec::new();
    let mut start = 1u64;
    loop {
        let mut p: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let s = start.to_string();
        p.push(("startIndex", &s));
        let page = downcase_keys(
            http.get_json(&format!("{url}?{}", query(&p)), Some(auth))
                .await?,
        );
        let items = page["resources"].as_array().cloned().unwrap_or_default();
        let n = items.len() as u64;
        out.extend(items);
        let total = page["totalresults"].as_u64().unwrap_or(0);
        if n == 0 || out.len() as u64 >= total {
            return Ok(out);
        }
        start += n;
    }
}

/// `secret set [id]`: an admin sets a client's secret.
pub async fn secret_set(ctx: &mut Ctx<'_>, id: Option<String>) -> CmdResult {
    let id = ctx.client_id(id)?;
    let secret = ctx.verified_secret("New secret")?;
    scim!(ctx, |http, auth, base| {
        http.send_json(
            Method::PUT,
            &format!("{base}/oauth/clients/{}/secret", path_seg(&id)),
            &auth,
            &json!({"secret": secret}),
            &[],
        )
        .await?;
        Ok(())
    })?;
    Ok(Done::Print(json!("client secret successfully set")))
}

/// `secret change`: the client of the current context changes its own secret; prints nothing.
pub async fn secret_change(ctx: &mut Ctx<'_>) -> CmdResult {
    let Some(client_id) = ctx.cfg.context() else {
        return fail("context not set");
    };
    let old = match ctx.opts.str("old_secret") {
        Some(o) => o,
        None => ctx.prompt.ask_pwd("Current secret")?,
    };
    let new = ctx.verified_secret("New secret")?;
    scim!(ctx, |http, auth, base| {
        http.send_json(
            Method::PUT,
            &format!("{base}/oauth/clients/{}/secret", path_seg(&client_id)),
            &auth,
            &json!({"secret": new, "oldSecret": old}),
            &[],
        )
        .await?;
        Ok(())
    })?;
    Ok(Done::Quiet)
}

/// `secret rotate [id]` (ours): zero-downtime rotation. ADD a second secret (generated unless
/// given), prove a token can be had with it, DELETE the old one, print the new secret once.
pub async fn secret_rotate(ctx: &mut Ctx<'_>, id: Option<String>) -> CmdResult {
    let id = ctx.client_id(id)?;
    let new = match ctx.given_secret()? {
        Some(s) => s,
        None => generate_secret()?,
    };
    let url = format!("{}/oauth/clients/{}/secret", ctx.target()?, path_seg(&id));
    scim!(ctx, |http, auth, base| {
        http.send_json(
            Method::PUT,
            &url,
            &auth,
            &json!({"clientId": id, "secret": new, "changeMode": "ADD"}),
            &[],
        )
        .await?;
        let token_base = ctx.target_str("token_endpoint").unwrap_or(base.clone());
        let check = http
            .token(
                &format!("{token_base}/oauth/token"),
                &id,
                &new,
                ctx.target_bool("basic_auth"),
                &[("grant_type", "client_credentials")],
            )
            .await;
        // Client authentication runs before the grant check, so any answer but "Bad
        // credentials" proves the new secret (a client without client_credentials gets
        // "Unauthorized grant type" after authenticating).
        let verified = match &check {
            Ok(_) => true,
            Err(HttpError::Target(v)) => v["error_description"] != "Bad credentials",
            Err(_) => false,
        };
        if !verified {
            let why = check.err().map(|e| e.to_string()).unwrap_or_default();
            return Err(Fail(format!(
                "\nthe new secret was added but a token request with it failed:{why}\nBoth secrets remain valid; the old one was not deleted.\n"
            )));
        }
        http.send_json(
            Method::PUT,
            &url,
            &auth,
            &json!({"clientId": id, "changeMode": "DELETE"}),
            &[],
        )
        .await?;
        Ok(())
    })?;
    Ok(Done::Print(json!({"client_id": id, "new_secret": new})))
}

fn generate_secret() -> Result<String, Fail> {
    let mut bytes = [0u8; 24];
    let f = std::fs::File::open("/dev/urandom")
        .map_err(|e| Fail(format!("cannot read /dev/urandom: {e}")))?;
    use std::io::Read;
    (&f).read_exact(&mut bytes)
        .map_err(|e| Fail(format!("cannot read /dev/urandom: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

// ---------------------------------------------------------------- curl

/// `curl [path]`: any request with the context's token, printed as uaac prints it.
pub async fn curl(ctx: &mut Ctx<'_>, path: Option<String>) -> CmdResult {
    let Some(path) = path else {
        return Ok(Done::Raw(crate::options::help(&["curl".into()], ctx.wrap)));
    };
    let url = if path.starts_with("http://") || path.starts_with("https://") {
        path
    } else {
        format!("{}{path}", ctx.target()?)
    };
    let method = ctx
        .opts
        .str("request")
        .unwrap_or_else(|| "GET".into())
        .to_uppercase();
    let data = ctx.opts.str("data");
    let headers = ctx.opts.all("header");
    let body_only = ctx.opts.has("bodyonly");
    let mut out = String::new();
    let mut say = |s: &str| {
        if !body_only {
            out.push_str(s);
            out.push('\n');
        }
    };
    say(&format!("{method} {url}"));
    if let Some(d) = &data {
        say(&format!("REQUEST BODY: \"{d}\""));
    }
    if !headers.is_empty() {
        say("REQUEST HEADERS:");
        for h in &headers {
            say(&format!("  {h}"));
        }
    }
    say("");
    let mut opts = TargetOpts {
        skip_ssl_validation: ctx.opts.has("insecure") || ctx.opts.has("skip_ssl_validation"),
        ca_cert: ctx.opts.str("cacert").or_else(|| ctx.opts.str("ca_cert")),
        ..TargetOpts::default()
    };
    if opts.ca_cert.is_none() && ctx.cfg.target().is_some() {
        opts.ca_cert = ctx.target_str("ca_cert");
    }
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(opts.skip_ssl_validation)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Fail(e.to_string()))?;
    let m = Method::from_bytes(method.as_bytes())
        .map_err(|_| Fail(format!("invalid method {method}")))?;
    let mut req = client.request(m, &url).header("Accept", "*/*");
    if let Some(t) = ctx
        .cfg
        .value("access_token")
        .and_then(yaml_serde::Value::as_str)
    {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    for h in &headers {
        if let Some((k, v)) = h.split_once(':') {
            req = req.header(k.trim(), v.trim());
        }
    }
    if let Some(d) = data {
        req = req.body(d);
    }
    let resp = req.send().await.map_err(|e| Fail(format!("\n{e}\n")))?;
    let status = resp.status();
    let mut hs = Vec::new();
    for (k, v) in resp.headers() {
        hs.push(format!(
            "  {}: {}",
            capitalize_header(k.as_str()),
            v.to_str().unwrap_or("")
        ));
    }
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = resp.text().await.map_err(|e| Fail(e.to_string()))?;
    if !body_only {
        out.push_str(&format!(
            "{} {}\nRESPONSE HEADERS:\n{}\nRESPONSE BODY:\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or(""),
            hs.join("\n")
        ));
    }
    let body = if ctype.contains("application/json") {
        serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or(text)
    } else {
        text
    };
    out.push_str(&body);
    out.push('\n');
    Ok(Done::Raw(out))
}

/// Net::HTTP's `each_capitalized`: `content-type` → `Content-Type`.
fn capitalize_header(k: &str) -> String {
    k.split('-')
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

// ---------------------------------------------------------------- users and groups

/// SCIM resource kinds as cf-uaa-lib's `Scim` names them.
#[derive(Clone, Copy)]
enum Kind {
    User,
    Group,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::User => "/Users",
            Kind::Group => "/Groups",
        }
    }
    fn name_attr(self) -> &'static str {
        match self {
            Kind::User => "userName",
            Kind::Group => "displayName",
        }
    }
}

/// `scim_common_list`: users are queried once; groups page through everything.
async fn scim_list(ctx: &mut Ctx<'_>, kind: Kind, filter: Option<String>) -> CmdResult {
    let attrs = ctx.opts.str("attrs");
    let start = ctx.opts.str("start");
    let count = ctx.opts.str("count");
    let list = scim!(ctx, |http, auth, base| {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(a) = &attrs {
            params.push(("attributes", scim_attrs(a)));
        }
        if let Some(f) = &filter {
            params.push(("filter", f.clone()));
        }
        let url = format!("{base}{}", kind.path());
        if matches!(kind, Kind::User) || start.is_some() || count.is_some() {
            if let Some(s) = &start {
                params.push(("startIndex", s.clone()));
            }
            if let Some(c) = &count {
                params.push(("count", c.clone()));
            }
            let full = if params.is_empty() {
                url
            } else {
                let q = query(
                    &params
                        .iter()
                        .map(|(k, v)| (*k, v.as_str()))
                        .collect::<Vec<_>>(),
                );
                format!("{url}?{q}")
            };
            return Ok(downcase_keys(http.get_json(&full, Some(&auth)).await?));
        }
        Ok(Value::Array(all_pages(&http, &auth, &url, &params).await?))
    })?;
    Ok(Done::Print(list))
}

/// `scim_get_object`: the one resource whose name attribute equals `name`.
async fn scim_get(
    ctx: &Ctx<'_>,
    http: &Http,
    auth: &str,
    kind: Kind,
    name: &str,
    attrs: Option<&str>,
    origin: Option<&str>,
) -> Result<Value, Fail> {
    let base = ctx.target()?;
    let origin_filter = origin
        .map(|o| format!(" and origin eq \"{o}\""))
        .unwrap_or_default();
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(a) = attrs {
        params.push(("attributes", scim_attrs(a)));
    }
    params.push((
        "filter",
        format!("{} eq \"{name}\"{origin_filter}", kind.name_attr()),
    ));
    let items = all_pages(http, auth, &format!("{base}{}", kind.path()), &params).await?;
    let one = match items.as_slice() {
        [] => return Err(HttpError::NotFound.into()),
        [one] => one.clone(),
        _ => return Err(HttpError::BadResponse("more than one resource matched".into()).into()),
    };
    if attrs.is_some() || one.get("meta").is_some() {
        return Ok(one);
    }
    match one["id"].as_str() {
        Some(id) => Ok(downcase_keys(
            http.get_json(&format!("{base}{}/{id}", kind.path()), Some(auth))
                .await?,
        )),
        None => Ok(one),
    }
}

fn id_of(v: &Value) -> Result<String, Fail> {
    v["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Fail("\nCF::UAA::BadResponse: no id in the response\n\n".into()))
}

async fn user_name(ctx: &mut Ctx<'_>, name: Option<String>) -> Result<String, Fail> {
    match name {
        Some(n) => Ok(n),
        None => Ok(ctx.prompt.ask("User name")?),
    }
}

async fn group_name(ctx: &mut Ctx<'_>, name: Option<String>) -> Result<String, Fail> {
    match name {
        Some(n) => Ok(n),
        None => Ok(ctx.prompt.ask("Group name")?),
    }
}

pub async fn users(ctx: &mut Ctx<'_>, filter: Option<String>) -> CmdResult {
    scim_list(ctx, Kind::User, filter).await
}

pub async fn groups(ctx: &mut Ctx<'_>, filter: Option<String>) -> CmdResult {
    scim_list(ctx, Kind::Group, filter).await
}

pub async fn user_get(ctx: &mut Ctx<'_>, name: Option<String>) -> CmdResult {
    let name = user_name(ctx, name).await?;
    let attrs = ctx.opts.str("attrs");
    let origin = ctx.opts.str("origin");
    let u = scim!(ctx, |http, auth, _base| {
        scim_get(
            ctx,
            &http,
            &auth,
            Kind::User,
            &name,
            attrs.as_deref(),
            origin.as_deref(),
        )
        .await
    })?;
    Ok(Done::Print(u))
}

/// `user_opts`: emails, phones, name and origin from the options.
fn user_opts(ctx: &Ctx<'_>) -> Map<String, Value> {
    let mut info = Map::new();
    for (opt, key) in [("emails", "emails"), ("phoneNumbers", "phoneNumbers")] {
        if let Some(v) = ctx.opts.str(opt) {
            let items: Vec<Value> = arglist(&v)
                .into_iter()
                .map(|x| json!({"value": x}))
                .collect();
            info.insert(key.into(), Value::Array(items));
        }
    }
    let mut n = Map::new();
    for k in ["givenName", "familyName"] {
        if let Some(v) = ctx.opts.str(k) {
            n.insert(k.into(), json!(v));
        }
    }
    if !n.is_empty() {
        info.insert("name".into(), Value::Object(n));
    }
    if let Some(o) = ctx.opts.str("origin") {
        info.insert("origin".into(), json!(o));
    }
    info
}

pub async fn user_add(ctx: &mut Ctx<'_>, name: Option<String>) -> CmdResult {
    let name = user_name(ctx, name).await?;
    let origin = ctx.opts.str("origin");
    let password = if origin.as_deref().is_none_or(|o| o == "uaa") {
        json!(ctx.verified_password("Password")?)
    } else {
        Value::Null
    };
    let mut info = Map::new();
    info.insert("userName".into(), json!(name));
    info.insert("password".into(), password);
    info.extend(user_opts(ctx));
    scim!(ctx, |http, auth, base| {
        http.send_json(
            Method::POST,
            &format!("{base}/Users"),
            &auth,
            &Value::Object(info),
            &[],
        )
        .await?;
        Ok(())
    })?;
    Ok(Done::Print(json!("user account successfully added")))
}

pub async fn user_update(ctx: &mut Ctx<'_>, name: Option<String>) -> CmdResult {
    let updates = user_opts(ctx);
    if updates.is_empty() {
        return Ok(Done::Say("no user updates specified".into()));
    }
    let name = user_name(ctx, name).await?;
    let origin = ctx.opts.str("origin");
    let del = ctx
        .opts
        .str("del_attrs")
        .map(|d| arglist(&d))
        .unwrap_or_default();
    scim!(ctx, |http, auth, base| {
        let mut info = scim_get(
            ctx,
            &http,
            &auth,
            Kind::User,
            &name,
            None,
            origin.as_deref(),
        )
        .await?;
        let id = id_of(&info)?;
        if let Some(m) = info.as_object_mut() {
            for d in &del {
                m.remove(d);
            }
            for (k, v) in &updates {
                m.insert(k.to_lowercase(), v.clone());
            }
        }
        let version = info["meta"]["version"].clone();
        let extra: Vec<(&str, String)> = if version.is_null() {
            vec![]
        } else {
            vec![("if-match", pp::to_s(&version))]
        };
        http.send_json(
            Method::PUT,
            &format!("{base}/Users/{id}"),
            &auth,
            &recase_scim(info),
            &extra,
        )
        .await?;
        Ok(())
    })?;
    Ok(Done::Print(json!("user account successfully updated")))
}

/// SCIM attribute names as the server spells them; cf-uaa-lib forces these cases on the way
/// out (`force_attr`), since uaac users type and see them lowercased.
const SCIM_NAMES: &[&str] = &[
    "userName",
    "externalId",
    "givenName",
    "familyName",
    "displayName",
    "phoneNumbers",
    "lastModified",
    "zoneId",
    "passwordLastModified",
    "lastLogonTime",
    "previousLogonTime",
    "aliasId",
    "aliasZid",
    "resourceType",
    "formatted",
];

/// `force_attr` on a comma-separated attribute list (`-a username,id`).
fn scim_attrs(list: &str) -> String {
    list.split(',')
        .map(|a| {
            let a = a.trim();
            SCIM_NAMES
                .iter()
                .find(|n| n.eq_ignore_ascii_case(a))
                .map_or_else(|| a.to_owned(), |n| (*n).to_owned())
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// cf-uaa-lib re-cases known SCIM attribute names before sending a downcased resource back.
fn recase_scim(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = SCIM_NAMES
                        .iter()
                        .find(|n| n.to_lowercase() == k)
                        .map_or(k, |n| (*n).to_owned());
                    (key, recase_scim(v))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(recase_scim).collect()),
        other => other,
    }
}

pub async fn user_delete(ctx: &mut Ctx<'_>, name: Option<String>) -> CmdResult {
    let name = user_name(ctx, name).await?;
    let origin = ctx.opts.str("origin");
    scim!(ctx, |http, auth, base| {
        let u = scim_get(
            ctx,
            &http,
            &auth,
            Kind::User,
            &name,
            None,
            origin.as_deref(),
        )
        .await?;
        http.delete(&format!("{base}/Users/{}", id_of(&u)?), &auth)
            .await?;
        Ok(())
    })?;
    Ok(Done::Print(json!("user account successfully deleted")))
}

/// The id of a user by name (`ua.id(:user, name)`).
async fn user_id(ctx: &Ctx<'_>, http: &Http, auth: &str, name: &str) -> Result<String, Fail> {
    let u = scim_get(
        ctx,
        http,
        auth,
        Kind::User,
        name,
        Some("id,userName,origin"),
        None,
    )
    .await?;
    id_of(&u)
}

pub async fn user_ids(ctx: &mut Ctx<'_>, names: Vec<String>) -> CmdResult {
    let names = if names.is_empty() {
        arglist(&ctx.prompt.ask("names or ids of users")?)
    } else {
        names
    };
    let ids = scim!(ctx, |http, auth, base| {
        let filter = names
            .iter()
            .flat_map(|n| [format!("userName eq \"{n}\""), format!("id eq \"{n}\"")])
            .collect::<Vec<_>>()
            .join(" or ");
        let q = query(&[
            ("attributes", "id,userName,origin"),
            ("filter", &filter),
            ("startIndex", "1"),
        ]);
        let r = downcase_keys(
            http.get_json(&format!("{base}/ids/Users?{q}"), Some(&auth))
                .await?,
        );
        let items = r["resources"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            return Err(Fail("\nCF::UAA::NotFound: no users found\n\n".into()));
        }
        Ok(Value::Array(items))
    })?;
    Ok(Done::Print(ids))
}

pub async fn user_unlock(ctx: &mut Ctx<'_>, name: Option<String>) -> CmdResult {
    let name = user_name(ctx, name).await?;
    send_for_user(
        ctx,
        &name,
        Method::PATCH,
        "status",
        json!({"locked": false}),
    )
    .await?;
    Ok(Done::Print(json!("user account successfully unlocked")))
}

/// Looks the user up by name, then sends `body` to `/Users/{id}/{what}`.
async fn send_for_user(
    ctx: &Ctx<'_>,
    name: &str,
    method: Method,
    what: &str,
    body: Value,
) -> Result<(), Fail> {
    scim!(ctx, |http, auth, base| {
        let id = user_id(ctx, &http, &auth, name).await?;
        http.send_json(
            method,
            &format!("{base}/Users/{id}/{what}"),
            &auth,
            &body,
            &[],
        )
        .await?;
        Ok(())
    })
}

pub async fn user_activation(ctx: &mut Ctx<'_>, name: Option<String>, active: bool) -> CmdResult {
    let name = user_name(ctx, name).await?;
    scim!(ctx, |http, auth, base| {
        let id = user_id(ctx, &http, &auth, &name).await?;
        let info = downcase_keys(
            http.get_json(&format!("{base}/Users/{id}"), Some(&auth))
                .await?,
        );
        let mut body = Map::new();
        for k in ["id", "username", "name", "emails", "meta"] {
            body.insert(k.into(), info[k].clone());
        }
        body.insert("active".into(), json!(active));
        let version = pp::to_s(&info["meta"]["version"]);
        http.send_json(
            Method::PATCH,
            &format!("{base}/Users/{id}"),
            &auth,
            &recase_scim(Value::Object(body)),
            &[("if-match", version)],
        )
        .await?;
        Ok(())
    })?;
    let word = if active { "activated" } else { "deactivated" };
    Ok(Done::Print(json!(format!(
        "user account successfully {word}"
    ))))
}

pub async fn password_set(ctx: &mut Ctx<'_>, name: Option<String>) -> CmdResult {
    let name = user_name(ctx, name).await?;
    let pw = ctx.verified_password("New password")?;
    send_for_user(ctx, &name, Method::PUT, "password", json!({"password": pw})).await?;
    Ok(Done::Print(json!("password successfully set")))
}

pub async fn password_change(ctx: &mut Ctx<'_>) -> CmdResult {
    let Some(uid) = ctx
        .cfg
        .value("user_id")
        .and_then(yaml_serde::Value::as_str)
        .map(str::to_owned)
    else {
        return fail("\nRuntimeError: no user_id in current context\n\n");
    };
    let old = match ctx.opts.str("old_password") {
        Some(o) => o,
        None => ctx.prompt.ask_pwd("Current password")?,
    };
    let new = ctx.verified_password("New password")?;
    scim!(ctx, |http, auth, base| {
        http.send_json(
            Method::PUT,
            &format!("{base}/Users/{uid}/password"),
            &auth,
            &json!({"password": new, "oldPassword": old}),
            &[],
        )
        .await?;
        Ok(())
    })?;
    Ok(Done::Print(json!("password successfully changed")))
}

pub async fn group_get(ctx: &mut Ctx<'_>, name: Option<String>) -> CmdResult {
    let name = group_name(ctx, name).await?;
    let attrs = ctx.opts.str("attrs");
    let g = scim!(ctx, |http, auth, _base| {
        scim_get(
            ctx,
            &http,
            &auth,
            Kind::Group,
            &name,
            attrs.as_deref(),
            None,
        )
        .await
    })?;
    Ok(Done::Print(g))
}

pub async fn group_add(ctx: &mut Ctx<'_>, name: Option<String>) -> CmdResult {
    let name = group_name(ctx, name).await?;
    let g = scim!(ctx, |http, auth, base| {
        Ok(downcase_keys(
            http.send_json(
                Method::POST,
                &format!("{base}/Groups"),
                &auth,
                &json!({"displayName": name}),
                &[],
            )
            .await?,
        ))
    })?;
    Ok(Done::Print(g))
}

pub async fn group_delete(ctx: &mut Ctx<'_>, name: Option<String>) -> CmdResult {
    let name = group_name(ctx, name).await?;
    scim!(ctx, |http, auth, base| {
        let g = scim_get(
            ctx,
            &http,
            &auth,
            Kind::Group,
            &name,
            Some("id,displayName"),
            None,
        )
        .await?;
        http.delete(&format!("{base}/Groups/{}", id_of(&g)?), &auth)
            .await?;
        Ok(())
    })?;
    Ok(Done::Print(json!("success")))
}

/// `member add|delete [name] [users...]`: edits the group's member list and PUTs it back with
/// `if-match`.
pub async fn member_change(ctx: &mut Ctx<'_>, mut args: Vec<String>, add: bool) -> CmdResult {
    let name = if args.is_empty() {
        group_name(ctx, None).await?
    } else {
        args.remove(0)
    };
    let users = args;
    scim!(ctx, |http, auth, base| {
        let mut group = scim_get(ctx, &http, &auth, Kind::Group, &name, None, None).await?;
        let gid = id_of(&group)?;
        let old: Vec<Value> = group["members"].as_array().cloned().unwrap_or_default();
        let mut found = Vec::new();
        for u in &users {
            if let Ok(v) = scim_get(
                ctx,
                &http,
                &auth,
                Kind::User,
                u,
                Some("id,userName,origin"),
                None,
            )
            .await
            {
                found.push(json!({"type": "USER", "value": v["id"], "origin": if add { json!("uaa") } else { v["origin"].clone() }}));
            }
        }
        if found.len() != users.len() {
            let what = if add { "added" } else { "deleted" };
            return Err(Fail(format!(
                "\nRuntimeError: not all users found, none {what}\n\n"
            )));
        }
        let member_id = |m: &Value| {
            m["value"]
                .as_str()
                .or(m["id"].as_str())
                .unwrap_or("")
                .to_owned()
        };
        let new_members: Vec<Value> = if add {
            let mut all = old.clone();
            for f in found {
                if !old.iter().any(|o| member_id(o) == member_id(&f)) {
                    all.push(f);
                }
            }
            if all.len() <= old.len() {
                return Err(Fail("\nRuntimeError: no new users given\n\n".into()));
            }
            all
        } else {
            let gone: Vec<String> = found.iter().map(member_id).collect();
            let kept: Vec<Value> = old
                .iter()
                .filter(|o| !gone.contains(&member_id(o)))
                .cloned()
                .collect();
            if kept.len() >= old.len() {
                return Err(Fail(
                    "\nRuntimeError: no existing users to delete\n\n".into(),
                ));
            }
            kept
        };
        if let Some(m) = group.as_object_mut() {
            if new_members.is_empty() {
                m.remove("members");
            } else {
                m.insert("members".into(), Value::Array(new_members));
            }
        }
        let version = pp::to_s(&group["meta"]["version"]);
        http.send_json(
            Method::PUT,
            &format!("{base}/Groups/{gid}"),
            &auth,
            &recase_scim(group),
            &[("if-match", version)],
        )
        .await?;
        Ok(())
    })?;
    Ok(Done::Print(json!("success")))
}

// ---------------------------------------------------------------- the rest of uaac

/// `password strength [password]`: `POST /password/score`.
pub async fn password_strength(ctx: &mut Ctx<'_>, pw: Option<String>) -> CmdResult {
    let base = misc_target(ctx)?;
    let pw = match pw {
        Some(p) => p,
        None => ctx.password("Password")?,
    };
    let http = ctx.http()?;
    let r = http
        .request(
            Method::POST,
            &format!("{base}/password/score"),
            &[
                ("content-type", crate::http::FORM_UTF8.to_owned()),
                ("accept", crate::http::JSON_UTF8.to_owned()),
            ],
            Some(format!("password={}", form_encode(&pw))),
        )
        .await;
    flush_trace(&http);
    Ok(Done::Print(r?.body))
}

/// `client jwt add|update|delete [id]`: `PUT /oauth/clients/{id}/clientjwt`.
pub async fn client_jwt(ctx: &mut Ctx<'_>, id: Option<String>, mode: &str) -> CmdResult {
    let id = ctx.client_id(id)?;
    let mut body = Map::new();
    body.insert("client_id".into(), json!(id));
    let jwks_uri = if mode == "DELETE" {
        Some("*".to_owned())
    } else {
        ctx.opts.str("jwks_uri")
    };
    for (k, v) in [
        ("jwks_uri", jwks_uri),
        ("jwks", ctx.opts.str("jwks")),
        ("kid", ctx.opts.str("kid")),
        ("iss", ctx.opts.str("iss")),
        ("sub", ctx.opts.str("sub")),
        ("aud", ctx.opts.str("aud")),
    ] {
        if let Some(v) = v {
            body.insert(k.into(), json!(v));
        }
    }
    body.insert("changeMode".into(), json!(mode));
    scim!(ctx, |http, auth, base| {
        http.send_json(
            Method::PUT,
            &format!("{base}/oauth/clients/{}/clientjwt", path_seg(&id)),
            &auth,
            &Value::Object(body),
            &[],
        )
        .await?;
        Ok(())
    })?;
    let word = match mode {
        "ADD" => "added",
        "UPDATE" => "set",
        _ => "deleted",
    };
    Ok(Done::Print(json!(format!(
        "client jwt successfully {word}"
    ))))
}

/// `group mappings`: external group mappings, grouped by origin.
pub async fn group_mappings(ctx: &mut Ctx<'_>) -> CmdResult {
    let start = ctx.opts.str("start");
    let count = ctx.opts.str("count");
    if start.as_deref().is_some_and(|s| s.parse::<i64>().is_err()) {
        return fail("Please enter a valid start index");
    }
    if count.as_deref().is_some_and(|c| c.parse::<u64>().is_err()) {
        return fail("Please enter a valid count");
    }
    let mut page = scim!(ctx, |http, auth, base| {
        let mut params: Vec<(&str, &str)> = Vec::new();
        if let Some(s) = &start {
            params.push(("startIndex", s));
        }
        if let Some(c) = &count {
            params.push(("count", c));
        }
        let url = if params.is_empty() {
            format!("{base}/Groups/External")
        } else {
            format!("{base}/Groups/External?{}", query(&params))
        };
        Ok(downcase_keys(http.get_json(&url, Some(&auth)).await?))
    })?;
    let mut grouped = Map::new();
    for r in page["resources"].as_array().cloned().unwrap_or_default() {
        let origin = pp::to_s(&r["origin"]);
        let entry = grouped.entry(origin).or_insert_with(|| json!([]));
        if let Some(a) = entry.as_array_mut() {
            let name = pp::to_s(&r["displayname"]);
            a.push(json!({ name: r["externalgroup"].clone() }));
        }
    }
    page["resources"] = Value::Object(grouped);
    Ok(Done::Print(page))
}

/// `group map [external_group]`: `POST /Groups/External`.
pub async fn group_map(ctx: &mut Ctx<'_>, external: Option<String>) -> CmdResult {
    let (id, name) = (ctx.opts.str("id"), ctx.opts.str("name"));
    if id.is_none() && name.is_none() {
        return fail("Please provide a group name or id");
    }
    let Some(external) = external else {
        return fail("Please provide an external group");
    };
    let origin = ctx.opts.str("origin").unwrap_or_else(|| "ldap".into());
    let mut body = Map::new();
    match &id {
        Some(i) => body.insert("groupId".into(), json!(i)),
        None => body.insert("displayName".into(), json!(name)),
    };
    body.insert("externalGroup".into(), json!(external));
    body.insert("origin".into(), json!(origin));
    let r = scim!(ctx, |http, auth, base| {
        Ok(downcase_keys(
            http.send_json(
                Method::POST,
                &format!("{base}/Groups/External"),
                &auth,
                &Value::Object(body),
                &[],
            )
            .await?,
        ))
    })?;
    if r["groupid"].is_null() {
        return fail(
            "\nCF::UAA::BadResponse: no  group id found in response of external group mapping\n\n",
        );
    }
    Ok(Done::Print(json!(format!(
        "Successfully mapped {} to {external} for origin {origin}",
        pp::to_s(&r["displayname"])
    ))))
}

/// `group unmap [group_name] [external_group]`.
pub async fn group_unmap(
    ctx: &mut Ctx<'_>,
    group: Option<String>,
    external: Option<String>,
) -> CmdResult {
    let (Some(group), Some(external)) = (group, external) else {
        return fail("Please provide a group name and external group");
    };
    let origin = ctx.opts.str("origin").unwrap_or_else(|| "ldap".into());
    scim!(ctx, |http, auth, base| {
        let g = scim_get(ctx, &http, &auth, Kind::Group, &group, None, None)
            .await
            .map_err(|_| Fail(format!("Group {group} not found")))?;
        let gid = id_of(&g)?;
        http.delete(
            &format!(
                "{base}/Groups/External/groupId/{gid}/externalGroup/{}/origin/{}",
                path_seg(&external),
                path_seg(&origin)
            ),
            &auth,
        )
        .await?;
        Ok(())
    })?;
    Ok(Done::Print(json!(format!(
        "Successfully unmapped {external} from {group} for origin {origin}"
    ))))
}

/// `token get [credentials...]`: the implicit grant with posted credentials
/// (`POST /oauth/authorize … source=credentials`), the way the cf CLI logs in.
pub async fn token_get(ctx: &mut Ctx<'_>, mut creds: Vec<String>) -> CmdResult {
    let base = ctx.target()?;
    let client = ctx.opts.str("client").unwrap_or_else(|| "cf".into());
    let info = update_target_info(ctx, None).await?;
    let prompts = info["prompts"].as_object().cloned().unwrap_or_default();
    let mut form: Vec<(String, String)> = Vec::new();
    for (k, v) in &prompts {
        let value = if !creds.is_empty() {
            creds.remove(0)
        } else if v[0] == "password" {
            ctx.prompt.ask_pwd(v[1].as_str().unwrap_or(k))?
        } else {
            ctx.prompt.ask(v[1].as_str().unwrap_or(k))?
        };
        form.push((k.clone(), value));
    }
    form.push(("source".into(), "credentials".into()));
    let state = generate_secret()?.replace(['-', '_'], "");
    let scope = ctx.opts.str("scope").map(|s| arglist(&s).join(" "));
    let response_type = if scope
        .as_deref()
        .is_some_and(|s| s.split(' ').any(|x| x == "openid"))
    {
        "token id_token"
    } else {
        "token"
    };
    let redirect = "https://uaa.cloudfoundry.com/redirect/cf";
    let mut q: Vec<(&str, &str)> = vec![
        ("client_id", &client),
        ("response_type", response_type),
        ("redirect_uri", redirect),
        ("state", &state),
    ];
    if let Some(s) = &scope {
        q.push(("scope", s));
    }
    let url = format!("{base}/oauth/authorize?{}", query(&q));
    let body = query(
        &form
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
    );
    let client_http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .danger_accept_invalid_certs(
            ctx.opts.has("skip_ssl_validation") || ctx.target_bool("skip_ssl_validation"),
        )
        .build()
        .map_err(|e| Fail(e.to_string()))?;
    let resp = client_http
        .post(&url)
        .header("content-type", crate::http::FORM_UTF8)
        .header("accept", crate::http::JSON_UTF8)
        .body(body)
        .send()
        .await
        .map_err(|e| {
            Fail(format!(
                "\nCF::UAA::HTTPException: cannot connect to {base}: {e}\n\n"
            ))
        })?;
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(fragment) = location
        .as_deref()
        .and_then(|l| l.split_once('#'))
        .map(|(_, f)| f.to_owned())
    else {
        return fail(format!(
            "\nCF::UAA::BadResponse: no token in the authorize response (status {})\n\n",
            resp.status().as_u16()
        ));
    };
    let mut reply = Map::new();
    for (k, v) in form_urlencoded::parse(fragment.as_bytes()) {
        if k != "state" {
            let v = if k == "expires_in" {
                v.parse::<i64>().map(|n| json!(n)).unwrap_or(json!(v))
            } else {
                json!(v)
            };
            reply.insert(k.into_owned(), v);
        }
    }
    if reply.contains_key("error") {
        return Err(HttpError::Target(Value::Object(reply)).into());
    }
    got_token(
        ctx,
        Value::Object(reply),
        "implicit (with posted credentials)",
    )
}

/// `token authcode get` / `token implicit get`: browser flows.
pub fn browser_flow() -> CmdResult {
    fail(
        "\nThis uaac does not drive a browser (yet). Use `uaac token owner get`, `uaac token client get` or `uaac token get`.\n",
    )
}
