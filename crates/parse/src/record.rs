//! The typed record a document is parsed into.
//!
//! Field names are part of the public contract: `csirt parse --format json`
//! serialises these structs as they are, and the store, the index and the
//! reports read them back. Rename nothing without a migration.

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;

/// How the bytes were laid out, as detected from the bytes themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text, including clear-signed text.
    #[default]
    Text,
    /// Markdown (`#` headings, fenced blocks, tables).
    Markdown,
    /// An HTML page, or a page template (PHP, Blade, JSX) that renders one.
    Html,
    /// A PDF file; text is taken from its text layer.
    Pdf,
}

impl Format {
    /// The name used in JSON and in `--format` style output.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Pdf => "pdf",
        }
    }
}

/// One parsed CSIRT description.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Where the bytes came from: a path or a URL, as given by the caller.
    pub source: String,
    /// The detected layout.
    pub format: Format,
    /// Best guess at the document language (ISO 639-1), if any.
    pub language: Option<String>,
    /// Whether the parsed text came from inside an OpenPGP clear-signed block.
    pub clearsigned: bool,
    /// Section 2.1: the team's name.
    pub team: Team,
    /// Section 1: document information.
    pub document: DocumentInfo,
    /// Section 2: contact information.
    pub contact: Contact,
    /// OpenPGP keys the document states (section 2.8 and key blocks).
    pub keys: Vec<StatedKey>,
    /// Section 3: charter.
    pub charter: Charter,
    /// The constituency as data (section 3.2, with the country and region
    /// of the address in 2.2 and the sector words of the name in 2.1);
    /// empty lists where the document states none.
    #[serde(default)]
    pub constituency: Constituency,
    /// Section 4: policies.
    pub policies: Policies,
    /// Section 5: services.
    pub services: Services,
    /// Section 6: incident reporting forms.
    pub reporting_forms: Option<TextWithUrls>,
    /// Section 7: disclaimers.
    pub disclaimers: Option<String>,
    /// Every section found, in document order.
    pub sections: Vec<Section>,
    /// What could not be found or read, and anything odd on the way.
    pub diagnostics: Vec<Diagnostic>,
}

/// Section 2.1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Team {
    /// The full name as written.
    pub name: Option<String>,
    /// The abbreviation the team goes by (`XYZ-CERT`), when stated.
    pub short_name: Option<String>,
}

/// Section 1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// Date of last update as `YYYY-MM-DD`; `None` when absent or unreadable.
    pub last_update: Option<String>,
    /// The date exactly as written.
    pub last_update_text: Option<String>,
    /// The version the document states, if any.
    pub version: Option<String>,
    /// Section 1.2 as written.
    pub distribution_list: Option<String>,
    /// URLs from section 1.3, as claims (not checked).
    pub locations: Vec<String>,
    /// URLs of `.asc`/`.sig` files the document names.
    pub signature_locations: Vec<String>,
}

impl DocumentInfo {
    /// The Date of Last Update as a date.
    pub fn last_update_date(&self) -> Option<chrono::NaiveDate> {
        self.last_update
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    }
}

/// Section 2.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// 2.2 postal address.
    pub address: Option<String>,
    /// 2.3 as written.
    pub time_zone: Option<String>,
    /// 2.4 telephone numbers.
    pub phones: Vec<String>,
    /// 2.5 facsimile numbers.
    pub fax: Vec<String>,
    /// 2.6 as written.
    pub other_telecom: Option<String>,
    /// 2.7 e-mail addresses, de-obfuscated and lower-cased.
    pub emails: Vec<String>,
    /// 2.9 as written.
    pub members: Option<String>,
    /// 2.10 as written.
    pub other_info: Option<String>,
    /// 2.11 as written.
    pub points_of_contact: Option<String>,
    /// Operating hours, when a sentence in 2.11 (or elsewhere in 2) gives them.
    pub operating_hours: Option<String>,
}

/// A key the document states.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedKey {
    /// Upper-case hex without spaces: 40 digits (v4) or 64 (v5, v6).
    pub fingerprint: Option<String>,
    /// 16 upper-case hex digits (or 8 for a short ID, as stated).
    pub key_id: Option<String>,
    /// A user ID or label stated next to the key.
    pub user_id: Option<String>,
    /// Where the key can be fetched, as stated.
    pub url: Option<String>,
    /// The line the fingerprint (or key ID, or URL) was found on.
    pub line: Option<usize>,
}

/// Section 3.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Charter {
    /// 3.1 (and a vision statement, where a team gives one).
    pub mission: Option<String>,
    /// 3.2.
    pub constituency: Option<String>,
    /// 3.3.
    pub sponsorship: Option<String>,
    /// 3.4.
    pub authority: Option<String>,
}

/// A constituency as data: what a lookup by address, domain, AS number,
/// country or sector matches. Each list holds distinct values in the order
/// found; `evidence` says where each value was read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Constituency {
    /// Domains, lower-case, wildcard dropped (`*.xyz-univ.ca` is
    /// `xyz-univ.ca`): each stands for itself and its subdomains.
    pub domains: Vec<String>,
    /// IPv4 and IPv6 prefixes in CIDR form (ranges made into prefixes,
    /// single addresses as /32 or /128).
    pub networks: Vec<String>,
    /// Autonomous system numbers.
    pub asns: Vec<u32>,
    /// ISO 3166-1 alpha-2 codes: countries named in 3.2 or in the address,
    /// of the ccTLD of a stated domain, of a named region.
    pub countries: Vec<String>,
    /// Provinces, states and regions, as written.
    pub regions: Vec<String>,
    /// Sectors of the taxonomy.
    pub sectors: Vec<Sector>,
    /// Where each value was read.
    pub evidence: Vec<Evidence>,
}

impl Constituency {
    /// Whether the document states nothing of it.
    pub fn is_empty(&self) -> bool {
        self.evidence.is_empty()
    }

    /// Adds `value` of `kind`, once, with where it was read.
    pub fn note(
        &mut self,
        kind: ScopeKind,
        value: String,
        section: Option<&str>,
        line: usize,
        text: &str,
    ) {
        if self
            .evidence
            .iter()
            .any(|e| e.kind == kind && e.value.eq_ignore_ascii_case(&value))
        {
            return;
        }
        match kind {
            ScopeKind::Domain => self.domains.push(value.clone()),
            ScopeKind::Network => self.networks.push(value.clone()),
            ScopeKind::Asn => match value.parse() {
                Ok(n) => self.asns.push(n),
                Err(_) => return,
            },
            ScopeKind::Country => self.countries.push(value.clone()),
            ScopeKind::Region => self.regions.push(value.clone()),
            ScopeKind::Sector => match Sector::from_code(&value) {
                Some(s) => self.sectors.push(s),
                None => return,
            },
        }
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        self.evidence.push(Evidence {
            kind,
            value,
            section: section.map(String::from),
            line,
            text: text.chars().take(200).collect(),
            listed_by: Vec::new(),
        });
    }

    /// Adds a value the public directories list (`by`), unless the
    /// document states it already: the team's own word comes first.
    pub fn note_listed(&mut self, kind: ScopeKind, value: String, by: &[String]) {
        let before = self.evidence.len();
        self.note(kind, value, None, 0, "");
        if let Some(e) = self.evidence.get_mut(before) {
            e.listed_by = by.to_vec();
            e.text = format!("listed by {}", by.join(", "));
        }
    }

    /// Where `value` of `kind` was read.
    pub fn evidence_for(&self, kind: ScopeKind, value: &str) -> Option<&Evidence> {
        self.evidence
            .iter()
            .find(|e| e.kind == kind && e.value.eq_ignore_ascii_case(value))
    }
}

/// What kind of value a piece of [`Evidence`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeKind {
    /// A domain.
    Domain,
    /// An IP prefix.
    Network,
    /// An AS number.
    Asn,
    /// A country code.
    Country,
    /// A region.
    Region,
    /// A sector.
    Sector,
}

/// Where one constituency value was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// What the value is.
    pub kind: ScopeKind,
    /// The value, as in its list.
    pub value: String,
    /// The section's number (`3.2`), if it has one.
    pub section: Option<String>,
    /// 1-based line in the extracted text.
    pub line: usize,
    /// The line, white space folded, at most 200 characters.
    pub text: String,
    /// The directories that list the value, for a value the team's own
    /// document does not state (then `line` is 0).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listed_by: Vec<String>,
}

macro_rules! sectors {
    ($($variant:ident $code:literal $doc:literal [$($word:literal),* $(,)?];)*) => {
        /// The sector taxonomy: a few kinds of constituency, named alike in
        /// every language the parser reads.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum Sector {
            $(#[doc = $doc] $variant,)*
        }

        impl Sector {
            /// Every sector.
            pub const ALL: &'static [Sector] = &[$(Sector::$variant),*];

            /// The stable code (`research-education`).
            pub fn code(self) -> &'static str {
                match self { $(Sector::$variant => $code,)* }
            }

            /// The words that name it: folded (lower case, no accents),
            /// space-separated phrases, a final `*` a prefix; Japanese as
            /// written.
            pub fn words(self) -> &'static [&'static str] {
                match self { $(Sector::$variant => &[$($word),*],)* }
            }
        }
    };
}

sectors! {
    National "national" "A national CSIRT: the whole country." [
        "national", "nasional", "nationale", "nationales", "nacional", "nazionale",
        "nationaal", "nationwide", "whole country", "seluruh indonesia", "国家", "全国",
    ];
    Government "government" "Government bodies and public administration." [
        "government*", "public administration*", "ministries", "ministry", "public sector",
        "public bodies", "pemerintah*", "instansi", "kementerian*", "dinas", "perangkat daerah",
        "gouvernement*", "administration publique", "administrations", "ministere*",
        "collectivites", "regierung*", "behorde*", "bundesverwaltung", "verwaltung*",
        "gobierno*", "administracion publica", "governo", "pubblica amministrazione",
        "overheid*", "rijksoverheid", "administracao publica", "政府", "行政",
    ];
    ResearchEducation "research-education" "Universities, schools and research." [
        "universit*", "college*", "academic*", "research*", "education*", "school*",
        "students", "perguruan tinggi", "kampus", "sekolah", "pendidikan", "mahasiswa",
        "recherche", "enseignement", "ecole*", "etablissements d enseignement", "hochschul*",
        "forschung*", "wissenschaft*", "investigacion", "educacion", "ricerca", "istruzione",
        "hogeschol*", "onderzoek*", "onderwijs", "investigacao", "pesquisa", "ensino",
        "大学", "研究", "教育",
    ];
    Isp "isp" "Customers of an Internet service provider." [
        "isp", "isps", "internet service provider*", "internet access provider*",
        "hosting provider*", "penyedia jasa internet", "fournisseur d acces*",
        "internetdienstanbieter*", "proveedor de servicios de internet", "プロバイダ",
    ];
    Finance "finance" "Banks, insurers and financial services." [
        "bank", "banks", "banking", "financial", "finance", "insurance*", "perbankan",
        "keuangan", "banque*", "bancaire*", "financier*", "assureurs", "banken", "finanz*",
        "versicherung*", "banca", "banco", "bancos", "financiero*", "finanziari*",
        "financiele", "financeiro*", "金融", "銀行",
    ];
    Energy "energy" "Energy: electricity, oil and gas." [
        "energy", "electricity", "power grid", "energi", "listrik", "energie", "energia",
        "電力", "エネルギー",
    ];
    Health "health" "Hospitals and health care." [
        "health*", "hospital*", "medical", "kesehatan", "rumah sakit", "sante", "hopitaux",
        "hospitalier*", "gesundheit*", "krankenhaus*", "krankenhauser", "salud",
        "hospitales", "sanita", "salute", "ospedali", "zorg", "gezondheidszorg",
        "ziekenhuizen", "saude", "hospitais", "医療", "病院",
    ];
    Telecom "telecom" "Telecommunication operators." [
        "telecom*", "telco*", "telekomunikasi", "telecommunication*", "telekommunikation",
        "telecomunicacion*", "telecomunicazioni", "telecommunicatie", "telecomunicacoes",
        "通信",
    ];
    Military "military" "Armed forces and defence." [
        "military", "defence", "defense", "armed forces", "militer", "pertahanan",
        "militaire*", "defense nationale", "armees", "militar", "bundeswehr",
        "verteidigung*", "defensa", "militare", "difesa", "defensie", "defesa", "防衛", "自衛隊",
    ];
    Commercial "commercial" "Customers of a commercial provider." [
        "customers", "clients", "commercial", "pelanggan", "kunden", "clientes", "clienti",
        "klanten", "顧客",
    ];
    Vendor "vendor" "Users of a vendor's products (product security)." [
        "product security", "psirt", "our products", "vulnerabilities in products",
        "securite des produits", "produktsicherheit", "製品",
    ];
    Internal "internal" "One organisation's own staff and systems." [
        "employees", "internal", "our own organisation", "our own organization",
        "pegawai", "karyawan", "salaries", "collaborateurs", "interne", "mitarbeiter*",
        "empleados", "dipendenti", "medewerkers", "funcionarios", "colaboradores", "社員",
        "従業員",
    ];
}

impl Sector {
    /// Reads a code back (`research-education`).
    pub fn from_code(code: &str) -> Option<Sector> {
        Sector::ALL.iter().copied().find(|s| s.code() == code)
    }
}

impl std::fmt::Display for Sector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.code())
    }
}

/// Section 4.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Policies {
    /// 4.1.
    pub incident_types: Option<String>,
    /// 4.2.
    pub cooperation: Option<String>,
    /// 4.3.
    pub communication: Option<String>,
}

/// Section 5.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Services {
    /// 5.1 and its subsections.
    pub incident_response: Option<TextWithItems>,
    /// 5.2.
    pub proactive: Option<TextWithItems>,
}

/// Prose plus the list items it contains.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TextWithItems {
    /// The section text.
    pub text: String,
    /// Bulleted, numbered or sub-section items, in order.
    pub items: Vec<String>,
}

/// Prose plus the URLs it names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TextWithUrls {
    /// The section text.
    pub text: String,
    /// URLs found in the text.
    pub urls: Vec<String>,
}

/// One section as found in the document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// The number as written, normalised to dots (`2.8`), if any.
    pub number: Option<String>,
    /// The heading text without its number.
    pub title: String,
    /// The record field this section filled (`contact.time_zone`), if recognised.
    pub field: Option<String>,
    /// The body text up to the next heading.
    pub text: String,
    /// 1-based line of the heading in the extracted text.
    pub line: usize,
}
