//! Which addresses the crawler may talk to, and what a "host" is.
//!
//! A seed must not turn the crawler into a probe of the operator's network,
//! so by default every address is checked after DNS resolution, for the
//! first request and after every redirect: loopback, private, link-local,
//! shared, documentation, multicast and other non-global ranges are refused.
//! The same check runs inside reqwest's resolver, on the connection's
//! addresses.
//!
//! A crawl looks each name up once ([`DnsCache`]): the host key, robots.txt
//! and the connection all ask, and a team's requests to one host used to
//! cost five or six lookups. The connection also uses the very answer that
//! was checked, so a name that answers a public address to the check and a
//! private one a moment later (DNS rebinding) gets no second chance.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tokio::sync::OnceCell;

/// Whether `ip` is on the public internet.
pub fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_global_v4(v4),
        IpAddr::V6(v6) => {
            let carried = carried_v4(v6);
            if carried.is_empty() {
                is_global_v6(v6)
            } else {
                // A packet to it ends at (or passes through) the IPv4
                // address it carries: that address decides, whatever the
                // kernel's routes make of the prefix today.
                carried.into_iter().all(is_global_v4)
            }
        }
    }
}

/// The IPv4 addresses an IPv6 address carries: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated but still
/// parsed), 6to4 (`2002:AABB:CCDD::/48`) and Teredo (`2001:0::/32`: the
/// server, and the client's address stored inverted).
fn carried_v4(ip: Ipv6Addr) -> Vec<Ipv4Addr> {
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if let Some(v4) = ip.to_ipv4_mapped() {
        return vec![v4];
    }
    if s[..6].iter().all(|&x| x == 0) {
        return vec![v4(s[6], s[7])];
    }
    if s[0] == 0x2002 {
        return vec![v4(s[1], s[2])];
    }
    if s[0] == 0x2001 && s[1] == 0 {
        return vec![v4(s[2], s[3]), v4(!s[6], !s[7])];
    }
    Vec::new()
}

fn is_global_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

fn is_global_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0064 && s[1] == 0xff9b)) // NAT64 can reach private v4
}

/// Addresses refused by policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{host} resolves only to non-public addresses ({addrs}); use --allow-private for intranets and tests")]
pub struct Refused {
    /// The host name.
    pub host: String,
    /// What it resolved to.
    pub addrs: String,
}

/// How long a crawl keeps a name's addresses. The system resolver does
/// not say a record's TTL; a few minutes spares the DNS servers a crawl's
/// repeated questions and still follows a server that moves during a long
/// crawl.
pub const DNS_KEEP: Duration = Duration::from_secs(300);

/// When a name was looked up, and its addresses.
type Answer = (Instant, Vec<IpAddr>);

/// The addresses of the names one crawl has looked up, for [`DNS_KEEP`].
/// Lookups of one name at the same moment wait for one answer; a failed
/// lookup is not kept, so a retry asks again.
#[derive(Debug, Default)]
pub struct DnsCache {
    names: Mutex<HashMap<String, Arc<OnceCell<Answer>>>>,
    lookups: AtomicU64,
}

impl DnsCache {
    /// Lookups sent to the system resolver so far.
    pub fn lookups(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }

    /// The addresses of `name`, from the cache when fresh.
    async fn lookup(&self, name: &str) -> Result<Vec<IpAddr>, ResolveError> {
        let key = name.to_ascii_lowercase();
        let cell = {
            let mut names = self.names.lock().unwrap_or_else(|p| p.into_inner());
            let fresh = names
                .get(&key)
                .filter(|c| c.get().is_none_or(|(at, _)| at.elapsed() < DNS_KEEP))
                .cloned();
            fresh.unwrap_or_else(|| {
                let c = Arc::new(OnceCell::new());
                names.insert(key.clone(), c.clone());
                c
            })
        };
        let (_, ips) = cell
            .get_or_try_init(|| async {
                self.lookups.fetch_add(1, Ordering::Relaxed);
                let found = tokio::net::lookup_host((key.as_str(), 0))
                    .await
                    .map_err(|e| ResolveError::Dns(format!("{name}: {e}")))?;
                Ok::<_, ResolveError>((Instant::now(), found.map(|a| a.ip()).collect()))
            })
            .await?;
        Ok(ips.clone())
    }
}

/// Resolves `host:port`, keeping only addresses the policy allows; names
/// are looked up through `cache`.
pub async fn resolve(
    host: &str,
    port: u16,
    allow_private: bool,
    cache: &DnsCache,
) -> Result<Vec<SocketAddr>, ResolveError> {
    let host_only = host.trim_start_matches('[').trim_end_matches(']');
    let ips = match host_only.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => cache.lookup(host_only).await?,
    };
    let all: Vec<SocketAddr> = ips
        .into_iter()
        .map(|ip| SocketAddr::new(ip, port))
        .collect();
    let allowed: Vec<SocketAddr> = all
        .iter()
        .copied()
        .filter(|a| allow_private || is_global(a.ip()))
        .collect();
    if allowed.is_empty() {
        if all.is_empty() {
            return Err(ResolveError::Dns(format!("{host}: no addresses")));
        }
        let addrs = all
            .iter()
            .map(|a| a.ip().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ResolveError::Refused(Refused {
            host: host.to_string(),
            addrs,
        }));
    }
    Ok(allowed)
}

/// Why a host has no usable address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// DNS failed.
    #[error("DNS: {0}")]
    Dns(String),
    /// Only non-public addresses.
    #[error(transparent)]
    Refused(#[from] Refused),
}

/// reqwest's resolver with the address policy applied.
#[derive(Clone)]
pub struct PolicyResolver {
    /// Lift the policy (tests, intranets).
    pub allow_private: bool,
    /// The crawl's lookups.
    pub cache: Arc<DnsCache>,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let (allow, cache) = (self.allow_private, self.cache.clone());
        Box::pin(async move {
            let addrs = resolve(name.as_str(), 0, allow, &cache)
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })?;
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// The resolver as reqwest wants it.
pub fn resolver(allow_private: bool, cache: Arc<DnsCache>) -> Arc<PolicyResolver> {
    Arc::new(PolicyResolver {
        allow_private,
        cache,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_global_ranges_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fc00::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "198.18.0.1",
        ] {
            assert!(!is_global(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "193.0.6.139", "2001:67c:2e8::1"] {
            assert!(is_global(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn ipv6_addresses_are_judged_by_the_ipv4_address_they_carry() {
        for ip in [
            // IPv4-compatible: 127.0.0.1, 10.0.0.1, the metadata address.
            "::7f00:1",
            "::127.0.0.1",
            "::10.0.0.1",
            "::169.254.169.254",
            // 6to4: 127.0.0.1, 192.168.1.1, 169.254.169.254.
            "2002:7f00:1::1",
            "2002:c0a8:101::",
            "2002:a9fe:a9fe::1",
            // Teredo, server 65.54.227.120, client 127.0.0.1 (inverted).
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            // Teredo, server 10.0.0.1, client 8.8.8.8.
            "2001:0:a00:1:8000:63bf:f7f7:f7f7",
        ] {
            assert!(!is_global(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "::808:808",
            "2002:808:808::1",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
        ] {
            assert!(is_global(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn loopback_literals_are_refused_unless_allowed() {
        let cache = DnsCache::default();
        assert!(matches!(
            resolve("127.0.0.2", 80, false, &cache).await,
            Err(ResolveError::Refused(_))
        ));
        assert_eq!(
            resolve("127.0.0.2", 80, true, &cache).await.unwrap(),
            ["127.0.0.2:80".parse().unwrap()]
        );
        // Loopback inside IPv6, as the kernel may not route it: still
        // loopback to the policy.
        for literal in ["::7f00:1", "2002:7f00:1::1"] {
            assert!(
                matches!(
                    resolve(literal, 80, false, &cache).await,
                    Err(ResolveError::Refused(_))
                ),
                "{literal}"
            );
        }
        // An address is not a name: nothing to look up.
        assert_eq!(cache.lookups(), 0);
    }

    #[tokio::test]
    async fn a_name_is_looked_up_once_and_checked_every_time() {
        // localhost comes from the hosts file: no network.
        let cache = DnsCache::default();
        let first = resolve("localhost", 80, true, &cache).await.unwrap();
        assert!(first.iter().all(|a| a.ip().is_loopback()), "{first:?}");
        let again = resolve("LOCALHOST", 443, true, &cache).await.unwrap();
        assert!(again.iter().all(|a| a.port() == 443));
        // Both at once: one lookup between them.
        let (a, b) = tokio::join!(
            resolve("localhost", 1, true, &cache),
            resolve("localhost", 2, true, &cache)
        );
        assert!(a.is_ok() && b.is_ok());
        assert_eq!(cache.lookups(), 1);
        // The policy still applies to what the cache holds.
        assert!(matches!(
            resolve("localhost", 80, false, &cache).await,
            Err(ResolveError::Refused(_))
        ));
        assert_eq!(cache.lookups(), 1);
    }
}
