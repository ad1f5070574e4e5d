//! The team's name and short name from section 2.1.

use std::sync::LazyLock;

use regex::Regex;

static SHORT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:disingkat|singkatan|short\s*name|abbreviation|abbreviated|acronym|nom court|kurzname|sigla|afkorting|略称)\s*(?:sebagai|as)?\s*[:\-–]?\s*(.+)$").expect("valid regex")
});
static FULL_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:nama lengkap|full\s*name|nama tim|team name|name|nama|nom|nombre|nome|naam)\s*:\s*(.+)$").expect("valid regex")
});
static HEREINAFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^(.*?)[,\s]+(?:yang\s+)?(?:selanjutnya\s+disebut|selanjutnya\s+disingkat|disingkat|hereinafter(?:\s+referred\s+to\s+as)?|also\s+known\s+as|ci-après|nachfolgend)\s+(?:sebagai\s+|as\s+)?["“]?([^\s"”]+?)["”]?[.,;]?$"#).expect("valid regex")
});
static QUOTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"["“”„«]\s*([^"“”„»]{2,80}?)\s*["“”»]"#).expect("valid regex"));
static ACRONYM_IN_PARENS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\(([A-Za-z0-9][A-Za-z0-9.\- ]{1,24})\)\s*$").expect("valid regex")
});
static HEAD_SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^([A-Za-z0-9][A-Za-z0-9.@&_\-]*(?: [A-Z0-9][A-Za-z0-9.@&_\-]*){0,2})\s*(?::|,|\s[-–—]\s)\s*\S",
    )
    .expect("valid regex")
});

/// A short name given inside the line of the full name: `Computer
/// Emergency Response Team of X; shortname: X-CERT`.
static INLINE_SHORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(.*?)[\s;,(]+(?:short\s*name|shortname|short|abbreviation|acronym|kurzname|nom court|sigla|singkatan|disingkat)\s*[:=]\s*(.+)$").expect("valid regex")
});
/// A name followed by a description of the team: `X-CERT is the CSIRT of
/// ...`, `X-CSIRT adalah tim ...`.
static IS_THE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(.{2,60}?)\s+(?:is|adalah|merupakan|est|ist|es|è|é)\s+(?:the|a|an|our|un|une|le|la|l'|der|die|das|ein|eine|el|il|o|tim|team)\b").expect("valid regex")
});

/// A short name as written after its label, without what runs on after
/// it on a collapsed line (`HZ-CSIRT HZ-CSIRT is the CSIRT team ...`): at
/// most three words, ending before the name repeats or a lower-case word
/// starts a sentence.
pub fn short_name(value: &str) -> String {
    let words: Vec<&str> = value.split_whitespace().collect();
    let mut out: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let lower = w.chars().next().is_some_and(char::is_lowercase);
        if i >= 3 || (i > 0 && (*w == words[0] || lower)) {
            break;
        }
        out.push(w);
    }
    clean(&out.join(" "))
}

/// Whether `next` continues the name begun on `prev` (a name wrapped over
/// lines) rather than starting something else: an address, a description,
/// the team's long name under its designation.
fn continues(prev: &str, next: &str) -> bool {
    const JOINING: &[&str] = &[
        "of", "the", "and", "for", "de", "du", "des", "der", "für", "und", "dan", "di", "del",
        "van", "&",
    ];
    if next.chars().any(|c| c.is_ascii_digit()) || next.contains('@') || next.contains("://") {
        return false;
    }
    let last = prev.split_whitespace().last().unwrap_or("").to_lowercase();
    prev.ends_with('-')
        || next.starts_with(|c: char| c.is_lowercase() || c == '(')
        || JOINING.contains(&last.as_str())
        || (prev.chars().count() >= 40 && !prev.ends_with(['.', ':', ';', ',']))
}

/// A team's designation on a line of its own (`CERT.at`, `CSIRT-MU`).
fn is_designation(l: &str) -> bool {
    l.split_whitespace().count() <= 2 && l.chars().count() <= 25
}

/// A line that reads as a team's long name: a few capitalised words, no
/// digits, no address or sentence.
fn looks_like_name(l: &str) -> bool {
    const TEAM_WORDS: &[&str] = &[
        "team",
        "cert",
        "csirt",
        "response",
        "incident",
        "security",
        "emergency",
        "tim",
        "équipe",
        "equipe",
        "equipo",
        "sicherheit",
        "keamanan",
    ];
    let words = l.split_whitespace().count();
    let lower = l.to_lowercase();
    (2..=12).contains(&words)
        && TEAM_WORDS.iter().any(|w| lower.contains(w))
        && l.starts_with(|c: char| c.is_uppercase())
        && !l.chars().any(|c| c.is_ascii_digit())
        && !l.contains('@')
        && !l.ends_with([':', '.'])
}

/// Name and short name read from the text of section 2.1.
pub fn team_name(text: &str) -> (Option<String>, Option<String>) {
    let mut name: Option<String> = None;
    let mut short: Option<String> = None;
    let mut name_lines: Vec<String> = Vec::new();
    let mut long: Option<String> = None;
    for line in text.lines().take(12) {
        let l = line.trim().trim_start_matches(['*', '-', '•', '●']).trim();
        if let Some(c) = SHORT_LABEL.captures(l) {
            short = short.or(Some(short_name(&c[1])));
        }
    }
    for line in text.lines() {
        let l = line.trim().trim_start_matches(['*', '-', '•', '●']).trim();
        if l.is_empty() {
            if !name_lines.is_empty() {
                break;
            }
            continue;
        }
        if SHORT_LABEL.is_match(l) {
            break;
        }
        if name_lines.is_empty() {
            if let Some(c) = FULL_LABEL.captures(l) {
                name_lines.push(c[1].to_string());
                continue;
            }
        }
        // A name is a line or two; prose ("Subteams:") ends it.
        if !name_lines.is_empty()
            && (l.ends_with(':')
                || name_lines.iter().map(|s| s.len()).sum::<usize>() > 200
                || name_lines
                    .last()
                    .is_some_and(|p| p.trim_end().ends_with('.')))
        {
            break;
        }
        // The name ends where the next line starts something else; the
        // line under a designation may be its long name.
        if let Some(prev) = name_lines.last() {
            if !continues(prev, l) {
                if name_lines.len() == 1 && is_designation(prev) && looks_like_name(l) {
                    long = Some(l.to_string());
                }
                break;
            }
        }
        name_lines.push(l.to_string());
        if name_lines.len() >= 3 {
            break;
        }
    }
    // A second line that is a sentence is not part of the name.
    // A further line that is a sentence is not part of the name, unless it
    // names the team ("... yang selanjutnya disebut X-CSIRT").
    while name_lines.len() >= 2 {
        let last = &name_lines[name_lines.len() - 1];
        let joined = join_wrapped(&name_lines);
        if HEREINAFTER.is_match(&joined)
            || !(last.split_whitespace().count() > 8 || last.ends_with(':'))
        {
            break;
        }
        name_lines.pop();
    }
    if let (Some(long), [designation]) = (&long, name_lines.as_slice()) {
        // `CERT.at` over `Computer Emergency Response Team Austria`.
        return (Some(clean(long)), short.or(Some(clean(designation))));
    }
    if !name_lines.is_empty() {
        let mut joined = join_wrapped(&name_lines);
        if let Some(c) = INLINE_SHORT.captures(&joined) {
            short = short.or(Some(short_name(&c[2])));
            joined = c[1].to_string();
        }
        if let Some(c) = HEREINAFTER.captures(&joined) {
            return (
                Some(clean(&c[1])).filter(|n| !n.is_empty()),
                short.or(Some(clean(&c[2]))),
            );
        }
        if let Some(c) = QUOTED.captures(&joined) {
            let q = clean(&c[1]);
            if joined.trim_start().starts_with(['"', '“', '„', '«']) {
                // `"ACOnet CERT": The Computer Emergency Response Team of ACOnet`
                short = short.or(Some(q.clone()));
                let rest = joined[c.get(0).map_or(0, |m| m.end())..]
                    .trim_start_matches([':', ' ', '-', '–', ','])
                    .to_string();
                // `"CERT X", das "Computer Emergency Response Team" der ...`:
                // a description after the name, not a longer name.
                let described = rest.starts_with(|c: char| c.is_lowercase());
                name = Some(if rest.is_empty() || described {
                    q
                } else {
                    clean(rest.split(',').next().unwrap_or(&rest))
                });
            } else {
                // `The CSIRT is named “CSIRT.net.za”.`
                name = Some(q);
            }
        } else if let Some(c) = IS_THE
            .captures(&joined)
            .filter(|c| c[1].split_whitespace().count() <= 6)
        {
            // `Deltion-CERT is the CERT team for the Deltion College.`
            name = Some(clean(&c[1]));
        } else {
            name = Some(clean(&joined));
        }
    }
    if let Some(n) = &name {
        if short.is_none() {
            if let Some(c) = ACRONYM_IN_PARENS.captures(n) {
                short = Some(clean(&c[1]));
            } else if let Some(c) = HEAD_SEPARATOR.captures(n) {
                short = Some(clean(&c[1]));
            }
        }
    }
    (
        name.filter(|n| !n.is_empty()),
        short.filter(|s| !s.is_empty()),
    )
}

fn join_wrapped(lines: &[String]) -> String {
    let mut out = String::new();
    for l in lines {
        if out.ends_with('-') {
            out.push_str(l.trim());
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(l.trim());
        }
    }
    out
}

fn clean(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.trim()
        .trim_end_matches(['.', ',', ';', ':'])
        .trim_matches(['"', '“', '”', '\''])
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_2_1() {
        assert_eq!(team_name("Universitas Nusa Mandiri-Computer Security Incident Response Team\nDisingkat : UNM-CSIRT."), (Some("Universitas Nusa Mandiri-Computer Security Incident Response Team".into()), Some("UNM-CSIRT".into())));
        assert_eq!(
            team_name("The CSIRT is named “CSIRT.net.za”.").0.as_deref(),
            Some("CSIRT.net.za")
        );
        assert_eq!(
            team_name("GitHub Security Incident Response Team (SIRT)\n\nSubteams:\n\n* A")
                .1
                .as_deref(),
            Some("SIRT")
        );
        assert_eq!(
            team_name(
                "\"ACOnet CERT\": The Computer Emergency Response Team of ACOnet,\nthe Austrian"
            )
            .1
            .as_deref(),
            Some("ACOnet CERT")
        );
        assert_eq!(
            team_name("CIRCL: Computer Incident Response Center Luxembourg")
                .1
                .as_deref(),
            Some("CIRCL")
        );
        assert_eq!(team_name("Nama Lengkap: UNIVERSITAS NURUL JADID – COMPUTER SECURITY INCIDENT\nRESPONSE TEAM\n\nSingkatan: UNUJA-CSIRT").1.as_deref(), Some("UNUJA-CSIRT"));
        assert_eq!(team_name("\"CERT-DRT\"").0.as_deref(), Some("CERT-DRT"));
        let wrapped = "Tim Respon Insiden Keamanan Komputer (Computer Security Incident\nResponse Team) Provinsi Jawa Timur yang selanjutnya disebut JatimProv-\nCSIRT.";
        assert_eq!(team_name(wrapped).1.as_deref(), Some("JatimProv-CSIRT"));
    }

    /// Where a name ends: at the next label, line or description.
    #[test]
    fn a_name_ends_where_something_else_starts() {
        let t = |s: &str| team_name(s);
        assert_eq!(
            t("Computer Emergency Response Team of the Example Region; shortname: EX CERT"),
            (
                Some("Computer Emergency Response Team of the Example Region".into()),
                Some("EX CERT".into())
            )
        );
        assert_eq!(
            t("XY.cert\nComputer Emergency Response Team Xyland"),
            (
                Some("Computer Emergency Response Team Xyland".into()),
                Some("XY.cert".into())
            )
        );
        assert_eq!(
            t("XY-CERT, Xyland national CERT\nMain Street 5, 1010 Town, Xyland")
                .1
                .as_deref(),
            Some("XY-CERT")
        );
        // The organisation and its address under the name are not the name.
        assert_eq!(
            t("UNI-CERT\nUniversity of Example\nMain Street 5")
                .0
                .as_deref(),
            Some("UNI-CERT")
        );
        assert_eq!(
            t("Deltaco-CERT is the CERT team for the Deltaco College in Xyland.")
                .0
                .as_deref(),
            Some("Deltaco-CERT")
        );
        assert_eq!(
            t("CSIRT@EX - Computer Security Incident Response Team of EX.")
                .1
                .as_deref(),
            Some("CSIRT@EX")
        );
        assert_eq!(short_name("HZ-X HZ-X is the CSIRT team for HZ"), "HZ-X");
        assert_eq!(short_name("EX CERT"), "EX CERT");
    }
}
