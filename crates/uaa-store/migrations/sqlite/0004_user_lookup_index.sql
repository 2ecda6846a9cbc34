-- Case-insensitive username lookups (`userName eq/sw "…"` filters, the password grant's user
-- lookup across origins) read this expression index instead of scanning `users`.
CREATE INDEX users_zone_lower_username ON users (identity_zone_id, lower(username));
