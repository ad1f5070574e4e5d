//! One document checked: [`csirt_parse`] and [`csirt_verify`] glued together
//! the one right way, for the CLI and the crawler alike.
//!
//! The glue matters for trust: for a clear-signed document the parser reads
//! exactly the text the signature covers (as [`csirt_verify::cleartext`]
//! splits it), the fingerprints that text states are what the signer is
//! compared with, and public key blocks embedded in the document join a
//! per-document keyring after [`csirt_verify::armor`] repaired them.
//!
//! What it is not: no I/O, no network, no clock (the reference time is an
//! argument). Callers bring the bytes and the keyring.
//!
//! ```
//! use csirt_check::check;
//! use csirt_verify::{Keyring, Outcome};
//!
//! let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
//! let c = check(b"2.1 Name of the Team\nXYZ-CERT\n", None, "doc.txt", &Keyring::new(), at);
//! assert_eq!(c.record.team.name.as_deref(), Some("XYZ-CERT"));
//! assert_eq!(c.report.outcome, Outcome::Unsigned);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use chrono::{DateTime, Utc};
use csirt_parse::{Options, Record};
use csirt_verify::{armor::Repair, CertInfo, Input, Keyring, LoadProblem, Report};
use serde::{Deserialize, Serialize};

/// A document parsed and verified.
#[derive(Debug)]
pub struct Checked {
    /// The parsed record (of the signed text only, when clear-signed).
    pub record: Record,
    /// The verifier's report.
    pub report: Report,
    /// Keys embedded in the document (and what could not be read of them).
    pub embedded: Keyring,
    /// Repairs made to embedded key blocks.
    pub repairs: Vec<Repair>,
    /// The keys that bear on this document: every embedded one, and those
    /// of the given keyring that the document states or that signed it.
    pub keys: Vec<CertInfo>,
    /// The document is a PDF carrying an X.509 (PAdES/PKCS#7) signature,
    /// which this tool does not check.
    pub pdf_x509_signature: bool,
}

impl Checked {
    /// What is stored and reported about the document beyond its record.
    pub fn verification(&self, keyring: &Keyring) -> Verification {
        let problems = self.embedded.problems.iter().chain(&keyring.problems);
        Verification {
            report: self.report.clone(),
            keys: self.keys.clone(),
            key_problems: problems.map(KeyProblem::from).collect(),
            pdf_x509_signature: self.pdf_x509_signature,
        }
    }
}

/// The verifier's report with what else a directory wants to know about
/// the keys: the JSON the store keeps for every checked version. Fields
/// added later default, so older rows still read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Verification {
    /// The signature verdict.
    #[serde(flatten)]
    pub report: Report,
    /// See [`Checked::keys`].
    #[serde(default)]
    pub keys: Vec<CertInfo>,
    /// Key sources (embedded blocks, fetched key URLs) that held no
    /// readable certificate.
    #[serde(default)]
    pub key_problems: Vec<KeyProblem>,
    /// See [`Checked::pdf_x509_signature`].
    #[serde(default)]
    pub pdf_x509_signature: bool,
}

/// A key source that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyProblem {
    /// Which source (a URL, a path, "embedded in the document").
    pub source: String,
    /// What was wrong.
    pub message: String,
}

impl From<&LoadProblem> for KeyProblem {
    fn from(p: &LoadProblem) -> Self {
        KeyProblem {
            source: p.source.clone(),
            message: p.message.clone(),
        }
    }
}

/// Whether `doc` is a PDF with a signature dictionary of the X.509 kinds
/// (PAdES, PKCS#7). Signature dictionaries sit in uncompressed objects (the
/// `/Contents` hex must be patched in place), so a byte scan finds them.
pub fn has_pdf_x509_signature(doc: &[u8]) -> bool {
    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }
    doc.starts_with(b"%PDF-")
        && contains(doc, b"/ByteRange")
        && [
            &b"adbe.pkcs7"[..],
            b"ETSI.CAdES",
            b"ETSI.RFC3161",
            b"/Type/Sig",
            b"/Type /Sig",
        ]
        .iter()
        .any(|n| contains(doc, n))
}

/// A document parsed, its embedded keys read, not yet verified: the slow
/// half of [`check`], which a crawler can do while it still waits for the
/// signature and key.
#[derive(Debug)]
pub struct Prepared {
    record: Record,
    embedded: Keyring,
    repairs: Vec<Repair>,
    /// A PRIVATE key block in the extracted text: the verifier only sees
    /// raw bytes, where a PDF's compressed streams or HTML markup inside the
    /// armour line hide it.
    private_key: bool,
}

impl Prepared {
    /// The parsed record.
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// A document whose parse did not come back in time (`why` says so):
    /// its record holds only a `budget-exceeded` diagnostic, so that the
    /// signature is still checked and the reports name the document.
    pub fn unread(source: &str, why: String) -> Prepared {
        let record = Record {
            source: source.to_string(),
            diagnostics: vec![csirt_parse::Diagnostic::new(
                csirt_parse::Code::BudgetExceeded,
                csirt_parse::Severity::Error,
                why,
            )],
            ..Record::default()
        };
        Prepared {
            record,
            embedded: Keyring::new(),
            repairs: Vec::new(),
            private_key: false,
        }
    }
}

/// Parses `doc` and reads the key blocks embedded in it. `detached` says
/// whether a detached signature will be checked; without one, a
/// clear-signed document is parsed from its signed text only.
pub fn prepare(doc: &[u8], detached: bool, source: &str, at: DateTime<Utc>) -> Prepared {
    let opts = Options {
        today: Some(at.date_naive()),
        hint: Some(source.to_string()),
        ..Options::default()
    }
    .with_budget(csirt_parse::DEFAULT_BUDGET);
    let signed_only = match (detached, csirt_verify::cleartext::split(doc)) {
        (false, Some(Ok(cs))) => Some(cs.text.into_bytes()),
        _ => None,
    };
    let extracted = csirt_parse::extract_text(signed_only.as_deref().unwrap_or(doc), &opts);
    let mut embedded = Keyring::new();
    let repairs = embedded.add_embedded(&extracted.text);
    let private_key = csirt_verify::armor::has_private_key(&extracted.text);
    let record = csirt_parse::parse_extracted(extracted, source, &opts);
    Prepared {
        record,
        embedded,
        repairs,
        private_key,
    }
}

/// Verifies a prepared document: the fingerprints its text states go to the
/// verifier, with `keyring` and the keys embedded in it.
pub fn finish(
    prepared: Prepared,
    doc: &[u8],
    sig: Option<&[u8]>,
    keyring: &Keyring,
    at: DateTime<Utc>,
) -> Checked {
    let Prepared {
        record,
        embedded,
        repairs,
        private_key,
    } = prepared;
    let mut input = Input::new(doc, at);
    input.signature = sig;
    for k in &record.keys {
        if let Some(f) = &k.fingerprint {
            if !input.stated_fingerprints.contains(f) {
                input.stated_fingerprints.push(f.clone());
            }
        }
        if let Some(id) = &k.key_id {
            input.stated_key_ids.push(id.clone());
        }
    }
    let mut report = csirt_verify::verify(&input, &[keyring, &embedded]);
    report.private_key_published |= private_key;
    let signer = report.signer.as_ref().map(|s| s.fingerprint.clone());
    let mut keys = embedded.describe(at, |_| true);
    keys.extend(keyring.describe(at, |fp| {
        signer.as_deref() == Some(fp)
            || input
                .stated_fingerprints
                .iter()
                .any(|s| s.eq_ignore_ascii_case(fp))
    }));
    Checked {
        record,
        report,
        embedded,
        repairs,
        keys,
        pdf_x509_signature: has_pdf_x509_signature(doc),
    }
}

/// Parses and verifies one document with an optional detached signature,
/// using `keyring` and the keys embedded in the document.
pub fn check(
    doc: &[u8],
    sig: Option<&[u8]>,
    source: &str,
    keyring: &Keyring,
    at: DateTime<Utc>,
) -> Checked {
    finish(
        prepare(doc, sig.is_some(), source, at),
        doc,
        sig,
        keyring,
        at,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_key_hidden_by_markup_in_the_bytes_is_still_reported() {
        // In the raw bytes the armour line reads `PGP <b>PRIVATE</b> KEY`,
        // which no armour scanner accepts; the text the parser extracts
        // has the plain marker.
        let html = b"<html><body><h2>2.8 Public Keys</h2>\n<p>-----BEGIN PGP <b>PRIVATE</b> KEY BLOCK-----</p>\n<p>lQdGBGS</p></body></html>";
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let c = check(html, None, "keys.html", &Keyring::new(), at);
        assert!(c.report.private_key_published);
    }
}
