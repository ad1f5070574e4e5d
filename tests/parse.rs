//! `csirt parse` on fixtures that each show one quirk seen in real documents.

mod util;

use std::io::Write;
use std::process::Stdio;

use util::*;

#[test]
fn rfc_example_xyz_cert() {
    let out = csirt()
        .args(["parse", "--format", "json", "seeds/examples/xyz-cert.txt"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let r = first_json_line(&out);
    assert_eq!(s(&r, "/team/short_name"), "XYZ-CERT");
    assert_eq!(s(&r, "/document/last_update"), "1997-03-31");
    assert_eq!(s(&r, "/document/version"), "1.01");
    assert_eq!(list(&r, "/contact/emails"), ["xyz-cert@xyz-univ.ca"]);
    assert_eq!(list(&r, "/contact/phones"), ["+1 234 567 7890"]);
    assert_eq!(list(&r, "/contact/fax"), ["+1 234 567 7899"]);
    assert!(s(&r, "/contact/operating_hours").contains("09:00-17:00"));
    assert!(list(&r, "/document/signature_locations")
        .contains(&"http://www.xyz-univ.ca/xyz-cert/english/CSIRT-descr.asc".to_string()));
    // The RFC's 16-byte PGP 2 fingerprint is not a modern fingerprint.
    assert!(codes(&r).contains(&"malformed-fingerprint".to_string()));
    let items = r
        .pointer("/services/incident_response/items")
        .unwrap()
        .as_array()
        .unwrap();
    assert!(items.iter().any(|i| i == "Incident Triage"));
}

#[test]
fn numbering_with_trailing_dots_and_parens() {
    let r = parse_fixture("numbering-with-trailing-dots-and-parens.txt");
    assert_eq!(s(&r, "/document/last_update"), "2024-02-29");
    assert_eq!(
        list(&r, "/document/locations"),
        ["https://cert.example.org/rfc2350.txt"]
    );
    assert_eq!(s(&r, "/team/name"), "EXAMPLE-CERT");
    assert_eq!(s(&r, "/contact/time_zone"), "CET");
    assert_eq!(list(&r, "/contact/emails"), ["cert@example.org"]);
}

#[test]
fn shifted_numbering_maps_by_words() {
    let r = parse_fixture("shifted-numbering.txt");
    assert_eq!(s(&r, "/document/last_update"), "2025-10-31");
    assert_eq!(
        list(&r, "/document/locations"),
        ["https://github.com/example/files"]
    );
    assert_eq!(s(&r, "/team/short_name"), "ACME FR CERT");
    assert_eq!(
        fingerprints(&r),
        ["96BE460A871D97F0BDD676A14DA3D7CF695A5AE6883277FFD054805F462204D5"]
    );
    assert_eq!(r["keys"][0]["key_id"], "96BE460A871D97F0");
    assert!(s(&r, "/charter/constituency").contains("private and public"));
    assert!(codes(&r).contains(&"unrecognised-heading".to_string()));
}

#[test]
fn indonesian_template_with_unnumbered_subsections_and_misspelt_month() {
    let r = parse_fixture("indonesian-bssn-template.txt");
    assert_eq!(s(&r, "/language"), "id");
    assert_eq!(s(&r, "/document/last_update"), "2025-02-03");
    assert_eq!(
        list(&r, "/document/locations"),
        ["https://csirt.contoh.go.id/rfc2350.pdf"]
    );
    assert_eq!(s(&r, "/team/short_name"), "CONTOH-CSIRT");
    assert_eq!(s(&r, "/contact/time_zone"), "Jakarta (GMT+07:00)");
    assert_eq!(list(&r, "/contact/phones"), ["(021) 1234567"]);
    assert!(list(&r, "/contact/fax").is_empty());
    assert_eq!(list(&r, "/contact/emails"), ["csirt@contoh.go.id"]);
    assert_eq!(
        fingerprints(&r),
        ["1C7D18B1B2987622DAF68347CE45D819A395ECAB"]
    );
    assert!(s(&r, "/charter/constituency").contains("Perangkat Daerah"));
    assert!(s(&r, "/charter/mission").contains("keamanan siber"));
}

#[test]
fn clearsigned_only_the_signed_text_counts() {
    let r = parse_fixture("clearsigned-with-unsigned-trailer.txt");
    assert_eq!(r["clearsigned"], true);
    assert_eq!(list(&r, "/contact/emails"), ["cert@signed.example"]);
    assert!(codes(&r).contains(&"unsigned-content".to_string()));
    let text = serde_json::to_string(&r).unwrap();
    assert!(
        !text.contains("evil.example"),
        "unsigned content leaked into the record"
    );
    assert!(text.contains("--- this line was dash-escaped ---"));
    assert!(!text.contains("- --- this"));
}

#[test]
fn clearsigned_message_flattened_onto_one_line() {
    let r = parse_fixture("collapsed-clearsigned-one-line.txt");
    assert_eq!(s(&r, "/team/name"), "FLAT-CERT");
    assert_eq!(s(&r, "/document/last_update"), "2021-06-30");
    assert_eq!(
        list(&r, "/document/locations"),
        [
            "https://flat.example/rfc2350.html",
            "https://flat.example/rfc2350.txt"
        ]
    );
    assert_eq!(
        s(&r, "/contact/time_zone"),
        "South African Standard Time (UTC+02:00)."
    );
    assert_eq!(list(&r, "/contact/phones"), ["+27 10 500 1200"]);
    assert_eq!(list(&r, "/contact/emails"), ["queries@flat.example"]);
    assert!(s(&r, "/charter/constituency").contains("South Africa"));
}

#[test]
fn html_navigation_footer_and_scripts_do_not_leak() {
    let r = parse_fixture("html-page-with-navigation.html");
    assert_eq!(s(&r, "/format"), "html");
    assert_eq!(s(&r, "/document/last_update"), "2024-01-12");
    assert_eq!(s(&r, "/team/name"), "HTML-CERT");
    assert_eq!(s(&r, "/contact/time_zone"), "Europe/Luxembourg (CET/CEST)");
    assert_eq!(list(&r, "/contact/emails"), ["cert@html-cert.example"]);
    assert_eq!(
        fingerprints(&r),
        ["CA572205C0024E06BA70BE89EAADCFFC22BD4CD5"]
    );
    assert!(s(&r, "/charter/constituency").contains("Universities and research centres"));
    let text = serde_json::to_string(&r).unwrap();
    assert!(!text.contains("footer.example") && !text.contains("script.example"));
}

#[test]
fn blade_template_source_is_removed_and_placeholders_are_not_guessed() {
    let r = parse_fixture("blade-template-leak.blade.php");
    let c = codes(&r);
    assert!(c.contains(&"template-source".to_string()));
    assert!(c.contains(&"unparsed-date".to_string()));
    assert!(c.contains(&"location-not-url".to_string()));
    assert!(r["document"]["last_update"].is_null());
    assert_eq!(s(&r, "/team/name"), "BLADE-CSIRT");
    assert_eq!(list(&r, "/contact/emails"), ["csirt@blade.co.id"]);
    let text = serde_json::to_string(&r).unwrap();
    assert!(!text.contains("APP_NAME") && !text.contains("base_url") && !text.contains("@extends"));
}

#[test]
fn markdown_with_front_matter_and_key_id_that_is_a_fingerprint() {
    let r = parse_fixture("markdown-front-matter-and-fence.md");
    assert_eq!(s(&r, "/format"), "markdown");
    assert_eq!(s(&r, "/document/last_update"), "2025-12-18");
    assert_eq!(s(&r, "/team/short_name"), "MDSIRT");
    assert!(s(&r, "/contact/time_zone").contains("EST/EDT"));
    assert_eq!(list(&r, "/contact/emails"), ["security@md-sirt.example"]);
    assert_eq!(
        fingerprints(&r),
        ["B0614CADF0EAF85433C715A508F419AA6FB92A90"]
    );
}

#[test]
fn a_published_private_key_is_reported() {
    let r = parse_fixture("private-key-published.txt");
    assert!(codes(&r).contains(&"private-key-published".to_string()));
    assert!(codes(&r).contains(&"no-fingerprint".to_string()));
}

#[test]
fn a_login_page_is_not_rfc2350() {
    let r = parse_fixture("login-page-not-a-document.html");
    assert!(codes(&r).contains(&"not-rfc2350".to_string()));
}

#[test]
fn a_date_in_the_future_has_its_own_diagnostic() {
    let r = parse_fixture("date-in-the-future.txt");
    assert_eq!(s(&r, "/document/last_update"), "2099-01-01");
    assert!(codes(&r).contains(&"future-date".to_string()));
}

#[test]
fn japanese_headings() {
    let r = parse_fixture("japanese-headings.txt");
    assert_eq!(s(&r, "/document/last_update"), "2023-10-01");
    assert_eq!(
        list(&r, "/document/locations"),
        ["https://docs.ja-sirt.example/ja/rfc-2350"]
    );
    assert_eq!(s(&r, "/team/short_name"), "JASIRT");
    assert_eq!(s(&r, "/contact/time_zone"), "JST");
    assert_eq!(list(&r, "/contact/emails"), ["security@ja-sirt.example"]);
}

#[test]
fn french_headings() {
    let r = parse_fixture("french-headings.txt");
    assert_eq!(s(&r, "/document/last_update"), "2021-08-03");
    assert_eq!(s(&r, "/team/name"), "CERT-EXEMPLE");
    assert_eq!(list(&r, "/contact/phones"), ["+33 1 23 45 67 89"]);
    assert_eq!(list(&r, "/contact/emails"), ["cert@exemple.fr"]);
    assert!(s(&r, "/charter/constituency").contains("universités"));
}

#[test]
fn version_history_latest_entry_wins() {
    let r = parse_fixture("version-history-in-1-1.txt");
    assert_eq!(s(&r, "/document/last_update"), "2010-08-11");
    assert_eq!(s(&r, "/team/name"), "HIST-CERT");
}

#[test]
fn windows_1252_with_crlf_and_utf16_with_bom() {
    let a = parse_fixture("windows-1252-crlf.txt");
    assert!(codes(&a).contains(&"encoding-fallback".to_string()));
    let b = parse_fixture("utf16-bom.txt");
    for r in [&a, &b] {
        assert_eq!(s(r, "/team/name"), "QUÉBEC-CERT");
        assert_eq!(s(r, "/document/last_update"), "2022-03-31");
        assert_eq!(s(r, "/contact/time_zone"), "Amérique/Montréal");
    }
}

#[test]
fn pdf_running_headers_and_page_numbers_do_not_leak() {
    let r = parse_fixture("pdf-running-header.pdf");
    assert_eq!(s(&r, "/format"), "pdf");
    assert_eq!(s(&r, "/document/last_update"), "2022-09-19");
    assert_eq!(s(&r, "/team/name"), "PDF-CSIRT");
    // The value sits after the page break, below the repeated header.
    assert_eq!(s(&r, "/contact/time_zone"), "Jakarta (GMT+07:00)");
    assert_eq!(list(&r, "/contact/phones"), ["(021) 28534471"]);
    let text = serde_json::to_string(&r).unwrap();
    assert!(!text.contains("Page 1 of 2") && !text.contains("Versi 1.0)"));
}

#[test]
fn a_pdf_sent_as_text_is_still_a_pdf() {
    let bytes = std::fs::read(fixture("pdf-running-header.pdf")).unwrap();
    let mut child = csirt()
        .args(["parse", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let r = first_json_line(&out);
    assert_eq!(s(&r, "/format"), "pdf");
    assert_eq!(s(&r, "/source"), "-");
}

#[test]
fn broken_pdf_gives_a_diagnostic_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("broken.pdf");
    std::fs::write(&p, b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF").unwrap();
    let out = csirt()
        .args(["parse", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(out.status.success());
    let r = first_json_line(&out);
    assert!(
        codes(&r).contains(&"pdf-unreadable".to_string()),
        "{:?}",
        codes(&r)
    );
}

/// Regression (found by cargo fuzz): a page whose font resource is missing
/// makes pdf-extract panic. The panic is contained, reported as
/// `pdf-unreadable`, and prints nothing alarming.
#[test]
fn pdf_page_without_font_panics_pdf_extract() {
    let out = csirt()
        .args(["parse", "--format", "json"])
        .arg(fixture("pdf-page-without-font-panics-pdf-extract.pdf"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(codes(&first_json_line(&out)).contains(&"pdf-unreadable".to_string()));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Regression (found by cargo fuzz): on this mangled PDF the PDF library
/// loops for longer than anyone would wait. It runs in a child process that
/// is stopped at the time limit; the file gets `budget-exceeded` and the
/// next file is parsed as usual.
#[test]
fn a_pdf_that_keeps_the_library_busy_is_stopped() {
    let started = std::time::Instant::now();
    let out = csirt()
        .env("CSIRT_PDF_TIMEOUT", "1")
        .args(["parse", "--format", "json"])
        .arg(fixture("pdf-library-loops.pdf"))
        .arg(fixture("pdf-running-header.pdf"))
        .output()
        .unwrap();
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    let stopped = records[0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "budget-exceeded")
        .expect("budget-exceeded");
    assert!(
        stopped["message"]
            .as_str()
            .unwrap()
            .contains("stopped after 1s"),
        "{stopped}"
    );
    assert_eq!(s(&records[1], "/team/name"), "PDF-CSIRT");
    // The limit, not the library, decided how long this took.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn unreadable_file_is_reported_and_the_rest_goes_on() {
    let out = csirt()
        .args(["parse", "--format", "json", "/nonexistent/rfc2350.txt"])
        .arg(fixture("version-history-in-1-1.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/rfc2350.txt"));
    assert_eq!(s(&first_json_line(&out), "/team/name"), "HIST-CERT");
}

#[test]
fn bad_today_is_a_usage_error() {
    let out = csirt()
        .args(["parse", "--today", "yesterday", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn text_summary_names_the_diagnostics() {
    let out = csirt()
        .args(["parse", "--today", "2026-01-01"])
        .arg(fixture("date-in-the-future.txt"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Team          FUTURE-CERT"), "{text}");
    assert!(text.contains("warning[future-date]"), "{text}");
}

#[test]
fn empty_input_yields_a_record() {
    let mut child = csirt()
        .args(["parse", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(codes(&first_json_line(&out)).contains(&"not-rfc2350".to_string()));
}

/// The constituency as data: each kind of value a lookup needs, and the
/// look-alikes that are none (a version, an OID, a URL's host, a time).
#[test]
fn constituency_as_data_domains_networks_asns_countries_regions_sectors() {
    let r = parse_fixture("constituency-as-data.txt");
    assert_eq!(
        list(&r, "/constituency/domains"),
        ["example-univ.ca", "example-research.org"]
    );
    assert_eq!(
        list(&r, "/constituency/networks"),
        [
            "192.0.2.0/24",
            "198.51.100.0/25",
            "2001:db8:100::/48",
            "203.0.113.45/32"
        ]
    );
    let asns: Vec<u64> = r["constituency"]["asns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_u64().unwrap())
        .collect();
    assert_eq!(asns, [64500, 64501]);
    assert_eq!(list(&r, "/constituency/countries"), ["CA"]);
    assert_eq!(list(&r, "/constituency/regions"), ["Quebec"]);
    assert_eq!(list(&r, "/constituency/sectors"), ["research-education"]);
    // Every value says where it was read.
    let ev = r["constituency"]["evidence"].as_array().unwrap();
    let net = ev.iter().find(|e| e["value"] == "192.0.2.0/24").unwrap();
    assert_eq!(net["kind"], "network");
    assert_eq!(net["section"], "3.2");
    let line = net["line"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(fixture("constituency-as-data.txt")).unwrap();
    assert!(text.lines().nth(line - 1).unwrap().contains("192.0.2.0/24"));
    let region = ev.iter().find(|e| e["kind"] == "region").unwrap();
    assert!(
        region["text"].as_str().unwrap().contains("Québec"),
        "{region}"
    );
}

#[test]
fn a_constituency_in_indonesian_names_its_province_and_sectors() {
    let r = parse_fixture("constituency-indonesian-province.txt");
    assert_eq!(list(&r, "/constituency/regions"), ["Jawa Timur"]);
    assert_eq!(list(&r, "/constituency/countries"), ["ID"]);
    assert_eq!(
        list(&r, "/constituency/sectors"),
        ["government", "research-education"]
    );
    assert!(list(&r, "/constituency/networks").is_empty());
}

#[test]
fn a_document_that_states_no_constituency_data_has_empty_lists() {
    // "Les universités et laboratoires de recherche de la région": a
    // sector, and nothing to look an address up by.
    let r = parse_fixture("french-headings.txt");
    for field in ["domains", "networks", "asns", "countries", "regions"] {
        assert!(
            r["constituency"][field].as_array().unwrap().is_empty(),
            "{field}: {}",
            r["constituency"]
        );
    }
    assert_eq!(list(&r, "/constituency/sectors"), ["research-education"]);
}

/// A clear-signed message whose armour header lost a dash and whose
/// signature block is missing is read whole as unsigned text.
#[test]
fn damaged_armor_costs_no_text() {
    let r = parse_fixture("damaged-armor-header.txt");
    assert!(codes(&r).contains(&"damaged-armor".to_string()));
    assert_eq!(r["clearsigned"], false);
    assert_eq!(s(&r, "/team/short_name"), "EXAMPLE-CERT");
    assert_eq!(s(&r, "/document/last_update"), "2026-01-01");
    assert_eq!(
        list(&r, "/contact/emails"),
        ["cert@example-institute.example"]
    );
    assert_eq!(
        fingerprints(&r),
        ["0123456789ABCDEF0123456789ABCDEF01234567"]
    );
    assert!(s(&r, "/contact/time_zone").starts_with("Central European"));
}

/// "Full name; shortname: X" on a document collapsed onto one line.
#[test]
fn a_short_name_inside_the_name_line() {
    let r = parse_fixture("name-with-inline-short-name.txt");
    assert_eq!(
        s(&r, "/team/name"),
        "Computer Emergency Response Team of the Example Region administration"
    );
    assert_eq!(s(&r, "/team/short_name"), "CERT EXR");
    assert_eq!(list(&r, "/contact/emails"), ["cert@exr.example"]);
    assert_eq!(s(&r, "/contact/time_zone"), "Europe/Berlin");
}

/// A designation over the team's long name; `[@t]` and `[AT]` with spaced
/// dots.
#[test]
fn a_name_over_two_lines_and_spaced_obfuscations() {
    let r = parse_fixture("name-over-two-lines.txt");
    assert_eq!(s(&r, "/team/short_name"), "CERT.ex");
    assert_eq!(
        s(&r, "/team/name"),
        "Computer Emergency Response Team Exland"
    );
    assert_eq!(
        list(&r, "/contact/emails"),
        ["reports@cert.ex", "team@cert.ex"]
    );
}

/// Headings without numbers beside numbered ones; the address under the
/// name when 2.2 is missing; a date in a sentence.
#[test]
fn a_name_stops_before_the_address() {
    let r = parse_fixture("name-then-address-no-heading.txt");
    assert_eq!(s(&r, "/team/short_name"), "EX-CERT");
    assert!(
        !s(&r, "/team/name").contains("maantee"),
        "{}",
        s(&r, "/team/name")
    );
    assert_eq!(s(&r, "/document/last_update"), "2019-05-27");
    assert_eq!(list(&r, "/contact/emails"), ["cert@cert.ex"]);
    assert!(s(&r, "/contact/time_zone").starts_with("EET"));
}

/// `Label: value` runs on one line; a stray "1.3 . E-mail" read as a
/// heading does not hide the real e-mail section.
#[test]
fn a_collapsed_profile_with_a_false_heading() {
    let r = parse_fixture("collapsed-label-value-line.txt");
    assert_eq!(
        s(&r, "/team/name"),
        "Computer Security Incident Response Team of Example College"
    );
    assert_eq!(s(&r, "/team/short_name"), "EX-CSIRT");
    assert_eq!(s(&r, "/document/last_update"), "2016-06-10");
    assert_eq!(list(&r, "/contact/emails"), ["security@excollege.example"]);
    assert_eq!(s(&r, "/contact/address"), "Street 1, Town");
    assert_eq!(s(&r, "/contact/time_zone"), "GMT+1");
}

/// "Mail address" is the postal one; "X is the CERT team for ..." names X.
#[test]
fn a_postal_mail_address_and_a_described_name() {
    let r = parse_fixture("postal-mail-address-heading.txt");
    assert_eq!(s(&r, "/team/name"), "Deltaco-CERT");
    assert!(s(&r, "/contact/address").contains("Box 256"));
    assert_eq!(
        list(&r, "/contact/emails"),
        ["abuse@deltaco.example", "cert@deltaco.example"]
    );
}

/// No 1.1 section, but the preamble says "Stand: 28.09.2018".
#[test]
fn a_date_labelled_in_the_preamble() {
    let r = parse_fixture("dated-in-the-preamble.txt");
    assert_eq!(s(&r, "/document/last_update"), "2018-09-28");
    assert_eq!(s(&r, "/team/name"), "CERT Beispiel");
    assert_eq!(list(&r, "/contact/emails"), ["cert@cert-beispiel.example"]);
}
