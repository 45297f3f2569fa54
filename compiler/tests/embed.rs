//! Library mode end to end (docs/SPEC.md "Library mode"): the C project of `examples/embed/`
//! (`mathlib.vx`, `main.c`, `Makefile`) built both ways and run from C:
//! - `vexc mathlib.vx --lib -o libmathlib.a`, then `cc main.c libmathlib.a`;
//! - `vexc mathlib.vx --lib --emit-c build`, then plain `make` (no vexc), also strict
//!   (`-Werror -pedantic`) with gcc and clang, and under ASan/UBSan/LSan;
//! - the header alone compiles as C11 and as C++ (`-Werror -pedantic`);
//! - the archive defines no global symbol outside `mathlib_*` and the runtime's prefixes;
//! - a library that uses concurrency (`go`, channels, `sleep`, an `async fn`): its functions
//!   run on the library's runtime, also called from several C threads at once (TSan-clean),
//!   and calling one before `<lib>_init()` panics with a clear message.
//!
//! A missing tool (make, g++, clang, a sanitizer runtime) is reported as skipped, by name.

mod common;
use common::{repo_root, have};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn vexc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vexc"));
    c.env("VEXC_CACHE_DIR", PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vexc-cache"));
    c.arg("--color").arg("never");
    c
}

fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({:?}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What `examples/embed/main.c` prints.
const EXPECTED: &str = "\
gcd(84, 36) = 12
gcd(-12, 18) = 6
primes below 30: 2 3 5 7 11 13 17 19 23 29
is_prime(2^31 - 1) = true
hypot(3, 4) = 5.0
roman(1999) = \"MCMXCIX\" (7 bytes)
roman(2024) = \"MMXXIV\" (6 bytes)
roman(3999) = \"MMMCMXCIX\" (9 bytes)
roman(0) = \"\" (0 bytes)
Hello, C caller!!!
Hello, Ada!
== from Vex (8 bytes) ==
done
";

const STRICT: &[&str] = &["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"];

fn embed_dir() -> PathBuf {
    repo_root().join("examples/embed")
}

#[test]
fn static_library_links_with_cc() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("libmathlib.a");
    run_ok(vexc().arg(embed_dir().join("mathlib.vx")).arg("--lib").arg("-o").arg(&lib));
    let header = dir.path().join("mathlib.h");
    assert!(header.is_file(), "the header is written next to the library");
    let exe = dir.path().join("embed");
    run_ok(
        Command::new("cc")
            .args(STRICT)
            .arg("-I")
            .arg(dir.path())
            .arg(embed_dir().join("main.c"))
            .arg(&lib)
            .arg("-o")
            .arg(&exe)
            .args(["-lm", "-lpthread"]),
    );
    assert_eq!(stdout(&run_ok(&mut Command::new(&exe))), EXPECTED);

    // Symbol hygiene: the archive defines the API and the runtime's reserved names, nothing else.
    if !have("nm") {
        eprintln!("skipped: symbol check (nm is not installed)");
        return;
    }
    let nm = run_ok(Command::new("nm").arg("-g").arg("--defined-only").arg(&lib));
    let mut api = Vec::new();
    for line in stdout(&nm).lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [_, _, name] = parts[..] else { continue };
        let name = name.trim_start_matches('_'); // Mach-O adds one
        assert!(
            ["mathlib_", "vex_", "vx_", "vxp_"].iter().any(|p| name.starts_with(p)),
            "`{name}` is not in a reserved namespace:\n{}",
            stdout(&nm)
        );
        if name.starts_with("mathlib_") {
            api.push(name.to_string());
        }
    }
    api.sort();
    assert_eq!(
        api,
        [
            "mathlib_banner",
            "mathlib_gcd",
            "mathlib_greet",
            "mathlib_hypot",
            "mathlib_init",
            "mathlib_is_prime",
            "mathlib_roman",
            "mathlib_shutdown",
            "mathlib_string_free"
        ],
        "exactly the exported functions and the library's own API"
    );
}

#[test]
fn header_path_option() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("out").join("libm2.a");
    std::fs::create_dir_all(lib.parent().unwrap()).unwrap();
    let header = dir.path().join("include").join("mathlib.h");
    run_ok(vexc().arg(embed_dir().join("mathlib.vx")).arg("--lib").arg("-o").arg(&lib).arg("--header").arg(&header));
    assert!(lib.is_file() && header.is_file());
    assert!(!dir.path().join("out").join("mathlib.h").exists());
    // --emit-c with --header: the sources in DIR, the header where asked
    let src = dir.path().join("src");
    let header2 = dir.path().join("inc2").join("ml.h");
    run_ok(vexc().arg(embed_dir().join("mathlib.vx")).arg("--lib").arg("--emit-c").arg(&src).arg("--header").arg(&header2));
    assert!(src.join("mathlib.c").is_file() && src.join("vex_runtime.h").is_file() && header2.is_file());
    assert!(!src.join("mathlib.h").exists());
    // --header needs --lib
    let out = vexc().arg(embed_dir().join("mathlib.vx")).arg("--header").arg(&header).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `vexc --lib --emit-c DIR/build`, then the example's Makefile with `make` (copied with main.c
/// into DIR, so the repository stays clean).
fn emit_example(dir: &Path) {
    for f in ["main.c", "Makefile"] {
        std::fs::copy(embed_dir().join(f), dir.join(f)).unwrap();
    }
    run_ok(vexc().arg(embed_dir().join("mathlib.vx")).arg("--lib").arg("--emit-c").arg(dir.join("build")));
    assert!(dir.join("build/mathlib.h").is_file());
}

#[test]
fn emitted_sources_build_with_make() {
    if !have("make") {
        eprintln!("skipped: make is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    emit_example(dir.path());
    // No vexc from here on: plain make with the C compiler.
    run_ok(Command::new("make").arg("-C").arg(dir.path()).env_remove("CFLAGS").env_remove("CC"));
    assert_eq!(stdout(&run_ok(&mut Command::new(dir.path().join("embed")))), EXPECTED);
    let out = run_ok(Command::new("make").arg("-s").arg("-C").arg(dir.path()).arg("run"));
    assert_eq!(stdout(&out), EXPECTED);

    // Every file compiles warning-free under gcc and clang with -Werror -pedantic.
    for cc in ["gcc", "clang"] {
        if !have(cc) {
            eprintln!("skipped: strict make with {cc} ({cc} is not installed)");
            continue;
        }
        run_ok(Command::new("make").arg("-s").arg("-C").arg(dir.path()).arg("clean"));
        let cflags = format!("{} -O2", STRICT.join(" "));
        run_ok(Command::new("make").arg("-s").arg("-C").arg(dir.path()).arg(format!("CC={cc}")).arg(format!("CFLAGS={cflags}")));
        assert_eq!(stdout(&run_ok(&mut Command::new(dir.path().join("embed")))), EXPECTED, "{cc}");
    }

    // ASan + UBSan + LSan: string arguments and results are neither leaked nor misused.
    run_ok(Command::new("make").arg("-s").arg("-C").arg(dir.path()).arg("clean"));
    let asan = Command::new("make")
        .arg("-s")
        .arg("-C")
        .arg(dir.path())
        .arg("CC=gcc")
        .arg("CFLAGS=-std=c11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all")
        .arg("LDLIBS=-lm -lpthread -fsanitize=address,undefined")
        .output()
        .unwrap();
    if !asan.status.success() {
        eprintln!("skipped: ASan build (gcc -fsanitize=address failed: {})", String::from_utf8_lossy(&asan.stderr).lines().last().unwrap_or(""));
        return;
    }
    let out = Command::new(dir.path().join("embed")).env("ASAN_OPTIONS", "detect_leaks=1").output().unwrap();
    assert!(out.status.success(), "ASan run failed:\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout(&out), EXPECTED);
}

#[test]
fn makefile_says_what_is_missing() {
    if !have("make") {
        eprintln!("skipped: make is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for f in ["main.c", "Makefile"] {
        std::fs::copy(embed_dir().join(f), dir.path().join(f)).unwrap();
    }
    let out = Command::new("make").arg("-C").arg(dir.path()).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("vexc mathlib.vx --lib --emit-c build"), "{err}");
}

#[test]
fn header_compiles_standalone_in_c_and_cxx() {
    let dir = tempfile::tempdir().unwrap();
    emit_example(dir.path());
    let header = dir.path().join("build/mathlib.h");
    // Only standard headers, and an include guard.
    let text = std::fs::read_to_string(&header).unwrap();
    let includes: Vec<&str> = text.lines().filter(|l| l.starts_with("#include")).collect();
    assert_eq!(includes, ["#include <stdbool.h>", "#include <stddef.h>", "#include <stdint.h>"]);
    assert!(text.contains("extern \"C\""));
    // Included twice, alone, into an otherwise empty unit.
    let unit = dir.path().join("twice.c");
    std::fs::write(&unit, "#include \"mathlib.h\"\n#include \"mathlib.h\"\ntypedef int unit_not_empty;\n").unwrap();
    for cc in ["cc", "gcc", "clang"] {
        if !have(cc) {
            eprintln!("skipped: header check with {cc} ({cc} is not installed)");
            continue;
        }
        // no -I for the build directory: the header must not need anything from it
        let isolated = dir.path().join("isolated");
        std::fs::create_dir_all(&isolated).unwrap();
        std::fs::copy(&header, isolated.join("mathlib.h")).unwrap();
        std::fs::copy(&unit, isolated.join("twice.c")).unwrap();
        run_ok(Command::new(cc).args(STRICT).arg("-fsyntax-only").arg(isolated.join("twice.c")));
    }
    let mut cxx_checked = false;
    for cxx in ["g++", "clang++"] {
        if !have(cxx) {
            eprintln!("skipped: header check with {cxx} ({cxx} is not installed)");
            continue;
        }
        run_ok(Command::new(cxx).args(["-std=c++11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only", "-x", "c++"]).arg(&header));
        cxx_checked = true;
    }
    if !cxx_checked {
        eprintln!("skipped: the header's C++ check (no g++ or clang++)");
    }
}

/// A library that uses concurrency: `go`, channels, `sleep` and an `async fn` behind plain C
/// functions; its own C API checks (TSan when clang has it).
const TASKLIB: &str = r#"
fn square_all(jobs: Channel<i64>, results: Channel<i64>) {
    let! going = true;
    while going {
        match jobs.next() {
            Some(j) => results.send(j * j),
            None => { going = false; },
        };
    }
}

// The sum of the squares of 1..n, computed by `workers` tasks.
export fn sum_squares(n: i64, workers: i32): i64 {
    let jobs: Channel<i64> = Channel(16);
    let results: Channel<i64> = Channel(16);
    let! w = 0;
    while w < workers {
        go square_all(jobs, results);
        w += 1;
    }
    go {
        let! i: i64 = 1;
        while i <= n {
            jobs.send(i);
            i += 1;
        }
        jobs.close();
    };
    let! total: i64 = 0;
    let! k: i64 = 0;
    while k < n {
        total = total + results.recv();
        k += 1;
    }
    return total;
}

async fn slow_label(tag: string, ms: i64): string {
    sleep(ms);
    return f"<{tag} after {ms}ms>";
}

// Suspends (through an async call) and returns a string.
export fn label(tag: string): string {
    return slow_label(tag, 5);
}

export fn plain(x: i32): i32 {
    return x + 1;
}

fn forever() {
    let ch: Channel<i32> = Channel(1);
    ch.recv();
}

// Spawns a task that never ends: tasklib_shutdown drops it.
export fn spawn_forever() {
    go forever();
}
"#;

const TASKLIB_MAIN: &str = r#"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "tasklib.h"

static void *worker(void *arg) {
    intptr_t id = (intptr_t)arg;
    int64_t n = 100 + id;
    int64_t want = n * (n + 1) * (2 * n + 1) / 6;
    return (void *)(intptr_t)(tasklib_sum_squares(n, 3) == want);
}

int main(void) {
    tasklib_init();
    printf("%lld\n", (long long)tasklib_sum_squares(1000, 4));
    tasklib_string s = tasklib_label("x", 1);
    printf("%s %zu\n", s.ptr, s.len);
    tasklib_string_free(s);
    printf("%d\n", (int)tasklib_plain(41));
    pthread_t t[4];
    for (intptr_t i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    int ok = 1;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        ok &= r != NULL;
    }
    printf("threads %s\n", ok ? "ok" : "WRONG");
    tasklib_spawn_forever();
    tasklib_shutdown();
    printf("after shutdown\n");
    return 0;
}
"#;

const TASKLIB_EXPECTED: &str = "333833500\n<x after 5ms> 13\n42\nthreads ok\nafter shutdown\n";

fn build_tasklib(dir: &Path, cc: &str, flags: &[&str]) -> Option<PathBuf> {
    let src = dir.join("tasklib.vx");
    std::fs::write(&src, TASKLIB).unwrap();
    std::fs::write(dir.join("main.c"), TASKLIB_MAIN).unwrap();
    let lib = dir.join("libtasklib.a");
    run_ok(vexc().arg(&src).arg("--lib").arg("-o").arg(&lib).arg("--cc").arg(format!("{cc} {}", flags.join(" "))));
    let exe = dir.join("tasks");
    let out = Command::new(cc)
        .args(flags)
        .arg("-I")
        .arg(dir)
        .arg(dir.join("main.c"))
        .arg(&lib)
        .arg("-o")
        .arg(&exe)
        .args(["-lm", "-lpthread"])
        .output()
        .unwrap();
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    Some(exe)
}

#[test]
fn library_using_concurrency() {
    let dir = tempfile::tempdir().unwrap();
    let exe = build_tasklib(dir.path(), "cc", &["-std=c11", "-pthread"]).expect("build the concurrent library's program");
    let out = run_ok(Command::new(&exe).env("VEX_WORKERS", "2"));
    assert_eq!(stdout(&out), TASKLIB_EXPECTED);
    let header = std::fs::read_to_string(dir.path().join("tasklib.h")).unwrap();
    assert!(header.contains("void tasklib_init(void);") && header.contains("void tasklib_shutdown(void);"));

    // Calling before init: a panic naming the function and what to call.
    let early = dir.path().join("early.c");
    std::fs::write(&early, "#include \"tasklib.h\"\nint main(void) { return (int)tasklib_plain(1); }\n").unwrap();
    let early_exe = dir.path().join("early");
    run_ok(Command::new("cc").arg("-std=c11").arg("-I").arg(dir.path()).arg(&early).arg(dir.path().join("libtasklib.a")).arg("-o").arg(&early_exe).args(["-lm", "-lpthread"]));
    let out = Command::new(&early_exe).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("panic: tasklib_plain called before tasklib_init() at tasklib.vx:"), "{err}");
}

#[test]
fn library_using_concurrency_under_tsan() {
    if !have("clang") {
        eprintln!("skipped: TSan check of a concurrent library (clang is not installed)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(exe) = build_tasklib(dir.path(), "clang", &["-std=c11", "-g", "-O1", "-fsanitize=thread"]) else {
        eprintln!("skipped: TSan check of a concurrent library (no ThreadSanitizer runtime for clang)");
        return;
    };
    for _ in 0..3 {
        let out = Command::new(&exe).env("VEX_WORKERS", "4").env("TSAN_OPTIONS", "halt_on_error=1").output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("ThreadSanitizer"), "{err}");
        assert_eq!(stdout(&out), TASKLIB_EXPECTED, "{err}");
    }
}
