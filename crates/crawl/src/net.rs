//! Which addresses the crawler may talk to, and what a "host" is.
//!
//! A seed must not turn the crawler into a probe of the operator's network,
//! so by default every address is checked after DNS resolution, for the
//! first request and after every redirect: loopback, private, link-local,
//! shared, documentation, multicast and other non-global ranges are refused.
//! The same check runs inside reqwest's resolver, so a name that resolves
//! differently a moment later is still caught.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether `ip` is on the public internet.
pub fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_global_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_global_v4(v4);
            }
            is_global_v6(v6)
        }
    }
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

/// Resolves `host:port`, keeping only addresses the policy allows.
pub async fn resolve(
    host: &str,
    port: u16,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, ResolveError> {
    let host_only = host.trim_start_matches('[').trim_end_matches(']');
    let all: Vec<SocketAddr> = match host_only.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host_only, port))
            .await
            .map_err(|e| ResolveError::Dns(format!("{host}: {e}")))?
            .collect(),
    };
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
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_private;
        Box::pin(async move {
            let addrs = resolve(name.as_str(), 0, allow)
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })?;
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// The resolver as reqwest wants it.
pub fn resolver(allow_private: bool) -> Arc<PolicyResolver> {
    Arc::new(PolicyResolver { allow_private })
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

    #[tokio::test]
    async fn loopback_literals_are_refused_unless_allowed() {
        assert!(matches!(
            resolve("127.0.0.2", 80, false).await,
            Err(ResolveError::Refused(_))
        ));
        assert_eq!(
            resolve("127.0.0.2", 80, true).await.unwrap(),
            ["127.0.0.2:80".parse().unwrap()]
        );
    }
}
