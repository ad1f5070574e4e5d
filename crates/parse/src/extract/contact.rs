//! E-mail addresses (including the obfuscated forms teams use against
//! harvesters) and telephone numbers.

use std::sync::LazyLock;

use regex::Regex;

static AT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*(?:[\[({<]\s*(?:at|a|@|@t|arroba|chez)\s*[\])}>]|\s(?:at|AT)\s)\s*")
        .expect("valid regex")
});
static DOT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*[\[({<]\s*(?:dot|punto|point|titik|punkt|\.)\s*[\])}>]\s*")
        .expect("valid regex")
});
static SPACED_DOT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([A-Za-z0-9])\s+\.\s+([A-Za-z0-9])").expect("valid regex"));
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
        .expect("valid regex")
});
static ANGLE_SPACED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<([A-Za-z0-9._%+-]+)@((?:[A-Za-z0-9-]+ )+[A-Za-z]{2,24})>").expect("valid regex")
});

/// Undoes the usual obfuscations: `cert(at)example(dot)org`,
/// `cert [at] example.org`, `csirt [AT] uis . cam . ac . uk`,
/// `cert [@t] cert . ee`,
/// `<info (a) circl lu>`.
pub fn deobfuscate(text: &str) -> String {
    let s = AT.replace_all(text, "@");
    let s = DOT.replace_all(&s, ".");
    let s = SPACED_DOT.replace_all(&s, "$1.$2");
    let s = SPACED_DOT.replace_all(&s, "$1.$2");
    // `<info@circl lu>`: inside angle brackets, spaces stood for dots.
    let s = ANGLE_SPACED.replace_all(&s, |c: &regex::Captures<'_>| {
        format!("<{}@{}>", &c[1], c[2].replace(' ', "."))
    });
    s.into_owned()
}

/// E-mail addresses in `text`, lower-cased, in order, without duplicates.
pub fn emails(text: &str) -> Vec<String> {
    let clean = deobfuscate(text);
    let mut out: Vec<String> = Vec::new();
    for m in EMAIL.find_iter(&clean) {
        let e = m.as_str().trim_end_matches('.').to_lowercase();
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+|\(\s*\+?\s*\d)?[\d][\d\s().\-/]{5,}\d(?:\s*(?:ext\.?|x|extension|ext|pes\.?|psw\.?)\s*\d{1,6})?").expect("valid regex")
});

/// Telephone numbers in `text`: 7 to 15 digits, with an extension kept.
pub fn phones(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        if looks_like_time_or_date(line) && !line.contains('+') && !line.contains('(') {
            continue;
        }
        for m in PHONE.find_iter(line) {
            let raw = m.as_str().trim();
            let raw = raw.trim_end_matches(['(', ' ', '-', '/', '.']);
            let digits = raw.chars().filter(|c| c.is_ascii_digit()).count();
            let main: String = raw
                .split(|c: char| c.is_alphabetic())
                .next()
                .unwrap_or(raw)
                .to_string();
            let main_digits = main.chars().filter(|c| c.is_ascii_digit()).count();
            if !(6..=15).contains(&main_digits) || digits > 21 {
                continue;
            }
            if is_date_like(raw) {
                continue;
            }
            let p = raw.split_whitespace().collect::<Vec<_>>().join(" ");
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

fn is_date_like(s: &str) -> bool {
    static D: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$")
            .expect("valid regex")
    });
    D.is_match(s.trim())
}

fn looks_like_time_or_date(line: &str) -> bool {
    static T: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b\d{1,2}[:.]\d{2}\s*[-–]\s*\d{1,2}[:.]\d{2}\b").expect("valid regex")
    });
    T.is_match(line)
}

/// Whether a section says there is nothing (`None available.`, `Tidak ada`, `-`).
pub fn says_none(text: &str) -> bool {
    let t: String = text.trim().trim_end_matches('.').to_lowercase();
    t.is_empty()
        || t == "-"
        || t == "none"
        || t == "n/a"
        || t.starts_with("none available")
        || t.starts_with("not available")
        || t.starts_with("not supported")
        || t.starts_with("tidak ada")
        || t.starts_with("tidak tersedia")
        || t.starts_with("aucun")
        || t.starts_with("keine")
        || t.starts_with("ninguno")
        || t.starts_with("nessuno")
        || t.starts_with("geen")
        || t.starts_with("nenhum")
        || t.starts_with("なし")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obfuscated_addresses() {
        assert_eq!(
            emails("security(at)github(dot)com"),
            ["security@github.com"]
        );
        assert_eq!(emails("cert [at] example.org"), ["cert@example.org"]);
        assert_eq!(
            emails("csirt [AT] uis . cam . ac . uk"),
            ["csirt@uis.cam.ac.uk"]
        );
        assert_eq!(
            emails("addressed to <info (a) circl lu>"),
            ["info@circl.lu"]
        );
        assert_eq!(
            emails("csirt[at]unuja[dot]ac[dot]id"),
            ["csirt@unuja.ac.id"]
        );
        assert_eq!(
            emails("<a href=\"mailto:CERT@Example.org\">"),
            ["cert@example.org"]
        );
        assert_eq!(
            emails("Please send to csirt(at)iicrai.org."),
            ["csirt@iicrai.org"]
        );
        assert_eq!(
            emails("cert [@t] cert.ee – read 24/7; or cert [@t] cert . ee"),
            ["cert@cert.ee"]
        );
        assert_eq!(
            emails("sent to reports(at)certrs.org, other mail to cert(at)certrs.org."),
            ["reports@certrs.org", "cert@certrs.org"]
        );
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(
            phones("+27 10 500 1200 (ISPA Secretariat)"),
            ["+27 10 500 1200"]
        );
        assert_eq!(phones("(021) 6541961 ext.2161"), ["(021) 6541961 ext.2161"]);
        assert_eq!(phones("( 031 ) 8281180"), ["( 031 ) 8281180"]);
        assert_eq!(
            phones("+44 1223 767077 (CSIRT) (Primary Contact) +44 1223 762999 (UIS)"),
            ["+44 1223 767077", "+44 1223 762999"]
        );
        assert!(phones("Monday to Friday 09:00-17:00").is_empty());
        assert!(phones("published 2021-06-30").is_empty());
    }

    #[test]
    fn nothing_available() {
        assert!(says_none("None available."));
        assert!(says_none("Tidak ada"));
        assert!(says_none("-"));
        assert!(!says_none("+352 247 88444"));
    }
}
