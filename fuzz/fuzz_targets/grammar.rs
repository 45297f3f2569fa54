//! Structure-aware: libFuzzer's bytes are the decisions of the Vex program generator
//! (`compiler/tests/fuzz/gen.rs`: declarations, statements and typed expressions, with a small
//! share of deliberately wrong pieces), so mutations of the bytes are mutations of the program's
//! structure. Same property as the `bytes` target.
#![no_main]

#[path = "../../compiler/tests/fuzz/gen.rs"]
mod gen;
#[path = "../../compiler/tests/fuzz/oracle.rs"]
mod oracle;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let src = gen::program(&mut gen::ByteChoices::new(data));
    if let oracle::Outcome::Bug(bug) = oracle::check("/nonexistent/vex-fuzz/generated.vx", &src) {
        panic!("{bug}\n----- generated program -----\n{src}");
    }
});
