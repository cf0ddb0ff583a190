//! `credboard demo-server`: the demo tenant in the foreground, with what a user needs to
//! reach it printed on the terminal. The only place in `demo` that prints.

use std::time::Duration;

use super::{DemoOptions, DemoServer, Scale};

/// Starts a demo tenant on 127.0.0.1:`port` (0: any free port) whose minted credentials are
/// used `first_use_after` they are minted, prints the endpoint, the demo client id and
/// secret and example curl commands, and serves until Ctrl-C.
pub async fn run_foreground(
    port: u16,
    scale: Option<Scale>,
    first_use_after: Duration,
) -> std::io::Result<()> {
    let server = DemoServer::start(DemoOptions {
        port,
        scale,
        first_use_after: Some(first_use_after),
        ..DemoOptions::default()
    })
    .await?;
    println!("{}", banner(&server, scale, first_use_after));
    tokio::signal::ctrl_c().await?;
    println!("\nStopping the demo tenant.");
    server.shutdown().await;
    Ok(())
}

fn banner(server: &DemoServer, scale: Option<Scale>, first_use_after: Duration) -> String {
    let endpoint = server.endpoint();
    let client_id = server.client_id();
    // This is a throwaway key of a local demo server: showing it is the point.
    let secret = server.client_secret();
    let secret = secret.expose();
    let size = server.size();
    let tenant = format!(
        "{}: {} apps, {} connectors, {} credentials",
        if scale.is_some() {
            "generated"
        } else {
            "seeded from assets/demo-tenant.json"
        },
        size.apps,
        size.connectors,
        size.credentials
    );
    format!(
        "credboard demo tenant: a local stand-in for a ConductorOne tenant ({tenant})

  endpoint       {endpoint}
  client id      {client_id}
  client secret  {secret}

Use it from a shell (or with cone / the ConductorOne SDKs):

  export CONE_CLIENT_ID='{client_id}'
  export CONE_CLIENT_SECRET='{secret}'
  export CONE_API_ENDPOINT='{endpoint}'

Get a token (the documented client_secret form) and list the apps:

  TOKEN=$(curl -s {endpoint}/auth/v1/token \\
    -d grant_type=client_credentials \\
    --data-urlencode \"client_id=$CONE_CLIENT_ID\" \\
    --data-urlencode \"client_secret=$CONE_CLIENT_SECRET\" \\
    | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')
  curl -s -H \"Authorization: Bearer $TOKEN\" '{endpoint}/api/v1/apps?page_size=10'

A credential minted by rotate is used by its connector {first_use_after:?} after it is minted
(--first-use-after), so `credboard rotate APP CONN --replace` runs to the end.

Times are relative to now; ids are the same on every start. Press Ctrl-C to stop."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_banner_names_everything_a_client_needs() {
        let server = DemoServer::start(DemoOptions::default()).await.unwrap();
        let text = banner(&server, None, Duration::from_secs(5));
        assert!(text.contains(&server.endpoint()));
        assert!(text.contains(&server.client_id()));
        assert!(text.contains(server.client_secret().expose()));
        assert!(text.contains("/auth/v1/token"));
        assert!(text.contains("/api/v1/apps"));
        assert!(text.contains("used by its connector 5s after"), "{text}");
        server.shutdown().await;
    }
}
