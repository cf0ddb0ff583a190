//! The binary as a user runs it, for the tests that need one: with a clean environment (no
//! cone configuration, no settings, an empty home), against `--demo` or against a demo
//! tenant started here and reached as a real tenant is (cone's environment variables, an
//! inventory in a data directory that outlives each run). Included by each test that uses it
//! (`#[path = "support/tenant.rs"] mod tenant;`); not every test uses every part.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use credboard::demo::{DemoOptions, DemoServer};
use tempfile::TempDir;

/// The binary with a clean environment and `home` as its home.
pub fn credboard(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("credboard").unwrap();
    cmd.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A demo tenant started here, its own runtime, a home and a data directory for the binary.
pub struct Tenant {
    /// The runtime the server runs on, for the tests' own async calls.
    pub rt: tokio::runtime::Runtime,
    server: Option<DemoServer>,
    pub home: TempDir,
    pub data: PathBuf,
    /// The demo client's secret, as cone's environment passes it.
    pub secret: String,
}

impl Tenant {
    /// A tenant with the demo's defaults and an empty inventory.
    pub fn start() -> Tenant {
        Tenant::start_with(DemoOptions::default())
    }

    pub fn start_with(options: DemoOptions) -> Tenant {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let server = rt.block_on(DemoServer::start(options)).unwrap();
        let home = TempDir::new().unwrap();
        Tenant {
            data: home.path().join("data"),
            secret: server.client_secret().expose().to_string(),
            rt,
            server: Some(server),
            home,
        }
    }

    /// A tenant whose tracked credential ids are imported into the inventory, as a user with
    /// a CSV of them would.
    pub fn with_ids_imported() -> Tenant {
        let t = Tenant::start();
        t.import_all();
        t
    }

    /// Imports every credential id the tenant tracks (from a CSV, through the binary).
    pub fn import_all(&self) {
        let csv: String = std::iter::once("app_id,connector_id,id\n".to_string())
            .chain(
                self.server()
                    .tracked()
                    .into_iter()
                    .map(|(a, k, c)| format!("{a},{k},{c}\n")),
            )
            .collect();
        let file = self.home.path().join("ids.csv");
        std::fs::write(&file, csv).unwrap();
        let imported = self.run(&["import", file.to_str().unwrap()]);
        assert!(imported.status.success(), "{}", text(&imported.stderr));
    }

    pub fn server(&self) -> &DemoServer {
        self.server.as_ref().unwrap()
    }

    /// The binary, pointed at this tenant and its inventory.
    pub fn command(&self) -> Command {
        let mut cmd = credboard(self.home.path());
        cmd.env("CONE_CLIENT_ID", self.server().client_id())
            .env("CONE_CLIENT_SECRET", &self.secret)
            .arg("--data-dir")
            .arg(&self.data);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }
}

impl Drop for Tenant {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.rt.block_on(server.shutdown());
        }
    }
}
