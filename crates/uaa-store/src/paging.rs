//! One paged, filtered list query for every SCIM-style list (`/oauth/clients`, `/Users`,
//! `/Groups`): the zone condition, the filter as bound SQL, the total count, and a stable
//! order with a tie-breaking column, so pages never skip or repeat rows.

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use uaa_core::error::{Error, Result};
use uaa_core::ids::ZoneId;
use uaa_core::ports::ListQuery;

use crate::clients::bind_all;
use crate::filter_sql::to_sql;
use crate::{SqlStore, db_err};

/// What differs between the lists.
pub(crate) struct PageSpec<'a> {
    pub table: &'a str,
    pub columns: &'a str,
    /// Sort column expressions, already checked against the allow-list.
    pub order: &'a [String],
    /// A unique column that makes the order total.
    pub tiebreak: &'a str,
    /// Filter attribute → column (the allow-list).
    pub column: fn(&str) -> Option<String>,
    /// How this endpoint reports a filter it cannot translate.
    pub filter_error: fn(String) -> Error,
}

impl SqlStore {
    /// The rows of `q`'s page and how many rows match in all.
    pub(crate) async fn page(
        &self,
        zone: &ZoneId,
        q: &ListQuery,
        spec: PageSpec<'_>,
    ) -> Result<(Vec<AnyRow>, u64)> {
        let (where_sql, binds) = match &q.filter {
            Some(f) => {
                let s =
                    to_sql(f, &spec.column, 2).map_err(|e| (spec.filter_error)(e.to_string()))?;
                (format!(" AND ({})", s.sql), s.binds)
            }
            None => (String::new(), Vec::new()),
        };
        let table = spec.table;
        let count_sql =
            format!("SELECT COUNT(*) AS n FROM {table} WHERE identity_zone_id=$1{where_sql}");
        let total: i64 = bind_all(
            sqlx::query(AssertSqlSafe(count_sql)).bind(zone.as_str().to_owned()),
            &binds,
        )
        .fetch_one(self.pool())
        .await
        .map_err(db_err)?
        .try_get("n")
        .map_err(db_err)?;
        let dir = if q.ascending { "ASC" } else { "DESC" };
        let order = spec
            .order
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(spec.tiebreak))
            .map(|c| format!("{c} {dir}"))
            .collect::<Vec<_>>()
            .join(", ");
        let n = binds.len() + 2;
        let page_sql = format!(
            "SELECT {} FROM {table} WHERE identity_zone_id=$1{where_sql} \
             ORDER BY {order} LIMIT ${n} OFFSET ${}",
            spec.columns,
            n + 1
        );
        let limit = i64::try_from(q.count).unwrap_or(i64::MAX);
        let offset = i64::try_from(q.start_index.saturating_sub(1)).unwrap_or(i64::MAX);
        let rows = bind_all(
            sqlx::query(AssertSqlSafe(page_sql)).bind(zone.as_str().to_owned()),
            &binds,
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        Ok((rows, u64::try_from(total).unwrap_or(0)))
    }
}
