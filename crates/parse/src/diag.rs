//! Diagnostics: what the parser could not find or did not understand.

use serde::{Deserialize, Serialize};

/// How much a diagnostic matters to a reader of the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong with the data.
    Notice,
    /// Something a reader should not trust without checking.
    Warning,
    /// The document fails to give something it must.
    Error,
}

/// Stable diagnostic codes. The string forms are part of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The input does not look like an RFC 2350 description at all.
    NotRfc2350,
    /// An Appendix D section is missing.
    MissingSection,
    /// A section heading was not recognised.
    UnrecognisedHeading,
    /// The date of last update could not be read.
    UnparsedDate,
    /// The date of last update lies in the future.
    FutureDate,
    /// No date of last update section.
    NoLastUpdate,
    /// No fingerprint is stated.
    NoFingerprint,
    /// A stated fingerprint is not 40 or 64 hex digits.
    MalformedFingerprint,
    /// No e-mail address in the e-mail section.
    NoEmail,
    /// A stated location is not a URL.
    LocationNotUrl,
    /// The document contains an OpenPGP private key block.
    PrivateKeyPublished,
    /// Text before or after the clear-signed block is not covered by the signature.
    UnsignedContent,
    /// A clear-signed message whose armour is damaged (a malformed header,
    /// no signature block): read as unsigned text.
    DamagedArmor,
    /// The PDF text layer could not be read.
    PdfUnreadable,
    /// The input was larger than the parser reads; the rest was ignored.
    Truncated,
    /// The bytes were not UTF-8 and were decoded with a fallback encoding.
    EncodingFallback,
    /// Template source (Blade, PHP, JSX) was removed from the page.
    TemplateSource,
    /// An HTML page nested too deep or held too many elements; the tags
    /// past the bounds were ignored (as browsers do), their text kept.
    Flattened,
    /// The document could not be read within its time budget; the record
    /// holds what was read before it ran out.
    BudgetExceeded,
}

impl Code {
    /// The stable kebab-case form.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::NotRfc2350 => "not-rfc2350",
            Code::MissingSection => "missing-section",
            Code::UnrecognisedHeading => "unrecognised-heading",
            Code::UnparsedDate => "unparsed-date",
            Code::FutureDate => "future-date",
            Code::NoLastUpdate => "no-last-update",
            Code::NoFingerprint => "no-fingerprint",
            Code::MalformedFingerprint => "malformed-fingerprint",
            Code::NoEmail => "no-email",
            Code::LocationNotUrl => "location-not-url",
            Code::PrivateKeyPublished => "private-key-published",
            Code::UnsignedContent => "unsigned-content",
            Code::DamagedArmor => "damaged-armor",
            Code::PdfUnreadable => "pdf-unreadable",
            Code::Truncated => "truncated",
            Code::EncodingFallback => "encoding-fallback",
            Code::TemplateSource => "template-source",
            Code::Flattened => "flattened",
            Code::BudgetExceeded => "budget-exceeded",
        }
    }
}

/// One finding of the parser, with the line it refers to when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// How much it matters.
    pub severity: Severity,
    /// One sentence for a person.
    pub message: String,
    /// 1-based line in the extracted text, when the finding has a place.
    pub line: Option<usize>,
}

impl Diagnostic {
    /// A diagnostic with the given code, severity and message, and no line.
    pub fn new(code: Code, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            line: None,
        }
    }

    /// The same diagnostic, placed at a line.
    pub fn at(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
}
