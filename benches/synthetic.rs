//! A synthetic directory for the search and server benchmarks: teams
//! generated from a fixed seed, mixing the vocabularies and section shapes
//! seen in real descriptions, and a set of realistic queries (each with its
//! SQLite FTS5 equivalent for the search bench).

#![allow(dead_code)]

use csirt_index::{Entry, When};
use csirt_verify::Outcome;

/// The day the benches judge staleness on: fixed, so the synthetic
/// directory and the FTS5 comparison agree on every run.
pub fn when() -> When {
    When::default_on(chrono::NaiveDate::from_ymd_opt(2025, 12, 3).expect("a date"))
}

/// `stale:` as the FTS5 comparison stores it (`updated` as YYYYMMDD).
pub fn stale_as_number(e: &Entry) -> (bool, u32) {
    use chrono::Datelike;
    let w = when();
    let n = e
        .updated
        .map_or(0, |d| d.year() as u32 * 10000 + d.month() * 100 + d.day());
    (w.stale_after.is_stale(e.updated, w.today), n)
}

const COUNTRIES: [&str; 16] = [
    "LU", "FR", "ID", "DE", "CA", "PL", "AT", "NL", "PT", "DK", "SE", "GB", "US", "JP", "RO", "ZA",
];
const PLACES: [&str; 24] = [
    "Quebec",
    "Luxembourg",
    "Jakarta",
    "East Java",
    "Central Java",
    "Normandie",
    "Occitanie",
    "Bretagne",
    "Warsaw",
    "Vienna",
    "Lisbon",
    "Copenhagen",
    "Uppsala",
    "Oxford",
    "Cambridge",
    "Tilburg",
    "Bucharest",
    "Cape Town",
    "Tokyo",
    "Lampung",
    "Karimun",
    "Cianjur",
    "Corsica",
    "Montréal",
];
const KINDS: [&str; 10] = [
    "universities and research institutes",
    "government agencies",
    "banks and payment institutions",
    "telecommunications operators",
    "hospitals and health care providers",
    "regional public administrations",
    "small and medium enterprises",
    "the employees and students of the university",
    "instansi pemerintah daerah",
    "les collectivités territoriales et les entreprises",
];
const SERVICES: [&str; 14] = [
    "incident response",
    "incident handling",
    "vulnerability handling",
    "malware analysis",
    "digital forensics",
    "ransomware recovery",
    "phishing takedown",
    "DDoS mitigation",
    "security alerts and warnings",
    "penetration testing",
    "security awareness training",
    "threat intelligence sharing",
    "coordinated vulnerability disclosure",
    "penanggulangan dan pemulihan insiden siber",
];
const MISSIONS: [&str; 6] = [
    "to coordinate the response to computer security incidents affecting its constituency",
    "to protect the information systems of its constituency and to help them recover from incidents",
    "membangun, mengoordinasikan, mengolaborasikan dan mengoperasionalkan sistem mitigasi insiden siber",
    "d'assister les victimes d'actes de cybermalveillance et de coordonner la réponse",
    "to reduce the number and impact of security incidents",
    "to act as a trusted point of contact for security issues",
];
const SPONSORS: [&str; 5] = [
    "the Ministry of the Interior",
    "the university board",
    "Badan Siber dan Sandi Negara",
    "the regional council",
    "its member banks",
];
const PREFIX: [&str; 8] = [
    "CERT",
    "CSIRT",
    "SIRT",
    "TTIS",
    "CIRT",
    "SOC",
    "CSIRT-GOV",
    "CERT-EDU",
];

/// A small, fast, seeded generator (SplitMix64), so the corpus is the same
/// on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

/// `n` synthetic teams from a fixed seed.
pub fn generate(n: usize) -> Vec<Entry> {
    let mut r = Rng(2350);
    (0..n)
        .map(|i| {
            let place = r.pick(&PLACES);
            let kind = r.pick(&KINDS);
            let prefix = r.pick(&PREFIX);
            let country = r.pick(&COUNTRIES);
            let short = format!("{prefix}-{}{i}", &place[..3].to_uppercase());
            let services: Vec<&str> = (0..4).map(|_| r.pick(&SERVICES)).collect();
            let year = 2005 + (r.next() % 21) as u32;
            let updated = chrono::NaiveDate::from_ymd_opt(
                year as i32,
                (1 + r.next() % 12) as u32,
                (1 + r.next() % 28) as u32,
            );
            let outcome = match r.next() % 10 {
                0..=1 => Outcome::Valid,
                2 => Outcome::BadSignature,
                3 => Outcome::UnknownKey,
                _ => Outcome::Unsigned,
            };
            let domain = format!("{}.{}", short.to_lowercase(), country.to_lowercase());
            let email = format!("cert@{domain}");
            let fpr: String = (0..5).map(|_| format!("{:08X}", r.next() as u32)).collect();
            let constituency = format!("The constituency of {short} is {kind} in {place}.");
            let mission = format!("The mission of {short} is {}.", r.pick(&MISSIONS));
            let text = format!(
                "1. Document Information\n1.1 Date of Last Update\n{year}\n2. Contact Information\n2.1 Name of the Team\n{short}\n\
                 2.7 Electronic Mail Address\n{email}\n2.8 Public Keys\n{fpr}\n3. Charter\n3.1 Mission Statement\n{mission}\n\
                 3.2 Constituency\n{constituency}\n3.3 Sponsorship and/or Affiliation\n{}\n5. Services\n{}\n\
                 6. Incident Reporting Forms\nReport incidents by e-mail to {email}.\n7. Disclaimers\nWhile every precaution will be taken in the preparation of information, notifications and alerts, {short} assumes no responsibility for errors or omissions.",
                r.pick(&SPONSORS),
                services.join(", ")
            );
            let authority = format!("{short} operates under the authority of {}.", r.pick(&SPONSORS));
            Entry {
                team_id: i as u64,
                name: format!("{short} {place} {prefix}"),
                short_name: short,
                aliases: Vec::new(),
                country: country.into(),
                constituency,
                scope: Default::default(),
                mission,
                sponsor: r.pick(&SPONSORS).into(),
                authority,
                services: services.join("\n"),
                emails: vec![email],
                phones: vec![format!("+{} {}", 10 + r.next() % 89, 1_000_000 + r.next() % 8_999_999)],
                keys: vec![fpr],
                lang: ["en", "fr", "id"][(r.next() % 3) as usize].into(),
                text,
                updated,
                outcome: Some(outcome),
                url: format!("https://{domain}/rfc2350.txt"),
                record: String::new(),
                key_confirmed_by: Vec::new(),
            }
        })
        .collect()
}

/// The queries, each with its FTS5 equivalent (MATCH expression, extra SQL
/// condition).
pub const QUERIES: [(&str, &str, &str); 22] = [
    (
        "constituency: universities Quebec",
        "constituency : (universities OR quebec)",
        "",
    ),
    ("ransomware Luxembourg", "ransomware OR luxembourg", ""),
    ("phishing banks", "phishing OR banks", ""),
    (
        "\"incident response\" Jakarta",
        "\"incident response\" AND jakarta",
        "",
    ),
    ("country:ID pemerintah", "pemerintah", "AND country = 'ID'"),
    (
        "signed:yes universities",
        "universities",
        "AND signed = 'yes'",
    ),
    (
        "stale:no government agencies",
        "government OR agencies",
        "AND stale = 0",
    ),
    (
        "updated:>2023-01-01 malware",
        "malware",
        "AND updated >= 20230102",
    ),
    ("services: forensics", "services : forensics", ""),
    ("mission: coordinate", "mission : coordinate", ""),
    ("sponsor: ministry", "sponsor : ministry", ""),
    (
        "authority: university board",
        "authority : (university OR board)",
        "",
    ),
    ("Québec", "quebec", ""),
    ("Montreal hospitals", "montreal OR hospitals", ""),
    ("DDoS telecommunications", "ddos OR telecommunications", ""),
    (
        "vulnerability disclosure",
        "vulnerability OR disclosure",
        "",
    ),
    ("name: CERT Vienna", "name : (cert OR vienna)", ""),
    ("lang:fr collectivités", "collectivites", "AND lang = 'fr'"),
    (
        "Tokyo threat intelligence",
        "tokyo OR threat OR intelligence",
        "",
    ),
    ("Normandie -entreprises", "normandie NOT entreprises", ""),
    (
        "security awareness training Lisbon",
        "security OR awareness OR training OR lisbon",
        "",
    ),
    (
        "country:FR stale:yes ransomware",
        "ransomware",
        "AND country = 'FR' AND stale = 1",
    ),
];
