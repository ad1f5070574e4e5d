//! `csirt verify` against signatures made by GnuPG, the tool teams actually
//! sign with: RSA and Ed25519, detached armoured and binary, clear-signed,
//! text mode across CRLF and LF, and every way a signature file goes wrong.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;
use util::*;

/// A throwaway GnuPG home with one RSA and one Ed25519 signing key.
struct Gpg {
    home: tempfile::TempDir,
    rsa: String,
    ed25519: String,
}

impl Gpg {
    fn get() -> &'static Gpg {
        static GPG: OnceLock<Gpg> = OnceLock::new();
        GPG.get_or_init(|| {
            // A static is never dropped, so the directory outlives the test
            // process: keep it under target/, which `cargo clean` empties.
            let home = tempfile::Builder::new()
                .prefix("gpg")
                .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
                .unwrap();
            let mut g = Gpg {
                home,
                rsa: String::new(),
                ed25519: String::new(),
            };
            g.rsa = g.generate("RSA Team <rsa@example.org>", "rsa2048");
            g.ed25519 = g.generate("Ed Team <ed@example.org>", "ed25519");
            g
        })
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("gpg");
        c.arg("--homedir").arg(self.home.path()).args([
            "--batch",
            "--yes",
            "--quiet",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
        ]);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = self
            .cmd()
            .args(args)
            .output()
            .expect("gpg is installed (.ci/run installs gnupg)");
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn generate(&self, uid: &str, algo: &str) -> String {
        self.run(&["--quick-gen-key", uid, algo, "sign", "never"]);
        let out = self.run(&["--with-colons", "--list-keys", uid]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find(|l| l.starts_with("fpr:"))
            .and_then(|l| l.split(':').nth(9))
            .unwrap()
            .to_string()
    }

    fn export(&self, fpr: &str, dir: &Path) -> PathBuf {
        let p = dir.join(format!("{fpr}.asc"));
        self.run(&["--armor", "--output", p.to_str().unwrap(), "--export", fpr]);
        p
    }

    fn sign(&self, fpr: &str, extra: &[&str], file: &Path, out: &Path) {
        let mut args = vec!["--local-user", fpr, "--output", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push(file.to_str().unwrap());
        self.run(&args);
    }
}

/// An RFC 2350 document stating `fpr` in section 2.8.
fn document(fpr: &str) -> String {
    format!(
        "1. Document Information\n1.1 Date of Last Update\n2026-01-15\n\
         2. Contact Information\n2.1 Name of the Team\nTEST-CERT\n\
         2.7 Electronic Mail Address\ncert@example.org\n\
         2.8 Public Keys and Encryption Information\nFingerprint: {fpr}\n\
         3. Charter\n3.2 Constituency\nUniversities in Quebec.\n"
    )
}

fn verify(args: &[&Path], extra: &[&str]) -> (Value, Output) {
    let out = csirt()
        .arg("verify")
        .args(args)
        .args(["--format", "json", "--at", "2026-11-22"])
        .args(extra)
        .output()
        .unwrap();
    let v = first_json_line(&out);
    (v, out)
}

fn setup(name: &str, fpr: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::Builder::new().prefix(name).tempdir().unwrap();
    let doc = dir.path().join("rfc2350.txt");
    std::fs::write(&doc, document(fpr)).unwrap();
    let key = Gpg::get().export(fpr, dir.path());
    (dir, doc, key)
}

fn outcome(v: &Value) -> &str {
    v["outcome"].as_str().unwrap_or("")
}

#[test]
fn detached_armored_and_binary_rsa_and_ed25519_are_valid() {
    let g = Gpg::get();
    for fpr in [&g.rsa, &g.ed25519] {
        let (dir, doc, key) = setup("detached", fpr);
        for (flags, name, kind) in [
            (
                &["--armor", "--detach-sign"][..],
                "doc.asc",
                "detached-armored",
            ),
            (&["--detach-sign"][..], "doc.sig", "detached-binary"),
        ] {
            let sig = dir.path().join(name);
            g.sign(fpr, flags, &doc, &sig);
            let (v, out) = verify(
                &[&doc],
                &[
                    "--sig",
                    sig.to_str().unwrap(),
                    "--keyring",
                    key.to_str().unwrap(),
                ],
            );
            assert_eq!(outcome(&v), "valid", "{v}");
            assert!(out.status.success());
            assert_eq!(v["kind"], kind);
            assert_eq!(v["signer"]["fingerprint"], fpr.as_str());
            assert_eq!(v["stated_fingerprints"][0], fpr.as_str());
            assert!(v["created"].is_string() && v["hash_algorithm"].is_string());
        }
    }
}

#[test]
fn clear_signed_is_valid_and_content_outside_is_reported() {
    let g = Gpg::get();
    let (dir, doc, key) = setup("clear", &g.ed25519);
    let signed = dir.path().join("signed.txt");
    g.sign(&g.ed25519, &["--clearsign"], &doc, &signed);
    let (v, _) = verify(&[&signed], &["--keyring", key.to_str().unwrap()]);
    assert_eq!(outcome(&v), "valid", "{v}");
    assert_eq!(v["kind"], "clear-signed");
    assert_eq!(v["content_before_signed"], false);

    let text = std::fs::read_to_string(&signed).unwrap();
    let wrapped = dir.path().join("wrapped.txt");
    std::fs::write(
        &wrapped,
        format!("Fingerprint: 0000\n{text}Real e-mail: evil@example.org\n"),
    )
    .unwrap();
    let (v, _) = verify(&[&wrapped], &["--keyring", key.to_str().unwrap()]);
    assert_eq!(outcome(&v), "valid", "{v}");
    assert_eq!(v["content_before_signed"], true);
    assert_eq!(v["content_after_signed"], true);
    // Only the signed text was read for stated fingerprints.
    assert_eq!(v["stated_fingerprints"], serde_json::json!([g.ed25519]));
}

#[test]
fn text_mode_signatures_survive_crlf_and_lf_copies() {
    let g = Gpg::get();
    let (dir, doc, key) = setup("textmode", &g.rsa);
    let lf = std::fs::read_to_string(&doc).unwrap();
    let crlf_doc = dir.path().join("crlf.txt");
    std::fs::write(&crlf_doc, lf.replace('\n', "\r\n")).unwrap();
    let k = key.to_str().unwrap();
    for (signed, other) in [(&doc, &crlf_doc), (&crlf_doc, &doc)] {
        let sig = dir.path().join("text.asc");
        g.sign(
            &g.rsa,
            &["--textmode", "--armor", "--detach-sign"],
            signed,
            &sig,
        );
        let (v, _) = verify(&[other], &["--sig", sig.to_str().unwrap(), "--keyring", k]);
        assert_eq!(outcome(&v), "valid", "{v}");
    }
}

#[test]
fn tampered_wrong_key_and_sha1_each_get_their_code() {
    let g = Gpg::get();
    let (dir, doc, key) = setup("bad", &g.rsa);
    let k = key.to_str().unwrap();
    let sig = dir.path().join("doc.asc");
    g.sign(&g.rsa, &["--armor", "--detach-sign"], &doc, &sig);
    let s = sig.to_str().unwrap();

    let tampered = dir.path().join("tampered.txt");
    std::fs::write(
        &tampered,
        std::fs::read_to_string(&doc)
            .unwrap()
            .replace("Quebec", "Ontario"),
    )
    .unwrap();
    let (v, out) = verify(&[&tampered], &["--sig", s, "--keyring", k]);
    assert_eq!(outcome(&v), "bad-signature", "{v}");
    assert_eq!(out.status.code(), Some(1));

    let other = g.export(&g.ed25519, dir.path());
    let (v, _) = verify(&[&doc], &["--sig", s, "--keyring", other.to_str().unwrap()]);
    assert_eq!(outcome(&v), "unknown-key", "{v}");

    let sha1 = dir.path().join("sha1.asc");
    g.sign(
        &g.rsa,
        &["--digest-algo", "SHA1", "--armor", "--detach-sign"],
        &doc,
        &sha1,
    );
    let (v, _) = verify(&[&doc], &["--sig", sha1.to_str().unwrap(), "--keyring", k]);
    assert_eq!(outcome(&v), "weak-algorithm", "{v}");
    assert_eq!(v["hash_algorithm"], "SHA1");
}

#[test]
fn broken_signature_files_are_malformed_never_a_crash() {
    let g = Gpg::get();
    let (dir, doc, key) = setup("broken", &g.ed25519);
    let good = dir.path().join("good.asc");
    g.sign(&g.ed25519, &["--armor", "--detach-sign"], &doc, &good);
    let text = std::fs::read_to_string(&good).unwrap();
    let cases: [(&str, Vec<u8>); 4] = [
        ("empty", Vec::new()),
        ("garbage", b"this is not a signature\n".to_vec()),
        ("truncated", text.as_bytes()[..text.len() / 2].to_vec()),
        (
            "random-binary",
            (0..512u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ),
    ];
    for (name, bytes) in cases {
        let sig = dir.path().join(name);
        std::fs::write(&sig, bytes).unwrap();
        let (v, out) = verify(
            &[&doc],
            &[
                "--sig",
                sig.to_str().unwrap(),
                "--keyring",
                key.to_str().unwrap(),
            ],
        );
        assert_eq!(outcome(&v), "malformed-signature", "{name}: {v}");
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(
            out.stderr.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn signature_beside_the_document_is_found_and_unsigned_is_said() {
    let g = Gpg::get();
    let (dir, doc, key) = setup("beside", &g.rsa);
    let (v, out) = verify(&[&doc], &["--keyring", key.to_str().unwrap()]);
    assert_eq!(outcome(&v), "unsigned");
    assert_eq!(out.status.code(), Some(1));
    let sig = dir.path().join("rfc2350.txt.asc");
    g.sign(&g.rsa, &["--armor", "--detach-sign"], &doc, &sig);
    let (v, _) = verify(&[&doc], &["--keyring", key.to_str().unwrap()]);
    assert_eq!(outcome(&v), "valid", "{v}");
    assert!(v["signature_file"]
        .as_str()
        .unwrap()
        .ends_with("rfc2350.txt.asc"));
}

#[test]
fn a_published_private_key_is_reported_loudly() {
    let g = Gpg::get();
    let dir = tempfile::tempdir().unwrap();
    let secret = g
        .run(&["--armor", "--export-secret-keys", &g.ed25519])
        .stdout;
    let doc = dir.path().join("doc.txt");
    let text = format!(
        "{}2.8 Public Keys\n{}",
        document(&g.ed25519),
        String::from_utf8_lossy(&secret)
    );
    std::fs::write(&doc, text).unwrap();
    let (v, out) = verify(&[&doc], &[]);
    assert_eq!(v["private_key_published"], true);
    assert!(String::from_utf8_lossy(&out.stderr).contains("PRIVATE key"));
}

#[test]
fn unreadable_document_is_exit_2() {
    let out = csirt()
        .args(["verify", "/nonexistent/doc.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/doc.txt"));
}

/// The signed documents of the shared corpus, when it is present, come out
/// as its `signatures.json` says GnuPG (or an independent check) says.
#[test]
fn shared_corpus_signatures_match_expectations() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(spec) = std::fs::read_to_string(corpus.join("signatures.json")) else {
        eprintln!("../shared/corpus not present; skipped");
        return;
    };
    let spec: Value = serde_json::from_str(&spec).unwrap();
    let docs = corpus.join("docs");
    for case in spec.as_array().unwrap() {
        let doc = docs.join(case["doc"].as_str().unwrap());
        let sig = docs.join(case["sig"].as_str().unwrap());
        let key = docs.join(case["key"].as_str().unwrap());
        let (v, _) = verify(
            &[&doc],
            &[
                "--sig",
                sig.to_str().unwrap(),
                "--keyring",
                key.to_str().unwrap(),
            ],
        );
        let mut ok = vec![case["expected"].as_str().unwrap()];
        ok.extend(
            case["also_acceptable"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str),
        );
        assert!(
            ok.contains(&outcome(&v)),
            "{}: got {v}, want one of {ok:?}",
            case["doc"]
        );
    }
}
