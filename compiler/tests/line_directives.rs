//! `#line` directives: a debug build maps the machine code back to `.vx` lines, so debuggers
//! and addr2line answer with Vex source positions; `--no-line-directives` leaves them out.

use std::path::PathBuf;
use std::process::Command;

fn vexc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vexc"));
    c.env("VEXC_CACHE_DIR", PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vexc-cache"));
    c
}

const PROGRAM: &str = "fn add(a: i32, b: i32): i32 {\n    let s = a + b;\n    return s;\n}\n\nfn main(): i32 {\n    let x = add(1, 2);\n    println(x);\n    return 0;\n}\n";

#[test]
fn addr2line_answers_with_vex_lines() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("lines.vx");
    std::fs::write(&src, PROGRAM).unwrap();
    let exe = dir.path().join("lines");
    let st = vexc().arg(&src).arg("-o").arg(&exe).status().unwrap();
    assert!(st.success());
    let nm = Command::new("nm").arg(&exe).output().expect("nm (binutils)");
    let symbols = String::from_utf8_lossy(&nm.stdout);
    let addr = symbols
        .lines()
        .find_map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            (parts.len() == 3 && parts[2] == "vx_lines_add").then(|| parts[0].to_string())
        })
        .expect("vx_lines_add in the symbol table");
    let out = Command::new("addr2line").arg("-e").arg(&exe).arg(format!("0x{addr}")).output().expect("addr2line (binutils)");
    let answer = String::from_utf8_lossy(&out.stdout);
    assert!(answer.trim_end().ends_with("lines.vx:1"), "addr2line said {answer:?}");
}

#[test]
fn directives_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("lines.vx");
    std::fs::write(&src, PROGRAM).unwrap();
    for (flag, want) in [(None, true), (Some("--no-line-directives"), false), (Some("--release"), false)] {
        let out = dir.path().join(format!("c-{want}-{}", flag.unwrap_or("default")));
        let mut cmd = vexc();
        cmd.arg(&src).arg("--emit-c").arg(&out);
        if let Some(f) = flag {
            cmd.arg(f);
        }
        assert!(cmd.status().unwrap().success());
        let c = std::fs::read_to_string(out.join("lines.c")).unwrap();
        // `add` starts at line 1; its statements follow on lines 2 and 3, so the compiler's
        // own line count needs no further directive (emit_c/lines.rs).
        assert_eq!(c.contains("#line 1 \"lines.vx\""), want, "{flag:?}");
        assert!(!c.contains("#line 2 \"lines.vx\""), "{flag:?}: redundant directive");
    }
}
