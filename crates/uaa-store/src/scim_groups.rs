//! SCIM groups over SQL: `groups`, `group_membership` and `external_group_mapping`, UAA's
//! tables. Display names are unique per zone regardless of case (`groups_unique_lower_key`);
//! a batch of writes is one transaction.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Row, Transaction};
use uaa_core::error::{Error, Result};
use uaa_core::ids::ZoneId;
use uaa_core::ports::ListQuery;
use uaa_core::scim::groups::{
    ExternalMapping, ExternalQuery, Group, GroupWrite, Member, MemberType, ScimGroupStore, errors,
};

use crate::clients::bind_all;
use crate::filter_sql::{Bind, to_sql};
use crate::paging::PageSpec;
use crate::{SqlStore, db_err, is_unique_violation};

const GROUP_COLUMNS: &str =
    "id, displayname, description, created, lastmodified, version, identity_zone_id";

/// Filter attributes of `/Groups` and their columns (UAA's allow-list narrowed to the columns
/// of `groups`; anything else is refused as UAA's SQL would be).
pub fn group_column(attr: &str) -> Option<String> {
    let col = match attr {
        "id" => "id",
        "displayname" => "displayname",
        "description" => "description",
        "created" | "meta.created" => "created",
        "lastmodified" | "meta.lastmodified" => "lastmodified",
        "version" | "meta.version" => "version",
        "identity_zone_id" => "identity_zone_id",
        _ => return None,
    };
    Some(col.to_owned())
}

/// `sortBy` of `/Groups`: a comma-separated list of `GROUP_FIELDS` names, or 1-based positions
/// in that list (`AbstractQueryable.validateOrderBy`).
fn sort_columns(sort_by: &str) -> Option<Vec<&'static str>> {
    const FIELDS: [&str; 7] = [
        "id",
        "displayname",
        "description",
        "created",
        "lastmodified",
        "version",
        "identity_zone_id",
    ];
    sort_by
        .split(',')
        .map(|s| {
            let s = s.trim().to_lowercase();
            match s.parse::<usize>() {
                Ok(n) => n.checked_sub(1).and_then(|i| FIELDS.get(i)).copied(),
                Err(_) => FIELDS.iter().find(|f| **f == s).copied(),
            }
        })
        .collect()
}

/// Filter attributes of `/Groups/External` and their columns in the mapping query.
fn external_column(attr: &str) -> Option<String> {
    let col = match attr {
        "origin" | "gm.origin" => "gm.origin",
        "externalgroup" | "gm.external_group" => "gm.external_group",
        "g.displayname" => "g.displayname",
        "g.id" => "g.id",
        _ => return None,
    };
    Some(col.to_owned())
}

fn invalid_filter(msg: String) -> Error {
    Error::report(400, "invalid_filter", msg)
}

fn row_to_group(row: &AnyRow) -> Result<Group> {
    let s = |c: &str| row.try_get::<Option<String>, _>(c).map_err(db_err);
    let i = |c: &str| row.try_get::<Option<i64>, _>(c).map_err(db_err);
    Ok(Group {
        id: s("id")?.unwrap_or_default(),
        display_name: s("displayname")?.unwrap_or_default(),
        description: s("description")?,
        zone_id: ZoneId::new(s("identity_zone_id")?.unwrap_or_default()),
        created: i("created")?.unwrap_or(0),
        last_modified: i("lastmodified")?.unwrap_or(0),
        version: i("version")?.unwrap_or(0),
    })
}

fn member_type(s: &str) -> MemberType {
    if s.eq_ignore_ascii_case("GROUP") {
        MemberType::Group
    } else {
        MemberType::User
    }
}

/// `$first, $first+1, …` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

impl SqlStore {
    async fn apply_group_write(
        tx: &mut Transaction<'_, Any>,
        zone: &ZoneId,
        w: GroupWrite,
    ) -> Result<()> {
        let z = zone.as_str().to_owned();
        match w {
            GroupWrite::Create(g) => {
                let r = sqlx::query(
                    "INSERT INTO groups (id, displayname, description, created, lastmodified, version, identity_zone_id) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7)",
                )
                .bind(g.id.clone())
                .bind(g.display_name.clone())
                .bind(g.description.clone())
                .bind(g.created)
                .bind(g.last_modified)
                .bind(g.version)
                .bind(z)
                .execute(&mut **tx)
                .await;
                match r {
                    Err(e) if is_unique_violation(&e) => {
                        return Err(errors::group_exists(&g.display_name));
                    }
                    r => r.map_err(db_err)?,
                };
            }
            GroupWrite::Update {
                group: g,
                expected_version,
            } => {
                let r = sqlx::query(
                    "UPDATE groups SET version=$1, displayname=$2, description=$3, lastmodified=$4 \
                     WHERE id=$5 AND version=$6 AND identity_zone_id=$7",
                )
                .bind(g.version)
                .bind(g.display_name.clone())
                .bind(g.description.clone())
                .bind(g.last_modified)
                .bind(g.id.clone())
                .bind(expected_version)
                .bind(z)
                .execute(&mut **tx)
                .await;
                let updated = match r {
                    Err(e) if is_unique_violation(&e) => {
                        return Err(errors::group_name_taken(&g.display_name));
                    }
                    r => r.map_err(db_err)?.rows_affected(),
                };
                if updated != 1 {
                    return Err(errors::stale_version());
                }
            }
            GroupWrite::Delete { id, version } => {
                let deleted = match version {
                    Some(v) => sqlx::query(
                        "DELETE FROM groups WHERE id=$1 AND identity_zone_id=$2 AND version=$3",
                    )
                    .bind(id.clone())
                    .bind(z.clone())
                    .bind(v),
                    None => sqlx::query("DELETE FROM groups WHERE id=$1 AND identity_zone_id=$2")
                        .bind(id.clone())
                        .bind(z.clone()),
                }
                .execute(&mut **tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                if deleted != 1 {
                    return Err(errors::delete_conflict(&id));
                }
                // Its members, its memberships in other groups, its external mappings.
                sqlx::query(
                    "DELETE FROM group_membership WHERE identity_zone_id=$2 \
                     AND (group_id=$1 OR (member_id=$1 AND member_type='GROUP'))",
                )
                .bind(id.clone())
                .bind(z.clone())
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                sqlx::query(
                    "DELETE FROM external_group_mapping WHERE group_id=$1 AND identity_zone_id=$2",
                )
                .bind(id)
                .bind(z)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
            }
            GroupWrite::AddMember {
                group_id,
                member,
                added,
            } => {
                let r = sqlx::query(
                    "INSERT INTO group_membership (group_id, member_id, member_type, authorities, added, origin, identity_zone_id) \
                     VALUES ($1,$2,$3,'READ',$4,$5,$6)",
                )
                .bind(group_id.clone())
                .bind(member.id.clone())
                .bind(member.kind.as_str())
                .bind(added)
                .bind(member.origin.clone())
                .bind(z)
                .execute(&mut **tx)
                .await;
                match r {
                    Err(e) if is_unique_violation(&e) => {
                        return Err(errors::already_member(&member.id, &group_id));
                    }
                    r => r.map_err(db_err)?,
                };
            }
            GroupWrite::RemoveMember {
                group_id,
                member_id,
            } => {
                let deleted = sqlx::query(
                    "DELETE FROM group_membership WHERE group_id=$1 AND member_id=$2 AND identity_zone_id=$3",
                )
                .bind(group_id.clone())
                .bind(member_id.clone())
                .bind(z)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                if deleted == 0 {
                    return Err(errors::member_not_found(&member_id, &group_id));
                }
            }
            GroupWrite::MapExternal {
                group_id,
                external_group,
                origin,
                added,
            } => {
                sqlx::query(
                    "INSERT INTO external_group_mapping (group_id, external_group, added, origin, identity_zone_id) \
                     VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
                )
                .bind(group_id)
                .bind(external_group)
                .bind(added)
                .bind(origin)
                .bind(z)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
            }
            GroupWrite::UnmapExternal {
                group_id,
                external_group,
                origin,
            } => {
                let deleted = sqlx::query(
                    "DELETE FROM external_group_mapping WHERE group_id=$1 AND external_group=$2 \
                     AND origin=$3 AND identity_zone_id=$4",
                )
                .bind(group_id.clone())
                .bind(external_group.clone())
                .bind(origin)
                .bind(z)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                if deleted == 0 {
                    return Err(errors::mapping_not_found(&group_id, &external_group));
                }
            }
        }
        Ok(())
    }
}

#[async_trait]
impl ScimGroupStore for SqlStore {
    async fn get_group(&self, zone: &ZoneId, id: &str) -> Result<Option<Group>> {
        let sql = format!("SELECT {GROUP_COLUMNS} FROM groups WHERE id=$1 AND identity_zone_id=$2");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_owned())
            .bind(zone.as_str().to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(row_to_group).transpose()
    }

    async fn find_group_by_name(&self, zone: &ZoneId, name: &str) -> Result<Option<Group>> {
        let sql = format!(
            "SELECT {GROUP_COLUMNS} FROM groups WHERE identity_zone_id=$1 AND lower(displayname)=lower($2)"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(zone.as_str().to_owned())
            .bind(name.to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(row_to_group).transpose()
    }

    async fn get_groups(&self, zone: &ZoneId, ids: &[String]) -> Result<Vec<Group>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {GROUP_COLUMNS} FROM groups WHERE identity_zone_id=$1 AND id IN ({})",
            placeholders(2, ids.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(zone.as_str().to_owned());
        for id in ids {
            q = q.bind(id.clone());
        }
        let rows = q.fetch_all(self.pool()).await.map_err(db_err)?;
        rows.iter().map(row_to_group).collect()
    }

    async fn list_groups(&self, zone: &ZoneId, q: &ListQuery) -> Result<(Vec<Group>, u64)> {
        let sort = sort_columns(&q.sort_by)
            .ok_or_else(|| invalid_filter(format!("Invalid sort field: {}", q.sort_by)))?;
        let order: Vec<String> = sort.iter().map(|c| (*c).to_owned()).collect();
        let spec = PageSpec {
            table: "groups",
            columns: GROUP_COLUMNS,
            order: &order,
            tiebreak: "id",
            column: group_column,
            filter_error: invalid_filter,
        };
        let (rows, total) = self.page(zone, q, spec).await?;
        let groups = rows.iter().map(row_to_group).collect::<Result<Vec<_>>>()?;
        Ok((groups, total))
    }

    async fn members(&self, zone: &ZoneId, group_ids: &[String]) -> Result<Vec<(String, Member)>> {
        if group_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT group_id, member_id, member_type, origin FROM group_membership \
             WHERE identity_zone_id=$1 AND group_id IN ({}) ORDER BY added, member_id",
            placeholders(2, group_ids.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(zone.as_str().to_owned());
        for id in group_ids {
            q = q.bind(id.clone());
        }
        let rows = q.fetch_all(self.pool()).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                let s = |c: &str| r.try_get::<String, _>(c).map_err(db_err);
                Ok((
                    s("group_id")?,
                    Member {
                        id: s("member_id")?,
                        kind: member_type(&s("member_type")?),
                        origin: s("origin")?,
                    },
                ))
            })
            .collect()
    }

    async fn member_exists(&self, zone: &ZoneId, kind: MemberType, id: &str) -> Result<bool> {
        let sql = match kind {
            MemberType::User => "SELECT 1 AS x FROM users WHERE id=$1 AND identity_zone_id=$2",
            MemberType::Group => "SELECT 1 AS x FROM groups WHERE id=$1 AND identity_zone_id=$2",
        };
        let row = sqlx::query(sql)
            .bind(id.to_owned())
            .bind(zone.as_str().to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        Ok(row.is_some())
    }

    async fn external_mappings(
        &self,
        zone: &ZoneId,
        q: &ExternalQuery,
    ) -> Result<Vec<ExternalMapping>> {
        let mut sql = String::from(
            "SELECT gm.group_id AS group_id, gm.external_group AS external_group, gm.added AS added, \
             g.displayname AS displayname, gm.origin AS origin \
             FROM external_group_mapping gm JOIN groups g \
             ON g.id = gm.group_id AND g.identity_zone_id = gm.identity_zone_id \
             WHERE gm.identity_zone_id=$1",
        );
        let mut binds = Vec::new();
        for (col, v) in [
            ("gm.origin", &q.origin),
            ("gm.external_group", &q.external_group),
        ] {
            if let Some(v) = v {
                binds.push(Bind::Text(v.clone()));
                sql.push_str(&format!(" AND {col}=${}", binds.len() + 1));
            }
        }
        if let Some(f) = &q.filter {
            let s = to_sql(f, &external_column, binds.len() + 2)
                .map_err(|e| invalid_filter(e.to_string()))?;
            sql.push_str(&format!(" AND ({})", s.sql));
            binds.extend(s.binds);
        }
        sql.push_str(" ORDER BY g.displayname, gm.external_group, gm.origin");
        let rows = bind_all(
            sqlx::query(AssertSqlSafe(sql)).bind(zone.as_str().to_owned()),
            &binds,
        )
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                let s = |c: &str| r.try_get::<String, _>(c).map_err(db_err);
                Ok(ExternalMapping {
                    group_id: s("group_id")?,
                    display_name: s("displayname")?,
                    external_group: s("external_group")?,
                    origin: s("origin")?,
                    added: r.try_get::<i64, _>("added").map_err(db_err)?,
                })
            })
            .collect()
    }

    async fn apply_group_writes(&self, zone: &ZoneId, writes: Vec<GroupWrite>) -> Result<()> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        for w in writes {
            // Any failure drops `tx`, which rolls the whole batch back.
            Self::apply_group_write(&mut tx, zone, w).await?;
        }
        tx.commit().await.map_err(db_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_are_group_fields_or_their_positions() {
        assert_eq!(sort_columns("displayName"), Some(vec!["displayname"]));
        assert_eq!(
            sort_columns("lastModified, 2"),
            Some(vec!["lastmodified", "displayname"])
        );
        assert_eq!(sort_columns("meta.created"), None);
        assert_eq!(sort_columns("8"), None);
        assert_eq!(sort_columns("displayName; DROP TABLE groups"), None);
    }
}
