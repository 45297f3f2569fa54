//! vexc never panics: hostile inputs get a diagnostic (exit status 1), never an internal
//! compiler error (101) or a crash (a signal), and never take long: each case is timed
//! (`cargo test --release --test robustness -- --nocapture` prints the times) and bounded by
//! [`BUDGET`], far above what they take (well under a second each, a few for the biggest),
//! so that only a hang or a quadratic blow-up fails it on a loaded machine.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Generous: the slowest case takes about 2 s of CPU time.
const BUDGET: Duration = Duration::from_secs(60);

/// Runs vexc with `args`, returns (exit status, stderr), checks the time budget and that
/// stderr stays small (a snippet of a huge line is cut).
fn vexc(name: &str, args: &[&std::ffi::OsStr]) -> (i32, String) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_vexc")).args(args).arg("--color").arg("never").output().expect("run vexc");
    let took = start.elapsed();
    println!("{name}: {:.2} s", took.as_secs_f64());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(took < BUDGET, "{name}: took {took:?}");
    assert!(stderr.len() < 200_000, "{name}: {} bytes of diagnostics", stderr.len());
    (out.status.code().unwrap_or(-1), stderr)
}

fn vexc_check(dir: &Path, name: &str, contents: &[u8]) -> (i32, String) {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write test input");
    vexc(name, &["check".as_ref(), path.as_os_str()])
}

fn assert_code(name: &str, status: i32, stderr: &str, code: &str) {
    assert_eq!(status, 1, "{name}: expected exit status 1, got {status}; stderr:\n{}", head(stderr));
    assert!(stderr.contains(&format!("error[{code}]")), "{name}: expected {code}; stderr:\n{}", head(stderr));
    assert!(!stderr.contains("internal compiler error"), "{name}: {}", head(stderr));
}

/// The diagnostics with miette's line wrapping undone.
fn flat(stderr: &str) -> String {
    stderr.lines().map(|l| l.trim_start_matches(|c: char| c.is_whitespace() || c == '│')).collect::<Vec<_>>().join(" ")
}

fn head(s: &str) -> &str {
    &s[..s.len().min(4000)]
}

fn assert_diagnosed(name: &str, contents: &[u8], code: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let (status, stderr) = vexc_check(dir.path(), name, contents);
    assert_code(name, status, &stderr, code);
    stderr
}

fn assert_accepted(name: &str, contents: &[u8]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (status, stderr) = vexc_check(dir.path(), name, contents);
    assert_eq!(status, 0, "{name}: stderr:\n{}", head(&stderr));
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
    assert_eq!(status, 1, "stderr:\n{}", head(&stderr));
    assert!(stderr.contains("error[E"), "stderr:\n{}", head(&stderr));
}

// ------------------------------------------------------------------ nesting (E0007)

#[test]
fn ten_thousand_nested_parentheses() {
    let src = format!("fn main(): i32 {{ return {}1{}; }}", "(".repeat(10_000), ")".repeat(10_000));
    assert_diagnosed("parens.vx", src.as_bytes(), "E0007");
}

#[test]
fn ten_thousand_nested_blocks() {
    let src = format!("fn main() {{ {} {} }}", "if true {".repeat(10_000), "}".repeat(10_000));
    assert_diagnosed("blocks.vx", src.as_bytes(), "E0007");
    let src = format!("fn main() {{ {} {} }}", "{ ".repeat(10_000), "} ".repeat(10_000));
    assert_diagnosed("bare_blocks.vx", src.as_bytes(), "E0007");
}

#[test]
fn deeply_nested_types_matches_closures_and_calls() {
    let n = 10_000;
    let cases = [
        ("types.vx", format!("fn main() {{ let v: {}i32{} = Vec(); }}", "Vec<".repeat(n), ">".repeat(n))),
        ("matches.vx", format!("fn main() {{ let x = 1; {} {} }}", "match x { _ => { ".repeat(n), "} }".repeat(n))),
        ("closures.vx", format!("fn main() {{ let f = {} 1 {}; }}", "|| { ".repeat(n), "}".repeat(n))),
        ("calls.vx", format!("fn f(x: i32): i32 {{ return x; }} fn main() {{ let y = {}1{}; }}", "f(".repeat(n), ")".repeat(n))),
        ("unary.vx", format!("fn main(): i32 {{ return {}1; }}", "-".repeat(n))),
        ("not.vx", format!("fn main() {{ let b = {}true; }}", "!".repeat(100_000))),
        ("fields.vx", format!("struct S {{ x: i32 }} fn main() {{ let s = S {{ x: 1 }}; let y = s{}; }}", ".x".repeat(100_000))),
        ("methods.vx", format!("fn main() {{ let n = \"a\"{}; }}", ".len().to_string()".repeat(50_000))),
    ];
    for (name, src) in cases {
        assert_diagnosed(name, src.as_bytes(), "E0007");
    }
    // within the limits, each compiles and runs
    let ok = [
        ("types250.vx", format!("fn main() {{ let! v: {}i32{} = Vec(); println(v.len()); }}", "Vec<".repeat(250), ">".repeat(250))),
        ("closures120.vx", format!("fn main() {{ let f = {} 1 {}; println(f(){}); }}", "|| { ".repeat(120), "}".repeat(120), "()".repeat(119))),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, src) in ok {
        let path = dir.path().join(name);
        std::fs::write(&path, &src).unwrap();
        let (status, stderr) = vexc(name, &["run".as_ref(), path.as_os_str()]);
        assert_eq!(status, 0, "{name}: {}", head(&stderr));
    }
}

#[test]
fn long_operator_chains_and_prefixes() {
    let chain = format!("fn main(): i32 {{ return 1{}; }}", " + 1".repeat(100_000));
    assert_diagnosed("chain.vx", chain.as_bytes(), "E0007");
    let neg = format!("fn main(): i32 {{ return {}1; }}", "- ".repeat(100_000));
    assert_diagnosed("neg.vx", neg.as_bytes(), "E0007");
}

/// An `elif` chain is nested `else { if .. }`: 10,000 branches compile, and the C stays linear
/// in size (its indentation stops growing); `else if` (not Vex) is one E0001 per use, of which
/// the first 100 are shown.
#[test]
fn long_elif_chains() {
    let branches: String = (1..10_000).map(|i| format!(" elif x == {i} {{ println({i}); }}")).collect();
    let src = format!("fn main() {{ let x = 3; if x == 0 {{ println(0); }}{branches} else {{ println(1); }} }}");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("elif.vx");
    std::fs::write(&path, &src).unwrap();
    let out = dir.path().join("c");
    let (status, stderr) = vexc("elif.vx --emit-c", &[path.as_os_str(), "--emit-c".as_ref(), out.as_os_str()]);
    assert_eq!(status, 0, "{}", head(&stderr));
    let c = std::fs::metadata(out.join("elif.c")).unwrap().len();
    assert!(c < 20_000_000, "the C of a 10,000-branch elif chain is {c} bytes");

    let bad = src.replace(" elif ", " else if ");
    let stderr = assert_diagnosed("else_if.vx", bad.as_bytes(), "E0001");
    assert_eq!(stderr.matches("error[E0001]").count(), 100, "{}", head(&stderr));
    assert!(stderr.contains("note: 9899 more diagnostics not shown"), "{}", &stderr[stderr.len().saturating_sub(500)..]);
    assert!(stderr.contains("aborting due to 9999 previous errors"));
}

#[test]
fn deep_module_import_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = 1000;
    for i in 0..n {
        let text = if i + 1 < n {
            format!("import {{ g{} }} from \"./m{}\";\nexport fn g{i}(): i32 {{ return g{}() + 1; }}\n", i + 1, i + 1, i + 1)
        } else {
            format!("export fn g{i}(): i32 {{ return 0; }}\n")
        };
        std::fs::write(dir.path().join(format!("m{i}.vx")), text).unwrap();
    }
    let main = dir.path().join("main.vx");
    std::fs::write(&main, "import { g0 } from \"./m0\";\nfn main() { println(g0()); }\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vexc")).arg("run").arg(&main).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "999\n", "{}", head(&String::from_utf8_lossy(&out.stderr)));
}

// ------------------------------------------------------------------ literals

#[test]
fn huge_literal() {
    let src = format!("fn main(): i32 {{ return {}; }}", "9".repeat(5000));
    assert_diagnosed("huge.vx", src.as_bytes(), "E0004");
    // a million digits: linear, and the snippet of the line is cut
    let src = format!("fn main() {{ let x: i64 = {}; }}", "9".repeat(1_000_000));
    let stderr = assert_diagnosed("huge1m.vx", src.as_bytes(), "E0004");
    assert!(stderr.contains("…") && stderr.len() < 5000, "{}", head(&stderr));
}

#[test]
fn literals_out_of_range_for_their_type() {
    let stderr = assert_diagnosed("u8.vx", b"fn main() {\n    let x: u8 = 256;\n}\n", "E0308");
    assert!(stderr.contains("literal out of range for `u8`") && stderr.contains("u8.vx:2:17]"), "{stderr}");
    assert_diagnosed("i64.vx", b"fn main() { let x: i64 = 9223372036854775808; }", "E0308");
    // floats: beyond f64 (100,000 digits) is E0004, beyond f32 is E0308
    let src = format!("fn main() {{ let x: f64 = {}.5; }}", "9".repeat(100_000));
    let stderr = assert_diagnosed("f64.vx", src.as_bytes(), "E0004");
    assert!(stderr.contains("float literal is too large"), "{}", head(&stderr));
    let stderr = assert_diagnosed("f32.vx", format!("fn main() {{ let x: f32 = -{}.0; }}", "9".repeat(40)).as_bytes(), "E0308");
    assert!(stderr.contains("literal out of range for `f32`") && stderr.contains("f32.vx:1:27]"), "{stderr}");
    assert_accepted("f32max.vx", b"fn main() { let x: f32 = 340282346638528859811704183484516925440.0; println(x); }");
    let src = format!("fn main() {{ let y = match 1.5 {{ {}.0 => 1, _ => 2 }}; }}", "9".repeat(400));
    assert_diagnosed("f64pat.vx", src.as_bytes(), "E0004");
}

#[test]
fn big_strings_identifiers_and_many_functions() {
    // a 4 MB string literal (on one line): fine
    assert_accepted("string.vx", format!("fn main() {{ let s = \"{}\"; println(s.len()); }}", "x".repeat(4_000_000)).as_bytes());
    // unterminated: one E0001, small
    let stderr = assert_diagnosed("unterminated.vx", format!("fn main() {{ let s = \"{}; }}", "x".repeat(4_000_000)).as_bytes(), "E0001");
    assert!(stderr.len() < 5000, "{}", head(&stderr));
    // a 1,000,000-character identifier; misspelt, no "did you mean" search (quadratic)
    let id = "a".repeat(1_000_000);
    assert_accepted("ident.vx", format!("fn main() {{ let {id} = 1; println({id}); }}").as_bytes());
    let src = format!("fn main() {{ let {id} = 1; println({}b); }}", &id[1..]);
    let stderr = assert_diagnosed("ident_typo.vx", src.as_bytes(), "E0425");
    assert!(stderr.len() < 3000 && stderr.contains("aaa…"), "{}", head(&stderr)); // the name is cut in the message
    // 100,000 functions
    let mut src: String = (0..100_000).map(|i| format!("fn g{i}(): i32 {{ return {i}; }}\n")).collect();
    src.push_str("fn main() { println(g99999()); }\n");
    assert_accepted("many_fns.vx", src.as_bytes());
}

// ------------------------------------------------------------------ long lines, many errors

#[test]
fn very_long_line() {
    let src = format!("fn main() {{ let x = 1; {} }}", "let y = x; ".repeat(50_000));
    assert_accepted("long.vx", src.as_bytes());
    // errors at the start, in the middle and at the end of a 4 MB line: a cut snippet
    let big = "x".repeat(2_000_000);
    for (name, src) in [
        ("line_start.vx", format!("fn main() {{ let z: bool = 1; let s = \"{big}{big}\"; }}")),
        ("line_middle.vx", format!("fn main() {{ let s = \"{big}\"; let z: bool = 1; let t = \"{big}\"; }}")),
        ("line_end.vx", format!("fn main() {{ let s = \"{big}{big}\"; let z: bool = 1; }}")),
    ] {
        let stderr = assert_diagnosed(name, src.as_bytes(), "E0308");
        assert!(stderr.len() < 3000 && stderr.contains("…"), "{name}: {}", head(&stderr));
        assert!(stderr.contains(&format!("{name}:1:")), "{name}: {stderr}");
    }
}

#[test]
fn many_errors_are_capped() {
    let src: String = (0..100_000).map(|i| format!("    let z{i}: bool = {i};\n")).collect();
    let stderr = assert_diagnosed("errors.vx", format!("fn main() {{\n{src}}}\n").as_bytes(), "E0308");
    assert_eq!(stderr.matches("error[E0308]").count(), 100);
    assert!(stderr.contains("aborting due to 100000 previous errors"), "{}", &stderr[stderr.len().saturating_sub(300)..]);
}

// ------------------------------------------------------------------ files

#[test]
fn not_utf8_names_the_byte_offset() {
    let stderr = assert_diagnosed("latin1.vx", b"fn main() {\n    println(\"caf\xe9\");\n}\n", "E0903");
    assert!(stderr.contains("invalid byte 0xe9 at byte offset 28 (line 2, byte column 17)"), "{stderr}");
    // an imported module that is not UTF-8
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("m.vx"), b"export fn f(): i32 { return 1; }\n// \xff\n").unwrap();
    let (status, stderr) =
        vexc_check(dir.path(), "main.vx", b"import { f } from \"./m\";\nfn main() { println(f()); }\n");
    assert_code("module", status, &stderr, "E0432");
    assert!(stderr.contains("is not valid UTF-8") && stderr.contains("byte offset 36 (line 2, byte column 4)"), "{stderr}");
}

#[test]
fn too_large_files_are_e0008() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 50 MB: refused before it is read
    let big = dir.path().join("big.vx");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(50_000_000).unwrap();
    let (status, stderr) = vexc("big.vx", &["check".as_ref(), big.as_os_str()]);
    assert_code("big.vx", status, &stderr, "E0008");
    assert!(flat(&stderr).contains("47.7 MiB, and a source file may have at most 4 MiB"), "{stderr}");
    // just over the limit
    let src = format!("fn main() {{}}\n//{}\n", "x".repeat(4 << 20));
    assert_diagnosed("over.vx", src.as_bytes(), "E0008");
    // a file whose size is not known in advance: read up to the limit only
    if Path::new("/dev/zero").exists() {
        let (status, stderr) = vexc("/dev/zero", &["check".as_ref(), "/dev/zero".as_ref()]);
        assert_code("/dev/zero", status, &stderr, "E0008");
        assert!(flat(&stderr).contains("more than 4 MiB"), "{stderr}");
    }
    // an imported module that is too large
    std::fs::write(dir.path().join("m.vx"), format!("export fn f(): i32 {{ return 1; }}\n//{}\n", "x".repeat(4 << 20))).unwrap();
    let (status, stderr) = vexc_check(dir.path(), "main.vx", b"import { f } from \"./m\";\nfn main() { println(f()); }\n");
    assert_code("module", status, &stderr, "E0008");
}

#[test]
fn unreadable_sources_are_e0902() {
    let (status, stderr) = vexc("missing", &["check".as_ref(), "/nonexistent/dir/x.vx".as_ref()]);
    assert_code("missing", status, &stderr, "E0902");
    let dir = tempfile::tempdir().expect("tempdir");
    let (status, stderr) = vexc("directory", &["check".as_ref(), dir.path().as_os_str()]);
    assert_code("directory", status, &stderr, "E0902");
    assert!(stderr.contains("it is a directory"), "{stderr}");
    let (status, stderr) = vexc("run directory", &["run".as_ref(), dir.path().as_os_str()]);
    assert_code("run directory", status, &stderr, "E0902");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.path().join("secret.vx");
        std::fs::write(&p, "fn main() {}\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(&p).is_err() {
            let (status, stderr) = vexc("secret.vx", &["check".as_ref(), p.as_os_str()]);
            assert_code("secret.vx", status, &stderr, "E0902");
            assert!(stderr.contains("ermission denied"), "{stderr}");
        } else {
            println!("skipped: permission denied (running as root, which reads anything)");
        }
    }
}

#[test]
fn unwritable_outputs_are_e0904() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("p.vx");
    std::fs::write(&src, "export fn f(): i32 { return 1; }\nfn main() { println(f()); }\n").unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let s = src.as_os_str();
    let cases: Vec<(&str, Vec<std::ffi::OsString>, &str)> = vec![
        ("-o in a missing directory", vec!["-o".into(), dir.path().join("no/such/dir/p").into()], "No such file or directory"),
        ("-o a directory", vec!["-o".into(), dir.path().into()], "it is a directory"),
        ("--emit-c into a file", vec!["--emit-c".into(), file.clone().into()], "is a file, not a directory"),
        ("--emit-c below a file", vec!["--emit-c".into(), file.join("sub").into()], "is a file, not a directory"),
        ("--lib -o in a missing directory", vec!["--lib".into(), "-o".into(), dir.path().join("no/libp.a").into()], "No such file or directory"),
        ("--lib --header below a file", vec!["--lib".into(), "-o".into(), dir.path().join("libp.a").into(), "--header".into(), file.join("p.h").into()], "is a file, not a directory"),
        ("--lib --header a directory", vec!["--lib".into(), "-o".into(), dir.path().join("libp.a").into(), "--header".into(), dir.path().into()], "it is a directory"),
    ];
    for (name, args, words) in cases {
        let mut all: Vec<&std::ffi::OsStr> = vec![s];
        all.extend(args.iter().map(|a| a.as_os_str()));
        let (status, stderr) = vexc(name, &all);
        assert_code(name, status, &stderr, "E0904");
        assert!(stderr.contains(words), "{name}: {stderr}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = dir.path().join("read-only");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(ro.join("probe"), "x").is_err() {
            let out = ro.join("p");
            let (status, stderr) = vexc("-o in a read-only directory", &[s, "-o".as_ref(), out.as_os_str()]);
            assert_code("read-only", status, &stderr, "E0904");
        } else {
            println!("skipped: read-only directory (running as root, which writes anywhere)");
        }
    }
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
