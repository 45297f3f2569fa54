//! Plain byte mutation: libFuzzer mutates source files (seed corpus: every `.vx` file of the
//! repository, see README.md "Fuzzing"); each input that is UTF-8 goes through the front end and
//! C emission. Failing: a panic (an ICE), malformed diagnostics, a stack overflow, a timeout.
#![no_main]

#[path = "../../compiler/tests/fuzz/oracle.rs"]
mod oracle;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // vexc rejects non-UTF-8 files before the front end (E0903).
    let Ok(src) = std::str::from_utf8(data) else { return };
    // Relative imports resolve against a directory that does not exist.
    if let oracle::Outcome::Bug(bug) = oracle::check("/nonexistent/vex-fuzz/input.vx", src) {
        panic!("{bug}");
    }
});
