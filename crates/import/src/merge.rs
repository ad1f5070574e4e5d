//! Listed teams merged into the seed file: one team per identity, never
//! twice, hand-written teams and comments left as they are.

use std::path::Path;

use csirt_store::{ListedKey, Listing, Provenance};
use toml_edit::{value, Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use crate::formats::{Directory, Listed};

/// Who a team is, for merging: its website's registrable domain (else its
/// e-mail's, else its document's) and its short name with case, spaces
/// and punctuation dropped. `cert.lu` is not `cert.eu`; `CERT EU` is
/// `CERT-EU`. Never edit distance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    /// The registrable domain, if any is known.
    pub domain: Option<String>,
    /// The normalised short name.
    pub short: String,
}

/// The registrable domain of a URL's host or an e-mail address's domain.
pub fn registrable(host_or_url: &str) -> Option<String> {
    let s = host_or_url.trim();
    let host = match s.split_once("://") {
        Some((_, rest)) => rest.split(['/', '?', '#']).next().unwrap_or(rest),
        None => s.rsplit_once('@').map_or(s, |(_, d)| d),
    };
    let host = host
        .rsplit_once('@')
        .map_or(host, |(_, h)| h)
        .split(':')
        .next()
        .unwrap_or(host)
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    psl::domain_str(&host).map(String::from)
}

/// A short name with everything but letters and digits dropped, upper case.
pub fn normalise(short: &str) -> String {
    short
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

impl Identity {
    /// The identity of a listed team.
    pub fn of(name: &str, l: &Listing) -> Identity {
        let domain = l
            .website
            .as_deref()
            .and_then(registrable)
            .or_else(|| l.emails.iter().find_map(|e| registrable(e)));
        Identity {
            domain,
            short: normalise(l.short_name.as_deref().unwrap_or(name)),
        }
    }

    /// The identity of a team table of the seed file.
    fn of_table(t: &Table) -> Identity {
        let s = |k: &str| t.get(k).and_then(Item::as_str).map(String::from);
        let first = |k: &str| {
            t.get(k)
                .and_then(Item::as_array)
                .and_then(|a| a.iter().find_map(|v| v.as_str().map(String::from)))
        };
        let domain = s("website")
            .or_else(|| s("homepage"))
            .and_then(|w| registrable(&w))
            .or_else(|| first("emails").and_then(|e| registrable(&e)))
            .or_else(|| s("document").and_then(|d| registrable(&d)))
            .or_else(|| first("documents").and_then(|d| registrable(&d)));
        let name = s("name").unwrap_or_default();
        Identity {
            domain,
            short: normalise(&s("short_name").unwrap_or(name)),
        }
    }
}

/// What an import did to the seed file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    /// Teams new to the seed file.
    pub added: Vec<String>,
    /// Imported teams updated (or listed by another directory too).
    pub updated: Vec<String>,
    /// Teams the seed file lists by hand: left as they are.
    pub by_hand: Vec<String>,
    /// Teams kept apart from one that shares only its domain or only its
    /// short name, with why.
    pub ambiguous: Vec<String>,
}

/// A seed file that cannot be edited.
#[derive(Debug, thiserror::Error)]
pub enum SeedFileError {
    /// It is not TOML, or not a list of `[[team]]` tables.
    #[error("{0}")]
    NotSeeds(String),
    /// It could not be read or replaced.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

/// Merges `teams` from `dir` (imported on `at`, YYYY-MM-DD) into the seed
/// file's text; returns the new text and what changed.
pub fn merge(
    seed_text: &str,
    teams: Vec<Listed>,
    dir: Directory,
    at: &str,
) -> Result<(String, Merged), SeedFileError> {
    let mut doc: DocumentMut = seed_text
        .parse()
        .map_err(|e: toml_edit::TomlError| SeedFileError::NotSeeds(e.to_string()))?;
    if !doc.contains_key("team") {
        doc.insert("team", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let tables = doc["team"]
        .as_array_of_tables_mut()
        .ok_or_else(|| SeedFileError::NotSeeds("`team` is not a list of [[team]] tables".into()))?;
    let mut merged = Merged::default();
    // One entry per identity in this import: a directory that lists a team
    // twice gives it once.
    let mut incoming: Vec<(Identity, Listed)> = Vec::new();
    for t in teams {
        let id = Identity::of(&t.name, &t.listing);
        match incoming.iter_mut().find(|(i, _)| *i == id) {
            Some((_, existing)) => union(&mut existing.listing, &t.listing, dir.code()),
            None => incoming.push((id, t)),
        }
    }
    for (id, mut t) in incoming {
        stamp(&mut t.listing, dir.code(), at);
        let found = (0..tables.len()).find(|&i| {
            tables
                .get(i)
                .is_some_and(|tab| Identity::of_table(tab) == id)
        });
        match found {
            Some(i) => {
                let tab = tables.get_mut(i).expect("found above");
                if !tab.contains_key("imported") {
                    merged.by_hand.push(t.name);
                    continue;
                }
                let mut listing = listing_of(tab);
                union(&mut listing, &t.listing, dir.code());
                listing.from.retain(|p| p.directory != dir.code());
                listing.from.push(Provenance {
                    directory: dir.code().into(),
                    at: at.into(),
                });
                write_listing(tab, &listing);
                merged.updated.push(t.name);
            }
            None => {
                let near = (0..tables.len()).find_map(|i| {
                    let other = Identity::of_table(tables.get(i)?);
                    let same_domain = other.domain.is_some() && other.domain == id.domain;
                    let same_short = !id.short.is_empty() && other.short == id.short;
                    (same_domain || same_short).then(|| {
                        let name = tables.get(i)?.get("name")?.as_str()?.to_string();
                        Some(format!(
                            "{} and {name} share only their {}: kept apart",
                            t.name,
                            if same_domain { "domain" } else { "short name" }
                        ))
                    })?
                });
                merged.ambiguous.extend(near);
                let mut name = t.name.clone();
                let taken = |n: &str| {
                    tables
                        .iter()
                        .any(|tab| tab.get("name").and_then(Item::as_str) == Some(n))
                };
                if taken(&name) {
                    name = format!("{name} ({})", id.domain.as_deref().unwrap_or(dir.code()));
                }
                let mut tab = Table::new();
                tab.insert("name", value(name.as_str()));
                write_listing(&mut tab, &t.listing);
                tables.push(tab);
                merged.added.push(name);
            }
        }
    }
    // In a file of comments only, toml_edit keeps the comments as the
    // document's trailing text, which would print after the new tables:
    // they go before the first one instead.
    let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
    if !trailing.trim().is_empty() {
        if let Some(first) = doc["team"]
            .as_array_of_tables_mut()
            .and_then(|t| t.get_mut(0))
        {
            let prefix = first
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or_default()
                .to_string();
            first.decor_mut().set_prefix(format!("{trailing}{prefix}"));
            doc.set_trailing("");
        }
    }
    Ok((doc.to_string(), merged))
}

/// Marks every value of a listing as given by `dir`.
fn stamp(l: &mut Listing, dir: &str, at: &str) {
    l.from = vec![Provenance {
        directory: dir.into(),
        at: at.into(),
    }];
    for k in &mut l.keys {
        k.from = vec![dir.into()];
    }
    let mut fields = Vec::new();
    if l.short_name.is_some() {
        fields.push("short_name");
    }
    if l.website.is_some() {
        fields.push("website");
    }
    if !l.emails.is_empty() {
        fields.push("emails");
    }
    if l.country.is_some() {
        fields.push("country");
    }
    for f in fields {
        l.sources.insert(f.into(), vec![dir.into()]);
    }
}

/// Adds what `new` says to `l`: a directory's new scalar values replace
/// its old ones, lists are united, keys merged by fingerprint.
fn union(l: &mut Listing, new: &Listing, dir: &str) {
    let mut note = |field: &str| {
        let dirs = l.sources.entry(field.into()).or_default();
        if !dirs.iter().any(|d| d == dir) {
            dirs.push(dir.into());
        }
    };
    if let Some(s) = &new.short_name {
        l.short_name.get_or_insert_with(|| s.clone());
        note("short_name");
    }
    if let Some(w) = &new.website {
        l.website.get_or_insert_with(|| w.clone());
        note("website");
    }
    if let Some(c) = &new.country {
        l.country.get_or_insert_with(|| c.clone());
        note("country");
    }
    if !new.emails.is_empty() {
        note("emails");
    }
    for e in &new.emails {
        if !l.emails.contains(e) {
            l.emails.push(e.clone());
        }
    }
    for k in &new.keys {
        match l.keys.iter_mut().find(|x| x.fingerprint == k.fingerprint) {
            Some(x) => {
                if k.expires.is_some() {
                    x.expires = k.expires.clone();
                }
                if !x.from.iter().any(|d| d == dir) {
                    x.from.push(dir.into());
                }
            }
            None => l.keys.push(ListedKey {
                from: vec![dir.into()],
                ..k.clone()
            }),
        }
    }
    let c = &mut l.constituency;
    let n = &new.constituency;
    extend(&mut c.types, &n.types);
    extend(&mut c.domains, &n.domains);
    extend(&mut c.networks, &n.networks);
    extend(&mut c.countries, &n.countries);
    for a in &n.asns {
        if !c.asns.contains(a) {
            c.asns.push(*a);
        }
    }
}

fn extend(to: &mut Vec<String>, from: &[String]) {
    for x in from {
        if !to.contains(x) {
            to.push(x.clone());
        }
    }
}

/// The listing a team table holds (as `csirt seeds import` wrote it).
fn listing_of(t: &Table) -> Listing {
    // The table as TOML text, read back with the seed reader's types.
    let text = t.to_string();
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Raw {
        short_name: Option<String>,
        website: Option<String>,
        country: Option<String>,
        emails: Vec<String>,
        keys: Vec<ListedKey>,
        constituency: csirt_store::ListedConstituency,
        imported: Vec<Provenance>,
        sources: std::collections::BTreeMap<String, Vec<String>>,
    }
    let r: Raw = toml::from_str(&text).unwrap_or_default();
    Listing {
        from: r.imported,
        short_name: r.short_name,
        website: r.website,
        emails: r.emails,
        keys: r.keys,
        country: r.country,
        constituency: r.constituency,
        sources: r.sources,
    }
}

fn strings<'a>(xs: impl IntoIterator<Item = &'a String>) -> Array {
    xs.into_iter().map(|s| s.as_str()).collect()
}

/// Writes a listing into a team table, in a fixed order of keys.
fn write_listing(t: &mut Table, l: &Listing) {
    let mut set = |k: &str, v: Option<Item>| match v {
        Some(v) => {
            t.insert(k, v);
        }
        None => {
            t.remove(k);
        }
    };
    set("short_name", l.short_name.as_deref().map(value));
    set("website", l.website.as_deref().map(value));
    set("country", l.country.as_deref().map(value));
    set(
        "emails",
        (!l.emails.is_empty()).then(|| value(strings(&l.emails))),
    );
    let keys: Array = l
        .keys
        .iter()
        .map(|k| {
            let mut it = InlineTable::new();
            it.insert("fingerprint", k.fingerprint.as_str().into());
            if let Some(e) = &k.expires {
                it.insert("expires", e.as_str().into());
            }
            it.insert("from", Value::Array(strings(&k.from)));
            Value::InlineTable(it)
        })
        .collect();
    set("keys", (!l.keys.is_empty()).then(|| value(keys)));
    let c = &l.constituency;
    let mut ct = InlineTable::new();
    for (k, v) in [
        ("types", &c.types),
        ("domains", &c.domains),
        ("networks", &c.networks),
        ("countries", &c.countries),
    ] {
        if !v.is_empty() {
            ct.insert(k, Value::Array(strings(v)));
        }
    }
    if !c.asns.is_empty() {
        ct.insert(
            "asns",
            Value::Array(c.asns.iter().map(|a| i64::from(*a)).collect()),
        );
    }
    set("constituency", (!ct.is_empty()).then(|| value(ct)));
    let imported: Array = l
        .from
        .iter()
        .map(|p| {
            let mut it = InlineTable::new();
            it.insert("directory", p.directory.as_str().into());
            it.insert("at", p.at.as_str().into());
            Value::InlineTable(it)
        })
        .collect();
    set("imported", Some(value(imported)));
    let mut sources = InlineTable::new();
    for (k, v) in &l.sources {
        sources.insert(k, Value::Array(strings(v)));
    }
    set("sources", (!sources.is_empty()).then(|| value(sources)));
}

/// Replaces `path` with `text`: written beside, synced, renamed over it,
/// so an interrupted import leaves the old file whole.
pub fn replace_file(path: &Path, text: &str) -> Result<(), SeedFileError> {
    use std::io::Write;
    let io = |e| SeedFileError::Io(path.display().to_string(), e);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or("seeds".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}
