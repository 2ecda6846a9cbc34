//! SCIM user tests (being written).
