//! The token endpoint `/oauth/token` (reference §2), `/token_key` and `/token_keys`,
//! `/check_token` and `/introspect` (§3), and the bearer-token checks of resource APIs (§2.8),
//! pinned over HTTP against a real server. Expected values come from the reference (and, where
//! it is silent, from UAA's code at the commit it was written from), not from this server.

#![allow(
    clippy::expect_used,
    reason = "test helpers, like the tests themselves, fail loudly on a broken server"
)]

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use insta::{assert_json_snapshot, dynamic_redaction, sorted_redaction};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Map, Value, json};
use uaa_core::clock::FixedClock;
use uaa_testkit::{TestServer, claims, verify_rs256};

use crate::common::admin;

const ISSUER: &str = "http://localhost:8080/uaa";
const TOKEN_ENDPOINT: &str = "http://localhost:8080/uaa/oauth/token";
const FORM: &str = "application/x-www-form-urlencoded;charset=utf-8";
/// The dev `admin` client's authorities, in its registration order.
const ADMIN_AUTHORITIES: &str = "uaa.admin clients.read clients.write clients.secret clients.trust scim.read scim.write clients.admin";
/// The dev `cf` client's scopes.
const CF_SCOPES: &str = "uaa.user cloud_controller.read cloud_controller.write openid password.write scim.userids cloud_controller.admin scim.read scim.write";
const FULL_AUTH: &str = "Full authentication is required to access this resource";
const BAD_CREDENTIALS_CHALLENGE: &str =
    r#"Basic realm="UAA/client", error="unauthorized", error_description="Bad credentials""#;

/// `examples/uaa.yml`'s `key-1` (a published example key, used so that tests can sign tokens
/// the server must accept or refuse).
const EXAMPLE_RSA_KEY: &str = "\
-----BEGIN RSA PRIVATE KEY-----\n\
MIIEogIBAAKCAQEAl0+N9ISlR/PDUXvhy4WhclI0sR7uncon0PEzpErQqFSPuCEt\n\
feRpDdvQeJoc324sKgIQ6k+oz9nJIbWY0cuz2Oc9ooWZZs91So3Cps6lCKnt0xa5\n\
HnOB6L2GE+0V/cxLDNpaxO0JO3cIoae7fgbixlVSXIbZr7BanH14Mkn450NxmROU\n\
Mtm/Mnnz+NQdod3cnPhRJhodIb8QzYGNZDi0py+MsRwAqU9hgiZL1ZF2EE5SqNd7\n\
OCNDOtZggc5GokqJbLzb4HUww1a59DR2/cGWndZxdPPXU+zizP9EhUw504xjLluC\n\
EWkDl5Ku61JpQXc1awgx5BmL4eXVtuDh2+S2jwIDAQABAoIBADHEDal1kzL2HrCH\n\
MT2SJwaFuSTkSpEFM1FKc7S+kqA6p8ZkyyST4mWXfZqc/ZATGV17rnqSVrB+LePz\n\
aV7fQ7i8XY49qLWi2C38MCBS6P7PfRQnbh1w2jJlW1rkaI5AChMhIieQ2q9/OAyL\n\
MWSC+UVIPL2H8MMTGspLjiPkJoRRLe2M4PbTtnUdCtdxpythHdh7wARFSP7XdS1F\n\
f30b4fctjAdhP4vSSlyDH2bJun9Ec71UYHnAvcoJC6Yr15PC94IwJswKk1UgyWAA\n\
lq8cqTh6jLZaCoPtM9l1+nVfywagviGHc1bT5ei8lHZvsJDBU+RGa4FshPsX19Nd\n\
MOYyoBECgYEAxSGhwlmcGiySyi8BL9KY64nlbtILHHNFjMsW4PTYVyYd3iLZ4DJd\n\
Y1sXjQPiyXwQdRtD73kwPOjMcn6I6qc98m/ouj6yNlRW1588h3yjsykuQqJ2zDet\n\
N2ikMBKmM/XuMTkwe8Q1x96iVZ/9/91Dqkf6EUG/JsDcpHBGzQsbn4kCgYEAxH8D\n\
JcKepjZ46dC03KvcnXG8KsmGw1lrxjNvbVPXkdsBIqNuVRbITcODnLLca11fVWb/\n\
8iT0bnsZH6eEtkh6ZcfyOhJV4BtQziTqjer+FDswWIWpZGYi6DRE/YihDcI1ou++\n\
1JU0gdieq8z/IDbktfsD9rYvzP6VgOfo2wsOx1cCgYAbuilIbtY4EEDtU0M1eMet\n\
iY3N0plhfQ0xSneDWKz9RQ06a2h90le0W+GqIfvKHzspXZZmnoMcbhojmIylhLR/\n\
3yG64IqsfZxhY7Jd1DgqQQaStMtE2ifw/TTq1hSuhk7keYjKP8TYwgXPSVuum26j\n\
CtCvkLHUP5hJQMmUmZVfEQKBgGzmO3dU6hoR/GcRDPtzoBv96ZwI/lALoehBn1KG\n\
8eTa7EEnNEGiE7bNUYaptfEm2Wv6XoTzqCgGvwDFFY70kikQbBV1DfTbDqiA2yF2\n\
CARsXTniMeP7mwL33PhqHWADrzgzCJ7GZkhEJoPuY8KVyaF1kVfM1qcUvQSpAmtL\n\
MJCXAoGAFo4EZJfNEIItx4yX4kup1YxDm6qT23MsTSud0JWzL7RztP4WngyW/yqi\n\
7c2UcRq6Ebv4h93eYg68yM0cgiKaRDO36ZkfydJlYSfGNPySmtIA5XdgxsBu/SWB\n\
UXqwCcgt2HYtG0HCrEYZNH0+NLozuITll/FvsN+8wjGIAmeMszw=\n\
-----END RSA PRIVATE KEY-----\n";

/// `examples/uaa.yml`'s `key-2`, an HMAC secret.
const EXAMPLE_HMAC_SECRET: &str = "gicAkATTDrSbjn3VNAiFASxYplI3CO3ggOOwqV35haY=";

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

/// Status, headers and JSON body (`Value::Null` when empty, a string when not JSON).
struct Reply {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `(status, body)`, for snapshots of several cases at once.
    fn pair(&self) -> Value {
        json!([self.status, self.body])
    }

    fn is_json(&self) -> bool {
        self.header("content-type")
            .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json"))
    }
}

async fn reply(r: reqwest::Response) -> Reply {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply {
        status,
        headers,
        body,
    }
}

async fn send(rb: reqwest::RequestBuilder) -> Reply {
    reply(rb.send().await.expect("request")).await
}

/// `POST /oauth/token` with Basic credentials (not URL-encoded) and a form body.
async fn token(s: &TestServer, client: &str, secret: &str, form: &[(&str, &str)]) -> Reply {
    reply(s.token_request(client, secret, form).await).await
}

/// A POST to `path` of this server.
fn post(s: &TestServer, path: &str) -> reqwest::RequestBuilder {
    s.http.post(s.url(path))
}

/// `Basic base64(id:secret)` exactly as given.
fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

/// The access token of a successful token response.
fn access_token(r: &Reply) -> String {
    assert_eq!(r.status, 200, "token request failed: {}", r.body);
    r.body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// The keys of a JSON object, in order.
fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// A JSON array of strings, sorted (for sets whose order UAA does not define).
fn sorted(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .expect("an array")
        .iter()
        .map(|s| s.as_str().expect("a string").to_owned())
        .collect();
    out.sort();
    out
}

fn strings(s: &str) -> Vec<String> {
    s.split(' ').map(str::to_owned).collect()
}

fn is_hex32(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn jwt_header(token: &str) -> Value {
    let h = token.split('.').next().expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).expect("base64url")).expect("json")
}

fn now_secs() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs(),
    )
    .expect("secs")
}

/// The token endpoint's success headers (§2.5).
fn assert_token_headers(r: &Reply) {
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
}

/// §2.2: bad or unknown client credentials.
fn assert_bad_credentials(r: &Reply) {
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"error": "invalid_client", "error_description": "Bad credentials"})
    );
    assert_eq!(
        r.header("www-authenticate"),
        Some(BAD_CREDENTIALS_CHALLENGE)
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
}

/// A 4xx answer with a UAA-style JSON error body.
fn assert_4xx_json(r: &Reply, case: &str) {
    assert!(
        (400..500).contains(&r.status),
        "{case}: status {} body {}",
        r.status,
        r.body
    );
    assert!(
        r.is_json(),
        "{case}: content type {:?}",
        r.header("content-type")
    );
    assert!(r.body["error"].is_string(), "{case}: body {}", r.body);
}

/// Re-signs `token`'s claims (after `edit`) with `key`, with UAA's header (`alg`, `jku`,
/// `kid`, `typ`).
fn resign(
    token: &str,
    key: &uaa_crypto::SigningKey,
    edit: impl FnOnce(&mut Map<String, Value>),
) -> String {
    let mut c = claims(token);
    edit(c.as_object_mut().expect("claims object"));
    let mut header = Map::new();
    header.insert("jku".into(), json!(format!("{ISSUER}/token_keys")));
    uaa_crypto::sign(key, header, &c).expect("sign")
}

/// A change to a token's claims before it is re-signed.
type ClaimsEdit = Box<dyn FnOnce(&mut Map<String, Value>)>;

/// An unsigned (`alg: none`) token with `token`'s claims.
fn unsigned(token: &str, kid: &str) -> String {
    let header = json!({"alg": "none", "kid": kid, "typ": "JWT"});
    let payload = token.split('.').nth(1).expect("a JWT");
    format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(header.to_string().as_bytes())
    )
}

/// The example RSA key, indented for a YAML block scalar at `indent` spaces.
fn pem_yaml(indent: usize) -> String {
    let pad = " ".repeat(indent);
    EXAMPLE_RSA_KEY
        .lines()
        .map(|l| format!("{pad}{l}\n"))
        .collect()
}

/// `jwt.token.policy.keys` with the example RSA key `key-1` and HMAC key `key-2`.
fn two_keys_yaml(active: &str) -> String {
    format!(
        "jwt:\n  token:\n    policy:\n      activeKeyId: {active}\n      keys:\n        key-1:\n          signingKey: |\n{}        key-2:\n          signingKey: {EXAMPLE_HMAC_SECRET}\n          signingAlg: HS256\n",
        pem_yaml(12)
    )
}

/// Clients for the key tests: `admin` (clients.read) and `resource` (uaa.resource).
const KEY_CLIENTS_YAML: &str = "
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: clients.read
    resource:
      secret: resourcesecret
      authorized-grant-types: client_credentials
      authorities: uaa.resource
";

/// A development-mode server whose clock the test moves (UAA's `TimeService`), built from
/// the server's public pieces exactly as `Application` builds it, with the clock swapped.
struct ClockedServer {
    base: String,
    http: reqwest::Client,
    clock: FixedClock,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ClockedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ClockedServer {
    async fn start(now_millis: i64) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = uaa_server::config::load(None).expect("development config");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("uaa.db").display());
        let store = uaa_store::SqlStore::connect(&url).await.expect("store");
        let tuning = uaa_server::bootstrap::Tuning {
            bcrypt_cost: 4,
            ..uaa_server::bootstrap::Tuning::default()
        };
        let mut state = uaa_server::bootstrap::build_state(&cfg, store, &tuning)
            .await
            .expect("state");
        let clock = FixedClock::at_millis(now_millis);
        state.deps.clock = Arc::new(clock.clone());
        let router = uaa_server::routes::router(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            clock,
            _dir: dir,
            task,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

// ------------------------------------------------------------------------------------------
// client_credentials (§2.4–2.6)
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn client_credentials_returns_a_bearer_token_with_uaa_body_and_headers() {
    let s = TestServer::spawn().await;
    let r = token(
        &s,
        "admin",
        "adminsecret",
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_token_headers(&r);
    let b = &r.body;
    assert_eq!(
        keys(b),
        ["access_token", "token_type", "expires_in", "scope", "jti"]
    );
    assert_eq!(b["token_type"], "bearer");
    assert_eq!(b["scope"], ADMIN_AUTHORITIES);
    assert!(b.get("refresh_token").is_none());
    let jti = b["jti"].as_str().expect("jti");
    assert!(is_hex32(jti), "jti {jti}");
    assert_eq!(claims(&access_token(&r))["jti"], jti);
    assert_json_snapshot!("client_credentials_body", b, {
        ".access_token" => "[jwt]",
        ".jti" => "[jti]",
        // (exp - now) / 1000 at serialization: 43199 (43200 in the rare same-millisecond
        // case); the clocked test pins the exact value.
        ".expires_in" => dynamic_redaction(|v, _| {
            let n = v.as_u64().expect("a number");
            assert!((43198..=43200).contains(&n), "expires_in {n}");
            "[43199]"
        }),
    });
}

#[tokio::test]
async fn client_credentials_jwt_verifies_against_token_keys_with_an_independent_rsa() {
    let s = TestServer::spawn().await;
    let tok = admin(&s).await;
    let jwks = s.jwks().await;
    let verified = verify_rs256(&tok, &jwks).expect("the token verifies");
    assert_eq!(verified, claims(&tok));

    let h = jwt_header(&tok);
    assert_eq!(keys(&h), ["alg", "jku", "kid", "typ"]);
    assert_eq!(h["alg"], "RS256");
    assert_eq!(h["typ"], "JWT");
    assert_eq!(h["jku"], format!("{ISSUER}/token_keys"));
    assert_eq!(h["kid"], jwks["keys"][0]["kid"]);

    // A changed payload no longer verifies.
    let mut parts: Vec<String> = tok.split('.').map(str::to_owned).collect();
    let mut c = claims(&tok);
    c["scope"] = json!(["uaa.admin", "zones.write"]);
    parts[1] = URL_SAFE_NO_PAD.encode(c.to_string().as_bytes());
    assert!(verify_rs256(&parts.join("."), &jwks).is_err());
}

#[tokio::test]
async fn client_credentials_claims_are_uaas_in_insertion_order() {
    let s = TestServer::spawn().await;
    let tok = admin(&s).await;
    let c = claims(&tok);
    assert_eq!(
        keys(&c),
        [
            "jti",
            "sub",
            "authorities",
            "scope",
            "client_id",
            "cid",
            "azp",
            "grant_type",
            "rev_sig",
            "iat",
            "exp",
            "iss",
            "zid",
            "aud"
        ]
    );
    let authorities = json!(strings(ADMIN_AUTHORITIES));
    assert_eq!(c["sub"], "admin");
    assert_eq!(c["authorities"], authorities);
    assert_eq!(c["scope"], authorities);
    for k in ["client_id", "cid", "azp"] {
        assert_eq!(c[k], "admin", "{k}");
    }
    assert_eq!(c["grant_type"], "client_credentials");
    let rev_sig = c["rev_sig"].as_str().expect("rev_sig");
    assert!(
        !rev_sig.is_empty() && rev_sig.bytes().all(|b| b.is_ascii_hexdigit()),
        "rev_sig {rev_sig}"
    );
    let iat = c["iat"].as_i64().expect("iat");
    assert!((iat - now_secs()).abs() < 60, "iat {iat}");
    assert_eq!(c["exp"].as_i64().expect("exp") - iat, 43200);
    assert_eq!(c["iss"], TOKEN_ENDPOINT);
    assert_eq!(c["zid"], "uaa");
    // client id plus the resource prefix of every dotted scope; the order is a Java HashSet's.
    assert_eq!(sorted(&c["aud"]), ["admin", "clients", "scim", "uaa"]);
    assert_json_snapshot!("client_credentials_claims", c, {
        ".jti" => "[jti]",
        ".rev_sig" => "[rev_sig]",
        ".iat" => "[iat]",
        ".exp" => "[iat + 43200]",
        ".aud" => sorted_redaction(),
    });
}

#[tokio::test]
async fn client_credentials_with_a_narrower_scope_gets_that_scope_and_all_authorities() {
    let s = TestServer::spawn().await;
    let r = token(
        &s,
        "admin",
        "adminsecret",
        &[
            ("grant_type", "client_credentials"),
            ("scope", "clients.read scim.read"),
        ],
    )
    .await;
    let c = claims(&access_token(&r));
    assert_eq!(r.body["scope"], "clients.read scim.read");
    assert_eq!(c["scope"], json!(["clients.read", "scim.read"]));
    // UaaTokenServices: `authorities` is the client's authorities, not the requested scope.
    assert_eq!(c["authorities"], json!(strings(ADMIN_AUTHORITIES)));
    assert_eq!(sorted(&c["aud"]), ["admin", "clients", "scim"]);
}

#[tokio::test]
async fn client_credentials_scope_must_name_exact_authorities_else_400_invalid_scope() {
    let s = TestServer::spawn().await;
    let mut cases = Vec::new();
    for (requested, bad) in [
        ("clients.*", "clients.*"),
        ("openid", "openid"),
        ("uaa.admin nope.read", "nope.read"),
    ] {
        let r = token(
            &s,
            "admin",
            "adminsecret",
            &[("grant_type", "client_credentials"), ("scope", requested)],
        )
        .await;
        assert_eq!(r.status, 400, "{requested}");
        assert_eq!(
            r.body,
            json!({
                "error": "invalid_scope",
                "error_description": format!("Invalid scope: {bad}"),
                "scope": ADMIN_AUTHORITIES,
            }),
            "{requested}"
        );
        cases.push(r.pair());
    }
    assert_json_snapshot!("client_credentials_invalid_scope", cases);
}

#[tokio::test]
async fn client_access_token_validity_overrides_the_zone_policy() {
    let s = TestServer::with_yaml(
        "
jwt:
  token:
    policy:
      accessTokenValiditySeconds: 7200
oauth:
  clients:
    short:
      secret: shortsecret
      authorized-grant-types: client_credentials
      authorities: uaa.resource
      access-token-validity: 600
    plain:
      secret: plainsecret
      authorized-grant-types: client_credentials
      authorities: uaa.resource
",
    )
    .await;
    for (client, secret, validity) in [
        ("short", "shortsecret", 600),
        ("plain", "plainsecret", 7200),
    ] {
        let r = token(&s, client, secret, &[("grant_type", "client_credentials")]).await;
        let c = claims(&access_token(&r));
        let iat = c["iat"].as_i64().expect("iat");
        assert_eq!(c["exp"].as_i64().expect("exp") - iat, validity, "{client}");
        let expires_in = r.body["expires_in"].as_i64().expect("expires_in");
        assert!(
            (validity - 2..=validity).contains(&expires_in),
            "{client}: expires_in {expires_in}"
        );
    }
}

#[tokio::test]
async fn token_lifetime_follows_the_server_clock_and_expired_tokens_are_refused() {
    let s = ClockedServer::start(1_700_000_000_250).await;
    let r = reply(
        s.http
            .post(s.url("/oauth/token"))
            .basic_auth("admin", Some("adminsecret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("request"),
    )
    .await;
    let tok = access_token(&r);
    // expires_in = (exp - now) / 1000 at serialization (§2.5): 250 ms into the second.
    assert_eq!(r.body["expires_in"], 43199);
    let c = claims(&tok);
    assert_eq!(c["iat"], 1_700_000_000);
    assert_eq!(c["exp"], 1_700_043_200);

    let clients = |tok: String| {
        let req = s
            .http
            .get(s.url("/oauth/clients"))
            .header("authorization", format!("bearer {tok}"));
        async move { reply(req.send().await.expect("request")).await }
    };
    let check = |tok: String| {
        let req = s
            .http
            .post(s.url("/check_token"))
            .basic_auth("app", Some("appclientsecret"))
            .form(&[("token", tok)]);
        async move { reply(req.send().await.expect("request")).await }
    };
    let introspect = |tok: String| {
        let req = s
            .http
            .post(s.url("/introspect"))
            .basic_auth("app", Some("appclientsecret"))
            .form(&[("token", tok)]);
        async move { reply(req.send().await.expect("request")).await }
    };

    assert_eq!(clients(tok.clone()).await.status, 200);
    s.clock.advance_secs(43199);
    assert_eq!(clients(tok.clone()).await.status, 200, "one second left");
    assert_eq!(check(tok.clone()).await.status, 200);
    assert_eq!(introspect(tok.clone()).await.body["active"], true);

    s.clock.advance_secs(2);
    let r = clients(tok.clone()).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"], "invalid_token");
    let d = r.body["error_description"].as_str().expect("description");
    assert!(d.starts_with("Invalid access token: expired at "), "{d}");
    assert!(
        r.header("www-authenticate")
            .is_some_and(|h| h.starts_with(r#"Bearer realm="UAA/oauth", error="invalid_token""#)),
        "{:?}",
        r.header("www-authenticate")
    );
    let r = check(tok.clone()).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"error": "invalid_token", "error_description": "Token has expired"})
    );
    assert_eq!(introspect(tok).await.body, json!({"active": false}));
}

// ------------------------------------------------------------------------------------------
// password grant
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn password_grant_issues_a_user_token_with_uaa_claims_and_an_opaque_refresh_token() {
    let s = TestServer::spawn().await;
    // Without openid in the request no id_token is due (IdTokenGranter), so the body is exact.
    let r = token(
        &s,
        "cf",
        "",
        &[
            ("grant_type", "password"),
            ("username", "marissa"),
            ("password", "koala"),
            ("scope", "uaa.user cloud_controller.read password.write"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_token_headers(&r);
    let b = &r.body;
    assert_eq!(
        keys(b),
        [
            "access_token",
            "token_type",
            "refresh_token",
            "expires_in",
            "scope",
            "jti"
        ]
    );
    let refresh = b["refresh_token"].as_str().expect("refresh_token");
    let hex = refresh
        .strip_suffix("-r")
        .expect("an opaque -r refresh token");
    assert!(is_hex32(hex), "refresh_token {refresh}");
    assert_json_snapshot!("password_grant_body", b, {
        ".access_token" => "[jwt]",
        ".refresh_token" => "[32 hex]-r",
        ".jti" => "[jti]",
        ".expires_in" => dynamic_redaction(|v, _| {
            let n = v.as_u64().expect("a number");
            assert!((43198..=43200).contains(&n), "expires_in {n}");
            "[43199]"
        }),
    });

    let jwks = s.jwks().await;
    let c = verify_rs256(&access_token(&r), &jwks).expect("the token verifies");
    assert_eq!(
        keys(&c),
        [
            "jti",
            "client_auth_method",
            "sub",
            "scope",
            "client_id",
            "cid",
            "azp",
            "grant_type",
            "user_id",
            "origin",
            "user_name",
            "email",
            "auth_time",
            "rev_sig",
            "iat",
            "exp",
            "iss",
            "zid",
            "aud"
        ]
    );
    // §2.2: an empty client secret is emitted as client_auth_method "none".
    assert_eq!(c["client_auth_method"], "none");
    assert_eq!(c["sub"], c["user_id"]);
    assert_eq!(
        c["scope"],
        json!(["uaa.user", "cloud_controller.read", "password.write"])
    );
    assert_eq!(c["grant_type"], "password");
    assert_eq!(c["origin"], "uaa");
    assert_eq!(c["user_name"], "marissa");
    assert_eq!(c["email"], "marissa@test.org");
    let iat = c["iat"].as_i64().expect("iat");
    let auth_time = c["auth_time"].as_i64().expect("auth_time in seconds");
    assert!(
        (iat - 5..=iat).contains(&auth_time),
        "auth_time {auth_time}"
    );
    assert_eq!(c["exp"].as_i64().expect("exp") - iat, 43200);
    assert_eq!(c["iss"], TOKEN_ENDPOINT);
    assert_eq!(
        sorted(&c["aud"]),
        ["cf", "cloud_controller", "password", "uaa"]
    );
    assert_json_snapshot!("password_grant_claims", c, {
        ".jti" => "[jti]",
        ".sub" => "[user id]",
        ".user_id" => "[user id]",
        ".auth_time" => "[auth_time]",
        ".rev_sig" => "[rev_sig]",
        ".iat" => "[iat]",
        ".exp" => "[iat + 43200]",
        ".aud" => sorted_redaction(),
    });
}

#[tokio::test]
async fn password_grant_default_scopes_are_client_scopes_within_the_users_groups() {
    let s = TestServer::spawn().await;
    for (user, pw) in [("marissa", "koala"), ("admin", "admin")] {
        let r = token(
            &s,
            "cf",
            "",
            &[
                ("grant_type", "password"),
                ("username", user),
                ("password", pw),
            ],
        )
        .await;
        let c = claims(&access_token(&r));
        // cf's scopes ∩ (the user's groups + the default groups): never cloud_controller.admin,
        // scim.read or scim.write, which no dev user holds; never uaa.admin, which cf lacks.
        assert_eq!(
            sorted(&c["scope"]),
            [
                "cloud_controller.read",
                "cloud_controller.write",
                "openid",
                "password.write",
                "scim.userids",
                "uaa.user"
            ],
            "{user}"
        );
        assert_eq!(
            sorted(&json!(strings(r.body["scope"].as_str().expect("scope")))),
            sorted(&c["scope"])
        );
    }
}

#[tokio::test]
async fn password_grant_adds_default_groups_and_keeps_dotless_scopes_out_of_aud() {
    let s = TestServer::with_yaml(
        "
oauth:
  clients:
    dashboard:
      secret: dashboardsecret
      authorized-grant-types: password,refresh_token
      scope: reports.read,reports.write,openid,roles,uaa.user
scim:
  groups:
    reports.read: Read reports
    reports.write: Write reports
  users:
    - reader|readerpw|reader@example.com|Rea|Der|reports.read
",
    )
    .await;
    let user = [
        ("grant_type", "password"),
        ("username", "reader"),
        ("password", "readerpw"),
    ];
    let r = token(&s, "dashboard", "dashboardsecret", &user).await;
    let c = claims(&access_token(&r));
    // reports.read from the user's group; openid, roles and uaa.user from the default groups
    // (oauth.user.authorities); reports.write is the client's but not the user's.
    assert_eq!(
        sorted(&c["scope"]),
        ["openid", "reports.read", "roles", "uaa.user"]
    );
    // UaaAuthorizationRequestManager.getResourceIds: the client, the prefix of each dotted
    // scope, and openid (scopeToResource); another dotless scope (roles) is no audience.
    assert_eq!(sorted(&c["aud"]), ["dashboard", "openid", "reports", "uaa"]);
}

#[tokio::test]
async fn password_grant_matches_the_clients_wildcard_scopes_against_the_users_groups() {
    let s = TestServer::with_yaml(
        "
oauth:
  clients:
    dashboard:
      secret: dashboardsecret
      authorized-grant-types: password,refresh_token
      scope: reports.*,uaa.user
scim:
  groups:
    reports.read: Read reports
    reports.write: Write reports
  users:
    - reader|readerpw|reader@example.com|Rea|Der|reports.read
",
    )
    .await;
    let grant = |scope: Option<&'static str>| {
        let mut form = vec![
            ("grant_type", "password"),
            ("username", "reader"),
            ("password", "readerpw"),
        ];
        form.extend(scope.map(|sc| ("scope", sc)));
        send(
            post(&s, "/oauth/token")
                .basic_auth("dashboard", Some("dashboardsecret"))
                .form(&form),
        )
    };
    // The client's `reports.*` covers the user's reports.read (and nothing the user lacks).
    let c = claims(&access_token(&grant(None).await));
    assert_eq!(sorted(&c["scope"]), ["reports.read", "uaa.user"]);
    let c = claims(&access_token(&grant(Some("reports.read")).await));
    assert_eq!(c["scope"], json!(["reports.read"]));
    // Within the client's wildcard, but not the user's.
    let r = grant(Some("reports.write")).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        r.body,
        json!({
            "error": "invalid_scope",
            "error_description": "[reports.write] is invalid. This user is not allowed any of the requested scopes"
        })
    );
    // A wildcard in the request is not a registered scope (validateScope matches the request
    // against the client's patterns).
    let r = grant(Some("reports.*.x")).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.body["error_description"], "Invalid scope: reports.*.x");
}

#[tokio::test]
async fn password_grant_with_openid_also_returns_an_id_token() {
    let s = TestServer::spawn().await;
    let r = token(
        &s,
        "cf",
        "",
        &[
            ("grant_type", "password"),
            ("username", "marissa"),
            ("password", "koala"),
        ],
    )
    .await;
    let tok = access_token(&r);
    assert_eq!(
        keys(&r.body),
        [
            "access_token",
            "token_type",
            "id_token",
            "refresh_token",
            "expires_in",
            "scope",
            "jti"
        ]
    );
    let jwks = s.jwks().await;
    let id = verify_rs256(r.body["id_token"].as_str().expect("id_token"), &jwks)
        .expect("the id token verifies");
    let c = claims(&tok);
    assert_eq!(id["sub"], c["user_id"]);
    assert_eq!(id["aud"], json!(["cf"]));
    assert_eq!(id["azp"], "cf");
    assert_eq!(id["iss"], TOKEN_ENDPOINT);
    assert_eq!(id["user_name"], "marissa");
    assert_eq!(id["email"], "marissa@test.org");
    assert_eq!(id["scope"], json!(["openid"]));
}

#[tokio::test]
async fn password_grant_with_a_wrong_password_is_401_invalid_client_bad_credentials() {
    let s = TestServer::spawn().await;
    let r = token(
        &s,
        "cf",
        "",
        &[
            ("grant_type", "password"),
            ("username", "marissa"),
            ("password", "wombat"),
        ],
    )
    .await;
    assert_bad_credentials(&r);
}

#[tokio::test]
async fn password_grant_for_an_unknown_user_is_401_invalid_client_bad_credentials() {
    let s = TestServer::spawn().await;
    for (user, pw) in [("nobody", "koala"), ("", ""), ("marissa", "")] {
        let r = token(
            &s,
            "cf",
            "",
            &[
                ("grant_type", "password"),
                ("username", user),
                ("password", pw),
            ],
        )
        .await;
        assert_bad_credentials(&r);
    }
}

/// A password grant for marissa through cf, asking for `scope`.
async fn marissa_with_scope(s: &TestServer, scope: &str) -> Reply {
    token(
        s,
        "cf",
        "",
        &[
            ("grant_type", "password"),
            ("username", "marissa"),
            ("password", "koala"),
            ("scope", scope),
        ],
    )
    .await
}

#[tokio::test]
async fn password_grant_scope_the_user_lacks_is_400_invalid_scope_when_nothing_remains() {
    let s = TestServer::spawn().await;
    let r = marissa_with_scope(&s, "scim.read").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({
            "error": "invalid_scope",
            "error_description": "[scim.read] is invalid. This user is not allowed any of the requested scopes"
        })
    );
    // Only what the user holds is granted when something remains.
    let r = marissa_with_scope(&s, "scim.read cloud_controller.read").await;
    assert_eq!(r.body["scope"], "cloud_controller.read");
    assert_eq!(
        claims(&access_token(&r))["scope"],
        json!(["cloud_controller.read"])
    );
}

#[tokio::test]
async fn password_grant_scope_outside_the_client_scopes_is_400_invalid_scope() {
    let s = TestServer::spawn().await;
    // The admin user holds uaa.admin, but cf may not ask for it.
    let r = token(
        &s,
        "cf",
        "",
        &[
            ("grant_type", "password"),
            ("username", "admin"),
            ("password", "admin"),
            ("scope", "openid uaa.admin"),
        ],
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({
            "error": "invalid_scope",
            "error_description": "Invalid scope: uaa.admin",
            "scope": CF_SCOPES,
        })
    );
}

#[tokio::test]
async fn a_client_registered_without_scopes_gets_uaa_none() {
    let s = TestServer::with_yaml(
        "
oauth:
  clients:
    bare:
      secret: baresecret
      authorized-grant-types: client_credentials,password
scim:
  users:
    - paul|wombat
",
    )
    .await;
    // UAA's bootstrap gives such a client scope and authorities uaa.none, so the "Empty scope
    // (client has no registered scopes)" branch of §2.3 cannot be reached.
    let r = token(
        &s,
        "bare",
        "baresecret",
        &[("grant_type", "client_credentials")],
    )
    .await;
    let c = claims(&access_token(&r));
    assert_eq!(c["scope"], json!(["uaa.none"]));
    assert_eq!(c["authorities"], json!(["uaa.none"]));
    assert_eq!(c["aud"], json!(["bare"]));
    let r = token(
        &s,
        "bare",
        "baresecret",
        &[
            ("grant_type", "password"),
            ("username", "paul"),
            ("password", "wombat"),
        ],
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({
            "error": "invalid_scope",
            "error_description": "[uaa.none] is invalid. This user is not allowed any of the requested scopes"
        })
    );
}

#[tokio::test]
async fn password_grant_by_a_client_without_the_refresh_token_grant_issues_no_refresh_token() {
    let s = TestServer::with_yaml(
        "
oauth:
  clients:
    norefresh:
      secret: norefreshsecret
      authorized-grant-types: password
      scope: openid
scim:
  users:
    - paul|wombat
",
    )
    .await;
    let r = token(
        &s,
        "norefresh",
        "norefreshsecret",
        &[
            ("grant_type", "password"),
            ("username", "paul"),
            ("password", "wombat"),
        ],
    )
    .await;
    access_token(&r);
    assert!(r.body.get("refresh_token").is_none(), "{}", r.body);
}

#[tokio::test]
async fn refresh_token_grant_redeems_an_opaque_refresh_token() {
    let s = TestServer::spawn().await;
    let r = token(
        &s,
        "cf",
        "",
        &[
            ("grant_type", "password"),
            ("username", "marissa"),
            ("password", "koala"),
        ],
    )
    .await;
    let refresh = r.body["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_owned();
    let r = token(
        &s,
        "cf",
        "",
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    let c = claims(&access_token(&r));
    // UaaTokenServices.refreshAccessToken builds the access token with the refresh token's
    // own grant_type claim, the grant that issued it.
    assert_eq!(c["grant_type"], "password");
    assert_eq!(c["user_name"], "marissa");
}

// ------------------------------------------------------------------------------------------
// Client authentication (§2.2)
// ------------------------------------------------------------------------------------------

const SPECIAL_CLIENT_YAML: &str = r#"
oauth:
  clients:
    "my client":
      secret: "sec ret+/%"
      authorized-grant-types: client_credentials
      authorities: uaa.resource
"#;

/// uaac's Basic value for client `my client`, secret `sec ret+/%` (reference uaac §4).
const UAAC_ENCODED_BASIC: &str = "Basic bXkrY2xpZW50OnNlYytyZXQlMkIlMkYlMjU=";

#[tokio::test]
async fn uaac_style_encoded_basic_credentials_authenticate_a_client_with_special_characters() {
    let s = TestServer::with_yaml(SPECIAL_CLIENT_YAML).await;
    assert_eq!(
        STANDARD
            .decode(UAAC_ENCODED_BASIC.trim_start_matches("Basic "))
            .expect("base64"),
        b"my+client:sec+ret%2B%2F%25"
    );
    // Exactly what `uaac token client get "my client" -s "sec ret+/%"` sends.
    let uaac = || {
        post(&s, "/oauth/token")
            .header("content-type", FORM)
            .header("accept", "application/json;charset=utf-8")
            .header("X-CF-ENCODED-CREDENTIALS", "true")
            .header("authorization", UAAC_ENCODED_BASIC)
            .body("grant_type=client_credentials")
    };
    let r = send(uaac()).await;
    assert_token_headers(&r);
    let c = claims(&access_token(&r));
    assert_eq!(c["client_id"], "my client");
    assert_eq!(c["scope"], json!(["uaa.resource"]));

    // Outside compatibility mode the credentials are URL-decoded with or without the header.
    let r = send(
        post(&s, "/oauth/token")
            .header("content-type", FORM)
            .header("authorization", UAAC_ENCODED_BASIC)
            .body("grant_type=client_credentials"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // uaac --basic_auth sends the raw id:secret, which decodes to other values here.
    let r = send(
        post(&s, "/oauth/token")
            .header("content-type", FORM)
            .header("authorization", basic("my client", "sec ret+/%"))
            .body("grant_type=client_credentials"),
    )
    .await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.body["error"], "invalid_client");
}

#[tokio::test]
async fn compatibility_mode_uses_raw_basic_credentials_unless_the_client_says_they_are_encoded() {
    let s = TestServer::with_yaml(&format!(
        "{SPECIAL_CLIENT_YAML}authentication:\n  enableUriEncodingCompatibilityMode: true\n"
    ))
    .await;
    let request = |auth: String, encoded: bool| {
        let mut rb = post(&s, "/oauth/token")
            .header("content-type", FORM)
            .header("authorization", auth)
            .body("grant_type=client_credentials");
        if encoded {
            rb = rb.header("X-CF-ENCODED-CREDENTIALS", "true");
        }
        send(rb)
    };
    let raw = request(basic("my client", "sec ret+/%"), false).await;
    assert_eq!(raw.status, 200, "{}", raw.body);
    let encoded = request(UAAC_ENCODED_BASIC.to_owned(), true).await;
    assert_eq!(encoded.status, 200, "{}", encoded.body);
    let undeclared = request(UAAC_ENCODED_BASIC.to_owned(), false).await;
    assert_bad_credentials(&undeclared);
}

#[tokio::test]
async fn client_secret_post_authenticates_a_client() {
    let s = TestServer::spawn().await;
    let r = send(post(&s, "/oauth/token").form(&[
        ("grant_type", "client_credentials"),
        ("client_id", "admin"),
        ("client_secret", "adminsecret"),
    ]))
    .await;
    assert_token_headers(&r);
    assert_eq!(claims(&access_token(&r))["client_id"], "admin");

    let r = send(post(&s, "/oauth/token").form(&[
        ("grant_type", "client_credentials"),
        ("client_id", "admin"),
        ("client_secret", "wrong"),
    ]))
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        json!({"error": "invalid_client", "error_description": "Bad credentials"})
    );
}

#[tokio::test]
async fn the_cf_client_with_an_empty_secret_authenticates_with_basic_and_with_post() {
    let s = TestServer::spawn().await;
    let user = [
        ("grant_type", "password"),
        ("username", "marissa"),
        ("password", "koala"),
    ];
    // Basic `cf:` (reqwest), and uaac's encoded form of it.
    access_token(&token(&s, "cf", "", &user).await);
    let r = send(
        post(&s, "/oauth/token")
            .header("X-CF-ENCODED-CREDENTIALS", "true")
            .header("authorization", basic("cf", ""))
            .form(&user),
    )
    .await;
    access_token(&r);
    // client_secret_post with an empty client_secret (UAA's TokenMvcMockTests do this).
    let mut form = user.to_vec();
    form.extend([("client_id", "cf"), ("client_secret", "")]);
    access_token(&send(post(&s, "/oauth/token").form(&form)).await);
    // A wrong secret is still wrong.
    assert_bad_credentials(&token(&s, "cf", "notempty", &user).await);
}

#[tokio::test]
async fn client_id_without_client_secret_is_401_invalid_client() {
    let s = TestServer::spawn().await;
    // ClientParametersAuthenticationFilter authenticates (cf, null): null credentials fail
    // (DaoAuthenticationProvider), even for a client whose secret is empty.
    let r = send(post(&s, "/oauth/token").form(&[
        ("grant_type", "password"),
        ("username", "marissa"),
        ("password", "koala"),
        ("client_id", "cf"),
    ]))
    .await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.body["error"], "invalid_client");
}

#[tokio::test]
async fn a_bad_secret_or_an_unknown_client_is_401_invalid_client_with_the_basic_challenge() {
    let s = TestServer::spawn().await;
    let cc = [("grant_type", "client_credentials")];
    assert_bad_credentials(&token(&s, "admin", "wrong", &cc).await);
    assert_bad_credentials(&token(&s, "nobody", "adminsecret", &cc).await);
    assert_bad_credentials(&token(&s, "admin", "", &cc).await);
    let r = token(&s, "admin", "wrong", &cc).await;
    assert_json_snapshot!("bad_client_credentials", r.pair());
}

#[tokio::test]
async fn no_client_credentials_is_401_unauthorized_full_authentication_required() {
    let s = TestServer::spawn().await;
    let r = send(post(&s, "/oauth/token").form(&[("grant_type", "client_credentials")])).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        json!({"error": "unauthorized", "error_description": FULL_AUTH})
    );
    assert_eq!(
        r.header("www-authenticate"),
        Some(
            r#"Basic realm="UAA/client", error="unauthorized", error_description="Full authentication is required to access this resource""#
        )
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    assert!(r.is_json());
}

#[tokio::test]
async fn malformed_basic_headers_are_401_invalid_client_json_never_500() {
    let s = TestServer::spawn().await;
    let with = |auth: HeaderValue| {
        send(
            post(&s, "/oauth/token")
                .header("authorization", auth)
                .form(&[("grant_type", "client_credentials")]),
        )
    };
    // ClientBasicAuthenticationFilter's BadCredentialsExceptions, rendered by
    // UaaExceptionTranslator as invalid_client with their message.
    let r = with(HeaderValue::from_static("Basic !!!not-base64!!!")).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        json!({"error": "invalid_client", "error_description": "Failed to decode basic authentication token"})
    );
    let no_colon = format!("Basic {}", STANDARD.encode("adminadminsecret"));
    let r = with(HeaderValue::from_str(&no_colon).expect("header")).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        json!({"error": "invalid_client", "error_description": "Invalid basic authentication token"})
    );
    let mut cases = Vec::new();
    for (name, value) in [
        (
            "not utf-8 inside",
            HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(b"\xff\xfe:\xfd")))
                .expect("header"),
        ),
        (
            "not ascii outside",
            HeaderValue::from_bytes(b"Basic \xc3\xa9t\xc3\xa9").expect("header"),
        ),
        ("empty after scheme", HeaderValue::from_static("Basic =")),
        (
            "lowercase scheme, bad",
            HeaderValue::from_static("basic @@@"),
        ),
    ] {
        let r = with(value).await;
        assert_eq!(r.status, 401, "{name}: {}", r.body);
        assert_4xx_json(&r, name);
        assert_eq!(r.body["error"], "invalid_client", "{name}");
        cases.push(json!([name, r.status, r.body]));
    }
    assert_json_snapshot!("malformed_basic_headers", cases);
}

#[tokio::test]
async fn basic_and_body_secret_together_are_401() {
    let s = TestServer::spawn().await;
    let r = send(
        post(&s, "/oauth/token")
            .basic_auth("admin", Some("adminsecret"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "admin"),
                ("client_secret", "adminsecret"),
            ]),
    )
    .await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.body["error"], "invalid_client");
    assert!(r.is_json());
}

#[tokio::test]
async fn client_id_parameter_must_match_the_authenticated_client() {
    let s = TestServer::spawn().await;
    let r = token(
        &s,
        "admin",
        "adminsecret",
        &[("grant_type", "client_credentials"), ("client_id", "cf")],
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        json!({"error": "invalid_client", "error_description": "Given client ID does not match authenticated client"})
    );
    let r = token(
        &s,
        "admin",
        "adminsecret",
        &[("grant_type", "client_credentials"), ("client_id", "admin")],
    )
    .await;
    access_token(&r);
}

// ------------------------------------------------------------------------------------------
// Request validation and grant dispatch (§2.3)
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_missing_grant_type_is_400_invalid_request() {
    let s = TestServer::spawn().await;
    for form in [
        vec![],
        vec![("grant_type", "")],
        vec![("scope", "uaa.admin")],
    ] {
        let r = token(&s, "admin", "adminsecret", &form).await;
        assert_eq!(r.status, 400, "{form:?}");
        assert_eq!(
            r.body,
            json!({"error": "invalid_request", "error_description": "Missing grant type"}),
            "{form:?}"
        );
        assert!(r.is_json());
    }
}

#[tokio::test]
async fn the_implicit_grant_at_the_token_endpoint_is_400_invalid_grant() {
    let s = TestServer::spawn().await;
    let expected = json!({
        "error": "invalid_grant",
        "error_description": "Implicit grant type not supported from token endpoint"
    });
    // cf holds implicit; admin does not: the endpoint refuses before the client's grants matter.
    let r = token(&s, "cf", "", &[("grant_type", "implicit")]).await;
    assert_eq!((r.status, &r.body), (400, &expected));
    let r = token(&s, "admin", "adminsecret", &[("grant_type", "implicit")]).await;
    assert_eq!((r.status, &r.body), (400, &expected));
}

#[tokio::test]
async fn an_unknown_grant_type_is_400_unsupported_grant_type() {
    let s = TestServer::spawn().await;
    for grant in ["foo", "CLIENT_CREDENTIALS", "urn:example:grant"] {
        let r = token(&s, "admin", "adminsecret", &[("grant_type", grant)]).await;
        assert_eq!(r.status, 400, "{grant}");
        assert_eq!(
            r.body,
            json!({"error": "unsupported_grant_type", "error_description": "Unsupported grant type"}),
            "{grant}"
        );
    }
}

#[tokio::test]
async fn a_grant_the_client_lacks_is_401_invalid_client_unauthorized_grant_type() {
    let s = TestServer::spawn().await;
    // AbstractTokenGranter.validateGrantType: InvalidClientException("Unauthorized grant type")
    // (RefreshTokenMockMvcTests and UserTokenMockMvcTests pin this exact text).
    let expected =
        json!({"error": "invalid_client", "error_description": "Unauthorized grant type"});
    let mut cases = Vec::new();
    for (client, secret, grant) in [
        ("admin", "adminsecret", "password"),
        ("admin", "adminsecret", "authorization_code"),
        ("admin", "adminsecret", "refresh_token"),
        ("cf", "", "client_credentials"),
    ] {
        let r = token(
            &s,
            client,
            secret,
            &[
                ("grant_type", grant),
                ("username", "marissa"),
                ("password", "koala"),
            ],
        )
        .await;
        assert_eq!((r.status, &r.body), (401, &expected), "{client} {grant}");
        cases.push(json!([client, grant, r.status, r.body]));
    }
    assert_json_snapshot!("unauthorized_grant_type", cases);
}

#[tokio::test]
async fn get_with_query_parameters_works_while_query_strings_are_enabled() {
    let s = TestServer::spawn().await;
    let r = send(
        s.http
            .get(s.url("/oauth/token?grant_type=client_credentials&scope=clients.read"))
            .basic_auth("admin", Some("adminsecret")),
    )
    .await;
    assert_token_headers(&r);
    assert_eq!(claims(&access_token(&r))["scope"], json!(["clients.read"]));
    // A POST may carry its parameters in the query string too.
    let r = send(
        post(&s, "/oauth/token?grant_type=client_credentials")
            .basic_auth("admin", Some("adminsecret")),
    )
    .await;
    access_token(&r);
}

#[tokio::test]
async fn query_strings_are_refused_when_jwt_token_query_string_is_disabled() {
    let s = TestServer::with_yaml(
        "
jwt:
  token:
    queryString:
      enabled: false
oauth:
  clients:
    admin:
      secret: adminsecret
      authorized-grant-types: client_credentials
      authorities: clients.read
",
    )
    .await;
    let r = send(
        post(&s, "/oauth/token?grant_type=client_credentials")
            .basic_auth("admin", Some("adminsecret"))
            .header("content-type", FORM),
    )
    .await;
    assert_eq!(r.status, 406);
    assert!(r.is_json());
    assert_eq!(
        r.body,
        json!({"error": "query_string_not_allowed", "error_description": "Parameters must be passed in the body of the request"})
    );
    // TokenMvcMockTests.WithDisallowedQueryString: GET is not allowed at all.
    let method_not_allowed = json!({
        "error": "method_not_allowed",
        "error_description": "Request method 'GET' not supported"
    });
    for path in ["/oauth/token?grant_type=client_credentials", "/oauth/token"] {
        let r = send(
            s.http
                .get(s.url(path))
                .basic_auth("admin", Some("adminsecret")),
        )
        .await;
        assert_eq!(
            (r.status, &r.body),
            (405, &method_not_allowed),
            "GET {path}"
        );
        assert!(r.is_json());
    }
    let r = token(
        &s,
        "admin",
        "adminsecret",
        &[("grant_type", "client_credentials")],
    )
    .await;
    access_token(&r);
}

// ------------------------------------------------------------------------------------------
// token_format=opaque (§2.4)
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_opaque_token_is_its_jti_and_works_as_a_bearer_and_with_check_token_and_introspect() {
    let s = TestServer::spawn().await;
    let r = token(
        &s,
        "admin",
        "adminsecret",
        &[
            ("grant_type", "client_credentials"),
            ("token_format", "opaque"),
        ],
    )
    .await;
    let opaque = access_token(&r);
    assert!(is_hex32(&opaque), "{opaque}");
    assert_eq!(r.body["jti"], opaque.as_str());
    assert_eq!(
        keys(&r.body),
        ["access_token", "token_type", "expires_in", "scope", "jti"]
    );

    let listed = send(
        s.http
            .get(s.url("/oauth/clients"))
            .header("authorization", format!("bearer {opaque}")),
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.body);

    let checked = send(
        post(&s, "/check_token")
            .basic_auth("app", Some("appclientsecret"))
            .form(&[("token", &opaque)]),
    )
    .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert_eq!(checked.body["jti"], opaque.as_str());
    assert_eq!(checked.body["client_id"], "admin");
    assert_eq!(checked.body["revocable"], true);

    let inspected = send(
        post(&s, "/introspect")
            .basic_auth("app", Some("appclientsecret"))
            .form(&[("token", &opaque)]),
    )
    .await;
    assert_eq!(inspected.body["active"], true);
    assert_eq!(inspected.body["jti"], opaque.as_str());

    // A user token can be opaque too.
    let r = token(
        &s,
        "cf",
        "",
        &[
            ("grant_type", "password"),
            ("username", "marissa"),
            ("password", "koala"),
            ("token_format", "opaque"),
        ],
    )
    .await;
    let user_opaque = access_token(&r);
    assert!(is_hex32(&user_opaque));
    let checked = send(
        post(&s, "/check_token")
            .basic_auth("app", Some("appclientsecret"))
            .form(&[("token", &user_opaque)]),
    )
    .await;
    assert_eq!(checked.body["user_name"], "marissa");
    assert_eq!(checked.body["revocable"], true);
}

// ------------------------------------------------------------------------------------------
// /token_key and /token_keys (§3)
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn token_keys_publish_the_generated_rsa_key_in_uaas_jwk_shape_with_an_etag() {
    let s = TestServer::spawn().await;
    let r = send(s.http.get(s.url("/token_keys"))).await;
    assert_eq!(r.status, 200);
    assert!(r.is_json());
    let etag = r.header("etag").expect("ETag").to_owned();
    assert!(
        etag.trim_matches('"').bytes().all(|b| b.is_ascii_digit()),
        "ETag {etag}"
    );
    let list = r.body["keys"].as_array().expect("keys");
    assert_eq!(list.len(), 1);
    let k = &list[0];
    assert_eq!(keys(k), ["kty", "e", "use", "kid", "alg", "value", "n"]);
    assert_eq!(k["kty"], "RSA");
    assert_eq!(k["e"], "AQAB");
    assert_eq!(k["use"], "sig");
    assert_eq!(k["alg"], "RS256");
    let n = URL_SAFE_NO_PAD
        .decode(k["n"].as_str().expect("n"))
        .expect("n is base64url");
    assert_eq!(n.len(), 256, "RSA-2048");
    let pem = k["value"].as_str().expect("value");
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
    assert!(pem.ends_with("\n-----END PUBLIC KEY-----"), "{pem}");
    assert_json_snapshot!("token_keys_generated", r.body, {
        ".keys[].kid" => "[kid]",
        ".keys[].n" => "[n]",
        ".keys[].value" => "[public key PEM]",
    });

    let one = send(s.http.get(s.url("/token_key"))).await;
    assert_eq!(one.status, 200);
    assert_eq!(&one.body, k);
    assert_eq!(one.header("etag"), Some(etag.as_str()));
}

#[tokio::test]
async fn token_keys_answer_304_to_if_none_match_with_their_etag() {
    let s = TestServer::spawn().await;
    for path in ["/token_keys", "/token_key"] {
        let first = send(s.http.get(s.url(path))).await;
        let etag = first.header("etag").expect("ETag").to_owned();
        let millis = etag.trim_matches('"').to_owned();
        // The ETag as sent, and UAA's form (the zone's lastModified in ms, unquoted).
        for tag in [etag.as_str(), millis.as_str()] {
            let r = send(s.http.get(s.url(path)).header("if-none-match", tag)).await;
            assert_eq!(r.status, 304, "{path} If-None-Match {tag}");
            assert_eq!(r.body, Value::Null);
        }
        let r = send(s.http.get(s.url(path)).header("if-none-match", "12345")).await;
        assert_eq!(r.status, 200, "{path}");
    }
}

#[tokio::test]
async fn a_configured_rsa_key_is_published_with_its_pem_and_verifies_tokens() {
    let s = TestServer::with_yaml(&format!("{}{KEY_CLIENTS_YAML}", two_keys_yaml("key-1"))).await;
    let r = send(s.http.get(s.url("/token_keys"))).await;
    assert_eq!(r.status, 200);
    assert_json_snapshot!("token_keys_configured_rsa", r.body);
    let pem = r.body["keys"][0]["value"].as_str().expect("value");
    // java.util.Base64 MIME encoding: 64-character lines.
    let body: Vec<&str> = pem.lines().collect();
    assert!(body[1..body.len() - 1].iter().all(|l| l.len() <= 64));

    let tok = s.client_token("admin", "adminsecret").await;
    assert_eq!(jwt_header(&tok)["kid"], "key-1");
    verify_rs256(&tok, &r.body).expect("verifies with the published n and e");
}

#[tokio::test]
async fn an_hmac_key_is_shown_only_to_a_basic_authenticated_client_holding_uaa_resource() {
    let s = TestServer::with_yaml(&format!("{}{KEY_CLIENTS_YAML}", two_keys_yaml("key-1"))).await;
    let kids = |r: &Reply| -> Vec<String> {
        r.body["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .map(|k| k["kid"].as_str().expect("kid").to_owned())
            .collect()
    };
    let anonymous = send(s.http.get(s.url("/token_keys"))).await;
    assert_eq!(kids(&anonymous), ["key-1"]);
    let not_resource = send(
        s.http
            .get(s.url("/token_keys"))
            .basic_auth("admin", Some("adminsecret")),
    )
    .await;
    assert_eq!(kids(&not_resource), ["key-1"]);
    let bearer = s.client_token("resource", "resourcesecret").await;
    let by_bearer = send(s.http.get(s.url("/token_keys")).bearer_auth(&bearer)).await;
    assert_eq!(kids(&by_bearer), ["key-1"], "only Basic client auth counts");
    let resource = send(
        s.http
            .get(s.url("/token_keys"))
            .basic_auth("resource", Some("resourcesecret")),
    )
    .await;
    assert_eq!(resource.status, 200);
    assert_eq!(kids(&resource), ["key-1", "key-2"]);
    assert_eq!(
        resource.body["keys"][1],
        json!({"kty": "MAC", "use": "sig", "kid": "key-2", "alg": "HS256", "value": EXAMPLE_HMAC_SECRET})
    );
}

#[tokio::test]
async fn an_active_hmac_key_is_refused_to_anonymous_token_key_callers() {
    let s = TestServer::with_yaml(&format!("{}{KEY_CLIENTS_YAML}", two_keys_yaml("key-2"))).await;
    let r = send(s.http.get(s.url("/token_key"))).await;
    assert_eq!(r.status, 403);
    // TokenKeyEndpoint.getKey's AccessDeniedException.
    assert_eq!(
        r.body,
        json!({"error": "access_denied", "error_description": "You need to authenticate to see a shared key"})
    );
    let r = send(
        s.http
            .get(s.url("/token_key"))
            .basic_auth("admin", Some("adminsecret")),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = send(
        s.http
            .get(s.url("/token_key"))
            .basic_auth("resource", Some("resourcesecret")),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"kty": "MAC", "use": "sig", "kid": "key-2", "alg": "HS256", "value": EXAMPLE_HMAC_SECRET})
    );
    // Tokens are signed HS256 and accepted by the server.
    let tok = s.client_token("admin", "adminsecret").await;
    let h = jwt_header(&tok);
    assert_eq!(
        (h["alg"].as_str(), h["kid"].as_str()),
        (Some("HS256"), Some("key-2"))
    );
    let listed = send(s.http.get(s.url("/oauth/clients")).bearer_auth(&tok)).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
}

#[tokio::test]
async fn token_keys_with_wrong_basic_credentials_is_401() {
    let s = TestServer::spawn().await;
    // tokenKeySecurity runs clientAuthenticationFilter: presented credentials must be good.
    for path in ["/token_keys", "/token_key"] {
        let r = send(s.http.get(s.url(path)).basic_auth("admin", Some("wrong"))).await;
        assert_bad_credentials(&r);
    }
}

// ------------------------------------------------------------------------------------------
// /check_token (§3)
// ------------------------------------------------------------------------------------------

async fn check_token(s: &TestServer, auth: Option<(&str, &str)>, form: &[(&str, &str)]) -> Reply {
    let mut rb = post(s, "/check_token").form(form);
    if let Some((id, secret)) = auth {
        rb = rb.basic_auth(id, Some(secret));
    }
    send(rb).await
}

const APP: Option<(&str, &str)> = Some(("app", "appclientsecret"));

#[tokio::test]
async fn check_token_needs_basic_client_auth_with_uaa_resource() {
    let s = TestServer::spawn().await;
    let tok = admin(&s).await;
    let form = [("token", tok.as_str())];
    let r = check_token(&s, None, &form).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        json!({"error": "unauthorized", "error_description": FULL_AUTH})
    );
    let r = check_token(&s, Some(("admin", "adminsecret")), &form).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.body,
        json!({"error": "access_denied", "error_description": "Access is denied"})
    );
    assert_bad_credentials(&check_token(&s, Some(("app", "wrong")), &form).await);
    // A bearer token is not client authentication here.
    let app_token = s.client_token("app", "appclientsecret").await;
    let r = send(post(&s, "/check_token").bearer_auth(&app_token).form(&form)).await;
    assert_eq!(r.status, 401, "{}", r.body);
}

#[tokio::test]
async fn check_token_returns_the_tokens_claims_with_revocable() {
    let s = TestServer::spawn().await;
    let tok = admin(&s).await;
    let r = check_token(&s, APP, &[("token", &tok)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.is_json());
    let mut expected = claims(&tok);
    expected["revocable"] = json!(false);
    assert_eq!(r.body, expected);
    assert_json_snapshot!("check_token_client_token", r.body, {
        ".jti" => "[jti]",
        ".rev_sig" => "[rev_sig]",
        ".iat" => "[iat]",
        ".exp" => "[iat + 43200]",
        ".aud" => sorted_redaction(),
    });

    let user = s.password_token("cf", "", "marissa", "koala").await;
    let r = check_token(&s, APP, &[("token", &user)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["user_name"], "marissa");
    assert_eq!(r.body["revocable"], false);

    // GET with query parameters while query strings are enabled; uaac's raw Basic.
    let r = send(
        s.http
            .get(s.url(&format!("/check_token?token={tok}")))
            .header("authorization", basic("app", "appclientsecret")),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["client_id"], "admin");
}

#[tokio::test]
async fn check_token_without_a_token_is_400_invalid_token() {
    let s = TestServer::spawn().await;
    let expected =
        json!({"error": "invalid_token", "error_description": "Token parameter must be set"});
    for form in [vec![], vec![("token", "")]] {
        let r = check_token(&s, APP, &form).await;
        assert_eq!((r.status, &r.body), (400, &expected), "{form:?}");
    }
}

#[tokio::test]
async fn check_token_with_a_garbage_or_foreign_token_is_400_invalid_token() {
    let s = TestServer::spawn().await;
    let tok = admin(&s).await;
    let other = uaa_crypto::SigningKey::generate_rsa("other").expect("key");
    let kid = jwt_header(&tok)["kid"].as_str().expect("kid").to_owned();
    let same_kid = uaa_crypto::SigningKey::generate_rsa(&kid).expect("key");
    let mut cases = Vec::new();
    for (name, t) in [
        ("garbage", "garbage".to_owned()),
        (
            "hex like an opaque token",
            "0123456789abcdef0123456789abcdef".to_owned(),
        ),
        ("three dots", "a.b.c".to_owned()),
        ("unknown kid", resign(&tok, &other, |_| {})),
        ("same kid, another key", resign(&tok, &same_kid, |_| {})),
        ("alg none", unsigned(&tok, &kid)),
    ] {
        let r = check_token(&s, APP, &[("token", &t)]).await;
        assert_eq!(r.status, 400, "{name}: {}", r.body);
        assert_eq!(r.body["error"], "invalid_token", "{name}");
        assert!(r.body["error_description"].is_string(), "{name}");
        cases.push(json!([name, r.status, r.body]));
    }
    assert_json_snapshot!("check_token_bad_tokens", cases);
}

#[tokio::test]
async fn check_token_with_missing_scopes_is_400_invalid_scope_listing_them() {
    let s = TestServer::spawn().await;
    let tok = admin(&s).await;
    let r = check_token(
        &s,
        APP,
        &[("token", &tok), ("scopes", "clients.read,nope.a,nope.b")],
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"error": "invalid_scope", "error_description": "Some requested scopes are missing: nope.a,nope.b"})
    );
    for present in ["clients.read,scim.read", "uaa.admin", "CLIENTS.READ"] {
        let r = check_token(&s, APP, &[("token", &tok), ("scopes", present)]).await;
        assert_eq!(r.status, 200, "{present}: {}", r.body);
    }
}

// ------------------------------------------------------------------------------------------
// /introspect (§3)
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn introspect_returns_active_true_with_the_claims_for_a_valid_token() {
    let s = TestServer::spawn().await;
    let tok = admin(&s).await;
    let r = send(
        post(&s, "/introspect")
            .basic_auth("app", Some("appclientsecret"))
            .form(&[("token", &tok)]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.is_json());
    assert_eq!(r.body["active"], true);
    let c = claims(&tok);
    for (k, v) in c.as_object().expect("claims") {
        assert_eq!(&r.body[k], v, "{k}");
    }
}

#[tokio::test]
async fn introspect_returns_active_false_for_a_bad_token() {
    let s = TestServer::spawn().await;
    let tok = admin(&s).await;
    let other = uaa_crypto::SigningKey::generate_rsa("other").expect("key");
    for t in [
        "garbage".to_owned(),
        resign(&tok, &other, |_| {}),
        String::new(),
    ] {
        let r = send(
            post(&s, "/introspect")
                .basic_auth("app", Some("appclientsecret"))
                .form(&[("token", &t)]),
        )
        .await;
        assert_eq!(r.status, 200, "{t}: {}", r.body);
        assert_eq!(r.body, json!({"active": false}), "{t}");
    }
}

#[tokio::test]
async fn introspect_accepts_a_bearer_token_with_uaa_resource_and_refuses_others() {
    let s = TestServer::spawn().await;
    let tok = admin(&s).await;
    let app_token = s.client_token("app", "appclientsecret").await;
    let r = send(
        post(&s, "/introspect")
            .bearer_auth(&app_token)
            .form(&[("token", &tok)]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["active"], true);
    // admin's token has no uaa.resource, nor has the admin client.
    let r = send(
        post(&s, "/introspect")
            .bearer_auth(&tok)
            .form(&[("token", &tok)]),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.body["error"], "access_denied");
    let r = send(
        post(&s, "/introspect")
            .basic_auth("admin", Some("adminsecret"))
            .form(&[("token", &tok)]),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = send(post(&s, "/introspect").form(&[("token", &tok)])).await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.body["error"], "unauthorized");
}

#[tokio::test]
async fn introspect_refuses_get_with_405() {
    let s = TestServer::spawn().await;
    let tok = admin(&s).await;
    let r = send(
        s.http
            .get(s.url(&format!("/introspect?token={tok}")))
            .basic_auth("app", Some("appclientsecret")),
    )
    .await;
    assert_eq!(r.status, 405);
    assert!(r.is_json());
    assert_eq!(r.body["error"], "method_not_allowed");
}

// ------------------------------------------------------------------------------------------
// Bad input: always a 4xx JSON body, never a 500
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_form_bodies_get_4xx_json_never_500() {
    let s = TestServer::spawn().await;
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("percent garbage", b"%%%".to_vec()),
        (
            "bad escape in name",
            b"gr%zzant_type=client_credentials".to_vec(),
        ),
        ("empty pairs", b"=&&=&==".to_vec()),
        ("name only", b"grant_type".to_vec()),
        ("not utf-8 escaped", b"grant_type=%ff%fe".to_vec()),
        ("not utf-8 raw", b"grant_type=\xff\xfe\x00".to_vec()),
        (
            "semicolons",
            b"grant_type=client_credentials;scope=x".to_vec(),
        ),
        ("nul bytes", vec![0u8; 64]),
        (
            "huge scope",
            format!("grant_type=foo&scope={}", "a.b ".repeat(20_000)).into_bytes(),
        ),
    ];
    let mut cases = Vec::new();
    for (name, body) in bodies {
        let r = send(
            post(&s, "/oauth/token")
                .basic_auth("admin", Some("adminsecret"))
                .header("content-type", FORM)
                .body(body),
        )
        .await;
        assert_4xx_json(&r, name);
        cases.push(json!([name, r.status, r.body]));
    }
    assert_json_snapshot!("malformed_form_bodies", cases);

    // The first of repeated parameters wins (Spring's @RequestParam Map).
    let r = send(
        post(&s, "/oauth/token")
            .basic_auth("admin", Some("adminsecret"))
            .header("content-type", FORM)
            .body("grant_type=client_credentials&grant_type=password"),
    )
    .await;
    assert_eq!(
        claims(&access_token(&r))["grant_type"],
        "client_credentials"
    );
}

#[tokio::test]
async fn a_json_body_to_the_token_endpoint_is_400_json() {
    let s = TestServer::spawn().await;
    let r = send(
        post(&s, "/oauth/token")
            .basic_auth("admin", Some("adminsecret"))
            .json(&json!({"grant_type": "client_credentials"})),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_4xx_json(&r, "json body");
    assert_eq!(r.body["error"], "invalid_request");
    assert_json_snapshot!("json_body_to_token_endpoint", r.pair());
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_413_json() {
    let s = TestServer::spawn().await;
    let mut body = b"grant_type=client_credentials&pad=".to_vec();
    body.resize(1024 * 1024 + 1, b'a');
    let r = send(
        post(&s, "/oauth/token")
            .basic_auth("admin", Some("adminsecret"))
            .header("content-type", FORM)
            .body(body),
    )
    .await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert_4xx_json(&r, "1 MiB + 1");
    assert_json_snapshot!("body_over_one_mebibyte", r.pair());
    // Exactly at the limit is fine.
    let mut body = b"grant_type=client_credentials&pad=".to_vec();
    body.resize(1024 * 1024, b'a');
    let r = send(
        post(&s, "/oauth/token")
            .basic_auth("admin", Some("adminsecret"))
            .header("content-type", FORM)
            .body(body),
    )
    .await;
    access_token(&r);
}

#[tokio::test]
async fn odd_headers_get_4xx_json_never_500() {
    let s = TestServer::spawn().await;
    let admin_basic = basic("admin", "adminsecret");
    // No grant_type anywhere: whatever the header does, the answer must be a 4xx.
    let cases_in: Vec<(&str, Vec<(&str, HeaderValue)>)> = vec![
        (
            "bare Basic",
            vec![("authorization", HeaderValue::from_static("Basic"))],
        ),
        (
            "bearer at the token endpoint",
            vec![(
                "authorization",
                HeaderValue::from_static("Bearer abc.def.ghi"),
            )],
        ),
        (
            "digest scheme",
            vec![(
                "authorization",
                HeaderValue::from_static("Digest username=x"),
            )],
        ),
        (
            "text/plain body type",
            vec![
                (
                    "authorization",
                    HeaderValue::from_str(&admin_basic).expect("h"),
                ),
                ("content-type", HeaderValue::from_static("text/plain")),
            ],
        ),
        (
            "garbage content type",
            vec![
                (
                    "authorization",
                    HeaderValue::from_str(&admin_basic).expect("h"),
                ),
                ("content-type", HeaderValue::from_static(";;;===")),
            ],
        ),
        (
            "latin-1 form",
            vec![
                (
                    "authorization",
                    HeaderValue::from_str(&admin_basic).expect("h"),
                ),
                (
                    "content-type",
                    HeaderValue::from_static(
                        "application/x-www-form-urlencoded; charset=ISO-8859-1",
                    ),
                ),
            ],
        ),
        (
            "unknown zone subdomain",
            vec![
                (
                    "authorization",
                    HeaderValue::from_str(&admin_basic).expect("h"),
                ),
                (
                    "x-identity-zone-subdomain",
                    HeaderValue::from_static("nope"),
                ),
            ],
        ),
        (
            "non-ascii zone id",
            vec![
                (
                    "authorization",
                    HeaderValue::from_str(&admin_basic).expect("h"),
                ),
                (
                    "x-identity-zone-id",
                    HeaderValue::from_bytes(b"z\xe9").expect("h"),
                ),
            ],
        ),
        (
            "odd encoded-credentials flag",
            vec![
                (
                    "authorization",
                    HeaderValue::from_str(&admin_basic).expect("h"),
                ),
                (
                    "x-cf-encoded-credentials",
                    HeaderValue::from_bytes(b"\xff").expect("h"),
                ),
            ],
        ),
        (
            "xml accept",
            vec![
                (
                    "authorization",
                    HeaderValue::from_str(&admin_basic).expect("h"),
                ),
                ("accept", HeaderValue::from_static("application/xml")),
            ],
        ),
        (
            "long header",
            vec![
                (
                    "authorization",
                    HeaderValue::from_str(&admin_basic).expect("h"),
                ),
                (
                    "x-padding",
                    HeaderValue::from_str(&"x".repeat(32 * 1024)).expect("h"),
                ),
            ],
        ),
    ];
    let mut cases = Vec::new();
    for (name, headers) in cases_in {
        let mut rb = post(&s, "/oauth/token").body("scope=openid");
        for (k, v) in headers {
            rb = rb.header(k, v);
        }
        let r = send(rb).await;
        assert_4xx_json(&r, name);
        cases.push(json!([name, r.status, r.body]));
    }
    assert_json_snapshot!("odd_headers", cases);
}

// ------------------------------------------------------------------------------------------
// Bearer tokens on resource APIs (§0, §2.8), via GET /oauth/clients
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_resource_api_without_a_token_is_401_unauthorized() {
    let s = TestServer::spawn().await;
    let r = send(s.http.get(s.url("/oauth/clients"))).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        json!({"error": "unauthorized", "error_description": FULL_AUTH})
    );
    assert_eq!(
        r.header("www-authenticate"),
        Some(
            r#"Bearer realm="UAA/oauth", error="unauthorized", error_description="Full authentication is required to access this resource""#
        )
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
}

#[tokio::test]
async fn a_resource_api_refuses_garbage_and_foreign_tokens_with_401_invalid_token() {
    let s = TestServer::spawn().await;
    let tok = admin(&s).await;
    let kid = jwt_header(&tok)["kid"].as_str().expect("kid").to_owned();
    let other = uaa_crypto::SigningKey::generate_rsa("other").expect("key");
    let same_kid = uaa_crypto::SigningKey::generate_rsa(&kid).expect("key");
    let hmac_same_kid =
        uaa_crypto::SigningKey::from_config(&kid, "a shared secret", Some("HS256")).expect("key");
    let mut cases = Vec::new();
    for (name, t) in [
        ("garbage", "garbage".to_owned()),
        (
            "unknown opaque",
            "0123456789abcdef0123456789abcdef".to_owned(),
        ),
        ("unknown kid", resign(&tok, &other, |_| {})),
        ("same kid, another key", resign(&tok, &same_kid, |_| {})),
        ("alg none", unsigned(&tok, &kid)),
        (
            "HS256 under the RSA kid",
            resign(&tok, &hmac_same_kid, |_| {}),
        ),
    ] {
        let r = send(
            s.http
                .get(s.url("/oauth/clients"))
                .header("authorization", format!("Bearer {t}")),
        )
        .await;
        assert_eq!(r.status, 401, "{name}: {}", r.body);
        assert_eq!(r.body["error"], "invalid_token", "{name}");
        let www = r.header("www-authenticate").unwrap_or_default();
        assert!(
            www.starts_with(
                r#"Bearer realm="UAA/oauth", error="invalid_token", error_description=""#
            ),
            "{name}: {www}"
        );
        assert_eq!(r.header("cache-control"), Some("no-store"), "{name}");
        cases.push(json!([name, r.status, r.body]));
    }
    assert_json_snapshot!("resource_api_foreign_tokens", cases);
    // The genuine token, sent as uaac sends it (lowercase scheme), is fine.
    let r = send(
        s.http
            .get(s.url("/oauth/clients"))
            .header("authorization", format!("bearer {tok}")),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn a_resource_api_checks_expiry_issuer_and_rev_sig_of_tokens_signed_with_its_own_key() {
    let s = TestServer::with_yaml(&format!("{}{KEY_CLIENTS_YAML}", two_keys_yaml("key-1"))).await;
    let key = uaa_crypto::SigningKey::from_config("key-1", EXAMPLE_RSA_KEY, None).expect("key");
    let tok = s.client_token("admin", "adminsecret").await;
    let now = now_secs();
    let get = |t: String| {
        let req = s.http.get(s.url("/oauth/clients")).bearer_auth(t);
        async move { reply(req.send().await.expect("request")).await }
    };
    // Re-signing the unchanged claims with the server's key keeps the token valid.
    assert_eq!(get(resign(&tok, &key, |_| {})).await.status, 200);

    let mut cases = Vec::new();
    let edits: Vec<(&str, ClaimsEdit)> = vec![
        (
            "expired",
            Box::new(move |c| {
                c.insert("iat".into(), json!(now - 7200));
                c.insert("exp".into(), json!(now - 3600));
            }),
        ),
        (
            "another issuer",
            Box::new(|c| {
                c.insert("iss".into(), json!("https://evil.example.com/oauth/token"));
            }),
        ),
        (
            "rev_sig of another secret",
            Box::new(|c| {
                c.insert("rev_sig".into(), json!("deadbeef"));
            }),
        ),
        (
            "unknown client",
            Box::new(|c| {
                for k in ["sub", "client_id", "cid", "azp"] {
                    c.insert(k.into(), json!("ghost"));
                }
            }),
        ),
    ];
    for (name, edit) in edits {
        let r = get(resign(&tok, &key, edit)).await;
        assert_eq!(r.status, 401, "{name}: {}", r.body);
        assert_eq!(r.body["error"], "invalid_token", "{name}");
        cases.push(json!([name, r.status, r.body]));
    }
    let expired = cases[0][2]["error_description"]
        .as_str()
        .expect("description");
    assert!(
        expired.starts_with("Invalid access token: expired at "),
        "{expired}"
    );
    assert_json_snapshot!("resource_api_tampered_tokens", cases, {
        "[0][2].error_description" => "Invalid access token: expired at [exp]",
    });
}

/// The grant dispatcher's answer for every grant type UAA knows, one it does not, and the
/// implicit grant, from a client holding only `client_credentials` and from one holding every
/// grant (nothing else sent, so each grant refuses in its own words).
#[tokio::test]
async fn every_grant_type_gets_uaas_answer_from_the_dispatcher() {
    let s = TestServer::with_yaml(
        "oauth:\n  clients:\n    only-cc:\n      secret: s\n      authorized-grant-types: client_credentials\n      authorities: uaa.none\n    all:\n      secret: s\n      authorized-grant-types: client_credentials,password,refresh_token,authorization_code,user_token,implicit,urn:ietf:params:oauth:grant-type:jwt-bearer,urn:ietf:params:oauth:grant-type:saml2-bearer\n      scope: openid\n      authorities: uaa.none\n      redirect-uri: https://app.example.com/cb\n",
    )
    .await;
    let grants = [
        "client_credentials",
        "password",
        "refresh_token",
        "authorization_code",
        "user_token",
        "implicit",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:ietf:params:oauth:grant-type:saml2-bearer",
        "no_such_grant",
        "",
    ];
    let mut out = Map::new();
    for client in ["only-cc", "all"] {
        let mut row = Map::new();
        for g in grants {
            let r = token(&s, client, "s", &[("grant_type", g)]).await;
            let mut pair = r.pair();
            if r.status == 200 {
                pair = json!([200, "[token]"]);
            }
            row.insert(g.to_owned(), pair);
        }
        out.insert(client.to_owned(), Value::Object(row));
    }
    assert_json_snapshot!(Value::Object(out));
}
