//! `csirt completions` and `csirt man`, through the real binary.

mod util;

use util::*;

#[test]
fn completions_know_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let out = csirt().args(["completions", shell]).output().unwrap();
        assert_ok(&out);
        let script = String::from_utf8_lossy(&out.stdout);
        for command in ["crawl", "find", "lookup-data", "seeds", "serve", "man"] {
            assert!(script.contains(command), "{shell}: no {command}");
        }
        // An option of a subcommand, not only the command names.
        assert!(
            script.contains("allow-private"),
            "{shell}: no --allow-private"
        );
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error_naming_the_choices() {
    let out = csirt().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tcsh") && err.contains("bash"), "{err}");
}

#[test]
fn the_manual_is_roff_with_every_command() {
    let out = csirt().arg("man").output().unwrap();
    assert_ok(&out);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH csirt 1"), "{page}");
    assert!(
        page.contains("crawl") && page.contains("lookup\\-data"),
        "{page}"
    );

    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    let out = csirt()
        .arg("man")
        .arg("--dir")
        .arg(&pages)
        .output()
        .unwrap();
    assert_ok(&out);
    for name in [
        "csirt.1",
        "csirt-crawl.1",
        "csirt-find.1",
        "csirt-seeds-import.1",
    ] {
        let p = pages.join(name);
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{name}");
    }
}

#[test]
fn a_manual_folder_that_cannot_be_made_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let out = csirt()
        .arg("man")
        .arg("--dir")
        .arg(file.join("man1"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not-a-folder"), "{err}");
}
