//! `oauth_client_details`: the client registry. List columns are comma-separated and the two
//! rotation hashes share `client_secret`, separated by a space, exactly as UAA stores them.
//! Fields without a column of their own (`name`, `allowedproviders`, `allowpublic`,
//! `token_salt` and unknown fields) live in the `additional_information` JSON, as in UAA.

use async_trait::async_trait;
use serde_json::{Map, Value};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe, Row};
use uaa_core::client::{Client, ClientMeta};
use uaa_core::error::{Error, Result};
use uaa_core::ids::{ClientId, ZoneId};
use uaa_core::ports::{ClientStore, ClientWrite, ListQuery};
use uaa_core::scope::ScopeSet;
use uaa_core::secret::SecretHash;

use crate::filter_sql::Bind;
use crate::paging::PageSpec;
use crate::{SqlStore, db_err, get_bool, is_unique_violation, join, split};

const COLUMNS: &str = "client_id, identity_zone_id, resource_ids, client_secret, scope, \
    authorized_grant_types, web_server_redirect_uri, authorities, access_token_validity, \
    refresh_token_validity, additional_information, autoapprove, lastmodified, \
    required_user_groups, created_by, show_on_home_page, app_launch_url, app_icon";

/// Filter and sort attributes of `/oauth/clients` and their columns (UAA's attribute mapping).
pub fn client_column(attr: &str) -> Option<String> {
    let col = match attr {
        "client_id" => "client_id",
        "scope" => "scope",
        "resource_ids" => "resource_ids",
        "authorized_grant_types" => "authorized_grant_types",
        "redirect_uri" | "web_server_redirect_uri" => "web_server_redirect_uri",
        "authorities" => "authorities",
        "access_token_validity" => "access_token_validity",
        "refresh_token_validity" => "refresh_token_validity",
        "autoapprove" => "autoapprove",
        "additionalinformation" | "additional_information" => "additional_information",
        "lastmodified" | "meta.lastmodified" => "lastmodified",
        "required_user_groups" => "required_user_groups",
        "created_by" => "created_by",
        "show_on_home_page" => "show_on_home_page",
        _ => return None,
    };
    Some(col.to_owned())
}

pub(crate) fn bind_all<'q>(
    mut q: Query<'q, Any, AnyArguments>,
    binds: &[Bind],
) -> Query<'q, Any, AnyArguments> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s.clone()),
            Bind::Int(i) | Bind::Timestamp(i) => q.bind(*i),
            Bind::Bool(v) => q.bind(*v),
            Bind::Real(r) => q.bind(*r),
        };
    }
    q
}

fn invalid_attr(msg: String) -> Error {
    Error::report(400, "invalid_filter", msg)
}

fn row_to_client(row: &AnyRow) -> Result<Client> {
    let get_s = |c: &str| row.try_get::<Option<String>, _>(c).map_err(db_err);
    let get_i = |c: &str| row.try_get::<Option<i64>, _>(c).map_err(db_err);
    let mut info: Map<String, Value> = match get_s("additional_information")? {
        Some(s) if !s.is_empty() => serde_json::from_str(&s).unwrap_or_default(),
        _ => Map::new(),
    };
    let take_s = |m: &mut Map<String, Value>, k: &str| match m.remove(k) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let name = take_s(&mut info, "name");
    let token_salt = take_s(&mut info, "token_salt");
    let allow_public = matches!(info.remove("allowpublic"), Some(Value::Bool(true)));
    let allowed_providers = match info.remove("allowedproviders") {
        Some(Value::Array(a)) => Some(
            a.into_iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    };
    let secrets = get_s("client_secret")?
        .map(|s| {
            if s.is_empty() {
                vec![]
            } else {
                s.split(' ').map(SecretHash::new).collect()
            }
        })
        .unwrap_or_default();
    Ok(Client {
        zone_id: ZoneId::new(get_s("identity_zone_id")?.unwrap_or_default()),
        client_id: ClientId::new(get_s("client_id")?.unwrap_or_default()),
        secrets,
        scope: ScopeSet::from_items(split(get_s("scope")?)),
        resource_ids: ScopeSet::from_items(split(get_s("resource_ids")?)),
        grant_types: split(get_s("authorized_grant_types")?),
        redirect_uris: split(get_s("web_server_redirect_uri")?),
        authorities: ScopeSet::from_items(split(get_s("authorities")?)),
        autoapprove: split(get_s("autoapprove")?),
        access_token_validity: get_i("access_token_validity")?,
        refresh_token_validity: get_i("refresh_token_validity")?,
        name,
        allowed_providers,
        allow_public,
        token_salt,
        required_user_groups: split(get_s("required_user_groups")?),
        additional: info,
        last_modified: get_i("lastmodified")?.unwrap_or(0),
        created_by: get_s("created_by")?,
        metadata: ClientMeta {
            show_on_home_page: get_bool(row, "show_on_home_page")?,
            app_launch_url: get_s("app_launch_url")?,
            app_icon: get_s("app_icon")?,
        },
    })
}

fn additional_json(c: &Client) -> String {
    let mut m = c.additional.clone();
    if let Some(n) = &c.name {
        m.insert("name".into(), Value::String(n.clone()));
    }
    if let Some(s) = &c.token_salt {
        m.insert("token_salt".into(), Value::String(s.clone()));
    }
    if c.allow_public {
        m.insert("allowpublic".into(), Value::Bool(true));
    }
    if let Some(p) = &c.allowed_providers {
        m.insert(
            "allowedproviders".into(),
            Value::Array(p.iter().cloned().map(Value::String).collect()),
        );
    }
    Value::Object(m).to_string()
}

fn secret_column(secrets: &[SecretHash]) -> Option<String> {
    (!secrets.is_empty()).then(|| {
        secrets
            .iter()
            .map(SecretHash::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// Binds `$1` (client id), `$2` (zone) and `$3`..`$13`, the columns an insert and an update
/// share, in the order both statements use.
fn bind_shared<'q>(
    q: Query<'q, Any, AnyArguments>,
    zone: &ZoneId,
    c: &Client,
) -> Query<'q, Any, AnyArguments> {
    q.bind(c.client_id.as_str().to_owned())
        .bind(zone.as_str().to_owned())
        .bind(join(c.resource_ids.iter()))
        .bind(join(c.scope.iter()))
        .bind(join(&c.grant_types))
        .bind(join(&c.redirect_uris))
        .bind(join(c.authorities.iter()))
        .bind(c.access_token_validity)
        .bind(c.refresh_token_validity)
        .bind(additional_json(c))
        .bind(join(&c.autoapprove))
        .bind(c.last_modified)
        .bind(join(&c.required_user_groups))
}

impl SqlStore {
    async fn apply_one(
        tx: &mut sqlx::Transaction<'_, Any>,
        zone: &ZoneId,
        w: ClientWrite,
    ) -> Result<()> {
        let affected = match w {
            ClientWrite::Create(c) => {
                let sql = "INSERT INTO oauth_client_details (client_id, identity_zone_id, resource_ids, scope, authorized_grant_types, web_server_redirect_uri, authorities, access_token_validity, refresh_token_validity, additional_information, autoapprove, lastmodified, required_user_groups, client_secret, created_by, show_on_home_page, app_launch_url, app_icon) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)";
                let r = bind_shared(sqlx::query(sql), zone, &c)
                    .bind(secret_column(&c.secrets))
                    .bind(c.created_by.clone())
                    .bind(c.metadata.show_on_home_page)
                    .bind(c.metadata.app_launch_url.clone())
                    .bind(c.metadata.app_icon.clone())
                    .execute(&mut **tx)
                    .await;
                match r {
                    Err(e) if is_unique_violation(&e) => {
                        return Err(Error::ClientAlreadyExists(c.client_id.to_string()));
                    }
                    r => r.map_err(db_err)?.rows_affected(),
                }
            }
            ClientWrite::Update(c) => {
                let sql = "UPDATE oauth_client_details SET resource_ids=$3, scope=$4, authorized_grant_types=$5, web_server_redirect_uri=$6, authorities=$7, access_token_validity=$8, refresh_token_validity=$9, additional_information=$10, autoapprove=$11, lastmodified=$12, required_user_groups=$13 WHERE client_id=$1 AND identity_zone_id=$2";
                bind_shared(sqlx::query(sql), zone, &c)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected()
            }
            ClientWrite::Delete(id) => {
                // UAA's SystemDeletable listeners drop the client's stored tokens too.
                sqlx::query("DELETE FROM revocable_tokens WHERE client_id=$1 AND identity_zone_id=$2")
                    .bind(id.as_str().to_owned())
                    .bind(zone.as_str().to_owned())
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                sqlx::query("DELETE FROM oauth_client_details WHERE client_id=$1 AND identity_zone_id=$2")
                    .bind(id.as_str().to_owned())
                    .bind(zone.as_str().to_owned())
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected()
            }
            ClientWrite::SetSecrets(id, secrets) => sqlx::query(
                "UPDATE oauth_client_details SET client_secret=$3, lastmodified=$4 WHERE client_id=$1 AND identity_zone_id=$2",
            )
            .bind(id.as_str().to_owned())
            .bind(zone.as_str().to_owned())
            .bind(secret_column(&secrets))
            .bind(crate::now_ms())
            .execute(&mut **tx)
            .await
            .map_err(db_err)?
            .rows_affected(),
            ClientWrite::SetMeta(id, meta) => sqlx::query(
                "UPDATE oauth_client_details SET show_on_home_page=$3, app_launch_url=$4, app_icon=$5 WHERE client_id=$1 AND identity_zone_id=$2",
            )
            .bind(id.as_str().to_owned())
            .bind(zone.as_str().to_owned())
            .bind(meta.show_on_home_page)
            .bind(meta.app_launch_url)
            .bind(meta.app_icon)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?
            .rows_affected(),
        };
        if affected == 0 {
            return Err(Error::NoSuchClient);
        }
        Ok(())
    }
}

#[async_trait]
impl ClientStore for SqlStore {
    async fn get_client(&self, zone: &ZoneId, id: &str) -> Result<Option<Client>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM oauth_client_details WHERE client_id=$1 AND identity_zone_id=$2"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_owned())
            .bind(zone.as_str().to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(row_to_client).transpose()
    }

    async fn list_clients(&self, zone: &ZoneId, q: &ListQuery) -> Result<(Vec<Client>, u64)> {
        let sort = client_column(&q.sort_by.to_ascii_lowercase())
            .ok_or_else(|| invalid_attr(format!("Invalid sort field: {}", q.sort_by)))?;
        let spec = PageSpec {
            table: "oauth_client_details",
            columns: COLUMNS,
            order: &[sort],
            tiebreak: "client_id",
            column: client_column,
            filter_error: invalid_attr,
        };
        let (rows, total) = self.page(zone, q, spec).await?;
        let clients = rows.iter().map(row_to_client).collect::<Result<Vec<_>>>()?;
        Ok((clients, total))
    }

    async fn apply_client_writes(&self, zone: &ZoneId, writes: Vec<ClientWrite>) -> Result<()> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        for w in writes {
            // Any failure drops `tx`, which rolls the whole batch back.
            Self::apply_one(&mut tx, zone, w).await?;
        }
        tx.commit().await.map_err(db_err)
    }
}
