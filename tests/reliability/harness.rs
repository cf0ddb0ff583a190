//! The whole dashboard for these tests is `credboard::testkit::Session` (the demo tenant, a
//! real inventory, the real worker and runtime, a tap on the worker's messages, every frame
//! checked for control characters); this adds what only they ask of it.

pub use credboard::testkit::{HANG, Seen, Session, SessionOptions, real_errors};

/// The keys still work: `?` opens the help, Esc closes it.
pub async fn answers_keys(d: &Session) {
    d.press("?");
    d.see("Help").await;
    d.see("refresh now").await;
    d.press("esc");
}
