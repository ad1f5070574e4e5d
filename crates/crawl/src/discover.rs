//! Finding a team's RFC 2350 document from its website, politely.
//!
//! The directories give a team's website, not its document. [`discover`]
//! looks where teams put it, in this order, and stops at the first place
//! that gives one: the site's `/.well-known/security.txt` (RFC 9116; its
//! `Policy` or any URL naming RFC 2350), the homepage's links whose URL or
//! text names RFC 2350 (and, one level down, what a page that only wraps
//! the document embeds or offers for download), then the usual paths
//! (`/rfc2350`, `/rfc2350.txt`, ... and the same under `/csirt/` and
//! `/cert/`). A candidate is accepted when it parses as an RFC 2350
//! description and names this team. Every request goes through the
//! [`Fetcher`] (robots.txt, the host's turn), at most [`BUDGET`] per site.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::fetch::{Attempted, Fetcher};
use crate::seeds::TeamSeed;

/// Requests one site's discovery may make, robots.txt and redirects
/// included.
pub const BUDGET: u32 = 10;

/// What a discovery did and found: the record the store keeps, and reads
/// back to crawl the same documents next time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Discovery {
    /// The site looked at.
    pub site: String,
    /// Why that site: the team's website, or its e-mail's domain.
    pub via: String,
    /// The documents accepted.
    pub documents: Vec<String>,
    /// Every URL tried, why, and what it was.
    pub trail: Vec<Step>,
    /// The site's security.txt, when it has one.
    pub security_txt: Option<SecurityTxt>,
    /// Requests made.
    pub requests: u32,
}

/// One URL a discovery tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The URL.
    pub url: String,
    /// Why it was tried.
    pub why: String,
    /// What it turned out to be.
    pub outcome: Turned,
}

/// What one URL a discovery tried turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Turned {
    /// The team's description: kept.
    Accepted,
    /// A description, of another team.
    AnotherTeam,
    /// Fetched, and not an RFC 2350 description.
    NotRfc2350,
    /// The site's security.txt.
    SecurityTxt,
    /// Served where security.txt belongs, but not one (an error page).
    NotSecurityTxt,
    /// The homepage, whose links were followed.
    Homepage,
    /// Fetched, not judged (the budget ran out first).
    Fetched,
    /// No usable answer: the fetch error's code (`http-404`,
    /// `robots-disallowed`, `timeout`...).
    Failed(String),
}

/// The fields of a security.txt (RFC 9116) a directory uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityTxt {
    /// `Contact:` (mailto:, tel:, https: URIs).
    pub contact: Vec<String>,
    /// `Encryption:`: where the team's key is.
    pub encryption: Vec<String>,
    /// `Expires:` as written.
    pub expires: Option<String>,
    /// `Policy:`.
    pub policy: Vec<String>,
    /// `Preferred-Languages:`.
    pub preferred_languages: Option<String>,
    /// `Canonical:`.
    pub canonical: Vec<String>,
    /// `CSAF:`.
    pub csaf: Vec<String>,
    /// The file was clear-signed (OpenPGP).
    pub signed: bool,
}

impl SecurityTxt {
    /// Reads a security.txt; none when it has no `Contact:` (every
    /// security.txt must have one: anything else is some other page).
    pub fn parse(text: &str) -> Option<SecurityTxt> {
        let mut s = SecurityTxt {
            signed: text.contains("-----BEGIN PGP SIGNED MESSAGE-----"),
            ..SecurityTxt::default()
        };
        let mut in_signature = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("-----BEGIN PGP SIGNATURE") {
                in_signature = true;
            }
            if in_signature || line.starts_with('#') || line.starts_with("-----") {
                if line.starts_with("-----END PGP SIGNATURE") {
                    in_signature = false;
                }
                continue;
            }
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let v = v.trim().to_string();
            match k.trim().to_ascii_lowercase().as_str() {
                "contact" => s.contact.push(v),
                "encryption" => s.encryption.push(v),
                "expires" => s.expires = Some(v),
                "policy" => s.policy.push(v),
                "preferred-languages" => s.preferred_languages = Some(v),
                "canonical" => s.canonical.push(v),
                "csaf" => s.csaf.push(v),
                _ => {}
            }
        }
        (!s.contact.is_empty()).then_some(s)
    }

    /// Whether it has expired by `today` (RFC 3339 `Expires`).
    pub fn expired(&self, today: chrono::NaiveDate) -> bool {
        self.expires
            .as_deref()
            .and_then(|e| chrono::DateTime::parse_from_rfc3339(e).ok())
            .is_some_and(|e| e.date_naive() < today)
    }
}

/// Whether a URL or a link's text names an RFC 2350 description.
pub fn names_rfc2350(s: &str) -> bool {
    let f: String = s
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.' | '%'))
        .collect();
    f.contains("rfc2350")
        || f.contains("rfc20350")
        || [
            "csirtdescription",
            "certdescription",
            "descriptionducsirt",
            "deskripsicsirt",
            "profilcsirt",
            "beschreibungdescsirt",
        ]
        .iter()
        .any(|w| f.contains(w))
}

/// Whether a link offers a document for download (a page that wraps one).
fn offers_download(url: &str, text: &str) -> bool {
    let u = url.to_lowercase();
    let t = text.to_lowercase();
    (u.ends_with(".pdf") || u.ends_with(".txt"))
        && (names_rfc2350(&u)
            || [
                "download",
                "unduh",
                "télécharger",
                "herunterladen",
                "descargar",
                "pdf",
            ]
            .iter()
            .any(|w| t.contains(w)))
}

/// The usual paths, in the order tried.
const PATHS: [&str; 15] = [
    "/rfc2350",
    "/rfc2350.txt",
    "/rfc2350.pdf",
    "/rfc2350.html",
    "/rfc-2350",
    "/csirt/rfc2350",
    "/csirt/rfc2350.txt",
    "/csirt/rfc2350.pdf",
    "/csirt/rfc2350.html",
    "/csirt/rfc-2350",
    "/cert/rfc2350",
    "/cert/rfc2350.txt",
    "/cert/rfc2350.pdf",
    "/cert/rfc2350.html",
    "/cert/rfc-2350",
];

/// A document discovery fetched and accepted, with its bytes.
pub struct Accepted {
    /// Where it is.
    pub url: Url,
    /// The fetch, handed to the crawl so it is not fetched twice.
    pub fetched: Attempted,
}

/// A candidate's bytes judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A description of this team.
    Accepted,
    /// A description, of another team.
    AnotherTeam,
    /// Not a description (a home page, a soft 404, a wrapper).
    NotRfc2350,
}

/// A verdict to come (a parse on the crawl's CPU pool).
pub type Judged = std::pin::Pin<Box<dyn std::future::Future<Output = Verdict> + Send>>;

/// What says whether fetched bytes are the team's description.
pub type Judge = dyn Fn(Vec<u8>, Url) -> Judged + Send + Sync;

/// One site's discovery in progress.
struct Search<'a> {
    fetcher: &'a Fetcher,
    d: Discovery,
    accepted: Vec<Accepted>,
    tried: Vec<Url>,
}

impl Search<'_> {
    fn budget_left(&self) -> bool {
        self.d.requests < BUDGET
    }

    /// Fetches `url` once, within the budget; the body of a success.
    async fn get(&mut self, url: &Url, why: &str) -> Option<(Attempted, Vec<u8>)> {
        if !self.budget_left() || self.tried.contains(url) {
            return None;
        }
        self.tried.push(url.clone());
        let mut got = self.fetcher.get(url, None, None).await;
        self.d.requests += got.requests;
        let outcome = match &got.result {
            Ok(_) => Turned::Fetched,
            Err(e) => Turned::Failed(e.reason()),
        };
        self.d.trail.push(Step {
            url: url.to_string(),
            why: why.to_string(),
            outcome,
        });
        let body = got.result.as_mut().ok()?.body.clone()?;
        Some((got, body))
    }

    fn outcome(&mut self, o: Turned) {
        if let Some(s) = self.d.trail.last_mut() {
            s.outcome = o;
        }
    }

    /// Tries candidates in order; a page that only wraps the document
    /// leads, once, to what it embeds or offers.
    async fn try_all(&mut self, candidates: Vec<(Url, String)>, judge: &Judge, wrappers: bool) {
        for (url, why) in candidates {
            let Some((got, body)) = self.get(&url, &why).await else {
                continue;
            };
            match judge(body.clone(), url.clone()).await {
                Verdict::Accepted => {
                    self.outcome(Turned::Accepted);
                    self.accepted.push(Accepted { url, fetched: got });
                }
                Verdict::AnotherTeam => self.outcome(Turned::AnotherTeam),
                Verdict::NotRfc2350 => {
                    self.outcome(Turned::NotRfc2350);
                    if wrappers && is_html(&body) {
                        let inner = wrapped(&body, &url);
                        Box::pin(self.try_all(inner, judge, false)).await;
                    }
                }
            }
        }
    }
}

fn is_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(2048)]).to_lowercase();
    head.contains("<html") || head.contains("<!doctype html") || head.contains("<body")
}

/// What a page links or embeds that may be the document: links naming RFC
/// 2350, and (for a page that wraps it) embedded documents and downloads.
fn wrapped(body: &[u8], base: &Url) -> Vec<(Url, String)> {
    let html = String::from_utf8_lossy(body);
    let mut out = Vec::new();
    for l in csirt_parse::html::links(&html, 2000) {
        let Ok(u) = base.join(&l.href) else { continue };
        if !matches!(u.scheme(), "http" | "https") {
            continue;
        }
        let why = if l.embedded {
            format!("embedded in {base}")
        } else if names_rfc2350(&l.href) || names_rfc2350(&l.text) {
            format!("linked from {base} as {:?}", l.text)
        } else if offers_download(u.as_str(), &l.text) {
            format!("offered for download by {base}")
        } else {
            continue;
        };
        if !out.iter().any(|(x, _)| *x == u) {
            out.push((u, why));
        }
    }
    out
}

/// Whether a parsed description names the team `seed`: its name or short
/// name is the seed's (case, spaces and punctuation aside), or one holds
/// the other, or its e-mail addresses are at the domain of the team's
/// website or listed e-mail.
pub fn names_team(r: &csirt_parse::Record, seed: &TeamSeed) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let ours: Vec<String> = std::iter::once(seed.name.as_str())
        .chain(seed.listing.as_ref().and_then(|l| l.short_name.as_deref()))
        .map(norm)
        .filter(|n| n.len() >= 3)
        .collect();
    let theirs: Vec<String> = [r.team.name.as_deref(), r.team.short_name.as_deref()]
        .into_iter()
        .flatten()
        .map(norm)
        .filter(|n| n.len() >= 3)
        .collect();
    if ours.iter().any(|o| {
        theirs
            .iter()
            .any(|t| t == o || t.contains(o.as_str()) || o.contains(t.as_str()))
    }) {
        return true;
    }
    let host_of = |s: &str| -> Option<String> {
        let h = match s.split_once("://") {
            Some((_, rest)) => rest.split(['/', ':']).next()?.to_string(),
            None => s.rsplit_once('@')?.1.to_string(),
        };
        Some(h.trim_start_matches("www.").to_ascii_lowercase())
    };
    let mut domains: Vec<String> = seed
        .homepage
        .iter()
        .filter_map(|h| host_of(h.as_str()))
        .collect();
    domains.extend(seed.emails.iter().filter_map(|e| host_of(e)));
    r.contact.emails.iter().filter_map(|e| host_of(e)).any(|d| {
        domains.iter().any(|ours| {
            d == *ours || d.ends_with(&format!(".{ours}")) || ours.ends_with(&format!(".{d}"))
        })
    })
}

/// Finds a team's document from `site`, `via` saying why that site;
/// `judge` says whether fetched bytes are this team's description. Every
/// request goes through `fetcher`, at most [`BUDGET`].
pub async fn discover(
    fetcher: &Fetcher,
    site: &Url,
    via: &str,
    judge: &Judge,
) -> (Discovery, Vec<Accepted>) {
    let mut s = Search {
        fetcher,
        d: Discovery {
            site: site.to_string(),
            via: via.to_string(),
            ..Discovery::default()
        },
        accepted: Vec::new(),
        tried: Vec::new(),
    };
    let root = site.join("/").unwrap_or_else(|_| site.clone());
    // 1. security.txt.
    if let Ok(u) = root.join("/.well-known/security.txt") {
        if let Some((_, body)) = s.get(&u, "security.txt (RFC 9116)").await {
            match SecurityTxt::parse(&String::from_utf8_lossy(&body)) {
                Some(txt) => {
                    let mut candidates = Vec::new();
                    for p in txt.policy.iter().chain(&txt.canonical).chain(&txt.contact) {
                        let Ok(u) = Url::parse(p) else { continue };
                        if matches!(u.scheme(), "http" | "https")
                            && (names_rfc2350(p) || txt.policy.contains(p))
                        {
                            candidates.push((u, "named in security.txt".to_string()));
                        }
                    }
                    s.outcome(Turned::SecurityTxt);
                    s.d.security_txt = Some(txt);
                    s.try_all(candidates, judge, true).await;
                }
                None => s.outcome(Turned::NotSecurityTxt),
            }
        }
    }
    // 2. The homepage (the website as given, else the site's root) and its
    //    links.
    if s.accepted.is_empty() {
        if let Some((got, body)) = s.get(site, "the team's website").await {
            if let Verdict::Accepted = judge(body.clone(), site.clone()).await {
                // Some teams' website is their description.
                s.outcome(Turned::Accepted);
                s.accepted.push(Accepted {
                    url: site.clone(),
                    fetched: got,
                });
            } else {
                s.outcome(Turned::Homepage);
                let candidates: Vec<(Url, String)> = wrapped(&body, site)
                    .into_iter()
                    .filter(|(_, why)| !why.starts_with("offered for download"))
                    .collect();
                s.try_all(candidates, judge, true).await;
            }
        }
    }
    // 3. The usual paths.
    if s.accepted.is_empty() {
        for p in PATHS {
            if !s.budget_left() || !s.accepted.is_empty() {
                break;
            }
            if let Ok(u) = root.join(p) {
                s.try_all(vec![(u, "a usual path".to_string())], judge, true)
                    .await;
            }
        }
    }
    s.d.documents = s.accepted.iter().map(|a| a.url.to_string()).collect();
    (s.d, s.accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_2350_is_named_however_it_is_written() {
        for s in [
            "/rfc2350.pdf",
            "RFC 2350",
            "rfc-2350",
            "RFC_2350 (EN)",
            "CSIRT description",
            "Deskripsi CSIRT",
        ] {
            assert!(names_rfc2350(s), "{s}");
        }
        for s in ["/about", "Contact us", "rfc2616", "/2350"] {
            assert!(!names_rfc2350(s), "{s}");
        }
    }

    #[test]
    fn security_txt_fields_and_its_signature() {
        let t = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n# ours\nContact: mailto:cert@x.example\n\
                 Encryption: https://x.example/key.asc\nPolicy: https://x.example/rfc2350.txt\n\
                 Expires: 2020-01-01T00:00:00Z\n-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n";
        let s = SecurityTxt::parse(t).unwrap();
        assert!(s.signed);
        assert_eq!(s.contact, ["mailto:cert@x.example"]);
        assert_eq!(s.encryption, ["https://x.example/key.asc"]);
        assert_eq!(s.policy, ["https://x.example/rfc2350.txt"]);
        assert!(s.expired(chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()));
        assert_eq!(SecurityTxt::parse("<html>Not found</html>"), None);
    }
}
