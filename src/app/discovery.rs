//! A discovery run from the dashboard, as the footer shows it while it runs.

/// How far the run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DiscoveryRun {
    pub events: u64,
    /// Candidates verified so far, of how many; `None` while the log is being read.
    pub verifying: Option<(usize, usize)>,
    /// Credentials found and shown so far.
    pub found: usize,
}

impl DiscoveryRun {
    /// "discovering: 120 events read, verifying 3/10, 2 found".
    pub fn words(&self) -> String {
        let mut s = format!("discovering: {} events read", self.events);
        if let Some((done, of)) = self.verifying {
            s.push_str(&format!(", verifying {done}/{of}"));
        }
        if self.found > 0 {
            s.push_str(&format!(", {} found", self.found));
        }
        s
    }
}
