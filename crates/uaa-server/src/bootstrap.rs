//! From `uaa.yml` to a running state: the signing keys (configured, or generated once and kept
//! in the store so tokens survive restarts), and the clients, groups and users of the file
//! (UAA's `ClientAdminBootstrap` and `ScimUserBootstrap`). Seeding is idempotent: an unchanged
//! secret keeps its stored hash, so a restart does not revoke tokens through `rev_sig`.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, anyhow};
use uaa_core::client::{ClientDraft, ClientMeta, normalize};
use uaa_core::clock::SystemClock;
use uaa_core::ids::ZoneId;
use uaa_core::ports::{ClientWrite, KeyStore};
use uaa_core::scope::ScopeSet;
use uaa_core::secret::Secret;
use uaa_core::service::{Deps, Settings};
use uaa_core::token::{RefreshFormat, RefreshPolicy, TokenPolicy};
use uaa_core::user::{GroupSpec, NewUser};
use uaa_crypto::{ClientSecretVerifier, Hasher, KeyRing, SecretCache, SigningKey};
use uaa_store::SqlStore;
use uaa_types::ClientDetails;

use crate::adapters::{AuditSink, KeySigner, OsRandom};
use crate::config::{AutoApprove, ClientConfig, Config};
use crate::state::AppState;

/// Tunables that are not UAA configuration (tests and benchmarks set them).
#[derive(Debug, Clone)]
pub struct Tuning {
    /// bcrypt cost of new hashes; UAA uses 10.
    pub bcrypt_cost: u32,
    /// bcrypt computations running at once (the blocking-pool bound).
    pub bcrypt_concurrency: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            bcrypt_cost: 10,
            bcrypt_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// Builds the key ring: the configured keys, or this deployment's generated RSA key.
async fn key_ring(config: &Config, store: &SqlStore) -> anyhow::Result<KeyRing> {
    let file = config.source.as_ref().map_or_else(
        || "development defaults".to_owned(),
        |p| p.display().to_string(),
    );
    if !config.jwt.keys.is_empty() {
        let keys = config
            .jwt
            .keys
            .iter()
            .map(|k| {
                SigningKey::from_config(&k.kid, &k.signing_key, k.signing_alg.as_deref())
                    .with_context(|| format!("{file}: jwt.token.policy.keys.{}", k.kid))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let active = config
            .jwt
            .active_key_id
            .clone()
            .unwrap_or_else(|| keys[0].kid().to_owned());
        return KeyRing::new(keys, &active)
            .with_context(|| format!("{file}: jwt.token.policy.activeKeyId"));
    }
    let zone = ZoneId::uaa();
    let (kid, pem) = match store.generated_key(&zone).await? {
        Some(k) => k,
        None => {
            let kid = format!("key-{}", uaa_crypto::random_hex(4)?);
            let key = SigningKey::generate_rsa(&kid)?;
            let pem = key
                .to_pkcs8_pem()
                .ok_or_else(|| anyhow!("generated key has no PEM form"))?;
            tracing::info!(kid = %kid, "no signing key configured: generated an RSA-2048 key");
            store.save_generated_key(&zone, &kid, &pem).await?
        }
    };
    let key = SigningKey::from_pkcs8_pem(&kid, &pem, None)?;
    Ok(KeyRing::new(vec![key], &kid)?)
}

/// Builds the application state over an opened store and seeds it from `config`.
pub async fn build_state(
    config: &Config,
    store: SqlStore,
    tuning: &Tuning,
) -> anyhow::Result<AppState> {
    let ring = Arc::new(key_ring(config, &store).await?);
    let hasher = Hasher::new(tuning.bcrypt_cost, tuning.bcrypt_concurrency);
    let crypto = Arc::new(ClientSecretVerifier::new(
        hasher,
        SecretCache::with_defaults()?,
    ));
    let issuer = config.issuer_uri.trim_end_matches('/').to_owned();
    let settings = Settings {
        token: TokenPolicy {
            issuer: issuer.clone(),
            access_token_validity: config.jwt.access_token_validity,
            refresh_token_validity: config.jwt.refresh_token_validity,
            jwt_revocable: config.jwt.revocable,
            claims_exclude: config.jwt.claims_exclude.clone(),
            refresh: RefreshPolicy {
                format: if config.jwt.refresh.format == "jwt" {
                    RefreshFormat::Jwt
                } else {
                    RefreshFormat::Opaque
                },
                rotate: config.jwt.refresh.rotate,
                unique: config.jwt.refresh.unique,
                restrict_grant: config.jwt.refresh.restrict_grant,
            },
        },
        client_secret_policy: config.client_secret_policy.clone(),
        secret_change_policy: config.secret_change_policy,
        password_policy: config.password_policy.clone(),
        lockout: config.lockout.clone(),
        default_user_groups: ScopeSet::from_items(&config.default_user_groups),
        client_max_count: 500,
        identity_providers: crate::config::identity_providers(config)?,
    };
    let store_arc = Arc::new(store.clone());
    let audit = Arc::new(AuditSink::start(store.clone()));
    let deps = Deps {
        clients: store_arc.clone(),
        users: store_arc.clone(),
        tokens: store_arc.clone(),
        scim_users: store_arc.clone(),
        scim_groups: store_arc.clone(),
        codes: store_arc.clone(),
        sessions: store_arc.clone(),
        expiring_codes: store_arc.clone(),
        approvals: store_arc.clone(),
        audit: audit.clone(),
        hasher: crypto.clone(),
        signer: Arc::new(KeySigner {
            ring: ring.clone(),
            jku: format!("{issuer}/token_keys"),
        }),
        clock: Arc::new(SystemClock),
        random: Arc::new(OsRandom),
        settings: Arc::new(settings),
    };
    seed(config, &deps).await?;
    Ok(AppState {
        deps,
        keys: ring,
        store,
        hasher: crypto,
        audit,
        uri_encoding_compat_mode: config.uri_encoding_compat_mode,
        query_string_enabled: config.jwt.query_string_enabled,
        keys_etag: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis().to_string())
            .unwrap_or_default(),
        issuer,
        links: config.links.clone(),
        shutting_down: Arc::new(AtomicBool::new(false)),
    })
}

fn details_of(c: &ClientConfig) -> ClientDetails {
    let list = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
    ClientDetails {
        client_id: c.client_id.clone(),
        client_secret: c.secret.as_ref().and_then(|s| s.first().cloned()),
        secondary_client_secret: c.secret.as_ref().and_then(|s| s.get(1).cloned()),
        scope: list(&c.scope),
        authorized_grant_types: list(&c.authorized_grant_types),
        authorities: list(&c.authorities),
        redirect_uri: list(&c.redirect_uri),
        autoapprove: c.autoapprove.as_ref().map(|a| match a {
            AutoApprove::All => vec!["true".to_owned()],
            AutoApprove::Scopes(s) => s.clone(),
        }),
        access_token_validity: c.access_token_validity,
        refresh_token_validity: c.refresh_token_validity,
        name: c.name.clone(),
        allowedproviders: c.allowedproviders.clone(),
        allowpublic: Some(c.allowpublic),
        required_user_groups: Some(c.required_user_groups.clone()),
        additional: c.additional.clone(),
        ..ClientDetails::default()
    }
}

/// `ClientAdminBootstrap` and `ScimUserBootstrap`.
async fn seed(config: &Config, deps: &Deps) -> anyhow::Result<()> {
    let zone = ZoneId::uaa();
    let file = config.source.as_ref().map_or_else(
        || "development defaults".to_owned(),
        |p| p.display().to_string(),
    );
    for (name, description) in &config.groups {
        deps.users
            .ensure_group(
                &zone,
                &GroupSpec {
                    name: name.clone(),
                    description: (!description.is_empty()).then(|| description.clone()),
                },
            )
            .await?;
    }
    for g in &config.default_user_groups {
        deps.users
            .ensure_group(
                &zone,
                &GroupSpec {
                    name: g.clone(),
                    description: None,
                },
            )
            .await?;
    }
    for c in &config.clients {
        seed_client(config, deps, &zone, c)
            .await
            .map_err(|e| anyhow!("{file}: oauth.clients.{}: {e}", c.client_id))?;
    }
    if !config.delete_clients.is_empty() {
        for id in &config.delete_clients {
            if deps.clients.get_client(&zone, id).await?.is_some() {
                deps.clients
                    .apply_client_writes(
                        &zone,
                        vec![ClientWrite::Delete(uaa_core::ids::ClientId::new(
                            id.clone(),
                        ))],
                    )
                    .await?;
            }
        }
    }
    for u in &config.users {
        if deps
            .users
            .find_user(&zone, &u.username, &u.origin)
            .await?
            .is_some()
        {
            continue;
        }
        let password_hash = deps.hasher.hash(&Secret::new(u.password.clone())).await?;
        deps.users
            .bootstrap_user(
                &zone,
                NewUser {
                    username: u.username.clone(),
                    password_hash,
                    email: u.email.clone(),
                    given_name: u.given_name.clone(),
                    family_name: u.family_name.clone(),
                    origin: u.origin.clone(),
                    groups: u.groups.clone(),
                },
            )
            .await?;
    }
    Ok(())
}

async fn seed_client(
    config: &Config,
    deps: &Deps,
    zone: &ZoneId,
    c: &ClientConfig,
) -> uaa_core::error::Result<()> {
    let existing = deps.clients.get_client(zone, &c.client_id).await?;
    let override_ = c.override_.unwrap_or(config.client_override_default);
    if existing.is_some() && !override_ {
        return Ok(());
    }
    let mut draft = ClientDraft::from(details_of(c));
    // An unchanged secret keeps its hash (and with it every token's rev_sig).
    let keep_hashes = match (&existing, &c.secret) {
        (Some(e), Some(secrets)) if secrets.len() == e.secrets.len() => {
            let mut same = true;
            for (s, h) in secrets.iter().zip(&e.secrets) {
                same &= deps.hasher.verify(&Secret::new(s.clone()), h).await;
            }
            same.then(|| e.secrets.clone())
        }
        (Some(e), None) if e.secrets.is_empty() => Some(vec![]),
        _ => None,
    };
    if let Some(e) = &existing {
        draft.token_salt = e.token_salt.clone();
    }
    // ClientAdminBootstrap applies UAA's defaults but not the API validator: UAA's own sample
    // clients (e.g. `app`, implicit with a secret) would not pass it.
    normalize(&mut draft);
    let hashes = match keep_hashes {
        Some(h) => h,
        None => {
            let mut out = Vec::new();
            for s in draft.secret.iter().chain(draft.secondary_secret.iter()) {
                out.push(deps.hasher.hash(s).await?);
            }
            out
        }
    };
    if draft.token_salt.is_none() {
        draft.token_salt = Some(deps.random.alphanumeric(6));
    }
    let mut client = draft.into_client(zone.clone(), hashes, deps.clock.now_millis());
    client.metadata = ClientMeta {
        show_on_home_page: c.show_on_homepage.unwrap_or(false),
        app_launch_url: c.app_launch_url.clone(),
        app_icon: c.app_icon.clone(),
    };
    let id = client.client_id.clone();
    let writes = if existing.is_some() {
        vec![
            ClientWrite::Update(client.clone()),
            ClientWrite::SetSecrets(id.clone(), client.secrets.clone()),
            ClientWrite::SetMeta(id, client.metadata.clone()),
        ]
    } else {
        vec![ClientWrite::Create(client)]
    };
    deps.clients.apply_client_writes(zone, writes).await
}
