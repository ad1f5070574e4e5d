//! The answer: one outcome per document, and the evidence behind it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The verdict on a document's signature. The kebab-case names are stable
/// codes: reports, the store and scripts match on them. Outcomes are
/// ordered from best to worst, as [`Outcome::ALL`] lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

    /// The outcome for people, in a few words: what a web page or a report
    /// shows beside (never instead of) its colour.
    pub fn in_words(self) -> &'static str {
        match self {
            Outcome::Valid => "valid signature",
            Outcome::ValidKeyExpiredSince => "valid signature; the key has expired since",
            Outcome::SignerNotStatedKey => "signed by a key the document does not state",
            Outcome::WeakAlgorithm => "signed with a weak algorithm",
            Outcome::ExpiredKey => "signed with an expired key",
            Outcome::RevokedKey => "signed with a revoked key",
            Outcome::BadSignature => "bad signature: the document is not what was signed",
            Outcome::UnknownKey => "signed by a key nobody published",
            Outcome::UnsupportedFormat => "signature in a format that cannot be read",
            Outcome::MalformedSignature => "the signature cannot be read",
            Outcome::Unsigned => "not signed",
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

    /// The outcome as the directory's `signed:` filter sees it.
    pub fn signed(self) -> Signed {
        match self {
            o if o.is_valid() => Signed::Yes,
            Outcome::Unsigned => Signed::No,
            _ => Signed::Bad,
        }
    }
}

/// Whether a document is signed, in the three states people filter by
/// (`signed:yes|no|bad` in a query, `signed=` in the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Signed {
    /// A valid signature (`valid`, `valid-key-expired-since`).
    Yes,
    /// No signature at all (`unsigned`), or never checked.
    No,
    /// A signature that is not valid (every other outcome).
    Bad,
}

impl std::str::FromStr for Signed {
    type Err = String;

    /// `yes` (or `valid`), `no` (or `unsigned`), `bad` (or `invalid`), in
    /// any case: what the query language and the pages' filters take.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "yes" | "valid" => Ok(Signed::Yes),
            "no" | "unsigned" => Ok(Signed::No),
            "bad" | "invalid" => Ok(Signed::Bad),
            _ => Err(format!("signed takes yes, no or bad, not {s:?}")),
        }
    }
}

impl std::str::FromStr for Outcome {
    type Err = UnknownOutcome;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Outcome::from_code(code).ok_or_else(|| UnknownOutcome(code.to_string()))
    }
}

/// A code that names no [`Outcome`] (a newer csirt wrote it, or it is
/// damaged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown verification outcome {0:?}")]
pub struct UnknownOutcome(pub String);

/// Stored as its stable code, so the database reads the same to people and
/// to older versions.
#[cfg(feature = "sql")]
impl rusqlite::types::ToSql for Outcome {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.code().into())
    }
}

#[cfg(feature = "sql")]
impl rusqlite::types::FromSql for Outcome {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let code = v.as_str()?;
        code.parse()
            .map_err(|e: UnknownOutcome| rusqlite::types::FromSqlError::Other(Box::new(e)))
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.code())
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
            assert_eq!(o.code().parse::<Outcome>(), Ok(o));
            assert_eq!(serde_json::to_value(o).unwrap(), o.code());
            assert!(!o.in_words().is_empty());
        }
        assert!("fine".parse::<Outcome>().is_err());
    }

    #[test]
    fn only_valid_outcomes_are_signed_and_only_unsigned_is_not() {
        for o in Outcome::ALL {
            let want = match o {
                Outcome::Valid | Outcome::ValidKeyExpiredSince => Signed::Yes,
                Outcome::Unsigned => Signed::No,
                _ => Signed::Bad,
            };
            assert_eq!(o.signed(), want, "{o}");
            assert_eq!(["yes", "no", "bad"][want as usize].parse(), Ok(want));
        }
    }
}
