//! Parts of the run harness (`compiler/tests/run_harness.rs`): which checks run, and the report.

pub mod report;

/// The checks `VEX_HARNESS_CHECKS` may name.
pub const CHECKS: &[&str] = &["vexc", "gcc", "clang", "tcc", "asan", "tsan", "valgrind", "standalone", "tcc-refuses", "error"];

/// `VEX_HARNESS_CHECKS` (comma-separated check names), None when unset or empty.
pub fn selected_checks() -> Option<Vec<String>> {
    let v = std::env::var("VEX_HARNESS_CHECKS").ok().filter(|v| !v.trim().is_empty())?;
    let names: Vec<String> = v.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
    for n in &names {
        assert!(CHECKS.contains(&n.as_str()), "VEX_HARNESS_CHECKS: unknown check `{n}` (known: {})", CHECKS.join(", "));
    }
    Some(names)
}

