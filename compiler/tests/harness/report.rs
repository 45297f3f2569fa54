//! The results of the run harness and the cross matrix: one per check and program, and the
//! summary printed at the end.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    Skip,
}

pub struct CheckResult {
    pub name: String,
    pub verdict: Verdict,
    pub detail: String,
}

// The run harness and the cross matrix (which includes this file) each use some constructors.
#[allow(dead_code)]
impl CheckResult {
    pub fn new(rel: &str, variant: &str, r: Result<(), String>) -> CheckResult {
        CheckResult::named(format!("{rel} [{variant}]"), r)
    }

    /// A check whose name is already written (the cross matrix's `PROGRAM [target step]`).
    pub fn named(name: String, r: Result<(), String>) -> CheckResult {
        let (verdict, detail) = match r {
            Ok(()) => (Verdict::Pass, String::new()),
            Err(d) => (Verdict::Fail, d),
        };
        CheckResult { name, verdict, detail }
    }

    pub fn skip_named(name: String, reason: &str) -> CheckResult {
        CheckResult { name, verdict: Verdict::Skip, detail: reason.to_string() }
    }

    pub fn skip(rel: &str, variant: &str, reason: &str) -> CheckResult {
        CheckResult { name: format!("{rel} [{variant}]"), verdict: Verdict::Skip, detail: reason.to_string() }
    }
}

/// Prints the failures (in full, then by name), the skipped tools and checks, and the counts;
/// returns the number of failed checks.
pub fn summary(all: &[CheckResult], skipped_tools: &[String]) -> usize {
    let count = |v: Verdict| all.iter().filter(|c| c.verdict == v).count();
    let (passed, failed, skipped) = (count(Verdict::Pass), count(Verdict::Fail), count(Verdict::Skip));
    if failed > 0 {
        println!("\n==================== failures ====================");
        for c in all.iter().filter(|c| c.verdict == Verdict::Fail) {
            println!("\nFAIL {}\n{}", c.name, c.detail);
        }
        println!("\n==================== failed checks ====================");
        for c in all.iter().filter(|c| c.verdict == Verdict::Fail) {
            println!("FAIL {}", c.name);
        }
    }
    for t in skipped_tools {
        println!("skipped: {t}");
    }
    // skipped checks with a reason of their own, by name (a missing tool is listed above); a
    // reason shared by many checks (tcc for every program using concurrency) is one line
    let mut by_reason: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for c in all.iter().filter(|c| c.verdict == Verdict::Skip && !c.detail.is_empty() && !c.detail.ends_with("is not installed")) {
        by_reason.entry(c.detail.as_str()).or_default().push(c.name.as_str());
    }
    for (reason, mut names) in by_reason {
        names.sort();
        if names.len() <= 4 {
            for n in names {
                println!("skipped: {n} ({reason})");
            }
        } else {
            println!("skipped: {} checks ({reason}): {}, ... ({} more)", names.len(), names[..3].join(", "), names.len() - 3);
        }
    }
    println!();
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    failed
}
