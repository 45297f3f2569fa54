//! Differential back-end check: random well-typed Vex programs (`difftest/gen.rs`) are compiled
//! by vexc to C (`--emit-c`), and the C is built twice: gcc `-O0` and clang `-O2` with UBSan
//! (`-fsanitize=undefined -fno-sanitize-recover=all`), both with the strict flags `-std=c11
//! -Wall -Wextra -Werror -pedantic`. Both binaries run; stdout and exit status must agree,
//! UBSan must stay silent, and no program may panic (the generator only writes programs with
//! defined behaviour and no run-time failure). vexc must accept every generated program: a
//! rejection or an internal error is a bug of the generator or of vexc.
//!
//! A failing program is saved (with the seed and the difference) under
//! `target/tmp/difftest-failures/` (or `$VEX_DIFF_SAVE`) and the test fails naming the seed.
//!
//! Environment:
//!   `VEX_DIFF_COUNT=N`  programs to check (default 100: about a minute on 2 cores)
//!   `VEX_DIFF_SEED=S`   seed of the first program (default 1); program i uses seed S+i
//!   `VEX_DIFF_JOBS=J`   parallel workers (default: available CPUs)
//!   `VEX_DIFF_FILE=F`   check the Vex program F (absolute, or relative to the repository) instead
//!                       of generated ones, to reproduce a saved failure
//!   `VEX_DIFF_SAVE=DIR` where failing programs are written
//!
//! A long local run: `VEX_DIFF_COUNT=5000 VEX_DIFF_SEED=100000 cargo test --release --test differential`.
//! Missing gcc or clang: the check is skipped, by name.

mod common;
#[path = "difftest/gen.rs"]
mod gen;

use common::{compile_runtime, have, run, tail, Outcome};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const STRICT: &[&str] = &["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"];
const LIBS: &[&str] = &["-lm", "-lpthread"];
const TIMEOUT: Duration = Duration::from_secs(20);

struct Toolchain {
    label: &'static str,
    cc: &'static str,
    flags: Vec<&'static str>,
    runtime: Vec<PathBuf>,
}

fn toolchains() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    let mut gcc = STRICT.to_vec();
    gcc.push("-O0");
    let mut clang = STRICT.to_vec();
    clang.extend(["-O2", "-fsanitize=undefined", "-fno-sanitize-recover=all"]);
    vec![("gcc -O0", "gcc", gcc), ("clang -O2 UBSan", "clang", clang)]
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| panic!("{name}={v}: not a number")),
        Err(_) => default,
    }
}

/// One program's check: Ok(stdout lines compared) or Err(what went wrong).
fn check_program(vexc: &Path, tcs: &[Toolchain], work: &Path, source: &str) -> Result<usize, String> {
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
    let src = work.join("prog.vx");
    std::fs::write(&src, source).map_err(|e| e.to_string())?;
    let cdir = work.join("c");
    let o = run(Command::new(vexc).arg(&src).arg("--emit-c").arg(&cdir).args(["--color", "never"]), Duration::from_secs(60))?;
    match o.code {
        Some(0) => {}
        Some(101) => return Err(format!("vexc: internal compiler error\n{}", tail(&o.stderr(), 60))),
        c => return Err(format!("vexc rejected the program (exit {c:?}):\n{}", tail(&o.stderr(), 60))),
    }
    let mut program_c = Vec::new();
    for entry in std::fs::read_dir(&cdir).map_err(|e| e.to_string())? {
        let name = entry.map_err(|e| e.to_string())?.file_name().to_string_lossy().into_owned();
        let runtime = vexc::driver::RUNTIME_FILES.iter().chain(vexc::driver::ASYNC_RUNTIME_FILES).any(|(n, _)| *n == name);
        if name.ends_with(".c") && !runtime {
            program_c.push(cdir.join(name));
        }
    }
    if cdir.join("vx_rt.h").exists() {
        return Err("the program uses the async runtime, which the generator never asks for".into());
    }
    let mut outcomes: Vec<(&str, Outcome)> = Vec::new();
    for tc in tcs {
        let exe = work.join(format!("prog-{}", tc.cc));
        let mut cmd = Command::new(tc.cc);
        cmd.args(&tc.flags).arg("-I").arg(&cdir).args(&program_c).args(&tc.runtime).arg("-o").arg(&exe).args(LIBS);
        let o = run(&mut cmd, Duration::from_secs(300))?;
        if o.code != Some(0) {
            return Err(format!("{} rejected the emitted C:\n{}", tc.label, tail(&o.stderr(), 40)));
        }
        let o = run(&mut Command::new(&exe), TIMEOUT)?;
        outcomes.push((tc.label, o));
    }
    compare(&outcomes)
}

/// All outcomes must be a normal, silent-sanitizer run with the same stdout and exit status.
fn compare(outcomes: &[(&str, Outcome)]) -> Result<usize, String> {
    let mut problems = Vec::new();
    for (label, o) in outcomes {
        let stderr = o.stderr();
        match o.code {
            None => problems.push(format!("[{label}] timed out after {} s", TIMEOUT.as_secs())),
            Some(c) if c > 127 => problems.push(format!("[{label}] killed by signal {} (a panic aborts)", c - 128)),
            _ => {}
        }
        if stderr.contains("runtime error") || stderr.contains("Sanitizer") {
            problems.push(format!("[{label}] UBSan reported undefined behaviour:\n{}", tail(&stderr, 20)));
        } else if stderr.contains("panic") {
            problems.push(format!("[{label}] the program panicked:\n{}", tail(&stderr, 10)));
        }
    }
    let (first_label, first) = &outcomes[0];
    for (label, o) in &outcomes[1..] {
        if o.code != first.code {
            problems.push(format!("exit status: [{first_label}] {:?}, [{label}] {:?}", first.code, o.code));
        }
        if o.stdout != first.stdout {
            problems.push(format!("stdout differs: [{first_label}] vs [{label}]\n{}", diff(&first.stdout, &o.stdout)));
        }
    }
    if problems.is_empty() {
        Ok(String::from_utf8_lossy(&first.stdout).lines().count())
    } else {
        Err(problems.join("\n"))
    }
}

/// The first differing line of two outputs, with a little context.
fn diff(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = (0..la.len().max(lb.len())).find(|&i| la.get(i) != lb.get(i)).unwrap_or(0);
    let from = i.saturating_sub(3);
    let mut s = format!("first difference at line {}:\n", i + 1);
    for k in from..i {
        s.push_str(&format!("  {}\n", la[k]));
    }
    s.push_str(&format!("- {}\n+ {}\n", la.get(i).unwrap_or(&"<end of output>"), lb.get(i).unwrap_or(&"<end of output>")));
    s
}

#[test]
fn generated_programs_agree_across_c_compilers() {
    for tool in ["gcc", "clang"] {
        if !have(tool) {
            println!("skipped: differential check ({tool} is not installed)");
            return;
        }
    }
    let count = env_u64("VEX_DIFF_COUNT", 100);
    let seed = env_u64("VEX_DIFF_SEED", 1);
    let jobs = env_u64("VEX_DIFF_JOBS", std::thread::available_parallelism().map(|n| n.get() as u64).unwrap_or(2)).max(1);
    let file = std::env::var("VEX_DIFF_FILE").ok();
    let target_tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let save_dir = std::env::var("VEX_DIFF_SAVE").map(PathBuf::from).unwrap_or_else(|_| target_tmp.join("difftest-failures"));
    let programs: Vec<(String, String)> = match &file {
        Some(f) => {
            // cargo runs tests in compiler/: a relative path may also be relative to the repository
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("repo root").join(f);
            let path = if Path::new(f).exists() { PathBuf::from(f) } else { root };
            vec![(f.clone(), std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{f}: {e}")))]
        }
        None => (0..count).map(|i| (format!("seed {}", seed + i), String::new())).collect(),
    };
    let tmp = target_tmp.join(format!("difftest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let rt_dir = tmp.join("runtime");
    std::fs::create_dir_all(&rt_dir).expect("temp dir");
    for (name, text) in vexc::driver::RUNTIME_FILES {
        std::fs::write(rt_dir.join(name), text).expect("write runtime");
    }
    let start = Instant::now();
    let tcs: Vec<Toolchain> = std::thread::scope(|s| {
        let hs: Vec<_> = toolchains()
            .into_iter()
            .map(|(label, cc, flags)| {
                let (rt_dir, tmp) = (&rt_dir, &tmp);
                s.spawn(move || {
                    let files = vexc::driver::runtime_files(false);
                    let obj = tmp.join(format!("obj-{cc}"));
                    match compile_runtime(label, cc, &flags, &files, rt_dir, &obj) {
                        Ok(runtime) => Toolchain { label, cc, flags, runtime },
                        Err(e) => panic!("the runtime does not build under [{label}]:\n{e}"),
                    }
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().expect("runtime build")).collect()
    });
    let vexc = PathBuf::from(env!("CARGO_BIN_EXE_vexc"));

    let next = AtomicUsize::new(0);
    let lines = AtomicUsize::new(0);
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for w in 0..jobs {
            let (programs, next, lines, failures, tcs, vexc, tmp, save_dir, file) =
                (&programs, &next, &lines, &failures, &tcs, &vexc, &tmp, &save_dir, &file);
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((name, text)) = programs.get(i) else { break };
                let source = if file.is_some() { text.clone() } else { gen::program(seed + i as u64) };
                let work = tmp.join(format!("w{w}"));
                match check_program(vexc, tcs, &work, &source) {
                    Ok(n) => {
                        lines.fetch_add(n, Ordering::SeqCst);
                    }
                    Err(e) => {
                        let _ = std::fs::create_dir_all(save_dir);
                        let saved = save_dir.join(format!("{}.vx", name.replace(' ', "-").replace('/', "_")));
                        let _ = std::fs::write(&saved, &source);
                        let _ = std::fs::write(saved.with_extension("txt"), &e);
                        let msg = format!("FAIL {name} (saved as {})\n{e}", saved.display());
                        println!("{msg}\n");
                        failures.lock().unwrap().push(msg);
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let _ = std::fs::remove_dir_all(&tmp);
    println!(
        "differential check: {} program(s) ({}), {} output lines compared, {} failure(s), {:.1} s",
        programs.len(),
        match &file {
            Some(f) => f.clone(),
            None => format!("seeds {seed}..{}", seed + count),
        },
        lines.load(Ordering::SeqCst),
        failures.len(),
        start.elapsed().as_secs_f64()
    );
    if !failures.is_empty() {
        let names: Vec<&str> = failures.iter().map(|f| f.lines().next().unwrap_or("")).collect();
        panic!("{} generated program(s) failed the differential check:\n{}\n\n{}", failures.len(), names.join("\n"), failures.join("\n\n"));
    }
}

#[test]
fn generator_is_deterministic_and_varied() {
    assert_eq!(gen::program(7), gen::program(7));
    let a = gen::program(1);
    let b = gen::program(2);
    assert_ne!(a, b);
    assert!(a.contains("fn main(): i32"), "{a}");
}

/// Fifty seeds between them use every construct the generator knows.
#[test]
fn generator_covers_the_language() {
    let all: String = (1..=50).map(gen::program).collect();
    let features = [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f64", "bool", "string", " as f32)", " << ", " >> ", " ^ ", " % (",
        " / (", "&&", "||", "tick(", "elif", "else", "while ", "for let! ", "break;", "continue;", "return ", "struct S",
        "enum E", "match ", " if ", "=> {", "_ =>", "[IDX", "; 3]", ".0", ".1", "fn (self: &S", ")! {", ")!;", "n - 1", " = |x",
        "f\"<", "{:x}", "{:?}", "{:.", "Vec<", "Map<i64", ".push(", ".insert(", ".get(", ".len()", "ctpop(", "bswap(",
        "bitreverse(", "vex_f64_to_string(", "fclamp(",
    ];
    let missing: Vec<&str> = features.iter().copied().filter(|f| *f != "[IDX" && !all.contains(f)).collect();
    assert!(missing.is_empty(), "constructs never generated: {missing:?}");
    assert!(!all.contains("[IDX"), "an index placeholder leaked into a program");
}

#[test]
fn comparison_catches_differences() {
    let ok = |out: &str, code| Outcome { code: Some(code), stdout: out.as_bytes().to_vec(), stderr: Vec::new() };
    assert_eq!(compare(&[("a", ok("1\n2\n", 3)), ("b", ok("1\n2\n", 3))]), Ok(2));
    let e = compare(&[("a", ok("1\n2\n", 3)), ("b", ok("1\n5\n", 3))]).unwrap_err();
    assert!(e.contains("first difference at line 2") && e.contains("- 2\n+ 5"), "{e}");
    let e = compare(&[("a", ok("1\n", 3)), ("b", ok("1\n", 4))]).unwrap_err();
    assert!(e.contains("exit status"), "{e}");
    let ub = Outcome { code: Some(1), stdout: Vec::new(), stderr: b"x.c:3:5: runtime error: signed integer overflow".to_vec() };
    assert!(compare(&[("a", ok("", 1)), ("b", ub)]).unwrap_err().contains("UBSan"));
    let panic = Outcome { code: Some(134), stdout: Vec::new(), stderr: b"panic: division by zero at p.vx:3".to_vec() };
    assert!(compare(&[("a", panic), ("b", ok("", 134))]).unwrap_err().contains("panicked"));
}
