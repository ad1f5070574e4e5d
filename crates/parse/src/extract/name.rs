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
        r"^([A-Za-z0-9][A-Za-z0-9.\-]*(?: [A-Z0-9][A-Za-z0-9.\-]*){0,2})\s*(?::|\s[-–—]\s)\s*\S",
    )
    .expect("valid regex")
});

/// Name and short name read from the text of section 2.1.
pub fn team_name(text: &str) -> (Option<String>, Option<String>) {
    let mut name: Option<String> = None;
    let mut short: Option<String> = None;
    let mut name_lines: Vec<String> = Vec::new();
    for line in text.lines().take(12) {
        let l = line.trim().trim_start_matches(['*', '-', '•', '●']).trim();
        if let Some(c) = SHORT_LABEL.captures(l) {
            short = short.or(Some(clean(&c[1])));
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
    if !name_lines.is_empty() {
        let joined = join_wrapped(&name_lines);
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
                    .trim_start_matches([':', ' ', '-', '–'])
                    .to_string();
                name = Some(if rest.is_empty() {
                    q
                } else {
                    clean(rest.split(',').next().unwrap_or(&rest))
                });
            } else {
                // `The CSIRT is named “CSIRT.net.za”.`
                name = Some(q);
            }
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
}
