//! SCIM group tests (being written).
