//! Turns a parsed SCIM filter ([`uaa_core::filter::Filter`]) into a portable SQL `WHERE`
//! fragment, the job of UAA's `SimpleSearchQueryConverter.whereClauseFromFilter`.
//!
//! Every value travels as a bind parameter (`$1`, `$2`, …, which sqlx accepts on both SQLite and
//! PostgreSQL); no part of a filter value is ever written into the SQL text. Attribute names
//! reach the SQL only through the caller's `column` mapping, which acts as the column allow-list.
//!
//! UAA semantics kept: quoted strings compare case-insensitively (`LOWER(col) = LOWER($n)`),
//! `co`/`sw` become `LIKE '%v%'`/`LIKE 'v%'`, `pr` is `IS NOT NULL`, `and`/`or` are wrapped in
//! parentheses, a quoted `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` value compares as a timestamp, and a
//! value compared with `password`, `client_secret` or `salt` is replaced by the empty string.
//! One deliberate fix: UAA passes `%`, `_` and `\` in a `co`/`sw` value through as wildcards;
//! here they are escaped (`ESCAPE '\'`) and match literally.

use uaa_core::filter::{CompareOp, Filter, FilterError, Value, attribute_name};

/// A `WHERE` fragment and the values for its `$n` placeholders, in placeholder order.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlFilter {
    pub sql: String,
    pub binds: Vec<Bind>,
}

/// One bind value.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Text(String),
    Int(i64),
    Bool(bool),
    Real(f64),
    /// A quoted `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` value (UAA's `getStringOrDate`), as milliseconds
    /// since the Unix epoch (UTC). Bind it the way the timestamp columns are stored.
    Timestamp(i64),
}

/// Translates `filter` into SQL whose placeholders start at `$first_bind` (use 1 unless other
/// binds come first).
///
/// `column` receives each attribute name in lower case, without a schema prefix
/// (`username`, `meta.lastmodified`, `emails.value`), and returns the SQL column expression
/// for it, or `None` if the attribute may not be filtered on. Every refused attribute is listed
/// in one `Invalid filter attributes:a,b` error, as UAA does.
pub fn to_sql(
    filter: &Filter,
    column: &dyn Fn(&str) -> Option<String>,
    first_bind: usize,
) -> Result<SqlFilter, FilterError> {
    let unknown: Vec<String> = filter
        .attributes()
        .into_iter()
        .map(attribute_name)
        .filter(|name| column(&name.to_lowercase()).is_none())
        .map(str::to_owned)
        .collect();
    if !unknown.is_empty() {
        return Err(FilterError::InvalidAttributes(unknown));
    }
    let mut builder = Builder {
        column,
        first_bind,
        binds: Vec::new(),
    };
    let sql = builder.clause(filter)?;
    Ok(SqlFilter {
        sql,
        binds: builder.binds,
    })
}

struct Builder<'c> {
    column: &'c dyn Fn(&str) -> Option<String>,
    first_bind: usize,
    binds: Vec<Bind>,
}

impl Builder<'_> {
    fn column(&self, attr: &str) -> Result<String, FilterError> {
        let name = attribute_name(attr);
        (self.column)(&name.to_lowercase())
            .ok_or_else(|| FilterError::InvalidAttributes(vec![name.to_owned()]))
    }

    /// Records `bind` and returns its placeholder.
    fn bind(&mut self, bind: Bind) -> String {
        let placeholder = format!("${}", self.first_bind + self.binds.len());
        self.binds.push(bind);
        placeholder
    }

    fn clause(&mut self, filter: &Filter) -> Result<String, FilterError> {
        match filter {
            Filter::And(l, r) => Ok(format!("({} AND {})", self.clause(l)?, self.clause(r)?)),
            Filter::Or(l, r) => Ok(format!("({} OR {})", self.clause(l)?, self.clause(r)?)),
            Filter::Present { attr } => Ok(format!("{} IS NOT NULL", self.column(attr)?)),
            Filter::Compare { attr, op, value } => self.comparison(attr, *op, value),
        }
    }

    fn comparison(
        &mut self,
        attr: &str,
        op: CompareOp,
        value: &Value,
    ) -> Result<String, FilterError> {
        let col = self.column(attr)?;
        let invalid = || FilterError::InvalidValue {
            attr: attr.to_owned(),
            value: value.to_string(),
        };
        let ordering = match op {
            CompareOp::Eq => "=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Co | CompareOp::Sw => {
                // Only strings can be matched by a pattern.
                let Value::Str(s) = value else {
                    return Err(invalid());
                };
                let s = neutralised(attr, s);
                let pattern = match op {
                    CompareOp::Co => format!("%{}%", escape_like(s)),
                    _ => format!("{}%", escape_like(s)),
                };
                let p = self.bind(Bind::Text(pattern));
                let like = format!("LOWER({col}) LIKE LOWER({p}) ESCAPE '\\'");
                // A range on LOWER(col) lets an index on that expression serve `sw`
                // (LIKE with ESCAPE never uses one); the LIKE stays, so the range can only
                // narrow the scan, never widen the result.
                if op == CompareOp::Sw
                    && let Some((low, high)) = prefix_range(s)
                {
                    let lo = self.bind(Bind::Text(low));
                    let hi = self.bind(Bind::Text(high));
                    return Ok(format!(
                        "({like} AND LOWER({col}) >= {lo} AND LOWER({col}) < {hi})"
                    ));
                }
                return Ok(like);
            }
        };
        match value {
            Value::Null if op == CompareOp::Eq => Ok(format!("{col} IS NULL")),
            Value::Null => Err(invalid()),
            Value::Bool(b) => {
                let p = self.bind(Bind::Bool(*b));
                Ok(format!("{col} {ordering} {p}"))
            }
            Value::Number(n) => {
                let bind = if let Ok(i) = n.parse::<i64>() {
                    Bind::Int(i)
                } else {
                    match n.parse::<f64>() {
                        Ok(f) if f.is_finite() => Bind::Real(f),
                        _ => return Err(invalid()),
                    }
                };
                let p = self.bind(bind);
                Ok(format!("{col} {ordering} {p}"))
            }
            Value::Str(s) => {
                let s = neutralised(attr, s);
                if let Some(millis) = uaa_timestamp_millis(s) {
                    let p = self.bind(Bind::Timestamp(millis));
                    return Ok(format!("{col} {ordering} {p}"));
                }
                let p = self.bind(Bind::Text(s.to_owned()));
                Ok(format!("LOWER({col}) {ordering} LOWER({p})"))
            }
        }
    }
}

/// The half-open range `[prefix, successor)` holding every string that starts with `prefix`,
/// for prefixes where that holds under any collation PostgreSQL or SQLite may use: lowercase
/// ASCII letters and digits only, with a last character whose successor is one too (every
/// collation orders `0`–`9` and `a`–`z` as ASCII does and none ignores them).
fn prefix_range(prefix: &str) -> Option<(String, String)> {
    let low = prefix.to_ascii_lowercase();
    if low.is_empty()
        || !low
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return None;
    }
    let last = *low.as_bytes().last()?;
    if last == b'z' || last == b'9' {
        return None;
    }
    let mut high = low.clone().into_bytes();
    if let Some(l) = high.last_mut() {
        *l += 1;
    }
    Some((low, String::from_utf8(high).ok()?))
}

/// UAA never lets a filter probe a secret: a value compared with `client_secret`, `password`
/// or `salt` becomes "" (`SimpleSearchQueryConverter.comparisonClause`).
fn neutralised<'v>(attr: &str, value: &'v str) -> &'v str {
    let name = attribute_name(attr);
    let base = name.split('.').next().unwrap_or(name).to_lowercase();
    if matches!(base.as_str(), "client_secret" | "password" | "salt") {
        ""
    } else {
        value
    }
}

/// Escapes the `LIKE` wildcards and the escape character itself, for `ESCAPE '\'`.
fn escape_like(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Parses exactly `yyyy-MM-ddTHH:mm:ss.SSSZ` (UTC) into epoch milliseconds. UAA's lenient
/// `SimpleDateFormat` also accepts looser forms; only this canonical one is recognised here.
fn uaa_timestamp_millis(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 24 {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(
            digits
                .iter()
                .fold(0, |acc, d| acc * 10 + i64::from(d - b'0')),
        )
    };
    let separators = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (23, b'Z'),
    ];
    if separators.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second, milli) = (num(11..13)?, num(14..16)?, num(17..19)?, num(20..23)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let max_day = *month_days.get(usize::try_from(month).ok()?.checked_sub(1)?)?;
    if day < 1 || day > max_day || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days from 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + milli)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use uaa_core::filter::parse;

    /// The client-list mapping: the allow-list attribute is the column name.
    fn clients(attr: &str) -> Option<String> {
        [
            "client_id",
            "authorized_grant_types",
            "access_token_validity",
            "scope",
            "lastmodified",
        ]
        .contains(&attr)
        .then(|| attr.to_owned())
    }

    fn users(attr: &str) -> Option<String> {
        match attr {
            "username" => Some("username".into()),
            "emails.value" => Some("email".into()),
            "meta.lastmodified" => Some("lastmodified".into()),
            "active" => Some("active".into()),
            "password" => Some("password".into()),
            "external_id" => Some("external_id".into()),
            _ => None,
        }
    }

    fn sql(filter: &str, column: &dyn Fn(&str) -> Option<String>) -> SqlFilter {
        to_sql(&parse(filter).unwrap(), column, 1).unwrap()
    }

    fn text(s: &str) -> Bind {
        Bind::Text(s.to_owned())
    }

    #[test]
    fn presence_becomes_is_not_null() {
        let q = sql("client_id pr", &clients);
        assert_eq!(q.sql, "client_id IS NOT NULL");
        assert!(q.binds.is_empty());
    }

    #[test]
    fn quoted_strings_compare_case_insensitively() {
        let q = sql("userName eq \"Marissa\"", &users);
        assert_eq!(q.sql, "LOWER(username) = LOWER($1)");
        assert_eq!(q.binds, vec![text("Marissa")]);
        let q = sql("userName ge \"m\"", &users);
        assert_eq!(q.sql, "LOWER(username) >= LOWER($1)");
    }

    #[test]
    fn contains_and_starts_with_become_escaped_like_patterns() {
        let q = sql(r#"client_id co "a%b_c\\d""#, &clients);
        assert_eq!(q.sql, "LOWER(client_id) LIKE LOWER($1) ESCAPE '\\'");
        assert_eq!(q.binds, vec![text(r"%a\%b\_c\\d%")]);
        let q = sql("client_id sw \"app\"", &clients);
        assert_eq!(
            q.sql,
            "(LOWER(client_id) LIKE LOWER($1) ESCAPE '\\' AND LOWER(client_id) >= $2 AND LOWER(client_id) < $3)"
        );
        assert_eq!(q.binds, vec![text("app%"), text("app"), text("apq")]);
        // No range where a collation could disagree with byte order.
        for prefix in ["a.b", "appz", "x9", "Ünï"] {
            let q = sql(&format!("client_id sw \"{prefix}\""), &clients);
            assert_eq!(q.binds.len(), 1, "{prefix}");
        }
    }

    #[test]
    fn and_or_are_parenthesised_and_placeholders_count_from_first_bind() {
        let f = parse("client_id eq 'a' or client_id sw \"b\" and access_token_validity gt 3600")
            .unwrap();
        let q = to_sql(&f, &clients, 3).unwrap();
        assert_eq!(
            q.sql,
            "(LOWER(client_id) = LOWER($3) OR ((LOWER(client_id) LIKE LOWER($4) ESCAPE '\\' \
             AND LOWER(client_id) >= $5 AND LOWER(client_id) < $6) AND access_token_validity > $7))"
        );
        assert_eq!(
            q.binds,
            vec![text("a"), text("b%"), text("b"), text("c"), Bind::Int(3600)]
        );
    }

    #[test]
    fn unquoted_values_bind_with_their_own_types() {
        let q = sql(
            "active eq true and access_token_validity le 1.5e3",
            &|a: &str| users(a).or_else(|| clients(a)),
        );
        assert_eq!(q.sql, "(active = $1 AND access_token_validity <= $2)");
        assert_eq!(q.binds, vec![Bind::Bool(true), Bind::Real(1500.0)]);
    }

    #[test]
    fn eq_null_becomes_is_null_and_other_null_comparisons_are_refused() {
        assert_eq!(
            sql("external_id eq null", &users).sql,
            "external_id IS NULL"
        );
        let err = to_sql(&parse("external_id gt null").unwrap(), &users, 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid non quoted value [external_id : null]"
        );
        assert!(to_sql(&parse("active co true").unwrap(), &users, 1).is_err());
    }

    #[test]
    fn unmapped_attributes_are_all_reported() {
        let f = parse("client_id pr and secret eq \"x\" or urn:x:Other pr").unwrap();
        assert_eq!(
            to_sql(&f, &clients, 1).unwrap_err().to_string(),
            "Invalid filter attributes:secret,Other"
        );
    }

    #[test]
    fn mapped_names_arrive_lowercased_without_schema() {
        let q = sql(
            "urn:scim:schemas:core:1.0:Emails.VALUE eq \"A@B.c\"",
            &users,
        );
        assert_eq!(q.sql, "LOWER(email) = LOWER($1)");
    }

    #[test]
    fn hostile_values_end_up_only_in_binds() {
        let hostile = r#"x' OR '1'='1"; DROP TABLE users; -- %_"#;
        let filter = Filter::Compare {
            attr: "userName".into(),
            op: CompareOp::Eq,
            value: Value::Str(hostile.into()),
        };
        let q = to_sql(&filter, &users, 1).unwrap();
        assert_eq!(q.sql, "LOWER(username) = LOWER($1)");
        assert_eq!(q.binds, vec![text(hostile)]);
        let q = sql(
            &format!("userName co {}", Value::Str(hostile.into())),
            &users,
        );
        assert!(!q.sql.contains("DROP") && !q.sql.contains('"') && !q.sql.contains('%'));
        assert!(matches!(&q.binds[..], [Bind::Text(t)] if t.contains("DROP")));
    }

    #[test]
    fn secret_columns_are_compared_with_an_empty_string() {
        let q = sql("password eq \"koala\"", &users);
        assert_eq!(q.binds, vec![text("")]);
        let q = sql("password co \"koala\"", &users);
        assert_eq!(q.binds, vec![text("%%")]);
    }

    #[test]
    fn uaa_timestamps_bind_as_epoch_milliseconds() {
        let q = sql("meta.lastModified gt \"2024-02-29T12:34:56.789Z\"", &users);
        assert_eq!(q.sql, "lastmodified > $1");
        assert_eq!(q.binds, vec![Bind::Timestamp(1_709_210_096_789)]);
        assert_eq!(uaa_timestamp_millis("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(uaa_timestamp_millis("1969-12-31T23:59:59.999Z"), Some(-1));
        assert_eq!(uaa_timestamp_millis("2023-02-29T00:00:00.000Z"), None);
        assert_eq!(uaa_timestamp_millis("2024-01-01 00:00:00.000Z"), None);
        // Pattern matches keep the text.
        let q = sql("meta.lastModified sw \"2024-02-29T12:34:56.789Z\"", &users);
        assert_eq!(q.binds, vec![text("2024-02-29T12:34:56.789Z%")]);
    }
}
