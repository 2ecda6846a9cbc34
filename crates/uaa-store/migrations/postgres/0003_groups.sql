-- SCIM groups (reference §4.4): external group mappings and the indexes the group API needs.
-- Names follow UAA's schema (db/*/V2_4_1__Zonify_Group_Memberships.sql, V4_0_6, V4_9_0).

-- Members of `external_group` at identity provider `origin` get the group `group_id`.
-- UAA stores `external_group` in lower case; one mapping per zone, origin, external group
-- and group.
CREATE TABLE external_group_mapping (
    group_id         VARCHAR(36)  NOT NULL,
    external_group   VARCHAR(255) NOT NULL,
    added            BIGINT       NOT NULL,
    origin           VARCHAR(36)  NOT NULL DEFAULT 'ldap',
    identity_zone_id VARCHAR(36)  NOT NULL
);
CREATE UNIQUE INDEX external_group_unique_key
    ON external_group_mapping (identity_zone_id, origin, external_group, group_id);
CREATE INDEX external_group_mapping_group ON external_group_mapping (identity_zone_id, group_id);

-- Display names are unique per zone regardless of case (UAA V4_9_0 groups_unique_lower_key),
-- and this index serves the case-insensitive lookups by name.
CREATE UNIQUE INDEX groups_unique_lower_key ON groups (identity_zone_id, lower(displayname));
-- The default sort of `GET /Groups`.
CREATE INDEX groups_zone_created ON groups (identity_zone_id, created);
