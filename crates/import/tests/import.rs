//! The directories' formats read from our own small fixtures, and merged
//! into a seed file: once per team, with every provenance, hand-written
//! teams and comments untouched.

use csirt_import::{merge, read, registrable, Directory, Identity};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/directories")
            .join(name),
    )
    .unwrap()
}

#[test]
fn the_trusted_introducers_teams_json_and_what_it_skips() {
    let r = read(Directory::TrustedIntroducer, &fixture("ti-teams.json")).unwrap();
    assert_eq!(r.teams.len(), 2);
    let exu = &r.teams[0];
    assert_eq!(exu.name, "Example University CERT");
    let l = &exu.listing;
    assert_eq!(l.short_name.as_deref(), Some("EXU-CERT"));
    assert_eq!(l.emails, ["cert@exu.example"]);
    assert_eq!(
        l.keys[0].fingerprint,
        "0123456789ABCDEF0123456789ABCDEF01234567"
    );
    assert_eq!(l.keys[0].expires.as_deref(), Some("2020-01-01"));
    assert_eq!(l.constituency.domains, ["exu.example"]);
    assert_eq!(l.constituency.networks, ["192.0.2.0/24"]);
    assert_eq!(l.constituency.asns, [64500]);
    assert_eq!(l.country.as_deref(), Some("CA"));
    // Skipped, each named: no way to reach the team; no name at all.
    let why: Vec<(String, Option<String>)> = r
        .skipped
        .iter()
        .map(|s| (s.position.clone(), s.name.clone()))
        .collect();
    assert_eq!(
        why,
        [
            (
                "entry 3".to_string(),
                Some("A team nobody can reach".to_string())
            ),
            ("entry 4".to_string(), None)
        ]
    );
}

#[test]
fn first_enisa_and_csv() {
    let f = read(Directory::First, &fixture("first-teams.json")).unwrap();
    assert_eq!(f.teams.len(), 2);
    assert_eq!(f.page, Some((2, 0, 2)));
    assert_eq!(
        f.teams[1].listing.website.as_deref(),
        Some("https://cert.lu-example.lu")
    );
    let e = read(Directory::Enisa, &fixture("enisa-tool_data.json")).unwrap();
    assert_eq!(
        e.teams[0].listing.website.as_deref(),
        Some("https://www.exu.example")
    );
    let c = read(Directory::Csv, &fixture("own-teams.csv")).unwrap();
    assert_eq!(c.teams.len(), 1);
    assert_eq!(c.skipped[0].position, "line 3");
}

#[test]
fn a_file_of_another_format_is_refused_with_where_and_why() {
    let e = read(Directory::TrustedIntroducer, &fixture("not-ti.json")).unwrap_err();
    assert_eq!(e.position, "the top level");
    let e = read(Directory::First, b"[1, 2").unwrap_err();
    assert!(e.position.starts_with("line 1, column"), "{e}");
    let e = read(Directory::Enisa, &fixture("first-teams.json")).unwrap_err();
    assert!(
        e.reason.contains("ENISA") || e.reason.contains("list"),
        "{e}"
    );
    let e = read(Directory::Csv, b"team;site\nX;y\n").unwrap_err();
    assert_eq!(e.position, "line 1");
}

#[test]
fn identity_is_the_registrable_domain_and_the_short_name_never_a_likeness() {
    assert_eq!(
        registrable("https://www.cert.lu/rfc2350").as_deref(),
        Some("cert.lu")
    );
    assert_eq!(
        registrable("team@csirt.ac.uk").as_deref(),
        Some("csirt.ac.uk")
    );
    let id = |short: &str, site: &str| {
        Identity::of(
            short,
            &csirt_store::Listing {
                short_name: Some(short.into()),
                website: Some(site.into()),
                ..Default::default()
            },
        )
    };
    assert_eq!(
        id("CERT EU", "https://cert.europa.eu"),
        id("CERT-EU", "https://www.cert.europa.eu/")
    );
    assert_ne!(id("CERT", "https://cert.lu"), id("CERT", "https://cert.eu"));
}

const HAND: &str = "# Our seeds: written by hand.\n\n[[team]]\nname = \"OWN-CERT\" # ours\ndocument = \"https://own.example/rfc2350.txt\"\n";

#[test]
fn re_imports_update_and_two_directories_make_one_team() {
    let ti = read(Directory::TrustedIntroducer, &fixture("ti-teams.json"))
        .unwrap()
        .teams;
    let (once, m) = merge(HAND, ti.clone(), Directory::TrustedIntroducer, "2026-12-01").unwrap();
    assert_eq!(
        m.added,
        ["Example University CERT", "CERT of the European Example"]
    );
    let (twice, m) = merge(&once, ti, Directory::TrustedIntroducer, "2026-12-03").unwrap();
    assert!(m.added.is_empty(), "{m:?}");
    assert_eq!(m.updated.len(), 2);
    assert_eq!(twice.matches("[[team]]").count(), 3);
    assert!(twice.contains("at = \"2026-12-03\"") && !twice.contains("2026-12-01"));
    // FIRST and ENISA list the same teams: one team, three provenances.
    let first = read(Directory::First, &fixture("first-teams.json"))
        .unwrap()
        .teams;
    let (three, m) = merge(&twice, first, Directory::First, "2026-12-03").unwrap();
    assert_eq!(m.added, ["Luxembourg Example CERT"]);
    let enisa = read(Directory::Enisa, &fixture("enisa-tool_data.json"))
        .unwrap()
        .teams;
    let (four, m) = merge(&three, enisa, Directory::Enisa, "2026-12-03").unwrap();
    assert!(m.added.is_empty(), "CERT-EUX is CERT EU-X: {m:?}");
    assert_eq!(four.matches("[[team]]").count(), 4);
    let seeds = csirt_crawl_free_parse(&four);
    let exu = seeds
        .iter()
        .find(|t| t["name"] == "Example University CERT")
        .unwrap();
    let dirs: Vec<&str> = exu["imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["directory"].as_str().unwrap())
        .collect();
    assert_eq!(dirs, ["trusted-introducer", "first", "enisa"]);
    assert_eq!(exu["website"], "https://www.exu.example/");
    assert_eq!(
        exu["keys"][0]["from"],
        serde_json::json!(["trusted-introducer", "first"])
    );
    // The hand-written team and the comments are as they were.
    assert!(four.starts_with(HAND), "{four}");
}

#[test]
fn a_hand_written_team_is_left_as_it_is() {
    let csv = read(Directory::Csv, &fixture("own-teams.csv"))
        .unwrap()
        .teams;
    let (text, m) = merge(HAND, csv, Directory::Csv, "2026-12-03").unwrap();
    assert_eq!(m.by_hand, ["OWN-CERT"]);
    assert_eq!(text, HAND);
}

/// The seed file as JSON, read without the crawler's own checks.
fn csirt_crawl_free_parse(text: &str) -> Vec<serde_json::Value> {
    let v: toml::Value = toml::from_str(text).unwrap();
    let j = serde_json::to_value(v).unwrap();
    j["team"].as_array().unwrap().clone()
}

/// A seed file of comments only: toml_edit would print them after the
/// first imported team; they stay at the top.
#[test]
fn a_file_of_comments_only_keeps_them_on_top() {
    let ti = read(Directory::TrustedIntroducer, &fixture("ti-teams.json"))
        .unwrap()
        .teams;
    let comments = "# Teams we crawl.\n# Imported below.\n";
    let (text, _) = merge(comments, ti, Directory::TrustedIntroducer, "2026-12-03").unwrap();
    assert!(text.starts_with(comments), "{text}");
    assert_eq!(text.matches("# Teams we crawl.").count(), 1);
}
