//! SCIM users (reference §4.1–4.3): the resource, its rules, and the storage port.

use async_trait::async_trait;

/// Storage of SCIM users (the `users` table), beyond what authentication needs
/// (`ports::UserStore`).
#[async_trait]
pub trait ScimUserStore: Send + Sync {}
