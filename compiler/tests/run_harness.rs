//! Run harness: builds and runs every Vex program with expectations in its header comments.
//!
//! Files: `examples/**/*.vx`, `compiler/tests/run/**/*.vx`, `compiler/tests/ui/**/*.vx`.
//! Headers (anywhere in the file, one per line):
//!   `// expect-exit: N`               exit status (default 0; a signal counts as 128+signo)
//!   `// expect-stdout: LINE`          one per stdout line, in order (none = empty stdout)
//!   `// expect-stderr-contains: TEXT` the program's stderr must contain TEXT
//!   `// expect-error: E0xxx`          compilation must fail with this code (repeatable)
//!   `// valgrind-skip: REASON`        skip (reported by name) the [valgrind] run: too slow there
//!   `// module-of: PROGRAM`           a module imported by PROGRAM, not a program itself
//!   `// cross-skip: TARGET REASON`    skip (by name) the cross matrix build/run on TARGET (cross_matrix.rs)
//!   `// library: NOTE`                a library (`vexc --lib`), not a program: with
//!                                     expect-error it is compiled with `--lib`; otherwise it is
//!                                     built and run from C elsewhere (NOTE says where, e.g.
//!                                     compiler/tests/embed.rs) and skipped here
//!
//! For each program that should compile:
//!   [vexc]   `vexc FILE -o prog`, run (10 s timeout), compare exit status and stdout exactly;
//!   [gcc]    `vexc FILE --emit-c DIR`, build DIR's C with gcc `-std=c11 -Wall -Wextra -Werror
//!            -pedantic -O2`, run, compare;
//!   [clang]  the same with clang (skipped, by name, when clang is not installed);
//!   [tcc]    the same with tcc (`-std=c11 -Wall -Werror`; skipped, by name, when not installed),
//!            with the runtime's allocation counting on (`-DVEX_ALLOC_STATS`): a program that
//!            ends normally with a live heap block fails (exit 125, see runtime/c/vex_mem.c);
//!   [asan]   `vexc --sanitize address,undefined --cc gcc -O 1` (the program and the runtime
//!            under `-fsanitize=address,undefined -fno-sanitize-recover=all -g
//!            -fno-omit-frame-pointer`; expect-exit 0..=127 only): AddressSanitizer, UBSan and
//!            LeakSanitizer must stay silent, so every program that ends normally has freed
//!            everything (closure environments, ...);
//!   [valgrind] the [gcc] binary again under `valgrind --leak-check=full` (expect-exit 0..=127
//!            only; skipped, by name, when valgrind is not installed): no invalid access, no
//!            definite or indirect leak.
//! Programs that use concurrency (vexc's `--emit-c` directory then holds the async runtime,
//! `vx_rt.h`; their C starts with `#define VEX_THREADS 1`) are built with the async runtime and
//! `-DVEX_THREADS -pthread` in every check, and:
//!   [tcc]    is skipped, by name: tcc has no <stdatomic.h>; instead, once per run, `vexc --cc tcc`
//!            must refuse the first such program with E0907 ([tcc-refuses]);
//!   [tsan]   `vexc --sanitize thread -O 1` with clang (gcc without clang): exit status and
//!            stdout as expected, and no "WARNING: ThreadSanitizer" on stderr;
//!   [valgrind] runs with VEX_WORKERS=2 (valgrind serialises threads).
//! The runtime's C files are compiled once per compiler (the threaded runtime only when a
//! program needs it); the first program, and the first one using concurrency, are also built as
//! plain `gcc -std=c11 DIR/*.c` ([standalone]) to prove `--emit-c` output stands alone.
//!
//! Usage: `cargo test --test run_harness [-- SUBSTRING...]` (only paths containing a substring).
//! `VEX_HARNESS_CHECKS=asan,valgrind` runs only the named checks (any of vexc, gcc, clang, tcc,
//! asan, tsan, valgrind, standalone, tcc-refuses, error; [valgrind] builds the [gcc] binary
//! without reporting it); unset (what CI does): every check.

mod common;
mod harness;

use common::{compile_runtime, have, repo_root, run, tail, Expect, Outcome};
use harness::report::{self, CheckResult, Verdict};
use harness::selected_checks;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);
const STRICT: &[&str] = &["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"];
/// tcc: a small, fast C compiler with few extensions; it keeps the C honest about portability.
const TCC: &[&str] = &["-std=c11", "-Wall", "-Werror", "-DVEX_ALLOC_STATS"];
const VALGRIND: &[&str] = &["-q", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99"];
const TSAN_OPTIONS: &str = "halt_on_error=1:second_deadlock_stack=1";
const LIBS: &[&str] = &["-lm", "-lpthread"];
/// Why [tcc] is skipped for programs that use concurrency.
const TCC_NO_ATOMICS: &str = "tcc has no <stdatomic.h>";

// ------------------------------------------------------------------ processes


/// Compares a run against the expectations.
fn compare(o: &Outcome, e: &Expect, sanitizer: bool) -> Result<(), String> {
    let mut problems = Vec::new();
    match o.code {
        None => problems.push(format!("timed out after {} s", TIMEOUT.as_secs())),
        Some(c) if c != e.exit => problems.push(format!("exit status {c}, expected {}", e.exit)),
        _ => {}
    }
    let got = String::from_utf8_lossy(&o.stdout);
    let want = e.stdout_text();
    if got != want {
        problems.push(format!("stdout differs\n--- expected\n{want}--- got\n{got}---"));
    }
    let stderr = o.stderr();
    for s in &e.stderr_contains {
        if !stderr.contains(s.as_str()) {
            problems.push(format!("stderr does not contain `{s}`"));
        }
    }
    if sanitizer && stderr.contains("runtime error") {
        problems.push("UBSan reported undefined behaviour".into());
    }
    if sanitizer && stderr.contains("Sanitizer") {
        problems.push("AddressSanitizer/LeakSanitizer reported an error or a leak".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        if !stderr.is_empty() {
            problems.push(format!("stderr:\n{}", tail(&stderr, 40)));
        }
        Err(problems.join("\n"))
    }
}


// ------------------------------------------------------------------ C toolchains

/// One way of compiling emitted C, with the runtime precompiled once.
struct Toolchain {
    label: &'static str,
    cc: &'static str,
    flags: &'static [&'static str],
    /// Ok(objects) or Err(reason the runtime failed to build / tool missing).
    runtime: Result<Vec<PathBuf>, String>,
    /// The threaded runtime (C runtime + async runtime, `-DVEX_THREADS -pthread`), compiled when
    /// the first program that uses concurrency needs it.
    threaded: OnceLock<Result<Vec<PathBuf>, String>>,
}

impl Toolchain {
    fn threaded_runtime(&self, ctx: &Ctx) -> &Result<Vec<PathBuf>, String> {
        self.threaded.get_or_init(|| {
            let mut flags: Vec<&str> = self.flags.to_vec();
            flags.extend_from_slice(vexc::driver::THREAD_FLAGS);
            let files = vexc::driver::runtime_files(true);
            compile_runtime(self.label, self.cc, &flags, &files, &ctx.rt_threads_dir, &ctx.tmp.join(format!("obj-{}-threads", self.label)))
        })
    }
}

// ------------------------------------------------------------------ the checks

struct Ctx {
    vexc: PathBuf,
    root: PathBuf,
    tmp: PathBuf,
    /// The C runtime and the async runtime, flat (what a threaded program's --emit-c holds).
    rt_threads_dir: PathBuf,
    toolchains: Vec<Toolchain>,
    standalone_done: AtomicUsize,
    standalone_threads_done: AtomicUsize,
    tcc_refuses_done: AtomicUsize,
    /// valgrind is installed (the [valgrind] checks run).
    valgrind: bool,
    /// gcc is installed ([standalone], [asan]).
    gcc: bool,
    /// The compiler of [tsan] (clang, else gcc), if installed.
    tsan_cc: Option<&'static str>,
    /// `VEX_HARNESS_CHECKS`: the checks to run (None: all).
    only: Option<Vec<String>>,
}

impl Ctx {
    fn enabled(&self, check: &str) -> bool {
        self.only.as_ref().is_none_or(|only| only.iter().any(|c| c == check))
    }
}

/// [asan] and [tsan]: `vexc --sanitize LIST --cc CC -O 1 -o EXE`, run, compare (and no report
/// of the sanitizer on stderr).
fn sanitized_run(ctx: &Ctx, rel: &str, exe: &Path, expect: &Expect, cc: &str, list: &str) -> Result<(), String> {
    let mut cmd = Command::new(&ctx.vexc);
    cmd.current_dir(&ctx.root).arg(rel).args(["--color", "never", "--sanitize", list, "--cc", cc, "-O", "1", "-o"]).arg(exe);
    let o = run(&mut cmd, Duration::from_secs(300))?;
    if o.code != Some(0) {
        return Err(format!("vexc --sanitize {list} failed (exit {:?}):\n{}", o.code, tail(&o.stderr(), 60)));
    }
    let tsan = list == "thread";
    let mut prog = Command::new(exe);
    if tsan {
        prog.env("TSAN_OPTIONS", TSAN_OPTIONS);
    }
    let o = run(&mut prog, if tsan { TIMEOUT * 3 } else { TIMEOUT })?;
    if tsan && o.stderr().contains("WARNING: ThreadSanitizer") {
        return Err(format!("ThreadSanitizer reported a problem:\n{}", tail(&o.stderr(), 60)));
    }
    compare(&o, expect, !tsan)
}

fn check_file(ctx: &Ctx, idx: usize, path: &Path) -> Vec<CheckResult> {
    let rel = path.strip_prefix(&ctx.root).unwrap_or(path).to_string_lossy().replace('\\', "/");
    let mut results = Vec::new();
    macro_rules! push {
        ($variant:expr, $r:expr) => {
            results.push(CheckResult::new(&rel, $variant, $r))
        };
    }
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            push!("read", Err(e.to_string()));
            return results;
        }
    };
    let expect = match Expect::parse(&text) {
        Ok(e) => e,
        Err(e) => {
            push!("headers", Err(e));
            return results;
        }
    };
    if expect.module_of.is_some() {
        // A module imported by another test program, checked through that program.
        return results;
    }
    if expect.library.is_some() && expect.errors.is_empty() {
        // A library: built and run from C by the test its header names (compiler/tests/embed.rs).
        return results;
    }
    let work = ctx.tmp.join(format!("t{idx}"));
    let _ = std::fs::remove_dir_all(&work);
    if let Err(e) = std::fs::create_dir_all(&work) {
        push!("setup", Err(e.to_string()));
        return results;
    }
    let vexc = |args: &[&std::ffi::OsStr]| {
        // Run from the repo root with the relative path, as a user would (diagnostics show `examples/x.vx`).
        let mut cmd = Command::new(&ctx.vexc);
        cmd.current_dir(&ctx.root).arg(&rel).args(args).arg("--color").arg("never");
        run(&mut cmd, Duration::from_secs(120))
    };

    // Programs that must not compile.
    if !expect.errors.is_empty() && !ctx.enabled("error") {
        return results;
    }
    if !expect.errors.is_empty() {
        let exe = work.join("prog");
        let mut args: Vec<&std::ffi::OsStr> = vec!["-o".as_ref(), exe.as_os_str()];
        if expect.library.is_some() {
            args.push("--lib".as_ref());
        }
        let r = vexc(&args).and_then(|o| {
            let stderr = o.stderr();
            let mut problems = Vec::new();
            match o.code {
                Some(0) => problems.push("compiled, but errors were expected".to_string()),
                Some(101) => problems.push("internal compiler error".to_string()),
                Some(1) => {}
                c => problems.push(format!("vexc exit status {c:?}, expected 1")),
            }
            for code in &expect.errors {
                if !stderr.contains(&format!("[{code}]")) {
                    problems.push(format!("no {code} in the diagnostics"));
                }
            }
            if problems.is_empty() {
                Ok(())
            } else {
                Err(format!("{}\nvexc stderr:\n{}", problems.join("\n"), tail(&stderr, 60)))
            }
        });
        push!("error", r);
        return results;
    }

    // (a) vexc builds and links.
    if ctx.enabled("vexc") {
        let exe = work.join("prog");
        let r = vexc(&["-o".as_ref(), exe.as_os_str()]).and_then(|o| {
            if o.code != Some(0) {
                return Err(format!("vexc failed (exit {:?}):\n{}", o.code, tail(&o.stderr(), 60)));
            }
            compare(&run(&mut Command::new(&exe), TIMEOUT)?, &expect, false)
        });
        push!("vexc", r);
    }

    // (b) --emit-c, then the strict C builds.
    let cdir = work.join("c");
    let emitted = vexc(&["--emit-c".as_ref(), cdir.as_os_str()]).and_then(|o| {
        if o.code != Some(0) {
            return Err(format!("vexc --emit-c failed (exit {:?}):\n{}", o.code, tail(&o.stderr(), 60)));
        }
        let mut program = Vec::new();
        for entry in std::fs::read_dir(&cdir).map_err(|e| e.to_string())? {
            let name = entry.map_err(|e| e.to_string())?.file_name().to_string_lossy().into_owned();
            match vexc::driver::RUNTIME_FILES.iter().chain(vexc::driver::ASYNC_RUNTIME_FILES).find(|(n, _)| *n == name) {
                Some((_, text)) => {
                    let on_disk = std::fs::read_to_string(cdir.join(&name)).map_err(|e| e.to_string())?;
                    if on_disk != *text {
                        return Err(format!("--emit-c wrote a different {name} than the embedded runtime"));
                    }
                }
                None if name.ends_with(".c") => program.push(name),
                None => {}
            }
        }
        Ok(program)
    });
    let program_c = match emitted {
        Ok(p) => p,
        Err(e) => {
            push!("emit-c", Err(e));
            return results;
        }
    };
    // vexc writes the async runtime exactly for programs that use it
    let threads = cdir.join("vx_rt.h").exists();
    if threads {
        let defines = program_c
            .iter()
            .any(|p| std::fs::read_to_string(cdir.join(p)).is_ok_and(|c| c.contains("#define VEX_THREADS 1")));
        push!("threads", if defines { Ok(()) } else { Err("the async runtime was emitted, but the C does not `#define VEX_THREADS 1`".into()) });
    }

    // Once per run (and once more for the first program using concurrency): the emitted
    // directory builds on its own with `gcc -std=c11 DIR/*.c`.
    let first = if threads { &ctx.standalone_threads_done } else { &ctx.standalone_done };
    if ctx.enabled("standalone") && ctx.gcc && first.fetch_add(1, Ordering::SeqCst) == 0 {
        let exe = work.join("prog-standalone");
        let mut cmd = Command::new("gcc");
        cmd.arg("-std=c11");
        for entry in std::fs::read_dir(&cdir).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|x| x == "c") {
                cmd.arg(entry.path());
            }
        }
        cmd.arg("-o").arg(&exe).args(LIBS);
        let r = run(&mut cmd, Duration::from_secs(300)).and_then(|o| {
            if o.code != Some(0) {
                return Err(format!("gcc -std=c11 DIR/*.c failed:\n{}", tail(&o.stderr(), 40)));
            }
            compare(&run(&mut Command::new(&exe), TIMEOUT)?, &expect, false)
        });
        push!("standalone", r);
    }

    // Once per run: tcc cannot build a program that uses concurrency, and vexc says so.
    if threads && ctx.enabled("tcc-refuses") && have("tcc") && ctx.tcc_refuses_done.fetch_add(1, Ordering::SeqCst) == 0 {
        let exe = work.join("prog-tcc");
        let r = vexc(&["--cc".as_ref(), "tcc".as_ref(), "-o".as_ref(), exe.as_os_str()]).and_then(|o| {
            let stderr = o.stderr();
            if o.code == Some(1) && stderr.contains("error[E0907]") && stderr.contains("--cc gcc") {
                Ok(())
            } else {
                Err(format!("`vexc --cc tcc` should fail with E0907 (exit {:?}):\n{}", o.code, tail(&stderr, 40)))
            }
        });
        push!("tcc-refuses", r);
    }

    let valgrind_applies = ctx.enabled("valgrind") && (0..=127).contains(&expect.exit);
    for tc in &ctx.toolchains {
        // [valgrind] runs the [gcc] binary, built (not reported) when only [valgrind] is asked for
        let report = ctx.enabled(tc.label);
        if !report && !(tc.label == "gcc" && valgrind_applies) {
            continue;
        }
        if threads && tc.label == "tcc" {
            results.push(CheckResult::skip(&rel, tc.label, TCC_NO_ATOMICS));
            continue;
        }
        let objs = match (&tc.runtime, threads) {
            (Err(e), _) => {
                // a missing tool, or a runtime that failed to build (reported once, at setup)
                results.push(CheckResult::skip(&rel, tc.label, if e.ends_with("is not installed") { e } else { "" }));
                continue;
            }
            (Ok(objs), false) => objs,
            (Ok(_), true) => match tc.threaded_runtime(ctx) {
                Ok(objs) => objs,
                Err(e) => {
                    push!(tc.label, Err(format!("the threaded runtime does not build: {e}")));
                    continue;
                }
            },
        };
        let exe = work.join(format!("prog-{}", tc.label));
        let mut cmd = Command::new(tc.cc);
        cmd.args(tc.flags);
        if threads {
            cmd.args(vexc::driver::THREAD_FLAGS);
        }
        cmd.arg("-I").arg(&cdir);
        for p in &program_c {
            cmd.arg(cdir.join(p));
        }
        cmd.args(objs).arg("-o").arg(&exe).args(LIBS);
        let r = run(&mut cmd, Duration::from_secs(300)).and_then(|o| {
            if o.code != Some(0) {
                return Err(format!("{} rejected the emitted C:\n{}", tc.label, tail(&o.stderr(), 40)));
            }
            compare(&run(&mut Command::new(&exe), TIMEOUT)?, &expect, false)
        });
        let built = r.is_ok();
        match r {
            r if report => push!(tc.label, r),
            Err(e) => push!("valgrind", Err(format!("the gcc build for valgrind failed: {e}"))),
            Ok(()) => {}
        }
        if tc.label == "gcc" && valgrind_applies {
            if !ctx.valgrind || expect.valgrind_skip.is_some() {
                let reason = expect.valgrind_skip.clone().unwrap_or_else(|| "valgrind is not installed".into());
                results.push(CheckResult::skip(&rel, "valgrind", &reason));
            } else if built {
                let mut vg = Command::new("valgrind");
                vg.args(VALGRIND).arg(&exe);
                if threads {
                    vg.env("VEX_WORKERS", "2"); // valgrind runs one thread at a time
                }
                let r = run(&mut vg, TIMEOUT * 6).and_then(|o| {
                    if o.code == Some(99) {
                        return Err(format!("valgrind found errors or leaks:\n{}", tail(&o.stderr(), 40)));
                    }
                    compare(&o, &expect, false)
                });
                push!("valgrind", r);
            }
        }
    }

    // The sanitizers, through `vexc --sanitize` (program and runtime instrumented).
    if ctx.enabled("asan") && (0..=127).contains(&expect.exit) {
        if ctx.gcc {
            push!("asan", sanitized_run(ctx, &rel, &work.join("prog-asan"), &expect, "gcc", "address,undefined"));
        } else {
            results.push(CheckResult::skip(&rel, "asan", "gcc is not installed"));
        }
    }
    if threads && ctx.enabled("tsan") {
        match ctx.tsan_cc {
            Some(cc) => push!("tsan", sanitized_run(ctx, &rel, &work.join("prog-tsan"), &expect, cc, "thread")),
            None => results.push(CheckResult::skip(&rel, "tsan", "clang and gcc are not installed")),
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    results
}

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let only = selected_checks();
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["examples", "compiler/tests/run", "compiler/tests/ui"] {
        common::collect_vx(&root.join(dir), &mut files);
    }
    files.sort();
    files.retain(|p| {
        let rel = p.strip_prefix(&root).unwrap_or(p).to_string_lossy().replace('\\', "/");
        filters.is_empty() || filters.iter().any(|f| rel.contains(f.as_str()))
    });

    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("run-harness-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("create harness temp dir");
    // vexc's runtime object cache: inside target/, shared between runs of the harness.
    std::env::set_var("VEXC_CACHE_DIR", PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vexc-cache"));

    let mut skipped_tools = Vec::new();
    let mut setup_failures = Vec::new();
    let mut toolchains = Vec::new();
    let rt_threads_dir = tmp.join("runtime-threads");
    std::fs::create_dir_all(&rt_threads_dir).expect("runtime dir");
    let positive = files.iter().any(|p| std::fs::read_to_string(p).is_ok_and(|t| !t.contains("expect-error:")));
    if positive {
        let rt_dir = tmp.join("runtime");
        std::fs::create_dir_all(&rt_dir).expect("runtime dir");
        for (name, text) in vexc::driver::RUNTIME_FILES {
            std::fs::write(rt_dir.join(name), text).expect("write runtime");
        }
        for (name, text) in vexc::driver::runtime_files(true) {
            std::fs::write(rt_threads_dir.join(name), text).expect("write runtime");
        }
        let specs: [(&'static str, &'static str, &'static [&'static str]); 3] =
            [("gcc", "gcc", STRICT), ("clang", "clang", STRICT), ("tcc", "tcc", TCC)];
        let built: Vec<Toolchain> = std::thread::scope(|s| {
            let hs: Vec<_> = specs
                .iter()
                .filter(|(label, _, _)| {
                    only.as_ref().is_none_or(|o| o.iter().any(|c| c == label || (*label == "gcc" && c == "valgrind")))
                })
                .map(|&(label, cc, flags)| {
                    let rt_dir = &rt_dir;
                    let tmp = &tmp;
                    s.spawn(move || {
                        let runtime = if !have(cc) {
                            Err(format!("{cc} is not installed"))
                        } else {
                            let files = vexc::driver::runtime_files(false);
                            compile_runtime(label, cc, flags, &files, rt_dir, &tmp.join(format!("obj-{label}")))
                        };
                        Toolchain { label, cc, flags, runtime, threaded: OnceLock::new() }
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().expect("runtime build thread")).collect()
        });
        for tc in built {
            match &tc.runtime {
                Err(e) if e.ends_with("is not installed") => skipped_tools.push(format!("{} ({e})", tc.label)),
                Err(e) => setup_failures.push(CheckResult {
                    name: format!("runtime [{}]", tc.label),
                    verdict: Verdict::Fail,
                    detail: e.clone(),
                }),
                Ok(_) => {}
            }
            toolchains.push(tc);
        }
    }

    let ctx = Ctx {
        vexc: PathBuf::from(env!("CARGO_BIN_EXE_vexc")),
        root: root.clone(),
        tmp: tmp.clone(),
        rt_threads_dir,
        toolchains,
        standalone_done: AtomicUsize::new(0),
        standalone_threads_done: AtomicUsize::new(0),
        tcc_refuses_done: AtomicUsize::new(0),
        valgrind: have("valgrind"),
        gcc: have("gcc"),
        tsan_cc: ["clang", "gcc"].into_iter().find(|cc| have(cc)),
        only,
    };
    println!("run harness: {} program(s), vexc = {}", files.len(), ctx.vexc.display());
    if let Some(only) = &ctx.only {
        println!("only the checks {} (VEX_HARNESS_CHECKS)", only.join(", "));
    }

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Vec<CheckResult>)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(1);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(path) = files.get(i) else { break };
                let r = check_file(&ctx, i, path);
                let failed = r.iter().any(|c| c.verdict == Verdict::Fail);
                let rel = path.strip_prefix(&ctx.root).unwrap_or(path).display().to_string();
                if r.is_empty() {
                    // `// module-of:` or `// library:`
                    println!("---- {rel} (not a program: checked through what its header names)");
                } else {
                    println!("{} {rel}", if failed { "FAIL" } else { "PASS" });
                }
                results.lock().unwrap().push((i, r));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let mut all: Vec<CheckResult> = setup_failures;
    all.extend(results.into_iter().flat_map(|(_, r)| r));

    let failed = report::summary(&all, &skipped_tools);
    let _ = std::fs::remove_dir_all(&tmp);
    std::process::exit(if failed > 0 { 1 } else { 0 });
}
