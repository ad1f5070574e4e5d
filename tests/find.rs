//! `csirt-find` over an index built by a real crawl of documents of our own
//! (the RFC's XYZ-CERT example among them).

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;
use util::*;

const LU: &str = "1. Document Information\n1.1 Date of Last Update\n2026-06-01\n\
2. Contact Information\n2.1 Name of the Team\nLUX-BANK-CERT\n2.3 Time Zone\nCET\n\
2.7 Electronic Mail Address\ncert@lux-bank.example\n\
3. Charter\n3.1 Mission Statement\nWe handle ransomware and fraud for banks.\n\
3.2 Constituency\nBanks and payment institutions in Luxembourg.\n";

const QC: &str = "1. Informations sur le document\n1.1 Date de dernière mise à jour\n2019-05-03\n\
2. Coordonnées\n2.1 Nom de l'équipe\nCSIRT-UQ\n2.7 Adresse de courrier électronique\ncsirt@uq.example\n\
3. Charte\n3.2 Communauté desservie\nLes universités du Québec et leurs laboratoires.\n";

struct Fixture {
    _dir: tempfile::TempDir,
    data: PathBuf,
}

/// One index for all the tests: crawled once from local files.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::write(dir.path().join("lu.txt"), LU).unwrap();
        std::fs::write(dir.path().join("qc.txt"), QC).unwrap();
        let seeds = format!(
            "[[team]]\nname = \"XYZ-CERT\"\ndocument = \"{}\"\ncountry = \"CA\"\n\n\
             [[team]]\nname = \"LUX-BANK-CERT\"\ndocument = \"lu.txt\"\ncountry = \"LU\"\n\n\
             [[team]]\nname = \"CSIRT-UQ\"\ndocument = \"qc.txt\"\ncountry = \"CA\"\n",
            root.join("seeds/examples/xyz-cert.txt").display()
        );
        std::fs::write(dir.path().join("seeds.toml"), seeds).unwrap();
        let data = dir.path().join("data");
        let out = csirt()
            .args(["crawl", "--seeds"])
            .arg(dir.path().join("seeds.toml"))
            .arg("--data")
            .arg(&data)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Fixture { _dir: dir, data }
    })
}

fn find_cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_csirt-find"));
    c.arg("--data").arg(&fixture().data);
    c
}

/// Names of the hits, best first, and the raw output.
fn find(q: &str) -> (Vec<String>, Output) {
    let out = find_cmd().args(["--format", "json", q]).output().unwrap();
    let names = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    (names, out)
}

#[test]
fn universities_in_quebec_are_the_two_university_teams() {
    // XYZ-CERT's constituency is "the XYZ University community" (RFC 2350,
    // Appendix E, word for word); CSIRT-UQ's, the universities of Québec.
    let (names, out) = find("constituency: universities Quebec");
    assert!(out.status.success());
    let mut top: Vec<&str> = names.iter().take(2).map(String::as_str).collect();
    top.sort();
    assert_eq!(top, ["CSIRT-UQ", "XYZ-CERT"], "{names:?}");
    assert!(!names.contains(&"LUX-BANK-CERT".to_string()), "{names:?}");
}

/// The README's main job: the embedded example crawled, then the question
/// the directory exists for.
#[test]
fn the_readme_main_job_finds_xyz_cert_for_universities_in_quebec() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = dir.path().join("data");
    let crawl = csirt()
        .current_dir(root)
        .args(["crawl", "--seeds", "seeds/example.toml", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert_ok(&crawl);
    let out = Command::new(env!("CARGO_BIN_EXE_csirt-find"))
        .arg("--data")
        .arg(&data)
        .arg("constituency: universities Quebec")
        .output()
        .unwrap();
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("1. XYZ-CERT — CA"), "{text}");
}

#[test]
fn accents_fold_both_ways() {
    for q in ["Québec", "Quebec", "universites", "universités"] {
        let (names, _) = find(q);
        assert!(
            names.iter().any(|n| n.contains("CSIRT-UQ")),
            "{q}: {names:?}"
        );
    }
}

#[test]
fn one_typo_is_forgiven_in_longer_words() {
    let (names, _) = find("ransomwere");
    assert_eq!(names, ["LUX-BANK-CERT"]);
}

#[test]
fn filters_narrow_the_hits() {
    let (names, _) = find("country:LU");
    assert_eq!(names, ["LUX-BANK-CERT"]);
    let (names, _) = find("updated:>2023-01-01");
    assert_eq!(names, ["LUX-BANK-CERT"]);
    let (names, _) = find("updated:<2020");
    assert_eq!(names.len(), 2, "XYZ (1997) and UQ (2019): {names:?}");
    let (names, _) = find("stale:no");
    assert_eq!(names, ["LUX-BANK-CERT"]);
    let (names, _) = find("signed:no country:CA");
    assert_eq!(names.len(), 2);
}

#[test]
fn phrases_exclusions_and_exact_terms() {
    let (names, _) = find("\"fellow universities\"");
    assert_eq!(names, ["XYZ-CERT"]);
    let (names, _) = find("universities -Quebec");
    assert!(
        names.is_empty() || !names.iter().any(|n| n == "XYZ-CERT"),
        "{names:?}"
    );
    let (names, _) = find("email:cert@lux-bank.example");
    assert_eq!(names, ["LUX-BANK-CERT"]);
    let (names, _) = find("email:lux-bank.example");
    assert_eq!(names, ["LUX-BANK-CERT"], "a domain finds its addresses");
    let (names, _) = find("\"the CERT\" name: XYZ");
    assert_eq!(names[0], "XYZ-CERT", "stop words do not break a phrase");
}

#[test]
fn json_hits_carry_score_and_the_full_record() {
    let out = find_cmd()
        .args(["--format", "json", "--limit", "1", "ransomware"])
        .output()
        .unwrap();
    let v: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    assert!(v["score"].as_f64().unwrap() > 0.0);
    assert_eq!(v["updated"], "2026-06-01");
    assert_eq!(v["record"]["contact"]["emails"][0], "cert@lux-bank.example");
    assert_eq!(v["outcome"], "unsigned");
    assert!(
        v["snippet"].as_str().unwrap().contains("**ransomware**"),
        "{v}"
    );
}

#[test]
fn readable_output_says_how_to_reach_the_team() {
    let out = find_cmd().arg("name: XYZ-CERT").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("1. XYZ-CERT"), "{text}");
    assert!(text.contains("e-mail xyz-cert@xyz-univ.ca"), "{text}");
    assert!(
        text.contains("1997-03-31") && text.contains("stale"),
        "{text}"
    );
    let same = Command::new(env!("CARGO_BIN_EXE_csirt"))
        .args(["find", "--data"])
        .arg(&fixture().data)
        .arg("name: XYZ-CERT")
        .output()
        .unwrap();
    assert_eq!(same.stdout, out.stdout, "csirt find and csirt-find agree");
}

#[test]
fn bad_queries_exit_2_and_point_at_the_token() {
    let (_, out) = find("ransomware colour:red");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown field `colour:`"), "{err}");
    assert!(err.contains("\n           ^^^^^^^^^^"), "{err}");
}

#[test]
fn no_match_exits_1_with_a_clear_message() {
    let (names, out) = find("zyzzyva");
    assert!(names.is_empty());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no team matches"));
}

#[test]
fn searches_keep_working_while_a_crawl_commits() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    // A second data directory, so the shared fixture stays as it is.
    let data = dir.path().join("data");
    copy_dir(&f.data, &data);
    let seeds = dir.path().join("seeds.toml");
    std::fs::write(
        &seeds,
        format!(
            "[[team]]\nname = \"XYZ-CERT\"\ndocument = \"{}\"\n",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("seeds/examples/xyz-cert.txt")
                .display()
        ),
    )
    .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s = stop.clone();
    let d = data.clone();
    let searcher = std::thread::spawn(move || {
        let mut runs = 0;
        while !s.load(std::sync::atomic::Ordering::Relaxed) || runs == 0 {
            let out = Command::new(env!("CARGO_BIN_EXE_csirt-find"))
                .arg("--data")
                .arg(&d)
                .arg("XYZ")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "a search failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            runs += 1;
        }
        runs
    });
    for _ in 0..3 {
        let out = csirt()
            .args(["crawl", "--seeds"])
            .arg(&seeds)
            .arg("--data")
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(searcher.join().unwrap() > 0);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &p);
        } else {
            std::fs::copy(e.path(), p).unwrap();
        }
    }
}

#[test]
fn no_index_yet_says_what_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_csirt-find"))
        .arg("--data")
        .arg(dir.path())
        .arg("anything")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("run `csirt crawl`"));
}

/// A copy of the fixture's data directory whose index claims another
/// schema, as an index built by an older csirt would.
fn outdated_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture().data, dir.path());
    let meta = dir.path().join("search/meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    assert!(text.contains("\"pairs\""));
    std::fs::write(
        &meta,
        text.replace("\"pairs\"", "\"pairs_of_an_older_csirt\""),
    )
    .unwrap();
    dir
}

/// A copy of the fixture's data directory whose index's `meta.json` is
/// not JSON, as a full disk or a bad copy can leave it.
fn damaged_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture().data, dir.path());
    std::fs::write(dir.path().join("search/meta.json"), b"{ not json").unwrap();
    dir
}

fn find_in(data: &Path, q: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_csirt-find"))
        .arg("--data")
        .arg(data)
        .arg(q)
        .output()
        .unwrap()
}

/// `csirt-find` over `data` exits 2 saying `why` and to run `csirt index`;
/// `csirt index` then rebuilds the index, and the search finds XYZ-CERT.
fn refused_then_rebuilt_by_csirt_index(data: &Path, why: &str) {
    let out = find_in(data, "universities Quebec");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(why) && err.contains("csirt index"), "{err}");
    let out = csirt()
        .arg("index")
        .arg("--data")
        .arg(data)
        .output()
        .unwrap();
    assert_ok(&out);
    let out = find_in(data, "universities Quebec");
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("XYZ-CERT"));
}

#[test]
fn an_index_of_another_version_is_refused_and_csirt_index_rebuilds_it() {
    let dir = outdated_copy();
    refused_then_rebuilt_by_csirt_index(dir.path(), "another version of csirt");
}

#[test]
fn a_damaged_index_is_refused_in_one_line_and_csirt_index_rebuilds_it() {
    let dir = damaged_copy();
    let out = find_in(dir.path(), "universities Quebec");
    let err = String::from_utf8_lossy(&out.stderr);
    // One line, without tantivy quoting the damaged file.
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!err.contains("not json"), "{err}");
    refused_then_rebuilt_by_csirt_index(dir.path(), "cannot be read");
}

#[test]
fn a_crawl_over_a_damaged_index_rebuilds_all_of_it() {
    let dir = damaged_copy();
    crawl_one_team_then_find_another(dir.path());
}

#[test]
fn a_crawl_over_an_index_of_another_version_rebuilds_all_of_it() {
    let dir = outdated_copy();
    crawl_one_team_then_find_another(dir.path());
}

/// A crawl of XYZ-CERT alone into `data`, whose index the crawl must
/// rebuild whole: LUX-BANK-CERT, which it does not touch, is still found.
fn crawl_one_team_then_find_another(data: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = data.join("one.toml");
    std::fs::write(
        &seeds,
        format!(
            "[[team]]\nname = \"XYZ-CERT\"\ndocument = \"{}\"\n",
            root.join("seeds/examples/xyz-cert.txt").display()
        ),
    )
    .unwrap();
    let out = csirt()
        .args(["crawl", "--seeds"])
        .arg(&seeds)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap();
    assert_ok(&out);
    let out = find_in(data, "lux-bank.example");
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("LUX-BANK-CERT"));
}
