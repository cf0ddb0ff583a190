//! What every command needs: the tenant's client, the inventory, the settings, and, with
//! `--demo`, the demo tenant and a throwaway inventory.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::api::client::{Limits, Timeouts};
use crate::api::{Client, ClientOptions};
use crate::app::keymap::Keymap;
use crate::cli::Global;
use crate::config::{self, ConfigError, ProfileFlags, Settings, SettingsFile, SettingsProblem};
use crate::demo::{DemoOptions, DemoServer};
use crate::model::{CredentialKey, Source};
use crate::ops::Ops;
use crate::store::{Store, Tenant};
use crate::tui::ui::theme::Palette;

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
/// stderr; a file with any problem stops the program before anything else happens.
pub fn settings(global: &Global) -> Result<Settings, CliError> {
    let (settings, warnings) = checked_settings(global)?;
    for w in warnings {
        eprintln!("warning: {}", super::shown(&w));
    }
    Ok(settings)
}

/// The settings and their warnings, or every problem of the file with its line (exit 2):
/// config's own, and what the dashboard's keymap and palette find in `[keys]` and
/// `[colors]` (config knows neither).
pub fn checked_settings(global: &Global) -> Result<(Settings, Vec<String>), CliError> {
    let file = SettingsFile::read(global.config.as_deref()).map_err(CliError::config)?;
    let in_section = |section: &str, entry: &str, message: String| SettingsProblem {
        line: file.line_of(&[section, entry]),
        message,
    };
    let keys = Keymap::with_overrides(&file.settings.keys).1;
    let colors = Palette::with_overrides(&file.settings.colors).1;
    let problems = keys
        .into_iter()
        .map(|p| in_section("keys", &p.entry, p.to_string()))
        .chain(
            colors
                .into_iter()
                .map(|p| in_section("colors", &p.entry, p.to_string())),
        )
        .chain(view_problems(&file))
        .chain(table_problems(&file))
        .collect();
    file.finish(problems).map_err(CliError::config)
}

/// What the dashboard finds wrong in `[views.NAME]`'s sort and columns (config checks the
/// filter), each at its line.
fn view_problems(file: &SettingsFile) -> Vec<SettingsProblem> {
    let mut out = Vec::new();
    for (name, v) in &file.settings.views {
        let Err(problems) = crate::app::views::check(None, v.sort.as_deref(), v.columns.as_deref())
        else {
            continue;
        };
        for (key, message) in problems {
            out.push(SettingsProblem {
                line: file
                    .line_of(&["views", name, key])
                    .or_else(|| file.line_of(&["views", name])),
                message: format!("`views.{name}.{key}`: {message}"),
            });
        }
    }
    out
}

/// What the dashboard finds wrong in `[table] columns`, each at the line of its item (of
/// `columns` when the item's is not known).
fn table_problems(file: &SettingsFile) -> Vec<SettingsProblem> {
    let Some(columns) = &file.settings.table.columns else {
        return Vec::new();
    };
    let key = ["table", "columns"];
    if columns.is_empty() {
        return vec![SettingsProblem {
            line: file.line_of(&key),
            message: "`table.columns` is empty: name the columns to show, or remove it for \
                      every column"
                .to_string(),
        }];
    }
    let Err(problems) = crate::app::columns::parse_all(columns) else {
        return Vec::new();
    };
    problems
        .into_iter()
        .map(|(i, e)| SettingsProblem {
            line: file
                .line_of(&["table", "columns", &i.to_string()])
                .or_else(|| file.line_of(&key)),
            message: format!("`table.columns`: {}", e.message()),
        })
        .collect()
}

/// The settings' `[table] columns`, checked (a file with a problem in them does not get
/// this far); `None`: every column.
pub fn table_columns(settings: &Settings) -> Option<Vec<crate::app::columns::ColumnSpec>> {
    let columns = settings.table.columns.as_ref()?;
    crate::app::columns::parse_all(columns)
        .ok()
        .filter(|c| !c.is_empty())
}

/// The saved views of the settings, checked (a settings file with a problem in one does
/// not get this far).
pub fn saved_views(
    settings: &Settings,
) -> std::collections::BTreeMap<String, crate::app::views::SavedView> {
    settings
        .views
        .iter()
        .filter_map(|(name, v)| {
            let view = crate::app::views::check(
                v.filter.as_deref(),
                v.sort.as_deref(),
                v.columns.as_deref(),
            )
            .ok()?;
            Some((name.clone(), view))
        })
        .collect()
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
        let mut store = Store::open_for_profile(&store_path(global), client.host(), &resolved.name)
            .map_err(CliError::failed)?;
        store.keep_changes_for_days(settings.changes_keep_days);
        name_unadopted(&store);
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
        let server = DemoServer::start(DemoOptions {
            first_use_after: Some(crate::demo::FIRST_USE_AFTER),
            ..DemoOptions::default()
        })
        .await
        .map_err(|e| CliError::failed(format!("the demo tenant could not start: {e}")))?;
        let dir = tempfile::tempdir()
            .map_err(|e| CliError::failed(format!("no temporary directory for the demo: {e}")))?;
        let mut store = Store::open_for_profile(
            &dir.path().join(Store::FILE_NAME),
            &server.endpoint(),
            "demo",
        )
        .map_err(CliError::failed)?;
        store.keep_changes_for_days(settings.changes_keep_days);
        for (app, connector, credential) in server.tracked() {
            store
                .track(
                    &CredentialKey::new(app, connector, credential),
                    Source::Import,
                )
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

    /// Checks the journal's requests that have no outcome (a process killed while one was
    /// in flight) and prints, on stderr, what each check found: for the commands that reach
    /// the tenant.
    pub async fn check_unanswered(&self) {
        let actions = Ops::new(self.client.clone(), self.store.clone(), self.read_only);
        match actions.check_unanswered().await {
            Ok(checked) => {
                for c in checked {
                    eprintln!("journal: {}", super::output::inert(&c.to_string()));
                }
            }
            Err(e) => eprintln!(
                "warning: the journal's requests without an outcome could not be checked: {}",
                super::output::inert(&e.to_string())
            ),
        }
    }

    pub async fn close(self) {
        if let Some(server) = self.demo {
            server.shutdown().await;
        }
    }
}

/// The inventory alone, for commands that never reach the tenant (track, untrack, import,
/// journal), opened for the tenant the configuration names (the API endpoint, else the
/// client id's host); no secret is needed. Without a configuration that names a tenant it
/// refuses (exit 2) and says how to name one: an id belongs to exactly one tenant. With
/// `--demo` these still work, on a throwaway inventory.
pub fn open_store(global: &Global) -> Result<(Store, Option<tempfile::TempDir>), CliError> {
    if global.demo {
        let dir = tempfile::tempdir()
            .map_err(|e| CliError::failed(format!("no temporary directory for the demo: {e}")))?;
        let store = Store::open_for_profile(&dir.path().join(Store::FILE_NAME), "demo", "demo")
            .map_err(CliError::failed)?;
        return Ok((store, Some(dir)));
    }
    let (profile, endpoint, client_id) = configured_tenant(global)?;
    // A secret in --profile was refused with the other arguments; this may be CONE_PROFILE's.
    crate::api::secret::refuse_misplaced_secret("the profile name", &profile)
        .map_err(CliError::config)?;
    let tenant = Tenant::of_configuration(endpoint.as_deref(), client_id.as_deref())
        .ok_or_else(|| {
            CliError::config(format!(
                "no tenant is configured for profile {profile}, and credential ids belong to one \
                 tenant: name it with --api-endpoint HOST (e.g. --api-endpoint acme.conductor.one), \
                 --client-id NAME@HOST/pcc, or --profile NAME (a profile of cone's config.yaml), \
                 or the environment (CONE_API_ENDPOINT, CONE_CLIENT_ID, CONE_PROFILE)"
            ))
        })?
        .map_err(CliError::config)?;
    let store = Store::open_for_profile(&store_path(global), tenant.as_str(), &profile)
        .map_err(CliError::failed)?;
    name_unadopted(&store);
    Ok((store, None))
}

/// The profile name, API endpoint and client id the configuration gives, as a client would
/// pick them (flag > environment > cone's file), without needing a secret.
fn configured_tenant(
    global: &Global,
) -> Result<(String, Option<String>, Option<String>), CliError> {
    let flags = ProfileFlags {
        profile: global.profile.clone(),
        client_id: global.client_id.clone(),
        client_secret: global.client_secret.clone(),
        api_endpoint: global.api_endpoint.clone(),
    };
    let home = config::home_dir();
    match config::resolve_profile(&flags, &config::process_env, home.as_deref()) {
        Ok(resolved) => {
            for w in &resolved.warnings {
                eprintln!("warning: {w}");
            }
            Ok((resolved.name, resolved.api_endpoint, resolved.client_id))
        }
        // Without a secret the profile cannot authenticate, but its ids still name a tenant.
        Err(
            ConfigError::NotConfigured { profile, .. } | ConfigError::Incomplete { profile, .. },
        ) => {
            let first = |flag: &Option<String>, names: &[&str]| {
                flag.iter()
                    .cloned()
                    .chain(names.iter().filter_map(|n| config::process_env(n)))
                    .map(|v| v.trim().to_string())
                    .find(|v| !v.is_empty())
            };
            Ok((
                profile,
                first(
                    &global.api_endpoint,
                    &["CONE_API_ENDPOINT", "CONDUCTORONE_SERVER_URL"],
                ),
                first(
                    &global.client_id,
                    &["CONE_CLIENT_ID", "CONDUCTORONE_CLIENT_ID"],
                ),
            ))
        }
        Err(e) => Err(CliError::config(e)),
    }
}

/// Says which profiles still have rows from before the inventory kept tenants apart, so
/// that none sit unseen: opening credboard with that profile adopts them.
fn name_unadopted(store: &Store) {
    let waiting = match store.unadopted() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("warning: {e}");
            return;
        }
    };
    for w in waiting {
        eprintln!(
            "note: the inventory holds {} credential ids and {} journal entries kept under profile {} \
             before credboard kept tenants apart; run credboard with --profile {} (configured for \
             its tenant) and that tenant adopts them",
            w.credentials,
            w.journal_entries,
            super::output::inert(&w.profile),
            super::output::inert(&w.profile)
        );
    }
}
