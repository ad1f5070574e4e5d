//! Format detection from the bytes. Servers send PDFs as `text/plain` and
//! HTML as `application/octet-stream`, so the name and the content type are
//! only hints used when the bytes are ambiguous.

use crate::record::Format;

/// Detects the layout of `bytes`; `hint` is a file name or content type.
pub fn detect(bytes: &[u8], hint: Option<&str>) -> Format {
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return Format::Pdf;
    }
    // Only the first part of the file decides: a Markdown file may quote
    // HTML further down, but a page starts with its markup.
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let markup = [
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
    let markup_hits = markup.iter().filter(|m| start.contains(*m)).count();
    let hint = hint.map(|h| h.to_ascii_lowercase()).unwrap_or_default();
    let markdown_lines = start
        .lines()
        .filter(|l| l.starts_with("# ") || l.starts_with("## ") || l.starts_with("### "))
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

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
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
