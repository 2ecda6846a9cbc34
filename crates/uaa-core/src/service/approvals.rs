//! `/approvals` (UAA `ApprovalsAdminEndpoints`, reference §3): a user lists, replaces and
//! revokes the scopes they approved or denied for clients. The gate (`oauth.approvals`) is
//! checked by the extractor; these functions require a user token.

use uaa_types::{ActionResult, ApprovalJson};

use super::Deps;
use crate::authz::Caller;
use crate::error::{Error, Result};
use crate::filter::{self, CompareOp, Filter, Value};
use crate::ids::ZoneId;
use crate::ports::{Approval, ApprovalStatus};
use crate::scim::users::iso8601;

/// An approval sent without `expiresAt` lasts 30 minutes (UAA `Approval.getExpiresAt`).
const DEFAULT_EXPIRY_MS: i64 = 30 * 60 * 1000;
const ATTRIBUTES: &[&str] = &[
    "user_id",
    "client_id",
    "scope",
    "status",
    "expiresat",
    "lastmodifiedat",
];

fn user_of(caller: &Caller) -> Result<&str> {
    caller
        .user_id
        .as_ref()
        .map(|u| u.as_str())
        .ok_or_else(|| Error::AccessDenied("Approvals can only be managed by a user".into()))
}

fn to_json(a: &Approval) -> ApprovalJson {
    ApprovalJson {
        user_id: a.user_id.clone(),
        client_id: a.client_id.clone(),
        scope: a.scope.clone(),
        status: Some(a.status.as_str().to_owned()),
        expires_at: Some(iso8601(a.expires_ms)),
        last_updated_at: Some(iso8601(a.last_modified_ms)),
    }
}

/// `GET /approvals?filter=&startIndex=&count=`: the caller's approvals that match, less the
/// scopes their clients auto-approve.
pub async fn list(
    deps: &Deps,
    zone: &ZoneId,
    caller: &Caller,
    filter_text: Option<&str>,
    start_index: u64,
    count: u64,
) -> Result<Vec<ApprovalJson>> {
    let user = user_of(caller)?;
    let f = match filter_text.map(str::trim).filter(|f| !f.is_empty()) {
        Some(text) => Some(parse_filter(text)?),
        None => None,
    };
    let all = deps.approvals.approvals(zone, user, None).await?;
    let matching: Vec<&Approval> = all
        .iter()
        .filter(|a| f.as_ref().is_none_or(|f| eval(f, a)))
        .collect();
    let start = usize::try_from(start_index.max(1) - 1).unwrap_or(usize::MAX);
    let page = matching
        .into_iter()
        .skip(start)
        .take(usize::try_from(count).unwrap_or(usize::MAX));
    let mut out = Vec::new();
    let mut clients: Vec<(String, Option<crate::client::Client>)> = Vec::new();
    for a in page {
        if !clients.iter().any(|(id, _)| id == &a.client_id) {
            let c = deps.clients.get_client(zone, &a.client_id).await?;
            clients.push((a.client_id.clone(), c));
        }
        let auto = clients
            .iter()
            .find(|(id, _)| id == &a.client_id)
            .and_then(|(_, c)| c.as_ref())
            .is_some_and(|c| {
                c.autoapprove.iter().any(|x| x == &a.scope)
                    || (c.autoapprove.iter().any(|x| x == "true") && c.scope.contains(&a.scope))
            });
        if !auto {
            out.push(to_json(a));
        }
    }
    Ok(out)
}

fn parse_filter(text: &str) -> Result<Filter> {
    let bad = || Error::Uaa {
        status: 400,
        error: "invalid_filter".into(),
        description: filter::invalid_filter_expression(text, None),
    };
    let f = filter::parse(text).map_err(|_| bad())?;
    filter::check_attributes(&f, ATTRIBUTES).map_err(|_| bad())?;
    Ok(f)
}

/// Evaluates a filter against one approval (case-insensitive, as UAA's SQL does).
fn eval(f: &Filter, a: &Approval) -> bool {
    let field = |attr: &str| -> String {
        match filter::attribute_name(attr).to_ascii_lowercase().as_str() {
            "user_id" => a.user_id.clone(),
            "client_id" => a.client_id.clone(),
            "scope" => a.scope.clone(),
            "status" => a.status.as_str().to_owned(),
            "expiresat" => iso8601(a.expires_ms),
            _ => iso8601(a.last_modified_ms),
        }
        .to_lowercase()
    };
    match f {
        Filter::And(l, r) => eval(l, a) && eval(r, a),
        Filter::Or(l, r) => eval(l, a) || eval(r, a),
        Filter::Present { attr } => !field(attr).is_empty(),
        Filter::Compare { attr, op, value } => {
            let have = field(attr);
            let want = match value {
                Value::Str(s) | Value::Number(s) => s.to_lowercase(),
                Value::Bool(b) => b.to_string(),
                Value::Null => return false,
            };
            match op {
                CompareOp::Eq => have == want,
                CompareOp::Co => have.contains(&want),
                CompareOp::Sw => have.starts_with(&want),
                CompareOp::Gt => have > want,
                CompareOp::Ge => have >= want,
                CompareOp::Lt => have < want,
                CompareOp::Le => have <= want,
            }
        }
    }
}

/// `PUT /approvals` (every approval of the caller) or `PUT /approvals/{clientId}` (those for
/// one client): replaces them with `body` and returns what is stored afterwards.
pub async fn replace(
    deps: &Deps,
    zone: &ZoneId,
    caller: &Caller,
    client_id: Option<&str>,
    body: Vec<ApprovalJson>,
) -> Result<Vec<ApprovalJson>> {
    let user = user_of(caller)?;
    let now = deps.clock.now_millis();
    let mut approvals = Vec::with_capacity(body.len());
    for j in body {
        if !j.user_id.is_empty() && j.user_id != user {
            return Err(Error::Uaa {
                status: 401,
                error: "unauthorized_operation".into(),
                description: "Cannot update approvals for another user. Set user_id to null to update for existing user.".into(),
            });
        }
        let status = match j.status.as_deref() {
            None => ApprovalStatus::Approved,
            Some(s) => ApprovalStatus::parse(s)
                .ok_or_else(|| Error::InvalidRequest(format!("Invalid approval status: {s}")))?,
        };
        let expires_ms = match j.expires_at.as_deref() {
            None => now + DEFAULT_EXPIRY_MS,
            Some(t) => parse_iso8601(t)
                .ok_or_else(|| Error::InvalidRequest(format!("Invalid date: {t}")))?,
        };
        let client = if j.client_id.is_empty() {
            client_id.unwrap_or_default().to_owned()
        } else {
            j.client_id
        };
        approvals.push(Approval {
            user_id: user.to_owned(),
            client_id: client,
            scope: j.scope,
            status,
            expires_ms,
            last_modified_ms: now,
        });
    }
    deps.approvals
        .delete_approvals(zone, user, client_id)
        .await?;
    for a in &approvals {
        deps.approvals.put_approval(zone, a).await?;
    }
    deps.audit(
        zone,
        crate::audit::AuditEventType::ApprovalModifiedEvent,
        user,
        client_id.unwrap_or(""),
        format!("approvals={}", approvals.len()),
    )
    .await;
    let stored = deps.approvals.approvals(zone, user, client_id).await?;
    Ok(stored.iter().map(to_json).collect())
}

/// `DELETE /approvals?clientId=`: revokes the caller's approvals for one client.
pub async fn revoke(
    deps: &Deps,
    zone: &ZoneId,
    caller: &Caller,
    client_id: Option<&str>,
) -> Result<ActionResult> {
    let user = user_of(caller)?;
    let Some(client_id) = client_id.filter(|c| !c.is_empty()) else {
        return Err(Error::InvalidRequest(
            "Required request parameter 'clientId' for method parameter type String is not present"
                .into(),
        ));
    };
    deps.approvals
        .delete_approvals(zone, user, Some(client_id))
        .await?;
    Ok(ActionResult::ok(&format!(
        "Approvals of user {user} and client {client_id} revoked"
    )))
}

/// Parses UAA's `yyyy-MM-dd'T'HH:mm:ss[.SSS]'Z'` (UTC) into epoch milliseconds.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-');
    let (y, m, day): (i64, i64, i64) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let (hms, millis) = match time.split_once('.') {
        Some((h, ms)) if ms.len() == 3 => (h, ms.parse::<i64>().ok()?),
        Some(_) => return None,
        None => (time, 0),
    };
    let mut t = hms.split(':');
    let (hh, mm, ss): (i64, i64, i64) = (
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
    );
    if t.next().is_some() || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // H. Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_round_trip_with_uaa_format() {
        for ms in [0, 1_700_000_000_123, 951_782_400_000, 4_102_444_799_999] {
            assert_eq!(parse_iso8601(&iso8601(ms)), Some(ms), "{}", iso8601(ms));
        }
        assert_eq!(
            parse_iso8601("2024-02-29T12:00:00Z"),
            Some(1_709_208_000_000)
        );
        assert_eq!(parse_iso8601("2024-02-29 12:00:00Z"), None);
        assert_eq!(parse_iso8601("2024-13-01T00:00:00.000Z"), None);
        assert_eq!(parse_iso8601("yesterday"), None);
    }

    fn approval(client: &str, scope: &str, status: ApprovalStatus) -> Approval {
        Approval {
            user_id: "u1".into(),
            client_id: client.into(),
            scope: scope.into(),
            status,
            expires_ms: 0,
            last_modified_ms: 0,
        }
    }

    #[test]
    fn filters_evaluate_case_insensitively_over_approvals() {
        let a = approval("App", "openid", ApprovalStatus::Denied);
        let f = |t: &str| parse_filter(t).unwrap();
        assert!(eval(&f("user_id pr"), &a));
        assert!(eval(&f("client_id eq \"app\""), &a));
        assert!(eval(&f("status eq \"denied\" and scope sw \"open\""), &a));
        assert!(!eval(&f("client_id eq \"other\" or scope co \"x\""), &a));
        assert!(parse_filter("nope eq \"x\"").is_err());
        assert!(parse_filter("client_id eq").is_err());
    }
}
