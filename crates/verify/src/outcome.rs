//! The answer: one outcome per document, and the evidence behind it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The verdict on a document's signature. The kebab-case names are stable
/// codes: reports, the store and scripts match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A good signature by the key the document states (or, when it states
    /// none, by a known key), valid when made and now.
    Valid,
    /// A good signature made while the key was valid; the key expired since.
    ValidKeyExpiredSince,
    /// A good signature by a known key that is not one the document states.
    SignerNotStatedKey,
    /// The signature or the key uses an algorithm the policy rejects.
    WeakAlgorithm,
    /// The key had expired (or was not yet valid) when the signature was made.
    ExpiredKey,
    /// The key or its certificate has been revoked.
    RevokedKey,
    /// The document's bytes are not what was signed.
    BadSignature,
    /// No key was given for the signature's issuer.
    UnknownKey,
    /// A well-formed packet in a format the library does not read (e.g.
    /// LibrePGP version 5).
    UnsupportedFormat,
    /// The signature cannot be read at all.
    MalformedSignature,
    /// No signature: none given and the document is not clear-signed.
    Unsigned,
}

impl Outcome {
    /// Every outcome, in order from best to worst.
    pub const ALL: [Outcome; 11] = [
        Outcome::Valid,
        Outcome::ValidKeyExpiredSince,
        Outcome::SignerNotStatedKey,
        Outcome::WeakAlgorithm,
        Outcome::ExpiredKey,
        Outcome::RevokedKey,
        Outcome::BadSignature,
        Outcome::UnknownKey,
        Outcome::UnsupportedFormat,
        Outcome::MalformedSignature,
        Outcome::Unsigned,
    ];

    /// The stable code, e.g. `valid-key-expired-since`.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Valid => "valid",
            Outcome::ValidKeyExpiredSince => "valid-key-expired-since",
            Outcome::SignerNotStatedKey => "signer-not-stated-key",
            Outcome::WeakAlgorithm => "weak-algorithm",
            Outcome::ExpiredKey => "expired-key",
            Outcome::RevokedKey => "revoked-key",
            Outcome::BadSignature => "bad-signature",
            Outcome::UnknownKey => "unknown-key",
            Outcome::UnsupportedFormat => "unsupported-format",
            Outcome::MalformedSignature => "malformed-signature",
            Outcome::Unsigned => "unsigned",
        }
    }

    /// Reads a code back.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }

    /// Position from best (0) to worst; when a file holds several
    /// signatures the best one decides.
    pub(crate) fn rank(self) -> usize {
        Self::ALL
            .iter()
            .position(|&o| o == self)
            .unwrap_or(usize::MAX)
    }

    /// Whether the document can be trusted as published by the stated key.
    pub fn is_valid(self) -> bool {
        matches!(self, Outcome::Valid | Outcome::ValidKeyExpiredSince)
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// How the document was signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureKind {
    /// A detached ASCII-armoured signature (`.asc`).
    DetachedArmored,
    /// A detached binary signature (`.sig`).
    DetachedBinary,
    /// A clear-signed text document.
    ClearSigned,
}

/// The certificate that made a good signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    /// The certificate's primary key fingerprint.
    pub fingerprint: String,
    /// The fingerprint of the key that signed (a subkey, or the primary).
    pub key_fingerprint: Option<String>,
    /// The primary user ID.
    pub user_id: Option<String>,
}

/// Everything known about one document's signature.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The verdict.
    pub outcome: Outcome,
    /// One sentence on why.
    pub detail: String,
    /// How the document was signed, when it was.
    pub kind: Option<SignatureKind>,
    /// The issuer the signature names (fingerprint or key ID).
    pub issuer: Option<String>,
    /// Who signed, when the signature checked out cryptographically.
    pub signer: Option<Signer>,
    /// When the signature says it was made.
    pub created: Option<DateTime<Utc>>,
    /// When the signing key expires, if it does.
    pub key_expires: Option<DateTime<Utc>>,
    /// The signature's hash algorithm.
    pub hash_algorithm: Option<String>,
    /// The signature's public-key algorithm.
    pub public_key_algorithm: Option<String>,
    /// The fingerprints the document states.
    pub stated_fingerprints: Vec<String>,
    /// Whether the signer is a stated key (null when none is stated).
    pub signer_is_stated: Option<bool>,
    /// Where the signer's certificate came from.
    pub key_source: Option<String>,
    /// The certificate came from a key block that had to be repaired.
    pub key_repaired: bool,
    /// A clear-signed document has non-blank content before the signed part.
    pub content_before_signed: bool,
    /// A clear-signed document has non-blank content after the signature.
    pub content_after_signed: bool,
    /// The document contains an OpenPGP PRIVATE key block.
    pub private_key_published: bool,
    /// The reference time the verdict holds for.
    pub at: DateTime<Utc>,
    /// For a clear-signed document, exactly the signed text.
    #[serde(skip)]
    pub signed_text: Option<String>,
}

impl Report {
    pub(crate) fn new(at: DateTime<Utc>) -> Self {
        Report {
            outcome: Outcome::Unsigned,
            detail: String::new(),
            kind: None,
            issuer: None,
            signer: None,
            created: None,
            key_expires: None,
            hash_algorithm: None,
            public_key_algorithm: None,
            stated_fingerprints: Vec::new(),
            signer_is_stated: None,
            key_source: None,
            key_repaired: false,
            content_before_signed: false,
            content_after_signed: false,
            private_key_published: false,
            at,
            signed_text: None,
        }
    }

    pub(crate) fn set(&mut self, outcome: Outcome, detail: impl Into<String>) {
        self.outcome = outcome;
        self.detail = detail.into();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_code(o.code()), Some(o));
            assert_eq!(serde_json::to_value(o).unwrap(), o.code());
        }
    }
}
