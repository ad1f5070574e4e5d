//! Who is responsible for this address, domain or AS number?
//!
//! A handler at 3 a.m. holds `192.0.2.7` from a log, `mail.xyz-univ.ca`
//! from a phishing mail or `AS64500` from a BGP feed. [`Table`] holds every
//! team's constituency as data (read from the index's documents once per
//! commit) in hash maps keyed by prefix length, domain and AS number, so a
//! lookup is a few dozen hash probes, not a search. [`Table::lookup`]
//! orders what matches the way a handler would: the longest matching
//! prefix first, then the longest matching domain suffix, then the AS
//! number, then a region, then the country; when nothing states the
//! address, the national team of its country (given, from the domain's
//! ccTLD, or from the RIRs' delegations the caller passes) answers.

use std::collections::HashMap;
use std::net::IpAddr;

use csirt_parse::{Constituency, ScopeKind, Sector};
use csirt_verify::Outcome;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// What a handler holds. Any combination; words narrow the answer further
/// (the caller intersects with a search).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// An address (v4 or v6).
    pub ip: Option<IpAddr>,
    /// A domain or host name.
    pub domain: Option<String>,
    /// An AS number.
    pub asn: Option<u32>,
    /// An ISO 3166-1 alpha-2 code.
    pub country: Option<String>,
    /// Only teams of this sector.
    pub sector: Option<Sector>,
    /// A region, folded or as written (`Québec`).
    pub region: Option<String>,
}

impl Query {
    /// Whether it asks anything.
    pub fn is_empty(&self) -> bool {
        *self == Query::default()
    }
}

/// Why a team answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// What matched.
    pub kind: ScopeKind,
    /// The value the team's document states (`192.0.2.0/24`).
    pub value: String,
    /// The section it is stated in, if numbered.
    pub section: Option<String>,
    /// Its line in the document's text; 0 when it came from elsewhere (the
    /// seed list's country).
    pub line: usize,
    /// One sentence for people: "3.2 states 192.0.2.0/24 (line 97)".
    pub says: String,
}

/// How to reach a team, from its record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// E-mail addresses.
    pub emails: Vec<String>,
    /// Telephone numbers.
    pub phones: Vec<String>,
    /// Operating hours, as written.
    pub hours: Option<String>,
    /// Time zone, as written.
    pub time_zone: Option<String>,
    /// Key fingerprints the document states.
    pub fingerprints: Vec<String>,
}

/// One team that answers a lookup.
#[derive(Debug, Clone, Serialize)]
pub struct Match {
    /// The store's team id.
    pub team_id: u64,
    /// Team name.
    pub name: String,
    /// Short name.
    pub short_name: String,
    /// The team's country (seed list).
    pub country: String,
    /// Its document's URL.
    pub url: String,
    /// Its document's signature outcome, none when never checked.
    pub outcome: Option<Outcome>,
    /// How to reach it.
    pub contact: Contact,
    /// Why it answers, most specific first.
    pub why: Vec<Reason>,
    /// Answers as its country's national team only (nothing it states
    /// names the address, domain or AS number).
    pub fallback: bool,
    #[serde(skip)]
    rank: Rank,
}

/// Specificity, greatest first: prefix length, domain labels, AS, region,
/// country, then national fallback.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    prefix: Option<u8>,
    labels: Option<usize>,
    asn: bool,
    region: bool,
    country: bool,
    national: bool,
}

/// A team as the table knows it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Team {
    pub(crate) team_id: u64,
    pub(crate) name: String,
    pub(crate) short_name: String,
    pub(crate) country: String,
    pub(crate) url: String,
    pub(crate) outcome: Option<Outcome>,
    pub(crate) contact: Contact,
    pub(crate) scope: Constituency,
}

/// Where an address's country comes from when no team states the address:
/// the RIRs' delegations (`csirt lookup-data import`).
pub trait CountryOf {
    /// The country an address is delegated to.
    fn country_of_ip(&self, ip: IpAddr) -> Option<String>;
    /// The country an AS number is delegated to.
    fn country_of_asn(&self, asn: u32) -> Option<String>;
}

/// No delegation data: no country is guessed from an address.
impl CountryOf for () {
    fn country_of_ip(&self, _: IpAddr) -> Option<String> {
        None
    }
    fn country_of_asn(&self, _: u32) -> Option<String> {
        None
    }
}

/// Every team's constituency as data, indexed for lookups.
#[derive(Debug, Default)]
pub struct Table {
    teams: Vec<Team>,
    /// Per prefix length (0-32), the masked IPv4 network's teams.
    v4: Vec<FxHashMap<u32, Vec<(u32, u16)>>>,
    /// Per prefix length (0-128), the masked IPv6 network's teams.
    v6: Vec<FxHashMap<u128, Vec<(u32, u16)>>>,
    /// Lengths that have any network, longest first: only those are probed.
    v4_lengths: Vec<u8>,
    v6_lengths: Vec<u8>,
    /// Domain (lower case) to teams.
    domains: FxHashMap<String, Vec<(u32, u16)>>,
    asns: FxHashMap<u32, Vec<(u32, u16)>>,
}

/// A team's index in [`Table::teams`], and which evidence of it matched.
type Hit = (u32, u16);

impl Table {
    pub(crate) fn new(teams: Vec<Team>) -> Table {
        let mut t = Table {
            v4: vec![FxHashMap::default(); 33],
            v6: vec![FxHashMap::default(); 129],
            ..Table::default()
        };
        for (i, team) in teams.iter().enumerate() {
            let i = i as u32;
            for (e, ev) in team.scope.evidence.iter().enumerate() {
                let e = e as u16;
                match ev.kind {
                    ScopeKind::Network => {
                        match csirt_parse::extract::scope::parse_network(&ev.value) {
                            Some(ipnet::IpNet::V4(n)) => t.v4[n.prefix_len() as usize]
                                .entry(u32::from(n.network()))
                                .or_default()
                                .push((i, e)),
                            Some(ipnet::IpNet::V6(n)) => t.v6[n.prefix_len() as usize]
                                .entry(u128::from(n.network()))
                                .or_default()
                                .push((i, e)),
                            None => {}
                        }
                    }
                    ScopeKind::Domain => t
                        .domains
                        .entry(ev.value.to_ascii_lowercase())
                        .or_default()
                        .push((i, e)),
                    ScopeKind::Asn => {
                        if let Ok(n) = ev.value.parse() {
                            t.asns.entry(n).or_default().push((i, e));
                        }
                    }
                    _ => {}
                }
            }
        }
        t.v4_lengths = (0..=32u8)
            .rev()
            .filter(|l| !t.v4[*l as usize].is_empty())
            .collect();
        t.v6_lengths = (0..=128u8)
            .rev()
            .filter(|l| !t.v6[*l as usize].is_empty())
            .collect();
        t.teams = teams;
        t
    }

    /// Teams in the table.
    pub fn len(&self) -> usize {
        self.teams.len()
    }

    /// Whether the table holds no team.
    pub fn is_empty(&self) -> bool {
        self.teams.is_empty()
    }

    /// The networks that contain `ip`, longest prefix first, with their
    /// length.
    fn networks_of(&self, ip: IpAddr) -> Vec<(u8, &[Hit])> {
        let mut out = Vec::new();
        match ip {
            IpAddr::V4(a) => {
                let a = u32::from(a);
                for &len in &self.v4_lengths {
                    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                    if let Some(h) = self.v4[len as usize].get(&(a & mask)) {
                        out.push((len, h.as_slice()));
                    }
                }
            }
            IpAddr::V6(a) => {
                let a = u128::from(a);
                for &len in &self.v6_lengths {
                    let mask = if len == 0 {
                        0
                    } else {
                        u128::MAX << (128 - len)
                    };
                    if let Some(h) = self.v6[len as usize].get(&(a & mask)) {
                        out.push((len, h.as_slice()));
                    }
                }
            }
        }
        out
    }

    /// The teams that answer `q`, most specific first; `countries` gives an
    /// address's or AS number's country when no team states it.
    pub fn lookup(&self, q: &Query, countries: &dyn CountryOf) -> Vec<Match> {
        let mut found: HashMap<u32, Match> = HashMap::new();
        let add =
            |i: u32, e: Option<u16>, rank: &dyn Fn(&mut Rank), found: &mut HashMap<u32, Match>| {
                let team = &self.teams[i as usize];
                let m = found.entry(i).or_insert_with(|| self.card(team));
                rank(&mut m.rank);
                if let Some(e) = e {
                    let ev = &team.scope.evidence[e as usize];
                    let reason = Reason {
                        kind: ev.kind,
                        value: ev.value.clone(),
                        section: ev.section.clone(),
                        line: ev.line,
                        says: says(ev.section.as_deref(), &ev.value, ev.line),
                    };
                    if !m.why.contains(&reason) {
                        m.why.push(reason);
                    }
                }
            };
        if let Some(ip) = q.ip {
            for (len, hits) in self.networks_of(ip) {
                for &(i, e) in hits {
                    add(
                        i,
                        Some(e),
                        &|r| r.prefix = r.prefix.max(Some(len)),
                        &mut found,
                    );
                }
            }
        }
        if let Some(d) = &q.domain {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            let labels: Vec<&str> = d.split('.').collect();
            for k in 0..labels.len() {
                let suffix = labels[k..].join(".");
                if let Some(hits) = self.domains.get(&suffix) {
                    let n = labels.len() - k;
                    for &(i, e) in hits {
                        add(
                            i,
                            Some(e),
                            &|r| r.labels = r.labels.max(Some(n)),
                            &mut found,
                        );
                    }
                }
            }
        }
        if let Some(a) = q.asn {
            for &(i, e) in self.asns.get(&a).into_iter().flatten() {
                add(i, Some(e), &|r| r.asn = true, &mut found);
            }
        }
        if let Some(region) = &q.region {
            let want = fold(region);
            for (i, team) in self.teams.iter().enumerate() {
                for (e, ev) in team.scope.evidence.iter().enumerate() {
                    if ev.kind == ScopeKind::Region && fold(&ev.value) == want {
                        add(i as u32, Some(e as u16), &|r| r.region = true, &mut found);
                    }
                }
            }
        }
        // The country asked for, else the one the domain or the RIRs give.
        let country = q
            .country
            .clone()
            .or_else(|| {
                q.domain
                    .as_deref()
                    .and_then(csirt_parse::extract::places::country_of_cctld)
                    .map(String::from)
            })
            .or_else(|| q.ip.and_then(|ip| countries.country_of_ip(ip)))
            .or_else(|| q.asn.and_then(|a| countries.country_of_asn(a)))
            .map(|c| c.to_ascii_uppercase());
        let stated = !found.is_empty();
        if let (Some(cc), false) = (&country, stated && q.country.is_none()) {
            for (i, team) in self.teams.iter().enumerate() {
                let in_scope = team.scope.countries.iter().any(|c| c == cc);
                if !in_scope && team.country != *cc {
                    continue;
                }
                let national = team.scope.sectors.contains(&Sector::National);
                // Without anything stated, only the national team answers for
                // a country; asked for a country, every team of it does.
                if q.country.is_none() && !national {
                    continue;
                }
                let e = team
                    .scope
                    .evidence
                    .iter()
                    .position(|ev| ev.kind == ScopeKind::Country && ev.value == *cc)
                    .map(|e| e as u16);
                add(
                    i as u32,
                    e,
                    &|r| {
                        r.country = true;
                        r.national |= national;
                    },
                    &mut found,
                );
                if e.is_none() {
                    let m = found.get_mut(&(i as u32)).expect("just added");
                    let reason = Reason {
                        kind: ScopeKind::Country,
                        value: cc.clone(),
                        section: None,
                        line: 0,
                        says: format!("the directory lists the team in {cc}"),
                    };
                    if !m.why.contains(&reason) {
                        m.why.push(reason);
                    }
                }
            }
        }
        let mut out: Vec<Match> = found
            .into_values()
            .filter(|m| {
                q.sector.is_none_or(|s| {
                    self.teams
                        .iter()
                        .find(|t| t.team_id == m.team_id)
                        .is_some_and(|t| t.scope.sectors.contains(&s))
                })
            })
            .collect();
        // Asked only for a sector: every team of it.
        if q.ip.is_none()
            && q.domain.is_none()
            && q.asn.is_none()
            && q.region.is_none()
            && country.is_none()
        {
            if let Some(s) = q.sector {
                for team in self.teams.iter().filter(|t| t.scope.sectors.contains(&s)) {
                    let mut m = self.card(team);
                    if let Some(ev) = team.scope.evidence_for(ScopeKind::Sector, s.code()) {
                        m.why.push(Reason {
                            kind: ScopeKind::Sector,
                            value: ev.value.clone(),
                            section: ev.section.clone(),
                            line: ev.line,
                            says: says_of(ev),
                        });
                    }
                    out.push(m);
                }
            }
        }
        for m in &mut out {
            m.fallback = !stated && m.rank.national;
            m.why.sort_by_key(|r| specificity(r.kind));
        }
        out.sort_by(|a, b| b.rank.cmp(&a.rank).then_with(|| a.name.cmp(&b.name)));
        out
    }

    fn card(&self, team: &Team) -> Match {
        Match {
            team_id: team.team_id,
            name: team.name.clone(),
            short_name: team.short_name.clone(),
            country: team.country.clone(),
            url: team.url.clone(),
            outcome: team.outcome,
            contact: team.contact.clone(),
            why: Vec::new(),
            fallback: false,
            rank: Rank::default(),
        }
    }
}

fn specificity(k: ScopeKind) -> u8 {
    match k {
        ScopeKind::Network => 0,
        ScopeKind::Domain => 1,
        ScopeKind::Asn => 2,
        ScopeKind::Region => 3,
        ScopeKind::Country => 4,
        ScopeKind::Sector => 5,
    }
}

fn says_of(ev: &csirt_parse::Evidence) -> String {
    if !ev.listed_by.is_empty() {
        return format!("{} lists {}", ev.listed_by.join(" and "), ev.value);
    }
    says(ev.section.as_deref(), &ev.value, ev.line)
}

fn says(section: Option<&str>, value: &str, line: usize) -> String {
    let what = match section {
        Some(s) => format!("{s} states {value}"),
        None => format!("the document states {value}"),
    };
    if line > 0 {
        format!("{what} (line {line})")
    } else {
        what
    }
}

fn fold(s: &str) -> String {
    csirt_parse::extract::scope::fold_words(s).join(" ")
}

/// How to reach a team, read from its stored record through a narrow view
/// (the rest of the record is skipped, not built).
pub fn contact_of(record: &str) -> Contact {
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct View {
        contact: ContactView,
        keys: Vec<KeyView>,
    }
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct ContactView {
        emails: Vec<String>,
        phones: Vec<String>,
        operating_hours: Option<String>,
        time_zone: Option<String>,
    }
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct KeyView {
        fingerprint: Option<String>,
    }
    let v: View = serde_json::from_str(record).unwrap_or_default();
    Contact {
        emails: v.contact.emails,
        phones: v.contact.phones,
        hours: v.contact.operating_hours,
        time_zone: v.contact.time_zone,
        fingerprints: v.keys.into_iter().filter_map(|k| k.fingerprint).collect(),
    }
}

/// One line of an RIR's "delegated-extended" statistics file that
/// delegates a block to a country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegated {
    /// The RIR (`ripencc`, `arin`, `apnic`, `lacnic`, `afrinic`).
    pub registry: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub cc: String,
    /// `ipv4`, `ipv6` or `asn`.
    pub kind: String,
    /// The first address or AS number.
    pub start: String,
    /// For `ipv4` and `asn`, how many; for `ipv6`, the prefix length.
    pub value: u64,
}

/// A statistics file that is not one: the line and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct NotDelegations {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Reads an RIR's statistics file (`registry|cc|type|start|value|date|
/// status[|opaque-id|...]`, after a version line and summary lines):
/// every block delegated to a country (`allocated` or `assigned`).
/// Reserved and available blocks have no country and are skipped; a line
/// that is none of these is refused with its number, so a wrong file is
/// not half imported.
pub fn parse_delegations(text: &str) -> Result<Vec<Delegated>, NotDelegations> {
    let mut out = Vec::new();
    let mut saw_version = false;
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('|').collect();
        let bad = |reason: &str| NotDelegations {
            line: line_no,
            reason: reason.to_string(),
        };
        // The version line: `2.3|ripencc|20261201|...`.
        if !saw_version && f.len() >= 3 && f[0].chars().all(|c| c.is_ascii_digit() || c == '.') {
            saw_version = true;
            continue;
        }
        // Summary lines: `ripencc|*|ipv4|*|12345|summary`.
        if f.len() == 6 && f[1] == "*" && f[5] == "summary" {
            continue;
        }
        if f.len() < 7 {
            return Err(bad(
                "not a delegation line (registry|cc|type|start|value|date|status)",
            ));
        }
        let (registry, cc, kind, start, value, status) = (f[0], f[1], f[2], f[3], f[4], f[6]);
        if !matches!(kind, "ipv4" | "ipv6" | "asn") {
            return Err(bad(&format!("unknown type {kind:?} (ipv4, ipv6, asn)")));
        }
        let Ok(value) = value.parse::<u64>() else {
            return Err(bad(&format!("the value {value:?} is not a number")));
        };
        let valid_start = match kind {
            "ipv4" => start.parse::<std::net::Ipv4Addr>().is_ok(),
            "ipv6" => start.parse::<std::net::Ipv6Addr>().is_ok() && value <= 128,
            _ => start.parse::<u32>().is_ok(),
        };
        if !valid_start {
            return Err(bad(&format!("{start:?} is not a {kind} start")));
        }
        if !matches!(status, "allocated" | "assigned") || cc.len() != 2 {
            continue;
        }
        out.push(Delegated {
            registry: registry.to_string(),
            cc: cc.to_ascii_uppercase(),
            kind: kind.to_string(),
            start: start.to_string(),
            value,
        });
    }
    if !saw_version && out.is_empty() {
        return Err(NotDelegations {
            line: 1,
            reason: "no version line and no delegation: not an RIR statistics file".into(),
        });
    }
    Ok(out)
}

/// The delegations, sorted for binary search: the country of an address
/// or AS number no team states.
#[derive(Debug, Default)]
pub struct Delegations {
    v4: Vec<(u32, u32, [u8; 2])>,
    v6: Vec<(u128, u128, [u8; 2])>,
    asn: Vec<(u32, u32, [u8; 2])>,
}

impl Delegations {
    /// From `(kind, start, value, cc)` rows; rows that do not read are
    /// skipped.
    pub fn from_rows<'a>(
        rows: impl IntoIterator<Item = (&'a str, &'a str, u64, &'a str)>,
    ) -> Delegations {
        let mut d = Delegations::default();
        for (kind, start, value, cc) in rows {
            let b = cc.as_bytes();
            let Some(cc) = (b.len() == 2).then(|| [b[0], b[1]]) else {
                continue;
            };
            match kind {
                "ipv4" => {
                    if let (Ok(a), Ok(n)) =
                        (start.parse::<std::net::Ipv4Addr>(), u32::try_from(value))
                    {
                        let s = u32::from(a);
                        d.v4.push((s, s.saturating_add(n.saturating_sub(1)), cc));
                    }
                }
                "ipv6" => {
                    if let (Ok(a), true) = (start.parse::<std::net::Ipv6Addr>(), value <= 128) {
                        let s = u128::from(a);
                        let size = if value == 0 {
                            u128::MAX
                        } else {
                            (1u128 << (128 - value)) - 1
                        };
                        d.v6.push((s, s.saturating_add(size), cc));
                    }
                }
                "asn" => {
                    if let (Ok(s), Ok(n)) = (start.parse::<u32>(), u32::try_from(value)) {
                        d.asn.push((s, s.saturating_add(n.saturating_sub(1)), cc));
                    }
                }
                _ => {}
            }
        }
        d.v4.sort_unstable();
        d.v6.sort_unstable();
        d.asn.sort_unstable();
        d
    }

    /// Blocks known.
    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len() + self.asn.len()
    }

    /// Whether none are known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn find<T: Ord + Copy>(blocks: &[(T, T, [u8; 2])], x: T) -> Option<String> {
    let i = blocks.partition_point(|(s, _, _)| *s <= x);
    let (_, end, cc) = blocks.get(i.checked_sub(1)?)?;
    (x <= *end).then(|| String::from_utf8_lossy(cc).into_owned())
}

impl CountryOf for Delegations {
    fn country_of_ip(&self, ip: IpAddr) -> Option<String> {
        match ip {
            IpAddr::V4(a) => find(&self.v4, u32::from(a)),
            IpAddr::V6(a) => find(&self.v6, u128::from(a)),
        }
    }

    fn country_of_asn(&self, asn: u32) -> Option<String> {
        find(&self.asn, asn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RIR: &str = "2.3|ripencc|20261201|4|19830705|20261201|+0100\n\
        ripencc|*|ipv4|*|2|summary\n\
        ripencc|LU|ipv4|192.0.2.0|256|20100101|allocated|abc\n\
        ripencc|AT|ipv6|2001:db8::|32|20100101|assigned|def\n\
        ripencc|LU|asn|64500|10|20100101|allocated|ghi\n\
        ripencc||ipv4|198.51.100.0|256||available\n";

    #[test]
    fn delegations_give_the_country_of_an_address_or_as_number() {
        let rows = parse_delegations(RIR).unwrap();
        assert_eq!(rows.len(), 3);
        let d = Delegations::from_rows(
            rows.iter()
                .map(|r| (r.kind.as_str(), r.start.as_str(), r.value, r.cc.as_str())),
        );
        assert_eq!(
            d.country_of_ip("192.0.2.77".parse().unwrap()).as_deref(),
            Some("LU")
        );
        assert_eq!(d.country_of_ip("192.0.3.0".parse().unwrap()), None);
        assert_eq!(
            d.country_of_ip("198.51.100.1".parse().unwrap()),
            None,
            "available: no country"
        );
        assert_eq!(
            d.country_of_ip("2001:db8:5::1".parse().unwrap()).as_deref(),
            Some("AT")
        );
        assert_eq!(d.country_of_asn(64509).as_deref(), Some("LU"));
        assert_eq!(d.country_of_asn(64510), None);
    }

    #[test]
    fn a_file_of_another_format_is_refused_with_its_line() {
        let e = parse_delegations("name,website\nCERT-X,https://x.example\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse_delegations("2.3|arin|1|2\narin|US|ipv4|not-an-ip|256|2010|allocated\n")
            .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.reason.contains("not-an-ip"), "{e}");
    }
}
