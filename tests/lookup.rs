//! Who do I call about this address? `csirt-find --ip/--domain/--asn`, the
//! same as query terms, and `/v1/lookup`, over teams crawled from loopback
//! hosts whose constituencies state networks, domains and AS numbers.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;
use util::server::{Reply, Server};
use util::*;

fn doc(name: &str, constituency: &str, address: &str) -> String {
    format!(
        "1. Document Information\n1.1 Date of Last Update\n2026-06-01\n\
         2. Contact Information\n2.1 Name of the Team\n{name}\n2.2 Address\n{address}\n\
         2.4 Telephone Number\n+1 555 0100\n\
         2.7 Electronic Mail Address\ncert@{}.example\n\
         3. Charter\n3.2 Constituency\n{constituency}\n",
        name.to_lowercase()
    )
}

const TEAMS: &[(&str, &str, &str)] = &[
    (
        "UNIV-CERT",
        "The XYZ University community: 192.0.2.0/24, *.xyz-univ.ca and AS64500.",
        "UniversityTown, Quebec, Canada",
    ),
    (
        "CAMPUS-CERT",
        "The campus labs of XYZ University: 192.0.2.128/25 and lab.xyz-univ.ca.",
        "UniversityTown, Quebec, Canada",
    ),
    (
        "CANADA-NATIONAL-CSIRT",
        "The national CSIRT of Canada: all of Canada.",
        "Ottawa, Ontario, Canada",
    ),
    (
        "INTRANET-CSIRT",
        "Employees and internal systems of Example Corp: 10.0.0.0/8.",
        "Toronto, Ontario, Canada",
    ),
    (
        "PROV-CSIRT",
        "Perangkat daerah Pemerintah Provinsi Jawa Timur dan universitas di Jawa Timur.",
        "Surabaya, Jawa Timur, Indonesia",
    ),
    (
        "UQ-CSIRT",
        "Les universités du Québec.",
        "Montréal, Québec, Canada",
    ),
];

struct Fixture {
    _host: Server,
    _dir: tempfile::TempDir,
    data: PathBuf,
}

/// One crawl for all the tests.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let host = Server::start("127.0.0.71");
        let mut seeds = String::new();
        for (name, constituency, address) in TEAMS {
            let path = format!("/{}.txt", name.to_lowercase());
            host.route(&path, Reply::ok(doc(name, constituency, address)));
            seeds += &format!(
                "[[team]]\nname = \"{name}\"\ndocument = \"{}\"\ncountry = \"{}\"\n\n",
                host.url(&path),
                if name.starts_with("PROV") { "ID" } else { "CA" }
            );
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("seeds.toml"), seeds).unwrap();
        let data = dir.path().join("data");
        let out = csirt()
            .args([
                "crawl",
                "--allow-private",
                "--per-host-interval",
                "10ms",
                "--seeds",
            ])
            .arg(dir.path().join("seeds.toml"))
            .arg("--data")
            .arg(&data)
            .output()
            .unwrap();
        assert_ok(&out);
        Fixture {
            _host: host,
            _dir: dir,
            data,
        }
    })
}

fn find_in(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_csirt-find"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

/// The teams of a JSON lookup, in order.
fn names(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn lookup(args: &[&str]) -> (Vec<String>, Output) {
    let out = find_in(&fixture().data, &[&["--format", "json"], args].concat());
    (names(&out), out)
}

#[test]
fn the_longest_matching_prefix_answers_first_and_says_why() {
    let (n, out) = lookup(&["--ip", "192.0.2.200"]);
    assert_ok(&out);
    assert_eq!(n, ["CAMPUS-CERT", "UNIV-CERT"]);
    let first: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["why"][0]["kind"], "network");
    assert_eq!(first["why"][0]["value"], "192.0.2.128/25");
    assert!(
        first["why"][0]["says"]
            .as_str()
            .unwrap()
            .starts_with("3.2 states 192.0.2.128/25 (line "),
        "{first}"
    );
    let (n, _) = lookup(&["--ip", "192.0.2.7"]);
    assert_eq!(n, ["UNIV-CERT"]);
    // The query term is the same question.
    let (n, _) = lookup(&["ip:192.0.2.200"]);
    assert_eq!(n, ["CAMPUS-CERT", "UNIV-CERT"]);
    // Words narrow a lookup.
    let (n, _) = lookup(&["--ip", "192.0.2.200", "campus"]);
    assert_eq!(n, ["CAMPUS-CERT"]);
}

#[test]
fn the_longest_matching_domain_suffix_answers_first() {
    let (n, out) = lookup(&["--domain", "mail.lab.xyz-univ.ca"]);
    assert_ok(&out);
    assert_eq!(n, ["CAMPUS-CERT", "UNIV-CERT"]);
    let (n, _) = lookup(&["--domain", "www.xyz-univ.ca"]);
    assert_eq!(n, ["UNIV-CERT"]);
    let (n, _) = lookup(&["--asn", "AS64500"]);
    assert_eq!(n, ["UNIV-CERT"]);
}

#[test]
fn the_readable_answer_says_why_and_how_to_reach_the_team() {
    let out = find_in(&fixture().data, &["--ip", "192.0.2.7"]);
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("1. UNIV-CERT — CA"), "{text}");
    assert!(
        text.contains("why: 3.2 states 192.0.2.0/24 (line "),
        "{text}"
    );
    assert!(text.contains("e-mail cert@univ-cert.example"), "{text}");
    assert!(text.contains("phone +1 555 0100"), "{text}");
    assert!(text.contains("signature: unsigned"), "{text}");
}

#[test]
fn an_intranet_address_is_answered_by_the_team_that_states_it() {
    let (n, out) = lookup(&["--ip", "10.20.30.40"]);
    assert_ok(&out);
    assert_eq!(n, ["INTRANET-CSIRT"]);
    // A private address nobody states: said so, exit 1.
    let out = find_in(&fixture().data, &["--ip", "172.16.0.1"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("private or documentation address"), "{err}");
}

#[test]
fn an_address_no_team_states_is_answered_by_its_countrys_national_team() {
    // A copy of the data directory, so the shared one stays without
    // delegations.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_dir(&fixture().data, &data);
    // Without the RIRs' delegations no country is guessed.
    let out = find_in(&data, &["--ip", "81.92.100.9"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("csirt lookup-data import"));
    let rir = dir.path().join("delegated-arin-extended-latest");
    std::fs::write(
        &rir,
        "2.3|arin|20261201|3|19700101|20261201|-0500\n\
         arin|*|ipv4|*|1|summary\n\
         arin|CA|ipv4|81.92.100.0|256|20100101|allocated|x\n\
         arin|CA|asn|64496|4|20100101|allocated|y\n",
    )
    .unwrap();
    let imported = csirt()
        .args(["lookup-data", "import", "--data"])
        .arg(&data)
        .arg(&rir)
        .output()
        .unwrap();
    assert_ok(&imported);
    assert!(String::from_utf8_lossy(&imported.stdout).contains("arin: 2 delegated blocks"));
    let out = find_in(&data, &["--format", "json", "--ip", "81.92.100.9"]);
    assert_ok(&out);
    assert_eq!(names(&out), ["CANADA-NATIONAL-CSIRT"]);
    let v: Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(v["fallback"], true, "{v}");
    // The same for an AS number and a ccTLD.
    assert_eq!(
        names(&find_in(&data, &["--format", "json", "--asn", "64497"])),
        ["CANADA-NATIONAL-CSIRT"]
    );
    assert_eq!(
        names(&find_in(
            &data,
            &["--format", "json", "--domain", "some-shop.ca"]
        )),
        ["CANADA-NATIONAL-CSIRT"]
    );
    // A file that is not RIR statistics changes nothing.
    let bad = dir.path().join("teams.csv");
    std::fs::write(&bad, "name,website\nX,https://x.example\n").unwrap();
    let out = csirt()
        .args(["lookup-data", "import", "--data"])
        .arg(&data)
        .arg(&rir)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 1"),
        "{out:?}"
    );
}

#[test]
fn malformed_addresses_domains_and_as_numbers_are_usage_errors() {
    for args in [
        ["--ip", "192.0.2.999"],
        ["--ip", "example.org"],
        ["--domain", "exa_mple.org"],
        ["--asn", "AS-64500"],
        ["--country", "Canada"],
        ["--sector", "banks"],
    ] {
        let out = find_in(&fixture().data, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(args[1]),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = find_in(&fixture().data, &["ip:300.1.1.1"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sector_and_region_words_match_in_any_language() {
    let (uq, _) = lookup(&["universités Québec"]);
    let (en, _) = lookup(&["universities Quebec"]);
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(sorted(uq.clone()), sorted(en.clone()));
    for team in ["UNIV-CERT", "UQ-CSIRT", "CAMPUS-CERT"] {
        assert!(en.contains(&team.to_string()), "{team}: {en:?}");
    }
    let (id, _) = lookup(&["universitas Jawa Timur"]);
    assert_eq!(id[0], "PROV-CSIRT", "{id:?}");
    let (n, _) = lookup(&["--sector", "research-education", "--country", "ID"]);
    assert_eq!(n, ["PROV-CSIRT"]);
    let (n, _) = lookup(&["sector:national"]);
    assert_eq!(n, ["CANADA-NATIONAL-CSIRT"]);
    let (n, _) = lookup(&["region:Jawa_Timur"]);
    assert_eq!(n, ["PROV-CSIRT"]);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// `/v1/lookup` gives the answer `csirt-find --ip` gives, and a malformed
/// address is a 400 naming it.
#[test]
fn the_api_looks_up_alike() {
    use std::io::BufRead;
    let mut child = csirt()
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&fixture().data)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr: std::net::SocketAddr = first.rsplit("http://").next().unwrap().parse().unwrap();
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    let json = |path: &str| {
        let (status, _, body) = get(addr, path);
        (status, serde_json::from_str::<Value>(&body).unwrap())
    };
    let (status, v) = json("/v1/lookup?ip=192.0.2.200");
    assert_eq!(status, 200, "{v}");
    let api: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    let (cli, _) = lookup(&["--ip", "192.0.2.200"]);
    assert_eq!(api, cli);
    assert_eq!(v["hits"][0]["why"][0]["value"], "192.0.2.128/25");
    assert_eq!(
        v["hits"][0]["summary"]["emails"][0],
        "cert@campus-cert.example"
    );
    let (status, v) = json("/v1/lookup?domain=mail.lab.xyz-univ.ca&sector=research-education");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["hits"][0]["name"], "CAMPUS-CERT");
    for bad in [
        "ip=192.0.2.999",
        "asn=AS-1",
        "domain=a_b.example",
        "country=Canada",
        "sector=banks",
    ] {
        let (status, v) = json(&format!("/v1/lookup?{bad}"));
        assert_eq!(status, 400, "{bad}: {v}");
        assert_eq!(v["error"]["code"], "bad-parameter", "{bad}");
    }
    let _ = child.kill();
    let _ = child.wait();
}
