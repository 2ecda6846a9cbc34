//! Audit events (UAA `AuditEventType`). The numeric codes are persisted in `sec_audit` and must
//! never change: UAA's lockout counts rows by these codes.

use crate::ids::ZoneId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum AuditEventType {
    UserAuthenticationSuccess = 0,
    UserAuthenticationFailure = 1,
    UserNotFound = 2,
    PasswordChangeSuccess = 3,
    PrincipalAuthenticationSuccess = 4,
    PrincipalAuthenticationFailure = 5,
    PrincipalNotFound = 6,
    PasswordChangeFailure = 7,
    SecretChangeSuccess = 8,
    SecretChangeFailure = 9,
    ClientCreateSuccess = 10,
    ClientUpdateSuccess = 11,
    ClientDeleteSuccess = 12,
    ClientApprovalsDeleted = 13,
    ClientAuthenticationSuccess = 14,
    ClientAuthenticationFailure = 15,
    ApprovalModifiedEvent = 16,
    TokenIssuedEvent = 17,
    UserCreatedEvent = 18,
    UserModifiedEvent = 19,
    UserDeletedEvent = 20,
    UserVerifiedEvent = 21,
    PasswordResetRequest = 22,
    GroupCreatedEvent = 23,
    GroupModifiedEvent = 24,
    GroupDeletedEvent = 25,
    EmailChangedEvent = 26,
    UnverifiedUserAuthentication = 27,
    IdentityProviderCreatedEvent = 28,
    IdentityProviderModifiedEvent = 29,
    IdentityZoneCreatedEvent = 30,
    IdentityZoneModifiedEvent = 31,
    EntityDeletedEvent = 32,
    ServiceProviderCreatedEvent = 33,
    ServiceProviderModifiedEvent = 34,
    UserAccountUnlockedEvent = 35,
    TokenRevocationEvent = 36,
    IdentityProviderAuthenticationSuccess = 37,
    IdentityProviderAuthenticationFailure = 38,
    MfaAuthenticationSuccess = 39,
    MfaAuthenticationFailure = 40,
    ClientJwtChangeSuccess = 41,
    ClientJwtChangeFailure = 42,
}

impl AuditEventType {
    pub fn code(self) -> i32 {
        self as i32
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::UserAuthenticationSuccess => "UserAuthenticationSuccess",
            Self::UserAuthenticationFailure => "UserAuthenticationFailure",
            Self::UserNotFound => "UserNotFound",
            Self::PasswordChangeSuccess => "PasswordChangeSuccess",
            Self::PrincipalAuthenticationSuccess => "PrincipalAuthenticationSuccess",
            Self::PrincipalAuthenticationFailure => "PrincipalAuthenticationFailure",
            Self::PrincipalNotFound => "PrincipalNotFound",
            Self::PasswordChangeFailure => "PasswordChangeFailure",
            Self::SecretChangeSuccess => "SecretChangeSuccess",
            Self::SecretChangeFailure => "SecretChangeFailure",
            Self::ClientCreateSuccess => "ClientCreateSuccess",
            Self::ClientUpdateSuccess => "ClientUpdateSuccess",
            Self::ClientDeleteSuccess => "ClientDeleteSuccess",
            Self::ClientApprovalsDeleted => "ClientApprovalsDeleted",
            Self::ClientAuthenticationSuccess => "ClientAuthenticationSuccess",
            Self::ClientAuthenticationFailure => "ClientAuthenticationFailure",
            Self::ApprovalModifiedEvent => "ApprovalModifiedEvent",
            Self::TokenIssuedEvent => "TokenIssuedEvent",
            Self::UserCreatedEvent => "UserCreatedEvent",
            Self::UserModifiedEvent => "UserModifiedEvent",
            Self::UserDeletedEvent => "UserDeletedEvent",
            Self::UserVerifiedEvent => "UserVerifiedEvent",
            Self::PasswordResetRequest => "PasswordResetRequest",
            Self::GroupCreatedEvent => "GroupCreatedEvent",
            Self::GroupModifiedEvent => "GroupModifiedEvent",
            Self::GroupDeletedEvent => "GroupDeletedEvent",
            Self::EmailChangedEvent => "EmailChangedEvent",
            Self::UnverifiedUserAuthentication => "UnverifiedUserAuthentication",
            Self::IdentityProviderCreatedEvent => "IdentityProviderCreatedEvent",
            Self::IdentityProviderModifiedEvent => "IdentityProviderModifiedEvent",
            Self::IdentityZoneCreatedEvent => "IdentityZoneCreatedEvent",
            Self::IdentityZoneModifiedEvent => "IdentityZoneModifiedEvent",
            Self::EntityDeletedEvent => "EntityDeletedEvent",
            Self::ServiceProviderCreatedEvent => "ServiceProviderCreatedEvent",
            Self::ServiceProviderModifiedEvent => "ServiceProviderModifiedEvent",
            Self::UserAccountUnlockedEvent => "UserAccountUnlockedEvent",
            Self::TokenRevocationEvent => "TokenRevocationEvent",
            Self::IdentityProviderAuthenticationSuccess => "IdentityProviderAuthenticationSuccess",
            Self::IdentityProviderAuthenticationFailure => "IdentityProviderAuthenticationFailure",
            Self::MfaAuthenticationSuccess => "MfaAuthenticationSuccess",
            Self::MfaAuthenticationFailure => "MfaAuthenticationFailure",
            Self::ClientJwtChangeSuccess => "ClientJwtChangeSuccess",
            Self::ClientJwtChangeFailure => "ClientJwtChangeFailure",
        }
    }
}

/// One audit record (`sec_audit` row). `data` never contains a secret, a password or a hash.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub event_type: AuditEventType,
    /// The principal the event is about (client id or user id).
    pub principal_id: String,
    /// Who or what caused it (`caller=…`, remote address), UAA's `origin` column.
    pub origin: String,
    pub data: String,
    pub zone_id: ZoneId,
    pub created_ms: i64,
}
