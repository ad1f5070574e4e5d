//! Section headings: the Appendix D outline in many languages and spellings,
//! and the matcher that maps a heading's words onto a record field.
//!
//! Matching is by words, never by number: real documents shift, merge and
//! renumber sections, so "4.3 Time zone" is still the time zone.

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::LazyLock;

/// What a recognised heading stands for.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    DocumentGroup,
    LastUpdate,
    DistributionList,
    Locations,
    Authentication,
    Identification,
    ContactGroup,
    TeamName,
    ShortName,
    Address,
    TimeZone,
    Telephone,
    Fax,
    OtherTelecom,
    Email,
    PublicKeys,
    Members,
    OtherInfo,
    PointsOfContact,
    OperatingHours,
    CharterGroup,
    Mission,
    Constituency,
    Sponsorship,
    Authority,
    PoliciesGroup,
    IncidentTypes,
    Cooperation,
    Communication,
    ServicesGroup,
    IncidentResponse,
    Proactive,
    ReportingForms,
    Disclaimers,
}

impl Field {
    /// The record path this section fills, as reported in `sections[].field`.
    pub fn path(self) -> &'static str {
        use Field::*;
        match self {
            DocumentGroup => "document",
            LastUpdate => "document.last_update",
            DistributionList => "document.distribution_list",
            Locations => "document.locations",
            Authentication => "document.authentication",
            Identification => "document.identification",
            ContactGroup => "contact",
            TeamName => "team.name",
            ShortName => "team.short_name",
            Address => "contact.address",
            TimeZone => "contact.time_zone",
            Telephone => "contact.phones",
            Fax => "contact.fax",
            OtherTelecom => "contact.other_telecom",
            Email => "contact.emails",
            PublicKeys => "keys",
            Members => "contact.members",
            OtherInfo => "contact.other_info",
            PointsOfContact => "contact.points_of_contact",
            OperatingHours => "contact.operating_hours",
            CharterGroup => "charter",
            Mission => "charter.mission",
            Constituency => "charter.constituency",
            Sponsorship => "charter.sponsorship",
            Authority => "charter.authority",
            PoliciesGroup => "policies",
            IncidentTypes => "policies.incident_types",
            Cooperation => "policies.cooperation",
            Communication => "policies.communication",
            ServicesGroup => "services",
            IncidentResponse => "services.incident_response",
            Proactive => "services.proactive",
            ReportingForms => "reporting_forms",
            Disclaimers => "disclaimers",
        }
    }

    /// Whether this heading opens one of the seven top-level parts.
    pub fn is_group(self) -> bool {
        use Field::*;
        matches!(
            self,
            DocumentGroup
                | ContactGroup
                | CharterGroup
                | PoliciesGroup
                | ServicesGroup
                | ReportingForms
                | Disclaimers
        )
    }
}

/// Heading phrases, in English first and then Indonesian, French, German,
/// Spanish, Italian, Dutch, Portuguese and Japanese. Written naturally; the
/// matcher folds case, accents, punctuation and filler words.
const PHRASES: &[(Field, &[&str])] = &[
    (
        Field::DocumentGroup,
        &[
            "Document Information",
            "About this document",
            "Information about this document",
            "Obtaining the Document",
            "Document",
            "Introduction",
            "Informasi Mengenai Dokumen",
            "Informasi Dokumen",
            "Mengenai Dokumen",
            "Tentang Dokumen",
            "Informasi tentang dokumen",
            "Informations sur le document",
            "A propos de ce document",
            "Au sujet de ce document",
            "Informations relatives au document",
            "Informationen zum Dokument",
            "Über dieses Dokument",
            "Dokumentinformationen",
            "Información sobre el documento",
            "Información del documento",
            "Acerca de este documento",
            "Informazioni sul documento",
            "Informazioni sul presente documento",
            "Documentinformatie",
            "Over dit document",
            "Informatie over dit document",
            "Informações sobre o documento",
            "Sobre este documento",
            "Informação sobre o documento",
            "ドキュメント情報",
            "文書情報",
            "このドキュメントについて",
        ],
    ),
    (
        Field::LastUpdate,
        &[
            "Date of Last Update",
            "Date of last revision",
            "Last Update",
            "Last updated",
            "Date of last modification",
            "Last revision",
            "Tanggal Update Terakhir",
            "Tanggal Pembaruan Terakhir",
            "Tanggal Pembaharuan Terakhir",
            "Tanggal Perubahan Terakhir",
            "Update Terakhir",
            "Pembaruan Terakhir",
            "Tanggal Terakhir Diperbarui",
            "Date de dernière mise à jour",
            "Date de la dernière mise à jour",
            "Dernière mise à jour",
            "Datum der letzten Aktualisierung",
            "Datum der letzten Änderung",
            "Letzte Aktualisierung",
            "Letzte Änderung",
            "Fecha de la última actualización",
            "Fecha de última actualización",
            "Última actualización",
            "Data dell'ultimo aggiornamento",
            "Data di ultimo aggiornamento",
            "Ultimo aggiornamento",
            "Datum van laatste wijziging",
            "Datum van de laatste wijziging",
            "Datum laatste update",
            "Datum van laatste update",
            "Laatste wijziging",
            "Data da última atualização",
            "Data da última actualização",
            "Última atualização",
            "最終更新日",
            "最終更新",
            "最終更新日時",
        ],
    ),
    (
        Field::DistributionList,
        &[
            "Distribution List for Notifications",
            "Distribution List",
            "Notification of updates",
            "Mailing list",
            "Daftar Distribusi untuk Pemberitahuan",
            "Daftar Distribusi Pemberitahuan",
            "Daftar Distribusi",
            "Liste de diffusion pour les notifications",
            "Liste de diffusion",
            "Listes de diffusion",
            "Verteilerliste für Benachrichtigungen",
            "Verteilerliste",
            "Lista de distribución para notificaciones",
            "Lista de distribución",
            "Lista di distribuzione per le notifiche",
            "Lista di distribuzione",
            "Distributielijst voor meldingen",
            "Distributielijst",
            "Verzendlijst",
            "Lista de distribuição para notificações",
            "Lista de distribuição",
            "通知のための配布リスト",
            "通知用配布リスト",
            "配布リスト",
        ],
    ),
    (
        Field::Locations,
        &[
            "Locations where this Document May Be Found",
            "Location where this Document May Be Found",
            "Locations where this document can be found",
            "Location of the document",
            "Locations of the document",
            "Document location",
            "Document locations",
            "Where to find this document",
            "Location",
            "Locations",
            "Lokasi dimana Dokumen ini bisa didapat",
            "Lokasi dimana Dokumen ini dapat diperoleh",
            "Lokasi di mana Dokumen ini bisa didapat",
            "Lokasi Dokumen",
            "Lokasi Dokumen ini",
            "Lokasi dimana dokumen ini dapat ditemukan",
            "Lokasi",
            "Emplacement de ce document",
            "Emplacements où ce document peut être trouvé",
            "Localisation du document",
            "Localisation de ce document",
            "Où trouver ce document",
            "Emplacement du document",
            "Fundorte dieses Dokuments",
            "Fundort dieses Dokuments",
            "Bezugsquellen dieses Dokuments",
            "Orte an denen dieses Dokument zu finden ist",
            "Ubicaciones donde se puede encontrar este documento",
            "Ubicación de este documento",
            "Ubicación del documento",
            "Dónde encontrar este documento",
            "Dove reperire questo documento",
            "Luoghi in cui è possibile trovare questo documento",
            "Posizione del documento",
            "Dove trovare questo documento",
            "Locaties waar dit document te vinden is",
            "Locatie van dit document",
            "Vindplaats van dit document",
            "Waar dit document te vinden is",
            "Locais onde este documento pode ser encontrado",
            "Localização deste documento",
            "Onde encontrar este documento",
            "本ドキュメントが見つかる可能性のある場所",
            "このドキュメントの入手先",
            "文書の入手場所",
            "ドキュメントの場所",
            "本文書の所在",
        ],
    ),
    (
        Field::Authentication,
        &[
            "Authenticating this Document",
            "Authenticating the Document",
            "Authentication of this document",
            "Document authenticity",
            "Authenticity",
            "Keaslian Dokumen",
            "Keaslian Dokumen ini",
            "Otentikasi Dokumen",
            "Autentikasi Dokumen",
            "Authentification de ce document",
            "Authentification du document",
            "Authenticité du document",
            "Authentifizierung dieses Dokuments",
            "Echtheit dieses Dokuments",
            "Autenticación de este documento",
            "Autenticidad del documento",
            "Autenticazione di questo documento",
            "Autenticità del documento",
            "Authenticatie van dit document",
            "Echtheid van dit document",
            "Autenticação deste documento",
            "Autenticidade do documento",
            "本ドキュメントの認証",
            "このドキュメントの認証",
            "文書の認証",
        ],
    ),
    (
        Field::Identification,
        &[
            "Document Identification",
            "Document identifier",
            "Document version",
            "Identifikasi Dokumen",
            "Identitas Dokumen",
            "Identification du document",
            "Dokumentidentifikation",
            "Identificación del documento",
            "Identificazione del documento",
            "Documentidentificatie",
            "Identificação do documento",
            "ドキュメントの識別",
            "文書の識別",
        ],
    ),
    (
        Field::ContactGroup,
        &[
            "Contact Information",
            "Contact Details",
            "Contact",
            "Informasi Data/Kontak",
            "Informasi Kontak",
            "Data Kontak",
            "Kontak",
            "Informasi Data Kontak",
            "Informations de contact",
            "Coordonnées",
            "Contact et coordonnées",
            "Kontaktinformationen",
            "Kontaktdaten",
            "Kontakt",
            "Información de contacto",
            "Datos de contacto",
            "Contacto",
            "Informazioni di contatto",
            "Contatti",
            "Recapiti",
            "Contactinformatie",
            "Contactgegevens",
            "Informações de contato",
            "Informações de contacto",
            "Contactos",
            "連絡先情報",
            "連絡先",
        ],
    ),
    (
        Field::TeamName,
        &[
            "Name of the Team",
            "Team Name",
            "Name of Team",
            "Name of the CSIRT",
            "Full Name",
            "Name",
            "Nama Tim",
            "Nama",
            "Nama Lengkap",
            "Nom de l'équipe",
            "Nom de l'équipe CSIRT",
            "Nom",
            "Name des Teams",
            "Teamname",
            "Nombre del equipo",
            "Nombre",
            "Nome del team",
            "Nome del gruppo",
            "Nome dell'organizzazione",
            "Naam van het team",
            "Teamnaam",
            "Naam",
            "Nome da equipe",
            "Nome da equipa",
            "Nome",
            "チーム名",
            "チームの名前",
            "名称",
        ],
    ),
    (
        Field::ShortName,
        &[
            "Short Name",
            "Short name of the team",
            "Abbreviation",
            "Acronym",
            "Singkatan",
            "Disingkat",
            "Nom court",
            "Kurzname",
            "Nombre corto",
            "Acronimo",
        ],
    ),
    (
        Field::Address,
        &[
            "Address",
            "Addresses",
            "Mailing Address",
            "Mail Address",
            "Visiting Address",
            "Postal Address",
            "Postal address of the team",
            "Alamat",
            "Alamat Surat",
            "Alamat Kantor",
            "Adresse",
            "Adresse postale",
            "Anschrift",
            "Postanschrift",
            "Dirección",
            "Dirección postal",
            "Indirizzo",
            "Indirizzo postale",
            "Adres",
            "Postadres",
            "Endereço",
            "Morada",
            "Endereço postal",
            "住所",
            "所在地",
        ],
    ),
    (
        Field::TimeZone,
        &[
            "Time Zone",
            "Timezone",
            "Time zone of the team",
            "Zona Waktu",
            "Fuseau horaire",
            "Zeitzone",
            "Zona horaria",
            "Huso horario",
            "Fuso orario",
            "Tijdzone",
            "Fuso horário",
            "タイムゾーン",
            "時間帯",
            "タイム ゾーン",
        ],
    ),
    (
        Field::Telephone,
        &[
            "Telephone Number",
            "Telephone",
            "Phone Number",
            "Phone",
            "Telephone Numbers",
            "Nomor Telepon",
            "Telepon",
            "Nomor Telpon",
            "No Telepon",
            "Nomor Telepon/Handphone",
            "Numéro de téléphone",
            "Téléphone",
            "Telefonnummer",
            "Telefon",
            "Número de teléfono",
            "Teléfono",
            "Numero di telefono",
            "Telefono",
            "Telefoonnummer",
            "Telefoon",
            "Número de telefone",
            "Telefone",
            "電話番号",
            "電話",
        ],
    ),
    (
        Field::Fax,
        &[
            "Facsimile Number",
            "Fax Number",
            "Facsimile",
            "Fax",
            "Nomor Fax",
            "Nomor Faksimili",
            "Faksimili",
            "Nomor Faks",
            "Faks",
            "Numéro de télécopie",
            "Numéro de fax",
            "Télécopie",
            "Faxnummer",
            "Telefax",
            "Número de fax",
            "Numero di fax",
            "Faxnummer",
            "Número de fax",
            "ファックス番号",
            "FAX番号",
            "ファクシミリ番号",
        ],
    ),
    (
        Field::OtherTelecom,
        &[
            "Other Telecommunication",
            "Other Telecommunications",
            "Other Telecommunication Means",
            "Other means of communication",
            "Telekomunikasi Lain",
            "Telekomunikasi Lainnya",
            "Komunikasi Lain",
            "Autres moyens de télécommunication",
            "Autres télécommunications",
            "Autre moyen de communication",
            "Andere Telekommunikation",
            "Sonstige Telekommunikation",
            "Andere Kommunikationswege",
            "Otras telecomunicaciones",
            "Otros medios de telecomunicación",
            "Altre telecomunicazioni",
            "Altri mezzi di comunicazione",
            "Andere telecommunicatie",
            "Overige telecommunicatie",
            "Outras telecomunicações",
            "Outros meios de telecomunicação",
            "その他の通信手段",
            "その他の電気通信",
            "その他の通信",
        ],
    ),
    (
        Field::Email,
        &[
            "Electronic Mail Address",
            "E-mail Address",
            "Email Address",
            "E-mail",
            "Email",
            "Electronic Mail",
            "E-Mail Addresses",
            "Alamat Surat Elektronik",
            "Alamat Surat Elektronik (E-mail)",
            "Alamat E-mail",
            "Alamat Email",
            "Surat Elektronik",
            "Surel",
            "Adresse électronique",
            "Adresse de courrier électronique",
            "Courrier électronique",
            "Adresse e-mail",
            "Adresse mél",
            "Courriel",
            "E-Mail-Adresse",
            "Elektronische Postadresse",
            "E-Mail Adresse",
            "Dirección de correo electrónico",
            "Correo electrónico",
            "Indirizzo di posta elettronica",
            "Posta elettronica",
            "Indirizzo email",
            "E-mailadres",
            "Elektronisch postadres",
            "Endereço de correio eletrônico",
            "Endereço de correio electrónico",
            "Endereço de e-mail",
            "Correio eletrônico",
            "Correio electrónico",
            "電子メールアドレス",
            "メールアドレス",
            "電子メール",
        ],
    ),
    (
        Field::PublicKeys,
        &[
            "Public Keys and Encryption Information",
            "Public Keys and Other Encryption Information",
            "Public Key and Encryption Information",
            "Public Keys",
            "Public Key",
            "PGP Key",
            "Encryption",
            "Public keys and encryption",
            "OpenPGP key",
            "Kunci Publik",
            "Kunci Publik (Public Key) dan Informasi/Data Enkripsi lain",
            "Kunci Public",
            "Kunci Publik dan Informasi Enkripsi",
            "Clés publiques et informations de chiffrement",
            "Clés publiques et autres informations de chiffrement",
            "Clé publique",
            "Clés publiques",
            "Clés publiques et informations de cryptage",
            "Öffentliche Schlüssel und Verschlüsselungsinformationen",
            "Öffentliche Schlüssel",
            "Öffentlicher Schlüssel",
            "Claves públicas e información de cifrado",
            "Claves públicas",
            "Clave pública",
            "Claves públicas e información de encriptación",
            "Chiavi pubbliche e informazioni di cifratura",
            "Chiavi pubbliche",
            "Chiave pubblica",
            "Chiavi pubbliche e informazioni sulla crittografia",
            "Publieke sleutels en versleutelingsinformatie",
            "Publieke sleutels",
            "Publieke sleutel",
            "Openbare sleutels",
            "Chaves públicas e informações de criptografia",
            "Chaves públicas e informação de cifra",
            "Chaves públicas",
            "Chave pública",
            "公開キーと暗号化情報",
            "公開鍵と暗号化情報",
            "公開鍵",
            "公開キー",
            "公開鍵およびその他の暗号化情報",
        ],
    ),
    (
        Field::Members,
        &[
            "Team Members",
            "Members of the Team",
            "Team Member",
            "Anggota Tim",
            "Anggota",
            "Membres de l'équipe",
            "Teammitglieder",
            "Mitglieder des Teams",
            "Miembros del equipo",
            "Membri del team",
            "Componenti del team",
            "Teamleden",
            "Leden van het team",
            "Membros da equipe",
            "Membros da equipa",
            "チームメンバー",
            "チームの構成員",
            "メンバー",
        ],
    ),
    (
        Field::OtherInfo,
        &[
            "Other Information",
            "Other Info",
            "Additional Information",
            "Informasi/Data lain",
            "Informasi Lain",
            "Informasi Lainnya",
            "Data Lain",
            "Informasi Data Lain",
            "Autres informations",
            "Informations complémentaires",
            "Sonstige Informationen",
            "Weitere Informationen",
            "Otra información",
            "Información adicional",
            "Altre informazioni",
            "Overige informatie",
            "Andere informatie",
            "Outras informações",
            "その他の情報",
            "その他",
        ],
    ),
    (
        Field::PointsOfContact,
        &[
            "Points of Customer Contact",
            "Point of Customer Contact",
            "Points of Contact",
            "Customer Contact",
            "Contacting the team",
            "Catatan-catatan pada Kontak",
            "Catatan Catatan pada Kontak",
            "Catatan pada Kontak",
            "Titik Kontak",
            "Narahubung",
            "Kontak Pelanggan",
            "Points de contact",
            "Points de contact client",
            "Kontaktmöglichkeiten",
            "Ansprechpartner",
            "Kundenkontakt",
            "Puntos de contacto con el cliente",
            "Puntos de contacto",
            "Punti di contatto",
            "Contactpunten",
            "Contactpunten voor klanten",
            "Pontos de contato",
            "Pontos de contacto",
            "顧客の連絡先",
            "連絡窓口",
            "顧客窓口",
            "顧客連絡先",
        ],
    ),
    (
        Field::OperatingHours,
        &[
            "Operating Hours",
            "Business Hours",
            "Hours of Operation",
            "Jam Operasional",
            "Jam Kerja",
            "Heures d'ouverture",
            "Horaires",
            "Geschäftszeiten",
            "Servicezeiten",
            "Horario",
            "Orario",
            "Openingstijden",
            "Horário de funcionamento",
            "営業時間",
            "対応時間",
        ],
    ),
    (
        Field::CharterGroup,
        &[
            "Charter",
            "About the team",
            "Team Charter",
            "Mengenai",
            "Piagam",
            "Tentang",
            "Mengenai CSIRT",
            "Tentang CSIRT",
            "Charte",
            "Charta",
            "Satzung",
            "Estatuto",
            "Carta",
            "Statuto",
            "Handvest",
            "Mandaat",
            "憲章",
        ],
    ),
    (
        Field::Mission,
        &[
            "Mission Statement",
            "Mission",
            "Vision",
            "Vision and Mission",
            "Mission and Vision",
            "Objectives",
            "Purpose",
            "Visi",
            "Misi",
            "Visi dan Misi",
            "Pernyataan Misi",
            "Tujuan",
            "Déclaration de mission",
            "Énoncé de mission",
            "Missions",
            "Leitbild",
            "Aufgabe",
            "Auftrag",
            "Declaración de misión",
            "Misión",
            "Dichiarazione di intenti",
            "Missione",
            "Missie",
            "Missieverklaring",
            "Declaração de missão",
            "Missão",
            "ミッションステートメント",
            "ミッション",
            "使命",
        ],
    ),
    (
        Field::Constituency,
        &[
            "Constituency",
            "Constituencies",
            "Constituents",
            "Target audience",
            "Konstituen",
            "Konstituensi",
            "Périmètre",
            "Bénéficiaires",
            "Communauté",
            "Public cible",
            "Communauté desservie",
            "Zielgruppe",
            "Kunden",
            "Zuständigkeitsbereich",
            "Klientel",
            "Comunidad",
            "Comunidad objetivo",
            "Ámbito",
            "Constituyentes",
            "Comunità di riferimento",
            "Utenza",
            "Bacino di utenza",
            "Doelgroep",
            "Achterban",
            "Comunidade",
            "Público-alvo",
            "Constituintes",
            "Comunidade servida",
            "対象範囲",
            "構成員",
            "コンスティチュエンシー",
            "支持者",
            "対象",
        ],
    ),
    (
        Field::Sponsorship,
        &[
            "Sponsorship and/or Affiliation",
            "Sponsorship",
            "Affiliation",
            "Sponsoring Organization",
            "Sponsorship and Affiliation",
            "Sponsorship dan/atau Afiliasi",
            "Sponsor dan/atau Afiliasi",
            "Afiliasi",
            "Sponsorship dan Afiliasi",
            "Parrainage et/ou affiliation",
            "Affiliation et parrainage",
            "Sponsoring et affiliation",
            "Tutelle",
            "Trägerschaft und/oder Zugehörigkeit",
            "Trägerschaft",
            "Zugehörigkeit",
            "Sponsoring",
            "Patrocinio y/o afiliación",
            "Patrocinio",
            "Afiliación",
            "Sponsorizzazione e/o affiliazione",
            "Affiliazione",
            "Sponsoring en/of aansluiting",
            "Aansluiting",
            "Patrocínio e/ou afiliação",
            "Patrocínio",
            "Afiliação",
            "スポンサーシップおよび提携",
            "スポンサーシップ",
            "後援",
            "所属",
        ],
    ),
    (
        Field::Authority,
        &[
            "Authority",
            "Authorities",
            "Mandate",
            "Otoritas",
            "Kewenangan",
            "Wewenang",
            "Autorité",
            "Autorisation",
            "Befugnisse",
            "Autorität",
            "Befugnis",
            "Autoridad",
            "Autorità",
            "Autoriteit",
            "Bevoegdheid",
            "Bevoegdheden",
            "Autoridade",
            "権限",
            "権威",
        ],
    ),
    (
        Field::PoliciesGroup,
        &[
            "Policies",
            "Policy",
            "Kebijakan",
            "Kebijakan-Kebijakan",
            "Kebijakan Kebijakan",
            "Politiques",
            "Richtlinien",
            "Politiken",
            "Políticas",
            "Politiche",
            "Beleid",
            "Políticas",
            "ポリシー",
            "方針",
        ],
    ),
    (
        Field::IncidentTypes,
        &[
            "Types of Incidents and Level of Support",
            "Types of Incidents",
            "Level of Support",
            "Incident types",
            "Jenis-jenis Insiden dan Tingkat/Level Dukungan",
            "Jenis Insiden dan Tingkat Dukungan",
            "Jenis-jenis Insiden",
            "Jenis Insiden",
            "Types d'incidents et niveau de support",
            "Types d'incidents et niveau d'assistance",
            "Types d'incidents",
            "Arten von Vorfällen und Umfang der Unterstützung",
            "Arten von Vorfällen",
            "Vorfallarten",
            "Tipos de incidentes y nivel de soporte",
            "Tipos de incidentes y nivel de apoyo",
            "Tipos de incidentes",
            "Tipi di incidenti e livello di supporto",
            "Tipologie di incidenti",
            "Tipi di incidente",
            "Soorten incidenten en niveau van ondersteuning",
            "Soorten incidenten",
            "Tipos de incidentes e nível de suporte",
            "Tipos de incidentes e nível de apoio",
            "インシデントの種類とサポートのレベル",
            "インシデントの種類",
            "インシデントの種類とサポートレベル",
        ],
    ),
    (
        Field::Cooperation,
        &[
            "Co-operation, Interaction and Disclosure of Information",
            "Cooperation, Interaction and Disclosure of Information",
            "Co-operation",
            "Cooperation",
            "Disclosure of Information",
            "Interaction and Disclosure of Information",
            "Kerja sama, Interaksi dan Pengungkapan Informasi",
            "Kerjasama, Interaksi dan Pengungkapan Informasi",
            "Kerja sama",
            "Kerjasama",
            "Pengungkapan Informasi",
            "Coopération, interaction et divulgation d'informations",
            "Coopération",
            "Divulgation d'informations",
            "Coopération, interaction et partage d'informations",
            "Zusammenarbeit, Interaktion und Weitergabe von Informationen",
            "Zusammenarbeit",
            "Kooperation",
            "Cooperación, interacción y divulgación de información",
            "Cooperación",
            "Cooperazione, interazione e divulgazione delle informazioni",
            "Cooperazione",
            "Collaborazione",
            "Samenwerking, interactie en openbaarmaking van informatie",
            "Samenwerking",
            "Cooperação, interação e divulgação de informações",
            "Cooperação",
            "Cooperação, interacção e divulgação de informação",
            "協力、相互作用、情報開示",
            "協力、相互作用および情報開示",
            "協力",
            "情報開示",
        ],
    ),
    (
        Field::Communication,
        &[
            "Communication and Authentication",
            "Communication",
            "Secure communication",
            "Komunikasi dan Autentikasi",
            "Komunikasi dan Otentikasi",
            "Komunikasi",
            "Communication et authentification",
            "Kommunikation und Authentifizierung",
            "Kommunikation",
            "Comunicación y autenticación",
            "Comunicazione e autenticazione",
            "Communicatie en authenticatie",
            "Comunicação e autenticação",
            "通信と認証",
            "コミュニケーションと認証",
        ],
    ),
    (
        Field::ServicesGroup,
        &[
            "Services",
            "Service",
            "Services offered",
            "Layanan",
            "Layanan-layanan",
            "Dienste",
            "Dienstleistungen",
            "Servicios",
            "Servizi",
            "Diensten",
            "Dienstverlening",
            "Serviços",
            "サービス",
        ],
    ),
    (
        Field::IncidentResponse,
        &[
            "Incident Response",
            "Incident Handling",
            "Reactive Services",
            "Incident Triage",
            "Incident Coordination",
            "Incident Resolution",
            "Main Services",
            "Core Services",
            "Layanan Utama",
            "Layanan Reaktif",
            "Penanganan Insiden",
            "Respon Insiden",
            "Triase Insiden",
            "Koordinasi Insiden",
            "Resolusi Insiden",
            "Pemberian Peringatan",
            "Réponse aux incidents",
            "Traitement des incidents",
            "Gestion des incidents",
            "Services réactifs",
            "Reaktion auf Vorfälle",
            "Vorfallbearbeitung",
            "Behandlung von Sicherheitsvorfällen",
            "Reaktive Dienste",
            "Respuesta a incidentes",
            "Gestión de incidentes",
            "Servicios reactivos",
            "Risposta agli incidenti",
            "Gestione degli incidenti",
            "Servizi reattivi",
            "Incidentrespons",
            "Reactie op incidenten",
            "Incidentafhandeling",
            "Reactieve diensten",
            "Resposta a incidentes",
            "Tratamento de incidentes",
            "Serviços reativos",
            "インシデント対応",
            "インシデントレスポンス",
            "インシデントのトリアージ",
            "インシデントの調整",
            "インシデントの解決",
        ],
    ),
    (
        Field::Proactive,
        &[
            "Proactive Activities",
            "Proactive Services",
            "Proactive",
            "Additional Services",
            "Layanan Tambahan",
            "Layanan Proaktif",
            "Aktivitas Proaktif",
            "Kegiatan Proaktif",
            "Activités proactives",
            "Services proactifs",
            "Proaktive Tätigkeiten",
            "Proaktive Dienste",
            "Actividades proactivas",
            "Servicios proactivos",
            "Attività proattive",
            "Servizi proattivi",
            "Proactieve activiteiten",
            "Proactieve diensten",
            "Atividades proativas",
            "Actividades proactivas",
            "Serviços proativos",
            "プロアクティブな活動",
            "予防活動",
            "事前対策",
        ],
    ),
    (
        Field::ReportingForms,
        &[
            "Incident Reporting Forms",
            "Incident Reporting Form",
            "Reporting Forms",
            "Incident Reporting",
            "Reporting an incident",
            "Pelaporan Insiden",
            "Formulir Pelaporan Insiden",
            "Form Pelaporan Insiden",
            "Formulir Aduan",
            "Alamat Pelaporan",
            "Formulaires de déclaration d'incident",
            "Formulaire de signalement d'incident",
            "Déclaration d'incident",
            "Signalement d'incidents",
            "Formulare zur Meldung von Vorfällen",
            "Meldeformulare",
            "Vorfallmeldung",
            "Meldung von Vorfällen",
            "Formularios de notificación de incidentes",
            "Formulario de notificación de incidentes",
            "Notificación de incidentes",
            "Moduli di segnalazione degli incidenti",
            "Modulo di segnalazione",
            "Segnalazione di incidenti",
            "Formulieren voor het melden van incidenten",
            "Meldformulieren",
            "Incidenten melden",
            "Formulários de notificação de incidentes",
            "Formulário de notificação",
            "Notificação de incidentes",
            "インシデント報告フォーム",
            "インシデント報告",
        ],
    ),
    (
        Field::Disclaimers,
        &[
            "Disclaimers",
            "Disclaimer",
            "Legal disclaimer",
            "Penafian",
            "Disclaimer",
            "Avertissements",
            "Clause de non-responsabilité",
            "Avertissement",
            "Limitation de responsabilité",
            "Haftungsausschluss",
            "Haftungsausschlüsse",
            "Descargos de responsabilidad",
            "Exención de responsabilidad",
            "Aviso legal",
            "Limitación de responsabilidad",
            "Esclusione di responsabilità",
            "Dichiarazione di non responsabilità",
            "Limitazioni di responsabilità",
            "Vrijwaring",
            "Aansprakelijkheid",
            "Isenção de responsabilidade",
            "Exoneração de responsabilidade",
            "Aviso legal",
            "免責事項",
            "免責",
        ],
    ),
];

/// Words that carry no meaning in a heading and vary between teams.
const FILLER: &[&str] = &[
    "the", "a", "an", "of", "and", "or", "other", "this", "for", "to", "where", "dan", "atau",
    "untuk", "yang", "ini", "lain", "lainnya", "pada", "de", "la", "le", "les", "des", "du", "et",
    "l", "d", "der", "die", "das", "und", "von", "des", "el", "los", "las", "y", "del", "di", "e",
    "il", "van", "het", "en", "o", "da", "do", "dos", "ou", "oder", "ed", "en", "of",
];

/// A heading phrase after normalisation.
struct Phrase {
    field: Field,
    tokens: Vec<String>,
}

// FxHash: the keys are our own short words, and SipHash's resistance to
// chosen keys buys nothing while costing a tenth of a parse.
static INDEX: LazyLock<FxHashMap<String, Vec<Phrase>>> = LazyLock::new(|| {
    let mut index: FxHashMap<String, Vec<Phrase>> = FxHashMap::default();
    for (field, phrases) in PHRASES {
        for p in *phrases {
            let tokens: Vec<String> = tokens(p).into_iter().map(|t| t.norm).collect();
            if let Some(first) = tokens.first() {
                index.entry(first.clone()).or_default().push(Phrase {
                    field: *field,
                    tokens,
                });
            }
        }
    }
    for list in index.values_mut() {
        // Longest first: "Electronic Mail Address" must win over "Address".
        list.sort_by_key(|p| std::cmp::Reverse(p.tokens.len()));
    }
    index
});

/// A word of a heading with where it ends in the original text.
#[derive(Debug, Clone)]
pub struct Token {
    /// Lower-cased, accent-folded form.
    pub norm: String,
    /// Byte offset just past the word in the original text.
    pub end: usize,
}

/// Splits `s` into meaningful words (filler words dropped), folded for matching.
pub fn tokens(s: &str) -> Vec<Token> {
    Tokens::new(s).collect()
}

/// The meaningful words of a text one at a time.
struct Tokens<'a> {
    chars: std::str::CharIndices<'a>,
}

impl<'a> Tokens<'a> {
    fn new(s: &'a str) -> Self {
        Tokens {
            chars: s.char_indices(),
        }
    }

    /// The next word, filler or not.
    fn next_word(&mut self) -> Option<Token> {
        let mut cur = String::new();
        let mut end = 0;
        for (i, c) in self.chars.by_ref() {
            if c.is_ascii_alphanumeric() {
                // Nearly every heading letter: no case table, nothing to fold.
                cur.push(c.to_ascii_lowercase());
                end = i + 1;
            } else if c.is_alphanumeric() {
                for l in c.to_lowercase() {
                    cur.push(fold(l));
                }
                end = i + c.len_utf8();
            } else if !cur.is_empty() {
                break;
            }
        }
        (!cur.is_empty()).then_some(Token { norm: cur, end })
    }
}

impl Tokens<'_> {
    /// How many meaningful words are left, counted as `next` would yield
    /// them but without building them.
    fn count_rest(&mut self) -> usize {
        let mut n = 0;
        let mut buf = [0u8; 16];
        let mut len = 0;
        let mut long = false;
        let mut in_word = false;
        let end_word = |len: usize, long: bool, buf: &[u8; 16]| {
            let word = std::str::from_utf8(&buf[..len]).unwrap_or("");
            usize::from(long || !is_filler(word))
        };
        for (_, c) in self.chars.by_ref() {
            if c.is_alphanumeric() {
                in_word = true;
                for l in c.to_lowercase() {
                    let f = fold(l);
                    if f.is_ascii() && len < buf.len() {
                        buf[len] = f as u8;
                        len += 1;
                    } else {
                        long = true;
                    }
                }
            } else if in_word {
                n += end_word(len, long, &buf);
                (len, long, in_word) = (0, false, false);
            }
        }
        if in_word {
            n += end_word(len, long, &buf);
        }
        n
    }
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        loop {
            let t = self.next_word()?;
            if t.norm == "e" {
                // "E-mail" is one word, not the filler "e" (Italian and
                // Portuguese "and") before "mail": else "E-mail address"
                // and a postal "Mail address" would read alike.
                let mut ahead = Tokens {
                    chars: self.chars.clone(),
                };
                if let Some(next) = ahead.next_word().filter(|n| n.norm.starts_with("mail")) {
                    self.chars = ahead.chars;
                    return Some(Token {
                        norm: format!("e{}", next.norm),
                        end: next.end,
                    });
                }
            }
            if !is_filler(&t.norm) {
                return Some(t);
            }
        }
    }
}

static FILLER_SET: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| FILLER.iter().copied().collect());

/// Bytes in the longest filler word: longer words skip the set lookup.
const FILLER_LONGEST: usize = longest(FILLER);

/// Bytes in the longest of `words`, computed at compile time so a bound on
/// a word list cannot drift from the list.
pub(crate) const fn longest(words: &[&str]) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < words.len() {
        if words[i].len() > n {
            n = words[i].len();
        }
        i += 1;
    }
    n
}

fn is_filler(norm: &str) -> bool {
    norm.len() <= FILLER_LONGEST && FILLER_SET.contains(norm)
}

/// Folds the accented letters used by the supported languages.
pub fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        c => c,
    }
}

/// A heading phrase found at the start of some words.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// The field the phrase stands for.
    pub field: Field,
    /// How many of the words the phrase covers.
    pub matched: usize,
    /// How many meaningful words there were.
    pub total: usize,
    /// Byte offset just past the matched words in the original text.
    pub end: usize,
}

impl Match {
    /// Share of the words covered by the phrase.
    pub fn coverage(&self) -> f32 {
        self.matched as f32 / self.total.max(1) as f32
    }
}

/// The longest known phrase at the start of `text`, if any.
pub fn match_prefix(text: &str) -> Option<Match> {
    if !may_start_phrase(text) {
        return None;
    }
    // A phrase is a few words: only those are folded into tokens; the rest
    // of the text is counted (for `coverage`) without allocating.
    let mut words = Tokens::new(text);
    let toks: Vec<Token> = words.by_ref().take(*LONGEST_PHRASE).collect();
    let mut m = match_tokens(&toks, 0)?;
    m.total += words.count_rest();
    Some(m)
}

/// Words in the longest known phrase.
static LONGEST_PHRASE: LazyLock<usize> = LazyLock::new(|| {
    INDEX
        .values()
        .flatten()
        .map(|p| p.tokens.len())
        .max()
        .unwrap_or(1)
});

/// False when the first meaningful word of `text` starts no known phrase,
/// which is so for most lines of a document; read without allocating, with
/// the same folding as [`tokens`]. Every phrase starts with an indexed
/// word, except Japanese ones, which are matched inside a word: a word with
/// a letter that does not fold to ASCII says true.
fn may_start_phrase(text: &str) -> bool {
    let mut buf = [0u8; 32];
    let mut len = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i <= bytes.len() {
        let (c, width) = match bytes.get(i) {
            None => (' ', 1),
            Some(&b) if b.is_ascii() => (char::from(b), 1),
            Some(_) => {
                let c = text[i..].chars().next().unwrap_or(' ');
                (c, c.len_utf8())
            }
        };
        i += width;
        if c.is_ascii_alphanumeric() {
            if len == buf.len() {
                return true;
            }
            buf[len] = c.to_ascii_lowercase() as u8;
            len += 1;
        } else if !c.is_ascii() && c.is_alphanumeric() {
            for l in c.to_lowercase() {
                let f = fold(l);
                if !f.is_ascii() || len == buf.len() {
                    return true;
                }
                buf[len] = f as u8;
                len += 1;
            }
        } else if len > 0 {
            let word = std::str::from_utf8(&buf[..len]).unwrap_or_default();
            if !is_filler(word) {
                return INDEX.contains_key(word);
            }
            len = 0;
        }
    }
    false
}

/// The longest known phrase starting at token `from`.
pub fn match_tokens(toks: &[Token], from: usize) -> Option<Match> {
    let first = toks.get(from)?;
    let candidates = INDEX.get(&first.norm).map(|v| v.as_slice()).unwrap_or(&[]);
    for p in candidates {
        let n = p.tokens.len();
        if from + n <= toks.len()
            && toks[from..from + n]
                .iter()
                .zip(&p.tokens)
                .all(|(a, b)| &a.norm == b)
        {
            return Some(Match {
                field: p.field,
                matched: n,
                total: toks.len() - from,
                end: toks[from + n - 1].end,
            });
        }
    }
    match_cjk(toks, from)
}

/// Japanese headings have no spaces: the phrase is a prefix of one token.
fn match_cjk(toks: &[Token], from: usize) -> Option<Match> {
    let t = toks.get(from)?;
    if t.norm.is_ascii() {
        return None;
    }
    let mut best: Option<(usize, Field)> = None;
    for (field, phrases) in PHRASES {
        for p in *phrases {
            if !p.is_ascii() && t.norm.starts_with(p) && best.is_none_or(|(l, _)| p.len() > l) {
                best = Some((p.len(), *field));
            }
        }
    }
    let (len, field) = best?;
    // Count the phrase as a whole token only when it covers most of it.
    let matched = if len * 2 >= t.norm.len() { 1 } else { 0 };
    Some(Match {
        field,
        matched: matched.max(1),
        total: toks.len() - from,
        end: t.end - (t.norm.len() - len),
    })
}

/// The best known phrase anywhere in `text`, for headings such as
/// "Informasi Mengenai Dokumen" that put a word in front of the phrase.
pub fn match_anywhere(text: &str) -> Option<Match> {
    let toks = tokens(text);
    let mut best: Option<Match> = None;
    for i in 0..toks.len() {
        if let Some(mut m) = match_tokens(&toks, i) {
            m.total = toks.len();
            if best.is_none_or(|b| m.matched > b.matched) {
                best = Some(m);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(s: &str) -> Option<Field> {
        match_prefix(s).map(|m| m.field)
    }

    #[test]
    fn english_indonesian_french_japanese() {
        assert_eq!(field("Date of Last Update"), Some(Field::LastUpdate));
        assert_eq!(field("Tanggal Update Terakhir"), Some(Field::LastUpdate));
        assert_eq!(field("Fuseau horaire"), Some(Field::TimeZone));
        assert_eq!(field("最終更新日:"), Some(Field::LastUpdate));
        assert_eq!(field("公開キーと暗号化情報"), Some(Field::PublicKeys));
    }

    /// The quick first-word check never rejects a line the full match
    /// accepts, whatever the accents, filler words and punctuation.
    #[test]
    fn the_first_word_check_agrees_with_the_match() {
        for t in [
            "Zone horaire : CET",
            "Équipe de réponse",
            "Électronique",
            "The Time Zone",
            "— Time zone",
            "â€™ Time zone",
            "連絡先 情報",
            "2.3 Time",
            "Téléphone",
            "of the of the Constituency",
        ] {
            if match_prefix(t).is_some()
                || tokens(t)
                    .first()
                    .is_some_and(|f| INDEX.contains_key(&f.norm))
            {
                assert!(may_start_phrase(t), "{t}");
            }
        }
        assert!(!may_start_phrase("Whereas the team"));
    }

    #[test]
    fn longest_phrase_wins() {
        assert_eq!(field("Electronic Mail Address"), Some(Field::Email));
        assert_eq!(field("E-mail address"), Some(Field::Email));
        assert_eq!(field("E-Mail-Adresse"), Some(Field::Email));
        assert_eq!(field("Mail address"), Some(Field::Address));
        // Counting the words after a phrase gives what tokenising them would.
        for t in [
            "Time zone: CET, which is GMT+0100 (+0200 during day-light saving time)",
            "E-mail address of the team e la squadra für Zürich-Ost überall",
            "Electronic Mail Address averyveryveryverylongwordhere and café",
            "Team Name",
        ] {
            assert_eq!(match_prefix(t).unwrap().total, tokens(t).len(), "{t}");
        }
        assert_eq!(
            field("Alamat Surat Elektronik (E-mail)"),
            Some(Field::Email)
        );
        assert_eq!(field("ALAMAT"), Some(Field::Address));
    }

    #[test]
    fn trailing_value_is_left_over() {
        let text = "Date of Last Update This is version 1.0";
        let m = match_prefix(text).unwrap();
        assert_eq!(&text[m.end..], " This is version 1.0");
    }

    #[test]
    fn accents_and_filler_are_ignored() {
        assert_eq!(
            field("Date de la derniere mise a jour"),
            Some(Field::LastUpdate)
        );
        assert_eq!(
            field("Public keys and other encryption information"),
            Some(Field::PublicKeys)
        );
    }
}
