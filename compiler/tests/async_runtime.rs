//! The async runtime's C test suite (runtime/c/async_runtime/test.sh): gcc and clang -Werror,
//! ThreadSanitizer, ASan/UBSan/LSan, valgrind, the kqueue backend over its epoll shim, macOS and
//! FreeBSD link checks and a Windows run under wine (those skip, by name, when zig or wine is
//! missing). Part of `cargo test` so one command runs everything.

#[test]
fn async_runtime_suite() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/c/async_runtime/test.sh");
    let out = std::process::Command::new("bash").arg(&script).output().expect("run test.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "runtime/c/async_runtime/test.sh failed:\n{stdout}\n{stderr}");
}
