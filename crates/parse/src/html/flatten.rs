//! Bounds what the HTML tree builder is given, so that a page costs time
//! linear in its size.
//!
//! html5ever's tree builder looks through the stack of open elements for
//! most start tags; on a page of 100,000 nested `<div>`s that stack is
//! 100,000 deep and the page takes a minute. Browsers bound the depth of the
//! tree (Chromium at 512 levels) and read deeper elements as if their tags
//! were not there. This pass does the same before the tree builder runs:
//! html5ever's own tokenizer reads the page, and when it nests deeper than
//! [`MAX_DEPTH`] or holds more than [`MAX_ELEMENTS`] elements, the page is
//! written again without the tags past those bounds. Their text is kept.
//! Pages within the bounds go to the tree builder as they are.

use std::cell::{Cell, RefCell};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
};
use html5ever::LocalName;

/// Elements nested deeper than this lose their tags (Chromium's bound).
pub const MAX_DEPTH: usize = 512;

/// Elements past this many lose their tags: a team's page has a few
/// thousand, and every element costs memory in the tree.
pub const MAX_ELEMENTS: usize = 200_000;

/// Formatting elements (`<b>`, `<font>`, `<a>` ...) open at once past
/// which their tags are dropped. The tree builder opens every unclosed one
/// again in each new paragraph ("reconstructs" them), so a page of
/// `<b class=N><p>` would otherwise grow a tree quadratic in its size.
pub const MAX_FORMATTING: usize = 8;

/// How far down the stack an end tag looks for the element it closes;
/// an end tag with no match that near is passed on for the tree builder
/// to judge, as it would be without this pass.
const END_TAG_REACH: usize = 64;

/// What was left out of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flattened {
    /// Start tags dropped for nesting past [`MAX_DEPTH`].
    pub too_deep: usize,
    /// Start tags dropped past [`MAX_ELEMENTS`].
    pub too_many: usize,
    /// Formatting start tags dropped past [`MAX_FORMATTING`].
    pub formatting: usize,
}

/// The page rewritten within the bounds, or None when it is within them
/// already (then the page itself goes to the tree builder).
pub fn flatten(markup: &str) -> Option<(String, Flattened)> {
    let sink = Sink {
        out: RefCell::new(String::with_capacity(markup.len())),
        open: RefCell::new(Vec::new()),
        kept_depth: Cell::new(0),
        elements: Cell::new(0),
        raw: Cell::new(false),
        foreign: Cell::new(0),
        formatting: Cell::new(0),
        flattened: Cell::new(Flattened::default()),
    };
    let tokenizer = Tokenizer::new(sink, Default::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(markup));
    // The sink never asks to stop for a script, so one feed reads it all.
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let sink = tokenizer.sink;
    let flattened = sink.flattened.get();
    (flattened != Flattened::default()).then(|| (sink.out.into_inner(), flattened))
}

struct Sink {
    out: RefCell<String>,
    /// Open elements whose end tag must be matched: (name, tag kept).
    open: RefCell<Vec<(LocalName, bool)>>,
    /// How many of `open` kept their tags: the depth the tree builder sees.
    kept_depth: Cell<usize>,
    elements: Cell<usize>,
    /// Inside a raw-text element (script, style): text is written as is.
    raw: Cell<bool>,
    /// How many of `open` are `svg` or `math`: inside them `<x/>` closes
    /// itself, as it does not in HTML.
    foreign: Cell<usize>,
    /// How many of `open` are formatting elements with their tags kept.
    formatting: Cell<usize>,
    flattened: Cell<Flattened>,
}

/// The elements the tree builder reopens in each new block until closed.
fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

fn is_foreign(name: &str) -> bool {
    name == "svg" || name == "math"
}

/// Elements without content: they never nest.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
    )
}

/// Elements the tree builder closes by itself when the next one opens (or
/// that exist once): a run of them does not nest, so they are not counted.
fn closes_itself(name: &str) -> bool {
    matches!(
        name,
        "p" | "li"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "option"
            | "optgroup"
            | "tbody"
            | "thead"
            | "tfoot"
            | "colgroup"
            | "caption"
            | "rb"
            | "rt"
            | "rp"
            | "rtc"
            | "html"
            | "head"
            | "body"
    )
}

/// Elements whose content the tokenizer must read as text.
fn raw_kind(name: &str) -> Option<TokenSinkResult<()>> {
    Some(match name {
        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
            TokenSinkResult::RawData(RawKind::Rawtext)
        }
        "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
        "plaintext" => TokenSinkResult::Plaintext,
        _ => return None,
    })
}

impl Sink {
    fn write_tag(&self, tag: &Tag) {
        let mut out = self.out.borrow_mut();
        out.push('<');
        if tag.kind == TagKind::EndTag {
            out.push('/');
        }
        out.push_str(&tag.name);
        for a in &tag.attrs {
            out.push(' ');
            out.push_str(&a.name.local);
            out.push_str("=\"");
            for c in a.value.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '"' => out.push_str("&quot;"),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        if tag.self_closing {
            out.push('/');
        }
        out.push('>');
    }

    fn write_text(&self, text: &str) {
        let mut out = self.out.borrow_mut();
        if self.raw.get() {
            out.push_str(text);
            return;
        }
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
    }

    fn drop_tag(&self, count: impl FnOnce(&mut Flattened)) {
        let mut f = self.flattened.get();
        count(&mut f);
        self.flattened.set(f);
    }

    /// Counts what the tree builder may make of one more token: the token's
    /// own element, and the formatting elements it may reopen.
    fn charge(&self, element: bool) {
        let n = usize::from(element) + self.formatting.get();
        self.elements.set(self.elements.get() + n);
    }

    fn start(&self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        let raw = raw_kind(name);
        let closed_by_slash = tag.self_closing && self.foreign.get() > 0;
        let counted = !(is_void(name) || closes_itself(name) || raw.is_some() || closed_by_slash);
        let formatting = counted && is_formatting(name);
        let keep = if self.elements.get() >= MAX_ELEMENTS {
            self.drop_tag(|f| f.too_many += 1);
            false
        } else if counted && self.kept_depth.get() >= MAX_DEPTH {
            self.drop_tag(|f| f.too_deep += 1);
            false
        } else if formatting && self.formatting.get() >= MAX_FORMATTING {
            self.drop_tag(|f| f.formatting += 1);
            false
        } else {
            true
        };
        if counted {
            self.open.borrow_mut().push((tag.name.clone(), keep));
            self.kept_depth
                .set(self.kept_depth.get() + usize::from(keep));
            self.foreign
                .set(self.foreign.get() + usize::from(is_foreign(name)));
            let kept_formatting = usize::from(formatting && keep);
            self.formatting.set(self.formatting.get() + kept_formatting);
        }
        if !keep {
            return TokenSinkResult::Continue;
        }
        self.charge(true);
        self.write_tag(tag);
        match raw {
            Some(r) => {
                self.raw.set(true);
                r
            }
            None => TokenSinkResult::Continue,
        }
    }

    fn end(&self, tag: &Tag) {
        self.raw.set(false);
        let mut open = self.open.borrow_mut();
        let reach = open.len().saturating_sub(END_TAG_REACH);
        let found = open[reach..]
            .iter()
            .rposition(|(n, _)| *n == tag.name)
            .map(|i| reach + i);
        let write = match found {
            Some(i) => {
                let kept = open[i].1;
                let closed = open[i..].iter().filter(|(_, k)| *k).count();
                let foreign = open[i..].iter().filter(|(n, _)| is_foreign(n)).count();
                let formatting = open[i..]
                    .iter()
                    .filter(|(n, k)| *k && is_formatting(n))
                    .count();
                open.truncate(i);
                self.kept_depth.set(self.kept_depth.get() - closed);
                self.foreign.set(self.foreign.get() - foreign);
                self.formatting.set(self.formatting.get() - formatting);
                kept
            }
            // An end tag of an element that is not counted, or of none:
            // once elements are being dropped, even a stray one would make
            // a new element (`</p>`, `</br>`), so it goes too.
            None => self.flattened.get().too_many == 0,
        };
        drop(open);
        if write {
            self.write_tag(tag);
        }
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => return self.start(&tag),
                TagKind::EndTag => self.end(&tag),
            },
            Token::CharacterTokens(t) => {
                self.charge(false);
                self.write_text(&t);
            }
            Token::DoctypeToken(d) => {
                // The mode (quirks or not) changes how tables are built.
                let standard = d.name.as_deref() == Some("html")
                    && d.public_id.is_none()
                    && d.system_id.is_none()
                    && !d.force_quirks;
                if standard {
                    self.out.borrow_mut().push_str("<!DOCTYPE html>");
                }
            }
            Token::CommentToken(_)
            | Token::NullCharacterToken
            | Token::EOFToken
            | Token::ParseError(_) => {}
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_within_the_bounds_is_left_alone() {
        let page = "<html><body><div><p>a<p>b</div><script>if (a < b) x()</script></body></html>";
        assert_eq!(flatten(page), None);
        // Many self-closing elements in a row do not nest.
        let rows = "<table>".to_string() + &"<tr><td>x".repeat(5_000) + "</table>";
        assert_eq!(flatten(&rows), None);
    }

    #[test]
    fn nesting_past_the_bound_loses_its_tags_not_its_text() {
        let n = MAX_DEPTH + 100;
        let page = "<div>".repeat(n) + "deep &amp; text" + &"</div>".repeat(n) + "<p>after</p>";
        let (flat, f) = flatten(&page).expect("flattened");
        assert_eq!(f.too_deep, 100);
        assert_eq!(flat.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(flat.matches("</div>").count(), MAX_DEPTH);
        assert!(flat.contains("deep &amp; text") && flat.ends_with("<p>after</p>"));
    }

    #[test]
    fn unclosed_tags_count_as_nesting() {
        let page = "<span>x".repeat(MAX_DEPTH * 2);
        let (flat, f) = flatten(&page).expect("flattened");
        assert_eq!(f.too_deep, MAX_DEPTH);
        assert_eq!(flat.matches('x').count(), MAX_DEPTH * 2);
    }

    #[test]
    fn raw_text_and_attributes_survive_a_rewrite() {
        let page = "<a href=\"/x?a=1&amp;b=&quot;2&quot;\">k</a>".to_string()
            + &"<div>".repeat(MAX_DEPTH + 1)
            + "<script>if (a < b) {}</script>";
        let (flat, _) = flatten(&page).expect("flattened");
        assert!(flat.contains("<a href=\"/x?a=1&amp;b=&quot;2&quot;\">k</a>"));
        assert!(flat.contains("<script>if (a < b) {}</script>"));
    }

    #[test]
    fn unclosed_formatting_is_bounded() {
        let page: String = (0..1000)
            .map(|i| format!("<b class=\"c{i}\"><p>t"))
            .collect();
        let (flat, f) = flatten(&page).expect("flattened");
        assert_eq!(f.formatting, 1000 - MAX_FORMATTING);
        assert_eq!(flat.matches("<b ").count(), MAX_FORMATTING);
        assert_eq!(flat.matches("<p>").count(), 1000);
    }

    #[test]
    fn elements_past_the_bound_lose_their_tags() {
        let page = "<p>x</p>".repeat(MAX_ELEMENTS + 10);
        let (flat, f) = flatten(&page).expect("flattened");
        assert_eq!(f.too_many, 10);
        assert_eq!(flat.matches("<p>").count(), MAX_ELEMENTS);
        assert_eq!(flat.matches("</p>").count(), MAX_ELEMENTS);
    }
}
