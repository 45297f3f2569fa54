//! vexc never panics: hostile inputs get a diagnostic (exit status 1), never an internal
//! compiler error (101) or a crash (a signal).

use std::path::Path;
use std::process::Command;

fn vexc_check(dir: &Path, name: &str, contents: &[u8]) -> (i32, String) {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write test input");
    let out = Command::new(env!("CARGO_BIN_EXE_vexc")).arg("check").arg(&path).output().expect("run vexc");
    let code = out.status.code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn assert_diagnosed(name: &str, contents: &[u8], code: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (status, stderr) = vexc_check(dir.path(), name, contents);
    assert_eq!(status, 1, "{name}: expected exit status 1, got {status}; stderr:\n{stderr}");
    assert!(stderr.contains(&format!("error[{code}]")), "{name}: expected {code}; stderr:\n{stderr}");
}

/// A small deterministic generator (xorshift) so the garbage is the same on every run.
fn garbage(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn empty_file_reports_missing_main() {
    assert_diagnosed("empty.vx", b"", "E0601");
}

#[test]
fn binary_garbage_is_not_utf8() {
    assert_diagnosed("garbage.vx", &garbage(100_000, 7), "E0903");
}

#[test]
fn ascii_garbage_is_a_syntax_error() {
    let text: Vec<u8> = garbage(50_000, 11).into_iter().map(|b| b"{}()[];:,.+-*/<>=!&|^ abcfnlet0123\"\n"[b as usize % 36]).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let (status, stderr) = vexc_check(dir.path(), "soup.vx", &text);
    assert_eq!(status, 1, "stderr:\n{stderr}");
    assert!(stderr.contains("error[E"), "stderr:\n{stderr}");
}

#[test]
fn ten_thousand_nested_parentheses() {
    let src = format!("fn main(): i32 {{ return {}1{}; }}", "(".repeat(10_000), ")".repeat(10_000));
    assert_diagnosed("parens.vx", src.as_bytes(), "E0007");
}

#[test]
fn ten_thousand_nested_blocks() {
    let src = format!("fn main() {{ {} {} }}", "if true {".repeat(10_000), "}".repeat(10_000));
    assert_diagnosed("blocks.vx", src.as_bytes(), "E0007");
}

#[test]
fn long_operator_chains_and_prefixes() {
    let chain = format!("fn main(): i32 {{ return 1{}; }}", " + 1".repeat(100_000));
    let dir = tempfile::tempdir().expect("tempdir");
    let (status, stderr) = vexc_check(dir.path(), "chain.vx", chain.as_bytes());
    assert!(status == 0 || status == 1, "status {status}; stderr:\n{stderr}");
    let neg = format!("fn main(): i32 {{ return {}1; }}", "- ".repeat(100_000));
    let (status, stderr) = vexc_check(dir.path(), "neg.vx", neg.as_bytes());
    assert!(status == 0 || status == 1, "status {status}; stderr:\n{stderr}");
}

#[test]
fn very_long_line() {
    let src = format!("fn main() {{ let x = 1; {} }}", "let y = x; ".repeat(50_000));
    let dir = tempfile::tempdir().expect("tempdir");
    let (status, stderr) = vexc_check(dir.path(), "long.vx", src.as_bytes());
    assert_eq!(status, 0, "stderr:\n{stderr}");
}

#[test]
fn huge_literal() {
    let src = format!("fn main(): i32 {{ return {}; }}", "9".repeat(5000));
    assert_diagnosed("huge.vx", src.as_bytes(), "E0004");
}

#[test]
fn missing_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_vexc")).args(["check", "/nonexistent/dir/x.vx"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[E0902]"));
}

#[test]
fn emitted_c_is_identical_from_different_directories() {
    let src = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/bank_account.vx")).expect("example");
    let mut outputs = Vec::new();
    for _ in 0..2 {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("bank_account.vx"), &src).expect("write");
        let out = Command::new(env!("CARGO_BIN_EXE_vexc"))
            .current_dir(dir.path())
            .args(["bank_account.vx", "--emit-c", "out"])
            .output()
            .expect("run vexc");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        outputs.push(std::fs::read(dir.path().join("out/bank_account.c")).expect("emitted C"));
    }
    assert_eq!(outputs[0], outputs[1]);
}
