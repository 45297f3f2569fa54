//! Shared by the integration tests: finding the Vex test programs, their expectations, and
//! running processes with a timeout.
#![allow(dead_code)] // not every test binary uses everything

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The repository's root directory (the parent of `compiler/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("repo root").to_path_buf()
}

/// Appends every `.vx` file below `dir` (recursively) to `out`; a missing directory adds none.
pub fn collect_vx(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_vx(&p, out);
        } else if p.extension().is_some_and(|x| x == "vx") {
            out.push(p);
        }
    }
}

/// Whether a test file is a module imported by another test program (`// module-of: ...`),
/// checked through that program rather than on its own.
pub fn is_module_of_another(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.lines().any(|l| l.trim_start().starts_with("// module-of:")))
}

/// Whether a test file is a library (`// library: ...`): compiled with `vexc --lib`.
#[allow(dead_code)] // not every test binary needs it
pub fn is_library(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.lines().any(|l| l.trim_start().starts_with("// library:")))
}

/// A test program's expectations, from its header comments (the run harness documents them).
#[derive(Debug, Default)]
pub struct Expect {
    pub exit: i32,
    pub stdout: Vec<String>,
    pub stderr_contains: Vec<String>,
    pub errors: Vec<String>,
    /// `// valgrind-skip: REASON`: too slow under valgrind (the ASan run still checks it).
    pub valgrind_skip: Option<String>,
    /// `// module-of: PROGRAM`: not a program but a module that PROGRAM imports.
    pub module_of: Option<String>,
    /// `// cross-skip: TARGET REASON` (repeatable): the cross matrix skips this program, by name,
    /// on targets whose name contains TARGET (`*`: every target), because its expectation cannot
    /// hold there.
    pub cross_skip: Vec<(String, String)>,
    /// `// library: NOTE`: a library, compiled with `vexc --lib`.
    pub library: Option<String>,
}

impl Expect {
    pub fn parse(text: &str) -> Result<Expect, String> {
        let mut e = Expect::default();
        for (i, line) in text.lines().enumerate() {
            let Some(rest) = line.trim_start().strip_prefix("//") else { continue };
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            let Some((key, value)) = rest.split_once(':') else { continue };
            let value = value.strip_prefix(' ').unwrap_or(value);
            match key {
                "expect-exit" => {
                    e.exit = value.trim().parse().map_err(|_| format!("line {}: bad expect-exit `{value}`", i + 1))?
                }
                "expect-stdout" => e.stdout.push(value.to_string()),
                "expect-stderr-contains" => e.stderr_contains.push(value.to_string()),
                "expect-error" => e.errors.push(value.trim().to_string()),
                "valgrind-skip" => e.valgrind_skip = Some(value.trim().to_string()),
                "module-of" => e.module_of = Some(value.trim().to_string()),
                "library" => e.library = Some(value.trim().to_string()),
                "cross-skip" => {
                    let (target, reason) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
                    if target.is_empty() || reason.trim().is_empty() {
                        return Err(format!("line {}: cross-skip needs a target and a reason", i + 1));
                    }
                    e.cross_skip.push((target.to_string(), reason.trim().to_string()));
                }
                k if k.starts_with("expect-") => return Err(format!("line {}: unknown header `{k}`", i + 1)),
                _ => {}
            }
        }
        if !e.errors.is_empty() && (!e.stdout.is_empty() || e.exit != 0) {
            return Err("expect-error cannot be combined with expect-stdout/expect-exit".into());
        }
        Ok(e)
    }

    pub fn stdout_text(&self) -> String {
        if self.stdout.is_empty() {
            String::new()
        } else {
            format!("{}\n", self.stdout.join("\n"))
        }
    }
}

/// How a process ended.
pub struct Outcome {
    /// Exit status; 128+signo when killed by a signal; None on timeout.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Outcome {
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Runs `cmd` (stdin closed, output captured), killing it after `timeout`.
pub fn run(cmd: &mut Command, timeout: Duration) -> Result<Outcome, String> {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for {shown}: {e}")),
        }
    };
    let code = status.map(|s| {
        if let Some(c) = s.code() {
            return c;
        }
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if let Some(sig) = s.signal() {
                return 128 + sig;
            }
        }
        -1
    });
    Ok(Outcome { code, stdout: t_out.join().unwrap_or_default(), stderr: t_err.join().unwrap_or_default() })
}


/// The last `lines` lines of `s`.
pub fn tail(s: &str, lines: usize) -> String {
    let v: Vec<&str> = s.lines().collect();
    let start = v.len().saturating_sub(lines);
    v[start..].join("\n")
}

/// Whether `tool --version` runs and succeeds (a missing tool is skipped by name).
pub fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// Compiles the runtime's `.c` files among `files` (already written to `rt_dir`) with `cc flags`
/// into `obj_dir`; the objects, or why they do not build under `label`.
pub fn compile_runtime(
    label: &str,
    cc: &str,
    flags: &[&str],
    files: &[(&str, &str)],
    rt_dir: &Path,
    obj_dir: &Path,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(obj_dir).map_err(|e| e.to_string())?;
    let mut objs = Vec::new();
    for (name, _) in files.iter().filter(|(n, _)| n.ends_with(".c")) {
        let obj = obj_dir.join(format!("{name}.o"));
        let o = run(
            Command::new(cc).args(flags).arg("-I").arg(rt_dir).arg("-c").arg(rt_dir.join(name)).arg("-o").arg(&obj),
            Duration::from_secs(300),
        )?;
        if o.code != Some(0) {
            return Err(format!("runtime file {name} does not compile under {label}:\n{}", tail(&o.stderr(), 40)));
        }
        objs.push(obj);
    }
    Ok(objs)
}
