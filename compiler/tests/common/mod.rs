//! Shared by the integration tests: finding the Vex test programs.

use std::path::{Path, PathBuf};

/// Appends every `.vx` file below `dir` (recursively) to `out`; a missing directory adds none.
pub fn collect_vx(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_vx(&p, out);
        } else if p.extension().is_some_and(|x| x == "vx") {
            out.push(p);
        }
    }
}

/// Whether a test file is a module imported by another test program (`// module-of: ...`),
/// checked through that program rather than on its own.
#[allow(dead_code)] // not every test binary needs it
pub fn is_module_of_another(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.lines().any(|l| l.trim_start().starts_with("// module-of:")))
}

/// Whether a test file is a library (`// library: ...`): compiled with `vexc --lib`.
#[allow(dead_code)] // not every test binary needs it
pub fn is_library(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.lines().any(|l| l.trim_start().starts_with("// library:")))
}
