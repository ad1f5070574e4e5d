//! The seed list: which teams to crawl and where their documents are.
//!
//! Two forms: a TOML file of `[[team]]` tables (see `seeds/teams.toml`), or a
//! plain file of URLs, one per line (`#` starts a comment). Locations may be
//! `http(s)://` URLs, `file://` URLs or local paths, relative paths being
//! taken from the seed file's folder. A seed file with any error is refused
//! as a whole, with the line and the reason: nothing is fetched.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use url::Url;

/// One team to crawl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSeed {
    /// The team's name (unique in the list).
    pub name: String,
    /// Its RFC 2350 document(s); none when the crawl is to find it from
    /// the team's website (or the site of its e-mail's domain).
    pub documents: Vec<Url>,
    /// A detached signature over the (first) document.
    pub signature: Option<Url>,
    /// Its OpenPGP key.
    pub key: Option<Url>,
    /// Its home page.
    pub homepage: Option<Url>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
    /// The fingerprint the seed list states for the team's key.
    pub fingerprint: Option<String>,
    /// The team's contact e-mail addresses, when the seed list gives them.
    pub emails: Vec<String>,
    /// What the public directories say of the team, for a team imported
    /// from them (`csirt seeds import`); none for a team written by hand.
    pub listing: Option<csirt_store::Listing>,
}

impl TeamSeed {
    /// A team by name with one document and nothing else.
    pub fn with_document(name: &str, document: Url) -> TeamSeed {
        TeamSeed {
            name: name.to_string(),
            documents: vec![document],
            signature: None,
            key: None,
            homepage: None,
            country: None,
            fingerprint: None,
            emails: Vec::new(),
            listing: None,
        }
    }

    /// Where a document is to be found from: the website, else the site of
    /// the first e-mail address's domain (a directory entry without a
    /// website), saying which.
    pub fn discovery_site(&self) -> Option<(Url, &'static str)> {
        if let Some(h) = &self.homepage {
            return Some((h.clone(), "website"));
        }
        let email = self.emails.first()?;
        let domain = email.rsplit_once('@')?.1.trim();
        Url::parse(&format!("https://{domain}/"))
            .ok()
            .map(|u| (u, "the site of the contact e-mail's domain"))
    }
}

/// A seed file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct SeedError {
    /// The seed file.
    pub file: String,
    /// 1-based line of the problem.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    team: Vec<Spanned<RawTeam>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTeam {
    name: Spanned<String>,
    document: Option<Spanned<String>>,
    #[serde(default)]
    documents: Vec<Spanned<String>>,
    signature: Option<Spanned<String>>,
    key: Option<Spanned<String>>,
    homepage: Option<Spanned<String>>,
    /// The same as `homepage`, as the directories call it.
    website: Option<Spanned<String>>,
    country: Option<Spanned<String>>,
    fingerprint: Option<Spanned<String>>,
    /// Where the entry came from; documentation only.
    #[allow(dead_code)]
    source: Option<String>,
    // For a team imported from the public directories (`csirt seeds
    // import`): what they say of it, as in `csirt_store::Listing`.
    #[serde(default)]
    imported: Vec<csirt_store::Provenance>,
    short_name: Option<String>,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    keys: Vec<csirt_store::ListedKey>,
    #[serde(default)]
    constituency: csirt_store::ListedConstituency,
    #[serde(default)]
    sources: std::collections::BTreeMap<String, Vec<String>>,
}

/// Reads a seed file: TOML when it parses as `[[team]]` tables or ends in
/// `.toml`, else a list of URLs.
pub fn load(path: &Path) -> Result<Vec<TeamSeed>, SeedError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| SeedError {
        file: file.clone(),
        line: 0,
        reason: format!("cannot read: {e}"),
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let is_toml = path.extension().is_some_and(|e| e == "toml") || text.contains("[[team]]");
    if is_toml {
        parse_toml(&text, &file, base)
    } else {
        parse_list(&text, &file, base)
    }
}

/// Parses TOML seed text; `base` resolves relative paths.
pub fn parse_toml(text: &str, file: &str, base: &Path) -> Result<Vec<TeamSeed>, SeedError> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let err = |offset: usize, reason: String| SeedError {
        file: file.to_string(),
        line: line_of(offset),
        reason,
    };
    let parsed: File = toml::from_str(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        err(at, e.message().to_string())
    })?;
    let mut seeds: Vec<TeamSeed> = Vec::with_capacity(parsed.team.len());
    // Names seen so far: a list of thousands of teams is checked in one pass.
    let mut names = std::collections::HashSet::with_capacity(parsed.team.len());
    for t in parsed.team {
        let start = t.span().start;
        let t = t.into_inner();
        let name = t.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(err(t.name.span().start, "a team's name is empty".into()));
        }
        if !names.insert(name.clone()) {
            return Err(err(
                t.name.span().start,
                format!("team {name:?} is listed twice"),
            ));
        }
        let mut documents = Vec::new();
        for d in t.document.iter().chain(&t.documents) {
            documents.push(location(d.get_ref(), base).map_err(|r| err(d.span().start, r))?);
        }
        let website = t.homepage.as_ref().or(t.website.as_ref());
        if documents.is_empty() && website.is_none() && t.emails.is_empty() {
            return Err(err(
                start,
                format!("team {name:?} has no `document`, and no `website` or `emails` to find one from"),
            ));
        }
        let one = |v: &Option<Spanned<String>>| -> Result<Option<Url>, SeedError> {
            v.as_ref()
                .map(|s| location(s.get_ref(), base).map_err(|r| err(s.span().start, r)))
                .transpose()
        };
        let country = match &t.country {
            Some(c)
                if c.get_ref().len() == 2
                    && c.get_ref().chars().all(|ch| ch.is_ascii_alphabetic()) =>
            {
                Some(c.get_ref().to_ascii_uppercase())
            }
            Some(c) => {
                return Err(err(
                    c.span().start,
                    format!(
                        "country {:?} is not an ISO 3166-1 two-letter code",
                        c.get_ref()
                    ),
                ))
            }
            None => None,
        };
        let fingerprint = match &t.fingerprint {
            Some(f) => {
                let hex: String = f
                    .get_ref()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_ascii_uppercase();
                if !(hex.len() == 40 || hex.len() == 64)
                    || !hex.chars().all(|c| c.is_ascii_hexdigit())
                {
                    return Err(err(
                        f.span().start,
                        format!("fingerprint {:?} is not 40 or 64 hex digits", f.get_ref()),
                    ));
                }
                Some(hex)
            }
            None => None,
        };
        let listing = (!t.imported.is_empty()).then(|| csirt_store::Listing {
            from: t.imported.clone(),
            short_name: t.short_name.clone(),
            website: website.map(|w| w.get_ref().clone()),
            emails: t.emails.clone(),
            keys: t.keys.clone(),
            country: country.clone(),
            constituency: t.constituency.clone(),
            sources: t.sources.clone(),
        });
        seeds.push(TeamSeed {
            name,
            documents,
            signature: one(&t.signature)?,
            key: one(&t.key)?,
            homepage: website
                .map(|s| location(s.get_ref(), base).map_err(|r| err(s.span().start, r)))
                .transpose()?,
            country,
            fingerprint,
            emails: t.emails.clone(),
            listing,
        });
    }
    if seeds.is_empty() {
        return Err(SeedError {
            file: file.to_string(),
            line: 1,
            reason: "no [[team]] tables".into(),
        });
    }
    Ok(seeds)
}

/// Parses a list of document URLs, one per line; each becomes a team named
/// after its host (and path, when a host has several).
pub fn parse_list(text: &str, file: &str, base: &Path) -> Result<Vec<TeamSeed>, SeedError> {
    let mut seeds: Vec<TeamSeed> = Vec::new();
    let mut names = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.split('#').next().unwrap_or("").trim();
        if l.is_empty() {
            continue;
        }
        let url = location(l, base).map_err(|reason| SeedError {
            file: file.to_string(),
            line: i + 1,
            reason,
        })?;
        let mut name = url.host_str().map_or_else(|| url.to_string(), String::from);
        if names.contains(&name) {
            name = url.to_string();
        }
        names.insert(name.clone());
        seeds.push(TeamSeed::with_document(&name, url));
    }
    if seeds.is_empty() {
        return Err(SeedError {
            file: file.to_string(),
            line: 1,
            reason: "no URLs".into(),
        });
    }
    Ok(seeds)
}

/// An `http(s)` or `file` URL, or a local path made into a `file` URL.
fn location(s: &str, base: &Path) -> Result<Url, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("an empty location".into());
    }
    if let Ok(u) = Url::parse(s) {
        return match u.scheme() {
            "http" | "https" if u.host_str().is_some() => Ok(u),
            "file" => Ok(u),
            "http" | "https" => Err(format!("{s:?} has no host")),
            other if other.len() > 1 => Err(format!(
                "{s:?}: scheme {other:?} is not http, https or file"
            )),
            // A Windows drive letter parses as a scheme; treat it as a path.
            _ => path_url(s, base),
        };
    }
    if s.contains("://") || s.contains('@') || s.contains(' ') {
        return Err(format!("{s:?} is not a URL or a path"));
    }
    path_url(s, base)
}

fn path_url(s: &str, base: &Path) -> Result<Url, String> {
    let p = Path::new(s);
    let full = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    let full = std::path::absolute(&full).map_err(|e| format!("{s:?}: {e}"))?;
    Url::from_file_path(&full).map_err(|_| format!("{s:?} cannot be made into a file URL"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_with_every_field() {
        let t = r#"
[[team]]
name = "XYZ-CERT"
document = "https://www.xyz-univ.ca/xyz-cert/english/CSIRT-descr.txt"
signature = "https://www.xyz-univ.ca/xyz-cert/english/CSIRT-descr.asc"
key = "https://www.xyz-univ.ca/xyz-cert/pgp.asc"
homepage = "https://www.xyz-univ.ca/xyz-cert/"
country = "ca"

[[team]]
name = "Local"
documents = ["examples/a.txt", "file:///srv/b.txt"]
"#;
        let s = parse_toml(t, "s.toml", Path::new("/seeds")).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].country.as_deref(), Some("CA"));
        assert_eq!(s[1].documents[0].as_str(), "file:///seeds/examples/a.txt");
        assert_eq!(s[1].documents[1].scheme(), "file");
    }

    /// A team written by hand with only an e-mail address is looked for
    /// on the site of the address's domain, as an imported one is.
    #[test]
    fn a_team_with_only_an_email_is_discovered_from_its_domain() {
        let t = "[[team]]\nname = \"A\"\nemails = [\"cert@a-team.example\"]\n";
        let s = parse_toml(t, "s.toml", Path::new("/")).unwrap();
        assert!(s[0].listing.is_none());
        let (site, via) = s[0].discovery_site().unwrap();
        assert_eq!(site.as_str(), "https://a-team.example/");
        assert!(via.contains("e-mail"));
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("[[team]]\nname = \"A\"\n", 1, "no `document`, and no `website`"),
            ("[[team]]\nname = \"A\"\ndocument = \"ftp://x/y\"\n", 3, "scheme"),
            ("[[team]]\nname = \"A\"\ndocument = \"https://x/\"\ncountry = \"France\"\n", 4, "ISO 3166-1"),
            ("[[team]]\nname = \"A\"\ndocument = \"https://x/\"\ncolour = \"red\"\n", 4, "unknown field"),
            ("[[team]]\nname = \"A\"\ndocument = \"https://x/\"\n[[team]]\nname = \"A\"\ndocument = \"https://y/\"\n", 5, "twice"),
            ("[[team]\n", 1, ""),
        ];
        for (text, line, what) in cases {
            let e = parse_toml(text, "s.toml", Path::new("/")).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.reason.contains(what), "{text:?}: {e}");
        }
    }

    #[test]
    fn url_lists() {
        let s = parse_list(
            "# teams\nhttps://a.example/rfc2350.txt\n\nhttps://a.example/other.txt # second\n",
            "l",
            Path::new("/"),
        )
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "a.example");
        // A second document on a host already named takes its URL as name.
        assert_eq!(s[1].name, "https://a.example/other.txt");
        let e = parse_list("https://a.example/\nmailto:x@y\n", "l", Path::new("/")).unwrap_err();
        assert_eq!(e.line, 2);
    }
}
