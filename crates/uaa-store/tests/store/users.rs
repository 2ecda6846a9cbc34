//! The SCIM user store's contract on each backend: a user round-trips every column, versioned
//! updates and deletes refuse stale versions, default groups become memberships in the same
//! transaction, and the lockout count reads `sec_audit` as §6.2 says.

use uaa_core::audit::{AuditEvent, AuditEventType};
use uaa_core::error::Error;
use uaa_core::filter;
use uaa_core::ids::{UserId, ZoneId};
use uaa_core::ports::{AuditStore, ListQuery};
use uaa_core::scim::users::{LoginFailures, ScimUserStore, UserRecord};
use uaa_core::secret::SecretHash;
use uaa_store::SqlStore;

use super::{postgres, sqlite};

fn user(id: &str, name: &str) -> UserRecord {
    UserRecord {
        id: UserId::new(id),
        zone_id: ZoneId::uaa(),
        version: 0,
        created: 1_700_000_000_000,
        last_modified: 1_700_000_000_001,
        username: name.into(),
        email: format!("{name}@example.com"),
        given_name: Some("Given".into()),
        family_name: None,
        active: true,
        phone_number: Some("555".into()),
        verified: false,
        origin: "uaa".into(),
        external_id: Some("ext".into()),
        salt: None,
        passwd_lastmodified: Some(1_700_000_000_000),
        passwd_change_required: false,
        last_logon_success_time: None,
        previous_logon_success_time: None,
        password_hash: SecretHash::new("$2a$10$hash"),
    }
}

async fn users_round_trip_and_refuse_stale_versions(store: &SqlStore) {
    let zone = ZoneId::uaa();
    let u = user("u-1", "Alice");
    store
        .create_scim_user(&zone, &u, &["uaa.user".into(), "openid".into()])
        .await
        .unwrap();
    assert_eq!(
        store.get_scim_user(&zone, "u-1").await.unwrap(),
        Some(u.clone())
    );
    // Usernames are unique per zone and origin, whatever their case; nothing is half-written.
    let err = store
        .create_scim_user(&zone, &user("u-2", "ALICE"), &["uaa.user".into()])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Report { status: 409, .. }), "{err:?}");
    assert_eq!(store.get_scim_user(&zone, "u-2").await.unwrap(), None);
    let groups = store
        .groups_of_users(&zone, &["u-1".into(), "u-2".into()])
        .await
        .unwrap();
    let mut names: Vec<_> = groups["u-1"]
        .iter()
        .map(|g| g.display_name.clone())
        .collect();
    names.sort();
    assert_eq!(names, ["openid", "uaa.user"]);
    assert!(groups["u-1"].iter().all(|g| g.direct));
    assert!(!groups.contains_key("u-2"));
    // Versioned update.
    let mut changed = u.clone();
    changed.version = 1;
    changed.given_name = None;
    changed.phone_number = None;
    assert!(!store.update_scim_user(&zone, &changed, 5).await.unwrap());
    assert!(store.update_scim_user(&zone, &changed, 0).await.unwrap());
    assert_eq!(
        store.get_scim_user(&zone, "u-1").await.unwrap(),
        Some(changed)
    );
    assert!(
        store
            .set_user_verified(&zone, "u-1", Some(1))
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_user_verified(&zone, "u-1", Some(0))
            .await
            .unwrap()
    );
    assert!(
        store
            .set_password_change_required(&zone, "u-1", true)
            .await
            .unwrap()
    );
    let stored = store.get_scim_user(&zone, "u-1").await.unwrap().unwrap();
    assert!(stored.verified && stored.passwd_change_required);
    assert!(
        store
            .set_user_password(&zone, "u-1", &SecretHash::new("$2a$10$new"), 5, 4)
            .await
            .unwrap()
    );
    let stored = store.get_scim_user(&zone, "u-1").await.unwrap().unwrap();
    assert_eq!(
        (stored.password_hash.as_str(), stored.passwd_lastmodified),
        ("$2a$10$new", Some(4))
    );
    // Lists filter with the user attribute names.
    let q = ListQuery {
        filter: Some(
            filter::parse("userName eq \"alice\" and phoneNumbers.value eq null").unwrap(),
        ),
        sort_by: "created".into(),
        ascending: true,
        start_index: 1,
        count: 10,
    };
    let (found, total) = store.list_scim_users(&zone, &q).await.unwrap();
    assert_eq!((found.len(), total), (1, 1));
    // Versioned delete: a stale version deletes nothing.
    assert!(!store.delete_scim_user(&zone, "u-1", Some(0)).await.unwrap());
    assert!(store.get_scim_user(&zone, "u-1").await.unwrap().is_some());
    assert!(store.delete_scim_user(&zone, "u-1", Some(1)).await.unwrap());
    assert_eq!(store.get_scim_user(&zone, "u-1").await.unwrap(), None);
    assert!(
        store
            .groups_of_users(&zone, &["u-1".into()])
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn users_round_trip_and_refuse_stale_versions_on_each_backend() {
    on_each_backend!(users_round_trip_and_refuse_stale_versions);
}

async fn event(store: &SqlStore, principal: &str, t: AuditEventType, at: i64) {
    store
        .record(&AuditEvent {
            event_type: t,
            principal_id: principal.into(),
            origin: "test".into(),
            data: String::new(),
            zone_id: ZoneId::uaa(),
            created_ms: at,
        })
        .await
        .unwrap();
}

async fn lockout_counts_failures_after_the_last_reset(store: &SqlStore) {
    use AuditEventType::*;
    let zone = ZoneId::uaa();
    let count = |since| store.login_failures(&zone, "p", since);
    assert_eq!(count(0).await.unwrap(), LoginFailures::default());
    event(store, "p", UserAuthenticationFailure, 100).await;
    event(store, "p", UserAuthenticationFailure, 200).await;
    event(store, "other", UserAuthenticationFailure, 250).await;
    assert_eq!(
        count(0).await.unwrap(),
        LoginFailures {
            count: 2,
            last_failure_ms: Some(200)
        }
    );
    // The window cuts older failures.
    assert_eq!(count(150).await.unwrap().count, 1);
    // A success, an unlock or a password change resets the count, even within one millisecond.
    for reset in [
        UserAuthenticationSuccess,
        UserAccountUnlockedEvent,
        PasswordChangeSuccess,
    ] {
        event(store, "p", reset, 300).await;
        assert_eq!(count(0).await.unwrap().count, 0, "{reset:?}");
        event(store, "p", UserAuthenticationFailure, 300).await;
        assert_eq!(count(0).await.unwrap().count, 1, "{reset:?}");
    }
}

#[tokio::test]
async fn lockout_counts_failures_after_the_last_reset_on_each_backend() {
    on_each_backend!(lockout_counts_failures_after_the_last_reset);
}
