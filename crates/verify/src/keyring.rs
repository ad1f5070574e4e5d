//! Certificates loaded once and looked up by the issuer a signature names.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sequoia_openpgp as openpgp;

use chrono::{DateTime, Utc};
use openpgp::cert::amalgamation::ValidAmalgamation;
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
        let binary = clean_armored_key(bytes);
        let parser = match CertParser::from_bytes(binary.as_deref().unwrap_or(bytes)) {
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

    /// Checks every certificate's self-signatures now. Sequoia checks a
    /// certificate's bindings when they are first used and remembers the
    /// answer in the certificate, so a verification that follows finds them
    /// done. A crawler calls this while it waits for the host's next turn
    /// (four Ed25519 checks, 400 µs here, for a usual key).
    pub fn check_self_signatures(&self) {
        let policy = StandardPolicy::new();
        for (cert, _) in &self.certs {
            if let Ok(vc) = cert.with_policy(&policy, None) {
                let _ = vc.revocation_status();
                let _ = vc.primary_userid();
                for ka in vc.keys() {
                    let _ = ka.revocation_status();
                }
            }
        }
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

/// The packets of `bytes` when they are one clean armoured public key
/// block (what keyservers and `gpg --export --armor` write): the markers,
/// headers, a blank line, base64 and a matching checksum. None for anything
/// else, which then goes through sequoia's armour reader, as it all did
/// before. Why: a crawl reads every team's key in its last host turn, and
/// sequoia's reader doubled the time to read one (an Ed25519 certificate:
/// 66 us armoured, 33 us as binary, 3 us to decode here).
fn clean_armored_key(bytes: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    const BEGIN: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
    const END: &str = "-----END PGP PUBLIC KEY BLOCK-----";
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.trim().lines().map(str::trim_end);
    if lines.next()? != BEGIN {
        return None;
    }
    // Headers ("Comment: ..."), then the blank line before the data.
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        if !line.contains(": ") || line.starts_with("-----") {
            return None;
        }
    }
    let mut data = String::with_capacity(text.len());
    let mut checksum = None;
    for line in lines.by_ref() {
        if line == END {
            let data = base64::engine::general_purpose::STANDARD
                .decode(&data)
                .ok()?;
            let sum = base64::engine::general_purpose::STANDARD
                .decode(checksum?)
                .ok()?;
            let crc = crc24(&data);
            let ok = sum == [(crc >> 16) as u8, (crc >> 8) as u8, crc as u8];
            // Nothing may follow the block (another block, a signature).
            return (ok && lines.all(str::is_empty)).then_some(data);
        }
        if checksum.is_some() {
            return None;
        }
        match line.strip_prefix('=') {
            Some(sum) if sum.len() == 4 => checksum = Some(sum),
            Some(_) => return None,
            None if line
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)) =>
            {
                data.push_str(line)
            }
            None => return None,
        }
    }
    None
}

/// The armour checksum of RFC 4880 section 6.1, a byte at a time: the
/// bit-at-a-time loop cost 12 µs of a 2 KiB key's 100 µs in the crawl's
/// last, CPU-bound round.
fn crc24(data: &[u8]) -> u32 {
    let mut crc: u32 = 0xB7_04CE;
    for &b in data {
        let i = ((crc >> 16) as u8 ^ b) as usize;
        crc = (crc << 8) ^ CRC24_TABLE[i];
    }
    crc & 0xFF_FFFF
}

/// `CRC24_TABLE[b]` is the checksum register after shifting the byte `b`
/// through it from zero.
const CRC24_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut b = 0;
    while b < 256 {
        let mut crc = (b as u32) << 16;
        let mut bit = 0;
        while bit < 8 {
            crc <<= 1;
            if crc & 0x100_0000 != 0 {
                crc ^= 0x186_4CFB;
            }
            bit += 1;
        }
        table[b] = crc & 0xFF_FFFF;
        b += 1;
    }
    table
};

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

#[cfg(test)]
mod tests {
    use super::*;
    use openpgp::cert::CertBuilder;
    use openpgp::serialize::SerializeInto;

    fn cert() -> Cert {
        CertBuilder::general_purpose(Some("Team <cert@example.org>"))
            .generate()
            .unwrap()
            .0
    }

    #[test]
    fn a_clean_armoured_key_is_decoded_to_its_packets() {
        let c = cert();
        let armored = String::from_utf8(c.armored().to_vec().unwrap()).unwrap();
        let binary = c.to_vec().unwrap();
        assert_eq!(clean_armored_key(armored.as_bytes()), Some(binary.clone()));
        // CRLF line ends and a header read the same.
        let crlf = armored.replace('\n', "\r\n");
        assert_eq!(clean_armored_key(crlf.as_bytes()), Some(binary.clone()));
        let commented = armored.replacen("\n\n", "\nComment: our key\n\n", 1);
        let commented = if commented == armored {
            armored.replacen("-----\n", "-----\nComment: our key\n", 1)
        } else {
            commented
        };
        assert_eq!(clean_armored_key(commented.as_bytes()), Some(binary));
        let mut k = Keyring::new();
        assert_eq!(
            k.add_bytes(armored.as_bytes(), KeySource::Bytes("k".into())),
            1
        );
        assert_eq!(k.certs[0].0.fingerprint(), c.fingerprint());
    }

    #[test]
    fn anything_but_a_clean_block_goes_through_sequoia_as_before() {
        let c = cert();
        let armored = String::from_utf8(c.armored().to_vec().unwrap()).unwrap();
        let sum_line = armored
            .lines()
            .find(|l| l.starts_with('=') && l.len() == 5)
            .expect("sequoia writes a checksum")
            .to_string();
        let other = if sum_line == "=AAAA" {
            "=BBBB"
        } else {
            "=AAAA"
        };
        let cases = [
            ("bad checksum", armored.replace(&sum_line, other)),
            ("no checksum", armored.replace(&format!("{sum_line}\n"), "")),
            ("two blocks", format!("{armored}{armored}")),
            ("text around", format!("Our key:\n{armored}")),
            ("not base64", armored.replacen("\n\n", "\n\n!!!!\n", 1)),
            (
                "binary",
                String::from_utf8_lossy(&c.to_vec().unwrap()).into(),
            ),
        ];
        for (what, bytes) in cases {
            assert_eq!(clean_armored_key(bytes.as_bytes()), None, "{what}");
            // And the keyring reads them as sequoia alone does.
            let mut k = Keyring::new();
            let added = k.add_bytes(bytes.as_bytes(), KeySource::Bytes(what.into()));
            let alone = CertParser::from_bytes(bytes.as_bytes())
                .map(|p| p.filter(Result::is_ok).count())
                .unwrap_or(0);
            assert_eq!(added, alone, "{what}");
        }
    }

    #[test]
    fn the_armour_checksum_is_rfc_4880s() {
        // CRC-24 of nothing is its initial value.
        assert_eq!(crc24(b""), 0xB7_04CE);
        // The check value of CRC-24/OPENPGP in the catalogue of CRCs.
        assert_eq!(crc24(b"123456789"), 0x21_CF02);
        // The table gives what the bit-at-a-time definition gives.
        let bitwise = |data: &[u8]| {
            let mut crc: u32 = 0xB7_04CE;
            for &b in data {
                crc ^= u32::from(b) << 16;
                for _ in 0..8 {
                    crc <<= 1;
                    if crc & 0x100_0000 != 0 {
                        crc ^= 0x186_4CFB;
                    }
                }
            }
            crc & 0xFF_FFFF
        };
        let data: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in [1, 2, 3, 57, 255, 256, 1000, 4096] {
            assert_eq!(crc24(&data[..len]), bitwise(&data[..len]), "{len} bytes");
        }
    }
}
