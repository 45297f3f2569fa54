//! `vexc --json` (LANGUAGE.md §16.1): diagnostics as one JSON object on stderr, exactly; lines
//! and columns 1-based, columns in characters; notes, help and secondary labels included; an
//! object (empty) also when there is nothing to report.

use std::path::Path;
use std::process::Command;

/// `vexc ARGS --json` run in `dir`: (exit status, stderr).
fn vexc_json(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vexc")).args(args).arg("--json").current_dir(dir).output().expect("run vexc");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn check(name: &str, source: &str) -> (i32, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(name), source).expect("write program");
    vexc_json(dir.path(), &["check", name])
}

#[test]
fn a_parse_error_with_a_note_and_a_secondary_label() {
    let (status, stderr) = check("note.vx", "fn f(): i32 {\n    5\n}\nfn main() {}\n");
    assert_eq!(status, 1);
    assert_eq!(stderr, "{\"diagnostics\":[{\"code\":\"E0001\",\"column\":6,\"end_column\":6,\"end_line\":2,\"file\":\"note.vx\",\"help\":\"add `;` at the end of the statement\",\"label\":\"expected `;` here\",\"level\":\"error\",\"line\":2,\"message\":\"expected `;`, found `}`\",\"notes\":[\"Vex has no implicit return value: write `return value;` to return from a function\"],\"secondary\":[{\"column\":1,\"end_column\":2,\"end_line\":3,\"file\":\"note.vx\",\"label\":\"unexpected token\",\"line\":3}]}]}\n");
}

#[test]
fn errors_and_warnings_in_order_with_character_columns() {
    let (status, stderr) = check("two.vx", "fn take(s: string) {}\nfn main() {\n    let n = match 3 { _ => 1, 2 => 2 };\n    let s = \"é\" + \"x\";\n    take(s);\n    println(\"é\", s, n);\n}\n");
    assert_eq!(status, 1);
    assert_eq!(stderr, "{\"diagnostics\":[{\"code\":\"E0382\",\"column\":18,\"end_column\":19,\"end_line\":6,\"file\":\"two.vx\",\"help\":\"`s` has type `string`, which is not Copy (§3.10): pass a reference `&s` instead of moving it, or assign it a new value before this use\",\"label\":\"value used here after move\",\"level\":\"error\",\"line\":6,\"message\":\"use of moved value: `s`\",\"notes\":[],\"secondary\":[{\"column\":10,\"end_column\":11,\"end_line\":5,\"file\":\"two.vx\",\"label\":\"`s` moved here\",\"line\":5}]},{\"code\":\"W0007\",\"column\":31,\"end_column\":32,\"end_line\":3,\"file\":\"two.vx\",\"help\":\"an earlier arm already matches every value\",\"label\":\"this arm can never match\",\"level\":\"warning\",\"line\":3,\"message\":\"unreachable pattern\",\"notes\":[],\"secondary\":[]}]}\n");
}

#[test]
fn nothing_to_report_is_an_empty_list() {
    let (status, stderr) = check("ok.vx", "fn main() { println(1); }\n");
    assert_eq!(status, 0);
    assert_eq!(stderr, "{\"diagnostics\":[]}\n");
}

#[test]
fn a_build_reports_an_unreadable_file_without_a_location() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (status, stderr) = vexc_json(dir.path(), &["missing.vx", "-o", "prog"]);
    assert_eq!(status, 1);
    assert!(stderr.starts_with("{\"diagnostics\":[{\"code\":\"E0902\",\"column\":null,"), "{stderr}");
}
