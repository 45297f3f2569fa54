//! Embeds the C runtime into the vexc binary: `../runtime/c/*.{c,h}` (every program links them)
//! as `RUNTIME_FILES`, and the async runtime's `../runtime/c/async_runtime/*.{c,h}` (programs
//! that use concurrency link them too; its `tests/` are not embedded) as `ASYNC_RUNTIME_FILES`.
//!
//! Generates `$OUT_DIR/runtime_files.rs` with
//! `pub const RUNTIME_FILES: &[(&str, &str)] = &[("vex_runtime.h", include_str!("/abs/path")), ...];`
//! Files are flattened to their base names (sorted by relative path) so that the runtime and the
//! program's C all live in one directory; two files with the same base name (in either table)
//! are a build error.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_file() && matches!(path.extension().and_then(|e| e.to_str()), Some("c" | "h")) {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            out.push((rel, path));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest.join("..").join("runtime").join("c");
    let root = root.canonicalize().unwrap_or(root);
    println!("cargo:rerun-if-changed={}", root.display());
    println!("cargo:rerun-if-changed=build.rs");

    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let async_root = root.join("async_runtime");
    println!("cargo:rerun-if-changed={}", async_root.display());
    let mut async_files = Vec::new();
    collect(&async_root, &root, &mut async_files);
    async_files.sort_by(|a, b| a.0.cmp(&b.0));

    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    let mut code = String::new();
    let tables = [
        ("RUNTIME_FILES", "The embedded C runtime: (flat file name, contents), sorted by path under runtime/c.", &files),
        (
            "ASYNC_RUNTIME_FILES",
            "The embedded async runtime (runtime/c/async_runtime, without its tests), linked into programs that use concurrency.",
            &async_files,
        ),
    ];
    for (table, doc, files) in tables {
        code.push_str(&format!("/// {doc}\npub const {table}: &[(&str, &str)] = &[\n"));
        for (rel, path) in files.iter() {
            println!("cargo:rerun-if-changed={}", path.display());
            let name = rel.rsplit('/').next().unwrap_or(rel).to_string();
            if let Some(first) = by_name.insert(name.clone(), rel.clone()) {
                panic!(
                    "runtime/c: `{first}` and `{rel}` would both be embedded as `{name}`; \
                     runtime files must have distinct base names (they are written into one flat directory)"
                );
            }
            code.push_str(&format!("    ({name:?}, include_str!({:?})),\n", path.to_string_lossy()));
        }
        code.push_str("];\n\n");
    }

    // The standard library's Vex modules (`stdlib/<name>.vx`), importable by bare name.
    let std_root = manifest.join("..").join("stdlib");
    println!("cargo:rerun-if-changed={}", std_root.display());
    let mut std_files: Vec<PathBuf> = fs::read_dir(&std_root)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "vx")).collect())
        .unwrap_or_default();
    std_files.sort();
    code.push_str("\n/// The embedded standard library: (module name, Vex source).\npub const STDLIB_FILES: &[(&str, &str)] = &[\n");
    for path in &std_files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let abs = path.canonicalize().unwrap_or(path.clone());
        code.push_str(&format!("    ({name:?}, include_str!({:?})),\n", abs.to_string_lossy()));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("runtime_files.rs");
    // Rewrite only on change, so an unchanged runtime does not recompile the crate.
    if fs::read_to_string(&out).ok().as_deref() != Some(code.as_str()) {
        fs::write(&out, code).expect("write runtime_files.rs");
    }
    if files.is_empty() {
        println!("cargo:warning=no C runtime found in {}: vexc will embed no runtime files", root.display());
    }

    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=VEXC_HOST_TARGET={target}");
}
