-- Table and column names follow UAA's schema (server/src/main/resources/org/cloudfoundry/
-- identity/uaa/db/*/V*.sql) so the data model reads the same to a UAA operator.
-- Timestamps are epoch milliseconds (BIGINT), the one representation both SQLite and
-- PostgreSQL store and compare the same way. Every row carries identity_zone_id.

CREATE TABLE identity_zone (
    id            VARCHAR(36)  NOT NULL PRIMARY KEY,
    subdomain     VARCHAR(255) NOT NULL,
    name          VARCHAR(255) NOT NULL,
    description   TEXT,
    version       BIGINT       NOT NULL DEFAULT 0,
    created       BIGINT       NOT NULL,
    lastmodified  BIGINT       NOT NULL,
    config        TEXT,
    active        BOOLEAN      NOT NULL DEFAULT TRUE
);
CREATE UNIQUE INDEX identity_zone_subdomain ON identity_zone (subdomain);

CREATE TABLE oauth_client_details (
    client_id               VARCHAR(255) NOT NULL,
    identity_zone_id        VARCHAR(36)  NOT NULL,
    resource_ids            TEXT,
    client_secret           TEXT,
    scope                   TEXT,
    authorized_grant_types  TEXT,
    web_server_redirect_uri TEXT,
    authorities             TEXT,
    access_token_validity   BIGINT,
    refresh_token_validity  BIGINT,
    additional_information  TEXT,
    autoapprove             TEXT,
    lastmodified            BIGINT       NOT NULL,
    required_user_groups    TEXT,
    created_by              VARCHAR(36),
    show_on_home_page       BOOLEAN      NOT NULL DEFAULT FALSE,
    app_launch_url          TEXT,
    app_icon                TEXT,
    PRIMARY KEY (client_id, identity_zone_id)
);

CREATE TABLE users (
    id                          VARCHAR(36)  NOT NULL PRIMARY KEY,
    created                     BIGINT       NOT NULL,
    lastmodified                BIGINT       NOT NULL,
    version                     BIGINT       NOT NULL DEFAULT 0,
    username                    VARCHAR(255) NOT NULL,
    password                    TEXT         NOT NULL,
    email                       VARCHAR(255) NOT NULL,
    authorities                 TEXT,
    givenname                   VARCHAR(255),
    familyname                  VARCHAR(255),
    active                      BOOLEAN      NOT NULL DEFAULT TRUE,
    phonenumber                 VARCHAR(255),
    verified                    BOOLEAN      NOT NULL DEFAULT TRUE,
    origin                      VARCHAR(36)  NOT NULL DEFAULT 'uaa',
    external_id                 VARCHAR(255),
    identity_zone_id            VARCHAR(36)  NOT NULL,
    salt                        VARCHAR(36),
    passwd_lastmodified         BIGINT,
    passwd_change_required      BOOLEAN      NOT NULL DEFAULT FALSE,
    last_logon_success_time     BIGINT,
    previous_logon_success_time BIGINT
);
CREATE UNIQUE INDEX users_unique_key ON users (identity_zone_id, origin, lower(username));

CREATE TABLE groups (
    id               VARCHAR(36)  NOT NULL PRIMARY KEY,
    displayname      VARCHAR(255) NOT NULL,
    description      TEXT,
    created          BIGINT       NOT NULL,
    lastmodified     BIGINT       NOT NULL,
    version          BIGINT       NOT NULL DEFAULT 0,
    identity_zone_id VARCHAR(36)  NOT NULL
);
CREATE UNIQUE INDEX groups_unique_key ON groups (identity_zone_id, displayname);

CREATE TABLE group_membership (
    group_id         VARCHAR(36)  NOT NULL,
    member_id        VARCHAR(36)  NOT NULL,
    member_type      VARCHAR(8)   NOT NULL DEFAULT 'USER',
    authorities      VARCHAR(255) NOT NULL DEFAULT 'READ',
    added            BIGINT       NOT NULL,
    origin           VARCHAR(36)  NOT NULL DEFAULT 'uaa',
    identity_zone_id VARCHAR(36)  NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX group_membership_member ON group_membership (member_id);

CREATE TABLE revocable_tokens (
    token_id         VARCHAR(36)  NOT NULL PRIMARY KEY,
    client_id        VARCHAR(255) NOT NULL,
    user_id          VARCHAR(36),
    format           VARCHAR(255),
    response_type    VARCHAR(25)  NOT NULL,
    issued_at        BIGINT       NOT NULL,
    expires_at       BIGINT       NOT NULL,
    scope            TEXT,
    data             TEXT         NOT NULL,
    identity_zone_id VARCHAR(36)  NOT NULL
);
CREATE INDEX revocable_tokens_client ON revocable_tokens (identity_zone_id, client_id);
CREATE INDEX revocable_tokens_user ON revocable_tokens (identity_zone_id, user_id);
CREATE INDEX revocable_tokens_expires ON revocable_tokens (expires_at);

CREATE TABLE sec_audit (
    id               BIGSERIAL    PRIMARY KEY,
    principal_id     VARCHAR(255) NOT NULL,
    event_type       INTEGER      NOT NULL,
    origin           VARCHAR(255) NOT NULL,
    event_data       TEXT,
    created          BIGINT       NOT NULL,
    identity_zone_id VARCHAR(36)  NOT NULL
);
CREATE INDEX sec_audit_principal ON sec_audit (principal_id, created);

-- Our addition: the signing key generated when uaa.yml configures none, so tokens survive a
-- restart and every instance sharing the database signs with the same key.
CREATE TABLE signing_keys (
    identity_zone_id VARCHAR(36)  NOT NULL PRIMARY KEY,
    kid              VARCHAR(255) NOT NULL,
    key_pem          TEXT         NOT NULL,
    created          BIGINT       NOT NULL
);
