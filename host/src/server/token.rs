//! Signed, expiring tokens: `base64url(json) "." base64url(hmac_sha256(key, purpose "." json))`.
//!
//! The client never parses them; it copies `data-phx-session` and `data-phx-static` back into
//! its join. The purpose is part of the signed text, so a static token cannot pass for a
//! session token and neither for a CSRF token.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use sha2::Sha256;
use std::collections::BTreeMap;

/// Tokens older than this are refused (Phoenix's default for LiveView tokens).
const MAX_AGE: Duration = Duration::from_secs(14 * 24 * 3600);

type HmacSha256 = Hmac<Sha256>;

/// Signs and verifies tokens with the server's secret.
#[derive(Clone)]
pub struct Signer {
    /// HMAC keyed with the secret, cloned for each signature.
    keyed: HmacSha256,
}

/// A secret that cannot sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the secret key base must be at least {MIN_KEY} bytes long")]
pub struct WeakKey;

/// Shortest accepted secret.
pub const MIN_KEY: usize = 32;

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Envelope<T> {
    /// Issued at, seconds since the epoch.
    iat: u64,
    data: T,
}

impl Signer {
    pub fn new(key: &[u8]) -> Result<Self, WeakKey> {
        if key.len() < MIN_KEY {
            return Err(WeakKey);
        }
        let keyed = HmacSha256::new_from_slice(key).map_err(|_| WeakKey)?;
        Ok(Self { keyed })
    }

    /// A signer with a fresh random key.
    pub fn random() -> Self {
        let key: [u8; 32] = rand::random();
        let keyed = HmacSha256::new_from_slice(&key);
        // HMAC takes keys of any length, so this is always `Ok`.
        Self { keyed: keyed.unwrap_or_else(|_| unreachable!("HMAC accepts any key length")) }
    }

    /// Signs `data` for `purpose`.
    pub fn sign<T: Serialize>(&self, purpose: &str, data: &T) -> String {
        let envelope = Envelope { iat: now_secs(), data };
        let json = serde_json::to_vec(&envelope).unwrap_or_default();
        let body = URL_SAFE_NO_PAD.encode(&json);
        let mac = URL_SAFE_NO_PAD.encode(self.mac(purpose, body.as_bytes()));
        format!("{body}.{mac}")
    }

    /// Verifies a token for `purpose` and returns its data, or `None` when it is forged,
    /// expired (older than two weeks) or malformed.
    pub fn verify<T: DeserializeOwned>(&self, purpose: &str, token: &str) -> Option<T> {
        self.verify_younger_than(purpose, token, MAX_AGE)
    }

    /// [`Signer::verify`] for tokens that live at most `max_age`.
    pub fn verify_younger_than<T: DeserializeOwned>(&self, purpose: &str, token: &str, max_age: Duration) -> Option<T> {
        let (body, mac) = token.split_once('.')?;
        let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
        let mut check = self.hmac(purpose);
        check.update(body.as_bytes());
        check.verify_slice(&mac).ok()?;
        let json = URL_SAFE_NO_PAD.decode(body).ok()?;
        let envelope: Envelope<T> = serde_json::from_slice(&json).ok()?;
        let age = now_secs().saturating_sub(envelope.iat);
        (age <= max_age.as_secs()).then_some(envelope.data)
    }

    /// A MAC of `message` for `purpose`, for values that need no payload (CSRF).
    pub fn mac(&self, purpose: &str, message: &[u8]) -> Vec<u8> {
        let mut mac = self.hmac(purpose);
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    fn hmac(&self, purpose: &str) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(purpose.as_bytes());
        mac.update(b".");
        mac
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The data of a session token: which container and view it is for, the view's live session
/// and the user's session.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SessionData {
    pub id: String,
    pub view: String,
    pub live_session: String,
    pub session: Value,
}

/// The data of a static token: the container, and the flash the dead render showed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StaticData {
    pub id: String,
    #[serde(default)]
    pub flash: Option<BTreeMap<String, String>>,
}

pub const SESSION: &str = "liveplug session";
pub const STATIC: &str = "liveplug static";
/// Flash tokens, carried by a live navigation's join or the flash cookie.
pub const FLASH: &str = "liveplug flash";
/// A flash token is used right after it is made: by the next join or the next page load
/// (the client's cookie lives 60 s too).
pub const FLASH_MAX_AGE: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_signed_token_verifies_only_for_its_purpose_and_key() {
        let signer = Signer::new(&[7; 32]).expect("strong key");
        let data = SessionData {
            id: "phx-1".into(),
            view: "counter".into(),
            live_session: "default".into(),
            session: json!({"u": 1}),
        };
        let token = signer.sign(SESSION, &data);
        assert_eq!(signer.verify::<SessionData>(SESSION, &token), Some(data));
        assert_eq!(signer.verify::<SessionData>(STATIC, &token), None);
        assert_eq!(Signer::new(&[8; 32]).expect("strong key").verify::<SessionData>(SESSION, &token), None);
    }

    #[test]
    fn tampered_or_malformed_tokens_are_refused() {
        let signer = Signer::new(&[7; 32]).expect("strong key");
        let token = signer.sign(STATIC, &StaticData { id: "a".into(), flash: None });
        let (body, mac) = token.split_once('.').expect("two parts");
        let forged_body = URL_SAFE_NO_PAD.encode(br#"{"iat":1,"data":{"id":"b"}}"#);
        for bad in [format!("{forged_body}.{mac}"), format!("{body}."), body.to_owned(), "..".into(), String::new()] {
            assert_eq!(signer.verify::<StaticData>(STATIC, &bad), None, "{bad}");
        }
    }

    #[test]
    fn short_keys_are_refused() {
        assert_eq!(Signer::new(&[1; 31]).err(), Some(WeakKey));
    }

    #[test]
    fn expired_tokens_are_refused() {
        let signer = Signer::new(&[7; 32]).expect("strong key");
        let old =
            Envelope { iat: now_secs() - MAX_AGE.as_secs() - 1, data: StaticData { id: "a".into(), flash: None } };
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&old).expect("json"));
        let mac = URL_SAFE_NO_PAD.encode(signer.mac(STATIC, body.as_bytes()));
        assert_eq!(signer.verify::<StaticData>(STATIC, &format!("{body}.{mac}")), None);
        // A flash token is refused after a minute.
        let flash: BTreeMap<String, String> = [("info".to_owned(), "hi".to_owned())].into_iter().collect();
        let old = Envelope { iat: now_secs() - FLASH_MAX_AGE.as_secs() - 1, data: flash.clone() };
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&old).expect("json"));
        let mac = URL_SAFE_NO_PAD.encode(signer.mac(FLASH, body.as_bytes()));
        let token = format!("{body}.{mac}");
        assert_eq!(signer.verify::<BTreeMap<String, String>>(FLASH, &token), Some(flash.clone()));
        assert_eq!(signer.verify_younger_than::<BTreeMap<String, String>>(FLASH, &token, FLASH_MAX_AGE), None);
    }
}
