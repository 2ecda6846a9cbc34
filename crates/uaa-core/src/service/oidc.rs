//! OpenID Connect: ID tokens, userinfo, discovery (reference §2.6, §3) — being written.
