//! HTML pages (and the page templates teams publish by accident) to lines of
//! text. Headings become Markdown-style `#` lines so that one heading detector
//! serves Markdown and HTML alike; navigation, scripts and forms are dropped.

use scraper::{ElementRef, Html, Node};

mod flatten;

pub use flatten::{Flattened, MAX_DEPTH as MAX_NESTING, MAX_ELEMENTS, MAX_FORMATTING};

/// Builds the page's tree in time linear in its size: past the nesting and
/// element bounds, tags are dropped first (see [`Flattened`]).
fn tree(markup: &str) -> (Html, Option<Flattened>) {
    // The tree builder's cost grows with tags times depth (or times the
    // formatting elements it reopens): below this many tags its worst case
    // is some ten thousand steps, and the page skips the pass.
    const FEW_TAGS: usize = 256;
    if memchr::memchr_iter(b'<', markup.as_bytes()).count() < FEW_TAGS {
        return (Html::parse_document(markup), None);
    }
    match flatten::flatten(markup) {
        Some((flat, what)) => (Html::parse_document(&flat), Some(what)),
        None => (Html::parse_document(markup), None),
    }
}

/// Removes server-side and client-side template source (PHP, Blade, JSX
/// expressions) that would otherwise leak into the text. Returns the cleaned
/// markup and whether anything was removed.
pub fn strip_templates(src: &str) -> (String, bool) {
    let mut out = src.to_string();
    for (open, close) in [
        ("<?php", "?>"),
        ("<?=", "?>"),
        ("{{--", "--}}"),
        ("{{", "}}"),
        ("{!!", "!!}"),
        ("{/*", "*/}"),
    ] {
        out = remove_between(&out, open, close);
    }
    let mut changed = out.len() != src.len();
    let mut kept = String::with_capacity(out.len());
    for line in out.lines() {
        let t = line.trim_start();
        let is_directive = t.starts_with('@')
            && t[1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic());
        if is_directive {
            changed = true;
            continue;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    let mut out = kept;
    if looks_like_jsx(&out) {
        out = jsx_markup(&out);
        changed = true;
    }
    (out, changed)
}

fn looks_like_jsx(s: &str) -> bool {
    (s.contains("className=") || s.contains("export default"))
        && (s.contains("import ") || s.contains("return ("))
}

/// Keeps the markup of a React component: from the first line that opens a
/// tag to the last line that closes one, with `{...}` expressions removed.
fn jsx_markup(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let first = lines.iter().position(|l| {
        let t = l.trim_start();
        t.starts_with('<')
            && t[1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
    });
    let last = lines.iter().rposition(|l| l.trim_end().ends_with('>'));
    let (Some(a), Some(b)) = (first, last) else {
        return s.to_string();
    };
    if b < a {
        return s.to_string();
    }
    let body = lines[a..=b].join("\n");
    remove_braces(&body)
}

/// Removes balanced `{...}` regions (JSX expressions), keeping string-literal
/// children such as `{"text"}` so that visible text is not lost.
fn remove_braces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    let mut expr = String::new();
    for c in s.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    expr.clear();
                    continue;
                }
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    let e = expr.trim();
                    let quoted = e.len() >= 2
                        && ((e.starts_with('"') && e.ends_with('"'))
                            || (e.starts_with('\'') && e.ends_with('\''))
                            || (e.starts_with('`') && e.ends_with('`')));
                    if quoted {
                        out.push_str(&e[1..e.len() - 1]);
                    } else {
                        out.push(' ');
                    }
                    continue;
                }
            }
            _ => {}
        }
        if depth == 0 {
            out.push(c);
        } else {
            expr.push(c);
        }
    }
    out
}

fn remove_between(s: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(open) {
        out.push_str(&rest[..i]);
        match rest[i + open.len()..].find(close) {
            Some(j) => rest = &rest[i + open.len() + j + close.len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A link a page makes: where to, and the words it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The URL as written (resolve it against the page's).
    pub href: String,
    /// The link's text (or its title), white space folded.
    pub text: String,
    /// The page shows the target inside itself (`<object>`, `<embed>`,
    /// `<iframe>`): a page that only wraps a document.
    pub embedded: bool,
}

/// The links of an HTML page: anchors with their text, and what it embeds.
/// At most `max` links are returned (a page with a million links is not a
/// team's homepage).
pub fn links(markup: &str, max: usize) -> Vec<Link> {
    let (doc, _) = tree(markup);
    let mut out = Vec::new();
    for el in doc
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        if out.len() >= max {
            break;
        }
        let e = el.value();
        let (attr, embedded) = match e.name() {
            "a" | "area" => ("href", false),
            "object" => ("data", true),
            "embed" | "iframe" | "frame" => ("src", true),
            _ => continue,
        };
        let Some(href) = e.attr(attr).map(str::trim).filter(|h| !h.is_empty()) else {
            continue;
        };
        let mut text: String = el.text().collect::<Vec<_>>().join(" ");
        if let Some(t) = e.attr("title") {
            text.push(' ');
            text.push_str(t);
        }
        out.push(Link {
            href: href.to_string(),
            text: text.split_whitespace().collect::<Vec<_>>().join(" "),
            embedded,
        });
    }
    out
}

/// Converts an HTML page to text lines, and says what was left out of a
/// page past the bounds on nesting and elements.
pub fn to_text(markup: &str) -> (String, Option<Flattened>) {
    let (doc, flattened) = tree(markup);
    let mut w = Writer::default();
    walk(doc.root_element(), &mut w, 0);
    (w.finish(), flattened)
}

#[derive(Default)]
struct Writer {
    out: String,
    line: String,
}

impl Writer {
    fn text(&mut self, t: &str) {
        for c in t.chars() {
            let c = if c.is_whitespace() { ' ' } else { c };
            if c == ' ' && (self.line.is_empty() || self.line.ends_with(' ')) {
                continue;
            }
            self.line.push(c);
        }
    }
    fn raw(&mut self, t: &str) {
        for (i, part) in t.split('\n').enumerate() {
            if i > 0 {
                self.break_line();
            }
            self.line.push_str(part);
        }
    }
    fn break_line(&mut self) {
        let l = self.line.trim_end();
        self.out.push_str(l);
        self.out.push('\n');
        self.line.clear();
    }
    fn block(&mut self) {
        if !self.line.trim().is_empty() {
            self.break_line();
        } else {
            self.line.clear();
        }
    }
    fn finish(mut self) -> String {
        self.block();
        self.out
    }
}

const SKIP: &[&str] = &[
    "script", "style", "noscript", "nav", "footer", "svg", "head", "button", "select", "option",
    "iframe", "object", "embed", "template", "form", "input", "textarea", "img", "video", "audio",
    "canvas",
];
const BLOCK: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "aside",
    "header",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "hr",
    "center",
    "address",
    "figure",
    "figcaption",
    "body",
    "html",
];

/// Nesting deeper than this is read by [`flat_walk`]: the walk must not
/// overflow the stack.
const MAX_DEPTH: usize = 128;

/// Reads what lies below [`MAX_DEPTH`] without recursion: text, with a
/// line break around every block and heading (headings lose their `#`s,
/// skipped elements are still skipped).
fn flat_walk(el: ElementRef<'_>, w: &mut Writer) {
    use ego_tree::iter::Edge;
    w.block();
    let mut skipping: Option<ego_tree::NodeId> = None;
    for edge in el.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => w.text(t),
                    Node::Element(e) => {
                        let name = e.name();
                        if SKIP.contains(&name) {
                            skipping = Some(node.id());
                        } else if name == "br" || breaks_line(name) {
                            w.block();
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                } else if skipping.is_none() {
                    if let Node::Element(e) = node.value() {
                        if breaks_line(e.name()) {
                            w.block();
                        }
                    }
                }
            }
        }
    }
    w.block();
}

fn breaks_line(name: &str) -> bool {
    BLOCK.contains(&name) || matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "pre")
}

fn walk(el: ElementRef<'_>, w: &mut Writer, depth: usize) {
    let name = el.value().name().to_ascii_lowercase();
    if SKIP.contains(&name.as_str()) {
        return;
    }
    if depth > MAX_DEPTH {
        flat_walk(el, w);
        return;
    }
    let heading = match name.as_str() {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    };
    let heading_text = heading.map(|_| {
        el.text()
            .collect::<Vec<_>>()
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    });
    // Some pages set whole paragraphs in heading tags for their size; those
    // are read as text.
    if let (Some(level), Some(text)) = (heading, heading_text.filter(|t| t.chars().count() <= 120))
    {
        w.block();
        if !text.is_empty() {
            w.line.push_str(&"#".repeat(level));
            w.line.push(' ');
            w.line.push_str(&text);
        }
        w.block();
        return;
    }
    if name == "pre" {
        w.block();
        let text: String = el.text().collect();
        w.raw(text.trim_matches('\n'));
        w.block();
        return;
    }
    if name == "br" {
        w.break_line();
        return;
    }
    let is_block = BLOCK.contains(&name.as_str());
    if is_block {
        w.block();
    }
    if name == "li" {
        w.line.push_str("* ");
    }
    for child in el.children() {
        match child.value() {
            Node::Text(t) => w.text(t),
            Node::Element(_) => {
                if let Some(c) = ElementRef::wrap(child) {
                    let cname = c.value().name();
                    if cname == "td" || cname == "th" {
                        if !w.line.trim().is_empty() {
                            w.line.push_str("  ");
                        }
                        walk(c, w, depth + 1);
                    } else {
                        walk(c, w, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }
    if is_block {
        w.block();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_become_hashes_and_nav_is_dropped() {
        let (t, _) = to_text("<html><body><nav>Home Profil</nav><h4>2.3. Zona Waktu</h4><p>Jakarta\n (GMT+07:00)</p></body></html>");
        assert_eq!(t, "#### 2.3. Zona Waktu\nJakarta (GMT+07:00)\n");
    }

    #[test]
    fn blade_and_php_are_removed() {
        let (s, changed) = strip_templates("@extends('x')\n<a href=\"<?php echo base_url(); ?>x\">k</a>{{-- no 2 --}}<p>{{ env('APP_NAME') }}</p>");
        assert!(changed);
        assert!(!s.contains("APP_NAME") && !s.contains("@extends") && !s.contains("base_url"));
    }

    #[test]
    fn a_page_without_templates_is_not_said_to_have_them() {
        // No final line break, and CRLF line ends: the text changes, the
        // page holds no template.
        for page in ["<p>x</p>", "<p>a</p>\r\n<p>b</p>\r\n"] {
            assert!(!strip_templates(page).1, "{page:?}");
        }
    }

    #[test]
    fn jsx_expressions_are_removed() {
        let src = "import Link from 'next/link';\nexport default function A() {\n  return (\n    <div className=\"x\" style={{ height: '3px' }}>\n      <h1>Informasi {\"Dokumen\"}</h1>\n    </div>\n  );\n}\n";
        let (s, _) = strip_templates(src);
        let (t, _) = to_text(&s);
        assert_eq!(t.trim(), "# Informasi Dokumen");
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let page = "<div>".repeat(20_000) + "Zona Waktu" + &"</div>".repeat(20_000);
        let (t, flattened) = to_text(&page);
        assert_eq!(t.trim(), "Zona Waktu");
        assert_eq!(flattened.map(|f| f.too_deep), Some(20_000 - MAX_NESTING));
    }

    #[test]
    fn pre_keeps_lines() {
        let (t, _) = to_text("<pre>\n  a\n  b</pre>");
        assert_eq!(t, "  a\n  b\n");
    }
}
