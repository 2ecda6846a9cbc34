//! SCIM groups (reference §4.4): the resource, members, external group mappings, and the
//! storage port.

use async_trait::async_trait;

/// Storage of SCIM groups (`groups`, `group_membership`, `external_group_mapping`).
#[async_trait]
pub trait ScimGroupStore: Send + Sync {}
