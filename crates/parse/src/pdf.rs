//! PDF text layer to lines, without the page furniture (running headers and
//! footers, page numbers) that would otherwise leak into fields.

use std::collections::HashMap;

/// Why the text layer could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The PDF library rejected the file.
    #[error("the PDF text layer could not be read: {0}")]
    Unreadable(String),
    /// The PDF library failed internally on this file.
    #[error("the PDF library failed on this file (malformed or unsupported PDF)")]
    LibraryFailure,
    /// The PDF library did not finish in time and was stopped.
    #[error("the PDF library was stopped after {0:?} on this file (malformed PDF?)")]
    TooSlow(std::time::Duration),
}

/// Reads the text of each page of a PDF.
pub type PagesReader = fn(&[u8]) -> Result<Vec<String>, PdfError>;

static READER: std::sync::OnceLock<PagesReader> = std::sync::OnceLock::new();

/// Replaces [`pages_in_process`] for the rest of the process; false if a
/// reader was set already.
///
/// The PDF library can loop for hours on a crafted file, and a thread
/// cannot be stopped from outside. A program that reads PDFs from the
/// internet installs a reader that runs the library in a child process it
/// can kill (the `csirt` binary does); this crate does no I/O of its own.
pub fn set_pages_reader(reader: PagesReader) -> bool {
    READER.set(reader).is_ok()
}

/// Reads the pages with the PDF library in this thread. pdf-extract panics
/// on some malformed files instead of returning an error; those panics are
/// contained. It is not protected against a file that keeps it busy.
pub fn pages_in_process(bytes: &[u8]) -> Result<Vec<String>, PdfError> {
    match std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem_by_pages(bytes)) {
        Ok(Ok(pages)) => Ok(pages),
        Ok(Err(e)) => Err(PdfError::Unreadable(e.to_string())),
        Err(_) => Err(PdfError::LibraryFailure),
    }
}

/// Extracts text page by page (with the reader installed by
/// [`set_pages_reader`], if any) and removes repeated headers and footers.
pub fn to_text(bytes: &[u8]) -> Result<String, PdfError> {
    let read = READER.get().copied().unwrap_or(pages_in_process);
    Ok(strip_furniture(&read(bytes)?))
}

/// How many lines at the top and bottom of a page can be furniture.
const EDGE: usize = 4;

/// Joins pages, dropping lines that repeat at the top or bottom of at least
/// half of the pages (digits ignored, so "Page 3 of 9" repeats) and lines that
/// are only a page number.
pub fn strip_furniture(pages: &[String]) -> String {
    let pages: Vec<Vec<&str>> = pages.iter().map(|p| p.lines().collect()).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for page in &pages {
        let mut keys: Vec<String> = edge_lines(page).map(|(_, l)| furniture_key(l)).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            *seen.entry(k).or_default() += 1;
        }
    }
    let threshold = (pages.len() / 2).max(2);
    let pages: Vec<Vec<&str>> = pages.iter().map(|p| undouble_blank_lines(p)).collect();
    let mut out = String::new();
    for page in &pages {
        let edges: Vec<usize> = edge_lines(page).map(|(i, _)| i).collect();
        for (i, line) in page.iter().enumerate() {
            let trimmed = line.trim();
            if is_page_number(trimmed) {
                continue;
            }
            if edges.contains(&i)
                && seen.get(&furniture_key(line)).copied().unwrap_or(0) >= threshold
            {
                continue;
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// Some PDF producers yield a blank line after every line of text. Where
/// most lines are followed by exactly one blank line, single blank lines are
/// dropped, so that paragraphs are kept apart by the doubled ones only.
fn undouble_blank_lines<'a>(page: &[&'a str]) -> Vec<&'a str> {
    let nonblank = page.iter().filter(|l| !l.trim().is_empty()).count();
    let single_gaps = page
        .windows(3)
        .filter(|w| !w[0].trim().is_empty() && w[1].trim().is_empty() && !w[2].trim().is_empty())
        .count();
    if nonblank < 4 || single_gaps * 2 < nonblank {
        return page.to_vec();
    }
    let mut out = Vec::with_capacity(nonblank + 8);
    let mut blanks = 0;
    for l in page {
        if l.trim().is_empty() {
            blanks += 1;
            continue;
        }
        if blanks >= 2 && !out.is_empty() {
            out.push("");
        }
        blanks = 0;
        out.push(*l);
    }
    out
}

fn edge_lines<'a>(page: &'a [&'a str]) -> impl Iterator<Item = (usize, &'a str)> + 'a {
    let nonblank: Vec<usize> = page
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, _)| i)
        .collect();
    let n = nonblank.len();
    let picked: Vec<usize> = if n <= 2 * EDGE {
        nonblank
    } else {
        nonblank[..EDGE]
            .iter()
            .chain(&nonblank[n - EDGE..])
            .copied()
            .collect()
    };
    picked.into_iter().map(move |i| (i, page[i]))
}

fn furniture_key(line: &str) -> String {
    line.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// `3`, `- 3 -`, `-3-`, `Page 3 of 9`, `Halaman 3`, `3 / 9`.
pub fn is_page_number(t: &str) -> bool {
    let t = t.trim();
    if t.is_empty() || t.len() > 24 || t.contains(['+', '(', ':']) {
        return false;
    }
    let lower = t.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || !words.iter().any(|w| w.chars().all(|c| c.is_ascii_digit())) {
        return false;
    }
    words.iter().all(|w| {
        w.chars().all(|c| c.is_ascii_digit())
            || matches!(
                *w,
                "page"
                    | "halaman"
                    | "hal"
                    | "seite"
                    | "pagina"
                    | "página"
                    | "of"
                    | "dari"
                    | "von"
                    | "sur"
                    | "de"
                    | "di"
            )
    }) && words
        .iter()
        .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
        .all(|w| w.len() <= 3)
        && !t.contains('.')
        && words
            .iter()
            .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
            .count()
            <= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_headers_and_page_numbers_go() {
        let bodies = ["Zona Waktu", "Nomor Telepon", "Alamat"];
        let pages: Vec<String> = (1..=3)
            .map(|i| {
                format!(
                    "RFC 2350 | TEAM-CSIRT\n{}\nmore {}\n- {i} -\n",
                    bodies[i - 1],
                    bodies[i - 1]
                )
            })
            .collect();
        let t = strip_furniture(&pages);
        assert!(!t.contains("RFC 2350 | TEAM"));
        assert!(!t.contains("- 2 -"));
        assert!(t.contains("Nomor Telepon"));
    }

    #[test]
    fn page_numbers() {
        assert!(is_page_number("-3-"));
        assert!(is_page_number("Page 3 of 10"));
        assert!(is_page_number("12"));
        assert!(!is_page_number("2.3"));
        assert!(!is_page_number("CET"));
        assert!(!is_page_number("(021) 28534471"));
        assert!(!is_page_number("+33 78 42 65 191"));
        assert!(!is_page_number("0888 30 77077"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(to_text(b"%PDF-1.4\n garbage").is_err());
    }
}
