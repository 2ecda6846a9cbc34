//! The server's bootstrap configuration: UAA's `uaa.yml`, read into one typed [`Config`].
//!
//! Why this module exists: operators move to this server with the `uaa.yml` they already run UAA
//! with, so the file is read with UAA's key names, UAA's defaults and UAA's quirks (comma strings
//! or YAML lists, `''` meaning an empty client secret, the `username|password|…` pipe format of
//! `scim.users`, `jwt.token.policy.*` falling back to `jwt.token.policy.global.*`, and so on).
//! Everything is checked once, at start-up, so that no other module parses configuration:
//!
//! * a bad value is a [`ConfigError`] whose text names the file and the dotted key
//!   (`/etc/uaa/uaa.yml: oauth.clients.app.access-token-validity: expected an integer, found "ten"`);
//! * a key outside UAA's vocabulary, or one UAA knows that we do not implement yet, is not an
//!   error but one line in [`Config::warnings`] each, for the binary to log;
//! * without a file the server runs in development mode with UAA's `default`-profile sample data
//!   ([`Config::development`]), which must never reach production.
//!
//! Secrets (client secrets, user passwords, signing keys, the database password) never appear in
//! `Debug` output.
//!
//! UAA sources consulted: `uaa/src/main/resources/uaa.yml`, `uaa/…/spring/oauth-clients.xml`,
//! `oauth-endpoints.xml`, `scim-endpoints.xml`, `spring-servlet.xml`, `ClientAdminBootstrap`,
//! `UaaUserEditor`, `ScimUserBootstrap`, `ScimGroupBootstrap`, `KeyInfoService`, `LegacyTokenKey`
//! and `YamlServletProfileInitializer`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map as JsonMap, Value as Json};
use uaa_core::policy::{LockoutPolicy, PasswordPolicy, SecretChangePolicy, StrengthPolicy};
use yaml_serde::Value as Yaml;

mod idp;
pub use idp::{IdpConfig, identity_providers};

/// The file looked for in the folder named by `UAA_CONFIG_PATH` (UAA: `$UAA_CONFIG_PATH/uaa.yml`).
pub const CONFIG_FILE_NAME: &str = "uaa.yml";

/// `issuer.uri` when the file does not set it (UAA's own `uaa.yml`).
pub const DEFAULT_ISSUER_URI: &str = "http://localhost:8080/uaa";

/// `jwt.token.policy.global.accessTokenValiditySeconds` default (12 hours).
pub const DEFAULT_ACCESS_TOKEN_VALIDITY: i64 = 43_200;

/// `jwt.token.policy.global.refreshTokenValiditySeconds` default (30 days).
pub const DEFAULT_REFRESH_TOKEN_VALIDITY: i64 = 2_592_000;

/// The key id UAA gives the legacy `jwt.token.signing-key` (`LegacyTokenKey.LEGACY_TOKEN_KEY_ID`).
pub const LEGACY_TOKEN_KEY_ID: &str = "legacy-token-key";

/// The groups every new user joins when `oauth.user.authorities` is not set: the list in UAA's
/// own `uaa.yml`, which UAA always loads underneath the operator's file.
pub const DEFAULT_USER_GROUPS: &[&str] = &[
    "openid",
    "scim.me",
    "cloud_controller.read",
    "cloud_controller.write",
    "cloud_controller_service_permissions.read",
    "password.write",
    "scim.userids",
    "uaa.user",
    "approvals.me",
    "oauth.approvals",
    "profile",
    "roles",
    "user_attributes",
    "uaa.offline_token",
];

/// `scim.groups` of UAA's own `uaa.yml`. UAA merges the operator's file over that one
/// (`YamlMapFactoryBean` merges mappings key by key), so these groups always exist and a file
/// only adds groups or replaces descriptions.
pub const DEFAULT_GROUPS: &[(&str, &str)] = &[
    ("zones.read", "Read identity zones"),
    ("zones.write", "Create and update identity zones"),
    ("idps.read", "Retrieve identity providers"),
    ("idps.write", "Create and update identity providers"),
    ("clients.admin", "Create, modify and delete OAuth clients"),
    ("clients.write", "Create and modify OAuth clients"),
    ("clients.read", "Read information about OAuth clients"),
    ("clients.secret", "Change the password of an OAuth client"),
    (
        "scim.write",
        "Create, modify and delete SCIM entities, i.e. users and groups",
    ),
    ("scim.read", "Read all SCIM entities, i.e. users and groups"),
    ("scim.create", "Create users"),
    ("scim.userids", "Read user IDs and retrieve users by ID"),
    ("scim.zones", "Control a user's ability to manage a zone"),
    ("scim.invite", "Send invitations to users"),
    ("password.write", "Change your password"),
    ("oauth.approval", "Manage approved scopes"),
    ("oauth.login", "Authenticate users outside of the UAA"),
    (
        "openid",
        "Access profile information, i.e. email, first and last name, and phone number",
    ),
    ("groups.update", "Update group information and memberships"),
    ("uaa.user", "Act as a user in the UAA"),
    ("uaa.resource", "Serve resources protected by the UAA"),
    ("uaa.admin", "Act as an administrator throughout the UAA"),
    ("uaa.none", "Forbid acting as a user"),
    ("uaa.offline_token", "Allow offline access"),
];

/// The JWS algorithms UAA accepts in `signingAlg` (`JwtAlgorithms.sigAlgs`).
const SIGNING_ALGORITHMS: &[&str] = &[
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES256K", "ES384", "ES512",
];

/// Top-level keys UAA reads that this server does not implement (yet). Each one present earns a
/// single "not supported yet" warning, whatever it holds.
const KNOWN_TOP_LEVEL: &[&str] = &[
    "LOGIN_SECRET",
    "allowUnverifiedUsers",
    "analytics",
    "assetBaseUrl",
    "brave",
    "clientMaxCount",
    "cors",
    "csp",
    "disableInternalAuth",
    "disableInternalUserManagement",
    "dump_requests",
    "encryption",
    "force_password_change",
    "groupMaxCount",
    "https",
    "https_port",
    "keystone",
    "ldap",
    "logging",
    "login",
    "logout",
    "metrics",
    "notifications",
    "ratelimit",
    "require_https",
    "rest",
    "servlet",
    "servlet-session-purge-delay",
    "smtp",
    "spring",
    "spring_profiles",
    "tiles",
    "uaa",
    "userMaxCount",
    "zones",
];

/// `database.*` keys of UAA's connection pool: meaningless for our pool.
const KNOWN_DATABASE: &[&str] = &[
    "abandonedtimeout",
    "caseinsensitive",
    "connecttimeout",
    "driverClassName",
    "evictionintervalms",
    "initialsize",
    "logabandoned",
    "maxParameters",
    "maxidle",
    "minevictionidlems",
    "removeabandoned",
    "testwhileidle",
    "useSkipLocked",
    "validationinterval",
    "validationquerytimeout",
];

/// The self-service links `/info` publishes (`links.register`, `links.passwd`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelfServiceLinks {
    pub signup: Option<String>,
    pub passwd: Option<String>,
}

/// The whole configuration, typed and validated. Built by [`load`] or [`Config::development`].
#[derive(Clone, PartialEq)]
pub struct Config {
    /// The file it was read from; `None` in development mode.
    pub source: Option<PathBuf>,
    /// True when no file was given: UAA's `default`-profile sample clients and users are loaded.
    pub dev_mode: bool,
    /// `issuer.uri`: the `iss` of every token is this plus `/oauth/token`.
    pub issuer_uri: String,
    /// `database.url` (a `postgres://…`/`postgresql://…` or `sqlite:…` URL; UAA's
    /// `jdbc:postgresql:…` form and `database.username`/`database.password` are folded in).
    /// `None`: the server picks its default store.
    pub database_url: Option<String>,
    /// Connection-pool settings (`database.maxactive`, `database.minidle`, `database.maxwait`).
    pub database_pool: uaa_store::PoolSettings,
    /// `oauth.clients`, in file order, less those named in `delete.clients`.
    pub clients: Vec<ClientConfig>,
    /// `oauth.client.override` (default true): whether a client of the file replaces a stored
    /// client of the same id when its own `override` is not set.
    pub client_override_default: bool,
    /// `delete.clients`: client ids to delete from the store at start-up.
    pub delete_clients: Vec<String>,
    /// `scim.users`, in file order.
    pub users: Vec<UserConfig>,
    /// Groups to create, name → description: [`DEFAULT_GROUPS`] merged with `scim.groups`.
    pub groups: Vec<(String, String)>,
    /// `oauth.user.authorities`: the groups every new user joins ([`DEFAULT_USER_GROUPS`]).
    pub default_user_groups: Vec<String>,
    /// `jwt.*`.
    pub jwt: JwtConfig,
    /// `oauth.client.secret.policy.*` over `oauth.client.secret.policy.global.*`.
    pub client_secret_policy: StrengthPolicy,
    /// `oauth.client.secret.requireClientToken` (our addition; default `Current`).
    pub secret_change_policy: SecretChangePolicy,
    /// `password.policy.*` over `password.policy.global.*`.
    pub password_policy: PasswordPolicy,
    /// `authentication.policy.*` over `authentication.policy.global.*`.
    pub lockout: LockoutPolicy,
    /// `authentication.enableUriEncodingCompatibilityMode` (default false): when true, Basic
    /// client credentials are URL-decoded only if the request carries
    /// `X-CF-ENCODED-CREDENTIALS: true` (`ClientBasicAuthenticationFilter`).
    pub uri_encoding_compat_mode: bool,
    /// `login.oauth.providers`: external OAuth2/OIDC identity providers, in file order.
    pub identity_providers: Vec<IdpConfig>,
    /// `links.signup` / `links.passwd` (and `links.global.*`), unless
    /// `login.selfServiceLinksEnabled` is false.
    pub links: SelfServiceLinks,
    /// One line per ignored key, each naming the file and the dotted key.
    pub warnings: Vec<String>,
}

/// One `oauth.clients.<client_id>` entry, in the shape of `uaa.yml`, with the normalisations
/// `ClientAdminBootstrap` applies: empty `scope`/`authorities` become `uaa.none`,
/// `authorization_code` brings `refresh_token`, and `signup_redirect_url` /
/// `change_email_redirect_url` are also registered redirect URIs.
#[derive(Clone, PartialEq)]
pub struct ClientConfig {
    pub client_id: String,
    /// `secret`: one secret, or two during a rotation. `Some(vec![""])` is the empty secret
    /// (`secret: ''`); `None` means the key is absent (no secret at all).
    pub secret: Option<Vec<String>>,
    /// `authorized-grant-types` (required).
    pub authorized_grant_types: Vec<String>,
    /// `scope` (default `uaa.none`).
    pub scope: Vec<String>,
    /// `authorities` (default `uaa.none`).
    pub authorities: Vec<String>,
    /// `redirect-uri`, plus `signup_redirect_url` and `change_email_redirect_url`.
    pub redirect_uri: Vec<String>,
    /// `autoapprove`: `true`, or the scopes approved without asking the user.
    pub autoapprove: Option<AutoApprove>,
    /// `access-token-validity` in seconds; `None`: the zone's policy applies.
    pub access_token_validity: Option<i64>,
    /// `refresh-token-validity` in seconds; `None`: the zone's policy applies.
    pub refresh_token_validity: Option<i64>,
    /// `override`; `None`: [`Config::client_override_default`] applies.
    pub override_: Option<bool>,
    /// `name`: the display name.
    pub name: Option<String>,
    /// `allowedproviders`: `None` allows every identity provider, an empty list none.
    pub allowedproviders: Option<Vec<String>>,
    /// `allowpublic`: `authorization_code` with PKCE (and its refresh) without a secret.
    pub allowpublic: bool,
    /// `required_user_groups`.
    pub required_user_groups: Vec<String>,
    /// `show-on-homepage` (client metadata).
    pub show_on_homepage: Option<bool>,
    /// `app-launch-url` (client metadata).
    pub app_launch_url: Option<String>,
    /// `app-icon` (client metadata, base64 image).
    pub app_icon: Option<String>,
    /// Every other key, which UAA stores as the client's additional information and echoes back
    /// (e.g. `signup_redirect_url`, `use-bcrypt-prefix`, or any custom key).
    pub additional: JsonMap<String, Json>,
}

/// A client's `autoapprove`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoApprove {
    /// `autoapprove: true`: every scope.
    All,
    /// A list (or comma string) of scopes.
    Scopes(Vec<String>),
}

/// One `scim.users` entry, parsed from UAA's pipe format (`UaaUserEditor`):
/// `username|password`, `username|password|groups`, `username|password|email|given|family`,
/// `…|groups` and `…|groups|origin`.
#[derive(Clone, PartialEq, Eq)]
pub struct UserConfig {
    pub username: String,
    pub password: String,
    /// Defaults to the username (`UaaUserEditor`: `email = username`).
    pub email: String,
    /// `None` in the 2- and 3-field forms (UAA stores null).
    pub given_name: Option<String>,
    /// `None` in the 2- and 3-field forms (UAA stores null).
    pub family_name: Option<String>,
    /// The listed groups, always including `uaa.user` (`UaaUser.authorities` adds it).
    pub groups: Vec<String>,
    /// Default `uaa`.
    pub origin: String,
}

/// `jwt.token.*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtConfig {
    /// `jwt.token.policy.keys.<kid>`, in file order; or, when there are none, the legacy
    /// `jwt.token.signing-key` as kid [`LEGACY_TOKEN_KEY_ID`]. Empty: the server generates and
    /// stores a key.
    pub keys: Vec<KeyConfig>,
    /// `jwt.token.policy.activeKeyId`, always naming one of `keys`; the only key when unset.
    pub active_key_id: Option<String>,
    /// `jwt.token.policy.accessTokenValiditySeconds`, else `…global.accessTokenValiditySeconds`.
    pub access_token_validity: i64,
    /// `jwt.token.policy.refreshTokenValiditySeconds`, else `…global.refreshTokenValiditySeconds`.
    pub refresh_token_validity: i64,
    /// `jwt.token.revocable` (default false): access tokens are opaque and stored.
    pub revocable: bool,
    /// `jwt.token.refresh.*`.
    pub refresh: RefreshConfig,
    /// `jwt.token.claims.exclude`.
    pub claims_exclude: Vec<String>,
    /// `jwt.token.queryString.enabled` (default true): whether `access_token` may be passed as a
    /// query parameter.
    pub query_string_enabled: bool,
}

impl Default for JwtConfig {
    fn default() -> Self {
        Self {
            keys: Vec::new(),
            active_key_id: None,
            access_token_validity: DEFAULT_ACCESS_TOKEN_VALIDITY,
            refresh_token_validity: DEFAULT_REFRESH_TOKEN_VALIDITY,
            revocable: false,
            refresh: RefreshConfig::default(),
            claims_exclude: Vec::new(),
            query_string_enabled: true,
        }
    }
}

/// `jwt.token.refresh.*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshConfig {
    /// `format`: `"opaque"` (default) or `"jwt"`.
    pub format: String,
    /// `rotate` (default false): a refresh grant issues a new refresh token.
    pub rotate: bool,
    /// `unique` (default false): one refresh token per user and client.
    pub unique: bool,
    /// `restrict_grant` (default false): refresh tokens only for `uaa.offline_token`.
    pub restrict_grant: bool,
}

impl Default for RefreshConfig {
    fn default() -> Self {
        Self {
            format: "opaque".to_owned(),
            rotate: false,
            unique: false,
            restrict_grant: false,
        }
    }
}

/// One signing key (`jwt.token.policy.keys.<kid>`).
#[derive(Clone, PartialEq, Eq)]
pub struct KeyConfig {
    pub kid: String,
    /// `signingKey`, trimmed as UAA trims it (`KeyInfoBuilder`): a PEM private key (RSA or EC),
    /// or any other text, which is an HMAC secret.
    pub signing_key: String,
    /// `signingAlg`; `None`: RS256 for RSA, ES256 for EC, HS256 for HMAC keys.
    pub signing_alg: Option<String>,
}

/// Why the configuration could not be loaded. Every variant's text starts with the file.
#[derive(Debug)]
pub enum ConfigError {
    /// The file could not be read.
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid YAML.
    Syntax {
        file: PathBuf,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// A value is missing, of the wrong type or out of range.
    Invalid {
        file: PathBuf,
        /// The dotted key, e.g. `oauth.clients.app.scope` or `scim.users[2]`; empty for the root.
        key: String,
        message: String,
    },
}

impl ConfigError {
    /// The dotted key of an invalid value.
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::Invalid { key, .. } => Some(key),
            _ => None,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { file, source } => write!(f, "{}: cannot read: {source}", file.display()),
            Self::Syntax {
                file,
                line,
                column,
                message,
            } => {
                write!(f, "{}", file.display())?;
                if let Some(line) = line {
                    write!(f, ": line {line}")?;
                    if let Some(column) = column {
                        write!(f, ", column {column}")?;
                    }
                }
                write!(f, ": invalid YAML: {message}")
            }
            Self::Invalid { file, key, message } if key.is_empty() => {
                write!(f, "{}: {message}", file.display())
            }
            Self::Invalid { file, key, message } => {
                write!(f, "{}: {key}: {message}", file.display())
            }
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Which file to load: `--config FILE` wins; otherwise `UAA_CONFIG_PATH` names a folder holding
/// `uaa.yml` (as in UAA). `None` means development mode. A folder without `uaa.yml` still yields
/// its path, so that [`load`] fails loudly instead of falling back to the sample data.
pub fn resolve_path(cli: Option<PathBuf>, env_config_path: Option<String>) -> Option<PathBuf> {
    if let Some(file) = cli {
        return Some(file);
    }
    env_config_path
        .filter(|folder| !folder.trim().is_empty())
        .map(|folder| PathBuf::from(folder).join(CONFIG_FILE_NAME))
}

/// Loads `path`, or returns [`Config::development`] when there is none.
pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
    let Some(path) = path else {
        return Ok(Config::development());
    };
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        file: path.to_path_buf(),
        source,
    })?;
    Config::from_yaml_str(&text, path)
}

impl Config {
    /// Development mode: UAA's `default` Spring profile (`oauth-clients.xml`,
    /// `scim-endpoints.xml`): clients `admin`, `cf`, `app`, `login` and `identity`, users
    /// `marissa`/`koala` and `admin`/`admin`, no configured signing key (the server generates
    /// one) and UAA's default policies.
    pub fn development() -> Self {
        let mut admin = dev_client(
            "admin",
            "adminsecret",
            "client_credentials",
            "uaa.none",
            "uaa.admin,clients.read,clients.write,clients.secret,clients.trust,scim.read,scim.write,clients.admin",
            "",
        );
        // UAA also gives `admin` a `jwks` (private_key_jwt trust), which we do not support.
        admin.autoapprove = None;

        let mut cf = dev_client(
            "cf",
            "",
            "implicit,password,refresh_token",
            "uaa.user,cloud_controller.read,cloud_controller.write,openid,password.write,scim.userids,cloud_controller.admin,scim.read,scim.write",
            "uaa.none",
            "http://localhost:8080/**,http://localhost:7000/**",
        );
        cf.autoapprove = Some(AutoApprove::All);

        let mut app = dev_client(
            "app",
            "appclientsecret",
            "password,implicit,authorization_code,client_credentials,refresh_token",
            "cloud_controller.read,cloud_controller.write,openid,password.write,scim.userids,organizations.acme",
            "uaa.resource",
            "http://localhost:8080/**,http://localhost:7000/**",
        );
        app.autoapprove = Some(AutoApprove::Scopes(vec!["openid".to_owned()]));
        app.name = Some("The Ultimate Oauth App".to_owned());
        for key in ["signup_redirect_url", "change_email_redirect_url"] {
            app.additional.insert(
                key.to_owned(),
                Json::String("http://localhost:8080/app/".to_owned()),
            );
        }
        app.redirect_uri
            .push("http://localhost:8080/app/".to_owned());

        let mut login = dev_client(
            "login",
            "loginsecret",
            "client_credentials,authorization_code",
            "openid,oauth.approvals",
            "oauth.login,scim.write,clients.read,notifications.write,critical_notifications.write,emails.write,scim.userids,password.write,idps.write",
            "http://localhost/**",
        );
        login.autoapprove = Some(AutoApprove::All);
        login.allowpublic = true;

        let mut identity = dev_client(
            "identity",
            "identitysecret",
            "authorization_code,client_credentials,refresh_token,password",
            "cloud_controller.admin,cloud_controller.read,cloud_controller.write,openid,zones.*.*,zones.*.*.*,zones.read,zones.write",
            "scim.zones,zones.read,cloud_controller.read,uaa.resource,zones.write",
            "http://localhost/*,http://localhost:8080/**,http://oidcloginit.localhost:8080/uaa/**",
        );
        identity.autoapprove = Some(AutoApprove::All);

        let mut clients = vec![admin, cf, app, login, identity];
        clients.iter_mut().for_each(apply_bootstrap_defaults);

        // scim-endpoints.xml `defaultUsers` (the `testbootuser` test account is left out).
        let users = vec![
            UserConfig {
                username: "marissa".to_owned(),
                password: "koala".to_owned(),
                email: "marissa@test.org".to_owned(),
                given_name: Some("Marissa".to_owned()),
                family_name: Some("Bloggs".to_owned()),
                groups: vec!["uaa.user".to_owned()],
                origin: "uaa".to_owned(),
            },
            UserConfig {
                username: "admin".to_owned(),
                password: "admin".to_owned(),
                email: "admin".to_owned(),
                given_name: Some(String::new()),
                family_name: Some(String::new()),
                groups: vec!["uaa.admin".to_owned(), "uaa.user".to_owned()],
                origin: "uaa".to_owned(),
            },
        ];

        Self {
            source: None,
            dev_mode: true,
            issuer_uri: DEFAULT_ISSUER_URI.to_owned(),
            database_url: None,
            database_pool: uaa_store::PoolSettings::default(),
            clients,
            client_override_default: true,
            delete_clients: Vec::new(),
            users,
            groups: default_groups(),
            default_user_groups: strings(DEFAULT_USER_GROUPS),
            jwt: JwtConfig::default(),
            client_secret_policy: StrengthPolicy::default(),
            secret_change_policy: SecretChangePolicy::default(),
            password_policy: PasswordPolicy::default(),
            lockout: LockoutPolicy::default(),
            uri_encoding_compat_mode: false,
            identity_providers: Vec::new(),
            links: SelfServiceLinks::default(),
            warnings: Vec::new(),
        }
    }

    /// Parses the text of a `uaa.yml`; `file` names it in errors and warnings and becomes
    /// [`Config::source`].
    pub fn from_yaml_str(text: &str, file: &Path) -> Result<Self, ConfigError> {
        let mut doc: Yaml = yaml_serde::from_str(text).map_err(|e| syntax_error(file, &e))?;
        // SnakeYAML (UAA) honours `<<: *anchor` merge keys; so do we.
        doc.apply_merge().map_err(|e| syntax_error(file, &e))?;
        let mut p = Parser {
            file,
            warnings: Vec::new(),
        };
        let mut root = Section::new(&p, "", &doc)?;

        let issuer_uri = parse_issuer(&mut p, &mut root)?;
        let (database_url, database_pool) = parse_database(&mut p, &mut root)?;
        let oauth = parse_oauth(&mut p, &mut root)?;
        let delete_clients = parse_delete(&mut p, &mut root)?;
        let (users, groups) = parse_scim(&mut p, &mut root)?;
        let jwt = parse_jwt(&mut p, &mut root)?;
        let password_policy = parse_password(&mut p, &mut root)?;
        let (lockout, uri_encoding_compat_mode) = parse_authentication(&mut p, &mut root)?;
        let login = idp::parse_login(&mut p, &mut root)?;
        let links = parse_links(&mut p, &mut root, login.self_service_links)?;
        let identity_providers = login.providers;
        root.finish(&mut p, KNOWN_TOP_LEVEL);

        // ClientAdminBootstrap drops the clients named in `delete.clients` before adding any,
        // then forces `autoapprove` on the ids of `oauth.client.autoapprove` (default `cf`).
        let mut clients = oauth.clients;
        clients.retain(|c| !delete_clients.contains(&c.client_id));
        for client in &mut clients {
            if oauth.autoapprove_clients.contains(&client.client_id) {
                client.autoapprove = Some(AutoApprove::All);
            }
        }

        Ok(Self {
            source: Some(file.to_path_buf()),
            dev_mode: false,
            issuer_uri,
            database_url,
            database_pool,
            clients,
            client_override_default: oauth.override_default,
            delete_clients,
            users,
            groups,
            default_user_groups: oauth.default_user_groups,
            jwt,
            client_secret_policy: oauth.secret_policy,
            secret_change_policy: oauth.secret_change_policy,
            password_policy,
            lockout,
            uri_encoding_compat_mode,
            identity_providers,
            links,
            warnings: p.warnings,
        })
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("source", &self.source)
            .field("dev_mode", &self.dev_mode)
            .field("issuer_uri", &self.issuer_uri)
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field("clients", &self.clients)
            .field("client_override_default", &self.client_override_default)
            .field("delete_clients", &self.delete_clients)
            .field("users", &self.users)
            .field("groups", &self.groups)
            .field("default_user_groups", &self.default_user_groups)
            .field("jwt", &self.jwt)
            .field("client_secret_policy", &self.client_secret_policy)
            .field("secret_change_policy", &self.secret_change_policy)
            .field("password_policy", &self.password_policy)
            .field("lockout", &self.lockout)
            .field("uri_encoding_compat_mode", &self.uri_encoding_compat_mode)
            .field("identity_providers", &self.identity_providers)
            .field("links", &self.links)
            .field("warnings", &self.warnings)
            .finish()
    }
}

/// Prints `[redacted]` in place of a secret.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = self
            .secret
            .as_ref()
            .map(|s| s.iter().map(|_| Redacted).collect::<Vec<_>>());
        f.debug_struct("ClientConfig")
            .field("client_id", &self.client_id)
            .field("secret", &secret)
            .field("authorized_grant_types", &self.authorized_grant_types)
            .field("scope", &self.scope)
            .field("authorities", &self.authorities)
            .field("redirect_uri", &self.redirect_uri)
            .field("autoapprove", &self.autoapprove)
            .field("access_token_validity", &self.access_token_validity)
            .field("refresh_token_validity", &self.refresh_token_validity)
            .field("override_", &self.override_)
            .field("name", &self.name)
            .field("allowedproviders", &self.allowedproviders)
            .field("allowpublic", &self.allowpublic)
            .field("required_user_groups", &self.required_user_groups)
            .field("show_on_homepage", &self.show_on_homepage)
            .field("app_launch_url", &self.app_launch_url)
            .field("app_icon", &self.app_icon.as_ref().map(|_| "…"))
            .field("additional", &self.additional)
            .finish()
    }
}

impl fmt::Debug for UserConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserConfig")
            .field("username", &self.username)
            .field("password", &Redacted)
            .field("email", &self.email)
            .field("given_name", &self.given_name)
            .field("family_name", &self.family_name)
            .field("groups", &self.groups)
            .field("origin", &self.origin)
            .finish()
    }
}

impl fmt::Debug for KeyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyConfig")
            .field("kid", &self.kid)
            .field("signing_key", &Redacted)
            .field("signing_alg", &self.signing_alg)
            .finish()
    }
}

impl UserConfig {
    /// Parses one `scim.users` entry the way `UaaUserEditor.setAsText` does (split on `|`,
    /// keeping empty fields), plus the checks `UaaUser` and `ScimUserBootstrap` make when the
    /// user is created. The error never repeats the entry, which holds a password.
    pub fn from_pipe(entry: &str) -> Result<Self, String> {
        let fields: Vec<&str> = entry.split('|').collect();
        let (password, email, given, family, groups, origin) = match fields.as_slice() {
            [_, pwd] => (*pwd, None, None, None, None, None),
            [_, pwd, groups] => (*pwd, None, None, None, Some(*groups), None),
            [_, pwd, email, given, family] => {
                (*pwd, Some(*email), Some(*given), Some(*family), None, None)
            }
            [_, pwd, email, given, family, groups] => (
                *pwd,
                Some(*email),
                Some(*given),
                Some(*family),
                Some(*groups),
                None,
            ),
            [_, pwd, email, given, family, groups, origin] => (
                *pwd,
                Some(*email),
                Some(*given),
                Some(*family),
                Some(*groups),
                Some(*origin),
            ),
            _ => {
                return Err(format!(
                    "expected username|password[|groups] or \
                     username|password|email|given_name|family_name[|groups[|origin]], \
                     found {} field{}",
                    fields.len(),
                    if fields.len() == 1 { "" } else { "s" }
                ));
            }
        };
        let username = fields.first().copied().unwrap_or_default();
        if username.trim().is_empty() {
            return Err("the username must not be empty".to_owned());
        }
        // UaaUserEditor: the email defaults to the username; UaaUser requires one.
        let email = email.unwrap_or(username);
        if email.trim().is_empty() {
            return Err("the email must not be empty".to_owned());
        }
        let origin = origin.unwrap_or("uaa");
        if origin.trim().is_empty() {
            return Err("the origin must not be empty".to_owned());
        }
        // ScimUserBootstrap.addUser: "Password cannot be empty" for internal users.
        if password.is_empty() && origin == "uaa" {
            return Err("the password must not be empty for a user of origin uaa".to_owned());
        }
        // AuthorityUtils.commaSeparatedStringToAuthorityList trims and skips empty items;
        // UaaUser.authorities always adds uaa.user.
        let mut list = Vec::new();
        if let Some(groups) = groups {
            push_split(&mut list, groups);
        }
        push_unique(&mut list, "uaa.user");
        Ok(Self {
            username: username.to_owned(),
            password: password.to_owned(),
            email: email.to_owned(),
            given_name: given.map(str::to_owned),
            family_name: family.map(str::to_owned),
            groups: list,
            origin: origin.to_owned(),
        })
    }
}

// ------------------------------------------------------------------------------------------------
// Sections

/// `links.signup` / `links.passwd` over `links.global.*` (the default zone's self-service
/// links, `IdentityZoneConfigurationBootstrap`), switched off by
/// `login.selfServiceLinksEnabled: false`. UAA's defaults name its own `/create_account` and
/// `/forgot_password` pages; while this server has no such pages, only configured links are
/// published.
fn parse_links(
    p: &mut Parser<'_>,
    root: &mut Section<'_>,
    enabled: bool,
) -> Result<SelfServiceLinks, ConfigError> {
    let mut links = root.section(p, "links")?;
    let signup = links.get("signup", |f| p.string(f))?;
    let passwd = links.get("passwd", |f| p.string(f))?;
    let mut global = links.section(p, "global")?;
    let global_signup = global.get("signup", |f| p.string(f))?;
    let global_passwd = global.get("passwd", |f| p.string(f))?;
    global.finish(p, &["homeRedirect"]);
    links.finish(p, &["homeRedirect", "logout"]);
    // UaaStringUtils.nonNull: the first value given wins, and an empty one hides the link.
    let pick = |zone: Option<String>, global: Option<String>| {
        zone.or(global).filter(|l| enabled && !l.trim().is_empty())
    };
    Ok(SelfServiceLinks {
        signup: pick(signup, global_signup),
        passwd: pick(passwd, global_passwd),
    })
}

fn parse_issuer(p: &mut Parser<'_>, root: &mut Section<'_>) -> Result<String, ConfigError> {
    let mut issuer = root.section(p, "issuer")?;
    let uri = issuer.get("uri", |f| p.string(f).and_then(|s| p.http_url(f, s)))?;
    issuer.finish(p, &[]);
    Ok(uri.unwrap_or_else(|| DEFAULT_ISSUER_URI.to_owned()))
}

fn parse_database(
    p: &mut Parser<'_>,
    root: &mut Section<'_>,
) -> Result<(Option<String>, uaa_store::PoolSettings), ConfigError> {
    let mut db = root.section(p, "database")?;
    let url = db.get("url", |f| Ok((f.path.clone(), p.string(f)?)))?;
    let username = db.get("username", |f| Ok((f.path.clone(), p.string(f)?)))?;
    let password = db.get("password", |f| Ok((f.path.clone(), p.string(f)?)))?;
    // UAA's Tomcat pool keys: the most connections, the idle ones kept, and how long (ms) a
    // request may wait for one.
    let positive = |f: &Field<'_>| {
        let n = p.int(f)?;
        u32::try_from(n)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| p.err(&f.path, format!("expected a positive integer, found {n}")))
    };
    let pool = uaa_store::PoolSettings {
        max_connections: db.get("maxactive", positive)?,
        min_connections: db.get("minidle", |f| {
            let n = p.int(f)?;
            u32::try_from(n).map_err(|_| {
                p.err(
                    &f.path,
                    format!("expected a non-negative integer, found {n}"),
                )
            })
        })?,
        acquire_timeout_ms: db.get("maxwait", |f| positive(f).map(u64::from))?,
    };
    db.finish(p, KNOWN_DATABASE);
    let Some((url_key, raw)) = url else {
        if let Some((key, _)) = username.or(password) {
            return Err(p.err(&key, "needs database.url"));
        }
        return Ok((None, pool));
    };
    Ok((
        Some(database_url(p, &url_key, &raw, username, password)?),
        pool,
    ))
}

/// Accepts `postgres://`, `postgresql://` and `sqlite:` URLs as sqlx does, and UAA's JDBC form
/// (`jdbc:postgresql://host/db`, `jdbc:postgresql:db`), folding `database.username` and
/// `database.password` into the URL.
fn database_url(
    p: &Parser<'_>,
    key: &str,
    raw: &str,
    username: Option<(String, String)>,
    password: Option<(String, String)>,
) -> Result<String, ConfigError> {
    let raw = raw.trim();
    let url = match raw.strip_prefix("jdbc:") {
        Some(rest) if rest.starts_with("postgresql://") => rest.to_owned(),
        // JDBC's short form `jdbc:postgresql:database` means localhost:5432.
        Some(rest) if rest.starts_with("postgresql:") => {
            format!("postgresql://localhost/{}", &rest["postgresql:".len()..])
        }
        Some(_) => {
            return Err(p.err(
                key,
                format!(
                    "only PostgreSQL and SQLite are supported, found {}",
                    describe_str(raw)
                ),
            ));
        }
        None => raw.to_owned(),
    };
    if url.starts_with("sqlite:") {
        if let Some((k, _)) = username.or(password) {
            return Err(p.err(&k, "is only used with a PostgreSQL database.url"));
        }
        return Ok(url);
    }
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(p.err(
            key,
            format!(
                "expected a postgres://, postgresql:// or sqlite: URL, found {}",
                describe_str(&redact_url(raw))
            ),
        ));
    }
    let mut parsed =
        url::Url::parse(&url).map_err(|e| p.err(key, format!("not a valid URL ({e})")))?;
    if let Some((k, user)) = username {
        if !parsed.username().is_empty() {
            return Err(p.err(&k, "conflicts with the user name in database.url"));
        }
        parsed
            .set_username(&user)
            .map_err(|()| p.err(&k, "cannot be used with this database.url"))?;
    }
    if let Some((k, pass)) = password {
        if parsed.password().is_some() {
            return Err(p.err(&k, "conflicts with the password in database.url"));
        }
        if !pass.is_empty() {
            parsed
                .set_password(Some(&pass))
                .map_err(|()| p.err(&k, "cannot be used with this database.url"))?;
        }
    }
    Ok(parsed.to_string())
}

/// What `oauth.*` yields.
struct OauthParts {
    clients: Vec<ClientConfig>,
    override_default: bool,
    autoapprove_clients: Vec<String>,
    secret_policy: StrengthPolicy,
    secret_change_policy: SecretChangePolicy,
    default_user_groups: Vec<String>,
}

fn parse_oauth(p: &mut Parser<'_>, root: &mut Section<'_>) -> Result<OauthParts, ConfigError> {
    let mut oauth = root.section(p, "oauth")?;

    let mut clients = Vec::new();
    let mut clients_section = oauth.section(p, "clients")?;
    for field in clients_section.rest() {
        let client_id = field.key.clone();
        if client_id.trim().is_empty() {
            return Err(p.err(&field.path, "a client id must not be empty"));
        }
        clients.push(parse_client(p, client_id, &field)?);
    }

    let mut client = oauth.section(p, "client")?;
    let override_default = client.get("override", |f| p.boolean(f))?.unwrap_or(true);
    // oauth-clients.xml: `oauth.client.autoapprove` lists client ids forced to autoapprove;
    // when absent, just `cf`.
    let autoapprove_clients = client
        .get("autoapprove", |f| p.list(f))?
        .unwrap_or_else(|| vec!["cf".to_owned()]);
    let mut secret = client.section(p, "secret")?;
    let secret_policy = {
        let mut policy = secret.section(p, "policy")?;
        let mut global = policy.section(p, "global")?;
        // ClientSecretPolicy's expireSecretInMonths is forced by UAA; accepted and ignored.
        let _ = global.take("expireSecretInMonths");
        let _ = policy.take("expireSecretInMonths");
        let strength = parse_strength(p, &mut policy, &mut global)?;
        global.finish(p, &[]);
        policy.finish(p, &[]);
        strength
    };
    let secret_change_policy = match secret.get("requireClientToken", |f| p.boolean(f))? {
        Some(true) => SecretChangePolicy::RequireClientToken,
        _ => SecretChangePolicy::Current,
    };
    secret.finish(p, &[]);
    client.finish(p, &[]);

    let mut user = oauth.section(p, "user")?;
    let default_user_groups = user
        .get("authorities", |f| p.list(f))?
        .unwrap_or_else(|| strings(DEFAULT_USER_GROUPS));
    user.finish(p, &[]);

    oauth.finish(p, &["id_token"]);
    Ok(OauthParts {
        clients,
        override_default,
        autoapprove_clients,
        secret_policy,
        secret_change_policy,
        default_user_groups,
    })
}

/// One `oauth.clients.<id>` entry (`ClientAdminBootstrap.addNewClients`).
fn parse_client(
    p: &mut Parser<'_>,
    client_id: String,
    field: &Field<'_>,
) -> Result<ClientConfig, ConfigError> {
    let mut s = Section::new(p, &field.path, field.value)?;
    if matches!(untag(field.value), Yaml::Null) {
        return Err(p.err(
            &field.path,
            "expected a mapping with at least authorized-grant-types",
        ));
    }
    let grants_key = s.child_path("authorized-grant-types");
    let authorized_grant_types = s
        .get("authorized-grant-types", |f| p.list(f))?
        .unwrap_or_default();
    if authorized_grant_types.is_empty() {
        return Err(p.err(
            &grants_key,
            "is required: a client must have at least one authorized grant type",
        ));
    }
    let secret = s.get("secret", |f| p.secrets(f))?.flatten();
    let scope = s.get("scope", |f| p.list(f))?.unwrap_or_default();
    let authorities = s.get("authorities", |f| p.list(f))?.unwrap_or_default();
    let redirect_key = s.child_path("redirect-uri");
    let mut redirect_uri = s.get("redirect-uri", |f| p.list(f))?.unwrap_or_default();
    // UAA forces resource_ids to ["none"]; `id` is dropped from the additional information.
    let _ = s.take("resource-ids");
    let _ = s.take("id");
    let autoapprove = s.get("autoapprove", |f| p.autoapprove(f))?.flatten();
    let access_token_validity = s.get("access-token-validity", |f| p.validity(f))?;
    let refresh_token_validity = s.get("refresh-token-validity", |f| p.validity(f))?;
    let override_ = s.get("override", |f| p.boolean(f))?;
    let name = s.get("name", |f| p.string(f))?;
    let allowedproviders = s.get("allowedproviders", |f| p.list(f))?;
    let allowpublic = s.get("allowpublic", |f| p.boolean(f))?.unwrap_or(false);
    let required_user_groups = s
        .get("required_user_groups", |f| p.list(f))?
        .unwrap_or_default();
    let show_on_homepage = s.get("show-on-homepage", |f| p.boolean(f))?;
    let app_launch_url = s.get("app-launch-url", |f| {
        p.string(f).and_then(|u| p.http_url(f, u))
    })?;
    let app_icon = s.get("app-icon", |f| p.string(f))?;
    for key in ["jwks", "jwks_uri"] {
        if let Some(f) = s.take(key) {
            p.unsupported(&f.path);
        }
    }
    let mut additional = JsonMap::new();
    for f in s.rest() {
        // ClientAdminBootstrap.getRedirectUris: these two are also redirect URIs.
        if f.key == "signup_redirect_url" || f.key == "change_email_redirect_url" {
            push_split(&mut redirect_uri, &p.string(&f)?);
        }
        additional.insert(f.key.clone(), to_json(f.value));
    }
    let mut client = ClientConfig {
        client_id,
        secret,
        authorized_grant_types,
        scope,
        authorities,
        redirect_uri,
        autoapprove,
        access_token_validity,
        refresh_token_validity,
        override_,
        name,
        allowedproviders,
        allowpublic,
        required_user_groups,
        show_on_homepage,
        app_launch_url,
        app_icon,
        additional,
    };
    apply_bootstrap_defaults(&mut client);
    for grant in ["authorization_code", "implicit"] {
        if client.authorized_grant_types.iter().any(|g| g == grant)
            && client.redirect_uri.is_empty()
        {
            return Err(p.err(
                &redirect_key,
                format!("{grant} grant type requires at least one redirect URL"),
            ));
        }
    }
    Ok(client)
}

/// The normalisations of `ClientAdminBootstrap.addNewClients`.
fn apply_bootstrap_defaults(client: &mut ClientConfig) {
    if client.scope.is_empty() {
        client.scope.push("uaa.none".to_owned());
    }
    if client.authorities.is_empty() {
        client.authorities.push("uaa.none".to_owned());
    }
    if client
        .authorized_grant_types
        .iter()
        .any(|g| g == "authorization_code")
    {
        push_unique(&mut client.authorized_grant_types, "refresh_token");
    }
    let mut seen = Vec::new();
    for uri in client.redirect_uri.drain(..) {
        if !seen.contains(&uri) {
            seen.push(uri);
        }
    }
    client.redirect_uri = seen;
}

fn parse_delete(p: &mut Parser<'_>, root: &mut Section<'_>) -> Result<Vec<String>, ConfigError> {
    let mut delete = root.section(p, "delete")?;
    let clients = delete.get("clients", |f| p.list(f))?.unwrap_or_default();
    delete.finish(p, &["users", "identityProviders", "expirationRunTime"]);
    Ok(clients)
}

type UsersAndGroups = (Vec<UserConfig>, Vec<(String, String)>);

fn parse_scim(p: &mut Parser<'_>, root: &mut Section<'_>) -> Result<UsersAndGroups, ConfigError> {
    let mut scim = root.section(p, "scim")?;
    let users = scim.get("users", |f| p.users(f))?.unwrap_or_default();
    let mut groups = default_groups();
    if let Some(listed) = scim.get("groups", |f| p.groups(f))? {
        // ScimGroupBootstrap.setCombinedGroups: a configured description wins when not empty.
        for (name, description) in listed {
            match groups.iter_mut().find(|(n, _)| *n == name) {
                Some(existing) if !description.is_empty() => existing.1 = description,
                Some(_) => {}
                None => groups.push((name, description)),
            }
        }
    }
    scim.finish(
        p,
        &[
            "delete",
            "external_groups",
            "group_membership",
            "user",
            "userids_enabled",
        ],
    );
    Ok((users, groups))
}

fn parse_jwt(p: &mut Parser<'_>, root: &mut Section<'_>) -> Result<JwtConfig, ConfigError> {
    let mut jwt = root.section(p, "jwt")?;
    let mut token = jwt.section(p, "token")?;
    let mut out = JwtConfig::default();

    let legacy_key = token.get("signing-key", |f| Ok((f.path.clone(), p.signing_key(f)?)))?;
    let legacy_alg = token.get("signing-alg", |f| p.signing_alg(f))?;

    let mut policy = token.section(p, "policy")?;
    let mut global = policy.section(p, "global")?;
    let global_access = global.get("accessTokenValiditySeconds", |f| p.validity(f))?;
    let global_refresh = global.get("refreshTokenValiditySeconds", |f| p.validity(f))?;
    global.finish(p, &[]);
    out.access_token_validity = policy
        .get("accessTokenValiditySeconds", |f| p.validity(f))?
        .or(global_access)
        .unwrap_or(DEFAULT_ACCESS_TOKEN_VALIDITY);
    out.refresh_token_validity = policy
        .get("refreshTokenValiditySeconds", |f| p.validity(f))?
        .or(global_refresh)
        .unwrap_or(DEFAULT_REFRESH_TOKEN_VALIDITY);
    let active = policy.get("activeKeyId", |f| Ok((f.path.clone(), p.string(f)?)))?;
    let active_key_path = policy.child_path("activeKeyId");
    let mut keys = policy.section(p, "keys")?;
    for field in keys.rest() {
        if field.key.trim().is_empty() {
            return Err(p.err(&field.path, "a key id must not be empty"));
        }
        let mut key = Section::new(p, &field.path, field.value)?;
        let signing_key_path = key.child_path("signingKey");
        let signing_key = key
            .get("signingKey", |f| p.signing_key(f))?
            .ok_or_else(|| p.err(&signing_key_path, "is required"))?;
        let signing_alg = key.get("signingAlg", |f| p.signing_alg(f))?;
        key.finish(p, &["signingCert"]);
        out.keys.push(KeyConfig {
            kid: field.key.clone(),
            signing_key,
            signing_alg,
        });
    }
    keys.finish(p, &[]);
    policy.finish(p, &[]);

    // KeyInfoService.getKeys: the legacy key is only used when the policy has no keys.
    if let Some((path, signing_key)) = legacy_key {
        if out.keys.is_empty() {
            out.keys.push(KeyConfig {
                kid: LEGACY_TOKEN_KEY_ID.to_owned(),
                signing_key,
                signing_alg: legacy_alg,
            });
        } else {
            let file = p.file.display().to_string();
            p.warnings.push(format!(
                "{file}: {path} is ignored because jwt.token.policy.keys is set"
            ));
        }
    }

    out.active_key_id = match active {
        Some((_, kid)) if out.keys.iter().any(|k| k.kid == kid) => Some(kid),
        Some((path, kid)) => {
            let known: Vec<&str> = out.keys.iter().map(|k| k.kid.as_str()).collect();
            let known = if known.is_empty() {
                "none is configured".to_owned()
            } else {
                format!("configured: {}", known.join(", "))
            };
            return Err(p.err(
                &path,
                format!("names no signing key: {} ({known})", describe_str(&kid)),
            ));
        }
        // KeyInfoService.getActiveKeyId: a single key is the active one.
        None if out.keys.len() == 1 => out.keys.first().map(|k| k.kid.clone()),
        None if out.keys.is_empty() => None,
        None => {
            return Err(p.err(
                &active_key_path,
                "is required when several signing keys are configured",
            ));
        }
    };

    out.revocable = token.get("revocable", |f| p.boolean(f))?.unwrap_or(false);
    let mut refresh = token.section(p, "refresh")?;
    if let Some(format) = refresh.get("format", |f| p.refresh_format(f))? {
        out.refresh.format = format;
    }
    out.refresh.rotate = refresh.get("rotate", |f| p.boolean(f))?.unwrap_or(false);
    out.refresh.unique = refresh.get("unique", |f| p.boolean(f))?.unwrap_or(false);
    out.refresh.restrict_grant = refresh
        .get("restrict_grant", |f| p.boolean(f))?
        .unwrap_or(false);
    refresh.finish(p, &[]);
    let mut claims = token.section(p, "claims")?;
    out.claims_exclude = claims.get("exclude", |f| p.list(f))?.unwrap_or_default();
    claims.finish(p, &[]);
    let mut query_string = token.section(p, "queryString")?;
    out.query_string_enabled = query_string
        .get("enabled", |f| p.boolean(f))?
        .unwrap_or(true);
    query_string.finish(p, &[]);

    token.finish(p, &["signing-cert", "verification-key"]);
    jwt.finish(p, &[]);
    Ok(out)
}

fn parse_password(
    p: &mut Parser<'_>,
    root: &mut Section<'_>,
) -> Result<PasswordPolicy, ConfigError> {
    let mut password = root.section(p, "password")?;
    let mut policy = password.section(p, "policy")?;
    let mut global = policy.section(p, "global")?;
    let strength = parse_strength(p, &mut policy, &mut global)?;
    let global_expiry = global.get("expirePasswordInMonths", |f| p.count(f))?;
    let expire_password_in_months = policy
        .get("expirePasswordInMonths", |f| p.count(f))?
        .or(global_expiry)
        .unwrap_or(0);
    global.finish(p, &[]);
    policy.finish(p, &[]);
    password.finish(p, &[]);
    Ok(PasswordPolicy {
        strength,
        expire_password_in_months,
    })
}

/// `minLength`, `maxLength`, `requireUpperCaseCharacter`, `requireLowerCaseCharacter`,
/// `requireDigit` and `requireSpecialCharacter`: the value of `policy` if set, else of `global`,
/// else UAA's default.
fn parse_strength(
    p: &Parser<'_>,
    policy: &mut Section<'_>,
    global: &mut Section<'_>,
) -> Result<StrengthPolicy, ConfigError> {
    let d = StrengthPolicy::default();
    let mut pick = |key: &str, default: usize| -> Result<usize, ConfigError> {
        let g = global.get(key, |f| p.count(f))?;
        Ok(policy.get(key, |f| p.count(f))?.or(g).unwrap_or(default))
    };
    let out = StrengthPolicy {
        min_length: pick("minLength", d.min_length)?,
        max_length: pick("maxLength", d.max_length)?,
        require_upper_case_character: pick(
            "requireUpperCaseCharacter",
            d.require_upper_case_character,
        )?,
        require_lower_case_character: pick(
            "requireLowerCaseCharacter",
            d.require_lower_case_character,
        )?,
        require_digit: pick("requireDigit", d.require_digit)?,
        require_special_character: pick("requireSpecialCharacter", d.require_special_character)?,
    };
    if out.min_length > out.max_length {
        return Err(p.err(
            &policy.child_path("minLength"),
            format!(
                "{} is greater than maxLength ({})",
                out.min_length, out.max_length
            ),
        ));
    }
    Ok(out)
}

fn parse_authentication(
    p: &mut Parser<'_>,
    root: &mut Section<'_>,
) -> Result<(LockoutPolicy, bool), ConfigError> {
    let mut auth = root.section(p, "authentication")?;
    let mut policy = auth.section(p, "policy")?;
    let mut global = policy.section(p, "global")?;
    let d = LockoutPolicy::default();
    let g_after = global.get("lockoutAfterFailures", |f| p.count(f))?;
    let g_within = global.get("countFailuresWithinSeconds", |f| p.count(f))?;
    let g_period = global.get("lockoutPeriodSeconds", |f| p.count(f))?;
    let lockout = LockoutPolicy {
        lockout_after_failures: policy
            .get("lockoutAfterFailures", |f| p.count(f))?
            .or(g_after)
            .unwrap_or(d.lockout_after_failures),
        count_failures_within_seconds: policy
            .get("countFailuresWithinSeconds", |f| p.count(f))?
            .or(g_within)
            .unwrap_or(d.count_failures_within_seconds),
        lockout_period_seconds: policy
            .get("lockoutPeriodSeconds", |f| p.count(f))?
            .or(g_period)
            .unwrap_or(d.lockout_period_seconds),
    };
    global.finish(p, &[]);
    policy.finish(p, &[]);
    let compat = auth
        .get("enableUriEncodingCompatibilityMode", |f| p.boolean(f))?
        .unwrap_or(false);
    auth.finish(p, &[]);
    Ok((lockout, compat))
}

// ------------------------------------------------------------------------------------------------
// Walking the YAML tree

/// The parse state: the file (for messages) and the warnings gathered so far.
struct Parser<'f> {
    file: &'f Path,
    warnings: Vec<String>,
}

/// One key of a mapping, with its dotted path.
struct Field<'v> {
    key: String,
    path: String,
    value: &'v Yaml,
}

/// A mapping whose keys are consumed one by one; [`Section::finish`] warns about the rest.
struct Section<'v> {
    path: String,
    entries: Vec<Option<Field<'v>>>,
}

impl<'v> Section<'v> {
    /// `null` (an empty key in YAML) is an empty section.
    fn new(p: &Parser<'_>, path: &str, value: &'v Yaml) -> Result<Self, ConfigError> {
        let mut entries = Vec::new();
        match untag(value) {
            Yaml::Null => {}
            Yaml::Mapping(map) => {
                for (k, v) in map {
                    let Some(key) = scalar_string(k) else {
                        return Err(p.err(
                            path,
                            format!("expected string keys, found {} as a key", describe(k)),
                        ));
                    };
                    let child = join(path, &key);
                    entries.push(Some(Field {
                        key,
                        path: child,
                        value: v,
                    }));
                }
            }
            other => {
                return Err(p.err(
                    path,
                    format!("expected a mapping, found {}", describe(other)),
                ));
            }
        }
        Ok(Self {
            path: path.to_owned(),
            entries,
        })
    }

    fn child_path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// Removes `key`; a `null` value counts as absent.
    fn take(&mut self, key: &str) -> Option<Field<'v>> {
        let slot = self
            .entries
            .iter_mut()
            .find(|e| e.as_ref().is_some_and(|f| f.key == key))?;
        let field = slot.take()?;
        (!matches!(untag(field.value), Yaml::Null)).then_some(field)
    }

    /// Removes `key` and converts its value with `parse`.
    fn get<T>(
        &mut self,
        key: &str,
        parse: impl FnOnce(&Field<'v>) -> Result<T, ConfigError>,
    ) -> Result<Option<T>, ConfigError> {
        self.take(key).as_ref().map(parse).transpose()
    }

    /// Removes `key`, which must hold a mapping (or nothing).
    fn section(&mut self, p: &Parser<'_>, key: &str) -> Result<Section<'v>, ConfigError> {
        let path = self.child_path(key);
        match self.take(key) {
            Some(f) => Section::new(p, &path, f.value),
            None => Ok(Section {
                path,
                entries: Vec::new(),
            }),
        }
    }

    /// Removes and returns every remaining key, `null` ones included, in file order.
    fn rest(&mut self) -> Vec<Field<'v>> {
        self.entries.iter_mut().filter_map(Option::take).collect()
    }

    /// One warning per remaining key: "not supported yet" for the keys UAA knows (`known`),
    /// "unknown" for the others.
    fn finish(mut self, p: &mut Parser<'_>, known: &[&str]) {
        for field in self.rest() {
            if known.contains(&field.key.as_str()) {
                p.unsupported(&field.path);
            } else {
                p.unknown(&field.path);
            }
        }
    }
}

impl Parser<'_> {
    fn err(&self, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.to_path_buf(),
            key: key.to_owned(),
            message: message.into(),
        }
    }

    fn unknown(&mut self, key: &str) {
        let file = self.file.display();
        self.warnings.push(format!(
            "{file}: {key} is not a known UAA key and is ignored"
        ));
    }

    fn unsupported(&mut self, key: &str) {
        let file = self.file.display();
        self.warnings
            .push(format!("{file}: {key} is not supported yet and is ignored"));
    }

    /// A string; numbers and booleans are taken as written (Spring converts them too).
    fn string(&self, f: &Field<'_>) -> Result<String, ConfigError> {
        scalar_string(f.value).ok_or_else(|| {
            self.err(
                &f.path,
                format!("expected a string, found {}", describe(f.value)),
            )
        })
    }

    /// A secret must be a YAML string; the message names only the type, never the value.
    fn secret_string(&self, path: &str, v: &Yaml) -> Result<String, ConfigError> {
        match untag(v) {
            Yaml::String(s) => Ok(s.clone()),
            Yaml::Null => Ok(String::new()),
            other => Err(self.err(
                path,
                format!("expected a string, found {} (quote the value)", kind(other)),
            )),
        }
    }

    /// `secret`: a string, or a list of at most two (`ClientAdminBootstrap`: the second is added
    /// with `addClientSecret`); `null` items are empty secrets and an empty list is no secret.
    fn secrets(&self, f: &Field<'_>) -> Result<Option<Vec<String>>, ConfigError> {
        match untag(f.value) {
            Yaml::Sequence(items) => {
                if items.len() > 2 {
                    return Err(self.err(
                        &f.path,
                        format!("expected at most two secrets, found {}", items.len()),
                    ));
                }
                let secrets = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.secret_string(&format!("{}[{i}]", f.path), item))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((!secrets.is_empty()).then_some(secrets))
            }
            other => self.secret_string(&f.path, other).map(|s| Some(vec![s])),
        }
    }

    fn signing_key(&self, f: &Field<'_>) -> Result<String, ConfigError> {
        let key = self.secret_string(&f.path, f.value)?.trim().to_owned();
        if key.is_empty() {
            return Err(self.err(&f.path, "the signing key must not be empty"));
        }
        Ok(key)
    }

    fn signing_alg(&self, f: &Field<'_>) -> Result<String, ConfigError> {
        let alg = self.string(f)?;
        if SIGNING_ALGORITHMS.contains(&alg.as_str()) {
            Ok(alg)
        } else {
            Err(self.err(
                &f.path,
                format!(
                    "expected one of {}, found {}",
                    SIGNING_ALGORITHMS.join(", "),
                    describe_str(&alg)
                ),
            ))
        }
    }

    fn refresh_format(&self, f: &Field<'_>) -> Result<String, ConfigError> {
        let format = self.string(f)?.to_ascii_lowercase();
        match format.as_str() {
            "opaque" | "jwt" => Ok(format),
            _ => Err(self.err(
                &f.path,
                format!(
                    "expected \"opaque\" or \"jwt\", found {}",
                    describe(f.value)
                ),
            )),
        }
    }

    /// A list given as a YAML sequence or a comma-separated string (each sequence item may be
    /// comma-separated too): trimmed, without empty items or duplicates.
    fn list(&self, f: &Field<'_>) -> Result<Vec<String>, ConfigError> {
        let mut out = Vec::new();
        match untag(f.value) {
            Yaml::Null => {}
            Yaml::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    match scalar_string(item) {
                        Some(s) => push_split(&mut out, &s),
                        None if matches!(untag(item), Yaml::Null) => {}
                        None => {
                            return Err(self.err(
                                &format!("{}[{i}]", f.path),
                                format!("expected a string, found {}", describe(item)),
                            ));
                        }
                    }
                }
            }
            other => match scalar_string(other) {
                Some(s) => push_split(&mut out, &s),
                None => {
                    return Err(self.err(
                        &f.path,
                        format!(
                            "expected a list or a comma-separated string, found {}",
                            describe(other)
                        ),
                    ));
                }
            },
        }
        Ok(out)
    }

    fn int(&self, f: &Field<'_>) -> Result<i64, ConfigError> {
        let parsed = match untag(f.value) {
            Yaml::Number(n) => n.as_i64(),
            // Spring converts placeholder strings, so "3600" is a number too.
            Yaml::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        parsed.ok_or_else(|| {
            self.err(
                &f.path,
                format!("expected an integer, found {}", describe(f.value)),
            )
        })
    }

    /// A token validity in seconds.
    fn validity(&self, f: &Field<'_>) -> Result<i64, ConfigError> {
        let n = self.int(f)?;
        if n < 0 {
            return Err(self.err(
                &f.path,
                format!("expected a non-negative number of seconds, found {n}"),
            ));
        }
        Ok(n)
    }

    /// A non-negative integer of a policy.
    fn count<T: TryFrom<i64>>(&self, f: &Field<'_>) -> Result<T, ConfigError> {
        let n = self.int(f)?;
        if n < 0 {
            return Err(self.err(
                &f.path,
                format!("expected a non-negative integer, found {n}"),
            ));
        }
        T::try_from(n).map_err(|_| self.err(&f.path, format!("{n} is too large")))
    }

    /// `true`/`false`; also the strings SnakeYAML and Spring read as booleans.
    fn boolean(&self, f: &Field<'_>) -> Result<bool, ConfigError> {
        match untag(f.value) {
            Yaml::Bool(b) => return Ok(*b),
            Yaml::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" => return Ok(true),
                "false" | "no" | "off" => return Ok(false),
                _ => {}
            },
            _ => {}
        }
        Err(self.err(
            &f.path,
            format!("expected true or false, found {}", describe(f.value)),
        ))
    }

    /// `autoapprove: true`, `false`, or a list (comma string) of scopes.
    fn autoapprove(&self, f: &Field<'_>) -> Result<Option<AutoApprove>, ConfigError> {
        match untag(f.value) {
            Yaml::Bool(true) => return Ok(Some(AutoApprove::All)),
            Yaml::Bool(false) => return Ok(None),
            Yaml::String(s) if s.trim().eq_ignore_ascii_case("true") => {
                return Ok(Some(AutoApprove::All));
            }
            Yaml::String(s) if s.trim().eq_ignore_ascii_case("false") => return Ok(None),
            _ => {}
        }
        let scopes = self.list(f).map_err(|_| {
            self.err(
                &f.path,
                format!(
                    "expected true or a list of scopes, found {}",
                    describe(f.value)
                ),
            )
        })?;
        Ok((!scopes.is_empty()).then_some(AutoApprove::Scopes(scopes)))
    }

    fn http_url(&self, f: &Field<'_>, value: String) -> Result<String, ConfigError> {
        match url::Url::parse(&value) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(value),
            _ => Err(self.err(
                &f.path,
                format!("expected an http(s) URL, found {}", describe_str(&value)),
            )),
        }
    }

    /// `scim.users`: a list of pipe strings.
    fn users(&self, f: &Field<'_>) -> Result<Vec<UserConfig>, ConfigError> {
        let Yaml::Sequence(items) = untag(f.value) else {
            return Err(self.err(
                &f.path,
                format!(
                    "expected a list of \"username|password|…\" strings, found {}",
                    kind(f.value)
                ),
            ));
        };
        let mut users = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = format!("{}[{i}]", f.path);
            let Yaml::String(entry) = untag(item) else {
                return Err(self.err(
                    &path,
                    format!(
                        "expected a \"username|password|…\" string, found {}",
                        kind(item)
                    ),
                ));
            };
            users.push(UserConfig::from_pipe(entry).map_err(|m| self.err(&path, m))?);
        }
        Ok(users)
    }

    /// `scim.groups`: a mapping name → description, a list of names (or `name|description`), or
    /// UAA's comma string of `name|description` (`ScimGroupsTypeResolvingFactoryBean`).
    fn groups(&self, f: &Field<'_>) -> Result<Vec<(String, String)>, ConfigError> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut add = |name: &str, description: &str| {
            let name = name.trim();
            if !name.is_empty() && !out.iter().any(|(n, _)| n == name) {
                out.push((name.to_owned(), description.trim().to_owned()));
            }
        };
        match untag(f.value) {
            Yaml::Mapping(map) => {
                for (k, v) in map {
                    let name = scalar_string(k).ok_or_else(|| {
                        self.err(
                            &f.path,
                            format!("expected group names, found {}", describe(k)),
                        )
                    })?;
                    let description = match untag(v) {
                        Yaml::Null => String::new(),
                        other => scalar_string(other).ok_or_else(|| {
                            self.err(
                                &join(&f.path, &name),
                                format!("expected a description, found {}", describe(other)),
                            )
                        })?,
                    };
                    add(&name, &description);
                }
            }
            Yaml::Sequence(_) | Yaml::String(_) => {
                for item in self.list(f)? {
                    let (name, description) = item.split_once('|').unwrap_or((&item, ""));
                    add(name, description);
                }
            }
            other => {
                return Err(self.err(
                    &f.path,
                    format!(
                        "expected a mapping of group names to descriptions, found {}",
                        describe(other)
                    ),
                ));
            }
        }
        Ok(out)
    }
}

// ------------------------------------------------------------------------------------------------
// Helpers

fn syntax_error(file: &Path, e: &yaml_serde::Error) -> ConfigError {
    let location = e.location();
    let mut message = e.to_string();
    // The location is reported separately; drop libyaml's own " at line L column C".
    if let Some(at) = message.find(" at line ") {
        message.truncate(at);
    }
    ConfigError::Syntax {
        file: file.to_path_buf(),
        line: location.as_ref().map(yaml_serde::Location::line),
        column: location.as_ref().map(yaml_serde::Location::column),
        message,
    }
}

fn untag(mut v: &Yaml) -> &Yaml {
    while let Yaml::Tagged(t) = v {
        v = &t.value;
    }
    v
}

fn scalar_string(v: &Yaml) -> Option<String> {
    match untag(v) {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// How a value appears in an error: scalars as written, collections by their kind.
fn describe(v: &Yaml) -> String {
    match untag(v) {
        Yaml::String(s) => describe_str(s),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        other => kind(other).to_owned(),
    }
}

fn describe_str(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() > MAX {
        let cut: String = s.chars().take(MAX).collect();
        format!("{:?}", format!("{cut}…"))
    } else {
        format!("{s:?}")
    }
}

fn kind(v: &Yaml) -> &'static str {
    match untag(v) {
        Yaml::Null => "null",
        Yaml::Bool(_) => "a boolean",
        Yaml::Number(_) => "a number",
        Yaml::String(_) => "a string",
        Yaml::Sequence(_) => "a list",
        Yaml::Mapping(_) => "a mapping",
        Yaml::Tagged(_) => "a tagged value",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|i| i == item) {
        list.push(item.to_owned());
    }
}

/// Splits a comma-separated string into `list`, trimmed, skipping empty and repeated items.
fn push_split(list: &mut Vec<String>, s: &str) {
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        push_unique(list, item);
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn default_groups() -> Vec<(String, String)> {
    DEFAULT_GROUPS
        .iter()
        .map(|(n, d)| ((*n).to_owned(), (*d).to_owned()))
        .collect()
}

/// A YAML value as JSON, for a client's additional information.
fn to_json(v: &Yaml) -> Json {
    match untag(v) {
        Yaml::Null | Yaml::Tagged(_) => Json::Null,
        Yaml::Bool(b) => Json::Bool(*b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Json::from(i)
            } else if let Some(u) = n.as_u64() {
                Json::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Json::String(n.to_string()), Json::Number)
            }
        }
        Yaml::String(s) => Json::String(s.clone()),
        Yaml::Sequence(items) => Json::Array(items.iter().map(to_json).collect()),
        Yaml::Mapping(map) => Json::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = scalar_string(k).unwrap_or_else(|| describe(k));
                    (key, to_json(v))
                })
                .collect(),
        ),
    }
}

/// The URL with its password replaced, for `Debug` and error messages.
fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            // Setting a password only fails for URLs that cannot have one.
            let _ = u.set_password(Some("redacted"));
            u.to_string()
        }
        _ => raw.to_owned(),
    }
}

/// A development client as `oauth-clients.xml` declares it (comma strings).
fn dev_client(
    id: &str,
    secret: &str,
    grants: &str,
    scope: &str,
    authorities: &str,
    redirect: &str,
) -> ClientConfig {
    let split = |s: &str| {
        let mut v = Vec::new();
        push_split(&mut v, s);
        v
    };
    ClientConfig {
        client_id: id.to_owned(),
        secret: Some(vec![secret.to_owned()]),
        authorized_grant_types: split(grants),
        scope: split(scope),
        authorities: split(authorities),
        redirect_uri: split(redirect),
        autoapprove: None,
        access_token_validity: None,
        refresh_token_validity: None,
        override_: None,
        name: None,
        allowedproviders: None,
        allowpublic: false,
        required_user_groups: Vec::new(),
        show_on_homepage: None,
        app_launch_url: None,
        app_icon: None,
        additional: JsonMap::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const FILE: &str = "/etc/uaa/uaa.yml";

    fn parse(yaml: &str) -> Config {
        Config::from_yaml_str(yaml, Path::new(FILE)).unwrap()
    }

    fn error(yaml: &str) -> String {
        Config::from_yaml_str(yaml, Path::new(FILE))
            .unwrap_err()
            .to_string()
    }

    fn client<'c>(config: &'c Config, id: &str) -> &'c ClientConfig {
        config
            .clients
            .iter()
            .find(|c| c.client_id == id)
            .unwrap_or_else(|| panic!("no client {id}"))
    }

    fn s(items: &[&str]) -> Vec<String> {
        strings(items)
    }

    #[test]
    fn database_pool_settings_use_uaas_keys_and_refuse_bad_values() {
        let c = parse(
            "database:\n  url: 'sqlite::memory:'\n  maxactive: 20\n  minidle: 2\n  maxwait: 1500\n",
        );
        assert_eq!(
            c.database_pool,
            uaa_store::PoolSettings {
                max_connections: Some(20),
                min_connections: Some(2),
                acquire_timeout_ms: Some(1500),
            }
        );
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(
            error("database:\n  maxactive: 0\n"),
            "/etc/uaa/uaa.yml: database.maxactive: expected a positive integer, found 0"
        );
    }

    const FULL: &str = r#"
issuer:
  uri: https://login.example.com/uaa
database:
  url: jdbc:postgresql://db.example.com:5432/uaa?sslmode=require
  username: uaa
  password: "p@ss word"
oauth:
  client:
    override: false
    autoapprove: [portal]
    secret:
      requireClientToken: true
      policy:
        minLength: 10
        requireDigit: 2
        expireSecretInMonths: 3
        global:
          minLength: 4
          maxLength: 64
          requireUpperCaseCharacter: 1
          requireLowerCaseCharacter: 1
          requireSpecialCharacter: 1
          expireSecretInMonths: 3
  user:
    authorities: openid,uaa.user
  clients:
    portal:
      secret: [rotate-me-1, rotate-me-2]
      authorized-grant-types: authorization_code,implicit
      scope: [openid, "reports.read, reports.write"]
      authorities: uaa.resource
      redirect-uri: https://portal.example.com/**
      resource-ids: ignored
      id: ignored-too
      autoapprove: openid
      access-token-validity: 600
      refresh-token-validity: "7200"
      override: true
      name: Portal
      allowedproviders: []
      allowpublic: true
      required_user_groups: admins
      show-on-homepage: true
      app-launch-url: https://portal.example.com/
      app-icon: aWNvbg==
      signup_redirect_url: https://portal.example.com/signup
      use-bcrypt-prefix: "true"
      custom:
        nested: [1, true, null]
    gone:
      authorized-grant-types: client_credentials
      secret: x
delete:
  clients: gone
scim:
  groups:
    reports.read: Read reports
    uaa.admin:
  users:
    - ada|lovelace|ada@example.com|Ada|Lovelace|reports.read|ldap
jwt:
  token:
    signing-key: "ignored legacy key"
    policy:
      accessTokenValiditySeconds: 100
      global:
        accessTokenValiditySeconds: 200
        refreshTokenValiditySeconds: 300
      activeKeyId: k2
      keys:
        k1:
          signingKey: "  hmac-one  "
        k2:
          signingKey: hmac-two
          signingAlg: HS512
    revocable: true
    refresh:
      format: JWT
      rotate: true
      unique: true
      restrict_grant: true
    claims:
      exclude: authorities,email
    queryString:
      enabled: false
password:
  policy:
    minLength: 12
    expirePasswordInMonths: 3
    global:
      maxLength: 100
      requireDigit: 1
      expirePasswordInMonths: 9
authentication:
  enableUriEncodingCompatibilityMode: true
  policy:
    lockoutAfterFailures: 3
    global:
      countFailuresWithinSeconds: 60
      lockoutPeriodSeconds: 30
"#;

    #[test]
    fn a_full_example_parses_to_the_expected_values() {
        let c = parse(FULL);
        assert_eq!(c.source.as_deref(), Some(Path::new(FILE)));
        assert!(!c.dev_mode);
        assert_eq!(c.issuer_uri, "https://login.example.com/uaa");
        assert_eq!(
            c.database_url.as_deref(),
            Some("postgresql://uaa:p%40ss%20word@db.example.com:5432/uaa?sslmode=require")
        );
        assert!(!c.client_override_default);
        assert_eq!(c.delete_clients, s(&["gone"]));
        assert_eq!(c.default_user_groups, s(&["openid", "uaa.user"]));
        assert_eq!(
            c.client_secret_policy,
            StrengthPolicy {
                min_length: 10,
                max_length: 64,
                require_upper_case_character: 1,
                require_lower_case_character: 1,
                require_digit: 2,
                require_special_character: 1,
            }
        );
        assert_eq!(
            c.secret_change_policy,
            SecretChangePolicy::RequireClientToken
        );
        assert_eq!(
            c.password_policy,
            PasswordPolicy {
                strength: StrengthPolicy {
                    min_length: 12,
                    max_length: 100,
                    require_digit: 1,
                    ..StrengthPolicy::default()
                },
                expire_password_in_months: 3,
            }
        );
        assert_eq!(
            c.lockout,
            LockoutPolicy {
                lockout_after_failures: 3,
                count_failures_within_seconds: 60,
                lockout_period_seconds: 30,
            }
        );
        assert!(c.uri_encoding_compat_mode);

        assert_eq!(c.clients.len(), 1, "`gone` is in delete.clients");
        let mut additional = JsonMap::new();
        additional.insert(
            "signup_redirect_url".into(),
            Json::from("https://portal.example.com/signup"),
        );
        additional.insert("use-bcrypt-prefix".into(), Json::from("true"));
        additional.insert(
            "custom".into(),
            serde_json::json!({"nested": [1, true, null]}),
        );
        assert_eq!(
            c.clients[0],
            ClientConfig {
                client_id: "portal".into(),
                secret: Some(s(&["rotate-me-1", "rotate-me-2"])),
                authorized_grant_types: s(&["authorization_code", "implicit", "refresh_token"]),
                scope: s(&["openid", "reports.read", "reports.write"]),
                authorities: s(&["uaa.resource"]),
                redirect_uri: s(&[
                    "https://portal.example.com/**",
                    "https://portal.example.com/signup"
                ]),
                // oauth.client.autoapprove names `portal`.
                autoapprove: Some(AutoApprove::All),
                access_token_validity: Some(600),
                refresh_token_validity: Some(7200),
                override_: Some(true),
                name: Some("Portal".into()),
                allowedproviders: Some(vec![]),
                allowpublic: true,
                required_user_groups: s(&["admins"]),
                show_on_homepage: Some(true),
                app_launch_url: Some("https://portal.example.com/".into()),
                app_icon: Some("aWNvbg==".into()),
                additional,
            }
        );

        assert_eq!(
            c.users,
            vec![UserConfig {
                username: "ada".into(),
                password: "lovelace".into(),
                email: "ada@example.com".into(),
                given_name: Some("Ada".into()),
                family_name: Some("Lovelace".into()),
                groups: s(&["reports.read", "uaa.user"]),
                origin: "ldap".into(),
            }]
        );
        assert_eq!(c.groups.len(), DEFAULT_GROUPS.len() + 1);
        assert_eq!(
            c.groups.last(),
            Some(&("reports.read".to_owned(), "Read reports".to_owned()))
        );
        assert!(c.groups.contains(&(
            "uaa.admin".to_owned(),
            "Act as an administrator throughout the UAA".to_owned()
        )));

        assert_eq!(
            c.jwt,
            JwtConfig {
                keys: vec![
                    KeyConfig {
                        kid: "k1".into(),
                        signing_key: "hmac-one".into(),
                        signing_alg: None,
                    },
                    KeyConfig {
                        kid: "k2".into(),
                        signing_key: "hmac-two".into(),
                        signing_alg: Some("HS512".into()),
                    },
                ],
                active_key_id: Some("k2".into()),
                access_token_validity: 100,
                refresh_token_validity: 300,
                revocable: true,
                refresh: RefreshConfig {
                    format: "jwt".into(),
                    rotate: true,
                    unique: true,
                    restrict_grant: true,
                },
                claims_exclude: s(&["authorities", "email"]),
                query_string_enabled: false,
            }
        );
        assert_eq!(
            c.warnings,
            vec![format!(
                "{FILE}: jwt.token.signing-key is ignored because jwt.token.policy.keys is set"
            )]
        );
    }

    #[test]
    fn the_example_file_loads_without_errors_or_warnings() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/uaa.yml");
        let c = load(Some(&path)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.warnings, Vec::<String>::new());
        assert!(!c.dev_mode);
        assert_eq!(c.issuer_uri, "http://localhost:8080/uaa");
        assert_eq!(
            c.database_url.as_deref(),
            Some("postgresql://uaa:changeme@localhost:5432/uaa")
        );
        let ids: Vec<&str> = c.clients.iter().map(|c| c.client_id.as_str()).collect();
        assert_eq!(ids, ["admin", "cf", "app"]);
        assert_eq!(c.delete_clients, s(&["retired"]));
        let app = client(&c, "app");
        assert_eq!(
            app.secret,
            Some(s(&["appclientsecret", "appclientsecret-next"]))
        );
        assert_eq!(app.redirect_uri.len(), 4);
        assert_eq!(app.additional.get("tenant"), Some(&Json::from("example")));
        assert_eq!(client(&c, "cf").secret, Some(s(&[""])));
        assert_eq!(client(&c, "cf").autoapprove, Some(AutoApprove::All));
        assert_eq!(c.users.len(), 5);
        assert_eq!(c.jwt.keys.len(), 2);
        assert!(
            c.jwt.keys[0]
                .signing_key
                .starts_with("-----BEGIN RSA PRIVATE KEY-----")
        );
        assert!(
            c.jwt.keys[0]
                .signing_key
                .ends_with("-----END RSA PRIVATE KEY-----")
        );
        assert_eq!(c.jwt.active_key_id.as_deref(), Some("key-1"));
        assert_eq!(c.jwt.access_token_validity, 7200);
        assert_eq!(c.jwt.refresh.format, "jwt");
        assert_eq!(c.password_policy.expire_password_in_months, 6);
        assert_eq!(c.client_secret_policy.min_length, 8);
        assert_eq!(c.lockout.count_failures_within_seconds, 3600);
        assert_eq!(c.default_user_groups, strings(DEFAULT_USER_GROUPS));
        let idp = &c.identity_providers[0];
        assert_eq!(idp.alias, "corporate-idp");
        assert_eq!(
            idp.issuer.as_deref(),
            Some("https://idp.example.com/oauth2/default")
        );
        assert_eq!(idp.mappings.user_name.as_deref(), Some("email"));
        assert!(idp.add_shadow_user_on_login && !idp.skip_ssl_validation);
        assert!(identity_providers(&c).unwrap()[0].verifier.is_some());
    }

    #[test]
    fn an_empty_file_gives_uaa_defaults_outside_development_mode() {
        let c = parse("");
        assert!(!c.dev_mode);
        assert_eq!(c.issuer_uri, DEFAULT_ISSUER_URI);
        assert_eq!(c.database_url, None);
        assert!(c.clients.is_empty() && c.users.is_empty());
        assert!(c.client_override_default);
        assert_eq!(c.groups, default_groups());
        assert_eq!(c.default_user_groups, strings(DEFAULT_USER_GROUPS));
        assert_eq!(c.jwt, JwtConfig::default());
        assert_eq!(c.jwt.access_token_validity, 43_200);
        assert_eq!(c.jwt.refresh_token_validity, 2_592_000);
        assert!(c.jwt.query_string_enabled);
        assert_eq!(c.client_secret_policy, StrengthPolicy::default());
        assert_eq!(c.secret_change_policy, SecretChangePolicy::Current);
        assert_eq!(c.password_policy, PasswordPolicy::default());
        assert_eq!(c.lockout, LockoutPolicy::default());
        assert!(!c.uri_encoding_compat_mode);
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn comma_strings_and_yaml_lists_are_equivalent() {
        let comma = parse(
            "oauth:\n  clients:\n    c:\n      authorized-grant-types: ' client_credentials , password,,'\n      scope: openid,uaa.user\n      authorities: a,b\n      redirect-uri: http://x/**,http://y/**\n      required_user_groups: g1,g2\n      allowedproviders: uaa,ldap\n",
        );
        let list = parse(
            "oauth:\n  clients:\n    c:\n      authorized-grant-types: [client_credentials, password]\n      scope:\n        - openid\n        - uaa.user\n        - openid\n      authorities: [a, b]\n      redirect-uri: [http://x/**, http://y/**]\n      required_user_groups: [g1, g2]\n      allowedproviders: [uaa, ldap]\n",
        );
        assert_eq!(comma.clients, list.clients);
        let c = &comma.clients[0];
        assert_eq!(
            c.authorized_grant_types,
            s(&["client_credentials", "password"])
        );
        assert_eq!(c.scope, s(&["openid", "uaa.user"]));
        assert_eq!(c.allowedproviders, Some(s(&["uaa", "ldap"])));
    }

    #[test]
    fn a_secret_list_of_two_is_kept_for_rotation() {
        let c = parse(
            "oauth:\n  clients:\n    c:\n      authorized-grant-types: client_credentials\n      secret: [old, new]\n",
        );
        assert_eq!(c.clients[0].secret, Some(s(&["old", "new"])));
        let c = parse(
            "oauth:\n  clients:\n    c:\n      authorized-grant-types: client_credentials\n      secret:\n        - only\n        -\n",
        );
        assert_eq!(c.clients[0].secret, Some(s(&["only", ""])));
        assert_eq!(
            error(
                "oauth:\n  clients:\n    c:\n      authorized-grant-types: client_credentials\n      secret: [a, b, c]\n"
            ),
            format!("{FILE}: oauth.clients.c.secret: expected at most two secrets, found 3")
        );
    }

    #[test]
    fn an_empty_string_secret_is_an_empty_secret_and_a_missing_one_is_none() {
        let c = parse(
            "oauth:\n  clients:\n    empty:\n      authorized-grant-types: password\n      secret: ''\n    none:\n      authorized-grant-types: password\n    nul:\n      authorized-grant-types: password\n      secret:\n",
        );
        assert_eq!(client(&c, "empty").secret, Some(s(&[""])));
        assert_eq!(client(&c, "none").secret, None);
        assert_eq!(client(&c, "nul").secret, None);
    }

    #[test]
    fn a_numeric_secret_is_refused_without_echoing_it() {
        let e = error(
            "oauth:\n  clients:\n    c:\n      authorized-grant-types: client_credentials\n      secret: 123456\n",
        );
        assert_eq!(
            e,
            format!(
                "{FILE}: oauth.clients.c.secret: expected a string, found a number (quote the value)"
            )
        );
    }

    #[test]
    fn client_defaults_follow_client_admin_bootstrap() {
        let c = parse(
            "oauth:\n  clients:\n    c:\n      authorized-grant-types: authorization_code\n      redirect-uri: http://localhost/**\n",
        );
        let c = &c.clients[0];
        assert_eq!(c.scope, s(&["uaa.none"]));
        assert_eq!(c.authorities, s(&["uaa.none"]));
        assert_eq!(
            c.authorized_grant_types,
            s(&["authorization_code", "refresh_token"])
        );
        assert_eq!(c.secret, None);
        assert_eq!(c.autoapprove, None);
        assert!(!c.allowpublic);
        assert_eq!(c.allowedproviders, None);
        assert!(c.additional.is_empty());
    }

    #[test]
    fn autoapprove_accepts_true_false_and_scope_lists() {
        let c = parse(
            "oauth:\n  clients:\n    t:\n      authorized-grant-types: password\n      autoapprove: true\n    f:\n      authorized-grant-types: password\n      autoapprove: false\n    l:\n      authorized-grant-types: password\n      autoapprove: [openid, profile]\n    s:\n      authorized-grant-types: password\n      autoapprove: 'true'\n",
        );
        assert_eq!(client(&c, "t").autoapprove, Some(AutoApprove::All));
        assert_eq!(client(&c, "f").autoapprove, None);
        assert_eq!(
            client(&c, "l").autoapprove,
            Some(AutoApprove::Scopes(s(&["openid", "profile"])))
        );
        assert_eq!(client(&c, "s").autoapprove, Some(AutoApprove::All));
    }

    #[test]
    fn the_cf_client_is_autoapproved_unless_oauth_client_autoapprove_says_otherwise() {
        let yaml = "oauth:\n  clients:\n    cf:\n      authorized-grant-types: password\n";
        assert_eq!(parse(yaml).clients[0].autoapprove, Some(AutoApprove::All));
        let yaml = format!("{yaml}  client:\n    autoapprove: []\n");
        assert_eq!(parse(&yaml).clients[0].autoapprove, None);
    }

    #[test]
    fn unrecognised_client_keys_become_additional_information_without_warning() {
        let c = parse(
            "oauth:\n  clients:\n    c:\n      authorized-grant-types: client_credentials\n      foo: bar\n      count: 3\n      change_email_redirect_url: https://e.example.com/\n",
        );
        assert!(c.warnings.is_empty());
        let c = &c.clients[0];
        assert_eq!(c.additional.get("foo"), Some(&Json::from("bar")));
        assert_eq!(c.additional.get("count"), Some(&Json::from(3)));
        assert_eq!(c.redirect_uri, s(&["https://e.example.com/"]));
    }

    #[test]
    fn jwks_on_a_client_is_not_supported_yet() {
        let c = parse(
            "oauth:\n  clients:\n    c:\n      authorized-grant-types: client_credentials\n      jwks_uri: https://c.example.com/keys\n",
        );
        assert_eq!(
            c.warnings,
            vec![format!(
                "{FILE}: oauth.clients.c.jwks_uri is not supported yet and is ignored"
            )]
        );
        assert!(c.clients[0].additional.is_empty());
    }

    #[test]
    fn a_client_without_authorized_grant_types_is_an_error() {
        assert_eq!(
            error("oauth:\n  clients:\n    c:\n      scope: openid\n"),
            format!(
                "{FILE}: oauth.clients.c.authorized-grant-types: is required: a client must have at least one authorized grant type"
            )
        );
        assert_eq!(
            error("oauth:\n  clients:\n    c:\n"),
            format!(
                "{FILE}: oauth.clients.c: expected a mapping with at least authorized-grant-types"
            )
        );
    }

    #[test]
    fn authorization_code_and_implicit_clients_need_a_redirect_uri() {
        assert_eq!(
            error("oauth:\n  clients:\n    c:\n      authorized-grant-types: implicit\n"),
            format!(
                "{FILE}: oauth.clients.c.redirect-uri: implicit grant type requires at least one redirect URL"
            )
        );
    }

    #[test]
    fn a_bad_value_error_names_the_file_and_the_key() {
        assert_eq!(
            error(
                "oauth:\n  clients:\n    app:\n      authorized-grant-types: password\n      access-token-validity: ten\n"
            ),
            "/etc/uaa/uaa.yml: oauth.clients.app.access-token-validity: expected an integer, found \"ten\""
        );
        assert_eq!(
            error("jwt:\n  token:\n    policy:\n      accessTokenValiditySeconds: -1\n"),
            format!(
                "{FILE}: jwt.token.policy.accessTokenValiditySeconds: expected a non-negative number of seconds, found -1"
            )
        );
        assert_eq!(
            error("jwt:\n  token:\n    revocable: maybe\n"),
            format!("{FILE}: jwt.token.revocable: expected true or false, found \"maybe\"")
        );
        assert_eq!(
            error("password:\n  policy:\n    minLength: 1.5\n"),
            format!("{FILE}: password.policy.minLength: expected an integer, found 1.5")
        );
        assert_eq!(
            error("authentication:\n  policy:\n    global:\n      lockoutAfterFailures: -3\n"),
            format!(
                "{FILE}: authentication.policy.global.lockoutAfterFailures: expected a non-negative integer, found -3"
            )
        );
        assert_eq!(
            error("oauth:\n  clients: [a, b]\n"),
            format!("{FILE}: oauth.clients: expected a mapping, found a list")
        );
        assert_eq!(
            error("jwt:\n  token:\n    refresh:\n      format: xml\n"),
            format!(
                "{FILE}: jwt.token.refresh.format: expected \"opaque\" or \"jwt\", found \"xml\""
            )
        );
        assert_eq!(
            error("issuer:\n  uri: not a url\n"),
            format!("{FILE}: issuer.uri: expected an http(s) URL, found \"not a url\"")
        );
        assert_eq!(
            error("password:\n  policy:\n    minLength: 20\n    maxLength: 10\n"),
            format!("{FILE}: password.policy.minLength: 20 is greater than maxLength (10)")
        );
        assert_eq!(
            error("- a\n- b\n"),
            format!("{FILE}: expected a mapping, found a list")
        );
        let e = Config::from_yaml_str("jwt: {token: {revocable: 3}}", Path::new(FILE)).unwrap_err();
        assert_eq!(e.key(), Some("jwt.token.revocable"));
    }

    #[test]
    fn yaml_syntax_errors_name_the_file_and_the_line() {
        let e = error("issuer:\n  uri: http://x\n bad: [\n");
        assert!(e.starts_with(&format!("{FILE}: line 3, column ")), "{e}");
        assert!(e.contains("invalid YAML: "), "{e}");
        let e = error("a: 1\na: 2\n");
        assert!(e.starts_with(&format!("{FILE}: line ")), "{e}");
        assert!(e.ends_with("duplicate entry with key \"a\""), "{e}");
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let e = load(Some(Path::new("/nonexistent/uaa.yml"))).unwrap_err();
        assert!(matches!(e, ConfigError::Read { .. }));
        assert!(
            e.to_string()
                .starts_with("/nonexistent/uaa.yml: cannot read: "),
            "{e}"
        );
    }

    #[test]
    fn unknown_keys_warn_once_each_with_the_file_and_the_dotted_key() {
        let c = parse(
            "issuer:\n  uri: http://localhost:8080/uaa\n  extra: 1\nfoo: {bar: {baz: 1}}\njwt:\n  token:\n    policy:\n      keys:\n        k:\n          signingKey: s\n          singingAlg: HS256\npassword:\n  policy:\n    requireLowercaseCharacter: 1\n",
        );
        assert_eq!(
            c.warnings,
            vec![
                format!("{FILE}: issuer.extra is not a known UAA key and is ignored"),
                format!(
                    "{FILE}: jwt.token.policy.keys.k.singingAlg is not a known UAA key and is ignored"
                ),
                format!(
                    "{FILE}: password.policy.requireLowercaseCharacter is not a known UAA key and is ignored"
                ),
                format!("{FILE}: foo is not a known UAA key and is ignored"),
            ]
        );
    }

    #[test]
    fn known_uaa_keys_we_do_not_implement_get_a_softer_warning_once_each() {
        let c = parse(
            "spring_profiles: postgresql\nlogin:\n  url: http://localhost:8080/uaa\n  entityID: x\nldap: {base: {url: 'ldap://x'}}\nzones: {internal: {hostnames: [a]}}\ncors: {}\nratelimit: {}\nuaa:\n  url: http://localhost:8080/uaa\nlogging: {config: x}\ndatabase:\n  url: 'sqlite::memory:'\n  maxidle: 10\nscim:\n  userids_enabled: true\noauth:\n  id_token: {disable: true}\ndelete:\n  users: [a]\njwt:\n  token:\n    signing-cert: x\n",
        );
        let expected: Vec<String> = [
            "database.maxidle",
            "oauth.id_token",
            "delete.users",
            "scim.userids_enabled",
            "jwt.token.signing-cert",
            // `login` is read (selfServiceLinksEnabled, oauth): its other keys warn one by one.
            "login.url",
            "login.entityID",
            "spring_profiles",
            "ldap",
            "zones",
            "cors",
            "ratelimit",
            "uaa",
            "logging",
        ]
        .iter()
        .map(|k| format!("{FILE}: {k} is not supported yet and is ignored"))
        .collect();
        assert_eq!(c.warnings, expected);
    }

    #[test]
    fn scim_users_accept_every_pipe_form_of_uaa_user_editor() {
        let two = UserConfig::from_pipe("bob|pw").unwrap();
        assert_eq!(
            two,
            UserConfig {
                username: "bob".into(),
                password: "pw".into(),
                email: "bob".into(),
                given_name: None,
                family_name: None,
                groups: s(&["uaa.user"]),
                origin: "uaa".into(),
            }
        );
        let three = UserConfig::from_pipe("bob@example.com|pw|scim.read, uaa.user,").unwrap();
        assert_eq!(three.email, "bob@example.com");
        assert_eq!(three.groups, s(&["scim.read", "uaa.user"]));
        let five = UserConfig::from_pipe("bob|pw|bob@example.com|Bob|Smith").unwrap();
        assert_eq!(
            (
                five.email.as_str(),
                five.given_name.as_deref(),
                five.family_name.as_deref()
            ),
            ("bob@example.com", Some("Bob"), Some("Smith"))
        );
        assert_eq!(five.groups, s(&["uaa.user"]));
        let six = UserConfig::from_pipe("bob|pw|bob@example.com|Bob|Smith|uaa.admin").unwrap();
        assert_eq!(six.groups, s(&["uaa.admin", "uaa.user"]));
        assert_eq!(six.origin, "uaa");
        let seven = UserConfig::from_pipe("bob||bob@example.com|||g|ldap").unwrap();
        assert_eq!(seven.password, "");
        assert_eq!(seven.given_name.as_deref(), Some(""));
        assert_eq!(seven.origin, "ldap");

        let c = parse(
            "scim:\n  users:\n    - a|b\n    - c|d|e\n    - f|g|h|i|j\n    - k|l|m|n|o|p\n    - q|r|s|t|u|v|w\n",
        );
        assert_eq!(c.users.len(), 5);
    }

    #[test]
    fn a_malformed_scim_user_names_its_index_and_the_file_but_not_the_password() {
        assert_eq!(
            error("scim:\n  users:\n    - ok|pw\n    - bob|hunter2|bob@example.com|Bob\n"),
            format!(
                "{FILE}: scim.users[1]: expected username|password[|groups] or username|password|email|given_name|family_name[|groups[|origin]], found 4 fields"
            )
        );
        assert_eq!(
            error("scim:\n  users:\n    - bob\n"),
            format!(
                "{FILE}: scim.users[0]: expected username|password[|groups] or username|password|email|given_name|family_name[|groups[|origin]], found 1 field"
            )
        );
        assert_eq!(
            error("scim:\n  users:\n    - bob|\n"),
            format!(
                "{FILE}: scim.users[0]: the password must not be empty for a user of origin uaa"
            )
        );
        assert_eq!(
            error("scim:\n  users:\n    - bob|pw||Bob|Smith\n"),
            format!("{FILE}: scim.users[0]: the email must not be empty")
        );
        assert_eq!(
            error("scim:\n  users:\n    - {name: bob}\n"),
            format!(
                "{FILE}: scim.users[0]: expected a \"username|password|…\" string, found a mapping"
            )
        );
    }

    #[test]
    fn scim_groups_accept_a_mapping_a_list_or_uaa_comma_string() {
        let extra = |yaml: &str| -> Vec<(String, String)> {
            parse(yaml).groups.split_off(DEFAULT_GROUPS.len())
        };
        let expected = vec![
            ("a".to_owned(), "Group A".to_owned()),
            ("b".to_owned(), String::new()),
        ];
        assert_eq!(
            extra("scim:\n  groups:\n    a: Group A\n    b:\n"),
            expected
        );
        assert_eq!(extra("scim:\n  groups: ['a|Group A', b]\n"), expected);
        assert_eq!(extra("scim:\n  groups: a|Group A,b\n"), expected);
        let c = parse("scim:\n  groups:\n    uaa.none: Nothing\n");
        assert!(
            c.groups
                .contains(&("uaa.none".to_owned(), "Nothing".to_owned()))
        );
        assert_eq!(c.groups.len(), DEFAULT_GROUPS.len());
    }

    #[test]
    fn the_default_user_groups_are_uaa_yml_s_list() {
        assert_eq!(DEFAULT_USER_GROUPS.len(), 14);
        assert_eq!(
            parse("oauth:\n  user:\n    authorities: [openid]\n").default_user_groups,
            s(&["openid"])
        );
    }

    #[test]
    fn the_active_key_id_must_name_a_configured_key() {
        assert_eq!(
            error(
                "jwt:\n  token:\n    policy:\n      activeKeyId: nope\n      keys:\n        a: {signingKey: x}\n        b: {signingKey: y}\n"
            ),
            format!(
                "{FILE}: jwt.token.policy.activeKeyId: names no signing key: \"nope\" (configured: a, b)"
            )
        );
        assert_eq!(
            error("jwt:\n  token:\n    policy:\n      activeKeyId: nope\n"),
            format!(
                "{FILE}: jwt.token.policy.activeKeyId: names no signing key: \"nope\" (none is configured)"
            )
        );
        assert_eq!(
            error(
                "jwt:\n  token:\n    policy:\n      keys:\n        a: {signingKey: x}\n        b: {signingKey: y}\n"
            ),
            format!(
                "{FILE}: jwt.token.policy.activeKeyId: is required when several signing keys are configured"
            )
        );
        let single =
            parse("jwt:\n  token:\n    policy:\n      keys:\n        only: {signingKey: x}\n");
        assert_eq!(single.jwt.active_key_id.as_deref(), Some("only"));
        assert_eq!(parse("").jwt.active_key_id, None);
    }

    #[test]
    fn signing_keys_are_validated() {
        assert_eq!(
            error("jwt:\n  token:\n    policy:\n      keys:\n        a: {signingAlg: RS256}\n"),
            format!("{FILE}: jwt.token.policy.keys.a.signingKey: is required")
        );
        assert_eq!(
            error("jwt:\n  token:\n    policy:\n      keys:\n        a: {signingKey: '  '}\n"),
            format!(
                "{FILE}: jwt.token.policy.keys.a.signingKey: the signing key must not be empty"
            )
        );
        let e = error(
            "jwt:\n  token:\n    policy:\n      keys:\n        a: {signingKey: x, signingAlg: none}\n",
        );
        assert!(
            e.starts_with(&format!(
                "{FILE}: jwt.token.policy.keys.a.signingAlg: expected one of HS256"
            )),
            "{e}"
        );
    }

    #[test]
    fn the_legacy_signing_key_gets_kid_legacy_token_key_when_no_policy_keys_exist() {
        let c = parse(
            "jwt:\n  token:\n    signing-key: |\n      secret-text\n    signing-alg: HS384\n",
        );
        assert_eq!(
            c.jwt.keys,
            vec![KeyConfig {
                kid: LEGACY_TOKEN_KEY_ID.into(),
                signing_key: "secret-text".into(),
                signing_alg: Some("HS384".into()),
            }]
        );
        assert_eq!(c.jwt.active_key_id.as_deref(), Some("legacy-token-key"));
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn token_validity_falls_back_to_the_global_policy() {
        let c = parse(
            "jwt:\n  token:\n    policy:\n      refreshTokenValiditySeconds: 5\n      global:\n        accessTokenValiditySeconds: 6\n        refreshTokenValiditySeconds: 7\n",
        );
        assert_eq!(c.jwt.access_token_validity, 6);
        assert_eq!(c.jwt.refresh_token_validity, 5);
    }

    #[test]
    fn database_urls_accept_uaa_jdbc_urls_and_refuse_other_databases() {
        let url = |yaml: &str| parse(yaml).database_url.unwrap();
        assert_eq!(
            url("database:\n  url: jdbc:postgresql:uaa\n"),
            "postgresql://localhost/uaa"
        );
        assert_eq!(
            url("database:\n  url: postgres://u:p@h/db\n"),
            "postgres://u:p@h/db"
        );
        assert_eq!(
            url("database:\n  url: 'sqlite::memory:'\n"),
            "sqlite::memory:"
        );
        assert_eq!(
            error("database:\n  url: jdbc:mysql://localhost:3306/uaa\n"),
            format!(
                "{FILE}: database.url: only PostgreSQL and SQLite are supported, found \"jdbc:mysql://localhost:3306/uaa\""
            )
        );
        assert_eq!(
            error("database:\n  url: postgres://u@h/db\n  username: v\n"),
            format!("{FILE}: database.username: conflicts with the user name in database.url")
        );
        assert_eq!(
            error("database:\n  username: v\n"),
            format!("{FILE}: database.username: needs database.url")
        );
        assert_eq!(
            error("database:\n  url: sqlite:uaa.db\n  password: v\n"),
            format!("{FILE}: database.password: is only used with a PostgreSQL database.url")
        );
    }

    #[test]
    fn merge_keys_and_tags_are_understood() {
        let c = parse(
            "defaults: &d\n  authorized-grant-types: client_credentials\n  authorities: uaa.resource\noauth:\n  clients:\n    a:\n      <<: *d\n      secret: !!str 1234\n",
        );
        let a = client(&c, "a");
        assert_eq!(a.authorities, s(&["uaa.resource"]));
        assert_eq!(a.secret, Some(s(&["1234"])));
        assert_eq!(
            c.warnings,
            vec![format!(
                "{FILE}: defaults is not a known UAA key and is ignored"
            )]
        );
    }

    #[test]
    fn development_mode_loads_uaa_s_default_profile_sample_data() {
        let c = load(None).unwrap();
        assert_eq!(c, Config::development());
        assert!(c.dev_mode);
        assert_eq!(c.source, None);
        assert_eq!(c.issuer_uri, "http://localhost:8080/uaa");
        assert!(c.jwt.keys.is_empty(), "the server generates a key");
        let ids: Vec<&str> = c.clients.iter().map(|c| c.client_id.as_str()).collect();
        assert_eq!(ids, ["admin", "cf", "app", "login", "identity"]);
        let admin = client(&c, "admin");
        assert_eq!(admin.secret, Some(s(&["adminsecret"])));
        assert_eq!(admin.authorized_grant_types, s(&["client_credentials"]));
        assert_eq!(
            admin.authorities,
            s(&[
                "uaa.admin",
                "clients.read",
                "clients.write",
                "clients.secret",
                "clients.trust",
                "scim.read",
                "scim.write",
                "clients.admin"
            ])
        );
        let cf = client(&c, "cf");
        assert_eq!(cf.secret, Some(s(&[""])));
        assert_eq!(
            cf.authorized_grant_types,
            s(&["implicit", "password", "refresh_token"])
        );
        assert!(cf.scope.contains(&"cloud_controller.admin".to_owned()));
        assert_eq!(client(&c, "app").secret, Some(s(&["appclientsecret"])));
        assert_eq!(client(&c, "login").secret, Some(s(&["loginsecret"])));
        assert!(client(&c, "login").allowpublic);
        assert_eq!(client(&c, "identity").secret, Some(s(&["identitysecret"])));
        assert_eq!(c.users.len(), 2);
        assert_eq!(
            (c.users[0].username.as_str(), c.users[0].password.as_str()),
            ("marissa", "koala")
        );
        assert_eq!(c.users[0].email, "marissa@test.org");
        assert_eq!(
            (c.users[1].username.as_str(), c.users[1].password.as_str()),
            ("admin", "admin")
        );
        assert!(c.users[1].groups.contains(&"uaa.admin".to_owned()));
    }

    /// The same data written as a uaa.yml (UAA's `oauth-clients.xml` and `defaultUsers` of the
    /// `default` profile) parses to exactly `Config::development()`'s clients and users.
    #[test]
    fn development_data_is_what_the_same_uaa_yml_would_give() {
        let yaml = r#"
oauth:
  clients:
    admin:
      authorized-grant-types: client_credentials
      scope: uaa.none
      authorities: uaa.admin,clients.read,clients.write,clients.secret,clients.trust,scim.read,scim.write,clients.admin
      secret: adminsecret
    cf:
      secret: ''
      authorized-grant-types: implicit,password,refresh_token
      scope: uaa.user,cloud_controller.read,cloud_controller.write,openid,password.write,scim.userids,cloud_controller.admin,scim.read,scim.write
      redirect-uri: http://localhost:8080/**,http://localhost:7000/**
      authorities: uaa.none
      autoapprove: 'true'
    app:
      secret: appclientsecret
      authorized-grant-types: password,implicit,authorization_code,client_credentials,refresh_token
      scope: cloud_controller.read,cloud_controller.write,openid,password.write,scim.userids,organizations.acme
      authorities: uaa.resource
      autoapprove: [openid]
      redirect-uri: http://localhost:8080/**,http://localhost:7000/**
      signup_redirect_url: http://localhost:8080/app/
      change_email_redirect_url: http://localhost:8080/app/
      name: The Ultimate Oauth App
    login:
      secret: loginsecret
      scope: openid,oauth.approvals
      authorized-grant-types: client_credentials,authorization_code
      redirect-uri: http://localhost/**
      authorities: oauth.login,scim.write,clients.read,notifications.write,critical_notifications.write,emails.write,scim.userids,password.write,idps.write
      autoapprove: 'true'
      allowpublic: 'true'
    identity:
      secret: identitysecret
      authorized-grant-types: authorization_code,client_credentials,refresh_token,password
      scope: cloud_controller.admin,cloud_controller.read,cloud_controller.write,openid,zones.*.*,zones.*.*.*,zones.read,zones.write
      authorities: scim.zones,zones.read,cloud_controller.read,uaa.resource,zones.write
      autoapprove: 'true'
      redirect-uri: http://localhost/*,http://localhost:8080/**,http://oidcloginit.localhost:8080/uaa/**
scim:
  users:
    - marissa|koala|marissa@test.org|Marissa|Bloggs|uaa.user
    - admin|admin|admin|||uaa.admin|uaa
"#;
        let parsed = parse(yaml);
        let dev = Config::development();
        assert_eq!(parsed.clients, dev.clients);
        assert_eq!(parsed.users, dev.users);
        assert!(parsed.warnings.is_empty());
    }

    #[test]
    fn resolve_path_prefers_the_flag_then_the_uaa_config_path_folder() {
        assert_eq!(
            resolve_path(Some("/a/b.yml".into()), Some("/etc/uaa".into())),
            Some(PathBuf::from("/a/b.yml"))
        );
        assert_eq!(
            resolve_path(None, Some("/etc/uaa".into())),
            Some(PathBuf::from("/etc/uaa/uaa.yml"))
        );
        assert_eq!(resolve_path(None, Some(" ".into())), None);
        assert_eq!(resolve_path(None, None), None);
    }

    #[test]
    fn debug_output_never_prints_secrets() {
        let text = format!("{:?}", parse(FULL));
        for secret in [
            "rotate-me",
            "lovelace",
            "hmac-one",
            "hmac-two",
            "p@ss",
            "p%40ss",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert!(text.contains("[redacted]"));
        let dev = format!("{:?}", Config::development());
        for secret in ["adminsecret", "koala", "appclientsecret"] {
            assert!(!dev.contains(secret), "{secret} leaked");
        }
        let example = load(Some(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/uaa.yml"),
        ))
        .unwrap();
        assert!(!format!("{example:?}").contains("PRIVATE KEY"));
    }
}
