//! `--sanitize LIST`: building the program and the runtime with the C compiler's sanitizers.
//!
//! The sanitizer flags are part of [`BuildOptions::cflags`](super::BuildOptions::cflags), so
//! the runtime objects compiled with them get a runtime cache entry of their own, and the
//! program, the runtime and the link all see the same flags. Before the first build with a
//! given compiler and flags, a probe program is compiled *and linked* with them: a compiler
//! without the sanitizer (gcc has no `memory`) or without its run-time library (`libasan`,
//! `libtsan` not installed) fails there and gets E0914 instead of a raw link error. tcc accepts
//! and ignores `-fsanitize=`, so it is refused by name.

use super::build::{is_tcc, BuildOptions};
use super::cache;
use super::cc::CCompiler;
use super::codes;
use super::target::Target;
use crate::diag::Diagnostic;
use std::path::Path;

/// One sanitizer of gcc/clang (`-fsanitize=NAME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sanitizer {
    /// AddressSanitizer (out-of-bounds, use-after-free, double free; LeakSanitizer on Linux).
    Address,
    /// UndefinedBehaviorSanitizer; with `-fno-sanitize-recover=all` the first report aborts.
    Undefined,
    /// ThreadSanitizer (data races).
    Thread,
    /// MemorySanitizer (reads of uninitialised memory; clang only).
    Memory,
    /// LeakSanitizer alone (part of `address` already).
    Leak,
}

impl Sanitizer {
    pub const ALL: [Sanitizer; 5] =
        [Sanitizer::Address, Sanitizer::Undefined, Sanitizer::Thread, Sanitizer::Memory, Sanitizer::Leak];

    pub fn name(self) -> &'static str {
        match self {
            Sanitizer::Address => "address",
            Sanitizer::Undefined => "undefined",
            Sanitizer::Thread => "thread",
            Sanitizer::Memory => "memory",
            Sanitizer::Leak => "leak",
        }
    }

    pub fn parse(name: &str) -> Option<Sanitizer> {
        Sanitizer::ALL.into_iter().find(|s| s.name() == name.trim())
    }

    /// What the sanitizer's run-time library is called (for the install hint).
    fn library(self) -> &'static str {
        match self {
            Sanitizer::Address => "libasan",
            Sanitizer::Undefined => "libubsan",
            Sanitizer::Thread => "libtsan",
            Sanitizer::Memory => "the MemorySanitizer runtime (clang only)",
            Sanitizer::Leak => "liblsan",
        }
    }
}

/// The sanitizers as one sorted, duplicate-free list (`address,undefined`).
pub fn list(sanitizers: &[Sanitizer]) -> String {
    let mut s = sanitizers.to_vec();
    s.sort();
    s.dedup();
    s.iter().map(|s| s.name()).collect::<Vec<_>>().join(",")
}

/// The C flags (compile and link) for `sanitizers` (empty when there are none): the
/// sanitizers, frame pointers and debug info for readable reports, and for `undefined`
/// `-fno-sanitize-recover=all` so that undefined behaviour stops the program.
pub fn cflags(sanitizers: &[Sanitizer]) -> Vec<String> {
    if sanitizers.is_empty() {
        return Vec::new();
    }
    let mut flags = vec![format!("-fsanitize={}", list(sanitizers)), "-fno-omit-frame-pointer".to_string()];
    if sanitizers.contains(&Sanitizer::Undefined) {
        flags.push("-fno-sanitize-recover=all".into());
    }
    flags
}

/// Checks what can be checked before compiling anything: sanitizers that cannot run together,
/// and a cross target (E0913).
pub fn check_options(opts: &BuildOptions) -> Result<(), Diagnostic> {
    let s = &opts.sanitize;
    if s.is_empty() {
        return Ok(());
    }
    let exclusive: Vec<Sanitizer> =
        [Sanitizer::Address, Sanitizer::Thread, Sanitizer::Memory].into_iter().filter(|x| s.contains(x)).collect();
    if exclusive.len() > 1 {
        let names: Vec<&str> = exclusive.iter().map(|x| x.name()).collect();
        return Err(Diagnostic::global(
            codes::SANITIZE_OPTIONS,
            format!("`--sanitize {}`: the sanitizers {} cannot be combined", list(s), names.join(" and ")),
        )
        .note("each of them needs the whole address space in its own layout (shadow memory)")
        .help("build once per sanitizer: e.g. `--sanitize address,undefined`, then `--sanitize thread`"));
    }
    if s.contains(&Sanitizer::Leak) && (s.contains(&Sanitizer::Thread) || s.contains(&Sanitizer::Memory)) {
        return Err(Diagnostic::global(
            codes::SANITIZE_OPTIONS,
            format!("`--sanitize {}`: `leak` cannot be combined with `thread` or `memory`", list(s)),
        )
        .help("build once per sanitizer: `--sanitize leak` (or `address`, which includes it), then the other"));
    }
    if let Some(t) = &opts.target {
        let target = Target::parse(t)?;
        if Target::host() != Some(target) {
            return Err(Diagnostic::global(
                codes::SANITIZE_OPTIONS,
                format!("`--sanitize` builds for the machine vexc runs on, not for `--target {t}`"),
            )
            .note("a sanitized program must run where its sanitizer runtime is; cross-compiled ones cannot be checked here")
            .help("drop `--target` to build a sanitized program for this machine, or `--sanitize` to cross-compile"));
        }
    }
    Ok(())
}

/// Checks that `compiler` can build and link with the sanitizers in `flags` (E0914 otherwise).
/// A success is remembered in `marker_dir` (the runtime's cache directory, whose name already
/// hashes the compiler and the flags), so the probe runs once per cache entry.
pub fn probe(
    compiler: &CCompiler,
    sanitizers: &[Sanitizer],
    flags: &[String],
    build_dir: &Path,
    marker_dir: &Path,
) -> Result<(), Diagnostic> {
    if sanitizers.is_empty() {
        return Ok(());
    }
    if is_tcc(compiler) {
        return Err(Diagnostic::global(
            codes::NO_SANITIZER,
            format!("the C compiler `{}` cannot build with `--sanitize {}`", compiler.display(), list(sanitizers)),
        )
        .note("tcc has no sanitizers (it accepts `-fsanitize=` and ignores it)")
        .help("use gcc or clang: `--cc gcc` or `--cc clang`"));
    }
    let marker = marker_dir.join("sanitizer-probe.ok");
    if marker.is_file() {
        return Ok(());
    }
    // The feature macros catch a compiler that ignores the flag (gcc: __SANITIZE_ADDRESS__,
    // __SANITIZE_THREAD__; clang: __has_feature).
    let mut src = String::from(
        "#include <stdio.h>\n#ifndef __has_feature\n#define __has_feature(x) 0\n#endif\n",
    );
    if sanitizers.contains(&Sanitizer::Address) {
        src.push_str("#if !defined(__SANITIZE_ADDRESS__) && !__has_feature(address_sanitizer)\n#error \"-fsanitize=address had no effect\"\n#endif\n");
    }
    if sanitizers.contains(&Sanitizer::Thread) {
        src.push_str("#if !defined(__SANITIZE_THREAD__) && !__has_feature(thread_sanitizer)\n#error \"-fsanitize=thread had no effect\"\n#endif\n");
    }
    src.push_str("int main(int argc, char **argv) { (void)argv; printf(\"%d\\n\", argc * 2); return 0; }\n");
    let c = build_dir.join("vex_sanitizer_probe.c");
    let exe = build_dir.join(compiler.exe_name("vex_sanitizer_probe"));
    std::fs::write(&c, src).map_err(|e| Diagnostic::global(codes::WRITE, format!("cannot write `{}`: {e}", c.display())))?;
    let mut cmd = compiler.command();
    cmd.args(flags).arg(&c).arg("-o").arg(&exe).args(compiler.link_libs());
    let line = super::build::command_line(&cmd);
    let output = cmd.output();
    let _ = std::fs::remove_file(&c);
    let _ = std::fs::remove_file(&exe);
    let output = output.map_err(|e| {
        Diagnostic::global(codes::NO_CC, format!("the C compiler could not be started: {e}")).note(format!("command: {line}"))
    })?;
    if output.status.success() {
        let _ = cache::atomic_write(&marker, b"ok\n");
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stdout));
    let text: String = text.trim_end().lines().take(20).collect::<Vec<_>>().join("\n");
    let libs: Vec<&str> = sanitizers.iter().map(|s| s.library()).collect();
    let help = if sanitizers.contains(&Sanitizer::Memory) {
        "`memory` needs clang (`--cc clang`); otherwise install the sanitizer libraries".to_string()
    } else {
        format!(
            "install the sanitizer run-time libraries of this compiler ({}; on Debian/Ubuntu they come with gcc, \
             for clang `apt-get install libclang-rt-dev` or the `libclang-common-*-dev` package), or try `--cc clang` / `--cc gcc`",
            libs.join(", ")
        )
    };
    Err(Diagnostic::global(
        codes::NO_SANITIZER,
        format!("the C compiler `{}` cannot build with `--sanitize {}`", compiler.display(), list(sanitizers)),
    )
    .note(format!("a test program failed to compile or link with the sanitizer flags: {line}"))
    .note(format!("compiler output:\n{text}"))
    .help(help))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(s: &[Sanitizer]) -> BuildOptions {
        BuildOptions { sanitize: s.to_vec(), ..BuildOptions::default() }
    }

    #[test]
    fn flags_and_names() {
        use Sanitizer::*;
        assert!(cflags(&[]).is_empty());
        assert_eq!(
            cflags(&[Undefined, Address, Address]),
            ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=all"]
        );
        assert_eq!(cflags(&[Thread]), ["-fsanitize=thread", "-fno-omit-frame-pointer"]);
        for s in Sanitizer::ALL {
            assert_eq!(Sanitizer::parse(s.name()), Some(s));
        }
        assert_eq!(Sanitizer::parse("adress"), None);
    }

    #[test]
    fn incompatible_combinations_are_e0913() {
        use Sanitizer::*;
        for bad in [&[Address, Thread][..], &[Memory, Address], &[Thread, Memory, Undefined], &[Leak, Thread]] {
            let e = check_options(&opts(bad)).unwrap_err();
            assert_eq!(e.code, codes::SANITIZE_OPTIONS, "{bad:?}");
            assert!(e.help.is_some());
        }
        for good in [&[Address, Undefined][..], &[Thread, Undefined], &[Memory], &[Leak, Address], &[]] {
            check_options(&opts(good)).unwrap();
        }
        let cross = BuildOptions { target: Some("aarch64-macos".into()), ..opts(&[Address]) };
        assert_eq!(check_options(&cross).unwrap_err().code, codes::SANITIZE_OPTIONS);
        let bad_target = BuildOptions { target: Some("sparc-sun-solaris".into()), ..opts(&[Address]) };
        assert_eq!(check_options(&bad_target).unwrap_err().code, codes::UNKNOWN_TARGET);
        if let Some(host) = Target::host() {
            check_options(&BuildOptions { target: Some(host.name()), ..opts(&[Address]) }).unwrap();
        }
    }
}
