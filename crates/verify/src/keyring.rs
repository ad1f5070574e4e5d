//! Certificates loaded once and looked up by the issuer a signature names.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sequoia_openpgp as openpgp;

use chrono::{DateTime, Utc};
use openpgp::cert::CertParser;
use openpgp::parse::Parse;
use openpgp::policy::StandardPolicy;
use openpgp::types::RevocationStatus;
use openpgp::{Cert, KeyHandle, KeyID};
use serde::{Deserialize, Serialize};

use crate::armor;

/// Where a certificate came from, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A keyring file (or a file in a keyring folder).
    File(PathBuf),
    /// A public key block inside the document itself.
    Embedded {
        /// Whether the block had to be repaired before it could be read.
        repaired: bool,
    },
    /// Bytes handed over by the caller, e.g. a key the crawler fetched.
    Bytes(String),
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::File(p) => write!(f, "{}", p.display()),
            KeySource::Embedded { repaired: false } => f.write_str("embedded in the document"),
            KeySource::Embedded { repaired: true } => {
                f.write_str("embedded in the document (repaired)")
            }
            KeySource::Bytes(s) => f.write_str(s),
        }
    }
}

/// Something in a key source that could not be read as a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadProblem {
    /// Which source.
    pub source: String,
    /// What was wrong, from the OpenPGP parser.
    pub message: String,
    /// The certificate uses a format the library does not read (e.g. a
    /// LibrePGP version 5 key), as opposed to being damaged.
    pub unsupported: bool,
}

/// A set of certificates with an index from key ID to certificate.
///
/// Every key of every certificate (primary and subkeys) is indexed by its
/// key ID, so a signature's issuer (a fingerprint or a key ID) finds its
/// certificate in one hash lookup; fingerprints are then compared in full.
#[derive(Default)]
pub struct Keyring {
    certs: Vec<(Cert, KeySource)>,
    by_key_id: HashMap<KeyID, Vec<usize>>,
    /// What could not be loaded.
    pub problems: Vec<LoadProblem>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("certs", &self.certs.len())
            .field("problems", &self.problems)
            .finish()
    }
}

impl Keyring {
    /// An empty keyring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of certificates.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether there are no certificates.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// Adds every certificate in `bytes` (armoured or binary, one or many).
    /// Returns how many were added; unreadable ones go to [`Self::problems`].
    pub fn add_bytes(&mut self, bytes: &[u8], source: KeySource) -> usize {
        let label = source.to_string();
        let parser = match CertParser::from_bytes(bytes) {
            Ok(p) => p,
            Err(e) => {
                self.problem(&label, &e);
                return 0;
            }
        };
        let mut added = 0;
        for cert in parser {
            match cert {
                Ok(c) => {
                    self.insert(c, source.clone());
                    added += 1;
                }
                Err(e) => self.problem(&label, &e),
            }
        }
        if added == 0 && self.problems.iter().all(|p| p.source != label) {
            self.problems.push(LoadProblem {
                source: label,
                message: "no OpenPGP certificate found".into(),
                unsupported: false,
            });
        }
        added
    }

    /// Adds a keyring file, or every file in a folder (not recursive).
    pub fn add_path(&mut self, path: &Path) -> std::io::Result<usize> {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            let mut n = 0;
            for p in entries {
                n += self.add_path(&p)?;
            }
            return Ok(n);
        }
        let bytes = std::fs::read(path)?;
        Ok(self.add_bytes(&bytes, KeySource::File(path.to_path_buf())))
    }

    /// Adds the public key blocks found in a document's text, repaired where
    /// needed. Returns the repairs made (empty if none were needed).
    pub fn add_embedded(&mut self, text: &str) -> Vec<armor::Repair> {
        let mut repairs = Vec::new();
        for block in armor::find_blocks(text) {
            if block.kind != armor::BlockKind::PublicKey {
                continue;
            }
            let repaired = !block.repairs.is_empty();
            self.add_bytes(block.armored.as_bytes(), KeySource::Embedded { repaired });
            repairs.extend(block.repairs);
        }
        repairs
    }

    /// The primary fingerprints of the certificates, in load order.
    pub fn fingerprints(&self) -> Vec<String> {
        self.certs
            .iter()
            .map(|(c, _)| c.fingerprint().to_hex())
            .collect()
    }

    /// What the certificates whose primary fingerprint `keep` accepts are
    /// (algorithm, size, validity at `at`), for reports that judge the keys
    /// a team publishes, not just the one that signed.
    pub fn describe(&self, at: DateTime<Utc>, keep: impl Fn(&str) -> bool) -> Vec<CertInfo> {
        self.certs
            .iter()
            .filter(|(c, _)| keep(&c.fingerprint().to_hex()))
            .map(|(c, source)| CertInfo::of(c, source, at))
            .collect()
    }

    /// Certificates that hold a key matching `handle`, with their source.
    pub fn lookup(&self, handle: &KeyHandle) -> impl Iterator<Item = &(Cert, KeySource)> + '_ {
        let id = KeyID::from(handle);
        let handle = handle.clone();
        self.by_key_id
            .get(&id)
            .into_iter()
            .flatten()
            .map(move |&i| &self.certs[i])
            .filter(move |(c, _)| c.keys().any(|k| k.key().key_handle().aliases(&handle)))
    }

    fn insert(&mut self, cert: Cert, source: KeySource) {
        let i = self.certs.len();
        for k in cert.keys() {
            let ids = self.by_key_id.entry(k.key().keyid()).or_default();
            if !ids.contains(&i) {
                ids.push(i);
            }
        }
        self.certs.push((cert, source));
    }

    fn problem(&mut self, source: &str, e: &anyhow::Error) {
        self.problems.push(LoadProblem {
            source: source.to_string(),
            message: crate::error_chain(e),
            unsupported: crate::is_unsupported(e),
        });
    }
}

/// A certificate summarised for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    /// The primary key's fingerprint, upper-case hex.
    pub fingerprint: String,
    /// The primary user ID (or the first one).
    pub user_id: Option<String>,
    /// The primary key's public-key algorithm, as sequoia names it
    /// (`RSA`, `DSA`, `EdDSA`, ...).
    pub algorithm: String,
    /// The primary key's size in bits (the curve's, for elliptic curves).
    pub bits: Option<usize>,
    /// When the primary key was made.
    pub created: DateTime<Utc>,
    /// When the certificate expires, if it does.
    pub expires: Option<DateTime<Utc>>,
    /// Revoked at the reference time.
    pub revoked: bool,
    /// Why the standard policy rejects the certificate at the reference
    /// time (expired, weak self-signatures, ...); none when it is usable.
    pub unusable: Option<String>,
    /// Where it came from.
    pub source: String,
    /// It was embedded in the document itself.
    pub embedded: bool,
}

impl CertInfo {
    fn of(cert: &Cert, source: &KeySource, at: DateTime<Utc>) -> CertInfo {
        let policy = StandardPolicy::at(std::time::SystemTime::from(at));
        let primary = cert.primary_key().key();
        let valid = cert.with_policy(&policy, std::time::SystemTime::from(at));
        let mut info = CertInfo {
            fingerprint: cert.fingerprint().to_hex(),
            user_id: crate::user_id(cert, valid.as_ref().ok()),
            algorithm: primary.pk_algo().to_string(),
            bits: primary.mpis().bits(),
            created: DateTime::<Utc>::from(primary.creation_time()),
            expires: None,
            revoked: false,
            unusable: None,
            source: source.to_string(),
            embedded: matches!(source, KeySource::Embedded { .. }),
        };
        match valid {
            Ok(vc) => {
                info.expires = vc
                    .primary_key()
                    .key_expiration_time()
                    .map(DateTime::<Utc>::from);
                info.revoked = matches!(vc.revocation_status(), RevocationStatus::Revoked(_));
                if let Err(e) = vc.alive() {
                    info.unusable = Some(crate::error_chain(&e));
                }
            }
            Err(e) => {
                // The binding may be fine at another time (e.g. before it
                // expired); the expiry is still worth reporting.
                info.expires = cert
                    .with_policy(&policy, None)
                    .ok()
                    .or_else(|| {
                        cert.with_policy(&policy, cert.primary_key().key().creation_time())
                            .ok()
                    })
                    .and_then(|vc| vc.primary_key().key_expiration_time())
                    .map(DateTime::<Utc>::from);
                info.unusable = Some(crate::error_chain(&e));
            }
        }
        info
    }
}
