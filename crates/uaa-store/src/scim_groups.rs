//! SCIM groups over SQL.

use uaa_core::scim::groups::ScimGroupStore;

use crate::SqlStore;

impl ScimGroupStore for SqlStore {}
