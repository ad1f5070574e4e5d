//! Lookups at the directory's scale, and beyond: 1,500 teams whose
//! constituencies state 50,000 prefixes (IPv4 and IPv6) and 20,000 domain
//! suffixes, asked a million addresses and domains in process, then
//! through `/v1/lookup` over loopback.
//!
//! Prints p50 and p99 per lookup in process (target: p99 under 20 µs), the
//! same through the API with a few keep-alive connections (target: p99
//! under 1 ms, no errors), and the process's peak resident memory.
//!
//! Run: `cargo bench --bench lookup` (`CSIRT_BENCH_LOOKUPS` sets how many
//! in-process lookups, a million by default; `CSIRT_BENCH_SECONDS` the API
//! phase, 10 s by default).

mod load;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use csirt_index::lookup::Query;
use csirt_index::{Entry, Index};
use csirt_parse::{Constituency, ScopeKind};
use load::{env, load, pct, peak_rss_mb, report};

const TEAMS: usize = 1_500;
const PREFIXES: usize = 50_000;
const DOMAINS: usize = 20_000;

/// SplitMix64: the same directory on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A prefix of a realistic length: IPv4 /16 to /28, IPv6 /32 to /64 in
/// the global unicast space (2000::/3), each drawn at random, so that few
/// teams claim the same block, as in a real directory.
fn prefix(r: &mut Rng) -> ipnet::IpNet {
    if r.next().is_multiple_of(4) {
        let len = 32 + (r.next() % 33) as u8;
        let high = (0x2000u128 | (r.next() as u128 & 0x1fff)) << 112;
        let a = Ipv6Addr::from(high | (r.next() as u128) << 48);
        ipnet::IpNet::V6(ipnet::Ipv6Net::new(a, len).unwrap().trunc())
    } else {
        let len = 16 + (r.next() % 13) as u8;
        let a = Ipv4Addr::from(r.next() as u32);
        ipnet::IpNet::V4(ipnet::Ipv4Net::new(a, len).unwrap().trunc())
    }
}

fn directory() -> (Vec<Entry>, Vec<ipnet::IpNet>, Vec<String>) {
    let mut r = Rng(2350);
    let mut scopes = vec![Constituency::default(); TEAMS];
    let mut nets = Vec::with_capacity(PREFIXES);
    for i in 0..PREFIXES {
        let n = prefix(&mut r);
        scopes[i % TEAMS].note(
            ScopeKind::Network,
            n.to_string(),
            Some("3.2"),
            10 + i % 40,
            "",
        );
        nets.push(n);
    }
    let tlds = [
        "ca", "lu", "id", "de", "fr", "org", "edu", "ac.at", "go.id", "gov.uk",
    ];
    let mut domains = Vec::with_capacity(DOMAINS);
    for i in 0..DOMAINS {
        let d = format!("org{}-{}.{}", i, r.next() % 1000, tlds[i % tlds.len()]);
        scopes[(i * 7) % TEAMS].note(ScopeKind::Domain, d.clone(), Some("3.2"), 12, "");
        domains.push(d);
    }
    let entries = scopes
        .into_iter()
        .enumerate()
        .map(|(i, scope)| Entry {
            team_id: i as u64,
            name: format!("TEAM-{i}"),
            country: "LU".into(),
            record: format!(r#"{{"contact":{{"emails":["cert@team{i}.example"]}}}}"#),
            url: format!("https://team{i}.example/rfc2350.txt"),
            scope,
            ..Entry::default()
        })
        .collect();
    (entries, nets, domains)
}

/// An address inside `n`, or a random one (a miss) every fourth time.
fn address(r: &mut Rng, nets: &[ipnet::IpNet]) -> IpAddr {
    let n = nets[(r.next() % nets.len() as u64) as usize];
    match (r.next() % 4, n) {
        (0, _) => IpAddr::V4(Ipv4Addr::from(r.next() as u32)),
        (_, ipnet::IpNet::V4(n)) => {
            let host = (r.next() as u32) & !u32::from(n.netmask());
            IpAddr::V4(Ipv4Addr::from(u32::from(n.network()) | host))
        }
        (_, ipnet::IpNet::V6(n)) => {
            let host = (r.next() as u128) & !u128::from(n.netmask());
            IpAddr::V6(Ipv6Addr::from(u128::from(n.network()) | host))
        }
    }
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort_unstable();
    v[((v.len() - 1) as f64 * p) as usize]
}

fn main() {
    let lookups = env("CSIRT_BENCH_LOOKUPS", 1_000_000);
    let seconds = env("CSIRT_BENCH_SECONDS", 10) as u64;
    let dir = tempfile::tempdir().unwrap();
    let (entries, nets, domains) = directory();
    let t = Instant::now();
    let index = Index::open(&dir.path().join("search")).unwrap();
    index.rebuild(entries).unwrap();
    let indexed = t.elapsed();
    let t = Instant::now();
    let table = index.table().unwrap();
    let built = t.elapsed();
    println!(
        "{TEAMS} teams, {PREFIXES} prefixes, {DOMAINS} domain suffixes: indexed in {:.2} s, lookup table built in {:.0} ms",
        indexed.as_secs_f64(),
        built.as_secs_f64() * 1e3
    );

    let mut r = Rng(9);
    let mut ip_lat = Vec::with_capacity(lookups / 2);
    let mut dom_lat = Vec::with_capacity(lookups / 2);
    let mut answered = 0usize;
    for i in 0..lookups {
        let q = if i % 2 == 0 {
            Query {
                ip: Some(address(&mut r, &nets)),
                ..Query::default()
            }
        } else {
            let d = &domains[(r.next() % domains.len() as u64) as usize];
            Query {
                domain: Some(format!("mail.www.{d}")),
                ..Query::default()
            }
        };
        let t = Instant::now();
        let m = table.lookup(&q, &());
        let took = t.elapsed();
        answered += usize::from(!m.is_empty());
        std::hint::black_box(m);
        if i % 2 == 0 {
            ip_lat.push(took);
        } else {
            dom_lat.push(took);
        }
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!("in process, {lookups} lookups ({answered} answered):");
    for (what, lat) in [("address", &mut ip_lat), ("domain", &mut dom_lat)] {
        println!(
            "  {what:<8} p50 {:>6.2} µs  p99 {:>6.2} µs  (target: p99 under 20 µs)",
            us(percentile(lat, 0.50)),
            us(percentile(lat, 0.99))
        );
    }
    drop(index);

    // Through the API: the server's own accept loop and router.
    let app = csirt_serve::App::open(csirt_serve::Config::new(dir.path())).unwrap();
    let (_rt, addr) = load::serve(&app);
    let mut paths = Vec::new();
    for i in 0..20_000 {
        if i % 2 == 0 {
            paths.push(format!("/v1/lookup?ip={}", address(&mut r, &nets)));
        } else {
            let d = &domains[(r.next() % domains.len() as u64) as usize];
            paths.push(format!("/v1/lookup?domain=mail.{d}"));
        }
    }
    let connections = env("CSIRT_BENCH_CONNECTIONS", 4);
    let phase = load(addr, Arc::new(paths), connections, seconds);
    report("/v1/lookup", &phase);
    println!(
        "  through the API, {connections} connections: p50 {:.3} ms, p99 {:.3} ms (target: under 1 ms), errors {} (target 0)",
        pct(&phase.latencies, 0.50),
        pct(&phase.latencies, 0.99),
        phase.errors
    );
    println!(
        "peak RSS {:.0} MB (index, table, server and client)",
        peak_rss_mb()
    );
}
