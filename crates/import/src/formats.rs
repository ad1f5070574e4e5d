//! The directories' file formats, each read into [`Listed`] teams.

use serde_json::Value;

use csirt_store::{ListedConstituency, ListedKey, Listing};

/// Which directory a file comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directory {
    /// The Trusted Introducer's `teams.json`.
    TrustedIntroducer,
    /// The FIRST API's team list (`/data/v1/teams`).
    First,
    /// The ENISA CSIRT inventory's `tool_data.json`.
    Enisa,
    /// `name,website,email,country`, for a directory of one's own.
    Csv,
}

impl Directory {
    /// The name provenance records carry.
    pub fn code(self) -> &'static str {
        match self {
            Directory::TrustedIntroducer => "trusted-introducer",
            Directory::First => "first",
            Directory::Enisa => "enisa",
            Directory::Csv => "csv",
        }
    }
}

impl std::str::FromStr for Directory {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "ti" | "trusted-introducer" => Ok(Directory::TrustedIntroducer),
            "first" => Ok(Directory::First),
            "enisa" => Ok(Directory::Enisa),
            "csv" => Ok(Directory::Csv),
            _ => Err(format!("{s:?} is not a directory (ti, first, enisa, csv)")),
        }
    }
}

/// One team as a directory lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The full name.
    pub name: String,
    /// What the directory says, its provenance not filled in yet.
    pub listing: Listing,
}

/// A file that is not of the format named: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {reason}")]
pub struct NotTheFormat {
    /// A line and column, or an entry's place in the list.
    pub position: String,
    /// What is wrong.
    pub reason: String,
}

/// An entry left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Its place in the file (`entry 12`, `line 4`).
    pub position: String,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Why.
    pub reason: String,
}

/// What a file held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Read {
    /// The teams.
    pub teams: Vec<Listed>,
    /// Entries without a name, or with neither a URL nor an e-mail.
    pub skipped: Vec<Skipped>,
    /// For a FIRST page: how many teams the whole list has, and how many
    /// came before this page (to ask for the next).
    pub page: Option<(usize, usize, usize)>,
}

/// Reads a directory file.
pub fn read(dir: Directory, bytes: &[u8]) -> Result<Read, NotTheFormat> {
    match dir {
        Directory::Csv => read_csv(bytes),
        _ => {
            let v: Value = serde_json::from_slice(bytes).map_err(|e| NotTheFormat {
                position: format!("line {}, column {}", e.line(), e.column()),
                reason: format!("not JSON: {e}"),
            })?;
            match dir {
                Directory::TrustedIntroducer => read_ti(&v),
                Directory::First => read_first(&v),
                Directory::Enisa => read_enisa(&v),
                Directory::Csv => unreachable!("handled above"),
            }
        }
    }
}

fn not(position: &str, reason: impl Into<String>) -> NotTheFormat {
    NotTheFormat {
        position: position.to_string(),
        reason: reason.into(),
    }
}

/// A string field, trimmed, none when empty.
fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A field that is a string or a list of strings.
fn texts(v: &Value, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(Value::String(s)) => s
            .split([',', ';', ' ', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// A fingerprint as hex, upper case, without the groups of four it is
/// often written in; none unless 40 or 64 hex digits.
pub fn fingerprint(s: &str) -> Option<String> {
    let hex: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let hex = hex.strip_prefix("0X").unwrap_or(&hex).to_string();
    ((hex.len() == 40 || hex.len() == 64) && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .then_some(hex)
}

/// A website as a URL with a scheme.
fn website(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    Some(if s.contains("://") {
        s.to_string()
    } else {
        format!("https://{s}")
    })
}

fn country(s: Option<String>) -> Option<String> {
    s.filter(|c| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()))
        .map(|c| c.to_ascii_uppercase())
}

/// Keeps an entry that has a name and a way to find or reach the team.
fn keep(out: &mut Read, position: String, name: Option<String>, listing: Listing) {
    let Some(name) = name else {
        out.skipped.push(Skipped {
            position,
            name: None,
            reason: "no name".into(),
        });
        return;
    };
    if listing.website.is_none() && listing.emails.is_empty() {
        out.skipped.push(Skipped {
            position,
            name: Some(name),
            reason: "neither a website nor an e-mail address".into(),
        });
        return;
    }
    out.teams.push(Listed { name, listing });
}

fn list<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>, NotTheFormat> {
    v.as_array()
        .ok_or_else(|| not("the top level", format!("not a list of teams ({what})")))
}

fn read_ti(v: &Value) -> Result<Read, NotTheFormat> {
    let teams = list(v, "the Trusted Introducer's teams.json is a JSON array")?;
    let mut out = Read::default();
    for (i, t) in teams.iter().enumerate() {
        let pos = format!("entry {}", i + 1);
        if !t.is_object() {
            return Err(not(&pos, "not a team (a JSON object)"));
        }
        if t.get("official_name").is_none() && t.get("short_name").is_none() {
            return Err(not(
                &pos,
                "no official_name nor short_name: not the Trusted Introducer's format",
            ));
        }
        let c = t.get("constituency").cloned().unwrap_or(Value::Null);
        let listing = Listing {
            short_name: text(t, "short_name"),
            website: text(t, "website").and_then(|w| website(&w)),
            emails: t
                .get("emails")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| text(e, "address"))
                .map(|e| e.to_ascii_lowercase())
                .collect(),
            keys: t
                .get("pgp_keys")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|k| {
                    Some(ListedKey {
                        fingerprint: fingerprint(&text(k, "fingerprint")?)?,
                        expires: text(k, "expires"),
                        from: Vec::new(),
                    })
                })
                .collect(),
            country: country(t.get("country").and_then(|c| text(c, "code"))),
            constituency: ListedConstituency {
                types: texts(&c, "types"),
                asns: c
                    .get("asns")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_u64().and_then(|n| u32::try_from(n).ok()))
                    .collect(),
                domains: texts(&c, "domains")
                    .into_iter()
                    .map(|d| d.trim_start_matches("*.").to_ascii_lowercase())
                    .collect(),
                networks: texts(&c, "ipranges"),
                countries: c
                    .get("countries")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|x| country(text(x, "code")))
                    .collect(),
            },
            ..Listing::default()
        };
        let name = text(t, "official_name").or_else(|| text(t, "short_name"));
        keep(&mut out, pos, name, listing);
    }
    Ok(out)
}

fn read_first(v: &Value) -> Result<Read, NotTheFormat> {
    let data = v
        .get("data")
        .ok_or_else(|| not("the top level", "no `data`: not the FIRST API's envelope"))?;
    let teams = list(data, "the FIRST API's `data` is a JSON array")?;
    let mut out = Read::default();
    let n = |k: &str| v.get(k).and_then(Value::as_u64).map(|n| n as usize);
    if let (Some(total), Some(offset)) = (n("total"), n("offset")) {
        out.page = Some((total, offset, teams.len()));
    }
    for (i, t) in teams.iter().enumerate() {
        let pos = format!("data entry {}", i + 1);
        if !t.is_object() {
            return Err(not(&pos, "not a team (a JSON object)"));
        }
        if t.get("team").is_none() && t.get("team-full").is_none() {
            return Err(not(&pos, "no team nor team-full: not the FIRST format"));
        }
        let (name, listing) = flat(t, &FIRST_FIELDS);
        keep(&mut out, pos, name, listing);
    }
    Ok(out)
}

fn read_enisa(v: &Value) -> Result<Read, NotTheFormat> {
    let teams = match v {
        Value::Array(_) => list(v, "")?,
        Value::Object(o) => match o.values().find(|x| x.is_array()) {
            Some(a) => list(a, "")?,
            None => return Err(not("the top level", "no list of teams")),
        },
        _ => return Err(not("the top level", "not a list of teams")),
    };
    let mut out = Read::default();
    for (i, t) in teams.iter().enumerate() {
        let pos = format!("entry {}", i + 1);
        if !t.is_object() {
            return Err(not(&pos, "not a team (a JSON object)"));
        }
        if t.get("team-name").is_none() && t.get("short-team-name").is_none() {
            return Err(not(
                &pos,
                "no team-name nor short-team-name: not the ENISA format",
            ));
        }
        let (name, listing) = flat(t, &ENISA_FIELDS);
        keep(&mut out, pos, name, listing);
    }
    Ok(out)
}

/// The names of the fields of a directory that lists each team as one flat
/// JSON object (FIRST, ENISA).
struct Fields {
    short: &'static str,
    full: &'static str,
    key: &'static str,
    country: &'static str,
}

const FIRST_FIELDS: Fields = Fields {
    short: "team",
    full: "team-full",
    key: "pgp-fingerprint",
    country: "country",
};

const ENISA_FIELDS: Fields = Fields {
    short: "short-team-name",
    full: "team-name",
    key: "key",
    country: "country-code",
};

/// A flat team object's name and listing.
fn flat(t: &Value, f: &Fields) -> (Option<String>, Listing) {
    let listing = Listing {
        short_name: text(t, f.short),
        website: texts(t, "website").first().and_then(|w| website(w)),
        emails: texts(t, "email")
            .into_iter()
            .filter(|e| e.contains('@'))
            .map(|e| e.to_ascii_lowercase())
            .collect(),
        keys: text(t, f.key)
            .and_then(|k| fingerprint(&k))
            .map(|fingerprint| ListedKey {
                fingerprint,
                expires: None,
                from: Vec::new(),
            })
            .into_iter()
            .collect(),
        country: country(text(t, f.country)),
        ..Listing::default()
    };
    (text(t, f.full).or_else(|| text(t, f.short)), listing)
}

fn read_csv(bytes: &[u8]) -> Result<Read, NotTheFormat> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(bytes);
    let headers = r
        .headers()
        .map_err(|e| not("line 1", format!("not CSV: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let Some(name_col) = col("name") else {
        return Err(not(
            "line 1",
            "the header names no `name` column (expected name,website,email,country)",
        ));
    };
    let (web, mail, cc) = (col("website"), col("email"), col("country"));
    if web.is_none() && mail.is_none() {
        return Err(not(
            "line 1",
            "the header names neither `website` nor `email`",
        ));
    }
    let mut out = Read::default();
    for (i, row) in r.records().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| not(&format!("line {line}"), format!("not CSV: {e}")))?;
        let get = |c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let listing = Listing {
            website: get(web).and_then(|w| website(&w)),
            emails: get(mail)
                .into_iter()
                .filter(|e| e.contains('@'))
                .map(|e| e.to_ascii_lowercase())
                .collect(),
            country: country(get(cc)),
            ..Listing::default()
        };
        keep(
            &mut out,
            format!("line {line}"),
            get(Some(name_col)),
            listing,
        );
    }
    Ok(out)
}
