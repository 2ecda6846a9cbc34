-- The browser side of OAuth (reference §3, /oauth/authorize and /approvals): authorization
-- codes, login sessions and the users' approvals. Names follow UAA's schema where UAA has the
-- table (oauth_code, authz_approvals); timestamps are epoch milliseconds.

-- Authorization codes (UAA `oauth_code`). `code` holds the SHA-256 (hex) of the code handed
-- to the client, never the code itself; `authentication` is the authorization it stands for,
-- as JSON. A code is deleted when it is redeemed, and is worthless after `expiresat`.
CREATE TABLE oauth_code (
    code             VARCHAR(64)  NOT NULL PRIMARY KEY,
    authentication   TEXT         NOT NULL,
    created          BIGINT       NOT NULL,
    expiresat        BIGINT       NOT NULL,
    user_id          VARCHAR(36)  NOT NULL,
    client_id        VARCHAR(255) NOT NULL,
    identity_zone_id VARCHAR(36)  NOT NULL
);
CREATE INDEX oauth_code_expiresat ON oauth_code (expiresat);

-- Our addition: browser login sessions, shared by every instance on the database.
-- `session_id` is the SHA-256 (hex) of the cookie value; `pending` is the authorization
-- request waiting for the user's approval (JSON).
CREATE TABLE login_sessions (
    session_id       VARCHAR(64)  NOT NULL PRIMARY KEY,
    user_id          VARCHAR(36)  NOT NULL,
    auth_time        BIGINT       NOT NULL,
    csrf_token       VARCHAR(64)  NOT NULL,
    pending          TEXT,
    created          BIGINT       NOT NULL,
    expires_at       BIGINT       NOT NULL,
    identity_zone_id VARCHAR(36)  NOT NULL
);
CREATE INDEX login_sessions_expires ON login_sessions (expires_at);
CREATE INDEX login_sessions_user ON login_sessions (identity_zone_id, user_id);

-- A user's approval or denial of one scope for one client (UAA `authz_approvals`).
CREATE TABLE authz_approvals (
    user_id          VARCHAR(36)  NOT NULL,
    client_id        VARCHAR(255) NOT NULL,
    scope            VARCHAR(255) NOT NULL,
    expiresat        BIGINT       NOT NULL,
    status           VARCHAR(50)  NOT NULL DEFAULT 'APPROVED',
    lastmodifiedat   BIGINT       NOT NULL,
    identity_zone_id VARCHAR(36)  NOT NULL,
    PRIMARY KEY (identity_zone_id, user_id, client_id, scope)
);
CREATE INDEX authz_approvals_client ON authz_approvals (identity_zone_id, client_id);
