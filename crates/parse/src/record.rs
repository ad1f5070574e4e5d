//! The typed record a document is parsed into.
//!
//! Field names are part of the public contract: `csirt parse --format json`
//! serialises these structs as they are, and the store, the index and the
//! reports read them back. Rename nothing without a migration.

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;

/// How the bytes were laid out, as detected from the bytes themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text, including clear-signed text.
    #[default]
    Text,
    /// Markdown (`#` headings, fenced blocks, tables).
    Markdown,
    /// An HTML page, or a page template (PHP, Blade, JSX) that renders one.
    Html,
    /// A PDF file; text is taken from its text layer.
    Pdf,
}

impl Format {
    /// The name used in JSON and in `--format` style output.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Pdf => "pdf",
        }
    }
}

/// One parsed CSIRT description.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Where the bytes came from: a path or a URL, as given by the caller.
    pub source: String,
    /// The detected layout.
    pub format: Format,
    /// Best guess at the document language (ISO 639-1), if any.
    pub language: Option<String>,
    /// Whether the parsed text came from inside an OpenPGP clear-signed block.
    pub clearsigned: bool,
    /// Section 2.1: the team's name.
    pub team: Team,
    /// Section 1: document information.
    pub document: DocumentInfo,
    /// Section 2: contact information.
    pub contact: Contact,
    /// OpenPGP keys the document states (section 2.8 and key blocks).
    pub keys: Vec<StatedKey>,
    /// Section 3: charter.
    pub charter: Charter,
    /// Section 4: policies.
    pub policies: Policies,
    /// Section 5: services.
    pub services: Services,
    /// Section 6: incident reporting forms.
    pub reporting_forms: Option<TextWithUrls>,
    /// Section 7: disclaimers.
    pub disclaimers: Option<String>,
    /// Every section found, in document order.
    pub sections: Vec<Section>,
    /// What could not be found or read, and anything odd on the way.
    pub diagnostics: Vec<Diagnostic>,
}

/// Section 2.1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Team {
    /// The full name as written.
    pub name: Option<String>,
    /// The abbreviation the team goes by (`XYZ-CERT`), when stated.
    pub short_name: Option<String>,
}

/// Section 1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// Date of last update as `YYYY-MM-DD`; `None` when absent or unreadable.
    pub last_update: Option<String>,
    /// The date exactly as written.
    pub last_update_text: Option<String>,
    /// The version the document states, if any.
    pub version: Option<String>,
    /// Section 1.2 as written.
    pub distribution_list: Option<String>,
    /// URLs from section 1.3, as claims (not checked).
    pub locations: Vec<String>,
    /// URLs of `.asc`/`.sig` files the document names.
    pub signature_locations: Vec<String>,
}

impl DocumentInfo {
    /// The Date of Last Update as a date.
    pub fn last_update_date(&self) -> Option<chrono::NaiveDate> {
        self.last_update
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    }
}

/// Section 2.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// 2.2 postal address.
    pub address: Option<String>,
    /// 2.3 as written.
    pub time_zone: Option<String>,
    /// 2.4 telephone numbers.
    pub phones: Vec<String>,
    /// 2.5 facsimile numbers.
    pub fax: Vec<String>,
    /// 2.6 as written.
    pub other_telecom: Option<String>,
    /// 2.7 e-mail addresses, de-obfuscated and lower-cased.
    pub emails: Vec<String>,
    /// 2.9 as written.
    pub members: Option<String>,
    /// 2.10 as written.
    pub other_info: Option<String>,
    /// 2.11 as written.
    pub points_of_contact: Option<String>,
    /// Operating hours, when a sentence in 2.11 (or elsewhere in 2) gives them.
    pub operating_hours: Option<String>,
}

/// A key the document states.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedKey {
    /// Upper-case hex without spaces: 40 digits (v4) or 64 (v5, v6).
    pub fingerprint: Option<String>,
    /// 16 upper-case hex digits (or 8 for a short ID, as stated).
    pub key_id: Option<String>,
    /// A user ID or label stated next to the key.
    pub user_id: Option<String>,
    /// Where the key can be fetched, as stated.
    pub url: Option<String>,
    /// The line the fingerprint (or key ID, or URL) was found on.
    pub line: Option<usize>,
}

/// Section 3.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Charter {
    /// 3.1 (and a vision statement, where a team gives one).
    pub mission: Option<String>,
    /// 3.2.
    pub constituency: Option<String>,
    /// 3.3.
    pub sponsorship: Option<String>,
    /// 3.4.
    pub authority: Option<String>,
}

/// Section 4.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Policies {
    /// 4.1.
    pub incident_types: Option<String>,
    /// 4.2.
    pub cooperation: Option<String>,
    /// 4.3.
    pub communication: Option<String>,
}

/// Section 5.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Services {
    /// 5.1 and its subsections.
    pub incident_response: Option<TextWithItems>,
    /// 5.2.
    pub proactive: Option<TextWithItems>,
}

/// Prose plus the list items it contains.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TextWithItems {
    /// The section text.
    pub text: String,
    /// Bulleted, numbered or sub-section items, in order.
    pub items: Vec<String>,
}

/// Prose plus the URLs it names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TextWithUrls {
    /// The section text.
    pub text: String,
    /// URLs found in the text.
    pub urls: Vec<String>,
}

/// One section as found in the document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// The number as written, normalised to dots (`2.8`), if any.
    pub number: Option<String>,
    /// The heading text without its number.
    pub title: String,
    /// The record field this section filled (`contact.time_zone`), if recognised.
    pub field: Option<String>,
    /// The body text up to the next heading.
    pub text: String,
    /// 1-based line of the heading in the extracted text.
    pub line: usize,
}
