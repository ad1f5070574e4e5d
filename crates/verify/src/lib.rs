//! OpenPGP verification of CSIRT descriptions: the bytes of a document, its
//! signature and some keys in, one [`Report`] with one [`Outcome`] out.
//!
//! RFC 2350 asks teams to sign their description. This crate answers the
//! question a careful reader asks of such a signature: was this exact
//! document signed, when, by which key, was that key good at the time, and
//! is it the key the document itself names?
//!
//! - [`Keyring`] loads certificates once (files, folders, bytes, or key
//!   blocks embedded in the document, repaired by [`armor`] when publishing
//!   damaged them) and finds them by the issuer a signature names.
//! - [`cleartext`] takes a clear-signed message apart strictly, so that only
//!   the signed text is ever handed on, and anything outside is reported.
//! - [`verify`] checks a detached signature (armoured or binary) or a
//!   clear-signed document and classifies the result.
//!
//! What it is not: it does no I/O beyond [`Keyring::add_path`], never
//! touches the network, reads no clock (the reference time is an argument),
//! and does not parse RFC 2350 sections — the caller passes the fingerprints
//! the document states (see `csirt-parse`).
//!
//! Cryptography is sequoia-openpgp with its standard policy evaluated at the
//! reference time, so a SHA-1 data signature is `weak-algorithm`.
//!
//! ```
//! use csirt_verify::{verify, Input, Keyring, Outcome};
//!
//! let keyring = Keyring::new();
//! let input = Input::new(b"1. Document Information\n", chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap());
//! let report = verify(&input, &[&keyring]);
//! assert_eq!(report.outcome, Outcome::Unsigned);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod armor;
pub mod cleartext;
mod keyring;
mod outcome;

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use sequoia_openpgp as openpgp;

use openpgp::cert::amalgamation::key::PrimaryKey;
use openpgp::cert::amalgamation::ValidAmalgamation;
use openpgp::cert::ValidCert;
use openpgp::packet::{Signature, Tag};
use openpgp::parse::{PacketParser, PacketParserResult, Parse};
use openpgp::policy::{HashAlgoSecurity, Policy, StandardPolicy};
use openpgp::types::{RevocationStatus, SignatureType};
use openpgp::{Cert, KeyHandle, Packet};

pub use keyring::{CertInfo, KeySource, Keyring, LoadProblem};
pub use outcome::{Outcome, Report, SignatureKind, Signed, Signer, UnknownOutcome};

/// What to verify.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// The document exactly as fetched.
    pub document: &'a [u8],
    /// A detached signature (armoured `.asc` or binary `.sig`); `None` means
    /// the document is checked for a clear signature.
    pub signature: Option<&'a [u8]>,
    /// Fingerprints the document states (upper-case hex, no spaces).
    pub stated_fingerprints: Vec<String>,
    /// Long (16 hex digit) key IDs the document states. Short 8-digit IDs are
    /// ignored: they are trivially forged.
    pub stated_key_ids: Vec<String>,
    /// The reference time: policy, expiry and revocation are judged then.
    pub at: DateTime<Utc>,
}

impl<'a> Input<'a> {
    /// A document with no detached signature and nothing stated.
    pub fn new(document: &'a [u8], at: DateTime<Utc>) -> Self {
        Input {
            document,
            signature: None,
            stated_fingerprints: Vec::new(),
            stated_key_ids: Vec::new(),
            at,
        }
    }
}

/// Verifies `input` with the certificates in `keyrings` (searched in order).
///
/// Never panics and never fails: every problem is an [`Outcome`].
pub fn verify(input: &Input<'_>, keyrings: &[&Keyring]) -> Report {
    let mut report = Report::new(input.at);
    report.stated_fingerprints = input.stated_fingerprints.clone();
    report.private_key_published = armor::has_private_key(&text_of(input.document));

    let (sig_bytes, data): (&[u8], std::borrow::Cow<[u8]>) = match input.signature {
        Some(sig) => {
            report.kind = Some(if looks_armored(sig) {
                SignatureKind::DetachedArmored
            } else {
                SignatureKind::DetachedBinary
            });
            (sig, input.document.into())
        }
        None => match cleartext::split(input.document) {
            None => {
                report.set(
                    Outcome::Unsigned,
                    "no signature was given and the document is not clear-signed",
                );
                return report;
            }
            Some(Err(e)) => {
                report.kind = Some(SignatureKind::ClearSigned);
                report.set(Outcome::MalformedSignature, e.to_string());
                return report;
            }
            Some(Ok(cs)) => {
                report.kind = Some(SignatureKind::ClearSigned);
                report.content_before_signed = cs.content_before;
                report.content_after_signed = cs.content_after;
                report.signed_text = Some(cs.text);
                let sig = cs.signature.into_bytes();
                return finish(report, &sig, &cs.hashed, input, keyrings);
            }
        },
    };
    finish(report, sig_bytes, &data, input, keyrings)
}

fn finish(
    mut report: Report,
    sig_bytes: &[u8],
    data: &[u8],
    input: &Input<'_>,
    keyrings: &[&Keyring],
) -> Report {
    let sigs = match read_signatures(sig_bytes) {
        Ok(s) => s,
        Err((outcome, why)) => {
            report.set(outcome, why);
            return report;
        }
    };
    let policy = StandardPolicy::at(SystemTime::from(input.at));
    let mut best: Option<Report> = None;
    for sig in &sigs {
        let mut r = report.clone();
        judge(&mut r, sig, data, input, keyrings, &policy);
        if best
            .as_ref()
            .is_none_or(|b| r.outcome.rank() < b.outcome.rank())
        {
            best = Some(r);
        }
    }
    best.unwrap_or(report)
}

fn looks_armored(sig: &[u8]) -> bool {
    let head = &sig[..sig.len().min(1024)];
    text_of(head).contains("-----BEGIN PGP")
}

/// Bytes as text for marker searches. `str::from_utf8` first because it is
/// several times faster than `from_utf8_lossy` on the valid text nearly
/// every document is (measured: the lossy pass was 3% of a verification).
fn text_of(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The document signatures in `bytes`, or why there are none.
fn read_signatures(bytes: &[u8]) -> Result<Vec<Signature>, (Outcome, String)> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err((Outcome::MalformedSignature, "the signature is empty".into()));
    }
    let malformed = |e: anyhow::Error| {
        let outcome = if is_unsupported(&e) {
            Outcome::UnsupportedFormat
        } else {
            Outcome::MalformedSignature
        };
        (
            outcome,
            format!("the signature cannot be read: {}", error_chain(&e)),
        )
    };
    let mut ppr = PacketParser::from_bytes(bytes).map_err(malformed)?;
    let mut sigs = Vec::new();
    let mut unsupported = None;
    let mut other = 0;
    while let PacketParserResult::Some(pp) = ppr {
        let (packet, next) = pp.next().map_err(malformed)?;
        match packet {
            Packet::Signature(s)
                if matches!(s.typ(), SignatureType::Binary | SignatureType::Text) =>
            {
                sigs.push(s)
            }
            Packet::Unknown(u) if u.tag() == Tag::Signature => {
                let why = error_chain(u.error());
                unsupported = Some(if why.contains("unknown version") {
                    "the signature packet has a version this library does not read \
                     (a LibrePGP v5 signature?)"
                        .to_string()
                } else {
                    format!("the signature packet cannot be read: {why}")
                });
            }
            _ => other += 1,
        }
        ppr = next;
    }
    if !sigs.is_empty() {
        return Ok(sigs);
    }
    if let Some(why) = unsupported {
        let outcome = if why.contains("version") {
            Outcome::UnsupportedFormat
        } else {
            Outcome::MalformedSignature
        };
        return Err((outcome, why));
    }
    Err((
        Outcome::MalformedSignature,
        format!("no document signature found ({other} other OpenPGP packets)"),
    ))
}

/// Classifies one signature over `data`; fills in `r`.
fn judge(
    r: &mut Report,
    sig: &Signature,
    data: &[u8],
    input: &Input<'_>,
    keyrings: &[&Keyring],
    policy: &StandardPolicy<'_>,
) {
    let created = sig.signature_creation_time();
    r.created = created.map(DateTime::<Utc>::from);
    r.hash_algorithm = Some(sig.hash_algo().to_string());
    r.public_key_algorithm = Some(sig.pk_algo().to_string());
    let issuers = sig.get_issuers();
    r.issuer = issuers.first().map(|h| h.to_hex());
    // RFC 9580 requires a creation time; without one there is no moment to
    // judge the key at (and sequoia refuses the cryptography).
    let Some(sig_time) = created else {
        r.set(
            Outcome::MalformedSignature,
            "the signature has no creation time",
        );
        return;
    };
    if issuers.is_empty() {
        r.set(Outcome::MalformedSignature, "the signature names no issuer");
        return;
    }
    let text_data;
    let data = if sig.typ() == SignatureType::Text {
        text_data = to_crlf(data);
        &text_data[..]
    } else {
        data
    };

    // The crypto first: which known key, if any, made this signature?
    let mut known = false;
    let mut found: Option<(&Cert, &KeySource, KeyHandle)> = None;
    let mut crypto_error = None;
    'search: for issuer in &issuers {
        for kr in keyrings {
            for (cert, source) in kr.lookup(issuer) {
                known = true;
                for ka in cert.keys().key_handle(issuer.clone()) {
                    match sig.verify_message(ka.key(), data) {
                        Ok(()) => {
                            found = Some((cert, source, ka.key().key_handle()));
                            break 'search;
                        }
                        Err(e) => crypto_error = Some(e),
                    }
                }
            }
        }
    }
    let Some((cert, source, key_handle)) = found else {
        if !known {
            let ids: Vec<String> = issuers.iter().map(|h| h.to_hex()).collect();
            r.set(
                Outcome::UnknownKey,
                format!("no key given for the issuer {}", ids.join(" / ")),
            );
        } else if let Some(e) = crypto_error.filter(is_unsupported) {
            r.set(Outcome::UnsupportedFormat, error_chain(&e));
        } else {
            r.set(
                Outcome::BadSignature,
                "the signature does not match the document: the bytes changed after signing, \
                 or the signature belongs to another document",
            );
        }
        return;
    };

    r.key_source = Some(source.to_string());
    r.key_repaired = matches!(source, KeySource::Embedded { repaired: true });
    let primary = cert.fingerprint().to_hex();
    let signing_key = cert
        .keys()
        .key_handle(key_handle.clone())
        .next()
        .map(|k| k.key().fingerprint().to_hex());
    let at = SystemTime::from(input.at);
    // One policy check at the reference time serves the user ID and the
    // revocation test below.
    let valid_now = cert.with_policy(policy, at);
    r.signer = Some(Signer {
        fingerprint: primary.clone(),
        key_fingerprint: signing_key.clone(),
        user_id: user_id(cert, valid_now.as_ref().ok()),
    });

    if let Err(e) = policy.signature(sig, HashAlgoSecurity::CollisionResistance) {
        r.set(
            Outcome::WeakAlgorithm,
            format!(
                "the signature uses {} which the standard policy rejects: {}",
                sig.hash_algo(),
                error_chain(&e)
            ),
        );
        return;
    }

    // Revocation is judged at the reference time: a key revoked since is not
    // one to trust now.
    if let Ok(vc) = valid_now {
        if let RevocationStatus::Revoked(_) = vc.revocation_status() {
            r.set(Outcome::RevokedKey, "the certificate has been revoked");
            return;
        }
        if let Some(ka) = vc.keys().key_handle(key_handle.clone()).next() {
            if let RevocationStatus::Revoked(_) = ka.revocation_status() {
                r.set(Outcome::RevokedKey, "the signing key has been revoked");
                return;
            }
        }
    }
    let vc = match cert.with_policy(policy, sig_time) {
        Ok(vc) => vc,
        Err(e) => {
            let (outcome, what) = if is_policy(&e) {
                (
                    Outcome::WeakAlgorithm,
                    "the key's self-signatures use algorithms the standard policy rejects",
                )
            } else {
                (
                    Outcome::ExpiredKey,
                    "the key was not valid when the signature was made",
                )
            };
            r.set(outcome, format!("{what}: {}", error_chain(&e)));
            return;
        }
    };
    let Some(ka) = vc.keys().key_handle(key_handle.clone()).next() else {
        r.set(
            Outcome::ExpiredKey,
            "the signing key had no valid binding when the signature was made",
        );
        return;
    };
    r.key_expires = ka.key_expiration_time().map(DateTime::<Utc>::from);
    if let Err(e) = policy.key(&ka) {
        r.set(
            Outcome::WeakAlgorithm,
            format!("the signing key is too weak: {}", error_chain(&e)),
        );
        return;
    }
    if vc.alive().is_err() || ka.alive().is_err() {
        r.set(
            Outcome::ExpiredKey,
            "the key had already expired when the signature was made",
        );
        return;
    }
    if !ka.for_signing() && !ka.primary() {
        r.set(
            Outcome::ExpiredKey,
            "the key that made the signature is not a signing key",
        );
        return;
    }

    let stated = signer_is_stated(input, &primary, signing_key.as_deref());
    r.signer_is_stated = stated;
    if stated == Some(false) {
        r.set(
            Outcome::SignerNotStatedKey,
            format!(
                "a good signature, but by {primary}, which is not a key the document states ({})",
                input.stated_fingerprints.join(", ")
            ),
        );
        return;
    }
    if let Some(exp) = ka.key_expiration_time().filter(|&t| t <= at) {
        let exp = DateTime::<Utc>::from(exp);
        r.set(
            Outcome::ValidKeyExpiredSince,
            format!(
                "a good signature made while the key was valid; the key expired on {}",
                exp.format("%Y-%m-%d")
            ),
        );
        return;
    }
    let note = if stated.is_none() {
        "a good signature; the document states no fingerprint to compare the signer with"
    } else {
        "a good signature by the key the document states"
    };
    r.set(Outcome::Valid, note);
}

/// Some(true) when the signer is a key the document states, Some(false) when
/// the document states keys and the signer is none of them, None when it
/// states nothing usable.
fn signer_is_stated(input: &Input<'_>, primary: &str, signing: Option<&str>) -> Option<bool> {
    let long_ids: Vec<&String> = input
        .stated_key_ids
        .iter()
        .filter(|k| k.len() == 16)
        .collect();
    if input.stated_fingerprints.is_empty() && long_ids.is_empty() {
        return None;
    }
    let ours = [Some(primary), signing];
    let hit = ours.iter().flatten().any(|fp| {
        input
            .stated_fingerprints
            .iter()
            .any(|s| s.eq_ignore_ascii_case(fp))
            || long_ids.iter().any(|id| {
                fp.len() >= 16 && fp[fp.len() - 16..].eq_ignore_ascii_case(id)
                    || fp.len() == 64 && fp[..16].eq_ignore_ascii_case(id)
            })
    });
    Some(hit)
}

/// The primary user ID as the policy sees it at the reference time, else
/// the first one the certificate carries.
fn user_id(cert: &Cert, valid: Option<&ValidCert<'_>>) -> Option<String> {
    let from = |u: &openpgp::packet::UserID| String::from_utf8_lossy(u.value()).into_owned();
    valid
        .and_then(|vc| vc.primary_userid().ok().map(|u| from(u.userid())))
        .or_else(|| cert.userids().next().map(|u| from(u.userid())))
}

/// Text signatures are made over CRLF line endings, whatever the file has.
fn to_crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 32);
    let mut prev = 0u8;
    for &b in data {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

/// The error and its causes on one line.
pub(crate) fn error_chain(e: &anyhow::Error) -> String {
    e.chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}

fn sequoia_errors(e: &anyhow::Error) -> impl Iterator<Item = &openpgp::Error> {
    e.chain().filter_map(|c| c.downcast_ref::<openpgp::Error>())
}

/// Whether the error means "a format or algorithm this library does not
/// read", as opposed to damaged data.
pub(crate) fn is_unsupported(e: &anyhow::Error) -> bool {
    use openpgp::Error::*;
    sequoia_errors(e).any(|x| {
        matches!(
            x,
            UnsupportedPacketType(_)
                | UnsupportedHashAlgorithm(_)
                | UnsupportedPublicKeyAlgorithm(_)
                | UnsupportedEllipticCurve(_)
                | UnsupportedSignatureType(_)
                | UnsupportedCert(..)
        ) || matches!(x, MalformedPacket(m) if m.contains("unknown version"))
    })
}

fn is_policy(e: &anyhow::Error) -> bool {
    sequoia_errors(e).any(|x| matches!(x, openpgp::Error::PolicyViolation(..)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    #[test]
    fn crlf_is_idempotent() {
        assert_eq!(to_crlf(b"a\nb\r\nc"), b"a\r\nb\r\nc");
        assert_eq!(to_crlf(&to_crlf(b"a\n\n")), b"a\r\n\r\n");
    }

    #[test]
    fn garbage_and_empty_signatures_are_malformed() {
        let at = at();
        for sig in [
            &b""[..],
            b"\n \n",
            b"hello world",
            b"-----BEGIN PGP SIGNATURE-----\n\nAAAA\n",
        ] {
            let mut i = Input::new(b"doc", at);
            i.signature = Some(sig);
            let r = verify(&i, &[]);
            assert_eq!(
                r.outcome,
                Outcome::MalformedSignature,
                "{sig:?}: {}",
                r.detail
            );
        }
    }

    #[test]
    fn short_key_ids_never_match() {
        let mut i = Input::new(b"", at());
        i.stated_key_ids = vec!["2D1DCEDC".into()];
        assert_eq!(
            signer_is_stated(&i, "0E32CF9347BB99D73F83993E4BB384A72D1DCEDC", None),
            None
        );
        i.stated_key_ids = vec!["4BB384A72D1DCEDC".into()];
        assert_eq!(
            signer_is_stated(&i, "0E32CF9347BB99D73F83993E4BB384A72D1DCEDC", None),
            Some(true)
        );
    }
}
