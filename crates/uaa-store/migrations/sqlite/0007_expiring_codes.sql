-- UAA's `expiring_code_store`: one-time codes with an intent (AUTOLOGIN first; invitations,
-- sign-up and password resets later). `code` holds the SHA-256 (hex) of the code handed out,
-- never the code itself; `data` is the JSON the code stands for. A code is deleted when it is
-- taken, and is worthless after `expiresat` (epoch milliseconds).
CREATE TABLE expiring_code_store (
    code             VARCHAR(255) NOT NULL PRIMARY KEY,
    expiresat        BIGINT       NOT NULL,
    data             TEXT         NOT NULL,
    intent           TEXT,
    identity_zone_id VARCHAR(36)  NOT NULL
);
CREATE INDEX expiring_code_store_expiresat ON expiring_code_store (expiresat);
