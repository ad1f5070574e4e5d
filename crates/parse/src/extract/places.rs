//! Countries and regions by name, in the parser's languages, and the
//! top-level domains a domain may end in.
//!
//! Names are matched as whole folded words (`Österreich` is
//! `osterreich`), so `Indonesia` finds ID and `Indonesian` does not (an
//! adjective says little about a constituency). A name that is also a
//! common word in some language (`Chad`, `Jordan`, `Georgia` the US state)
//! is taken only as written with its capital, and regions that share a
//! name across countries are left out.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::scope::Phrases;

/// ISO 3166-1 alpha-2 codes with names: English first, then other names in
/// the parser's languages (folded: lower case, no accents).
const COUNTRIES: &[(&str, &[&str])] = &[
    ("AD", &["andorra"]),
    ("AE", &["united arab emirates", "uae"]),
    ("AF", &["afghanistan"]),
    ("AG", &["antigua and barbuda"]),
    ("AI", &["anguilla"]),
    ("AL", &["albania", "albanie", "albanien"]),
    ("AM", &["armenia", "armenie", "armenien"]),
    ("AO", &["angola"]),
    ("AQ", &["antarctica"]),
    ("AR", &["argentina", "argentine", "argentinien"]),
    ("AS", &["american samoa"]),
    ("AT", &["austria", "autriche", "osterreich", "oostenrijk"]),
    ("AU", &["australia", "australie", "australien"]),
    ("AW", &["aruba"]),
    ("AX", &["aland islands"]),
    ("AZ", &["azerbaijan", "azerbaidjan", "aserbaidschan"]),
    (
        "BA",
        &[
            "bosnia and herzegovina",
            "bosnia herzegovina",
            "bosnie herzegovine",
        ],
    ),
    ("BB", &["barbados"]),
    ("BD", &["bangladesh"]),
    (
        "BE",
        &[
            "belgium", "belgique", "belgien", "belgie", "belgio", "belgica",
        ],
    ),
    ("BF", &["burkina faso"]),
    ("BG", &["bulgaria", "bulgarie", "bulgarien"]),
    ("BH", &["bahrain"]),
    ("BI", &["burundi"]),
    ("BJ", &["benin"]),
    ("BM", &["bermuda"]),
    ("BN", &["brunei", "brunei darussalam"]),
    ("BO", &["bolivia"]),
    ("BR", &["brazil", "bresil", "brasilien", "brasil"]),
    ("BS", &["bahamas"]),
    ("BT", &["bhutan"]),
    ("BW", &["botswana"]),
    ("BY", &["belarus", "bielorussie", "weissrussland"]),
    ("BZ", &["belize"]),
    ("CA", &["canada", "kanada"]),
    ("CD", &["democratic republic of the congo", "dr congo"]),
    ("CF", &["central african republic"]),
    ("CG", &["republic of the congo"]),
    (
        "CH",
        &[
            "switzerland",
            "suisse",
            "schweiz",
            "svizzera",
            "zwitserland",
            "suiza",
        ],
    ),
    ("CI", &["cote d ivoire", "ivory coast"]),
    ("CL", &["chile", "chili"]),
    ("CM", &["cameroon", "cameroun", "kamerun"]),
    ("CN", &["china", "chine"]),
    ("CO", &["colombia", "colombie", "kolumbien"]),
    ("CR", &["costa rica"]),
    ("CU", &["cuba", "kuba"]),
    ("CV", &["cabo verde", "cape verde"]),
    ("CY", &["cyprus", "chypre", "zypern", "cipro", "chipre"]),
    (
        "CZ",
        &[
            "czech republic",
            "czechia",
            "republique tcheque",
            "tschechien",
            "tsjechie",
        ],
    ),
    (
        "DE",
        &[
            "germany",
            "allemagne",
            "deutschland",
            "duitsland",
            "alemania",
            "germania",
            "alemanha",
            "jerman",
        ],
    ),
    ("DJ", &["djibouti"]),
    (
        "DK",
        &[
            "denmark",
            "danemark",
            "danmark",
            "danemarken",
            "denemarken",
            "dinamarca",
        ],
    ),
    ("DM", &["dominica"]),
    ("DO", &["dominican republic"]),
    ("DZ", &["algeria", "algerie", "algerien"]),
    ("EC", &["ecuador", "equateur"]),
    ("EE", &["estonia", "estonie", "estland"]),
    ("EG", &["egypt", "egypte", "agypten", "mesir"]),
    ("ER", &["eritrea"]),
    (
        "ES",
        &[
            "spain", "espagne", "spanien", "espana", "spagna", "spanje", "espanha", "spanyol",
        ],
    ),
    ("ET", &["ethiopia", "ethiopie"]),
    ("FI", &["finland", "finlande", "finnland", "finlandia"]),
    ("FJ", &["fiji"]),
    ("FO", &["faroe islands"]),
    (
        "FR",
        &[
            "france",
            "frankreich",
            "frankrijk",
            "francia",
            "franca",
            "perancis",
        ],
    ),
    ("GA", &["gabon"]),
    (
        "GB",
        &[
            "united kingdom",
            "great britain",
            "royaume uni",
            "vereinigtes konigreich",
            "verenigd koninkrijk",
            "reino unido",
            "regno unito",
            "inggris",
        ],
    ),
    ("GD", &["grenada"]),
    ("GE", &["georgie", "georgien"]),
    ("GH", &["ghana"]),
    ("GL", &["greenland", "groenland", "gronland"]),
    ("GM", &["gambia"]),
    ("GN", &["guinea"]),
    ("GQ", &["equatorial guinea"]),
    (
        "GR",
        &["greece", "grece", "griechenland", "griekenland", "grecia"],
    ),
    ("GT", &["guatemala"]),
    ("GU", &["guam"]),
    ("GW", &["guinea bissau"]),
    ("GY", &["guyana"]),
    ("HK", &["hong kong"]),
    ("HN", &["honduras"]),
    (
        "HR",
        &[
            "croatia", "croatie", "kroatien", "kroatie", "croazia", "croacia",
        ],
    ),
    ("HT", &["haiti"]),
    (
        "HU",
        &[
            "hungary",
            "hongrie",
            "ungarn",
            "hongarije",
            "ungheria",
            "hungria",
        ],
    ),
    ("ID", &["indonesia", "indonesie", "indonesien"]),
    (
        "IE",
        &["ireland", "irlande", "irland", "ierland", "irlanda"],
    ),
    ("IL", &["israel"]),
    ("IN", &["india", "inde", "indien"]),
    ("IQ", &["iraq", "irak"]),
    ("IR", &["iran"]),
    ("IS", &["iceland", "islande", "ijsland", "islandia"]),
    ("IT", &["italy", "italie", "italien", "italia", "itali"]),
    ("JM", &["jamaica"]),
    ("JO", &["hashemite kingdom of jordan"]),
    ("JP", &["japan", "japon", "giappone", "jepang", "日本"]),
    ("KE", &["kenya"]),
    ("KG", &["kyrgyzstan"]),
    ("KH", &["cambodia", "cambodge"]),
    (
        "KR",
        &[
            "south korea",
            "republic of korea",
            "coree du sud",
            "sudkorea",
            "korea selatan",
        ],
    ),
    ("KW", &["kuwait"]),
    ("KZ", &["kazakhstan", "kasachstan"]),
    ("LA", &["laos"]),
    ("LB", &["lebanon", "liban", "libanon"]),
    ("LI", &["liechtenstein"]),
    ("LK", &["sri lanka"]),
    ("LR", &["liberia"]),
    ("LS", &["lesotho"]),
    (
        "LT",
        &["lithuania", "lituanie", "litauen", "litouwen", "lituania"],
    ),
    (
        "LU",
        &["luxembourg", "luxemburg", "lussemburgo", "luxemburgo"],
    ),
    (
        "LV",
        &[
            "latvia", "lettonie", "lettland", "letland", "lettonia", "letonia",
        ],
    ),
    ("LY", &["libya", "libye", "libyen"]),
    ("MA", &["morocco", "maroc", "marokko", "marruecos"]),
    ("MC", &["monaco"]),
    ("MD", &["moldova", "moldavie", "moldau", "moldavia"]),
    ("ME", &["montenegro"]),
    ("MG", &["madagascar", "madagaskar"]),
    (
        "MK",
        &["north macedonia", "macedoine du nord", "nordmazedonien"],
    ),
    ("ML", &["mali"]),
    ("MM", &["myanmar", "burma"]),
    ("MN", &["mongolia", "mongolie"]),
    ("MO", &["macao", "macau"]),
    ("MT", &["malta", "malte"]),
    ("MU", &["mauritius"]),
    ("MV", &["maldives"]),
    ("MW", &["malawi"]),
    ("MX", &["mexico", "mexique", "mexiko"]),
    ("MY", &["malaysia", "malaisie"]),
    ("MZ", &["mozambique"]),
    ("NA", &["namibia", "namibie"]),
    ("NE", &["niger"]),
    ("NG", &["nigeria"]),
    ("NI", &["nicaragua"]),
    (
        "NL",
        &[
            "netherlands",
            "the netherlands",
            "pays bas",
            "niederlande",
            "nederland",
            "paises bajos",
            "paesi bassi",
            "belanda",
            "holland",
        ],
    ),
    (
        "NO",
        &[
            "norway",
            "norvege",
            "norwegen",
            "noorwegen",
            "norge",
            "noruega",
            "norvegia",
        ],
    ),
    ("NP", &["nepal"]),
    ("NZ", &["new zealand", "nouvelle zelande", "neuseeland"]),
    ("OM", &["oman"]),
    ("PA", &["panama"]),
    ("PE", &["peru", "perou"]),
    ("PG", &["papua new guinea"]),
    ("PH", &["philippines", "philippinen", "filipina"]),
    ("PK", &["pakistan"]),
    ("PL", &["poland", "pologne", "polen", "polska", "polonia"]),
    ("PR", &["puerto rico"]),
    ("PS", &["palestine"]),
    ("PT", &["portugal", "portogallo"]),
    ("PY", &["paraguay"]),
    ("QA", &["qatar", "katar"]),
    (
        "RO",
        &["romania", "roumanie", "rumanien", "roemenie", "rumania"],
    ),
    ("RS", &["serbia", "serbie", "serbien", "servie"]),
    (
        "RU",
        &[
            "russia",
            "russian federation",
            "russie",
            "russland",
            "rusland",
            "rusia",
        ],
    ),
    ("RW", &["rwanda"]),
    (
        "SA",
        &[
            "saudi arabia",
            "arabie saoudite",
            "saudi arabien",
            "arab saudi",
        ],
    ),
    ("SC", &["seychelles"]),
    ("SD", &["sudan", "soudan"]),
    (
        "SE",
        &[
            "sweden", "suede", "schweden", "zweden", "sverige", "suecia", "svezia",
        ],
    ),
    ("SG", &["singapore", "singapour", "singapur", "singapura"]),
    ("SI", &["slovenia", "slovenie", "slowenien", "slovenija"]),
    (
        "SK",
        &[
            "slovakia",
            "slovaquie",
            "slowakei",
            "slowakije",
            "slovensko",
        ],
    ),
    ("SL", &["sierra leone"]),
    ("SM", &["san marino"]),
    ("SN", &["senegal"]),
    ("SO", &["somalia", "somalie"]),
    ("SR", &["suriname"]),
    ("SV", &["el salvador"]),
    ("SY", &["syria", "syrie", "syrien"]),
    ("TG", &["togo"]),
    ("TH", &["thailand", "thailande"]),
    ("TJ", &["tajikistan"]),
    ("TL", &["timor leste", "east timor"]),
    ("TM", &["turkmenistan"]),
    ("TN", &["tunisia", "tunisie", "tunesien"]),
    (
        "TR",
        &["turkey", "turkiye", "turquie", "turkei", "turkije", "turki"],
    ),
    ("TT", &["trinidad and tobago"]),
    ("TW", &["taiwan"]),
    ("TZ", &["tanzania", "tanzanie"]),
    ("UA", &["ukraine", "oekraine", "ucrania", "ucraina"]),
    ("UG", &["uganda", "ouganda"]),
    (
        "US",
        &[
            "united states",
            "united states of america",
            "usa",
            "etats unis",
            "vereinigte staaten",
            "verenigde staten",
            "estados unidos",
            "stati uniti",
            "amerika serikat",
        ],
    ),
    ("UY", &["uruguay"]),
    ("UZ", &["uzbekistan", "ouzbekistan", "usbekistan"]),
    ("VA", &["vatican", "holy see"]),
    ("VE", &["venezuela"]),
    ("VN", &["vietnam", "viet nam"]),
    ("YE", &["yemen"]),
    (
        "ZA",
        &[
            "south africa",
            "afrique du sud",
            "sudafrika",
            "zuid afrika",
            "afrika selatan",
        ],
    ),
    ("ZM", &["zambia", "zambie"]),
    ("ZW", &["zimbabwe"]),
];

/// The other ISO 3166-1 codes: valid as codes and ccTLDs, no name matched
/// (small territories whose names are rarely a constituency by
/// themselves, or are ambiguous words).
const OTHER_CODES: &[&str] = &[
    "BL", "BQ", "BV", "CC", "CK", "CW", "CX", "EH", "FK", "FM", "GF", "GG", "GI", "GP", "GS", "HM",
    "IM", "IO", "JE", "KI", "KM", "KN", "KP", "KY", "LC", "MF", "MH", "MP", "MQ", "MR", "MS", "NC",
    "NF", "NR", "NU", "PF", "PM", "PN", "PW", "RE", "SB", "SH", "SJ", "SS", "ST", "SX", "SZ", "TC",
    "TD", "TF", "TK", "TO", "TV", "UM", "VC", "VG", "VI", "VU", "WF", "WS", "YT",
];

/// ccTLDs that are not the country's alpha-2 code.
const CCTLD_EXCEPTIONS: &[(&str, &str)] = &[("uk", "GB"), ("eu", "")];

/// Generic top-level domains a constituency's domain is likely to end in.
const GENERIC_TLDS: &[&str] = &[
    "com",
    "org",
    "net",
    "edu",
    "gov",
    "mil",
    "int",
    "info",
    "biz",
    "eu",
    "asia",
    "museum",
    "aero",
    "coop",
    "cat",
    "tel",
    "mobi",
    "jobs",
    "travel",
    "pro",
    "name",
    "post",
    "bank",
    "insurance",
    "cloud",
    "online",
    "site",
    "tech",
    "app",
    "dev",
    "io",
    "ai",
    "global",
    "health",
    "bzh",
    "paris",
    "berlin",
    "wien",
    "quebec",
    "tokyo",
    "brussels",
    "vlaanderen",
    "swiss",
    "africa",
    "arpa",
    "uk",
];

/// Whether `tld` (lower case) is a top-level domain.
pub fn is_tld(tld: &str) -> bool {
    GENERIC_TLDS.contains(&tld)
        || tld.len() == 2 && is_country_code(&tld.to_ascii_uppercase()) && tld != "js"
}

/// Whether `code` is an ISO 3166-1 alpha-2 code.
pub fn is_country_code(code: &str) -> bool {
    COUNTRIES.iter().any(|(c, _)| *c == code) || OTHER_CODES.contains(&code)
}

/// The country of a domain's ccTLD (`ac.at` is AT, `ac.uk` is GB); none
/// for generic TLDs and `.eu`.
pub fn country_of_cctld(domain: &str) -> Option<&'static str> {
    let tld = domain.rsplit('.').next()?.to_ascii_lowercase();
    if let Some((_, cc)) = CCTLD_EXCEPTIONS.iter().find(|(t, _)| *t == tld) {
        return (!cc.is_empty()).then_some(*cc);
    }
    if tld.len() != 2 {
        return None;
    }
    let code = tld.to_ascii_uppercase();
    COUNTRIES
        .iter()
        .map(|(c, _)| *c)
        .chain(OTHER_CODES.iter().copied())
        .find(|c| *c == code)
}

/// The codes of the countries a line names, in the table's order.
pub fn countries(words: &[String], text: &str) -> Vec<&'static str> {
    static P: OnceLock<Phrases<&'static str>> = OnceLock::new();
    let p = P.get_or_init(|| {
        Phrases::new(
            COUNTRIES
                .iter()
                .flat_map(|(code, names)| names.iter().map(move |n| (*n, *code))),
        )
    });
    let mut found = p.find(words, text);
    found.sort();
    found
}

/// Regions (provinces, states, Länder, French régions) by folded name, the
/// way they are written most often, and their country. Names shared with
/// a country or a city of another country are left out.
const REGIONS: &[(&str, &str, &str)] = &[
    // Canada
    ("quebec", "Quebec", "CA"),
    ("ontario", "Ontario", "CA"),
    ("british columbia", "British Columbia", "CA"),
    ("colombie britannique", "British Columbia", "CA"),
    ("alberta", "Alberta", "CA"),
    ("manitoba", "Manitoba", "CA"),
    ("saskatchewan", "Saskatchewan", "CA"),
    ("nova scotia", "Nova Scotia", "CA"),
    ("nouvelle ecosse", "Nova Scotia", "CA"),
    ("new brunswick", "New Brunswick", "CA"),
    ("nouveau brunswick", "New Brunswick", "CA"),
    (
        "newfoundland and labrador",
        "Newfoundland and Labrador",
        "CA",
    ),
    ("prince edward island", "Prince Edward Island", "CA"),
    // Indonesia
    ("aceh", "Aceh", "ID"),
    ("sumatera utara", "Sumatera Utara", "ID"),
    ("sumatera barat", "Sumatera Barat", "ID"),
    ("sumatera selatan", "Sumatera Selatan", "ID"),
    ("riau", "Riau", "ID"),
    ("kepulauan riau", "Kepulauan Riau", "ID"),
    ("jambi", "Jambi", "ID"),
    ("bengkulu", "Bengkulu", "ID"),
    ("lampung", "Lampung", "ID"),
    ("bangka belitung", "Bangka Belitung", "ID"),
    ("dki jakarta", "DKI Jakarta", "ID"),
    ("jawa barat", "Jawa Barat", "ID"),
    ("west java", "Jawa Barat", "ID"),
    ("jawa tengah", "Jawa Tengah", "ID"),
    ("central java", "Jawa Tengah", "ID"),
    ("jawa timur", "Jawa Timur", "ID"),
    ("east java", "Jawa Timur", "ID"),
    ("daerah istimewa yogyakarta", "DI Yogyakarta", "ID"),
    ("di yogyakarta", "DI Yogyakarta", "ID"),
    ("banten", "Banten", "ID"),
    ("bali", "Bali", "ID"),
    ("nusa tenggara barat", "Nusa Tenggara Barat", "ID"),
    ("nusa tenggara timur", "Nusa Tenggara Timur", "ID"),
    ("kalimantan barat", "Kalimantan Barat", "ID"),
    ("kalimantan tengah", "Kalimantan Tengah", "ID"),
    ("kalimantan selatan", "Kalimantan Selatan", "ID"),
    ("kalimantan timur", "Kalimantan Timur", "ID"),
    ("kalimantan utara", "Kalimantan Utara", "ID"),
    ("sulawesi utara", "Sulawesi Utara", "ID"),
    ("sulawesi tengah", "Sulawesi Tengah", "ID"),
    ("sulawesi selatan", "Sulawesi Selatan", "ID"),
    ("sulawesi tenggara", "Sulawesi Tenggara", "ID"),
    ("sulawesi barat", "Sulawesi Barat", "ID"),
    ("gorontalo", "Gorontalo", "ID"),
    ("maluku utara", "Maluku Utara", "ID"),
    ("papua barat", "Papua Barat", "ID"),
    // France
    ("auvergne rhone alpes", "Auvergne-Rhône-Alpes", "FR"),
    ("bourgogne franche comte", "Bourgogne-Franche-Comté", "FR"),
    ("bretagne", "Bretagne", "FR"),
    ("centre val de loire", "Centre-Val de Loire", "FR"),
    ("grand est", "Grand Est", "FR"),
    ("hauts de france", "Hauts-de-France", "FR"),
    ("ile de france", "Île-de-France", "FR"),
    ("normandie", "Normandie", "FR"),
    ("nouvelle aquitaine", "Nouvelle-Aquitaine", "FR"),
    ("occitanie", "Occitanie", "FR"),
    ("pays de la loire", "Pays de la Loire", "FR"),
    (
        "provence alpes cote d azur",
        "Provence-Alpes-Côte d'Azur",
        "FR",
    ),
    ("corse", "Corse", "FR"),
    // Germany
    ("baden wurttemberg", "Baden-Württemberg", "DE"),
    ("bayern", "Bayern", "DE"),
    ("bavaria", "Bayern", "DE"),
    ("brandenburg", "Brandenburg", "DE"),
    ("hessen", "Hessen", "DE"),
    ("mecklenburg vorpommern", "Mecklenburg-Vorpommern", "DE"),
    ("niedersachsen", "Niedersachsen", "DE"),
    ("nordrhein westfalen", "Nordrhein-Westfalen", "DE"),
    ("north rhine westphalia", "Nordrhein-Westfalen", "DE"),
    ("rheinland pfalz", "Rheinland-Pfalz", "DE"),
    ("saarland", "Saarland", "DE"),
    ("sachsen anhalt", "Sachsen-Anhalt", "DE"),
    ("schleswig holstein", "Schleswig-Holstein", "DE"),
    ("thuringen", "Thüringen", "DE"),
    // Austria
    ("niederosterreich", "Niederösterreich", "AT"),
    ("oberosterreich", "Oberösterreich", "AT"),
    ("steiermark", "Steiermark", "AT"),
    ("tirol", "Tirol", "AT"),
    ("vorarlberg", "Vorarlberg", "AT"),
    ("karnten", "Kärnten", "AT"),
    ("burgenland", "Burgenland", "AT"),
    // Spain
    ("andalucia", "Andalucía", "ES"),
    ("cataluna", "Cataluña", "ES"),
    ("catalunya", "Catalunya", "ES"),
    ("catalonia", "Catalunya", "ES"),
    ("comunitat valenciana", "Comunitat Valenciana", "ES"),
    ("pais vasco", "País Vasco", "ES"),
    ("euskadi", "Euskadi", "ES"),
    ("galicia", "Galicia", "ES"),
    ("castilla y leon", "Castilla y León", "ES"),
    ("castilla la mancha", "Castilla-La Mancha", "ES"),
    ("extremadura", "Extremadura", "ES"),
    ("asturias", "Asturias", "ES"),
    ("islas baleares", "Islas Baleares", "ES"),
    ("islas canarias", "Islas Canarias", "ES"),
    // Italy
    ("lombardia", "Lombardia", "IT"),
    ("piemonte", "Piemonte", "IT"),
    ("veneto", "Veneto", "IT"),
    ("emilia romagna", "Emilia-Romagna", "IT"),
    ("toscana", "Toscana", "IT"),
    ("lazio", "Lazio", "IT"),
    ("campania", "Campania", "IT"),
    ("sicilia", "Sicilia", "IT"),
    ("sardegna", "Sardegna", "IT"),
    ("puglia", "Puglia", "IT"),
    // Belgium, Netherlands
    ("wallonie", "Wallonie", "BE"),
    ("wallonia", "Wallonie", "BE"),
    ("vlaanderen", "Vlaanderen", "BE"),
    ("flanders", "Vlaanderen", "BE"),
    ("noord holland", "Noord-Holland", "NL"),
    ("zuid holland", "Zuid-Holland", "NL"),
    ("noord brabant", "Noord-Brabant", "NL"),
    ("gelderland", "Gelderland", "NL"),
    ("friesland", "Friesland", "NL"),
    // United States (names that are no other place)
    ("california", "California", "US"),
    ("texas", "Texas", "US"),
    ("new york state", "New York", "US"),
    ("pennsylvania", "Pennsylvania", "US"),
    ("massachusetts", "Massachusetts", "US"),
    ("illinois", "Illinois", "US"),
    ("ohio", "Ohio", "US"),
    ("michigan", "Michigan", "US"),
    ("virginia", "Virginia", "US"),
    ("north carolina", "North Carolina", "US"),
    ("colorado", "Colorado", "US"),
    ("minnesota", "Minnesota", "US"),
    ("wisconsin", "Wisconsin", "US"),
    ("oregon", "Oregon", "US"),
    ("maryland", "Maryland", "US"),
    ("arizona", "Arizona", "US"),
    ("utah", "Utah", "US"),
    ("florida", "Florida", "US"),
];

/// The regions a line names, as this table writes them, with their
/// countries.
pub fn regions(words: &[String], text: &str) -> Vec<(String, &'static str)> {
    static P: OnceLock<Phrases<(&'static str, &'static str)>> = OnceLock::new();
    let p = P.get_or_init(|| {
        Phrases::new(
            REGIONS
                .iter()
                .map(|(folded, written, cc)| (*folded, (*written, *cc))),
        )
    });
    let mut out: Vec<(String, &'static str)> = p
        .find(words, text)
        .into_iter()
        .map(|(w, cc)| (w.to_string(), cc))
        .collect();
    out.dedup_by(|a, b| a.0 == b.0);
    // A region inside a longer one ("Riau" in "Kepulauan Riau") is the
    // longer one only.
    let names: Vec<String> = out.iter().map(|(r, _)| r.to_lowercase()).collect();
    out.retain(|(r, _)| {
        let r = r.to_lowercase();
        !names.iter().any(|n| n != &r && n.contains(&r))
    });
    out
}

/// Regions by folded name, for queries (`Québec` finds Quebec).
pub fn region_names() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| REGIONS.iter().map(|(f, w, _)| (*f, *w)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::scope::fold_words;

    fn names(text: &str) -> Vec<&'static str> {
        countries(&fold_words(text), text)
    }

    #[test]
    fn country_names_in_the_parsers_languages() {
        assert_eq!(names("Pemerintah Indonesia"), ["ID"]);
        assert_eq!(names("Behörden in Österreich"), ["AT"]);
        assert_eq!(names("les Pays-Bas et la Belgique"), ["BE", "NL"]);
        assert_eq!(names("日本国内の組織"), ["JP"]);
        assert!(
            names("Indonesian citizens abroad").is_empty(),
            "an adjective"
        );
    }

    #[test]
    fn regions_keep_the_longest_name_and_give_their_country() {
        let r = |t: &str| regions(&fold_words(t), t);
        assert_eq!(r("Provinsi Jawa Timur"), [("Jawa Timur".to_string(), "ID")]);
        assert_eq!(r("Kepulauan Riau"), [("Kepulauan Riau".to_string(), "ID")]);
        assert_eq!(r("UniversityTown, Québec"), [("Quebec".to_string(), "CA")]);
    }

    #[test]
    fn cctlds_are_countries_generic_tlds_are_not() {
        assert_eq!(country_of_cctld("ac.at"), Some("AT"));
        assert_eq!(country_of_cctld("ac.uk"), Some("GB"));
        assert_eq!(country_of_cctld("europa.eu"), None);
        assert_eq!(country_of_cctld("example.org"), None);
        assert!(is_tld("ca") && is_tld("org") && !is_tld("html") && !is_tld("pdf"));
    }
}
