//! Snapshot tests (insta), stored in the top-level `snapshots/` directory:
//! - `c__<name>`: the generated C of every `examples/**/*.vx` (for a library, `// library:`,
//!   its C followed by its header);
//! - `diag__<name>`: the plain rendered diagnostics of every `compiler/tests/ui/**/*.vx`;
//! - `tasks__<name>`: the generated C (state machines) of every
//!   `compiler/tests/run/concurrency/*.vx`.
//!
//! `<name>` is the path below `examples/` or `compiler/tests/ui/` without `.vx`, `/` -> `__`.
//! Review changes with `cargo insta review` (or accept `*.snap.new` files). With `CI=true` a
//! missing or changed snapshot fails.

mod common;
use common::repo_root;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use vexc::diag;
use vexc::span::{SourceFile, SourceMap};

fn vx_files(rel_dir: &str) -> Vec<(String, PathBuf)> {
    let root = repo_root();
    let base = root.join(rel_dir);
    let mut files = Vec::new();
    common::collect_vx(&base, &mut files);
    files.retain(|p| !common::is_module_of_another(p));
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&base).unwrap().with_extension("");
            let name: String = rel
                .to_string_lossy()
                .replace(['/', '\\'], "__")
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
                .collect();
            (name, p)
        })
        .collect()
}

/// Loads `path` under its repo-relative name (so snapshots do not depend on the checkout path).
/// Imports are found relative to that name, so the tests run from the repository root.
fn load(path: &Path) -> (SourceMap, u32) {
    let _ = std::env::set_current_dir(repo_root());
    let rel = path.strip_prefix(repo_root()).unwrap().to_string_lossy().replace('\\', "/");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let mut sources = SourceMap::default();
    let id = sources.add(SourceFile::new(rel, text));
    (sources, id)
}

fn panic_text(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// Runs `check` for each file, collecting every failure instead of stopping at the first.
fn for_each(files: Vec<(String, PathBuf)>, check: impl Fn(&str, &Path)) {
    let mut failures = Vec::new();
    for (name, path) in &files {
        if let Err(e) = catch_unwind(AssertUnwindSafe(|| check(name, path))) {
            failures.push(format!("{}: {}", path.display(), panic_text(&*e)));
        }
    }
    assert!(failures.is_empty(), "{} of {} snapshot(s) failed:\n{}", failures.len(), files.len(), failures.join("\n"));
}

/// The C of a program, or of a library (`// library:`) followed by its header.
fn compile(sources: &mut SourceMap, id: u32, path: &Path) -> Result<(String, Vec<diag::Diagnostic>), Vec<diag::Diagnostic>> {
    if common::is_library(path) {
        let lib = vexc::compile_library(sources, id, Default::default())?;
        Ok((format!("{}\n/* ---- {} ---- */\n{}", lib.c.source, lib.header_name, lib.header), lib.c.warnings))
    } else {
        let c = vexc::compile_to_c(sources, id)?;
        Ok((c.source, c.warnings))
    }
}

#[test]
fn generated_c() {
    for_each(vx_files("examples"), |name, path| {
        let (mut sources, id) = load(path);
        let c = match compile(&mut sources, id, path) {
            Ok((c, _)) => c,
            Err(diags) => panic!("examples must compile:\n{}", diag::render_plain(&diags, &sources)),
        };
        insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(format!("c__{name}"), c);
        });
    });
}

/// The state machines of the concurrency run tests (frames, resume labels, drop glue).
#[test]
fn state_machines() {
    for_each(vx_files("compiler/tests/run/concurrency"), |name, path| {
        let (mut sources, id) = load(path);
        let c = match vexc::compile_to_c(&mut sources, id) {
            Ok(c) => c,
            Err(diags) => panic!("concurrency run tests must compile:\n{}", diag::render_plain(&diags, &sources)),
        };
        insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(format!("tasks__{name}"), c.source);
        });
    });
}

#[test]
fn diagnostics() {
    for_each(vx_files("compiler/tests/ui"), |name, path| {
        let (mut sources, id) = load(path);
        let text = match compile(&mut sources, id, path) {
            Ok((_, warnings)) if warnings.is_empty() => "(compiled without diagnostics)\n".to_string(),
            Ok((_, warnings)) => diag::render_plain(&warnings, &sources),
            Err(diags) => diag::render_plain(&diags, &sources),
        };
        insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(format!("diag__{name}"), text);
        });
    });
}

/// The same input gives byte-identical C, for every program that compiles; and the generic
/// instantiated with fifty types gets fifty distinct, readable instances.
#[test]
fn deterministic_c() {
    let mut files = vx_files("examples");
    files.extend(vx_files("compiler/tests/run"));
    for_each(files, |_, path| {
        let (mut sources, id) = load(path);
        let Ok((first, _)) = compile(&mut sources, id, path) else { return };
        let (mut sources, id) = load(path);
        let (second, _) = compile(&mut sources, id, path).unwrap_or_else(|_| panic!("compiled once, must compile again"));
        assert!(first == second, "two compilations gave different C");
        if path.ends_with("generic_fifty_instances.vx") {
            let wraps: std::collections::BTreeSet<&str> = first
                .lines()
                .filter(|l| l.starts_with("static ") && l.contains("_wrap_") && l.ends_with(" {"))
                .collect();
            assert_eq!(wraps.len(), 50, "expected 50 distinct instances of `wrap`");
        }
    });
}
