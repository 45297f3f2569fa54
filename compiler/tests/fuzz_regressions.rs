//! Every input the fuzzers (README.md "Fuzzing") found crashing or hanging vexc, kept as a
//! regression test: `compiler/tests/fuzz_regressions/*.vx`. Each file starts with a
//! `// fuzz-expect: ok` (C is emitted, exit status 0) or `// fuzz-expect: error[E0xxx]` (exit
//! status 1 with that error) header. `vexc FILE --emit-c DIR` (with `--lib` when the file exports
//! something, as the fuzzers do) runs the whole front end and C emission; it must finish within
//! 10 seconds and never report an internal compiler error (101) or die of a signal.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("compiler/tests/fuzz_regressions")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "vx"))
        .collect();
    v.sort();
    v
}

/// Runs vexc on `file`: (exit status or None for a signal, stderr), or Err if it took too long.
fn run(file: &Path, out: &Path, lib: bool) -> Result<(Option<i32>, String), String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vexc"));
    cmd.arg(file).arg("--emit-c").arg(out).arg("--color").arg("never");
    if lib {
        cmd.arg("--lib");
    }
    let stderr_path = out.with_extension("stderr");
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("run vexc");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            return Err("vexc ran longer than 10s (a hang)".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok((status.code(), std::fs::read_to_string(&stderr_path).unwrap_or_default()))
}

#[test]
fn fuzz_regressions() {
    let files = files();
    assert!(!files.is_empty(), "no fuzz regression inputs found");
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let src = std::fs::read_to_string(file).expect("read");
        let Some(expect) = src.lines().next().and_then(|l| l.strip_prefix("// fuzz-expect: ")).map(str::trim) else {
            failures.push(format!("{name}: the first line must be `// fuzz-expect: ok` or `// fuzz-expect: error[E0xxx]`"));
            continue;
        };
        let out = tmp.path().join(format!("out{i}"));
        let (status, stderr) = match run(file, &out, src.contains("export")) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        if stderr.contains("internal compiler error") || status == Some(101) {
            failures.push(format!("{name}: internal compiler error:\n{stderr}"));
        } else if expect == "ok" {
            if status != Some(0) {
                failures.push(format!("{name}: expected C to be emitted (exit 0), got {status:?}:\n{stderr}"));
            }
        } else if status != Some(1) || !stderr.contains(expect) {
            failures.push(format!("{name}: expected exit status 1 with `{expect}`, got {status:?}:\n{stderr}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} fuzz regressions failed:\n\n{}", failures.len(), files.len(), failures.join("\n\n"));
}
