//! Findings on CSIRT descriptions, and the reports that list them.
//!
//! A [`Finding`] is one problem with one team's document: a stable code, a
//! severity (error, warning, notice, the way security.txt validators grade),
//! the evidence, and the fix in one sentence. [`findings`] derives them from
//! what is known about one document (a [`Subject`]: its parsed record, its
//! verification, and, when it came from a crawl, its fetch history);
//! [`gather`] builds subjects from the store; [`render`] writes reports as a
//! table, JSON, CSV, Markdown or one self-contained HTML page.
//!
//! `csirt report` (directory maintainers: which teams to chase) and
//! `csirt lint` (a team checking its own template before publishing) share
//! this code, so a team sees exactly what the directory will say about it.
//!
//! What it is not: it fetches nothing, parses nothing and verifies nothing
//! itself; it judges results that `csirt-check` and the crawler produced.
//! It reads no clock: the reference time is an argument.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod gather;
pub mod render;
mod rules;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use csirt_parse::{Severity, StaleAfter};
pub use gather::{gather, Gathered};
pub use rules::findings;

/// One problem with one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What kind of problem: a stable code with its catalogue entry.
    pub code: FindingCode,
    /// How bad it is (usually the code's; a few codes are graded by the
    /// evidence).
    pub severity: Severity,
    /// The team's name.
    pub team: String,
    /// The team's country (ISO 3166-1), when the seed gives it.
    pub country: Option<String>,
    /// The document the finding is about (URL or path).
    pub url: String,
    /// The line of the document's text it concerns, when there is one.
    pub line: Option<usize>,
    /// What is wrong here, in one sentence.
    pub message: String,
    /// What it was seen in: values, dates, fingerprints.
    pub evidence: String,
    /// How to fix it, in one sentence (the code's).
    pub fix: &'static str,
}

/// What a finding is about, for grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Topic {
    /// The document's OpenPGP signature.
    Signature,
    /// The keys the document states or embeds.
    Keys,
    /// How current the document is.
    Staleness,
    /// Whether the document can be fetched and is a document at all.
    Reachability,
    /// What the document says.
    Content,
    /// What changed since the previous crawl.
    Change,
}

use Severity::{Error, Notice, Warning};

macro_rules! codes {
    ($($variant:ident $code:literal $sev:ident $topic:ident $summary:literal $fix:literal;)*) => {
        /// A finding code. Its catalogue entry (stable code, usual severity,
        /// topic, what it means, the fix) is attached, so every report,
        /// `csirt lint` and the API agree.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FindingCode {
            $(#[doc = $summary] $variant,)*
        }

        impl FindingCode {
            /// Every code, in the order reports list them within a severity.
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$variant),*];

            /// The stable code, e.g. `bad-signature`.
            pub fn code(self) -> &'static str {
                match self { $(FindingCode::$variant => $code,)* }
            }

            /// Its usual severity.
            pub fn severity(self) -> Severity {
                match self { $(FindingCode::$variant => $sev,)* }
            }

            /// What it is about.
            pub fn topic(self) -> Topic {
                match self { $(FindingCode::$variant => Topic::$topic,)* }
            }

            /// What it means, in one sentence.
            pub fn summary(self) -> &'static str {
                match self { $(FindingCode::$variant => $summary,)* }
            }

            /// The fix, in one sentence.
            pub fn fix(self) -> &'static str {
                match self { $(FindingCode::$variant => $fix,)* }
            }
        }
    };
}

codes! {
    PrivateKeyPublished "private-key-published" Error Keys "The document contains an OpenPGP private key block." "Remove the PRIVATE key block from the document now, revoke that key, and publish only the public key.";
    Unreachable "unreachable" Error Reachability "The document could not be fetched." "Make the document available again at the URL teams know, or tell the directory its new address.";
    NotRfc2350 "not-rfc2350" Error Reachability "The page at the document's URL is not an RFC 2350 description." "Publish the RFC 2350 description at this URL (this page is something else, such as a soft 404 or a home page).";
    BadSignature "bad-signature" Error Signature "The signature does not match the document's bytes." "Sign the document again after its last edit and publish the new signature beside it.";
    MalformedSignature "malformed-signature" Error Signature "The signature cannot be read." "Publish a valid OpenPGP signature (gpg --armor --detach-sign) in place of the unreadable one.";
    ExpiredKey "expired-key" Error Signature "The signing key had expired when the signature was made." "Re-sign the document with a key that is valid now (extend the key's expiry or make a new key).";
    RevokedKey "revoked-key" Error Signature "The signing key has been revoked." "Sign the document with a key that is not revoked and state that key's fingerprint in section 2.8.";
    FingerprintMismatch "fingerprint-mismatch" Error Keys "No published key has the fingerprint the document states." "State in section 2.8 the fingerprint of the key you actually publish, or publish the key you state.";
    WeakAlgorithm "weak-algorithm" Warning Signature "The signature or its key uses an algorithm no longer considered safe." "Re-sign with SHA-256 or better and a key of at least RSA-2048 or Ed25519.";
    SignerNotStatedKey "signer-not-stated-key" Warning Signature "A good signature, by a key the document does not state." "Sign with the key whose fingerprint section 2.8 states, or state the signing key there.";
    UnknownKey "unknown-key" Warning Signature "A signature was found but not the key that made it." "Publish the signing key at the URL section 2.8 gives, or embed it in the document.";
    UnsupportedFormat "unsupported-format" Warning Signature "The signature is in a format common tools do not read." "Sign with an OpenPGP v4 (RFC 4880) or v6 (RFC 9580) key so that common tools can check it.";
    Unsigned "unsigned" Warning Signature "The document carries no signature." "Sign the document with the team's OpenPGP key and publish the .asc beside it (or clear-sign it).";
    UnsignedContent "unsigned-content" Warning Signature "A clear-signed document has text outside its signed part." "Move everything into the signed part, or remove the text outside it: readers cannot trust it.";
    KeyExpiresSoon "key-expires-soon" Warning Keys "The signing key expires soon." "Extend the key's expiry date and publish the updated key before it expires.";
    StatedKeyExpired "stated-key-expired" Warning Keys "The key section 2.8 states has expired." "Extend the stated key's expiry or state a current key in section 2.8.";
    EmbeddedKeyExpired "embedded-key-expired" Warning Keys "The key embedded in the document has expired." "Replace the embedded key block with the current, unexpired key.";
    WeakKey "weak-key" Warning Keys "A published key is too short to be safe." "Replace the key with RSA-3072 or Ed25519; DSA-1024 and RSA below 2048 bits are no longer safe.";
    KeyUnreadable "key-unreadable" Warning Keys "A key location holds no readable OpenPGP key." "Publish the key as an OpenPGP key file (ASCII-armoured), not a web page or a damaged block.";
    Stale "stale" Warning Staleness "The Date of Last Update is older than the staleness threshold." "Review the document, update it, set its Date of Last Update, and sign it again.";
    NoLastUpdate "no-last-update" Warning Staleness "The document states no Date of Last Update." "Add a Date of Last Update (section 1.1) in the form YYYY-MM-DD.";
    UnparsedDate "unparsed-date" Warning Staleness "The Date of Last Update cannot be read as a date." "Write the Date of Last Update as YYYY-MM-DD.";
    FutureDate "future-date" Warning Staleness "The Date of Last Update lies in the future." "Correct the Date of Last Update: it lies in the future.";
    NoEmail "no-email" Warning Content "The document states no e-mail address." "State the team's e-mail address in section 2.7.";
    NoFingerprint "no-fingerprint" Warning Content "The document states no key fingerprint." "State the full fingerprint of the team's OpenPGP key in section 2.8.";
    MalformedFingerprint "malformed-fingerprint" Warning Content "A stated fingerprint is not a well-formed fingerprint." "Write the fingerprint as 40 (v4) or 64 (v6) hexadecimal digits.";
    MissingSection "missing-section" Warning Content "Sections of the RFC 2350 outline are missing." "Add the sections of the RFC 2350 outline (Appendix D) that are missing, even if only to say \"none\".";
    LocationMismatch "location-mismatch" Warning Content "Section 1.3 does not list the URL the document was fetched from." "List in section 1.3 the URL the document is published at.";
    LocationNotUrl "location-not-url" Notice Content "A location in section 1.3 is not a full URL." "Write each location in section 1.3 as a full URL.";
    BudgetExceeded "budget-exceeded" Error Reachability "The document could not be read within the time a document is given; what was read before is kept." "Publish the description as a plain, well-formed page or text file (no deep nesting, no megabyte-long lines); this one takes too long to read.";
    PdfUnreadable "pdf-unreadable" Warning Content "The PDF's text could not be read." "Publish a text PDF (not scanned images), or the document as plain text beside it.";
    ValidKeyExpiredSince "valid-key-expired-since" Notice Signature "A good signature whose key has expired since." "The signature was good when made; re-sign with a current key so it stays checkable.";
    PdfX509Signature "pdf-x509-signature" Notice Signature "The PDF carries an X.509 signature, which is not checked." "Also publish a detached OpenPGP signature: the PDF's X.509 signature is not what RFC 2350 readers check.";
    ModifiedButUnchanged "modified-but-unchanged" Notice Staleness "The server's Last-Modified moved but the bytes did not." "Serve a Last-Modified that changes only when the document does, so caches and crawlers can rely on it.";
    ChangedButNotModified "changed-but-not-modified" Notice Staleness "The bytes changed but the server's Last-Modified did not." "Let the server's Last-Modified follow the document's changes, or caches will keep the old version.";
    UnrecognisedHeading "unrecognised-heading" Notice Content "A heading is not one of the RFC 2350 outline." "Use the section titles of the RFC 2350 outline so that readers and tools find each part.";
    OutcomeChanged "outcome-changed" Notice Change "The signature outcome changed since the previous version." "Check that the change of signature outcome was intended.";
    NewVersion "new-version" Notice Change "The document changed since the previous crawl." "Nothing to fix: the document changed since the previous crawl.";
    NewTeam "new-team" Notice Change "The team is new in the directory." "Nothing to fix: the team is new in the directory.";
    NoRfc2350Found "no-rfc2350-found" Warning Reachability "No RFC 2350 description was found on the team's site." "Publish the RFC 2350 description on the team's site and name it in security.txt (Policy:) or link it from the homepage.";
    DirectoryKeyNotStated "directory-key-not-stated" Warning Keys "A public directory lists a key the team's document does not state." "State the key in section 2.8, or have the directory list the key the document states.";
    DirectoryKeyExpired "directory-key-expired" Warning Keys "A public directory lists a key of the team that has expired." "Give the directory the team's current key, or extend the listed key's expiry.";
    DirectoryEmailDiffers "directory-email-differs" Notice Content "A public directory lists an e-mail address the team's document does not." "Make the directory's entry and section 2.7 name the same address.";
    DirectoryCountryDiffers "directory-country-differs" Notice Content "A public directory places the team in another country than its document does." "Correct the country in the directory or in the document.";
    DirectoryNameDiffers "directory-name-differs" Notice Content "A public directory names the team otherwise than its document does." "Give the team one name in the directory and in section 2.1.";
}

impl std::fmt::Display for FindingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.code())
    }
}

impl serde::Serialize for FindingCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// A string that is no finding code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode(pub String);

impl std::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no finding code {:?}", self.0)
    }
}

impl std::error::Error for UnknownCode {}

impl std::str::FromStr for FindingCode {
    type Err = UnknownCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FindingCode::ALL
            .iter()
            .copied()
            .find(|c| c.code() == s)
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

impl FindingCode {
    /// The finding for a verification outcome that is not plain `valid`.
    pub fn of_outcome(o: csirt_verify::Outcome) -> Option<FindingCode> {
        use csirt_verify::Outcome as O;
        Some(match o {
            O::Valid => return None,
            O::ValidKeyExpiredSince => FindingCode::ValidKeyExpiredSince,
            O::SignerNotStatedKey => FindingCode::SignerNotStatedKey,
            O::WeakAlgorithm => FindingCode::WeakAlgorithm,
            O::ExpiredKey => FindingCode::ExpiredKey,
            O::RevokedKey => FindingCode::RevokedKey,
            O::BadSignature => FindingCode::BadSignature,
            O::UnknownKey => FindingCode::UnknownKey,
            O::UnsupportedFormat => FindingCode::UnsupportedFormat,
            O::MalformedSignature => FindingCode::MalformedSignature,
            O::Unsigned => FindingCode::Unsigned,
        })
    }
}

/// What is known about one document.
#[derive(Debug, Clone, Default)]
pub struct Subject {
    /// The team's store id (none for `csirt lint`).
    pub team_id: Option<i64>,
    /// The team's name.
    pub team: String,
    /// The team's country.
    pub country: Option<String>,
    /// The document's URL (or path, for `csirt lint FILE`).
    pub url: String,
    /// The document was fetched from `url` over HTTP(S), so its Locations
    /// section should name it.
    pub fetched_over_http: bool,
    /// The parsed record; none when it was never fetched or checked.
    pub record: Option<csirt_parse::Record>,
    /// The verification; none when it was never fetched or checked.
    pub verification: Option<csirt_check::Verification>,
    /// Fetch history, for documents that came from a crawl.
    pub crawl: Option<CrawlFacts>,
    /// What the public directories say of the team, when imported.
    pub listing: Option<csirt_store::Listing>,
    /// For a team without a document URL: the site looked at, how many
    /// URLs were tried, and whether a document was found there.
    pub discovery: Option<csirt_crawl::discover::Discovery>,
}

impl Subject {
    /// The directories that list the key that made the document's good
    /// signature: a second channel, independent of the document, that the
    /// key is the team's.
    pub fn key_confirmed_by(&self) -> Vec<String> {
        let signer = self
            .verification
            .as_ref()
            .and_then(|v| v.report.signer.as_ref());
        match (&self.listing, signer) {
            (Some(l), Some(signer)) => l.key_confirmed_by(&signer.fingerprint),
            _ => Vec::new(),
        }
    }
}

/// What the crawls tell about a document's URL.
#[derive(Debug, Clone, Default)]
pub struct CrawlFacts {
    /// The last fetch failed: when the failures began, and why.
    pub failing: Option<(String, String)>,
    /// The document never fetched successfully.
    pub never_fetched: bool,
    /// When the current bytes were first fetched.
    pub first_seen: Option<DateTime<Utc>>,
    /// The Last-Modified header of the latest fetch.
    pub last_modified_now: Option<DateTime<Utc>>,
    /// The Last-Modified header when the current bytes were first fetched.
    pub last_modified_first: Option<DateTime<Utc>>,
    /// The previous version's Last-Modified header, as last seen.
    pub previous_last_modified: Option<DateTime<Utc>>,
    /// The previous version's verification outcome.
    pub previous_outcome: Option<csirt_verify::Outcome>,
    /// The previous version exists (the current one is a change).
    pub has_previous: bool,
    /// The current version appeared after the cut-off for changes.
    pub changed_recently: bool,
    /// The team's first version appeared after the cut-off.
    pub new_team: bool,
}

/// How findings are judged.
#[derive(Debug, Clone)]
pub struct Options {
    /// The reference time ("now").
    pub at: DateTime<Utc>,
    /// A last update this old or older is stale.
    pub stale_after: StaleAfter,
    /// A key expiring within this is flagged.
    pub expiry_warning: chrono::Duration,
    /// Report parser notices that concern the document's layout
    /// (`unrecognised-heading`): useful to the team linting its template,
    /// noise in a directory-wide report.
    pub layout_notices: bool,
}

impl Options {
    /// The defaults at `at`: stale after 365 days, keys expiring within 90.
    pub fn at(at: DateTime<Utc>) -> Self {
        Options {
            at,
            stale_after: StaleAfter::DEFAULT,
            expiry_warning: chrono::Duration::days(90),
            layout_notices: false,
        }
    }
}

/// Sorts findings the way every report lists them: a published private key
/// first, then by severity (errors first), team, the catalogue's order and
/// line.
pub fn sort(findings: &mut [Finding]) {
    let private = |f: &Finding| f.code == FindingCode::PrivateKeyPublished;
    findings.sort_by(|a, b| {
        private(b)
            .cmp(&private(a))
            .then(b.severity.cmp(&a.severity))
            .then_with(|| a.team.to_lowercase().cmp(&b.team.to_lowercase()))
            .then_with(|| a.url.cmp(&b.url))
            .then(a.code.cmp(&b.code))
            .then(a.line.cmp(&b.line))
    });
}

/// The counts a report opens with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Teams in the report.
    pub teams: usize,
    /// Teams with a valid signature on their document.
    pub signed_valid: usize,
    /// Teams whose document is signed, but not validly.
    pub signed_bad: usize,
    /// Teams whose document carries no signature.
    pub unsigned: usize,
    /// Teams whose document is stale (or states no readable date).
    pub stale: usize,
    /// Teams whose document could not be fetched at the last crawl.
    pub unreachable: usize,
    /// Findings by severity.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notices.
    pub notices: usize,
}

impl Summary {
    /// `n` as a percentage of the teams, one decimal.
    pub fn percent(&self, n: usize) -> f64 {
        if self.teams == 0 {
            0.0
        } else {
            (n as f64 * 1000.0 / self.teams as f64).round() / 10.0
        }
    }
}

/// A whole report: when, the summary, what each team's state is, and the
/// findings in order.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The reference time.
    pub generated: DateTime<Utc>,
    /// The staleness threshold in days.
    pub stale_after_days: u32,
    /// Counts.
    pub summary: Summary,
    /// One row per team.
    pub teams: Vec<TeamState>,
    /// The findings, sorted with [`sort`].
    pub findings: Vec<Finding>,
}

/// One team's state at a glance (the HTML chart and the `/v1/teams` list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamState {
    /// The team's store id.
    pub team_id: Option<i64>,
    /// The team's name.
    pub team: String,
    /// Country.
    pub country: Option<String>,
    /// The document judged (the best of the team's documents).
    pub url: String,
    /// Its signature outcome, none when never checked.
    pub outcome: Option<csirt_verify::Outcome>,
    /// Its Date of Last Update.
    pub last_update: Option<String>,
    /// Days since that date.
    pub age_days: Option<i64>,
    /// Stale by the threshold (or no readable date).
    pub stale: bool,
    /// Unreachable at the last crawl.
    pub unreachable: bool,
    /// The directories that list the key that signed the document.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_confirmed_by: Vec<String>,
}

impl TeamState {
    /// Whether the team is in the country `code` (ISO 3166-1, any case).
    pub fn in_country(&self, code: &str) -> bool {
        self.country
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(code))
    }
}

/// How long ago a Date of Last Update was, for people: "this year",
/// "1 year ago", "7 years ago" (whole years of 365 days).
pub fn age_in_words(updated: chrono::NaiveDate, today: chrono::NaiveDate) -> String {
    match (today - updated).num_days() / 365 {
        i64::MIN..=0 => "this year".to_string(),
        1 => "1 year ago".to_string(),
        y => format!("{y} years ago"),
    }
}

impl Report {
    /// Builds a report from the subjects of a gather; `keep` filters teams.
    pub fn build(
        subjects: &[Subject],
        opts: &Options,
        keep: impl Fn(&TeamState) -> bool,
    ) -> Report {
        // Teams in first-seen order; a map finds each team's slot.
        let mut by_team: Vec<(&str, Vec<&Subject>)> = Vec::new();
        let mut slot: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for s in subjects {
            match slot.get(s.team.as_str()) {
                Some(&i) => by_team[i].1.push(s),
                None => {
                    slot.insert(&s.team, by_team.len());
                    by_team.push((&s.team, vec![s]));
                }
            }
        }
        let mut summary = Summary::default();
        let mut teams = Vec::new();
        let mut all = Vec::new();
        for (_, docs) in by_team {
            // The first of the best: documents come in the store's order.
            let Some(best) = docs
                .iter()
                .copied()
                .rev()
                .max_by_key(|s| rules::standing(s))
            else {
                continue;
            };
            let state = rules::state(best, opts);
            if !keep(&state) {
                continue;
            }
            summary.teams += 1;
            match state.outcome.map(csirt_verify::Outcome::signed) {
                Some(csirt_verify::Signed::Yes) => summary.signed_valid += 1,
                Some(csirt_verify::Signed::No) => summary.unsigned += 1,
                Some(csirt_verify::Signed::Bad) => summary.signed_bad += 1,
                None => {}
            }
            summary.stale += usize::from(state.stale);
            summary.unreachable += usize::from(state.unreachable);
            for s in docs {
                all.extend(findings(s, opts));
            }
            teams.push(state);
        }
        for f in &all {
            match f.severity {
                Error => summary.errors += 1,
                Warning => summary.warnings += 1,
                Notice => summary.notices += 1,
            }
        }
        sort(&mut all);
        Report {
            generated: opts.at,
            stale_after_days: opts.stale_after.in_days(),
            summary,
            teams,
            findings: all,
        }
    }

    /// Whether any finding is at least as severe as `level`.
    pub fn has_at_least(&self, level: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= level)
    }

    /// Teams by the age of their Date of Last Update, in the buckets the
    /// reports chart (under 1 year ... 5 years or more, no readable date).
    pub fn ages(&self) -> Vec<(String, usize)> {
        let mut ages: Vec<(String, usize)> = [
            "under 1 year",
            "1 to 2 years",
            "2 to 3 years",
            "3 to 5 years",
            "5 years or more",
            "no readable date",
        ]
        .into_iter()
        .map(|l| (l.to_string(), 0))
        .collect();
        for t in &self.teams {
            let i = match t.age_days {
                Some(d) if d < 365 => 0,
                Some(d) if d < 730 => 1,
                Some(d) if d < 1095 => 2,
                Some(d) if d < 1826 => 3,
                Some(_) => 4,
                None => 5,
            };
            ages[i].1 += 1;
        }
        ages
    }

    /// Teams by signature outcome, most common first, each outcome named
    /// by `name` (its code, or its words).
    pub fn outcomes(
        &self,
        name: impl Fn(Option<csirt_verify::Outcome>) -> String,
    ) -> Vec<(String, usize)> {
        let mut outcomes: Vec<(String, usize)> = Vec::new();
        for t in &self.teams {
            let o = name(t.outcome);
            match outcomes.iter_mut().find(|(k, _)| *k == o) {
                Some((_, n)) => *n += 1,
                None => outcomes.push((o, 1)),
            }
        }
        outcomes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        outcomes
    }
}
