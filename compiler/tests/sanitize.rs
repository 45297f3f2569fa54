//! `vexc --sanitize`: sanitized builds of the program *and* the runtime (its own runtime cache
//! entry), and the diagnostics for what cannot be sanitized (E0913, E0914).

mod common;

use common::{have, repo_root, run, Expect, Outcome};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// `vexc ARGS` with its own runtime cache `cache`.
fn vexc(cache: &Path, args: &[&str]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vexc"));
    cmd.args(args).arg("--color").arg("never").env("VEXC_CACHE_DIR", cache).env("TSAN_OPTIONS", "halt_on_error=1");
    run(&mut cmd, Duration::from_secs(300)).expect("run vexc")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// The runtime cache entries (`rt-*` directories) under `cache`.
fn entries(cache: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cache)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("rt-")).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Whether the object file references a symbol containing `needle` (per `nm`).
fn references(obj: &Path, needle: &str) -> bool {
    let out = Command::new("nm").arg(obj).output().expect("nm (binutils) is needed");
    String::from_utf8_lossy(&out.stdout).contains(needle)
}

/// Checks a run against the program's `// expect-` headers.
fn assert_expected(program: &Path, o: &Outcome, sanitizer_words: &[&str]) {
    let expect = Expect::parse(&std::fs::read_to_string(program).unwrap()).unwrap();
    let stderr = o.stderr();
    assert_eq!(o.code, Some(expect.exit), "{}: stderr:\n{stderr}", program.display());
    assert_eq!(String::from_utf8_lossy(&o.stdout), expect.stdout_text(), "{}", program.display());
    for w in sanitizer_words {
        assert!(!stderr.contains(w), "{}: the sanitizer reported a problem:\n{stderr}", program.display());
    }
}

const RUNTIME_USE_AFTER_FREE: &str = "\
fn main(): i32 {
    let buf = alloc(8);
    strcpy(buf, \"abc\");
    free(buf);
    println(strcmp(buf, \"abd\"));
    return 0;
}
";

const LEAK: &str = "\
fn lose(n: i64) {
    let buf = alloc(n);
    strcpy(buf, \"kept\");
}
fn main(): i32 {
    let! i: i64 = 0;
    while i < 10 {
        lose(64 + i);
        i = i + 1;
    }
    return 0;
}
";

#[test]
fn address_undefined_runs_clean_programs_and_instruments_the_runtime() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let asan = ["--sanitize", "address,undefined"];

    // Clean programs run as without sanitizers (structs, strings, maps, FFI calls, tasks).
    for ex in ["examples/bank_account.vx", "examples/temperatures.vx", "compiler/tests/run/slice/extern_c.vx", "examples/pipeline.vx"] {
        let path = repo_root().join(ex);
        let o = vexc(cache.path(), &["run", &path.to_string_lossy(), asan[0], asan[1]]);
        assert_expected(&path, &o, &["Sanitizer", "runtime error"]);
    }
    // One runtime cache entry (two: pipeline.vx uses the threaded runtime), built with the
    // sanitizers, probed once.
    let sanitized = entries(cache.path());
    assert_eq!(sanitized.len(), 2, "{sanitized:?}");
    let sanitized: Vec<PathBuf> = sanitized.into_iter().filter(|d| !d.join("vx_sched.o").exists()).collect();
    assert!(sanitized[0].join("sanitizer-probe.ok").is_file());
    let builtins = sanitized[0].join("vex_builtins.o");
    assert!(references(&builtins, "__asan_report_load"), "the runtime is not compiled with ASan");
    assert!(references(&builtins, "__ubsan_handle_"), "the runtime is not compiled with UBSan");

    // A use after free *inside the runtime's C* (strcmp's loop, not an intercepted libc call):
    // only an instrumented runtime catches it.
    let uaf = write(dir.path(), "uaf.vx", RUNTIME_USE_AFTER_FREE);
    let o = vexc(cache.path(), &["run", &uaf, asan[0], asan[1]]);
    let stderr = o.stderr();
    assert_ne!(o.code, Some(0), "{stderr}");
    assert!(stderr.contains("ERROR: AddressSanitizer: heap-use-after-free"), "{stderr}");
    assert!(stderr.contains("in vex_cstr_cmp") && stderr.contains("vex_builtins.c:"), "{stderr}");
    assert!(stderr.contains("uaf.vx:6"), "the report names the Vex line: {stderr}");
    // A leak of raw memory: LeakSanitizer reports it when the program ends.
    let leak = write(dir.path(), "leak.vx", LEAK);
    let o = vexc(cache.path(), &["run", &leak, asan[0], asan[1]]);
    assert!(o.stderr().contains("LeakSanitizer: detected memory leaks"), "{}", o.stderr());
    assert_ne!(o.code, Some(0));

    // Without --sanitize the same program runs (the bug goes unnoticed) on a runtime cache
    // entry of its own, and the build form works the same way.
    let o = vexc(cache.path(), &["run", &uaf]);
    assert_eq!(o.code, Some(0), "{}", o.stderr());
    assert_eq!(entries(cache.path()).len(), 3);
    let exe = dir.path().join("uaf-asan");
    let o = vexc(cache.path(), &[&uaf, "-o", &exe.to_string_lossy(), "--release", asan[0], asan[1]]);
    assert_eq!(o.code, Some(0), "{}", o.stderr());
    let o = run(&mut Command::new(&exe), Duration::from_secs(60)).unwrap();
    assert!(o.stderr().contains("heap-use-after-free"), "{}", o.stderr());
}

#[test]
fn thread_sanitizer_runs_concurrent_programs_clean() {
    let cache = tempfile::tempdir().unwrap();
    for p in ["shared_refcounts_across_tasks.vx", "fan_out_fan_in.vx", "select_basic.vx"] {
        let path = repo_root().join("compiler/tests/run/concurrency").join(p);
        let o = vexc(cache.path(), &["run", &path.to_string_lossy(), "--sanitize", "thread", "-O1"]);
        assert_expected(&path, &o, &["ThreadSanitizer"]);
    }
    let e = entries(cache.path());
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(references(&e[0].join("vx_sched.o"), "__tsan_"), "the async runtime is not compiled with TSan");
}

#[test]
fn memory_sanitizer_with_clang() {
    if !have("clang") {
        eprintln!("skipped: clang is not installed");
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let path = repo_root().join("examples/bank_account.vx");
    let o = vexc(cache.path(), &["run", &path.to_string_lossy(), "--cc", "clang", "--sanitize", "memory,undefined"]);
    assert_expected(&path, &o, &["MemorySanitizer", "runtime error"]);
}

/// exit status 1 and `error[CODE]` with a help line.
fn assert_error(o: &Outcome, code: &str, words: &[&str]) {
    let stderr = o.stderr();
    assert_eq!(o.code, Some(1), "{stderr}");
    assert!(stderr.contains(&format!("error[{code}]")), "expected {code}:\n{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
    // miette wraps long lines (after a blank or a hyphen): undo that
    let lines: Vec<&str> = stderr.lines().map(|l| l.trim_start_matches(|c: char| c.is_whitespace() || c == '│')).collect();
    let (spaced, tight) = (lines.join(" "), lines.join(""));
    for w in words {
        assert!(spaced.contains(w) || tight.contains(w), "expected `{w}`:\n{stderr}");
    }
}

#[test]
fn what_cannot_be_sanitized_is_diagnosed() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let prog = write(dir.path(), "p.vx", "fn main() { println(\"x\"); }\n");
    let out = dir.path().join("p").to_string_lossy().into_owned();

    let o = vexc(cache.path(), &["run", &prog, "--sanitize", "address,thread"]);
    assert_error(&o, "E0913", &["address and thread cannot be combined", "--sanitize thread"]);
    let o = vexc(cache.path(), &[&prog, "--sanitize", "thread,memory,undefined"]);
    assert_error(&o, "E0913", &["cannot be combined"]);
    let o = vexc(cache.path(), &[&prog, "--sanitize", "address", "--target", "aarch64-macos", "-o", &out]);
    assert_error(&o, "E0913", &["--target aarch64-macos"]);
    let o = vexc(cache.path(), &[&prog, "--sanitize", "address", "--emit-c", &out]);
    assert_error(&o, "E0913", &["-fsanitize=address"]);
    assert!(!Path::new(&out).exists(), "nothing is written");
    // gcc has no MemorySanitizer: the probe fails, with gcc's words in a note.
    if have("gcc") {
        let o = vexc(cache.path(), &["run", &prog, "--cc", "gcc", "--sanitize", "memory"]);
        assert_error(&o, "E0914", &["cannot build with `--sanitize memory`", "--cc clang"]);
        // A sanitizer run-time library that cannot be linked (here: no static ASan library).
        let o = vexc(cache.path(), &["run", &prog, "--cc", "gcc -static", "--sanitize", "address"]);
        assert_error(&o, "E0914", &["-static", "libasan"]);
    }
    // tcc accepts -fsanitize= and ignores it: refused by name.
    if have("tcc") {
        let o = vexc(cache.path(), &["run", &prog, "--cc", "tcc", "--sanitize", "address,undefined"]);
        assert_error(&o, "E0914", &["tcc has no sanitizers", "--cc gcc"]);
    }
    // An unknown sanitizer is a bad command line (exit status 2).
    let o = vexc(cache.path(), &[&prog, "--sanitize", "adress"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr());
    assert!(o.stderr().contains("unknown sanitizer `adress`"), "{}", o.stderr());
}
