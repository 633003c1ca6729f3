//! Random secrets (setup links, later API tokens): 256 bits from the OS, shown once,
//! stored only as their SHA-256.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};

/// A fresh URL-safe secret carrying 256 random bits.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system has no randomness source");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a secret: enough for a high-entropy random value (no salt or argon2 needed).
pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}
