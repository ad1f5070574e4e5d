//! Assembling a [`Record`] from the sections found.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::diag::{Code, Diagnostic, Severity};
use crate::extract::{contact, date, keys, lang, name, scope, urls};
use crate::headings::Field;
use crate::record::*;
use crate::sections::{self, RawSection};
use crate::{Extracted, Options};

/// Sections Appendix D asks for, with the words used to report them.
const EXPECTED: &[(Field, &str)] = &[
    (Field::LastUpdate, "1.1 Date of Last Update"),
    (
        Field::Locations,
        "1.3 Locations where this Document May Be Found",
    ),
    (Field::TeamName, "2.1 Name of the Team"),
    (Field::TimeZone, "2.3 Time Zone"),
    (Field::Email, "2.7 Electronic Mail Address"),
    (
        Field::PublicKeys,
        "2.8 Public Keys and Encryption Information",
    ),
    (Field::Constituency, "3.2 Constituency"),
];

/// How many distinct outline sections make a document an RFC 2350 description.
const MIN_SECTIONS: usize = 3;

pub(crate) fn record(source: &str, ex: Extracted, opts: &Options) -> Record {
    let lines = sections::prepare(&ex.text);
    let raw = sections::split(&lines);
    let mut r = Record {
        source: source.to_string(),
        format: ex.format,
        clearsigned: ex.clearsigned,
        diagnostics: ex.diagnostics,
        ..Record::default()
    };
    r.language = lang::guess(&ex.text);

    if opts.out_of_time(&mut r.diagnostics, "after the sections were found") {
        return r;
    }
    let doc = Doc::new(&raw);
    let distinct = doc.by_field.keys().filter(|f| !f.is_group()).count();
    if distinct < MIN_SECTIONS {
        r.diagnostics.push(Diagnostic::new(Code::NotRfc2350, Severity::Error, format!("this does not look like an RFC 2350 description: {distinct} of its sections match the Appendix D outline")));
    }

    document_info(&doc, &mut r, opts);
    contact_info(&doc, &mut r);
    if opts.out_of_time(
        &mut r.diagnostics,
        "after the document and contact information",
    ) {
        return r;
    }
    key_info(&doc, &ex.text, &mut r);
    if opts.out_of_time(&mut r.diagnostics, "after the keys") {
        return r;
    }
    r.charter = Charter {
        mission: doc.joined(Field::Mission),
        constituency: doc.text(Field::Constituency),
        sponsorship: doc.text(Field::Sponsorship),
        authority: doc.text(Field::Authority),
    };
    r.constituency = constituency(&doc);
    r.policies = Policies {
        incident_types: doc.text(Field::IncidentTypes),
        cooperation: doc.text(Field::Cooperation),
        communication: doc.text(Field::Communication),
    };
    r.services = Services {
        incident_response: doc.with_items(Field::IncidentResponse),
        proactive: doc.with_items(Field::Proactive),
    };
    r.reporting_forms = doc.text(Field::ReportingForms).map(|text| TextWithUrls {
        urls: urls::urls(&text),
        text,
    });
    r.disclaimers = doc.text(Field::Disclaimers);

    for (i, s) in raw.iter().enumerate().skip(1) {
        if s.field.is_none() && s.number.is_some() && !doc.absorbed(i) {
            r.diagnostics.push(
                Diagnostic::new(
                    Code::UnrecognisedHeading,
                    Severity::Notice,
                    format!(
                        "heading {:?} does not match any Appendix D section",
                        s.title
                    ),
                )
                .at(s.line),
            );
        }
    }
    if distinct >= MIN_SECTIONS {
        for (field, words) in EXPECTED {
            if !doc.by_field.contains_key(field) {
                r.diagnostics.push(Diagnostic::new(
                    Code::MissingSection,
                    Severity::Warning,
                    format!("no section {words}"),
                ));
            }
        }
    }
    let texts = doc.texts;
    r.sections = raw
        .into_iter()
        .zip(texts)
        .filter(|(s, _)| s.line > 0)
        .map(|(s, text)| Section {
            number: s.number,
            title: s.title,
            field: s.field.map(|f| f.path().to_string()),
            text,
            line: s.line,
        })
        .collect();
    r
}

/// The constituency as data: section 3.2 (with the subsections under it),
/// the country and region of the address, the sector words of the name.
fn constituency(doc: &Doc<'_>) -> Constituency {
    let mut c = Constituency::default();
    for (field, part) in [
        (Field::Constituency, scope::Part::Constituency),
        (Field::Address, scope::Part::Address),
        (Field::TeamName, scope::Part::Name),
    ] {
        let Some(i) = doc.best_index(field) else {
            continue;
        };
        for j in std::iter::once(i).chain(doc.children(i)) {
            let s = &doc.raw[j];
            let lines: Vec<scope::SourceLine<'_>> = s
                .body
                .iter()
                .map(|(line, text)| scope::SourceLine {
                    section: s.number.as_deref(),
                    line: *line,
                    text,
                })
                .collect();
            scope::read(&mut c, part, &lines);
        }
    }
    c
}

/// The sections indexed by field, with the best one for each field first.
struct Doc<'a> {
    by_field: HashMap<Field, Vec<usize>>,
    raw: &'a [RawSection<'a>],
    /// Each section's body text, joined once.
    texts: Vec<String>,
    /// For each unrecognised numbered section, the recognised section it
    /// belongs to (`2.6.1 PGP-Key` under `2.6 Public Keys`).
    parents: Vec<Option<usize>>,
}

impl<'a> Doc<'a> {
    fn new(raw: &'a [RawSection<'a>]) -> Self {
        let texts: Vec<String> = raw.iter().map(RawSection::text).collect();
        let mut by_field: HashMap<Field, Vec<usize>> = HashMap::new();
        for (i, s) in raw.iter().enumerate() {
            if let Some(f) = s.field {
                by_field.entry(f).or_default().push(i);
            }
        }
        for list in by_field.values_mut() {
            // Numbered headings beat bare ones and labels; a section with a
            // body beats an empty one; otherwise the first wins.
            list.sort_by_key(|&i| (raw[i].kind, texts[i].is_empty(), i));
        }
        Doc {
            by_field,
            raw,
            texts,
            parents: parents(raw),
        }
    }

    /// Whether section `i` was read as part of its parent.
    fn absorbed(&self, i: usize) -> bool {
        self.parents[i].is_some()
    }

    /// The unrecognised subsections that directly follow section `i`.
    fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        (i + 1..self.raw.len()).take_while(move |&j| self.parents[j] == Some(i))
    }

    fn best(&self, f: Field) -> Option<&'a RawSection<'a>> {
        self.best_index(f).map(|i| &self.raw[i])
    }

    fn best_index(&self, f: Field) -> Option<usize> {
        self.by_field.get(&f).and_then(|l| l.first()).copied()
    }

    /// The best section of a field with its body text.
    fn best_with_text(&self, f: Field) -> Option<(&'a RawSection<'a>, &str)> {
        self.best_index(f)
            .map(|i| (&self.raw[i], self.texts[i].as_str()))
    }

    /// Every section of a field with its full text, the best first.
    fn all_full_texts(&self, f: Field) -> Vec<(&'a RawSection<'a>, String)> {
        self.by_field
            .get(&f)
            .into_iter()
            .flatten()
            .map(|&i| (&self.raw[i], self.full_text_at(i)))
            .collect()
    }

    /// Section `i`'s text, with the unrecognised subsections under it.
    fn full_text_at(&self, i: usize) -> String {
        let mut text = self.texts[i].clone();
        for j in self.children(i) {
            text.push_str("\n\n");
            text.push_str(&self.raw[j].title);
            text.push('\n');
            text.push_str(&self.texts[j]);
        }
        text.trim().to_string()
    }

    /// The text of the best section of a field that has any: a numbered
    /// heading left empty ("2.1 Name of the Team" followed by "Full name:"
    /// and "Short name:" labels) gives way to the next.
    fn text(&self, f: Field) -> Option<String> {
        let list = self.by_field.get(&f)?;
        list.iter()
            .map(|&i| self.full_text_at(i))
            .find(|t| !t.is_empty())
    }

    /// All sections of a field joined (a vision and a mission both fill
    /// `charter.mission`).
    fn joined(&self, f: Field) -> Option<String> {
        let list = self.by_field.get(&f)?;
        let mut order = list.clone();
        order.sort();
        let parts: Vec<String> = order
            .iter()
            .map(|&i| self.texts[i].clone())
            .filter(|t| !t.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join("\n\n"))
    }

    fn with_items(&self, f: Field) -> Option<TextWithItems> {
        let list = self.by_field.get(&f)?;
        let mut order = list.clone();
        order.sort();
        let mut text = String::new();
        let mut items = Vec::new();
        for &i in &order {
            let s = &self.raw[i];
            if !text.is_empty() {
                items.push(s.title.clone());
                text.push_str("\n\n");
                text.push_str(&s.title);
                text.push('\n');
            }
            let body = &self.texts[i];
            items.extend(body.lines().filter_map(list_item));
            text.push_str(body);
            for j in self.children(i) {
                let sub = &self.raw[j];
                items.push(sub.title.clone());
                text.push_str("\n\n");
                text.push_str(&sub.title);
                text.push('\n');
                text.push_str(&self.texts[j]);
            }
        }
        let text = text.trim().to_string();
        (!text.is_empty()).then_some(TextWithItems { text, items })
    }
}

/// For each unrecognised numbered section, the latest earlier recognised
/// (non-group) section whose number is a prefix of its own. One pass: the
/// latest section for every number is remembered, and only the prefixes of
/// a section's own number are looked up.
fn parents(raw: &[RawSection<'_>]) -> Vec<Option<usize>> {
    let mut latest: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, s) in raw.iter().enumerate() {
        let n = s.number.as_deref();
        let parent = match (s.field, n) {
            (None, Some(n)) => n
                .match_indices('.')
                .filter_map(|(dot, _)| latest.get(&n[..dot]).copied())
                .max(),
            _ => None,
        };
        out.push(parent);
        if let (Some(f), Some(n)) = (s.field, n) {
            if !f.is_group() {
                latest.insert(n, i);
            }
        }
    }
    out
}

fn list_item(line: &str) -> Option<String> {
    static ITEM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:[*\-•●▪◦o]|\d{1,2}[.)]|[a-z][.)])\s+(\S.*)$").expect("valid regex")
    });
    ITEM.captures(line).map(|c| c[1].trim().to_string())
}

/// A document without a "date of last update" section that still dates
/// itself before its contact information, under a label on the date's own
/// line: "Stand: 28.09.2018", "Last updated: 2024-01-10", "Date: ...".
fn labelled_date(doc: &Doc<'_>) -> Option<date::FoundDate> {
    static LABEL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:stand|last\s+updated?|updated|date|datum|last\s+modified|mise\s+à\s+jour|diperbarui)\s*(?:on\b|am\b|le\b|:)")
            .expect("valid regex")
    });
    for (i, s) in doc.raw.iter().enumerate() {
        let top = s
            .number
            .as_deref()
            .and_then(|n| n.split('.').next()?.parse::<u32>().ok());
        if top.is_some_and(|t| t >= 2) {
            break;
        }
        for line in doc.texts[i].lines() {
            if let Some(m) = LABEL.find(line) {
                if let Some(d) = date::find_dates(&line[m.end()..]).into_iter().next() {
                    return Some(d);
                }
            }
        }
    }
    None
}

fn document_info(doc: &Doc<'_>, r: &mut Record, opts: &Options) {
    match doc.best_with_text(Field::LastUpdate) {
        Some((s, text)) => {
            match date::last_update(text) {
                date::LastUpdate::Date(d) => {
                    if let Some(today) = opts.today {
                        if d.date > today {
                            r.diagnostics.push(
                                Diagnostic::new(
                                    Code::FutureDate,
                                    Severity::Warning,
                                    format!("the date of last update {} is in the future", d.date),
                                )
                                .at(s.line),
                            );
                        }
                    }
                    r.document.last_update = Some(d.date.format("%Y-%m-%d").to_string());
                    r.document.last_update_text = Some(d.text);
                }
                date::LastUpdate::Unreadable(t) => {
                    r.diagnostics.push(
                        Diagnostic::new(
                            Code::UnparsedDate,
                            Severity::Warning,
                            format!("the date of last update cannot be read: {t:?}"),
                        )
                        .at(s.line),
                    );
                    r.document.last_update_text = Some(t);
                }
                date::LastUpdate::Absent => {
                    r.diagnostics.push(
                        Diagnostic::new(
                            Code::UnparsedDate,
                            Severity::Warning,
                            "the date of last update section gives no date",
                        )
                        .at(s.line),
                    );
                }
            }
            r.document.version = version(text);
        }
        None => match labelled_date(doc) {
            Some(d) => {
                r.document.last_update = Some(d.date.format("%Y-%m-%d").to_string());
                r.document.last_update_text = Some(d.text);
            }
            None => r.diagnostics.push(Diagnostic::new(
                Code::NoLastUpdate,
                Severity::Warning,
                "the document states no date of last update",
            )),
        },
    }
    if r.document.version.is_none() {
        r.document.version = doc.text(Field::Identification).and_then(|t| version(&t));
    }
    r.document.distribution_list = doc.text(Field::DistributionList);
    if let Some((s, text)) = doc.best_with_text(Field::Locations) {
        for c in urls::claims(text) {
            if !c.is_url {
                r.diagnostics.push(
                    Diagnostic::new(
                        Code::LocationNotUrl,
                        Severity::Warning,
                        format!("the stated location {:?} is not a usable URL", c.text),
                    )
                    .at(s.line),
                );
            }
            r.document.locations.push(c.text);
        }
    }
    let key_section = doc.best(Field::PublicKeys).map(|s| s.line);
    for (s, text) in doc.raw.iter().zip(&doc.texts) {
        if Some(s.line) == key_section {
            continue;
        }
        for u in urls::urls(text) {
            if urls::is_signature(&u) && !r.document.signature_locations.contains(&u) {
                r.document.signature_locations.push(u);
            }
        }
    }
}

fn version(text: &str) -> Option<String> {
    static V: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:version|versi|versión|versione|versie|versão|rev(?:ision)?)\s*:?\s*v?(\d+(?:\.\d+)*)").expect("valid regex")
    });
    V.captures(text).map(|c| c[1].to_string())
}

fn contact_info(doc: &Doc<'_>, r: &mut Record) {
    if let Some(t) = doc.text(Field::TeamName) {
        let (n, s) = name::team_name(&t);
        r.team.name = n;
        r.team.short_name = s;
    }
    if let Some(t) = doc.text(Field::ShortName) {
        let short = name::short_name(t.lines().next().unwrap_or(""));
        if !short.is_empty() {
            r.team.short_name = Some(short);
        }
    }
    r.contact.address = doc.text(Field::Address);
    r.contact.time_zone = doc.text(Field::TimeZone).map(|t| one_line(&t, 300));
    r.contact.phones = doc
        .text(Field::Telephone)
        .filter(|t| !contact::says_none(t))
        .map(|t| contact::phones(&t))
        .unwrap_or_default();
    r.contact.fax = doc
        .text(Field::Fax)
        .filter(|t| !contact::says_none(t))
        .map(|t| contact::phones(&t))
        .unwrap_or_default();
    r.contact.other_telecom = doc.text(Field::OtherTelecom);
    // Addresses come from the e-mail section only (others in the document
    // are lists or other teams); without such a section, from 2.11.
    // A heading misread as the e-mail section ("E-mail notification of
    // updates" in 1.2) gives no address: the next e-mail section does.
    let (emails, missing) = match doc.best(Field::Email) {
        Some(s) => (
            doc.all_full_texts(Field::Email)
                .iter()
                .map(|(_, t)| contact::emails(t))
                .find(|e| !e.is_empty())
                .unwrap_or_default(),
            Diagnostic::new(
                Code::NoEmail,
                Severity::Warning,
                "the e-mail section gives no address",
            )
            .at(s.line),
        ),
        None => (
            doc.text(Field::PointsOfContact)
                .map(|t| contact::emails(&t))
                .unwrap_or_default(),
            Diagnostic::new(
                Code::NoEmail,
                Severity::Warning,
                "the document gives no e-mail address",
            ),
        ),
    };
    if emails.is_empty() {
        r.diagnostics.push(missing);
    }
    r.contact.emails = emails.into_iter().take(10).collect();
    r.contact.members = doc.text(Field::Members);
    r.contact.other_info = doc.text(Field::OtherInfo);
    r.contact.points_of_contact = doc.text(Field::PointsOfContact);
    r.contact.operating_hours = doc
        .text(Field::OperatingHours)
        .map(|t| one_line(&t, 300))
        .or_else(|| {
            [Field::PointsOfContact, Field::OtherInfo, Field::Telephone]
                .iter()
                .filter_map(|f| doc.text(*f))
                .find_map(|t| hours_sentence(&t))
        });
}

/// Lines joined with spaces, bullets dropped, at most `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let joined = text
        .lines()
        .map(|l| l.trim().trim_start_matches(['*', '-', '•', '●']).trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    joined.chars().take(max).collect()
}

fn hours_sentence(text: &str) -> Option<String> {
    static H: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b\d{1,2}[:.h]\d{2}\s*(?:[-–]|to|until|s/?d|sampai)\s*\d{1,2}[:.h]\d{2}|24\s*/\s*7|24x7|24 hours").expect("valid regex")
    });
    let flat = one_line(text, 10_000);
    let m = H.find(&flat)?;
    let start = flat[..m.start()]
        .rfind(['.', '!', '?'])
        .map(|i| i + 1)
        .unwrap_or(0);
    let end = flat[m.end()..]
        .find(". ")
        .map(|i| m.end() + i + 1)
        .unwrap_or(flat.len());
    Some(flat[start..end].trim().chars().take(300).collect())
}

fn key_info(doc: &Doc<'_>, whole: &str, r: &mut Record) {
    let mut found: Vec<(keys::Stated, Option<usize>)> = Vec::new();
    let key_section = doc.best(Field::PublicKeys);
    if let Some(s) = key_section {
        let body = without_armor_body(s.body.iter().map(|(n, l)| (*n, l.as_ref())));
        let text = join_lines(&body);
        for f in keys::find(&text, false) {
            found.push((f.value, body.get(f.line).map(|(n, _)| *n)));
        }
    }
    // Fingerprints stated elsewhere, under a label.
    // Without an armoured block (most documents) the text is searched as it
    // is, and its lines are the document's.
    let armored =
        whole.contains("PGP") && whole.lines().any(|l| crate::clearsign::armor_marks(l).0);
    let stripped = if armored {
        without_armor_body(whole.lines().enumerate().map(|(i, l)| (i + 1, l)))
    } else {
        Vec::new()
    };
    let text = if armored {
        Cow::Owned(join_lines(&stripped))
    } else {
        Cow::Borrowed(whole)
    };
    for f in keys::find(&text, true) {
        if !found.iter().any(|(v, _)| *v == f.value) {
            let line = if armored {
                stripped.get(f.line).map(|(n, _)| *n)
            } else {
                Some(f.line + 1)
            };
            found.push((f.value, line));
        }
    }
    let mut out: Vec<StatedKey> = Vec::new();
    for (v, line) in &found {
        match v {
            keys::Stated::Fingerprint(fp) => {
                if !out.iter().any(|k| k.fingerprint.as_deref() == Some(fp)) {
                    let key_id = if fp.len() == 40 {
                        fp[24..].to_string()
                    } else {
                        fp[..16].to_string()
                    };
                    out.push(StatedKey {
                        fingerprint: Some(fp.clone()),
                        key_id: Some(key_id),
                        line: *line,
                        ..StatedKey::default()
                    });
                }
            }
            keys::Stated::Malformed(m) => {
                let at = line.unwrap_or(0);
                let d = Diagnostic::new(
                    Code::MalformedFingerprint,
                    Severity::Warning,
                    format!(
                        "the stated fingerprint {m} has {} hex digits, not 40 or 64",
                        m.len()
                    ),
                );
                r.diagnostics.push(if at > 0 { d.at(at) } else { d });
            }
            keys::Stated::KeyId(_) => {}
        }
    }
    for (v, line) in &found {
        if let keys::Stated::KeyId(id) = v {
            let matches_known = out.iter().any(|k| {
                k.fingerprint
                    .as_deref()
                    .is_some_and(|f| f.ends_with(id.as_str()) || f.starts_with(id.as_str()))
            });
            if !matches_known {
                out.push(StatedKey {
                    key_id: Some(id.clone()),
                    line: *line,
                    ..StatedKey::default()
                });
            }
        }
    }
    if let Some((s, text)) = doc.best_with_text(Field::PublicKeys) {
        let key_urls: Vec<String> = urls::urls(text)
            .into_iter()
            .filter(|u| urls::is_key(u) || u.to_ascii_lowercase().ends_with(".asc"))
            .collect();
        for u in key_urls {
            match out.iter_mut().find(|k| k.url.is_none()) {
                Some(k) => k.url = Some(u),
                None => out.push(StatedKey {
                    url: Some(u),
                    line: Some(s.line),
                    ..StatedKey::default()
                }),
            }
        }
        let uid = user_id(text);
        if let (Some(k), Some(uid)) = (out.first_mut(), uid) {
            k.user_id = Some(uid);
        }
    }
    if !out.iter().any(|k| k.fingerprint.is_some()) {
        let d = Diagnostic::new(
            Code::NoFingerprint,
            Severity::Warning,
            "the document states no OpenPGP key fingerprint",
        );
        r.diagnostics.push(match key_section {
            Some(s) => d.at(s.line),
            None => d,
        });
    }
    r.keys = out;
}

fn user_id(text: &str) -> Option<String> {
    static UID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?im)^\s*(?:uid|user\s*id)\s*[:=]?\s*(.+?<[^>]+@[^>]+>)").expect("valid regex")
    });
    UID.captures(text).map(|c| c[1].trim().to_string())
}

/// Drops the base64 body of armoured blocks (keeping `Comment:` headers,
/// which some exports use to state the fingerprint) so that base64 is never
/// read as hex.
fn without_armor_body<'a>(lines: impl Iterator<Item = (usize, &'a str)>) -> Vec<(usize, &'a str)> {
    let mut out = Vec::new();
    let mut inside = false;
    for (n, l) in lines {
        let t = l.trim();
        match crate::clearsign::armor_marks(t) {
            (true, _) => {
                inside = true;
                continue;
            }
            (_, true) => {
                inside = false;
                continue;
            }
            _ => {}
        }
        if inside
            && !t
                .get(..8)
                .is_some_and(|p| p.eq_ignore_ascii_case("comment:"))
        {
            continue;
        }
        out.push((n, l));
    }
    out
}

fn join_lines(lines: &[(usize, &str)]) -> String {
    let mut text = String::with_capacity(lines.iter().map(|(_, l)| l.len() + 1).sum());
    for (i, (_, l)) in lines.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(l);
    }
    text
}

#[cfg(test)]
mod tests {
    use crate::{parse, Options};

    #[test]
    fn empty_input_is_not_rfc2350() {
        let r = parse(b"", "empty", &Options::default());
        assert!(r
            .diagnostics
            .iter()
            .any(|d| d.code.as_str() == "not-rfc2350"));
    }

    #[test]
    fn sub_subsections_become_items() {
        let t = b"1.1 Date of Last Update\n2020-01-01\n2.1 Name of the Team\nX\n2.3 Time Zone\nCET\n5. Services\n5.1 Incident Response\nWe respond.\n5.1.1 Incident Triage\nTriage.\n5.1.2 Incident Coordination\nCoord.\n5.2 Proactive Activities\n* Alerts\n* Training\n";
        let r = parse(t, "x", &Options::default());
        let ir = r.services.incident_response.unwrap();
        assert!(
            ir.items.contains(&"Incident Triage".to_string()),
            "{:?}",
            ir.items
        );
        assert_eq!(r.services.proactive.unwrap().items, ["Alerts", "Training"]);
    }
}
