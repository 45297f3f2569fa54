//! Drop order and drop count: programs built with the runtime's allocation counting
//! (`-DVEX_ALLOC_STATS`, under ASan/UBSan) and run with `VEX_TRACE_DROPS=1` log every heap string they free; the
//! log shows owned values freed exactly once, in reverse declaration order at each scope's end,
//! on early `return`, `break` and `continue`, and temporaries after their statement. A program
//! ending with a live block exits 125 (runtime/c/vex_mem.c).

use std::path::PathBuf;
use std::process::Command;

/// Builds and runs `src` with counting and tracing on; returns (exit status, stdout, stderr).
fn run_traced(name: &str, src: &str) -> (i32, String, String) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("drop-order-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.vx"));
    std::fs::write(&file, src).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vexc"))
        .arg("run")
        .arg("--cc")
        .arg("cc -DVEX_ALLOC_STATS -fsanitize=address,undefined -fno-sanitize-recover=all")
        .arg(&file)
        .env("VEX_TRACE_DROPS", "1")
        .env("VEXC_CACHE_DIR", PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vexc-cache"))
        .output()
        .expect("run vexc");
    let _ = std::fs::remove_dir_all(&dir);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn drops(stderr: &str) -> Vec<String> {
    stderr.lines().filter_map(|l| l.strip_prefix("drop \"").and_then(|r| r.strip_suffix('"'))).map(str::to_string).collect()
}

#[test]
fn scope_end_reverse_order_and_temporaries() {
    let (code, out, err) = run_traced(
        "scopes",
        r#"
fn main() {
    let a = "a" + "1";
    let b = "b" + "2";
    if true {
        let c = "c" + "3";
        let d = "d" + "4";
        println(c, d);
    }
    println(a + "!");
    let! s = "s" + "5";
    s = "t" + "6";
    println(b, s);
}
"#,
    );
    assert_eq!(code, 0, "stderr: {err}");
    assert_eq!(out, "c3 d4\na1!\nb2 t6\n");
    assert_eq!(drops(&err), ["d4", "c3", "a1!", "s5", "t6", "b2", "a1"]);
}

#[test]
fn early_exits_release_every_open_scope() {
    let (code, out, err) = run_traced(
        "exits",
        r#"
fn find(limit: i32): string {
    let outer = "o" + "ut";
    let! i = 0;
    while i < 10 {
        let step = "st" + "ep";
        i += 1;
        if i == 2 { continue; }
        if i == 3 { break; }
        if i == limit { return "found" + "!"; }
    }
    return outer + "er";
}
fn main() {
    println(find(1));
    println(find(9));
}
"#,
    );
    assert_eq!(code, 0, "stderr: {err}");
    assert_eq!(out, "found!\nouter\n");
    assert_eq!(
        drops(&err),
        [
            // find(1): the return value is made, then `step` and `outer` are released.
            "step", "out", "found!",
            // find(9): `continue` and `break` release `step`; the end releases `outer`.
            "step", "step", "step", "out", "outer",
        ]
    );
}

#[test]
fn closures_and_defers_free_everything() {
    let (code, out, err) = run_traced(
        "closures",
        r#"
fn log(m: string) { println(m); }
fn build(p: string): fn(string): string { return |x: string| p + x; }
fn main() {
    defer log("bye");
    let f = build("pre" + "-");
    let g = f;
    println(g("x"), f("y"));
    for let! i = 0; i < 12; i += 1 { defer log("d"); }
}
"#,
    );
    assert_eq!(code, 0, "stderr: {err}");
    assert!(out.starts_with("pre-x pre-y\n"), "{out}");
    assert_eq!(out.lines().filter(|l| *l == "d").count(), 12);
    assert!(out.ends_with("bye\n"));
    assert!(!err.contains("still live"), "{err}");
}

/// The counting itself: a C program that keeps a runtime block past `main` fails with 125.
#[test]
fn a_live_block_at_exit_fails_the_program() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("drop-count-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new("cc");
    cmd.args(["-std=c11", "-DVEX_ALLOC_STATS", "-I"]).arg(&dir);
    for (name, text) in vexc::driver::RUNTIME_FILES {
        std::fs::write(dir.join(name), text).unwrap();
        if name.ends_with(".c") {
            cmd.arg(dir.join(name));
        }
    }
    let main = dir.join("leak_main.c");
    std::fs::write(&main, "#include \"vex_runtime.h\"\nint main(void) { (void)vex_mem_alloc(16, false); return vex_exit_status(0); }\n").unwrap();
    let exe = dir.join("leak");
    let built = cmd.arg(&main).arg("-o").arg(&exe).args(["-lm", "-lpthread"]).status().expect("cc");
    assert!(built.success());
    let out = Command::new(&exe).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(125));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 heap block(s) still live at exit"));
}
