//! Which tenant an inventory row belongs to.

use std::fmt;

use url::Url;

/// A ConductorOne tenant, named by the host[:port] credboard reaches it at: the API
/// endpoint's when one is configured, else the host in the client id (`name@HOST/pcc`).
/// Lower case, with the scheme's default port dropped, so every spelling of one tenant is
/// one key, and two profiles of one tenant share its rows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tenant(String);

/// Why no tenant could be read from a configuration value. The value itself is never
/// quoted: a client secret pasted into the wrong place must not be echoed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantError {
    #[error("the client id names no tenant host (expected name@HOST/pcc)")]
    ClientIdWithoutHost,
    #[error("the API endpoint is not a host[:port] or an https URL ({0})")]
    BadEndpoint(String),
}

impl Tenant {
    /// From an API endpoint: a URL, or host[:port] (http for loopback hosts and https for
    /// the rest, as the client reads it).
    pub fn from_endpoint(endpoint: &str) -> Result<Tenant, TenantError> {
        let endpoint = endpoint.trim();
        let bad = |e: url::ParseError| TenantError::BadEndpoint(e.to_string());
        let url = if endpoint.contains("://") {
            Url::parse(endpoint).map_err(bad)?
        } else {
            let probe = Url::parse(&format!("http://{endpoint}")).map_err(bad)?;
            if is_loopback(&probe) {
                probe
            } else {
                Url::parse(&format!("https://{endpoint}")).map_err(bad)?
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| TenantError::BadEndpoint("no host".into()))?;
        // `Url` lower-cases the host and leaves out a port that is the scheme's default.
        Ok(Tenant(match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        }))
    }

    /// From a client id, `name@HOST/pcc`.
    pub fn from_client_id(client_id: &str) -> Result<Tenant, TenantError> {
        let host = crate::api::auth::host_from_client_id(client_id)
            .map_err(|_| TenantError::ClientIdWithoutHost)?;
        Tenant::from_endpoint(host)
    }

    /// The tenant a configuration reaches, as the client picks it: the endpoint when one is
    /// set, else the client id's host. `None` when neither is configured.
    pub fn of_configuration(
        endpoint: Option<&str>,
        client_id: Option<&str>,
    ) -> Option<Result<Tenant, TenantError>> {
        match (endpoint, client_id) {
            (Some(endpoint), _) => Some(Tenant::from_endpoint(endpoint)),
            (None, Some(id)) => Some(Tenant::from_client_id(id)),
            (None, None) => None,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(endpoint: &str) -> String {
        Tenant::from_endpoint(endpoint).unwrap().0
    }

    #[test]
    fn every_spelling_of_one_tenant_is_one_key() {
        for spelling in [
            "acme.conductor.one",
            "ACME.Conductor.One",
            "acme.conductor.one:443",
            "https://acme.conductor.one",
            "https://acme.conductor.one:443/",
            " https://ACME.conductor.one/api ",
        ] {
            assert_eq!(tenant(spelling), "acme.conductor.one", "{spelling}");
        }
        assert_eq!(
            Tenant::from_client_id("strange-hydra-68836@Acme.Conductor.One/pcc")
                .unwrap()
                .0,
            "acme.conductor.one"
        );
        assert_eq!(tenant("acme.conductor.one:8443"), "acme.conductor.one:8443");
        // Loopback is reached over http, as the client does: port 80 is its default.
        assert_eq!(tenant("127.0.0.1:80"), "127.0.0.1");
        assert_eq!(tenant("http://127.0.0.1:41234"), "127.0.0.1:41234");
        assert_eq!(tenant("127.0.0.1:41234"), "127.0.0.1:41234");
    }

    #[test]
    fn the_endpoint_wins_over_the_client_id_and_nothing_is_no_tenant() {
        let t =
            Tenant::of_configuration(Some("proxy.example.com"), Some("x@acme.conductor.one/pcc"));
        assert_eq!(t.unwrap().unwrap().0, "proxy.example.com");
        let t = Tenant::of_configuration(None, Some("x@acme.conductor.one/pcc"));
        assert_eq!(t.unwrap().unwrap().0, "acme.conductor.one");
        assert!(Tenant::of_configuration(None, None).is_none());
    }

    #[test]
    fn a_bad_value_is_refused_without_being_quoted() {
        let secret = "secret-token:conductorone.com:v1:eyJrdHkiOiJPS1Ai";
        for e in [
            Tenant::from_client_id(secret).unwrap_err(),
            Tenant::from_endpoint("https://").unwrap_err(),
            Tenant::from_endpoint("a b c").unwrap_err(),
        ] {
            assert!(!e.to_string().contains("eyJ"), "{e}");
        }
    }
}
