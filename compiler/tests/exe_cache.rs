//! The executable cache (`driver/exe_cache.rs`) through the command line: an unchanged rebuild
//! is served from the cache, a changed program or other flags build anew, `--keep-c` and `run`
//! still work.

use std::path::{Path, PathBuf};
use std::process::Command;

fn vexc(cache: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vexc"));
    c.env("VEXC_CACHE_DIR", cache);
    c
}

/// The cache's executables, sorted.
fn entries(cache: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(cache.join("exe")) else { return Vec::new() };
    let mut v: Vec<String> = rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn build(cache: &Path, src: &Path, out: &Path, extra: &[&str]) -> String {
    let o = vexc(cache).args(extra).arg(src).arg("-o").arg(out).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "vexc failed: {stderr}");
    stderr
}

fn run(exe: &Path) -> String {
    let o = Command::new(exe).output().unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn program(n: i32) -> String {
    format!("fn main() {{\n    let x = {n};\n    println(x + 1);\n}}\n")
}

#[test]
fn unchanged_rebuild_is_served_from_the_cache() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("p.vx");
    std::fs::write(&src, program(1)).unwrap();
    let exe: PathBuf = dir.path().join("p");

    build(cache.path(), &src, &exe, &[]);
    assert_eq!(run(&exe), "2\n");
    let first = entries(cache.path());
    assert_eq!(first.len(), 1, "one executable cached: {first:?}");
    let cached = cache.path().join("exe").join(&first[0]);
    assert_eq!(std::fs::read(&cached).unwrap(), std::fs::read(&exe).unwrap());

    // Unchanged: the same entry, and the executable is a copy of it. To show that nothing was
    // compiled, the runtime objects are removed first: a real build would have to recompile
    // them and recreate their directory.
    for e in std::fs::read_dir(cache.path()).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap().to_string_lossy().starts_with("rt-") {
            std::fs::remove_dir_all(&p).unwrap();
        }
    }
    std::fs::remove_file(&exe).unwrap();
    build(cache.path(), &src, &exe, &[]);
    assert_eq!(run(&exe), "2\n");
    assert_eq!(entries(cache.path()), first);
    let rt_dirs = std::fs::read_dir(cache.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("rt-"))
        .count();
    assert_eq!(rt_dirs, 0, "a cache hit compiles nothing");

    // Changed program: rebuilt, a second entry.
    std::fs::write(&src, program(41)).unwrap();
    build(cache.path(), &src, &exe, &[]);
    assert_eq!(run(&exe), "42\n");
    assert_eq!(entries(cache.path()).len(), 2);

    // Other flags: other entries.
    build(cache.path(), &src, &exe, &["--release"]);
    assert_eq!(run(&exe), "42\n");
    assert_eq!(entries(cache.path()).len(), 3);
    build(cache.path(), &src, &exe, &["--no-line-directives"]);
    assert_eq!(entries(cache.path()).len(), 4);
    build(cache.path(), &src, &exe, &["--release"]);
    assert_eq!(entries(cache.path()).len(), 4, "--release again is a hit");

    // Back to the first program: a hit again.
    std::fs::write(&src, program(1)).unwrap();
    build(cache.path(), &src, &exe, &[]);
    assert_eq!(run(&exe), "2\n");
    assert_eq!(entries(cache.path()).len(), 4);
}

#[test]
fn keep_c_and_run_work_on_a_hit() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("k.vx");
    std::fs::write(&src, program(6)).unwrap();
    let exe = dir.path().join("k");
    build(cache.path(), &src, &exe, &[]);

    // `--keep-c` on a hit still leaves the C in the kept build directory.
    let stderr = build(cache.path(), &src, &exe, &["--keep-c"]);
    let kept = stderr
        .lines()
        .find_map(|l| l.strip_prefix("vexc: build directory kept at "))
        .unwrap_or_else(|| panic!("no kept directory in {stderr:?}"));
    let kept = PathBuf::from(kept.trim());
    assert!(kept.join("k.c").is_file(), "k.c in {}", kept.display());
    assert!(kept.join("vex_runtime.h").is_file());
    std::fs::remove_dir_all(&kept).unwrap();
    assert_eq!(run(&exe), "7\n");

    let o = vexc(cache.path()).arg("run").arg(&src).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "7\n", "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(entries(cache.path()).len(), 1);
}

#[test]
fn a_changed_imported_module_rebuilds() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("lib")).unwrap();
    let src = dir.path().join("main.vx");
    std::fs::write(&src, "import { f } from \"./lib/m\";\nfn main() {\n    println(f());\n}\n").unwrap();
    let module = dir.path().join("lib").join("m.vx");
    let write_module = |n: i32| {
        std::fs::write(&module, format!("export fn f(): i32 {{ return {n}; }}\n")).unwrap();
    };
    write_module(1);
    let exe = dir.path().join("main");
    build(cache.path(), &src, &exe, &[]);
    assert_eq!(run(&exe), "1\n");
    assert_eq!(entries(cache.path()).len(), 1);
    build(cache.path(), &src, &exe, &[]);
    assert_eq!(run(&exe), "1\n");
    assert_eq!(entries(cache.path()).len(), 1);

    // Only the imported file changes: not a hit.
    write_module(2);
    build(cache.path(), &src, &exe, &[]);
    assert_eq!(run(&exe), "2\n");
    assert_eq!(entries(cache.path()).len(), 2);
    // A module that disappeared is an error again, not the cached executable.
    std::fs::remove_file(&module).unwrap();
    let o = vexc(cache.path()).arg(&src).arg("-o").arg(&exe).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("E0432"), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn warnings_are_printed_on_every_build() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("w.vx");
    std::fs::write(&src, "fn main() {\n    println(\"x = {}\", 1, 2);\n}\n").unwrap();
    let exe = dir.path().join("w");
    for _ in 0..2 {
        let stderr = build(cache.path(), &src, &exe, &["--color", "never"]);
        assert!(stderr.contains("warning[W0005]"), "{stderr}");
        assert_eq!(run(&exe), "x = 1\n");
    }
    // The executable itself is cached all the same (keyed by the C).
    assert_eq!(entries(cache.path()).len(), 1);
}
