//! The SCIM group store's contract on each backend: names unique per zone in any case,
//! versioned updates and deletes, memberships in both directions, filtered and paged lists,
//! external mappings, all-or-nothing batches, and nested groups resolving transitively into a
//! user's groups.

use uaa_core::filter;
use uaa_core::ids::ZoneId;
use uaa_core::ports::{ListQuery, UserStore};
use uaa_core::scim::groups::{
    ExternalQuery, Group, GroupWrite, Member, MemberType, ScimGroupStore, errors,
};
use uaa_core::secret::SecretHash;
use uaa_core::user::NewUser;
use uaa_store::SqlStore;

use super::{postgres, sqlite};

fn group(id: &str, name: &str, created: i64) -> Group {
    Group {
        id: id.into(),
        display_name: name.into(),
        description: Some(format!("about {name}")),
        zone_id: ZoneId::uaa(),
        created,
        last_modified: created,
        version: 0,
    }
}

fn member(id: &str, kind: MemberType) -> Member {
    Member {
        id: id.into(),
        kind,
        origin: "uaa".into(),
    }
}

fn add(group_id: &str, m: Member) -> GroupWrite {
    GroupWrite::AddMember {
        group_id: group_id.into(),
        member: m,
        added: 1_700_000_000_000,
    }
}

async fn names(
    store: &SqlStore,
    filter: Option<&str>,
    sort_by: &str,
    ascending: bool,
) -> Vec<String> {
    let q = ListQuery {
        filter: filter.map(|f| filter::parse(f).unwrap()),
        sort_by: sort_by.into(),
        ascending,
        start_index: 1,
        count: 100,
    };
    let (groups, total) = store.list_groups(&ZoneId::uaa(), &q).await.unwrap();
    assert_eq!(total as usize, groups.len());
    groups.into_iter().map(|g| g.display_name).collect()
}

async fn groups_keep_unique_names_versions_and_members(store: &SqlStore) {
    let zone = ZoneId::uaa();
    let writes = vec![
        GroupWrite::Create(group("g-a", "team.a", 1_700_000_000_001)),
        GroupWrite::Create(group("g-b", "team.b", 1_700_000_000_002)),
        add("g-a", member("g-b", MemberType::Group)),
    ];
    store.apply_group_writes(&zone, writes).await.unwrap();
    assert_eq!(
        store.get_group(&zone, "g-a").await.unwrap(),
        Some(group("g-a", "team.a", 1_700_000_000_001))
    );
    let by_name = store.find_group_by_name(&zone, "TEAM.B").await.unwrap();
    assert_eq!(by_name.map(|g| g.id), Some("g-b".into()));
    assert_eq!(
        store.get_group(&ZoneId::new("other"), "g-a").await.unwrap(),
        None
    );

    // A taken name in another case fails the whole batch.
    let err = store
        .apply_group_writes(
            &zone,
            vec![
                GroupWrite::Create(group("g-c", "team.c", 1_700_000_000_003)),
                GroupWrite::Create(group("g-d", "TEAM.A", 1_700_000_000_004)),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(err, errors::group_exists("TEAM.A"));
    assert_eq!(store.get_group(&zone, "g-c").await.unwrap(), None);

    // Versioned updates.
    let mut renamed = group("g-b", "team.renamed", 1_700_000_000_002);
    renamed.version = 1;
    let stale = GroupWrite::Update {
        group: renamed.clone(),
        expected_version: 5,
    };
    assert_eq!(
        store
            .apply_group_writes(&zone, vec![stale])
            .await
            .unwrap_err(),
        errors::stale_version()
    );
    let taken = GroupWrite::Update {
        group: Group {
            display_name: "Team.A".into(),
            ..renamed.clone()
        },
        expected_version: 0,
    };
    assert_eq!(
        store
            .apply_group_writes(&zone, vec![taken])
            .await
            .unwrap_err(),
        errors::group_name_taken("Team.A")
    );
    let ok = GroupWrite::Update {
        group: renamed.clone(),
        expected_version: 0,
    };
    store.apply_group_writes(&zone, vec![ok]).await.unwrap();
    assert_eq!(store.get_group(&zone, "g-b").await.unwrap(), Some(renamed));

    // Members.
    let user = store
        .bootstrap_user(
            &zone,
            NewUser {
                username: "carol".into(),
                password_hash: SecretHash::new("$2a$10$x"),
                email: "carol@example.com".into(),
                given_name: None,
                family_name: None,
                origin: "uaa".into(),
                groups: vec![],
            },
        )
        .await
        .unwrap();
    let uid = user.id.as_str();
    assert!(
        store
            .member_exists(&zone, MemberType::User, uid)
            .await
            .unwrap()
    );
    assert!(
        !store
            .member_exists(&zone, MemberType::Group, uid)
            .await
            .unwrap()
    );
    assert!(
        store
            .member_exists(&zone, MemberType::Group, "g-a")
            .await
            .unwrap()
    );
    store
        .apply_group_writes(&zone, vec![add("g-b", member(uid, MemberType::User))])
        .await
        .unwrap();
    assert_eq!(
        store
            .apply_group_writes(&zone, vec![add("g-b", member(uid, MemberType::User))])
            .await
            .unwrap_err(),
        errors::already_member(uid, "g-b")
    );
    let mut all = store
        .members(&zone, &["g-a".into(), "g-b".into()])
        .await
        .unwrap();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        all,
        [
            ("g-a".to_owned(), member("g-b", MemberType::Group)),
            ("g-b".to_owned(), member(uid, MemberType::User)),
        ]
    );
    // Nested groups resolve transitively (carol ∈ g-b ∈ g-a).
    let scopes = store.user_groups(&zone, &user.id).await.unwrap();
    assert_eq!(scopes.to_vec(), ["team.a", "team.renamed"]);
    let gone = GroupWrite::RemoveMember {
        group_id: "g-a".into(),
        member_id: "nobody".into(),
    };
    assert_eq!(
        store
            .apply_group_writes(&zone, vec![gone])
            .await
            .unwrap_err(),
        errors::member_not_found("nobody", "g-a")
    );

    // Deleting g-b takes its memberships in both directions and its mappings.
    let map = GroupWrite::MapExternal {
        group_id: "g-b".into(),
        external_group: "cn=b".into(),
        origin: "ldap".into(),
        added: 1,
    };
    store.apply_group_writes(&zone, vec![map]).await.unwrap();
    let stale = GroupWrite::Delete {
        id: "g-b".into(),
        version: Some(7),
    };
    assert_eq!(
        store
            .apply_group_writes(&zone, vec![stale])
            .await
            .unwrap_err(),
        errors::delete_conflict("g-b")
    );
    let delete = GroupWrite::Delete {
        id: "g-b".into(),
        version: Some(1),
    };
    store.apply_group_writes(&zone, vec![delete]).await.unwrap();
    assert_eq!(store.get_group(&zone, "g-b").await.unwrap(), None);
    assert!(
        store
            .members(&zone, &["g-a".into()])
            .await
            .unwrap()
            .is_empty()
    );
    let mappings = store
        .external_mappings(&zone, &ExternalQuery::default())
        .await
        .unwrap();
    assert!(mappings.is_empty());
    assert_eq!(
        store.user_groups(&zone, &user.id).await.unwrap().to_vec(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn groups_keep_unique_names_versions_and_members_on_each_backend() {
    on_each_backend!(groups_keep_unique_names_versions_and_members);
}

async fn group_lists_filter_sort_and_page(store: &SqlStore) {
    let zone = ZoneId::uaa();
    let mut writes = Vec::new();
    for (i, name) in ["list.c", "list.a", "list.b"].iter().enumerate() {
        let created = 1_700_000_000_000 + i64::try_from(i).unwrap() * 1000;
        writes.push(GroupWrite::Create(group(&format!("l-{i}"), name, created)));
    }
    store.apply_group_writes(&zone, writes).await.unwrap();
    assert_eq!(
        names(store, None, "created", true).await,
        ["list.c", "list.a", "list.b"]
    );
    assert_eq!(
        names(store, None, "displayName", false).await,
        ["list.c", "list.b", "list.a"]
    );
    assert_eq!(
        names(store, None, "version,2", true).await,
        ["list.a", "list.b", "list.c"]
    );
    for (f, expected) in [
        ("displayName eq \"LIST.A\"", vec!["list.a"]),
        (
            "displayName co \"B\" or description sw \"about list.c\"",
            vec!["list.b", "list.c"],
        ),
        (
            "displayName gt \"list.a\" and displayName le \"list.b\"",
            vec!["list.b"],
        ),
        (
            "meta.created ge \"2023-11-14T22:13:21.000Z\"",
            vec!["list.a", "list.b"],
        ),
        ("created lt 1700000001000", vec!["list.c"]),
        (
            "description pr and version eq 0",
            vec!["list.a", "list.b", "list.c"],
        ),
        ("description eq null", vec![]),
    ] {
        assert_eq!(
            names(store, Some(f), "displayName", true).await,
            expected,
            "{f}"
        );
    }
    let page = ListQuery {
        filter: None,
        sort_by: "displayName".into(),
        ascending: true,
        start_index: 2,
        count: 1,
    };
    let (groups, total) = store.list_groups(&zone, &page).await.unwrap();
    assert_eq!(
        (groups[0].display_name.as_str(), groups.len(), total),
        ("list.b", 1, 3)
    );
    for (f, sort) in [("userName eq \"x\"", "created"), ("id pr", "meta.created")] {
        let q = ListQuery {
            filter: Some(filter::parse(f).unwrap()),
            sort_by: sort.into(),
            ..page.clone()
        };
        let err = store.list_groups(&zone, &q).await.unwrap_err();
        assert!(
            matches!(&err, uaa_core::error::Error::Report { error, .. } if error == "invalid_filter"),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn group_lists_filter_sort_and_page_on_each_backend() {
    on_each_backend!(group_lists_filter_sort_and_page);
}

async fn external_mappings_are_kept_once_and_filtered(store: &SqlStore) {
    let zone = ZoneId::uaa();
    let map = |group_id: &str, eg: &str, origin: &str| GroupWrite::MapExternal {
        group_id: group_id.into(),
        external_group: eg.into(),
        origin: origin.into(),
        added: 1_700_000_000_000,
    };
    store
        .apply_group_writes(
            &zone,
            vec![
                GroupWrite::Create(group("e-1", "ext.one", 1)),
                GroupWrite::Create(group("e-2", "ext.two", 2)),
                map("e-1", "cn=a", "ldap"),
                map("e-1", "cn=a", "ldap"),
                map("e-1", "cn=a", "oidc"),
                map("e-2", "cn=b", "ldap"),
            ],
        )
        .await
        .unwrap();
    let list = |q: ExternalQuery| async move {
        store
            .external_mappings(&ZoneId::uaa(), &q)
            .await
            .unwrap()
            .into_iter()
            .map(|m| format!("{}|{}|{}", m.display_name, m.external_group, m.origin))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        list(ExternalQuery::default()).await,
        [
            "ext.one|cn=a|ldap",
            "ext.one|cn=a|oidc",
            "ext.two|cn=b|ldap"
        ]
    );
    let by_origin = ExternalQuery {
        origin: Some("oidc".into()),
        ..ExternalQuery::default()
    };
    assert_eq!(list(by_origin).await, ["ext.one|cn=a|oidc"]);
    let by_filter = ExternalQuery {
        filter: Some(
            filter::parse("externalGroup eq \"CN=B\" and g.displayName eq \"ext.two\"").unwrap(),
        ),
        ..ExternalQuery::default()
    };
    assert_eq!(list(by_filter).await, ["ext.two|cn=b|ldap"]);
    let unmap = GroupWrite::UnmapExternal {
        group_id: "e-1".into(),
        external_group: "cn=a".into(),
        origin: "oidc".into(),
    };
    store
        .apply_group_writes(&zone, vec![unmap.clone()])
        .await
        .unwrap();
    assert_eq!(
        store
            .apply_group_writes(&zone, vec![unmap])
            .await
            .unwrap_err(),
        errors::mapping_not_found("e-1", "cn=a")
    );
}

#[tokio::test]
async fn external_mappings_are_kept_once_and_filtered_on_each_backend() {
    on_each_backend!(external_mappings_are_kept_once_and_filtered);
}
