//! Test helpers, never in the release binary (behind `cfg(any(test, feature = "testkit"))`;
//! the crate's tests, benches and examples turn the feature on through a dev-dependency on
//! the crate itself): inventories of any size, the whole dashboard headless against the demo
//! tenant with a tap on its worker, and what a test reads of a frame.

pub mod backend;
pub mod checks;
pub mod fixtures;
pub mod keys;
pub mod screen;
pub mod session;
pub mod tap;

pub use backend::{WatchedBackend, text};
pub use session::{HANG, Session, SessionOptions, real_errors};
pub use tap::Seen;
