//! Token revocation and listing (reference §3, RFC 7009) — being written.
