//! Format detection from the bytes. Servers send PDFs as `text/plain` and
//! HTML as `application/octet-stream`, so the name and the content type are
//! only hints used when the bytes are ambiguous.

use crate::record::Format;

/// Markers of a web page or template; any two make a document HTML. Each
/// starts with `<` or `@`, or ends with `=`, so that only the places where
/// those bytes occur (few, in text) are looked at.
const MARKERS: &[&str] = &[
    "<!doctype html",
    "<html",
    "<body",
    "<div",
    "<head",
    "<h1",
    "<h2",
    "<h3",
    "<h4",
    "<p>",
    "<p ",
    "<table",
    "<section",
    "<pre",
    "@extends(",
    "<?php",
    "classname=",
    "<template",
];

/// The markers found in `head`, as a bit set over `MARKERS`.
fn markers(head: &[u8]) -> u32 {
    let mut seen = 0u32;
    for i in memchr::memchr3_iter(b'<', b'@', b'=', head) {
        for (k, m) in MARKERS.iter().enumerate() {
            let m = m.as_bytes();
            let at = if m.ends_with(b"=") {
                (i + 1).checked_sub(m.len())
            } else {
                Some(i)
            };
            let hit = at
                .and_then(|a| head.get(a..a + m.len()))
                .is_some_and(|w| w.eq_ignore_ascii_case(m));
            if hit {
                seen |= 1 << k;
            }
        }
    }
    seen
}

/// Detects the layout of `bytes`; `hint` is a file name or content type.
pub fn detect(bytes: &[u8], hint: Option<&str>) -> Format {
    let head = &bytes[..bytes.len().min(1024)];
    if memchr::memmem::find(head, b"%PDF-").is_some() {
        return Format::Pdf;
    }
    // Only the first part of the file decides: a Markdown file may quote
    // HTML further down, but a page starts with its markup.
    let start = &bytes[..bytes.len().min(4096)];
    let markup_hits = markers(start).count_ones();
    let hint = hint.map(|h| h.to_ascii_lowercase()).unwrap_or_default();
    let markdown_lines = start
        .split(|&b| b == b'\n')
        .filter(|l| l.starts_with(b"# ") || l.starts_with(b"## ") || l.starts_with(b"### "))
        .count();
    if markup_hits >= 2 || (markup_hits == 1 && markdown_lines == 0) {
        return Format::Html;
    }
    if markdown_lines >= 2 {
        return Format::Markdown;
    }
    if hint.ends_with(".md") || hint.contains("markdown") {
        return Format::Markdown;
    }
    if hint.ends_with(".html") || hint.ends_with(".htm") || hint.contains("text/html") {
        return Format::Html;
    }
    Format::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_by_magic_whatever_the_name() {
        assert_eq!(detect(b"%PDF-1.7\n...", Some("rfc2350.txt")), Format::Pdf);
    }

    #[test]
    fn html_without_a_hint() {
        assert_eq!(
            detect(b"<!DOCTYPE html><html><body><h1>x</h1>", None),
            Format::Html
        );
    }

    #[test]
    fn every_marker_is_found_in_any_case() {
        for (k, m) in MARKERS.iter().enumerate() {
            let text = format!("x {} y", m.to_ascii_uppercase());
            assert_eq!(markers(text.as_bytes()), 1 << k, "{m}");
        }
        assert_eq!(markers(b"=classname <p"), 0);
        assert_eq!(markers(b"a <DIV className=\"x\">"), 1 << 3 | 1 << 16);
    }

    #[test]
    fn markdown_by_headings() {
        assert_eq!(
            detect(b"## 1. Document\n### 1.1 Date\n", None),
            Format::Markdown
        );
    }

    #[test]
    fn plain_text() {
        assert_eq!(
            detect(b"1. Document Information\n1.1 Date of Last Update\n", None),
            Format::Text
        );
    }
}
