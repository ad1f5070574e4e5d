//! `GET /openapi.json`: an OpenAPI 3 description of the API. The tests
//! check that it lists exactly the routes the router serves, with their
//! parameters.

use serde_json::{json, Value};

fn param(name: &str, location: &str, required: bool, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": location, "required": required, "schema": schema, "description": description})
}

fn limit_offset() -> Vec<Value> {
    vec![
        param(
            "limit",
            "query",
            false,
            json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
            "Results per page (at most 100).",
        ),
        param(
            "offset",
            "query",
            false,
            json!({"type": "integer", "minimum": 0, "maximum": 10000, "default": 0}),
            "Results to skip.",
        ),
    ]
}

fn ok(description: &str, schema: Value) -> Value {
    json!({
        "200": {"description": description, "content": {"application/json": {"schema": schema}}},
        "400": {"$ref": "#/components/responses/BadRequest"}
    })
}

/// `stale_after` and `at`: what staleness is judged with, on every route
/// that says what is stale.
fn when() -> Vec<Value> {
    vec![
        param(
            "stale_after",
            "query",
            false,
            json!({"type": "string", "pattern": "^[0-9]+[dw]?$", "default": "365d"}),
            "A Date of Last Update this old or older is stale: days (`730`, `730d`) or weeks (`52w`).",
        ),
        param(
            "at",
            "query",
            false,
            json!({"type": "string", "format": "date"}),
            "Judge staleness on this day (YYYY-MM-DD) instead of today.",
        ),
    ]
}

/// The outcome codes, best first.
fn outcomes() -> Value {
    let codes: Vec<&str> = csirt_store::Outcome::ALL.iter().map(|o| o.code()).collect();
    json!({"type": "string", "enum": codes, "nullable": true})
}

fn yes_no(name: &str, description: &str) -> Value {
    param(
        name,
        "query",
        false,
        json!({"type": "string", "enum": ["yes", "no"]}),
        description,
    )
}

/// The document.
pub fn document() -> Value {
    let team_id = param(
        "id",
        "path",
        true,
        json!({"type": "integer"}),
        "The team's id.",
    );
    let mut search_params = vec![param(
        "q",
        "query",
        true,
        json!({"type": "string", "maxLength": 512}),
        "A query in the csirt-find language, e.g. `constituency: universities Quebec`.",
    )];
    search_params.extend(limit_offset());
    search_params.extend(when());
    let mut team_params = vec![
        param(
            "country",
            "query",
            false,
            json!({"type": "string"}),
            "ISO 3166-1 code.",
        ),
        yes_no(
            "signed",
            "Only teams with (yes) or without (no) a valid signature.",
        ),
        yes_no("stale", "Only stale (yes) or current (no) teams."),
    ];
    team_params.extend(limit_offset());
    team_params.extend(when());
    let mut report_params = vec![
        param(
            "country",
            "query",
            false,
            json!({"type": "string"}),
            "ISO 3166-1 code.",
        ),
        param(
            "unsigned",
            "query",
            false,
            json!({"type": "boolean"}),
            "Only teams without a valid signature.",
        ),
        param(
            "stale",
            "query",
            false,
            json!({"type": "boolean"}),
            "Only stale teams.",
        ),
        param(
            "severity",
            "query",
            false,
            json!({"type": "string", "enum": ["error", "warning", "notice"]}),
            "Only findings at least this severe.",
        ),
        param(
            "code",
            "query",
            false,
            json!({"type": "string"}),
            "Only findings with this code.",
        ),
    ];
    report_params.extend(when());
    let mut lookup_params = vec![
        param(
            "ip",
            "query",
            false,
            json!({"type": "string"}),
            "An IPv4 or IPv6 address.",
        ),
        param(
            "domain",
            "query",
            false,
            json!({"type": "string"}),
            "A domain or host name.",
        ),
        param(
            "asn",
            "query",
            false,
            json!({"type": "string"}),
            "An AS number (`64500` or `AS64500`).",
        ),
        param(
            "country",
            "query",
            false,
            json!({"type": "string", "pattern": "^[A-Za-z]{2}$"}),
            "ISO 3166-1 alpha-2: teams of it, or the country whose national team answers.",
        ),
        param(
            "sector",
            "query",
            false,
            json!({"type": "string", "enum": csirt_index::Sector::ALL.iter().map(|s| s.code()).collect::<Vec<_>>()}),
            "Only teams of this sector.",
        ),
        param(
            "limit",
            "query",
            false,
            json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
            "Teams to return.",
        ),
    ];
    lookup_params.extend(when());
    let not_found = json!({"$ref": "#/components/responses/NotFound"});
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "csirt directory API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Read-only access to a directory of CSIRTs built from their RFC 2350 descriptions."
        },
        "paths": {
            "/v1/search": {"get": {
                "summary": "Search teams",
                "parameters": search_params,
                "responses": ok("Hits, best first", json!({"$ref": "#/components/schemas/SearchResults"}))
            }},
            "/v1/lookup": {"get": {
                "summary": "Who is responsible for an address, a domain or an AS number",
                "description": "The teams whose constituency states it, most specific first (longest prefix, longest domain suffix, AS number, region, country), each with why it answers; when none does, the national team of the country (given, of the domain's ccTLD, or from the RIRs' delegations).",
                "parameters": lookup_params,
                "responses": ok("Teams, most specific first", json!({"$ref": "#/components/schemas/LookupResults"}))
            }},
            "/v1/teams": {"get": {
                "summary": "List teams",
                "parameters": team_params,
                "responses": ok("A page of teams", json!({"$ref": "#/components/schemas/TeamList"}))
            }},
            "/v1/teams/{id}": {"get": {
                "summary": "One team: record, verification, findings, last crawl",
                "parameters": [team_id.clone()],
                "responses": {
                    "200": {"description": "The team", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Team"}}}},
                    "400": {"$ref": "#/components/responses/BadRequest"},
                    "404": not_found.clone()
                }
            }},
            "/v1/teams/{id}/history": {"get": {
                "summary": "A team's document versions and what changed",
                "parameters": [team_id],
                "responses": {
                    "200": {"description": "Versions, newest first", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/History"}}}},
                    "400": {"$ref": "#/components/responses/BadRequest"},
                    "404": not_found
                }
            }},
            "/v1/report": {"get": {
                "summary": "Findings, as csirt report",
                "parameters": report_params,
                "responses": ok("Summary, teams and findings", json!({"$ref": "#/components/schemas/Report"}))
            }},
            "/v1/changes.atom": {"get": {
                "summary": "New teams, new versions and changed signature outcomes (Atom)",
                "responses": {"200": {"description": "An Atom feed", "content": {"application/atom+xml": {"schema": {"type": "string"}}}}}
            }},
            "/healthz": {"get": {
                "summary": "Liveness",
                "responses": {"200": {"description": "Up", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string"}}}}}}}
            }},
            "/metrics": {"get": {
                "summary": "Prometheus metrics",
                "responses": {"200": {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}}
            }},
            "/openapi.json": {"get": {
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3", "content": {"application/json": {"schema": {"type": "object"}}}}}
            }}
        },
        "components": {
            "responses": {
                "BadRequest": {"description": "Bad input", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "NotFound": {"description": "No such team", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
                "Hit": {"type": "object", "properties": {
                    "score": {"type": "number"}, "team_id": {"type": "integer"}, "name": {"type": "string"},
                    "short_name": {"type": "string"}, "country": {"type": "string"},
                    "updated": {"type": "string", "format": "date", "nullable": true},
                    "outcome": outcomes(), "stale": {"type": "boolean"}, "url": {"type": "string"},
                    "snippet": {"type": "string"}, "summary": {"type": "object"},
                    "key_confirmed_by": {"type": "array", "items": {"type": "string"}}
                }},
                "SearchResults": {"type": "object", "required": ["total", "hits"], "properties": {
                    "query": {"type": "string"}, "total": {"type": "integer"}, "limit": {"type": "integer"},
                    "offset": {"type": "integer"}, "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}
                }},
                "Reason": {"type": "object", "properties": {
                    "kind": {"type": "string", "enum": ["domain", "network", "asn", "country", "region", "sector"]},
                    "value": {"type": "string"}, "section": {"type": "string", "nullable": true},
                    "line": {"type": "integer"}, "says": {"type": "string"}
                }},
                "LookupResults": {"type": "object", "required": ["total", "hits"], "properties": {
                    "query": {"type": "string"}, "total": {"type": "integer"},
                    "hits": {"type": "array", "items": {"allOf": [
                        {"$ref": "#/components/schemas/Hit"},
                        {"type": "object", "properties": {
                            "why": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}},
                            "fallback": {"type": "boolean"}
                        }}
                    ]}}
                }},
                "TeamState": {"type": "object", "properties": {
                    "team_id": {"type": "integer", "nullable": true}, "team": {"type": "string"}, "country": {"type": "string", "nullable": true},
                    "url": {"type": "string"}, "outcome": outcomes(), "last_update": {"type": "string", "nullable": true},
                    "age_days": {"type": "integer", "nullable": true}, "stale": {"type": "boolean"}, "unreachable": {"type": "boolean"},
                    "key_confirmed_by": {"type": "array", "items": {"type": "string"}, "description": "Directories that list the key that validly signed the team's document: a second channel confirming it."}
                }},
                "TeamList": {"type": "object", "required": ["total", "teams"], "properties": {
                    "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
                    "teams": {"type": "array", "items": {"$ref": "#/components/schemas/TeamState"}}
                }},
                "Finding": {"type": "object", "properties": {
                    "code": {"type": "string"}, "severity": {"type": "string"}, "team": {"type": "string"},
                    "country": {"type": "string", "nullable": true}, "url": {"type": "string"}, "line": {"type": "integer", "nullable": true},
                    "message": {"type": "string"}, "evidence": {"type": "string"}, "fix": {"type": "string"}
                }},
                "Team": {"type": "object", "properties": {
                    "team": {"$ref": "#/components/schemas/TeamState"},
                    "listing": {"type": "object", "nullable": true, "description": "What the public directories say of the team, each value with the directories that gave it (null for a team written by hand)."},
                    "discovery": {"type": "object", "nullable": true, "description": "For a team listed by website only: the site looked at, the documents found and the trail of URLs tried."},
                    "documents": {"type": "array", "items": {"type": "object", "properties": {
                        "url": {"type": "string"}, "record": {"type": "object"}, "verification": {"type": "object", "nullable": true},
                        "key_confirmed_by": {"type": "array", "items": {"type": "string"}}
                    }}},
                    "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
                    "last_crawl": {"type": "object", "nullable": true}
                }},
                "History": {"type": "object", "properties": {
                    "team_id": {"type": "integer"},
                    "documents": {"type": "array", "items": {"type": "object", "properties": {
                        "url": {"type": "string"},
                        "versions": {"type": "array", "items": {"type": "object"}}
                    }}}
                }},
                "Report": {"type": "object", "properties": {
                    "generated": {"type": "string"}, "stale_after_days": {"type": "integer"}, "summary": {"type": "object"},
                    "teams": {"type": "array", "items": {"$ref": "#/components/schemas/TeamState"}},
                    "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}}
                }}
            }
        }
    })
}
