//! Client registry bodies (`/oauth/clients`): UAA's `UaaClientDetails` JSON with its quirks.
//! On input, list fields accept an array or a comma string and validities accept a number or a
//! numeric string (uaac sends `"600"`); unknown fields are kept as additional information and
//! echoed back. On output, empty fields are omitted (`JsonInclude.NON_DEFAULT`) and the secret
//! never appears.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A client as sent to and returned by the client registry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientDetails {
    #[serde(
        default,
        deserialize_with = "list",
        skip_serializing_if = "Option::is_none"
    )]
    pub scope: Option<Vec<String>>,
    #[serde(default)]
    pub client_id: String,
    /// Write-only: accepted on create, never serialised.
    #[serde(default, skip_serializing, deserialize_with = "opt_string")]
    pub client_secret: Option<String>,
    #[serde(
        default,
        deserialize_with = "list",
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_ids: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "list",
        skip_serializing_if = "Option::is_none"
    )]
    pub authorized_grant_types: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "list",
        skip_serializing_if = "Option::is_none"
    )]
    pub redirect_uri: Option<Vec<String>>,
    /// `true` is kept as `["true"]`, as UAA stores and returns it.
    #[serde(
        default,
        deserialize_with = "autoapprove",
        skip_serializing_if = "Option::is_none"
    )]
    pub autoapprove: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "list",
        skip_serializing_if = "Option::is_none"
    )]
    pub authorities: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "int",
        skip_serializing_if = "Option::is_none"
    )]
    pub access_token_validity: Option<i64>,
    #[serde(
        default,
        deserialize_with = "int",
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token_validity: Option<i64>,
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub token_salt: Option<String>,
    #[serde(
        default,
        deserialize_with = "list",
        skip_serializing_if = "Option::is_none"
    )]
    pub allowedproviders: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    #[serde(
        rename = "lastModified",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified: Option<i64>,
    #[serde(
        default,
        deserialize_with = "list",
        skip_serializing_if = "Option::is_none"
    )]
    pub required_user_groups: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "boolish",
        skip_serializing_if = "Option::is_none"
    )]
    pub allowpublic: Option<bool>,
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub createdwith: Option<String>,
    /// Create only: a second secret, appended as the rotation hash.
    #[serde(default, skip_serializing, deserialize_with = "opt_string")]
    pub secondary_client_secret: Option<String>,
    /// `/oauth/clients/tx/modify` only.
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub action: Option<String>,
    /// tx responses only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvals_deleted: Option<bool>,
    /// Everything else: UAA's additional information, echoed back.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

/// `PUT /oauth/clients/{id}/secret` and `/oauth/clients/tx/secret` items (`SecretChangeRequest`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretChangeRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_mode: Option<String>,
}

/// `{"status":"ok","message":"secret updated"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionResult {
    pub status: String,
    pub message: String,
}

impl ActionResult {
    pub fn ok(message: &str) -> Self {
        Self {
            status: "ok".into(),
            message: message.into(),
        }
    }
}

/// `/oauth/clients/{id}/meta` (`ClientMetadata`, camelCase).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    #[serde(default)]
    pub show_on_home_page: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_launch_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_icon: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// A SCIM-style list: `{"resources","startIndex","itemsPerPage","totalResults","schemas"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults<T> {
    pub resources: Vec<T>,
    pub start_index: u64,
    pub items_per_page: u64,
    pub total_results: u64,
    pub schemas: Vec<String>,
}

/// Schema URN of the client list (`SearchResults` of `/oauth/clients`).
pub const CLIENT_SCHEMA: &str = "http://cloudfoundry.org/schema/scim/oauth-clients-1.0";

fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(
            s.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect(),
        )),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                other => Err(de::Error::custom(format!(
                    "expected a string in the list, found {other}"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(de::Error::custom(format!(
            "expected an array or a comma-separated string, found {other}"
        ))),
    }
}

fn autoapprove<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        Some(Value::Bool(true)) => Ok(Some(vec!["true".into()])),
        Some(Value::Bool(false)) => Ok(Some(vec![])),
        other => list(other.unwrap_or(Value::Null)).map_err(de::Error::custom),
    }
}

fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("expected an integer, found {n}"))),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("expected an integer, found \"{s}\""))),
        Some(other) => Err(de::Error::custom(format!(
            "expected an integer, found {other}"
        ))),
    }
}

fn boolish<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => Err(de::Error::custom(format!(
            "expected a boolean, found {other}"
        ))),
    }
}

fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(de::Error::custom(format!(
            "expected a string, found {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_accept_arrays_and_comma_strings() {
        let c: ClientDetails = serde_json::from_str(
            r#"{"client_id":"a","scope":"x, y","authorities":["z"],"access_token_validity":"600","autoapprove":true,"foo":"bar"}"#,
        )
        .unwrap();
        assert_eq!(c.scope.unwrap(), vec!["x", "y"]);
        assert_eq!(c.authorities.unwrap(), vec!["z"]);
        assert_eq!(c.access_token_validity, Some(600));
        assert_eq!(c.autoapprove.unwrap(), vec!["true"]);
        assert_eq!(c.additional["foo"], "bar");
    }

    #[test]
    fn the_secret_is_never_serialised() {
        let c = ClientDetails {
            client_id: "a".into(),
            client_secret: Some("s".into()),
            secondary_client_secret: Some("t".into()),
            ..Default::default()
        };
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, r#"{"client_id":"a"}"#);
    }

    #[test]
    fn wrong_field_types_are_rejected() {
        assert!(serde_json::from_str::<ClientDetails>(r#"{"client_id":"a","scope":5}"#).is_err());
        assert!(
            serde_json::from_str::<ClientDetails>(
                r#"{"client_id":"a","access_token_validity":"x"}"#
            )
            .is_err()
        );
    }
}
