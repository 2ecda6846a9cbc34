//! The client registry (`ClientAdminEndpoints`, reference §1): CRUD, secret changes, the
//! all-or-nothing `tx` batch endpoints and client metadata. Each write validates first, hashes
//! secrets off the runtime, then applies every store write in one transaction, so a failure
//! leaves the registry as it was.

use uaa_types::{ActionResult, ClientDetails, ClientMetadata, SecretChangeRequest};

use super::Deps;
use crate::audit::AuditEventType;
use crate::authz::Caller;
use crate::client::{
    CallerRights, ChangeMode, Client, ClientDraft, ClientMeta, SecretChangeAuth,
    apply_secret_change, authorize_secret_change, merge_update, previous_secret_required, validate,
};
use crate::error::{Error, Result};
use crate::filter;
use crate::ids::{ClientId, ZoneId};
use crate::ports::{ClientWrite, ListQuery};
use crate::scope::ScopeSet;
use crate::secret::{Secret, SecretHash};

pub use super::ListParams;

/// A page of clients.
#[derive(Debug, Clone)]
pub struct Page {
    pub clients: Vec<Client>,
    /// `attributes=`: the fields to keep of each client (all of them when empty).
    pub attributes: Vec<String>,
    pub start_index: u64,
    /// UAA reports the smaller of the requested `count` and the total.
    pub items_per_page: u64,
    pub total: u64,
}

pub async fn get(deps: &Deps, zone: &ZoneId, id: &str) -> Result<Client> {
    deps.clients
        .get_client(zone, id)
        .await?
        .ok_or(Error::NoSuchClient)
}

/// UAA throws `UaaException(msg, 400)` here, whose error code is `unknown_error`.
fn invalid_filter(f: &str, sort_by: Option<&str>) -> Error {
    Error::Uaa {
        status: 400,
        error: "unknown_error".into(),
        description: filter::invalid_filter_expression(f, sort_by),
    }
}

fn parse_number(name: &str, v: Option<&str>, default: u64) -> Result<u64> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s.parse::<i64>().map(|n| n.max(0) as u64).map_err(|_| {
            Error::report(
                400,
                "invalid_parameter",
                format!("Invalid value for {name}: {s}"),
            )
        }),
    }
}

/// `GET /oauth/clients`: defaults `filter=client_id pr`, `sortBy=client_id`, ascending,
/// `startIndex=1`, `count=100` capped at `clientMaxCount`.
pub async fn list(deps: &Deps, zone: &ZoneId, p: &ListParams) -> Result<Page> {
    // The message names the sort key, whose default (`client_id`) UAA applies first.
    let sort_by = p
        .sort_by
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or("client_id");
    let given_filter = p.filter.as_deref().map(str::trim).filter(|f| !f.is_empty());
    let filter = match given_filter {
        None => None,
        Some(f) => Some(filter::parse(f).map_err(|_| invalid_filter(f, Some(sort_by)))?),
    };
    // ClientAdminEndpoints: any `sortOrder` other than "ascending" sorts descending.
    let ascending = p
        .sort_order
        .as_deref()
        .is_none_or(|o| o.eq_ignore_ascii_case("ascending"));
    let start_index = parse_number("startIndex", p.start_index.as_deref(), 1)?.max(1);
    let count = parse_number("count", p.count.as_deref(), 100)?.min(deps.settings.client_max_count);
    let q = ListQuery {
        filter,
        sort_by: p
            .sort_by
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "client_id".into()),
        ascending,
        start_index,
        count,
    };
    // UAA reports a filter its converter refuses (unknown attribute, unusable value) like a
    // syntax error.
    let (clients, total) =
        deps.clients
            .list_clients(zone, &q)
            .await
            .map_err(|e| match (&e, given_filter) {
                (Error::Report { error, message, .. }, Some(f))
                    if error == "invalid_filter" && !message.starts_with("Invalid sort field") =>
                {
                    invalid_filter(f, Some(sort_by))
                }
                _ => e,
            })?;
    let attributes = attributes_of(p.attributes.as_deref(), &clients)?;
    Ok(Page {
        clients,
        attributes,
        start_index,
        items_per_page: count.min(total),
        total,
    })
}

/// The JSON fields of a client (`ClientDetails` as this server writes it).
const CLIENT_ATTRIBUTES: &[&str] = &[
    "client_id",
    "scope",
    "resource_ids",
    "authorized_grant_types",
    "redirect_uri",
    "autoapprove",
    "authorities",
    "access_token_validity",
    "refresh_token_validity",
    "token_salt",
    "allowedproviders",
    "name",
    "lastModified",
    "required_user_groups",
    "allowpublic",
    "createdwith",
];

/// The `attributes=` projection of a client list (comma-separated, matched without regard to
/// case). A name that is neither a client field nor additional information of a listed client
/// is refused with UAA's `UaaException("Invalid attributes: [<as sent>]", 400)`, rather than
/// answered with a column of nulls.
fn attributes_of(raw: Option<&str>, clients: &[Client]) -> Result<Vec<String>> {
    let raw = raw.unwrap_or("");
    let names: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    let known = |a: &str| {
        CLIENT_ATTRIBUTES.iter().any(|k| k.eq_ignore_ascii_case(a))
            || clients
                .iter()
                .any(|c| c.additional.keys().any(|k| k.eq_ignore_ascii_case(a)))
    };
    if names.iter().any(|a| !known(a)) {
        return Err(Error::Uaa {
            status: 400,
            error: "unknown_error".into(),
            description: format!("Invalid attributes: [{raw}]"),
        });
    }
    Ok(names)
}

fn caller_name(caller: &Caller) -> String {
    match &caller.user_name {
        Some(u) => format!("user={u} client={}", caller.client_id),
        None => format!("client={}", caller.client_id),
    }
}

/// Runs the client-secret policy (§1.4 rule 9: an empty secret skips it).
fn check_secret_policy(deps: &Deps, secret: &Secret) -> Result<()> {
    if secret.is_empty() {
        return Ok(());
    }
    match deps
        .settings
        .client_secret_policy
        // UAA's clientsecret-messages.properties: "Client Secret must …".
        .check("Client Secret", secret.expose())
    {
        Some(m) => Err(Error::InvalidClientDetails(m)),
        None => Ok(()),
    }
}

async fn hash_secrets(deps: &Deps, secrets: &[&Secret]) -> Result<Vec<SecretHash>> {
    let mut out = Vec::with_capacity(secrets.len());
    for s in secrets {
        check_secret_policy(deps, s)?;
        out.push(deps.hasher.hash(s).await?);
    }
    Ok(out)
}

/// Validates and hashes one new client (shared by `POST /oauth/clients`, `tx` and bootstrap).
pub async fn prepare_create(
    deps: &Deps,
    zone: &ZoneId,
    mut draft: ClientDraft,
    rights: CallerRights<'_>,
) -> Result<Client> {
    validate(&mut draft, true, rights)?;
    let primary = draft.secret.clone();
    let secondary = draft.secondary_secret.clone();
    let given: Vec<&Secret> = primary.iter().chain(secondary.iter()).collect();
    let hashes = hash_secrets(deps, &given).await?;
    if draft.token_salt.is_none() {
        draft.token_salt = Some(deps.random.alphanumeric(6));
    }
    Ok(draft.into_client(zone.clone(), hashes, deps.clock.now_millis()))
}

/// Who a new client is recorded as created by (`MultitenantJdbcClientDetailsService.getUserId`):
/// the user of a user token; for a client token, the creating client's own `created_by`
/// (`getCreatedByForClientAndZone`), so a chain user → client A → client B names the user. A
/// bootstrap client has none, and neither have the clients it creates.
fn created_by(caller: &Caller, creator: Option<&Client>) -> Option<String> {
    match &caller.user_id {
        Some(u) => Some(u.to_string()),
        None => creator.and_then(|c| c.created_by.clone()),
    }
}

async fn rights_of<'a>(
    deps: &Deps,
    caller: &'a Caller,
    zone: &ZoneId,
    holder: &'a mut Option<Client>,
) -> Result<CallerRights<'a>> {
    *holder = deps
        .clients
        .get_client(zone, caller.client_id.as_str())
        .await?;
    Ok(CallerRights::of(caller, zone, holder.as_ref()))
}

pub async fn create(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    details: ClientDetails,
) -> Result<Client> {
    let mut holder = None;
    let rights = rights_of(deps, caller, zone, &mut holder).await?;
    let mut client = prepare_create(deps, zone, details.into(), rights).await?;
    client.created_by = created_by(caller, rights.caller_client);
    deps.clients
        .apply_client_writes(zone, vec![ClientWrite::Create(client.clone())])
        .await?;
    audit_client(
        deps,
        zone,
        AuditEventType::ClientCreateSuccess,
        &client,
        caller,
    )
    .await;
    Ok(client)
}

/// `ZoneManagementScopes.UAA_SCOPES`: the scopes and authorities a client registered through
/// the restricted endpoints may not have (`GET /oauth/clients/restricted` lists them).
pub const UAA_SCOPES: &[&str] = &[
    "zones.read",
    "zones.write",
    "zones.*.admin",
    "zones.*.read",
    "zones.*.clients.admin",
    "zones.*.clients.read",
    "zones.*.clients.write",
    "zones.*.scim.create",
    "zones.*.scim.read",
    "zones.*.scim.write",
    "zones.*.idps.read",
    "zones.*.idps.write",
    "zones.*.sps.write",
    "zones.*.sps.read",
    "sps.write",
    "sps.read",
    "idps.read",
    "idps.write",
    "clients.admin",
    "clients.write",
    "clients.read",
    "clients.secret",
    "scim.write",
    "scim.read",
    "scim.create",
    "scim.userids",
    "scim.zones",
    "groups.update",
    "password.write",
    "oauth.login",
    "uaa.admin",
];

/// `RestrictUaaScopesClientValidator`: every scope, then every authority, is matched against
/// [`UAA_SCOPES`] (their `*` wildcards included); the first restricted one is refused.
fn check_restricted(details: &ClientDetails) -> Result<()> {
    let restricted: ScopeSet = UAA_SCOPES.iter().copied().collect();
    let first = |items: &Option<Vec<String>>| {
        ScopeSet::from_items(items.iter().flatten())
            .iter()
            .find(|s| restricted.matches(s))
            .map(str::to_owned)
    };
    if let Some(s) = first(&details.scope) {
        return Err(Error::InvalidClientDetails(format!(
            "{s} is a restricted scope."
        )));
    }
    if let Some(a) = first(&details.authorities) {
        return Err(Error::InvalidClientDetails(format!(
            "{a} is a restricted authority."
        )));
    }
    Ok(())
}

/// `POST /oauth/clients/restricted`: a create that refuses UAA's own scopes and authorities.
pub async fn create_restricted(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    details: ClientDetails,
) -> Result<Client> {
    check_restricted(&details)?;
    create(deps, caller, zone, details).await
}

/// `PUT /oauth/clients/restricted/{id}`: an update under the same rule.
pub async fn update_restricted(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    path_id: &str,
    details: ClientDetails,
) -> Result<Client> {
    check_restricted(&details)?;
    update(deps, caller, zone, path_id, details).await
}

/// Applies one write per client in a single transaction, then audits each with `event`.
async fn commit(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    clients: Vec<Client>,
    write: fn(Client) -> ClientWrite,
    event: AuditEventType,
) -> Result<Vec<Client>> {
    let writes = clients.iter().cloned().map(write).collect();
    deps.clients.apply_client_writes(zone, writes).await?;
    for c in &clients {
        audit_client(deps, zone, event, c, caller).await;
    }
    Ok(clients)
}

async fn audit_client(
    deps: &Deps,
    zone: &ZoneId,
    event: AuditEventType,
    client: &Client,
    caller: &Caller,
) {
    let data = format!(
        "scopes={} authorities={}",
        client.scope.to_space_string(),
        client.authorities.to_space_string()
    );
    deps.audit(
        zone,
        event,
        client.client_id.as_str(),
        &caller_name(caller),
        data,
    )
    .await;
}

/// Validates an update of `path_id` against the stored client and returns the new version.
async fn prepare_update(
    deps: &Deps,
    zone: &ZoneId,
    path_id: &str,
    details: ClientDetails,
    rights: CallerRights<'_>,
) -> Result<Client> {
    if !details.client_id.is_empty() && details.client_id != path_id {
        return Err(Error::InvalidClientDetails(format!(
            "The client id ({}) does not match the URL ({path_id})",
            details.client_id
        )));
    }
    let existing = get(deps, zone, path_id).await?;
    let mut draft = merge_update(&existing, details);
    draft.client_id = path_id.to_owned();
    validate(&mut draft, false, rights)?;
    let mut client = draft.into_client(
        zone.clone(),
        existing.secrets.clone(),
        deps.clock.now_millis(),
    );
    client.created_by = existing.created_by.clone();
    client.metadata = existing.metadata.clone();
    Ok(client)
}

pub async fn update(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    path_id: &str,
    details: ClientDetails,
) -> Result<Client> {
    let mut holder = None;
    let rights = rights_of(deps, caller, zone, &mut holder).await?;
    let client = prepare_update(deps, zone, path_id, details, rights).await?;
    deps.clients
        .apply_client_writes(zone, vec![ClientWrite::Update(client.clone())])
        .await?;
    audit_client(
        deps,
        zone,
        AuditEventType::ClientUpdateSuccess,
        &client,
        caller,
    )
    .await;
    Ok(client)
}

pub async fn delete(deps: &Deps, caller: &Caller, zone: &ZoneId, id: &str) -> Result<Client> {
    let client = get(deps, zone, id).await?;
    let deleted = commit(
        deps,
        caller,
        zone,
        vec![client],
        |c| ClientWrite::Delete(c.client_id),
        AuditEventType::ClientDeleteSuccess,
    )
    .await?;
    deleted.into_iter().next().ok_or(Error::NoSuchClient)
}

/// `PUT /oauth/clients/{id}/secret` (§1.2), under the configured secret-change policy.
pub async fn change_secret(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    id: &str,
    req: SecretChangeRequest,
) -> Result<ActionResult> {
    let client = get(deps, zone, id).await?;
    let result = change_secret_checked(deps, caller, zone, &client, req).await;
    let (event, data) = match &result {
        Ok(r) => (AuditEventType::SecretChangeSuccess, r.message.clone()),
        Err(e) => (AuditEventType::SecretChangeFailure, e.to_string()),
    };
    deps.audit(zone, event, id, &caller_name(caller), data)
        .await;
    result
}

async fn change_secret_checked(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    client: &Client,
    req: SecretChangeRequest,
) -> Result<ActionResult> {
    let id = client.client_id.as_str();
    let old = req.old_secret.map(Secret::new);
    let auth = authorize_secret_change(
        deps.settings.secret_change_policy,
        caller,
        zone,
        id,
        old.is_some(),
    )?;
    if auth == SecretChangeAuth::NeedsOldSecret {
        let valid = match &old {
            Some(o) => deps.hasher.verify_client_secret(o, &client.secrets).await,
            None => false,
        };
        if !valid {
            return Err(previous_secret_required());
        }
    }
    let mode = ChangeMode::parse(req.change_mode.as_deref())?;
    let new_hash = match mode {
        ChangeMode::Delete => None,
        ChangeMode::Update | ChangeMode::Add => {
            let secret = Secret::new(req.secret.unwrap_or_default());
            hash_secrets(deps, &[&secret]).await?.pop()
        }
    };
    let (secrets, message) = apply_secret_change(&client.secrets, mode, new_hash)?;
    deps.clients
        .apply_client_writes(
            zone,
            vec![ClientWrite::SetSecrets(client.client_id.clone(), secrets)],
        )
        .await?;
    Ok(ActionResult::ok(message))
}

/// `POST /oauth/clients/tx`: every client or none.
pub async fn tx_create(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    items: Vec<ClientDetails>,
) -> Result<Vec<Client>> {
    if items.is_empty() {
        return Err(Error::NoSuchClient);
    }
    let mut holder = None;
    let rights = rights_of(deps, caller, zone, &mut holder).await?;
    let mut clients = Vec::with_capacity(items.len());
    for d in items {
        let mut c = prepare_create(deps, zone, d.into(), rights).await?;
        c.created_by = created_by(caller, rights.caller_client);
        clients.push(c);
    }
    commit(
        deps,
        caller,
        zone,
        clients,
        ClientWrite::Create,
        AuditEventType::ClientCreateSuccess,
    )
    .await
}

/// `PUT /oauth/clients/tx`: any unknown id fails the whole batch with 404.
pub async fn tx_update(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    items: Vec<ClientDetails>,
) -> Result<Vec<Client>> {
    if items.is_empty() {
        return Err(Error::InvalidClientDetails(
            "No clients specified for update.".into(),
        ));
    }
    let mut holder = None;
    let rights = rights_of(deps, caller, zone, &mut holder).await?;
    let mut clients = Vec::with_capacity(items.len());
    for d in items {
        let id = d.client_id.clone();
        clients.push(prepare_update(deps, zone, &id, d, rights).await?);
    }
    commit(
        deps,
        caller,
        zone,
        clients,
        ClientWrite::Update,
        AuditEventType::ClientUpdateSuccess,
    )
    .await
}

/// `POST /oauth/clients/tx/delete`.
pub async fn tx_delete(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    items: Vec<ClientDetails>,
) -> Result<Vec<Client>> {
    let mut clients = Vec::with_capacity(items.len());
    for d in &items {
        clients.push(get(deps, zone, &d.client_id).await?);
    }
    let clients = commit(
        deps,
        caller,
        zone,
        clients,
        |c| ClientWrite::Delete(c.client_id),
        AuditEventType::ClientDeleteSuccess,
    )
    .await?;
    for c in &clients {
        audit_client(
            deps,
            zone,
            AuditEventType::ClientApprovalsDeleted,
            c,
            caller,
        )
        .await;
    }
    Ok(clients)
}

/// `POST /oauth/clients/tx/secret`: never rejects a wrong or missing `oldSecret`; when it does
/// not authenticate, the client's approvals are deleted and `approvals_deleted` reported.
pub async fn tx_secret(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    items: Vec<SecretChangeRequest>,
) -> Result<Vec<(Client, bool)>> {
    let mut out = Vec::with_capacity(items.len());
    let mut writes = Vec::with_capacity(items.len());
    for req in items {
        let id = req.client_id.clone().unwrap_or_default();
        let client = get(deps, zone, &id).await?;
        let old_ok = match &req.old_secret {
            Some(o) => {
                deps.hasher
                    .verify_client_secret(&Secret::new(o.clone()), &client.secrets)
                    .await
            }
            None => false,
        };
        let secret = Secret::new(req.secret.unwrap_or_default());
        let hashes = hash_secrets(deps, &[&secret]).await?;
        writes.push(ClientWrite::SetSecrets(client.client_id.clone(), hashes));
        out.push((client, !old_ok));
    }
    deps.clients.apply_client_writes(zone, writes).await?;
    for (c, deleted) in &out {
        audit_client(deps, zone, AuditEventType::SecretChangeSuccess, c, caller).await;
        if *deleted {
            audit_client(
                deps,
                zone,
                AuditEventType::ClientApprovalsDeleted,
                c,
                caller,
            )
            .await;
        }
    }
    Ok(out)
}

/// `POST /oauth/clients/tx/modify`: each item carries an `action`, echoed in the answer.
pub async fn tx_modify(
    deps: &Deps,
    caller: &Caller,
    zone: &ZoneId,
    items: Vec<ClientDetails>,
) -> Result<Vec<(Client, String)>> {
    let mut holder = None;
    let rights = rights_of(deps, caller, zone, &mut holder).await?;
    let mut writes = Vec::new();
    let mut out = Vec::new();
    let mut events = Vec::new();
    for d in items {
        let action = d.action.clone().unwrap_or_default();
        let id = d.client_id.clone();
        match action.as_str() {
            "add" => {
                let mut c = prepare_create(deps, zone, d.into(), rights).await?;
                c.created_by = created_by(caller, rights.caller_client);
                writes.push(ClientWrite::Create(c.clone()));
                events.push((AuditEventType::ClientCreateSuccess, c.clone()));
                out.push((c, action.clone()));
            }
            "update" | "update,secret" => {
                let secret = d.client_secret.clone();
                let c = prepare_update(deps, zone, &id, d, rights).await?;
                writes.push(ClientWrite::Update(c.clone()));
                events.push((AuditEventType::ClientUpdateSuccess, c.clone()));
                if action == "update,secret" {
                    let s = Secret::new(secret.unwrap_or_default());
                    let hashes = hash_secrets(deps, &[&s]).await?;
                    writes.push(ClientWrite::SetSecrets(c.client_id.clone(), hashes));
                    events.push((AuditEventType::SecretChangeSuccess, c.clone()));
                }
                out.push((c, action.clone()));
            }
            "secret" => {
                let c = get(deps, zone, &id).await?;
                let s = Secret::new(d.client_secret.unwrap_or_default());
                let hashes = hash_secrets(deps, &[&s]).await?;
                writes.push(ClientWrite::SetSecrets(c.client_id.clone(), hashes));
                events.push((AuditEventType::SecretChangeSuccess, c.clone()));
                out.push((c, action.clone()));
            }
            "delete" => {
                let c = get(deps, zone, &id).await?;
                writes.push(ClientWrite::Delete(c.client_id.clone()));
                events.push((AuditEventType::ClientDeleteSuccess, c.clone()));
                out.push((c, action.clone()));
            }
            _ => return Err(Error::InvalidClientDetails("Invalid action.".into())),
        }
    }
    deps.clients.apply_client_writes(zone, writes).await?;
    for (e, c) in &events {
        audit_client(deps, zone, *e, c, caller).await;
    }
    Ok(out)
}

/// The `/meta` view of a client.
pub fn metadata(c: &Client) -> ClientMetadata {
    ClientMetadata {
        client_id: Some(c.client_id.to_string()),
        client_name: c.name.clone(),
        show_on_home_page: c.metadata.show_on_home_page,
        app_launch_url: c.metadata.app_launch_url.clone(),
        app_icon: c.metadata.app_icon.clone(),
        created_by: c.created_by.clone(),
    }
}

/// `GET /oauth/clients/{id}/meta`: unknown → 404 "No client metadata found for X".
pub async fn get_meta(deps: &Deps, zone: &ZoneId, id: &str) -> Result<ClientMetadata> {
    match deps.clients.get_client(zone, id).await? {
        Some(c) => Ok(metadata(&c)),
        None => Err(no_meta(id)),
    }
}

/// `ClientMetadataException` is reported as an `ExceptionReport`, whose `error` is the class
/// name in snake case without `_exception` (reference §0).
const META_ERROR: &str = "client_metadata";

fn no_meta(id: &str) -> Error {
    Error::report(
        404,
        META_ERROR,
        format!("No client metadata found for {id}"),
    )
}

/// `GET /oauth/clients/meta`: every client's metadata in the zone.
pub async fn list_meta(deps: &Deps, zone: &ZoneId) -> Result<Vec<ClientMetadata>> {
    let q = ListQuery {
        filter: None,
        sort_by: "client_id".into(),
        ascending: true,
        start_index: 1,
        count: u64::MAX >> 1,
    };
    let (clients, _) = deps.clients.list_clients(zone, &q).await?;
    Ok(clients.iter().map(metadata).collect())
}

/// `PUT /oauth/clients/{id}/meta`: the body's `clientId` must match the path.
pub async fn put_meta(
    deps: &Deps,
    zone: &ZoneId,
    id: &str,
    meta: ClientMetadata,
) -> Result<ClientMetadata> {
    if let Some(body_id) = &meta.client_id
        && body_id != id
    {
        return Err(Error::report(
            400,
            META_ERROR,
            format!("Client ID in body {{{body_id}}} does not match URL path {{{id}}}"),
        ));
    }
    let mut client = deps
        .clients
        .get_client(zone, id)
        .await?
        .ok_or_else(|| Error::report(404, META_ERROR, format!("No client with ID {id}")))?;
    client.metadata = ClientMeta {
        show_on_home_page: meta.show_on_home_page,
        app_launch_url: meta.app_launch_url,
        app_icon: meta.app_icon,
    };
    let mut writes = vec![ClientWrite::SetMeta(
        ClientId::new(id),
        client.metadata.clone(),
    )];
    // JdbcClientMetadataProvisioning.updateClientNameIfNotEmpty: a non-empty clientName
    // renames the client.
    if let Some(name) = meta.client_name.filter(|n| !n.is_empty()) {
        client.name = Some(name);
        writes.push(ClientWrite::Update(client.clone()));
    }
    deps.clients.apply_client_writes(zone, writes).await?;
    Ok(metadata(&client))
}
