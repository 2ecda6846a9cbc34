//! Secret and password policies (UAA `clientSecretPolicy`, `passwordPolicy`, and the lockout
//! policy). UAA checks these with Passay; the messages below are Passay's default texts with the
//! subject UAA puts in front ("Password" for users, "Client secret" for clients).

use serde::{Deserialize, Serialize};

/// Character-class and length rules shared by client secrets (UAA
/// `oauth.client.secret.policy`) and user passwords (UAA `password.policy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StrengthPolicy {
    pub min_length: usize,
    pub max_length: usize,
    pub require_upper_case_character: usize,
    pub require_lower_case_character: usize,
    pub require_digit: usize,
    pub require_special_character: usize,
}

impl Default for StrengthPolicy {
    /// UAA's defaults: `minLength` 0, `maxLength` 255, no character-class requirement.
    fn default() -> Self {
        Self {
            min_length: 0,
            max_length: 255,
            require_upper_case_character: 0,
            require_lower_case_character: 0,
            require_digit: 0,
            require_special_character: 0,
        }
    }
}

impl StrengthPolicy {
    /// Checks `candidate` and returns every violated rule's message, sorted as UAA sorts them
    /// before joining them with spaces (`InvalidClientSecretException`, `InvalidPasswordException`).
    pub fn violations(&self, subject: &str, candidate: &str) -> Vec<String> {
        let len = candidate.chars().count();
        let count = |f: fn(&char) -> bool| candidate.chars().filter(f).count();
        let mut out = Vec::new();
        if len < self.min_length {
            out.push(format!(
                "{subject} must be at least {} characters in length.",
                self.min_length
            ));
        }
        if len > self.max_length {
            out.push(format!(
                "{subject} must be no more than {} characters in length.",
                self.max_length
            ));
        }
        let classes: [(usize, CharClass, &str); 4] = [
            (
                self.require_upper_case_character,
                |c| c.is_uppercase(),
                "uppercase",
            ),
            (
                self.require_lower_case_character,
                |c| c.is_lowercase(),
                "lowercase",
            ),
            (self.require_digit, char::is_ascii_digit, "digit"),
            (self.require_special_character, is_special, "special"),
        ];
        for (needed, class, name) in classes {
            if needed > 0 && count(class) < needed {
                out.push(format!(
                    "{subject} must contain at least {needed} {name} characters."
                ));
            }
        }
        out.sort();
        out
    }

    /// The single message UAA reports: the sorted violations joined by spaces, or `None`.
    pub fn check(&self, subject: &str, candidate: &str) -> Option<String> {
        let v = self.violations(subject, candidate);
        (!v.is_empty()).then(|| v.join(" "))
    }
}

/// A character-class predicate of the strength rules.
type CharClass = fn(&char) -> bool;

fn is_special(c: &char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

/// UAA `password.policy`: the strength rules plus expiry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub strength: StrengthPolicy,
    /// `expirePasswordInMonths`; 0 means never.
    pub expire_password_in_months: u32,
}

/// UAA `authentication.policy` (`PeriodLockoutPolicy`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub lockout_after_failures: u32,
    pub count_failures_within_seconds: u64,
    pub lockout_period_seconds: u64,
}

impl Default for LockoutPolicy {
    /// UAA defaults: 5 failures within 1200 s lock the account for 300 s.
    fn default() -> Self {
        Self {
            lockout_after_failures: 5,
            count_failures_within_seconds: 1200,
            lockout_period_seconds: 300,
        }
    }
}

/// Who may change a client's secret through `PUT /oauth/clients/{id}/secret`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretChangePolicy {
    /// UAA ≥ 74.0: admins change any secret; a `clients.secret` holder changes its own with
    /// a valid `oldSecret`, with a client token or a user token alike.
    #[default]
    Current,
    /// UAA ≤ 73.7 (`oauth.client.secret.requireClientToken: true`): any token that represents a
    /// user is refused first, with "Only a client can change client secret".
    RequireClientToken,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_accepts_anything_up_to_255_characters() {
        let p = StrengthPolicy::default();
        assert_eq!(p.check("Client secret", ""), None);
        assert_eq!(p.check("Client secret", &"a".repeat(255)), None);
        assert_eq!(
            p.check("Client secret", &"a".repeat(256)).as_deref(),
            Some("Client secret must be no more than 255 characters in length.")
        );
    }

    #[test]
    fn violations_are_sorted_and_joined_with_spaces() {
        let p = StrengthPolicy {
            min_length: 8,
            require_digit: 1,
            require_upper_case_character: 1,
            ..StrengthPolicy::default()
        };
        assert_eq!(
            p.check("Password", "abc").as_deref(),
            Some(
                "Password must be at least 8 characters in length. Password must contain at least 1 digit characters. Password must contain at least 1 uppercase characters."
            )
        );
        assert_eq!(p.check("Password", "Abcdefg1"), None);
    }
}
