//! Building an executable: write the C, compile the runtime (through the object cache), compile
//! the program and link.

use super::cache;
use super::exe_cache;
use super::cc::{self, CCompiler};
use super::codes;
use super::runtime::{ASYNC_RUNTIME_FILES, RUNTIME_FILES};
use super::sanitize::{self, Sanitizer};
use crate::diag::Diagnostic;
use crate::CompiledC;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// `--cc CMD`; `None` = the `cc` crate's choice (honours `CC`).
    pub cc: Option<String>,
    /// 0..=3, passed as `-O<n>`.
    pub opt_level: u32,
    /// Adds `-g`.
    pub debug: bool,
    /// Runtime object cache root; `None` = [`cache::cache_root`].
    pub cache_dir: Option<PathBuf>,
    /// `--target TRIPLE`; `None` = the C compiler's own target (see [`super::target`]).
    pub target: Option<String>,
    /// `--sanitize LIST`: sanitizers for the program and the runtime (see [`super::sanitize`]).
    pub sanitize: Vec<Sanitizer>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions { cc: None, opt_level: 0, debug: true, cache_dir: None, target: None, sanitize: Vec::new() }
    }
}

impl BuildOptions {
    /// The C flags used for both the runtime and the program (and the link). Sanitizers
    /// always come with `-g`, so their reports name source lines.
    pub fn cflags(&self) -> Vec<String> {
        let mut flags = vec!["-std=c11".to_string(), format!("-O{}", self.opt_level.min(3))];
        if self.debug || !self.sanitize.is_empty() {
            flags.push("-g".into());
        }
        flags.extend(sanitize::cflags(&self.sanitize));
        flags
    }
}

/// What a build did (used by tests and `--keep-c`).
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// The C compiler command used.
    pub compiler: String,
    /// Runtime objects compiled by this build.
    pub runtime_compiled: usize,
    /// Runtime objects taken from the cache.
    pub runtime_cached: usize,
    /// The directory the runtime objects live in.
    pub object_dir: PathBuf,
    /// The final link command (on an executable cache hit, the one that built the cached
    /// executable, with this build's directory).
    pub link_command: String,
    /// The executable came from the executable cache (nothing was compiled or linked).
    pub exe_cached: bool,
    /// The executable's key in that cache (hex).
    pub exe_key: String,
}

/// The runtime files a program is built with: the C runtime, plus the async runtime when the
/// program uses concurrency (`CompiledC::uses_runtime`).
pub fn runtime_files(uses_runtime: bool) -> Vec<(&'static str, &'static str)> {
    let mut files = RUNTIME_FILES.to_vec();
    if uses_runtime {
        files.extend_from_slice(ASYNC_RUNTIME_FILES);
    }
    files
}

/// Extra C flags (compile and link) of a program that uses the async runtime: the runtime's
/// reference counts become atomics (`VEX_THREADS`, see vex_runtime.h) and it runs threads.
pub const THREAD_FLAGS: &[&str] = &["-DVEX_THREADS", "-pthread"];

/// Writes the program's C and every runtime file it needs, flat, into `dir` (created if
/// missing). `cc -std=c11 DIR/*.c -lm -lpthread` then builds the program without vexc (for a
/// program using concurrency, vex_runtime.h sees `vx_rt.h` next to it and turns `VEX_THREADS`
/// on for the runtime's files as well).
pub fn emit_c_dir(compiled: &CompiledC, dir: &Path) -> Result<(), Diagnostic> {
    write_sources(&compiled.files(), &runtime_files(compiled.uses_runtime), dir)
}

pub(super) fn write_sources(program: &[(&str, &str)], runtime: &[(&str, &str)], dir: &Path) -> Result<(), Diagnostic> {
    let write_err = |path: &Path, e: std::io::Error| {
        Diagnostic::global(codes::WRITE, format!("cannot write `{}`: {e}", path.display()))
    };
    create_dir(dir)?;
    for (file, text) in runtime.iter().chain(program).copied() {
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|e| write_err(&path, e))?;
    }
    Ok(())
}

/// Creates directory `dir` (and its parents); E0904 says which part is in the way.
pub fn create_dir(dir: &Path) -> Result<(), Diagnostic> {
    std::fs::create_dir_all(dir).map_err(|e| {
        // the first ancestor that exists but is not a directory
        let blocker = dir.ancestors().find(|a| !a.as_os_str().is_empty() && a.exists() && !a.is_dir());
        match blocker {
            Some(b) => Diagnostic::global(
                codes::WRITE,
                format!("cannot create the directory `{}`: `{}` is a file, not a directory", dir.display(), b.display()),
            )
            .help("name a directory that does not exist yet or is a directory"),
            None => Diagnostic::global(codes::WRITE, format!("cannot create the directory `{}`: {e}", dir.display())),
        }
    })
}

/// Builds the executable `out` from the program's C, using `build_dir` as scratch space.
pub fn build_executable(
    compiled: &CompiledC,
    opts: &BuildOptions,
    build_dir: &Path,
    out: &Path,
) -> Result<BuildReport, Diagnostic> {
    let compiler = super::target::find_compiler(opts)?;
    build_program(&compiler, compiled, opts, build_dir, out)
}

/// Builds the executable `out` from a compiled program with `compiler`: the runtime it needs
/// (plus the async runtime, [`THREAD_FLAGS`] and threads when `compiled.uses_runtime`).
pub fn build_program(
    compiler: &CCompiler,
    compiled: &CompiledC,
    opts: &BuildOptions,
    build_dir: &Path,
    out: &Path,
) -> Result<BuildReport, Diagnostic> {
    let threads = compiled.uses_runtime;
    build_c_with(compiler, &compiled.files(), &runtime_files(threads), threads, opts, build_dir, out)
}

/// Builds `out` from the program's C files plus a runtime (normally [`RUNTIME_FILES`]; tests
/// pass their own), without threads.
pub fn build_c(
    compiler: &CCompiler,
    program: &[(&str, &str)],
    runtime: &[(&str, &str)],
    opts: &BuildOptions,
    build_dir: &Path,
    out: &Path,
) -> Result<BuildReport, Diagnostic> {
    build_c_with(compiler, program, runtime, false, opts, build_dir, out)
}

/// As [`build_c`]; `threads`: the program uses the async runtime, so everything is compiled and
/// linked with [`THREAD_FLAGS`] (its own runtime cache entry) and the compiler must have C11
/// atomics (else the E0907 diagnostic).
pub fn build_c_with(
    compiler: &CCompiler,
    program: &[(&str, &str)],
    runtime: &[(&str, &str)],
    threads: bool,
    opts: &BuildOptions,
    build_dir: &Path,
    out: &Path,
) -> Result<BuildReport, Diagnostic> {
    sanitize::check_options(opts)?;
    if threads && is_tcc(compiler) {
        return Err(no_atomics(compiler));
    }
    write_sources(program, runtime, build_dir)?;
    let mut flags = opts.cflags();
    if threads {
        flags.extend(THREAD_FLAGS.iter().map(|f| f.to_string()));
    }
    let mut report = BuildReport { compiler: compiler.display(), ..BuildReport::default() };

    // An executable built before from the same C with the same compiler, flags and runtime.
    let root = opts.cache_dir.clone().unwrap_or_else(cache::cache_root);
    let exe_key = exe_cache::key(compiler, &flags, runtime, program);
    if exe_cache::fetch(&root, &exe_key.hex(), out) {
        return Ok(exe_cache::hit_report(report, compiler, program, runtime, &flags, &root, build_dir, out, &exe_key));
    }

    let objects = runtime_objects(compiler, runtime, &flags, threads, opts, build_dir, &mut report)?;

    let mut cmd = compiler.command();
    cmd.args(&flags).arg("-I").arg(build_dir);
    for (name, _) in program {
        cmd.arg(build_dir.join(name));
    }
    cmd.args(&objects).arg("-o").arg(out).args(compiler.link_libs());
    report.link_command = command_line(&cmd);
    run_cc(cmd)?;
    exe_cache::store(&root, &exe_key, out);
    report.exe_key = exe_key.hex();
    Ok(report)
}

/// tcc (0.9.27, the one Debian ships) has no `<stdatomic.h>`.
pub(super) fn is_tcc(compiler: &CCompiler) -> bool {
    let stem = compiler.program.file_stem().map(|s| s.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    stem == "tcc" || stem.ends_with("-tcc") || compiler.version.starts_with("tcc version") || compiler.version.contains("Tiny C")
}

/// The E0907 diagnostic: a program using concurrency needs C11 atomics.
pub(super) fn no_atomics(compiler: &CCompiler) -> Diagnostic {
    Diagnostic::global(
        codes::NO_ATOMICS,
        format!(
            "this program uses concurrency (`go`, `async fn`, channels), which needs C11 atomics (<stdatomic.h>), \
             and the C compiler `{}` has none",
            compiler.display()
        ),
    )
    .help("build it with gcc or clang: `--cc gcc` (or `--cc clang`)")
}

/// A C compiler that is not tcc may still lack C11 atomics (`__STDC_NO_ATOMICS__`, or no
/// `<stdatomic.h>`): compile a probe before the (uncached) runtime objects of a threaded build.
fn probe_atomics(compiler: &CCompiler, flags: &[String], build_dir: &Path) -> Result<(), Diagnostic> {
    const PROBE: &str = "#include <stdatomic.h>\n#if defined(__STDC_NO_ATOMICS__) || defined(__TINYC__)\n\
        #error \"no C11 atomics\"\n#endif\n_Atomic int vex_probe_word;\n\
        int vex_probe_get(void) { return atomic_fetch_add(&vex_probe_word, 1); }\n";
    let src = build_dir.join("vex_atomics_probe.c");
    std::fs::write(&src, PROBE)
        .map_err(|e| Diagnostic::global(codes::WRITE, format!("cannot write `{}`: {e}", src.display())))?;
    let mut cmd = compiler.command();
    cmd.args(flags).arg("-c").arg(&src).arg("-o").arg(build_dir.join("vex_atomics_probe.o"));
    let ok = cmd.output().map(|o| o.status.success()).unwrap_or(false);
    let _ = std::fs::remove_file(&src);
    let _ = std::fs::remove_file(build_dir.join("vex_atomics_probe.o"));
    if ok {
        Ok(())
    } else {
        Err(no_atomics(compiler))
    }
}

/// The runtime's object files: from the cache, or compiled now and published into it.
pub(super) fn runtime_objects(
    compiler: &CCompiler,
    runtime: &[(&str, &str)],
    flags: &[String],
    threads: bool,
    opts: &BuildOptions,
    build_dir: &Path,
    report: &mut BuildReport,
) -> Result<Vec<PathBuf>, Diagnostic> {
    let key = cache::runtime_key(compiler, flags, runtime);
    let root = opts.cache_dir.clone().unwrap_or_else(cache::cache_root);
    let mut dir = root.join(format!("rt-{}", key.hex()));
    if std::fs::create_dir_all(&dir).is_err() {
        // No usable cache: compile into the build directory instead.
        dir = build_dir.join("rt-objects");
        std::fs::create_dir_all(&dir)
            .map_err(|e| Diagnostic::global(codes::WRITE, format!("cannot create `{}`: {e}", dir.display())))?;
    }
    report.object_dir = dir.clone();
    sanitize::probe(compiler, &opts.sanitize, flags, build_dir, &dir)?;

    let c_files: Vec<&str> = runtime.iter().map(|(n, _)| *n).filter(|n| n.ends_with(".c")).collect();
    let objects: Vec<PathBuf> =
        c_files.iter().map(|n| dir.join(format!("{}.o", n.trim_end_matches(".c")))).collect();
    let todo: Vec<usize> = (0..c_files.len()).filter(|&i| !objects[i].is_file()).collect();
    report.runtime_cached = c_files.len() - todo.len();
    report.runtime_compiled = todo.len();
    if threads && !todo.is_empty() {
        probe_atomics(compiler, flags, build_dir)?;
    }

    // Compile the missing objects in parallel, one worker per core.
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).min(todo.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<(), Diagnostic>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut res = Ok(());
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&idx) = todo.get(i) else { break };
                        let dest = &objects[idx];
                        let tmp = cache::temp_sibling(dest);
                        let mut cmd = compiler.command();
                        cmd.args(flags).arg("-I").arg(build_dir).arg("-c").arg(build_dir.join(c_files[idx]));
                        cmd.arg("-o").arg(&tmp);
                        let r = run_cc(cmd).and_then(|()| {
                            cache::publish(&tmp, dest).map_err(|e| {
                                Diagnostic::global(codes::WRITE, format!("cannot write `{}`: {e}", dest.display()))
                            })
                        });
                        if r.is_err() {
                            let _ = std::fs::remove_file(&tmp);
                            res = r;
                            break;
                        }
                    }
                    res
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(Diagnostic::ice("driver", "runtime compile worker panicked"))))
            .collect()
    });
    for r in results {
        r?;
    }
    Ok(objects)
}

/// The command as a copy-pasteable line (environment overrides shown as `K=V` prefixes).
pub fn command_line(cmd: &Command) -> String {
    let mut parts: Vec<OsString> = cmd
        .get_envs()
        .filter_map(|(k, v)| {
            v.map(|v| {
                let mut kv = k.to_owned();
                kv.push("=");
                kv.push(v);
                kv
            })
        })
        .collect();
    parts.push(cmd.get_program().to_owned());
    parts.extend(cmd.get_args().map(|a| a.to_owned()));
    cc::shell_join(&parts)
}

const MAX_STDERR: usize = 20_000;

/// Runs a C compiler command; failure becomes an E0900 diagnostic with the command and its output.
pub(super) fn run_cc(mut cmd: Command) -> Result<(), Diagnostic> {
    let line = command_line(&cmd);
    let output = cmd.output().map_err(|e| {
        Diagnostic::global(codes::NO_CC, format!("the C compiler could not be started: {e}"))
            .note(format!("command: {line}"))
    })?;
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stdout));
    let mut text = text.trim_end().to_string();
    if text.len() > MAX_STDERR {
        let mut cut = MAX_STDERR;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let rest = text.len() - cut;
        text.truncate(cut);
        text.push_str(&format!("\n... ({rest} more bytes)"));
    }
    let status = match output.status.code() {
        Some(c) => format!("exit status {c}"),
        None => "killed by a signal".to_string(),
    };
    Err(Diagnostic::global(codes::CC_FAILED, "the C compiler failed")
        .note(format!("command ({status}): {line}"))
        .note(format!("compiler output:\n{text}"))
        .help(
            "vexc's C output should always compile: if this C compiler works otherwise, this is a vexc bug \
             (`--keep-c` keeps the C files for a report)",
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RT_H: &str = "#ifndef T_RT_H\n#define T_RT_H\nint t_rt_add(int a, int b);\n#endif\n";
    const RT_C: &str = "#include \"t_rt.h\"\n#include <pthread.h>\n#include <math.h>\n\
        int t_rt_add(int a, int b) { return a + b; }\n";
    const PROG: &str = "#include <stdio.h>\n#include \"t_rt.h\"\n\
        int main(void) { printf(\"sum=%d\\n\", t_rt_add(40, 2)); return 7; }\n";

    fn compiler() -> CCompiler {
        cc::find(None, 0, true).expect("these tests need a C compiler (gcc or clang)")
    }

    #[test]
    fn builds_runs_and_caches_runtime_objects() {
        let cc = compiler();
        let cache = tempfile::tempdir().unwrap();
        let opts = BuildOptions { cache_dir: Some(cache.path().to_path_buf()), ..BuildOptions::default() };
        let runtime = [("t_rt.h", RT_H), ("t_rt.c", RT_C)];

        let b1 = tempfile::tempdir().unwrap();
        let exe = b1.path().join(cc.exe_name("prog"));
        let r1 = build_c(&cc, &[("prog.c", PROG)], &runtime, &opts, b1.path(), &exe).unwrap();
        assert_eq!((r1.runtime_compiled, r1.runtime_cached), (1, 0));
        assert!(r1.object_dir.starts_with(cache.path()));
        let out = Command::new(&exe).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "sum=42\n");
        assert_eq!(out.status.code(), Some(7));

        // Second build, fresh build dir: the runtime object comes from the cache.
        let b2 = tempfile::tempdir().unwrap();
        let exe2 = b2.path().join(cc.exe_name("prog"));
        let r2 = build_c(&cc, &[("prog.c", PROG)], &runtime, &opts, b2.path(), &exe2).unwrap();
        assert_eq!((r2.runtime_compiled, r2.runtime_cached), (0, 1));
        assert_eq!(r1.object_dir, r2.object_dir);
        // ... and, the program being unchanged, the executable too (see exe_cache.rs).
        assert!(!r1.exe_cached && r2.exe_cached);
        assert_eq!(Command::new(&exe2).output().unwrap().status.code(), Some(7));

        // Other flags or other runtime sources: another cache entry.
        let o2 = BuildOptions { opt_level: 2, debug: false, ..opts.clone() };
        let r3 = build_c(&cc, &[("prog.c", PROG)], &runtime, &o2, b2.path(), &exe2).unwrap();
        assert_eq!(r3.runtime_compiled, 1);
        assert_ne!(r3.object_dir, r1.object_dir);
        let rt_c2 = format!("{RT_C}/* changed */\n");
        let runtime2 = [("t_rt.h", RT_H), ("t_rt.c", rt_c2.as_str())];
        let r4 = build_c(&cc, &[("prog.c", PROG)], &runtime2, &opts, b2.path(), &exe2).unwrap();
        assert_eq!(r4.runtime_compiled, 1);
        assert_ne!(r4.object_dir, r1.object_dir);

        // No temporaries left in the cache.
        for entry in std::fs::read_dir(&r1.object_dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.contains(".tmp-"), "leftover temporary {name}");
        }
    }

    #[test]
    fn concurrent_builds_share_the_cache() {
        let cc = compiler();
        let cache = tempfile::tempdir().unwrap();
        let opts = BuildOptions { cache_dir: Some(cache.path().to_path_buf()), ..BuildOptions::default() };
        let runtime = [("t_rt.h", RT_H), ("t_rt.c", RT_C)];
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    let b = tempfile::tempdir().unwrap();
                    let exe = b.path().join(cc.exe_name("prog"));
                    build_c(&cc, &[("prog.c", PROG)], &runtime, &opts, b.path(), &exe).unwrap();
                    assert_eq!(Command::new(&exe).output().unwrap().status.code(), Some(7));
                });
            }
        });
    }

    #[test]
    fn c_compiler_failure_is_e0900_with_command_and_stderr() {
        let cc = compiler();
        let cache = tempfile::tempdir().unwrap();
        let opts = BuildOptions { cache_dir: Some(cache.path().to_path_buf()), ..BuildOptions::default() };
        let b = tempfile::tempdir().unwrap();
        let bad = "int main(void) { return undeclared_thing_xyz; }\n";
        let err = build_c(&cc, &[("bad.c", bad)], &[], &opts, b.path(), &b.path().join("bad")).unwrap_err();
        assert_eq!(err.code, codes::CC_FAILED);
        assert_eq!(err.message, "the C compiler failed");
        assert!(err.notes[0].contains("-std=c11") && err.notes[0].contains("bad.c"), "{:?}", err.notes);
        assert!(err.notes[1].contains("undeclared_thing_xyz"), "{:?}", err.notes);
        let rendered = crate::diag::render_plain(&[err], &crate::span::SourceMap::default());
        assert!(rendered.contains("error[E0900]: the C compiler failed"), "{rendered}");
    }

    #[test]
    fn broken_runtime_fails_and_is_not_cached() {
        let cc = compiler();
        let cache = tempfile::tempdir().unwrap();
        let opts = BuildOptions { cache_dir: Some(cache.path().to_path_buf()), ..BuildOptions::default() };
        let b = tempfile::tempdir().unwrap();
        let runtime = [("t_rt.c", "this is not C;\n")];
        let err = build_c(&cc, &[("p.c", PROG)], &runtime, &opts, b.path(), &b.path().join("p")).unwrap_err();
        assert_eq!(err.code, codes::CC_FAILED);
        let again = build_c(&cc, &[("p.c", PROG)], &runtime, &opts, b.path(), &b.path().join("p")).unwrap_err();
        assert_eq!(again.code, codes::CC_FAILED);
    }

    const CHAN_TASKS: &str = include_str!("testdata/chan_tasks.c");
    /// A program on the real (non-threaded) runtime.
    const PLAIN: &str = "#include <stdio.h>\n#include \"vex_runtime.h\"\n\
        int main(void) {\n    vex_str s = vex_str_concat(vex_str_from_c(\"ab\"), vex_str_from_c(\"c\"));\n\
        printf(\"len=%d\\n\", (int)vex_str_len(s));\n    vex_str_release(s);\n    return vex_exit_status(7);\n}\n";

    fn threaded(source: &str) -> CompiledC {
        CompiledC {
            file_name: "chan_tasks.c".into(),
            source: source.into(),
            extra_files: vec![],
            warnings: vec![],
            uses_runtime: true,
        }
    }

    fn run_with(exe: &Path, envs: &[(&str, &str)]) -> std::process::Output {
        let mut cmd = Command::new(exe);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    #[test]
    fn threaded_program_builds_with_the_async_runtime_and_runs() {
        let cc = compiler();
        let cache = tempfile::tempdir().unwrap();
        let opts = BuildOptions { cache_dir: Some(cache.path().to_path_buf()), ..BuildOptions::default() };
        let b = tempfile::tempdir().unwrap();
        let exe = b.path().join(cc.exe_name("chan_tasks"));
        let r = build_program(&cc, &threaded(CHAN_TASKS), &opts, b.path(), &exe).unwrap();
        let c_files = runtime_files(true).iter().filter(|(n, _)| n.ends_with(".c")).count();
        assert_eq!((r.runtime_compiled, r.runtime_cached), (c_files, 0));
        assert!(ASYNC_RUNTIME_FILES.iter().any(|(n, _)| *n == "vx_sched.c"));
        assert!(r.link_command.contains("-DVEX_THREADS") && r.link_command.contains("-pthread"), "{}", r.link_command);
        for workers in ["1", "2", "4"] {
            let out = run_with(&exe, &[("VEX_WORKERS", workers)]);
            assert_eq!(String::from_utf8_lossy(&out.stdout), "total=37000\n", "{}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(out.status.code(), Some(3));
        }

        // The threaded runtime objects are a cache entry of their own: a plain program next to it
        // builds exactly as before (no -DVEX_THREADS, no async runtime) and both are cached.
        let b2 = tempfile::tempdir().unwrap();
        let plain = CompiledC { uses_runtime: false, source: PLAIN.into(), file_name: "prog.c".into(), ..threaded("") };
        let exe2 = b2.path().join(cc.exe_name("prog"));
        let r2 = build_program(&cc, &plain, &opts, b2.path(), &exe2).unwrap();
        assert_eq!(String::from_utf8_lossy(&run_with(&exe2, &[]).stdout), "len=3\n");
        assert_ne!(r2.object_dir, r.object_dir);
        assert!(!r2.link_command.contains("VEX_THREADS") && !r2.link_command.contains("-pthread"), "{}", r2.link_command);
        assert!(!b2.path().join("vx_rt.h").exists());
        let r3 = build_program(&cc, &threaded(CHAN_TASKS), &opts, b2.path(), &exe2).unwrap();
        assert_eq!((r3.runtime_compiled, r3.runtime_cached), (0, c_files));

        // Deadlock: main waits for a message nobody will send.
        let out = run_with(&exe, &[("CHAN_TASKS_EXTRA", "1"), ("VEX_WORKERS", "2")]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("panic: deadlock: every task is blocked (main waits at chan_tasks.c:"),
            "status {:?}, stderr:\n{stderr}",
            out.status
        );
        assert_eq!(out.status.code(), None, "a panic aborts");
    }

    #[test]
    fn threaded_program_is_thread_sanitizer_clean() {
        // The shared string's reference count is changed on several workers at once: with
        // plain counts TSan reports the race (and the program may free it early).
        let Ok(cc) = cc::find(Some("clang -fsanitize=thread -g -O1"), 1, true) else {
            eprintln!("skipped: clang is not installed");
            return;
        };
        let cache = tempfile::tempdir().unwrap();
        let opts = BuildOptions { cache_dir: Some(cache.path().to_path_buf()), opt_level: 1, ..BuildOptions::default() };
        let b = tempfile::tempdir().unwrap();
        let exe = b.path().join(cc.exe_name("chan_tasks"));
        if let Err(e) = build_program(&cc, &threaded(CHAN_TASKS), &opts, b.path(), &exe) {
            eprintln!("skipped: no ThreadSanitizer runtime for clang? {:?}", e.notes);
            return;
        }
        for _ in 0..3 {
            let out = run_with(&exe, &[("VEX_WORKERS", "4"), ("TSAN_OPTIONS", "halt_on_error=1")]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("ThreadSanitizer"), "{stderr}");
            assert_eq!(String::from_utf8_lossy(&out.stdout), "total=37000\n", "{stderr}");
            assert_eq!(out.status.code(), Some(3));
        }
    }

    #[test]
    fn emitted_threaded_dir_builds_standalone() {
        // `cc -std=c11 DIR/*.c -lm -lpthread`: no -DVEX_THREADS needed (vex_runtime.h sees vx_rt.h).
        let cc = compiler();
        let dir = tempfile::tempdir().unwrap();
        let c_dir = dir.path().join("c");
        emit_c_dir(&threaded(CHAN_TASKS), &c_dir).unwrap();
        for (name, text) in ASYNC_RUNTIME_FILES {
            assert_eq!(std::fs::read_to_string(c_dir.join(name)).unwrap(), *text);
        }
        assert!(!c_dir.join("vxt_main.c").exists(), "the async runtime's tests are not embedded");
        let exe = dir.path().join(cc.exe_name("chan_tasks"));
        let mut cmd = cc.command();
        cmd.arg("-std=c11");
        for entry in std::fs::read_dir(&c_dir).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|x| x == "c") {
                cmd.arg(p);
            }
        }
        cmd.arg("-o").arg(&exe).args(cc.link_libs());
        run_cc(cmd).unwrap();
        let out = run_with(&exe, &[("VEX_WORKERS", "2")]);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "total=37000\n");
        assert_eq!(out.status.code(), Some(3));

        // Every file of such a directory compiles warning-free, the runtime's files with the
        // async runtime's next to them, as the run harness's strict builds need.
        for strict_cc in ["gcc", "clang"] {
            let Ok(cc) = cc::find(Some(strict_cc), 2, false) else { continue };
            let mut sources: Vec<PathBuf> = std::fs::read_dir(&c_dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "c"))
                .collect();
            sources.sort();
            for src in sources {
                let mut cmd = cc.command();
                cmd.args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"]).args(THREAD_FLAGS);
                cmd.arg("-I").arg(&c_dir).arg("-c").arg(&src).arg("-o").arg(dir.path().join("strict.o"));
                run_cc(cmd).unwrap_or_else(|e| panic!("{strict_cc} {}: {:?}", src.display(), e.notes));
            }
        }
    }

    #[test]
    fn tcc_or_no_atomics_is_e0907_for_threaded_programs() {
        let cache = tempfile::tempdir().unwrap();
        let opts = BuildOptions { cache_dir: Some(cache.path().to_path_buf()), ..BuildOptions::default() };
        let b = tempfile::tempdir().unwrap();
        let exe = b.path().join("p");
        let check = |cc: &CCompiler| {
            let err = build_program(cc, &threaded(CHAN_TASKS), &opts, b.path(), &exe).unwrap_err();
            assert_eq!(err.code, codes::NO_ATOMICS, "{err:?}");
            assert!(err.message.contains("uses concurrency") && err.message.contains("C11 atomics"), "{}", err.message);
            assert!(err.help.as_deref().unwrap_or("").contains("--cc gcc"));
        };
        if let Ok(tcc) = cc::find(Some("tcc"), 0, true) {
            check(&tcc);
            // ...while a plain program still builds with tcc, as before
            let plain = CompiledC { uses_runtime: false, source: PLAIN.into(), file_name: "prog.c".into(), ..threaded("") };
            build_program(&tcc, &plain, &opts, b.path(), &exe).unwrap();
            assert_eq!(run_with(&exe, &[]).status.code(), Some(7));
        }
        // a compiler that is not called tcc but has no C11 atomics: caught by the probe
        let mut fake = compiler();
        fake.args.push("-D__STDC_NO_ATOMICS__=1".into());
        check(&fake);
    }

    #[test]
    fn emit_dir_is_flat_and_unwritable_output_is_e0904() {
        let dir = tempfile::tempdir().unwrap();
        let compiled = CompiledC { file_name: "m.c".into(), source: "int main(void){return 0;}\n".into(), extra_files: vec![], warnings: vec![], uses_runtime: false };
        emit_c_dir(&compiled, &dir.path().join("out")).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut expected: Vec<String> = RUNTIME_FILES.iter().map(|(n, _)| n.to_string()).collect();
        expected.push("m.c".into());
        expected.sort();
        assert_eq!(names, expected);

        let file = dir.path().join("plain-file");
        std::fs::write(&file, "x").unwrap();
        let err = emit_c_dir(&compiled, &file.join("sub")).unwrap_err();
        assert_eq!(err.code, codes::WRITE);
    }
}
