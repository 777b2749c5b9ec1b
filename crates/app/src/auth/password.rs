//! Passwords: Argon2id hashes (computed off the async runtime), the password policy, one-time passwords.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;

/// Hashes with Argon2id on a blocking thread: hashing takes tens of milliseconds of CPU.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::from_b64(&random_salt()).map_err(|e| anyhow::anyhow!("{e}"))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("密码哈希失败：{e}"))
    })
    .await?
}

/// Verifies on a blocking thread. A malformed stored hash never verifies.
pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || match PasswordHash::new(&stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

fn random_salt() -> String {
    use base64::Engine;
    let bytes: [u8; 16] = rand::rng().random();
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

/// A random one-time password that satisfies any policy up to 4 classes and 16 characters.
/// 256 random bits, URL-safe: session tokens and other unguessable keys.
pub fn random_token() -> String {
    use base64::Engine;
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn one_time() -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SPECIAL: &[u8] = b"@#%+=";
    let mut rng = rand::rng();
    let mut pick = |set: &[u8]| set[rng.random_range(0..set.len())] as char;
    let mut s = String::new();
    for _ in 0..4 {
        s.push(pick(UPPER));
        s.push(pick(LOWER));
        s.push(pick(DIGIT));
        s.push(pick(SPECIAL));
    }
    s
}

/// The password policy (参数设置 密码策略).
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub min_length: usize,
    pub min_classes: usize,
}

/// Checks a new password; the message says what is missing.
pub fn check_policy(policy: Policy, password: &str, username: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < policy.min_length {
        return Err(format!("密码至少{}位，当前{len}位", policy.min_length));
    }
    if len > 128 {
        return Err("密码不能超过128位".into());
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if classes < policy.min_classes {
        return Err(format!(
            "密码须包含大写字母、小写字母、数字、特殊字符中至少{}种，当前{classes}种",
            policy.min_classes
        ));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err("密码不能包含用户名".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: Policy = Policy {
        min_length: 8,
        min_classes: 3,
    };

    #[test]
    fn policy_explains_what_is_missing() {
        assert_eq!(
            check_policy(POLICY, "Ab1!", "u"),
            Err("密码至少8位，当前4位".into())
        );
        assert_eq!(
            check_policy(POLICY, "abcdefgh1", "u"),
            Err("密码须包含大写字母、小写字母、数字、特殊字符中至少3种，当前2种".into())
        );
        assert_eq!(
            check_policy(POLICY, "Zhang@2026x", "zhang"),
            Err("密码不能包含用户名".into())
        );
        assert_eq!(check_policy(POLICY, "Demo@2026", "admin"), Ok(()));
    }

    #[test]
    fn one_time_passwords_pass_the_strictest_policy() {
        let strict = Policy {
            min_length: 16,
            min_classes: 4,
        };
        for _ in 0..20 {
            let p = one_time();
            assert_eq!(check_policy(strict, &p, "admin"), Ok(()), "{p}");
        }
        assert_ne!(one_time(), one_time());
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("Demo@2026".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Demo@2026".into(), h.clone()).await);
        assert!(!verify("demo@2026".into(), h).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
    }
}
