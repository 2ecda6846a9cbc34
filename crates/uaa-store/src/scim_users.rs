//! SCIM users over SQL.

use uaa_core::scim::users::ScimUserStore;

use crate::SqlStore;

impl ScimUserStore for SqlStore {}
