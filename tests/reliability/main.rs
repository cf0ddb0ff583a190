//! Reliability and security (issue 7): faults through the whole dashboard, secrets kept off
//! disk and out of logs, crash safety, and fuzz targets. One test binary, so the crate is
//! linked once; RELIABILITY.md lists every case and how to run the fuzzers longer.

mod crash;
mod faults;
mod fuzz;
mod harness;
mod secrets;
