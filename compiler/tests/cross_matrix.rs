//! Cross matrix: the run test programs (`examples/**/*.vx`, `compiler/tests/run/**/*.vx`) built
//! with `vexc --target` for other platforms, the way a user cross-compiles:
//!   [aarch64-linux]   `--target aarch64-linux-musl` with zig cc (static), every program run under
//!                     qemu-aarch64: exit status and stdout exactly as expected, stderr contains;
//!   [x86_64-windows]  `--target x86_64-windows-gnu` with mingw-w64 gcc (else zig cc); all the
//!                     .exe files run in ONE wine session (`cross/wine_runner.c`: wine starts once,
//!                     not once per program). Windows' conventions: stdout's CRLF line ends read
//!                     as LF, a panic's `abort()` exits with 3 where POSIX reports 134
//!                     (128 + SIGABRT), and exit statuses compare modulo 256 (Windows keeps 32
//!                     bits: `return -1` is 4294967295 there, 255 on POSIX);
//!   [x86_64-macos] [aarch64-macos] [x86_64-freebsd]   zig cc, compile and link only (kqueue
//!                     runtime for programs that use concurrency; nothing here can run them).
//! Plus [cli] checks: an unknown target is E0910 naming the known ones, `--cc tcc` for another
//! target is E0911 saying what to install, and without `-o` a Windows build writes `hello.exe`.
//! Natively (gcc, clang, tcc) every program is built and run by the run harness
//! (`run_harness.rs`: its [gcc], [clang] and [tcc] checks), so this matrix does not repeat them.
//!
//! A target whose tool is missing (zig: `pip install ziglang`; `apt-get install qemu-user`,
//! `gcc-mingw-w64-x86-64`, `wine64`) is reported as skipped, by name, never passed. A program
//! whose expectation cannot hold on a target says so with `// cross-skip: TARGET REASON`
//! (skipped by name on the targets whose label contains TARGET).
//!
//! By default (CI) each target builds a deterministic quarter of the programs: every 4th in
//! path order, starting at a different offset per target, so together they cover every
//! program. `VEX_CROSS_FULL=1` builds every program for every target.
//!
//! Usage: `cargo test --release --test cross_matrix [-- SUBSTRING...]` (only paths containing a
//! substring); `VEX_CROSS_FULL=1 cargo test --release --test cross_matrix`;
//! `compiler/tests/cross/matrix.sh` runs the full matrix and the native run harness.

mod common;
#[path = "harness/report.rs"]
mod report;

use common::{repo_root, run, tail, Expect, Outcome};
use report::CheckResult as Check;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// CI subset: every STRIDE-th program per target.
const STRIDE: usize = 4;
/// One program's run under qemu (emulation is slow) or wine.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);
/// One `vexc` build (the first one of a target also builds zig's libc and the runtime).
const BUILD_TIMEOUT: Duration = Duration::from_secs(600);

use vexc::driver::target::tool_works as works;

/// `zig cc` as a `--cc` value, as vexc itself finds it (`zig` on PATH, else the ziglang Python
/// package).
fn zig_cc() -> Option<String> {
    let zig = vexc::driver::target::zig()?;
    let words: Vec<String> =
        std::iter::once(zig.program.to_string_lossy().into_owned()).chain(zig.args.iter().map(|a| a.to_string_lossy().into_owned())).collect();
    Some(words.join(" "))
}

fn wine() -> Option<String> {
    ["wine", "wine64", "/usr/lib/wine/wine64"].iter().find(|w| works(w, &["--version"])).map(|w| w.to_string())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RunMode {
    Qemu,
    Wine,
    LinkOnly,
}

/// One column of the matrix.
struct Spec {
    label: &'static str,
    triple: &'static str,
    /// `--cc`; None: the target is skipped (`skip` says why).
    cc: Option<String>,
    run: RunMode,
    /// The runner (qemu-aarch64 or wine); None with a `run_skip` reason when missing.
    runner: Option<String>,
    skip: Option<String>,
    run_skip: Option<String>,
}


struct Program {
    rel: String,
    expect: Expect,
}

impl Program {
    /// A file name for its executable: the path with separators flattened.
    fn stem(&self) -> String {
        self.rel.trim_end_matches(".vx").replace(['/', '\\', '.'], "_")
    }
}

/// Compares an outcome with the expectations; `windows` applies Windows' conventions.
fn compare(code: Option<i64>, stdout: &[u8], stderr: &[u8], e: &Expect, windows: bool) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut want_exit = i64::from(e.exit);
    if windows && want_exit == 134 {
        want_exit = 3; // abort(): SIGABRT on POSIX, exit status 3 on Windows
    }
    // Windows keeps all 32 bits of an exit status; POSIX (and so the expectations) the low 8
    let code = if windows { code.map(|c| c & 0xff) } else { code };
    match code {
        None => problems.push(format!("timed out after {} s", RUN_TIMEOUT.as_secs())),
        Some(c) if c != want_exit => problems.push(format!("exit status {c}, expected {want_exit}")),
        _ => {}
    }
    let mut got = String::from_utf8_lossy(stdout).into_owned();
    if windows {
        got = got.replace("\r\n", "\n");
    }
    let want = e.stdout_text();
    if got != want {
        problems.push(format!("stdout differs\n--- expected\n{want}--- got\n{got}---"));
    }
    let stderr = String::from_utf8_lossy(stderr);
    for s in &e.stderr_contains {
        if !stderr.contains(s.as_str()) {
            problems.push(format!("stderr does not contain `{s}`"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        if !stderr.is_empty() {
            problems.push(format!("stderr:\n{}", tail(&stderr, 30)));
        }
        Err(problems.join("\n"))
    }
}

/// Runs `job(i)` for i in 0..n on `workers` threads; results in order.
fn parallel<T: Send>(n: usize, workers: usize, job: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<(usize, T)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= n {
                    break;
                }
                let r = job(i);
                out.lock().unwrap().push((i, r));
            });
        }
    });
    let mut v = out.into_inner().unwrap();
    v.sort_by_key(|(i, _)| *i);
    v.into_iter().map(|(_, r)| r).collect()
}

struct Ctx {
    vexc: PathBuf,
    root: PathBuf,
    tmp: PathBuf,
    workers: usize,
}

/// `vexc REL --target T --cc CC -o OUT`, from the repo root.
fn build(ctx: &Ctx, spec: &Spec, p: &Program, out: &Path) -> Result<(), String> {
    let mut cmd = Command::new(&ctx.vexc);
    cmd.current_dir(&ctx.root).arg(&p.rel).arg("--target").arg(spec.triple);
    if let Some(cc) = &spec.cc {
        cmd.arg("--cc").arg(cc);
    }
    cmd.arg("-o").arg(out).arg("--color").arg("never");
    let o = run(&mut cmd, BUILD_TIMEOUT)?;
    if o.code != Some(0) {
        return Err(format!("vexc --target {} failed (exit {:?}):\n{}", spec.triple, o.code, tail(&o.stderr(), 60)));
    }
    if !out.is_file() {
        return Err(format!("vexc succeeded but wrote no {}", out.display()));
    }
    Ok(())
}

/// Builds (and runs) the programs for one target.
fn run_target(ctx: &Ctx, spec: &Spec, programs: &[&Program]) -> Vec<Check> {
    let dir = ctx.tmp.join(spec.label);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("target dir");
    let windows = spec.run == RunMode::Wine;
    let exe_of = |p: &Program| dir.join(if windows { format!("{}.exe", p.stem()) } else { p.stem() });
    let step = if spec.run == RunMode::LinkOnly { "link" } else { "build" };
    let name = |p: &Program, what: &str| format!("{} [{} {what}]", p.rel, spec.label);

    // The first build alone: it fills zig's and vexc's caches for the target (runtime objects)
    // that the parallel builds then share.
    let t0 = Instant::now();
    let mut built: Vec<Result<(), String>> = Vec::new();
    if let Some(first) = programs.first() {
        built.push(build(ctx, spec, first, &exe_of(first)));
    }
    let rest = programs.len().saturating_sub(1);
    built.extend(parallel(rest, ctx.workers, |i| build(ctx, spec, programs[i + 1], &exe_of(programs[i + 1]))));
    let build_secs = t0.elapsed().as_secs_f64();

    let mut checks = Vec::new();
    let mut to_run = Vec::new();
    for (p, r) in programs.iter().zip(built) {
        let ok = r.is_ok();
        checks.push(Check::named(name(p, step), r));
        if ok && spec.run != RunMode::LinkOnly {
            to_run.push(*p);
        }
    }

    let t1 = Instant::now();
    if spec.run != RunMode::LinkOnly {
        match (&spec.runner, &spec.run_skip) {
            (Some(runner), _) if spec.run == RunMode::Qemu => {
                let results = parallel(to_run.len(), ctx.workers, |i| {
                    let p = to_run[i];
                    let mut cmd = Command::new(runner);
                    cmd.arg(exe_of(p));
                    run(&mut cmd, RUN_TIMEOUT).and_then(|o: Outcome| {
                        compare(o.code.map(i64::from), &o.stdout, &o.stderr, &p.expect, false)
                    })
                });
                for (p, r) in to_run.iter().zip(results) {
                    checks.push(Check::named(name(p, "run"), r));
                }
            }
            (Some(wine), _) => checks.extend(wine_run(ctx, spec, wine, &dir, &to_run)),
            (None, reason) => {
                let reason = reason.clone().unwrap_or_default();
                checks.extend(to_run.iter().map(|p| Check::skip_named(name(p, "run"), &reason)));
            }
        }
    }
    println!(
        "{}: {} program(s) built in {build_secs:.0} s{}",
        spec.label,
        programs.len(),
        if spec.run == RunMode::LinkOnly || spec.runner.is_none() {
            String::new()
        } else {
            format!(", run in {:.0} s", t1.elapsed().as_secs_f64())
        }
    );
    let _ = std::fs::remove_dir_all(&dir);
    checks
}

/// All the Windows programs in one wine session (see `cross/wine_runner.c`).
fn wine_run(ctx: &Ctx, spec: &Spec, wine: &str, dir: &Path, programs: &[&Program]) -> Vec<Check> {
    let name = |p: &Program| format!("{} [{} run]", p.rel, spec.label);
    let fail_all = |why: String| programs.iter().map(|p| Check::named(name(p), Err(why.clone()))).collect::<Vec<_>>();
    if programs.is_empty() {
        return Vec::new();
    }
    // The runner, built with the same C compiler as the programs.
    let runner = dir.join("vex_wine_runner.exe");
    let src = ctx.root.join("compiler/tests/cross/wine_runner.c");
    let cc = spec.cc.as_deref().unwrap_or("x86_64-w64-mingw32-gcc");
    let mut words = cc.split_whitespace();
    let mut cmd = Command::new(words.next().unwrap_or("cc"));
    cmd.args(words);
    if cc.contains("zig") {
        cmd.args(["-target", "x86_64-windows-gnu"]);
    }
    cmd.arg("-O2").arg(&src).arg("-o").arg(&runner).arg("-static");
    match run(&mut cmd, BUILD_TIMEOUT) {
        Ok(o) if o.code == Some(0) => {}
        Ok(o) => return fail_all(format!("the wine runner does not build:\n{}", tail(&o.stderr(), 30))),
        Err(e) => return fail_all(e),
    }
    let list: String = programs.iter().map(|p| format!("{}\n", p.stem())).collect();
    std::fs::write(dir.join("programs.txt"), list).expect("write the program list");

    // A wine prefix of our own, kept between runs (creating one takes seconds); no Mono/Gecko
    // installers, no debugger on a crash.
    let prefix = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wine-prefix");
    let mut cmd = Command::new(wine);
    cmd.current_dir(dir)
        .env("WINEPREFIX", &prefix)
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=;winedbg.exe=d")
        .arg(&runner)
        .arg("programs.txt")
        .arg(RUN_TIMEOUT.as_secs().to_string());
    let total = RUN_TIMEOUT * 2 + Duration::from_secs(10 * programs.len() as u64 + 120);
    let session = match run(&mut cmd, total) {
        Ok(o) => o,
        Err(e) => return fail_all(format!("wine could not run the bundle: {e}")),
    };
    let mut checks = Vec::new();
    for p in programs {
        let stem = p.stem();
        let read = |ext: &str| std::fs::read(dir.join(format!("{stem}.{ext}")));
        let r = match read("rc") {
            Err(_) => Err(format!(
                "no result: the wine session ended (exit {:?}) before this program ran\nwine output:\n{}{}",
                session.code,
                tail(&String::from_utf8_lossy(&session.stdout), 10),
                tail(&session.stderr(), 20)
            )),
            Ok(rc) => {
                let rc = String::from_utf8_lossy(&rc).trim().to_string();
                let code = if rc == "timeout" {
                    Ok(None)
                } else {
                    rc.parse::<i64>().map(Some).map_err(|_| format!("the runner could not start it: {rc}"))
                };
                code.and_then(|code| {
                    compare(code, &read("out").unwrap_or_default(), &read("err").unwrap_or_default(), &p.expect, true)
                })
            }
        };
        checks.push(Check::named(name(p), r));
    }
    checks
}

/// The command line around `--target`: errors name what to do, outputs follow the target.
fn cli_checks(ctx: &Ctx, windows_cc: Option<&str>) -> Vec<Check> {
    let vexc = |dir: &Path, args: &[&str]| {
        let mut cmd = Command::new(&ctx.vexc);
        cmd.current_dir(dir).arg(ctx.root.join("examples/hello.vx")).args(args).args(["--color", "never"]);
        run(&mut cmd, BUILD_TIMEOUT)
    };
    let dir = ctx.tmp.join("cli");
    std::fs::create_dir_all(&dir).expect("cli dir");
    let expect_error = |args: &[&str], code: &str, wants: &[&str]| {
        vexc(&dir, args).and_then(|o| {
            let err = o.stderr();
            // diagnostics are wrapped to the terminal's width: compare without white space
            let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace() && *c != '│').collect::<String>();
            let flat = squash(&err);
            if o.code == Some(1) && err.contains(&format!("error[{code}]")) && wants.iter().all(|w| flat.contains(&squash(w))) {
                Ok(())
            } else {
                Err(format!("expected {code} mentioning {wants:?}, exit 1; got exit {:?}:\n{}", o.code, tail(&err, 30)))
            }
        })
    };
    let mut checks = vec![Check::named(
        "vexc --target sparc-sun-solaris [cli]".into(),
        expect_error(&["--target", "sparc-sun-solaris"], "E0910", &["known targets", "aarch64-linux-gnu", "x86_64-windows-gnu"]),
    )];
    if works("tcc", &["-v"]) {
        checks.push(Check::named(
            "vexc --target aarch64-linux-gnu --cc tcc [cli]".into(),
            expect_error(&["--target", "aarch64-linux-gnu", "--cc", "tcc"], "E0911", &["apt-get install gcc-aarch64-linux-gnu", "ziglang"]),
        ));
    }
    // no -o: the output is named for the target (hello.exe for Windows)
    if let Some(cc) = windows_cc {
        let r = vexc(&dir, &["--target", "x86_64-w64-mingw32", "--cc", cc]).and_then(|o| {
            match (o.code, dir.join("hello.exe").is_file(), dir.join("hello").exists()) {
                (Some(0), true, false) => Ok(()),
                _ => Err(format!("expected ./hello.exe only (exit {:?}):\n{}", o.code, tail(&o.stderr(), 30))),
            }
        });
        checks.push(Check::named("vexc --target x86_64-w64-mingw32 names hello.exe [cli]".into(), r));
    }
    checks
}

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let full = std::env::var("VEX_CROSS_FULL").is_ok_and(|v| !v.is_empty() && v != "0");
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["examples", "compiler/tests/run"] {
        common::collect_vx(&root.join(dir), &mut files);
    }
    files.sort();
    let mut programs = Vec::new();
    let mut header_errors = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap_or(path).to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        match Expect::parse(&text) {
            // Modules, libraries (built from C by tests/embed.rs) and compile-error tests are no programs.
            Ok(e) if e.module_of.is_some() || e.library.is_some() || !e.errors.is_empty() => {}
            Ok(expect) => programs.push(Program { rel, expect }),
            Err(e) => header_errors.push(Check::named(format!("{rel} [headers]"), Err(e))),
        }
    }
    let filtered = !filters.is_empty();
    programs.retain(|p| !filtered || filters.iter().any(|f| p.rel.contains(f.as_str())));

    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cross-matrix-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("create the matrix's temp dir");
    // vexc's runtime object cache (one entry per target): inside target/, kept between runs.
    std::env::set_var("VEXC_CACHE_DIR", PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vexc-cache"));
    let ctx = Ctx {
        vexc: PathBuf::from(env!("CARGO_BIN_EXE_vexc")),
        root: root.clone(),
        tmp: tmp.clone(),
        workers: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
    };

    let zig = zig_cc();
    let no_zig = "ziglang is not installed (pip install ziglang)";
    let qemu = works("qemu-aarch64", &["--version"]).then(|| "qemu-aarch64".to_string());
    let mingw = works("x86_64-w64-mingw32-gcc", &["--version"]);
    let wine = wine();
    let zig_spec = |label, triple| Spec {
        label,
        triple,
        cc: zig.clone(),
        run: RunMode::LinkOnly,
        runner: None,
        skip: zig.is_none().then(|| no_zig.to_string()),
        run_skip: None,
    };
    let specs = vec![
        Spec {
            run: RunMode::Qemu,
            run_skip: qemu.is_none().then(|| "qemu-aarch64 is not installed (apt-get install qemu-user)".to_string()),
            runner: qemu,
            ..zig_spec("aarch64-linux", "aarch64-linux-musl")
        },
        Spec {
            label: "x86_64-windows",
            triple: "x86_64-windows-gnu",
            cc: if mingw { Some("x86_64-w64-mingw32-gcc".into()) } else { zig.clone() },
            run: RunMode::Wine,
            run_skip: wine.is_none().then(|| "wine is not installed (apt-get install wine64)".to_string()),
            runner: wine,
            skip: (!mingw && zig.is_none())
                .then(|| "neither mingw-w64 (apt-get install gcc-mingw-w64-x86-64) nor ziglang (pip install ziglang) is installed".into()),
        },
        zig_spec("x86_64-macos", "x86_64-macos"),
        zig_spec("aarch64-macos", "aarch64-macos"),
        zig_spec("x86_64-freebsd", "x86_64-freebsd"),
    ];

    println!(
        "cross matrix: {} program(s), {}, vexc = {}",
        programs.len(),
        if full || filtered { "every program per target".to_string() } else { format!("every {STRIDE}th per target (VEX_CROSS_FULL=1: all)") },
        ctx.vexc.display()
    );
    println!("native gcc, clang, tcc: built and run by the run harness (cargo test --release --test run_harness)");
    let mut all: Vec<Check> = header_errors;
    all.extend(cli_checks(&ctx, specs[1].skip.is_none().then(|| specs[1].cc.as_deref()).flatten()));
    for (ti, spec) in specs.iter().enumerate() {
        if let Some(why) = &spec.skip {
            println!("{}: skipped ({why})", spec.label);
            all.push(Check::skip_named(format!("target {} (every program)", spec.label), why));
            continue;
        }
        println!(
            "{}: vexc --target {} --cc '{}'{}",
            spec.label,
            spec.triple,
            spec.cc.as_deref().unwrap_or(""),
            match (spec.run, &spec.runner) {
                (RunMode::LinkOnly, _) => ", link only".to_string(),
                (_, Some(r)) => format!(", run under {r}"),
                (_, None) => format!(", not run: {}", spec.run_skip.as_deref().unwrap_or("")),
            }
        );
        let mut chosen: Vec<&Program> = Vec::new();
        for (i, p) in programs.iter().enumerate() {
            if !(full || filtered || i % STRIDE == ti % STRIDE) {
                continue;
            }
            match p.expect.cross_skip.iter().find(|(t, _)| t == "*" || spec.label.contains(t.as_str())) {
                Some((_, reason)) => all.push(Check::skip_named(format!("{} [{}]", p.rel, spec.label), reason)),
                None => chosen.push(p),
            }
        }
        all.extend(run_target(&ctx, spec, &chosen));
    }
    let _ = std::fs::remove_dir_all(&tmp);

    let failed = report::summary(&all, &[]);
    std::process::exit(if failed > 0 { 1 } else { 0 });
}
