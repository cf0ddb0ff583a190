//! What every command needs: the tenant's client, the inventory, the settings, and, with
//! `--demo`, the demo tenant and a throwaway inventory.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::api::client::{Limits, Timeouts};
use crate::api::{Client, ClientOptions};
use crate::cli::Global;
use crate::config::{self, ProfileFlags, Settings};
use crate::demo::{DemoOptions, DemoServer};
use crate::store::{Source, Store, TrackedId};

use super::CliError;

pub struct Context {
    pub profile: String,
    pub client: Client,
    pub store: Arc<Store>,
    pub settings: Settings,
    pub read_only: bool,
    /// Kept alive while the command runs; stopped when the context is dropped.
    pub demo: Option<DemoServer>,
    /// The demo's throwaway inventory directory, removed on drop.
    _demo_dir: Option<tempfile::TempDir>,
}

/// Loads the settings. Warnings (unknown keys, a secret file readable by others) go to
/// stderr; a file that does not parse stops the program before anything else happens.
pub fn settings(global: &Global) -> Result<Settings, CliError> {
    let (settings, warnings) =
        Settings::load(global.config.as_deref()).map_err(CliError::config)?;
    for w in warnings {
        eprintln!("warning: {}", super::shown(&w));
    }
    Ok(settings)
}

/// The settings' `request_timeout` (at least a second), the demo tenant's included.
fn timeouts(settings: &Settings) -> Timeouts {
    Timeouts {
        request: Duration::from_secs(settings.request_timeout.max(1)),
        ..Default::default()
    }
}

/// The settings' `max_reply_mib`.
fn limits(settings: &Settings) -> Limits {
    Limits {
        max_reply_bytes: settings.max_reply_mib.saturating_mul(1024 * 1024),
        ..Default::default()
    }
}

pub fn store_path(global: &Global) -> PathBuf {
    Store::default_path(global.data_dir.as_deref())
}

impl Context {
    pub async fn new(global: &Global) -> Result<Self, CliError> {
        let settings = settings(global)?;
        if global.demo {
            return Self::demo(global, settings).await;
        }
        let flags = ProfileFlags {
            profile: global.profile.clone(),
            client_id: global.client_id.clone(),
            client_secret: global.client_secret.clone(),
            api_endpoint: global.api_endpoint.clone(),
        };
        let home = config::home_dir();
        let resolved = config::resolve_profile(&flags, &config::process_env, home.as_deref())
            .map_err(CliError::config)?;
        for w in &resolved.warnings {
            eprintln!("warning: {}", super::shown(w));
        }
        let read_only = global.read_only || settings.is_read_only(&resolved.name);
        let client = Client::new(ClientOptions {
            client_id: resolved.client_id.clone(),
            client_secret: resolved.client_secret.clone(),
            access_token: resolved.access_token.clone(),
            endpoint: resolved.api_endpoint.clone(),
            timeouts: timeouts(&settings),
            limits: limits(&settings),
            ..Default::default()
        })
        .map_err(CliError::config)?;
        let store = Store::open(&store_path(global), &resolved.name).map_err(CliError::failed)?;
        Ok(Self {
            profile: resolved.name,
            client,
            store: Arc::new(store),
            settings,
            read_only,
            demo: None,
            _demo_dir: None,
        })
    }

    /// The demo tenant, and an inventory in a temporary directory seeded with its credential
    /// ids: the user's own inventory is never opened.
    async fn demo(global: &Global, settings: Settings) -> Result<Self, CliError> {
        let server = DemoServer::start(DemoOptions::default())
            .await
            .map_err(|e| CliError::failed(format!("the demo tenant could not start: {e}")))?;
        let dir = tempfile::tempdir()
            .map_err(|e| CliError::failed(format!("no temporary directory for the demo: {e}")))?;
        let store =
            Store::open(&dir.path().join(Store::FILE_NAME), "demo").map_err(CliError::failed)?;
        for (app, connector, credential) in server.tracked() {
            store
                .track(&TrackedId::new(app, connector, credential), Source::Import)
                .map_err(CliError::failed)?;
        }
        let client = Client::new(ClientOptions {
            client_id: Some(server.client_id()),
            client_secret: Some(server.client_secret()),
            endpoint: Some(server.endpoint()),
            timeouts: timeouts(&settings),
            limits: limits(&settings),
            ..Default::default()
        })
        .map_err(CliError::config)?;
        Ok(Self {
            profile: "demo".into(),
            client,
            store: Arc::new(store),
            read_only: global.read_only || settings.is_read_only("demo"),
            settings,
            demo: Some(server),
            _demo_dir: Some(dir),
        })
    }

    pub async fn close(self) {
        if let Some(server) = self.demo {
            server.shutdown().await;
        }
    }
}

/// The inventory alone, for commands that never reach the tenant (track, untrack, import,
/// journal). With `--demo` these still work, on a throwaway inventory.
pub fn open_store(global: &Global) -> Result<(Store, Option<tempfile::TempDir>), CliError> {
    if global.demo {
        let dir = tempfile::tempdir()
            .map_err(|e| CliError::failed(format!("no temporary directory for the demo: {e}")))?;
        let store =
            Store::open(&dir.path().join(Store::FILE_NAME), "demo").map_err(CliError::failed)?;
        return Ok((store, Some(dir)));
    }
    let profile = global
        .profile
        .clone()
        .or_else(|| config::process_env("CONE_PROFILE").filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".into());
    // A secret in --profile was refused with the other arguments; this is CONE_PROFILE's.
    crate::api::secret::refuse_misplaced_secret("CONE_PROFILE", &profile)
        .map_err(CliError::config)?;
    let store = Store::open(&store_path(global), &profile).map_err(CliError::failed)?;
    Ok((store, None))
}
