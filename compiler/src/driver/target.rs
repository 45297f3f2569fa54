//! Cross-compilation: `--target TRIPLE`.
//!
//! [`Target::parse`] accepts the common spellings of a target (GNU `aarch64-linux-gnu`, Rust
//! `aarch64-unknown-linux-gnu`, zig `aarch64-linux-musl`, clang `arm64-apple-macos`, mingw
//! `x86_64-w64-mingw32`, ...) and says each toolchain's spelling of it. [`find_compiler`] picks
//! the C compiler of a build:
//! - with `--cc CMD`, the target flag of that compiler's family is added: `zig cc -target T`
//!   (zig's spelling), clang `--target=T`; gcc cannot retarget, so `gcc` becomes `T-gcc` (found
//!   through the `cc` crate, which also honours `CC_<target>`, `TARGET_CC` and `CROSS_COMPILE`);
//!   tcc and unknown compilers must already build for the target (`-dumpmachine`);
//! - without `--cc`: the `cc` crate's cross compiler (`aarch64-linux-gnu-gcc`,
//!   `x86_64-w64-mingw32-gcc`) if installed, else clang with `--target=` if it can link for the
//!   target (a probe link; not for musl targets), else `zig cc -target T` (`zig` on `PATH`, or
//!   `python3 -m ziglang`).
//!
//! The chosen compiler's `target` is the target's canonical name ([`Target::name`]), so the
//! runtime object cache (keyed on it) keeps one entry per target and the output name follows
//! the target (`.exe` on Windows).

use super::build::BuildOptions;
use super::cc::{self, CCompiler};
use super::codes;
use super::runtime::HOST_TARGET;
use crate::diag::Diagnostic;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Stdio};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    Aarch64,
    Riscv64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Windows,
    MacOs,
    FreeBsd,
}

/// The C library / ABI: glibc or musl on Linux, MinGW on Windows, the system's elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abi {
    Gnu,
    Musl,
    System,
}

/// A target vexc can build for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub arch: Arch,
    pub os: Os,
    pub abi: Abi,
}

/// The targets vexc knows, by canonical name (any other spelling of these is accepted too).
pub const KNOWN_TARGETS: &[&str] = &[
    "x86_64-linux-gnu",
    "x86_64-linux-musl",
    "aarch64-linux-gnu",
    "aarch64-linux-musl",
    "riscv64-linux-gnu",
    "riscv64-linux-musl",
    "x86_64-windows-gnu",
    "x86_64-macos",
    "aarch64-macos",
    "x86_64-freebsd",
    "aarch64-freebsd",
];

impl Target {
    /// Parses a target triple in any common spelling; E0910 names the known targets otherwise.
    pub fn parse(triple: &str) -> Result<Target, Diagnostic> {
        let lower = triple.trim().to_ascii_lowercase();
        let parts: Vec<&str> = lower.split('-').collect();
        let arch = match parts[0] {
            "x86_64" | "amd64" | "x64" => Some(Arch::X86_64),
            "aarch64" | "arm64" => Some(Arch::Aarch64),
            "riscv64" | "riscv64gc" => Some(Arch::Riscv64),
            _ => None,
        };
        let rest = &parts[1..];
        let has = |f: &dyn Fn(&str) -> bool| rest.iter().any(|p| f(p));
        let os = if has(&|p| p.starts_with("linux")) {
            Some(Os::Linux)
        } else if has(&|p| p.starts_with("windows") || p.starts_with("mingw") || p == "w64" || p == "win32") {
            Some(Os::Windows)
        } else if has(&|p| p.starts_with("darwin") || p.starts_with("macos") || p == "apple") {
            Some(Os::MacOs)
        } else if has(&|p| p.starts_with("freebsd")) {
            Some(Os::FreeBsd)
        } else {
            None
        };
        let (Some(arch), Some(os)) = (arch, os) else { return Err(unknown_target(triple)) };
        if has(&|p| p.starts_with("android")) {
            return Err(unsupported_target(triple, "Android is not supported"));
        }
        if os == Os::Windows && has(&|p| p == "msvc") {
            return Err(unsupported_target(
                triple,
                "MSVC targets need MSVC's `cl`, which vexc does not drive; build for x86_64-windows-gnu \
                 (mingw-w64 or `zig cc`) instead",
            ));
        }
        let abi = match os {
            Os::Linux if has(&|p| p.starts_with("musl")) => Abi::Musl,
            Os::Linux | Os::Windows => Abi::Gnu,
            Os::MacOs | Os::FreeBsd => Abi::System,
        };
        let t = Target { arch, os, abi };
        if !KNOWN_TARGETS.contains(&t.name().as_str()) {
            return Err(unsupported_target(triple, &format!("{} is not a target vexc builds for", t.name())));
        }
        Ok(t)
    }

    /// vexc's own target, if it is one of the known targets.
    pub fn host() -> Option<Target> {
        Target::parse(HOST_TARGET).ok()
    }

    fn arch_name(&self) -> &'static str {
        match self.arch {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
            Arch::Riscv64 => "riscv64",
        }
    }

    /// The canonical name: `aarch64-linux-gnu`, `x86_64-windows-gnu`, `aarch64-macos`,
    /// `x86_64-freebsd` (one of [`KNOWN_TARGETS`]; also zig's spelling).
    pub fn name(&self) -> String {
        let arch = self.arch_name();
        match (self.os, self.abi) {
            (Os::Linux, Abi::Musl) => format!("{arch}-linux-musl"),
            (Os::Linux, _) => format!("{arch}-linux-gnu"),
            (Os::Windows, _) => format!("{arch}-windows-gnu"),
            (Os::MacOs, _) => format!("{arch}-macos"),
            (Os::FreeBsd, _) => format!("{arch}-freebsd"),
        }
    }

    /// zig's spelling (`zig cc -target T`).
    pub fn zig(&self) -> String {
        self.name()
    }

    /// clang's spelling (`clang --target=T`).
    pub fn clang(&self) -> String {
        let arch = self.arch_name();
        match (self.os, self.abi) {
            (Os::Linux, Abi::Musl) => format!("{arch}-linux-musl"),
            (Os::Linux, _) => format!("{arch}-linux-gnu"),
            (Os::Windows, _) => format!("{arch}-w64-windows-gnu"),
            (Os::MacOs, _) => format!("{arch}-apple-macos"),
            (Os::FreeBsd, _) => format!("{arch}-unknown-freebsd"),
        }
    }

    /// Rust's spelling (what the `cc` crate takes).
    pub fn rust(&self) -> String {
        let arch = match self.arch {
            Arch::Riscv64 => "riscv64gc",
            _ => self.arch_name(),
        };
        match (self.os, self.abi) {
            (Os::Linux, Abi::Musl) => format!("{arch}-unknown-linux-musl"),
            (Os::Linux, _) => format!("{arch}-unknown-linux-gnu"),
            (Os::Windows, _) => format!("{arch}-pc-windows-gnu"),
            (Os::MacOs, _) => format!("{arch}-apple-darwin"),
            (Os::FreeBsd, _) => format!("{arch}-unknown-freebsd"),
        }
    }

    /// The GNU cross-compiler prefix (`<prefix>-gcc`), where there is a usual one.
    pub fn gnu_prefix(&self) -> Option<String> {
        let arch = self.arch_name();
        match (self.os, self.abi) {
            (Os::Linux, Abi::Musl) => Some(format!("{arch}-linux-musl")),
            (Os::Linux, _) => Some(format!("{arch}-linux-gnu")),
            (Os::Windows, _) => Some(format!("{arch}-w64-mingw32")),
            _ => None,
        }
    }

    pub fn is_windows(&self) -> bool {
        self.os == Os::Windows
    }

    /// What to install to build for this target (the help of E0911).
    pub fn install_help(&self) -> String {
        let zig = "`pip install ziglang` (vexc then uses `python3 -m ziglang cc`; or name it: \
                   `--cc 'python3 -m ziglang cc'`)";
        let deb_arch = match self.arch {
            Arch::X86_64 => "x86-64",
            Arch::Aarch64 => "aarch64",
            Arch::Riscv64 => "riscv64",
        };
        match (self.os, self.abi) {
            (Os::Linux, Abi::Gnu) => format!(
                "install a cross compiler: `apt-get install gcc-{deb_arch}-linux-gnu` (vexc then uses \
                 {}-gcc), or {zig}",
                self.gnu_prefix().unwrap_or_default()
            ),
            (Os::Windows, _) if self.arch == Arch::X86_64 => format!(
                "install mingw-w64: `apt-get install gcc-mingw-w64-x86-64` (vexc then uses \
                 x86_64-w64-mingw32-gcc), or {zig}"
            ),
            (Os::MacOs, _) | (Os::FreeBsd, _) => format!(
                "install zig: {zig}; or give a clang that has the target's SDK / sysroot: `--cc clang`"
            ),
            _ => format!("install zig: {zig}"),
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

fn unknown_target(triple: &str) -> Diagnostic {
    Diagnostic::global(codes::UNKNOWN_TARGET, format!("unknown target `{triple}`"))
        .note(format!("known targets: {}", KNOWN_TARGETS.join(", ")))
        .help(
            "other spellings of these work too, e.g. aarch64-unknown-linux-gnu, x86_64-w64-mingw32, \
             x86_64-pc-windows-gnu, arm64-apple-darwin, x86_64-unknown-freebsd",
        )
}

fn unsupported_target(triple: &str, why: &str) -> Diagnostic {
    Diagnostic::global(codes::UNKNOWN_TARGET, format!("unsupported target `{triple}`: {why}"))
        .note(format!("known targets: {}", KNOWN_TARGETS.join(", ")))
}

/// The C compiler for a build: [`cc::find`] without `--target`, else [`find_for_target`].
pub fn find_compiler(opts: &BuildOptions) -> Result<CCompiler, Diagnostic> {
    match &opts.target {
        None => cc::find(opts.cc.as_deref(), opts.opt_level, opts.debug),
        Some(t) => find_for_target(opts.cc.as_deref(), &Target::parse(t)?, opts.opt_level, opts.debug),
    }
}

/// The C compiler for `target`; `cc_override` is `--cc`.
pub fn find_for_target(
    cc_override: Option<&str>,
    target: &Target,
    opt_level: u32,
    debug: bool,
) -> Result<CCompiler, Diagnostic> {
    match cc_override {
        Some(cmd) => retarget(cc::find(Some(cmd), opt_level, debug)?, target, opt_level, debug),
        None if Target::host() == Some(*target) => cc::find(None, opt_level, debug),
        None => auto(target, opt_level, debug),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Zig,
    Clang,
    Gcc,
    Tcc,
    Other,
}

fn stem(c: &CCompiler) -> String {
    c.program.file_stem().map(|s| s.to_string_lossy().to_ascii_lowercase()).unwrap_or_default()
}

/// The kind of a (probed) C compiler. `zig cc --version` reads like clang's, so zig is
/// recognised by its command (`zig cc`, `python3 -m ziglang cc`).
fn family(c: &CCompiler) -> Family {
    let stem = stem(c);
    let args: Vec<String> = c.args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    if stem == "zig" || stem.starts_with("zig-") || args.iter().any(|a| a == "ziglang") {
        Family::Zig
    } else if stem == "tcc" || stem.ends_with("-tcc") || c.version.starts_with("tcc version") {
        Family::Tcc
    } else if c.version.contains("clang version") || stem.contains("clang") {
        Family::Clang
    } else if c.version.contains("Free Software Foundation") || stem == "cc" || stem.contains("gcc") {
        Family::Gcc
    } else {
        Family::Other
    }
}

/// A target the compiler command already names (`-target T`, `--target=T`, `-target=T`).
fn target_flag(args: &[OsString]) -> Option<String> {
    let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    for (i, a) in args.iter().enumerate() {
        if a == "-target" || a == "--target" {
            return args.get(i + 1).cloned();
        }
        if let Some(v) = a.strip_prefix("--target=").or_else(|| a.strip_prefix("-target=")) {
            return Some(v.to_string());
        }
    }
    None
}

/// The compiler builds for `target` (by its `-dumpmachine`). A `musl-gcc` wrapper reports the
/// glibc gcc's machine, so for it arch and OS suffice.
fn builds_for(c: &CCompiler, target: &Target) -> bool {
    match Target::parse(&c.target) {
        Ok(t) if t == *target => true,
        Ok(t) => stem(c).contains("musl") && t.arch == target.arch && t.os == target.os,
        Err(_) => false,
    }
}

fn with_target(mut c: CCompiler, target: &Target) -> CCompiler {
    c.target = target.name();
    c
}

/// `--cc CMD --target T`: makes the given compiler build for `target`.
fn retarget(mut c: CCompiler, target: &Target, opt_level: u32, debug: bool) -> Result<CCompiler, Diagnostic> {
    if let Some(given) = target_flag(&c.args) {
        return match Target::parse(&given) {
            Ok(t) if t != *target => Err(Diagnostic::global(
                codes::UNKNOWN_TARGET,
                format!("`--cc {}` builds for {t}, but `--target` asks for {target}", c.display()),
            )
            .help("give the target once: either in `--cc` or with `--target`")),
            _ => Ok(with_target(c, target)),
        };
    }
    match family(&c) {
        Family::Zig => {
            c.args.push("-target".into());
            c.args.push(target.zig().into());
            Ok(with_target(c, target))
        }
        Family::Clang => {
            c.args.push(format!("--target={}", target.clang()).into());
            Ok(with_target(c, target))
        }
        Family::Gcc if builds_for(&c, target) => Ok(with_target(c, target)),
        Family::Gcc => cross_gcc(&c, target, opt_level, debug).map_err(|tried| no_cross_compiler(target, &tried)),
        Family::Tcc | Family::Other if builds_for(&c, target) => Ok(with_target(c, target)),
        Family::Tcc | Family::Other => Err(Diagnostic::global(
            codes::NO_CROSS_CC,
            format!("the C compiler `{}` builds for {}, not for {target}, and vexc cannot retarget it", c.display(), c.target),
        )
        .help(format!("use gcc, clang or `zig cc` for cross builds; {}", target.install_help()))),
    }
}

/// gcc cannot retarget: finds `<prefix>-gcc` for `target` (the `cc` crate's choice, then the
/// prefix in front of the given gcc's name). `Err`: what was tried.
fn cross_gcc(base: &CCompiler, target: &Target, opt_level: u32, debug: bool) -> Result<CCompiler, Vec<String>> {
    let mut candidates = Vec::new();
    if let Ok(Ok(mut c)) = cc::from_cc_crate(&target.rust(), opt_level, debug) {
        c.args.extend(base.args.iter().cloned());
        candidates.push(c);
    }
    if let Some(prefix) = target.gnu_prefix() {
        let name = base.program.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let name = if name == "cc" || name.is_empty() { "gcc".to_string() } else { name };
        let program = base.program.with_file_name(format!("{prefix}-{name}"));
        if !candidates.iter().any(|c: &CCompiler| c.program == program) {
            candidates.push(CCompiler { program, args: base.args.clone(), env: base.env.clone(), ..base.clone() });
        }
    }
    try_candidates(candidates, target)
}

fn try_candidates(candidates: Vec<CCompiler>, target: &Target) -> Result<CCompiler, Vec<String>> {
    let mut tried = Vec::new();
    for c in candidates {
        let shown = c.program.display().to_string();
        match cc::probe(c) {
            Ok(c) if builds_for(&c, target) => return Ok(with_target(c, target)),
            Ok(c) => tried.push(format!("{shown} (builds for {}, not {target})", c.target)),
            Err(_) => tried.push(format!("{shown} (not installed)")),
        }
    }
    Err(tried)
}

/// No `--cc`: a cross gcc, else clang if it can link for the target (not for musl), else zig.
fn auto(target: &Target, opt_level: u32, debug: bool) -> Result<CCompiler, Diagnostic> {
    let gcc = CCompiler {
        program: PathBuf::from("gcc"),
        args: Vec::new(),
        env: Vec::new(),
        version: String::new(),
        target: String::new(),
    };
    let mut tried = match cross_gcc(&gcc, target, opt_level, debug) {
        Ok(c) => return Ok(c),
        Err(tried) => tried,
    };

    // clang links "for" musl against the host's glibc headers and a musl loader that is not
    // there, so it is only a choice for glibc, Windows, macOS and FreeBSD targets.
    match cc::probe(CCompiler { program: PathBuf::from("clang"), ..gcc.clone() }) {
        _ if target.abi == Abi::Musl => {}
        Ok(mut clang) => {
            clang.args.push(format!("--target={}", target.clang()).into());
            let clang = with_target(clang, target);
            match link_probe(&clang) {
                Ok(()) => return Ok(clang),
                Err(why) => tried.push(format!("{} (cannot link for {target}: {why})", clang.display())),
            }
        }
        Err(_) => tried.push("clang (not installed)".into()),
    }

    match zig() {
        Some(mut zig) => {
            zig.args.push("-target".into());
            zig.args.push(target.zig().into());
            return cc::probe(zig).map(|z| with_target(z, target));
        }
        None => tried.push("zig cc, python3 -m ziglang cc (not installed)".into()),
    }
    Err(no_cross_compiler(target, &tried))
}

/// `zig cc`: `zig` on `PATH`, else the `ziglang` Python package (`python3 -m ziglang cc`).
pub fn zig() -> Option<CCompiler> {
    let (program, args): (&str, &[&str]) = if tool_works("zig", &["version"]) {
        ("zig", &["cc"])
    } else if tool_works("python3", &["-m", "ziglang", "version"]) {
        ("python3", &["-m", "ziglang", "cc"])
    } else {
        return None;
    };
    Some(CCompiler {
        program: PathBuf::from(program),
        args: args.iter().map(OsString::from).collect(),
        env: Vec::new(),
        version: String::new(),
        target: String::new(),
    })
}

/// Whether `program args` runs and succeeds (a probe for an installed tool; output discarded).
pub fn tool_works(program: &str, args: &[&str]) -> bool {
    Command::new(program).args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// Compiles and links a tiny program (headers, libc, libm, the link libraries of the target):
/// clang without the target's sysroot fails here. `Err`: the compiler's first error line.
fn link_probe(c: &CCompiler) -> Result<(), String> {
    const PROBE: &str = "#include <stdio.h>\n#include <math.h>\n\
        int main(int argc, char **argv) { (void)argv; printf(\"%f\\n\", sqrt((double)argc)); return 0; }\n";
    let dir = tempfile::Builder::new().prefix("vexc-probe-").tempdir().map_err(|e| e.to_string())?;
    let src = dir.path().join("probe.c");
    std::fs::write(&src, PROBE).map_err(|e| e.to_string())?;
    let out = c
        .command()
        .arg(&src)
        .arg("-o")
        .arg(dir.path().join(c.exe_name("probe")))
        .args(c.link_libs())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().find(|l| l.contains("error")).or_else(|| text.lines().next()).unwrap_or("failed");
    Err(line.trim().to_string())
}

fn no_cross_compiler(target: &Target, tried: &[String]) -> Diagnostic {
    let mut d = Diagnostic::global(codes::NO_CROSS_CC, format!("no C compiler found that builds for {target}"));
    if !tried.is_empty() {
        d = d.note(format!("tried: {}", tried.join("; ")));
    }
    d.help(target.install_help())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        Target::parse(s).map(|t| t.name()).unwrap_or_else(|d| format!("{}: {}", d.code, d.message))
    }

    #[test]
    fn spellings() {
        for (given, name) in [
            ("aarch64-linux-gnu", "aarch64-linux-gnu"),
            ("aarch64-unknown-linux-gnu", "aarch64-linux-gnu"),
            ("arm64-linux", "aarch64-linux-gnu"),
            ("aarch64-linux-musl", "aarch64-linux-musl"),
            ("x86_64-unknown-linux-musl", "x86_64-linux-musl"),
            ("riscv64gc-unknown-linux-gnu", "riscv64-linux-gnu"),
            ("x86_64-w64-mingw32", "x86_64-windows-gnu"),
            ("x86_64-pc-windows-gnu", "x86_64-windows-gnu"),
            ("x86_64-windows", "x86_64-windows-gnu"),
            ("x86_64-apple-darwin", "x86_64-macos"),
            ("arm64-apple-macos", "aarch64-macos"),
            ("aarch64-macos", "aarch64-macos"),
            ("x86_64-unknown-freebsd", "x86_64-freebsd"),
            ("x86_64-freebsd14", "x86_64-freebsd"),
            ("AMD64-Linux-GNU", "x86_64-linux-gnu"),
        ] {
            assert_eq!(t(given), name, "{given}");
        }
        for name in KNOWN_TARGETS {
            let target = Target::parse(name).unwrap();
            assert_eq!(target.name(), *name);
            // every toolchain's spelling reads back as the same target
            assert_eq!(Target::parse(&target.clang()).unwrap(), target, "{}", target.clang());
            assert_eq!(Target::parse(&target.rust()).unwrap(), target, "{}", target.rust());
            assert_eq!(Target::parse(&target.zig()).unwrap(), target);
        }
        let host = Target::host().expect("vexc's own target is a known one");
        assert_eq!(Target::parse(HOST_TARGET).unwrap(), host);
    }

    #[test]
    fn spellings_per_toolchain() {
        let a = Target::parse("aarch64-unknown-linux-gnu").unwrap();
        assert_eq!((a.zig(), a.clang(), a.rust()), ("aarch64-linux-gnu".into(), "aarch64-linux-gnu".into(), "aarch64-unknown-linux-gnu".into()));
        assert_eq!(a.gnu_prefix().as_deref(), Some("aarch64-linux-gnu"));
        let w = Target::parse("x86_64-windows-gnu").unwrap();
        assert_eq!((w.zig(), w.clang(), w.rust()), ("x86_64-windows-gnu".into(), "x86_64-w64-windows-gnu".into(), "x86_64-pc-windows-gnu".into()));
        assert_eq!(w.gnu_prefix().as_deref(), Some("x86_64-w64-mingw32"));
        assert!(w.is_windows());
        let m = Target::parse("arm64-apple-darwin").unwrap();
        assert_eq!((m.zig(), m.clang(), m.rust()), ("aarch64-macos".into(), "aarch64-apple-macos".into(), "aarch64-apple-darwin".into()));
        assert_eq!(m.gnu_prefix(), None);
        let f = Target::parse("x86_64-freebsd").unwrap();
        assert_eq!((f.zig(), f.clang()), ("x86_64-freebsd".into(), "x86_64-unknown-freebsd".into()));
    }

    #[test]
    fn unknown_and_unsupported_targets_are_e0910_naming_the_known_ones() {
        for bad in ["sparc-sun-solaris", "x86_64", "wasm32-wasi", "", "x86_64-pc-windows-msvc", "aarch64-linux-android", "riscv64-apple-macos"] {
            let d = Target::parse(bad).unwrap_err();
            assert_eq!(d.code, codes::UNKNOWN_TARGET, "{bad}");
            assert!(d.notes.iter().any(|n| n.contains("aarch64-linux-gnu") && n.contains("x86_64-windows-gnu")), "{bad}: {:?}", d.notes);
        }
        let d = Target::parse("x86_64-pc-windows-msvc").unwrap_err();
        assert!(d.message.contains("x86_64-windows-gnu"), "{}", d.message);
    }

    fn fake(program: &str, args: &[&str], version: &str) -> CCompiler {
        CCompiler {
            program: program.into(),
            args: args.iter().map(OsString::from).collect(),
            env: Vec::new(),
            version: version.into(),
            target: HOST_TARGET.into(),
        }
    }

    #[test]
    fn families_and_target_flags() {
        assert_eq!(family(&fake("python3", &["-m", "ziglang", "cc"], "clang version 19")), Family::Zig);
        assert_eq!(family(&fake("/opt/zig/zig", &["cc"], "clang version 19")), Family::Zig);
        assert_eq!(family(&fake("clang-16", &[], "Debian clang version 16")), Family::Clang);
        assert_eq!(family(&fake("cc", &[], "cc (Debian 12.2.0-14) 12.2.0\nCopyright (C) 2022 Free Software Foundation")), Family::Gcc);
        assert_eq!(family(&fake("tcc", &[], "tcc version 0.9.27")), Family::Tcc);
        assert_eq!(target_flag(&fake("zig", &["cc", "-target", "x86_64-macos"], "").args).as_deref(), Some("x86_64-macos"));
        assert_eq!(target_flag(&fake("clang", &["--target=aarch64-linux-gnu"], "").args).as_deref(), Some("aarch64-linux-gnu"));

        let aarch64 = Target::parse("aarch64-linux-gnu").unwrap();
        let z = retarget(fake("python3", &["-m", "ziglang", "cc"], ""), &aarch64, 0, true).unwrap();
        assert_eq!(z.display(), "python3 -m ziglang cc -target aarch64-linux-gnu");
        assert_eq!(z.target, "aarch64-linux-gnu");
        let c = retarget(fake("clang", &["-O1"], "clang version 16"), &aarch64, 0, true).unwrap();
        assert_eq!(c.display(), "clang -O1 --target=aarch64-linux-gnu");
        let win = Target::parse("x86_64-w64-mingw32").unwrap();
        let z = retarget(fake("zig", &["cc"], ""), &win, 0, true).unwrap();
        assert_eq!(z.display(), "zig cc -target x86_64-windows-gnu");
        assert!(z.targets_windows() && z.exe_name("p") == "p.exe" && z.link_libs().contains(&"-lws2_32"));
        // a target given twice must agree
        let d = retarget(fake("zig", &["cc", "-target", "x86_64-macos"], ""), &aarch64, 0, true).unwrap_err();
        assert_eq!(d.code, codes::UNKNOWN_TARGET);
        assert!(retarget(fake("zig", &["cc", "-target", "aarch64-linux-gnu"], ""), &aarch64, 0, true).is_ok());
        // tcc cannot retarget
        let d = retarget(fake("tcc", &[], "tcc version 0.9.27"), &aarch64, 0, true).unwrap_err();
        assert_eq!(d.code, codes::NO_CROSS_CC);
        assert!(d.help.as_deref().unwrap_or("").contains("apt-get install gcc-aarch64-linux-gnu"), "{:?}", d.help);
    }

    #[test]
    fn gcc_becomes_the_prefixed_cross_gcc_or_says_what_to_install() {
        let Ok(gcc) = cc::find(Some("gcc"), 0, true) else {
            eprintln!("skipped: gcc is not installed");
            return;
        };
        let host = Target::host().unwrap();
        // the host target: gcc as it is
        assert_eq!(retarget(gcc.clone(), &host, 0, true).unwrap().program, gcc.program);
        let riscv = Target::parse("riscv64-linux-gnu").unwrap();
        match retarget(gcc.clone(), &riscv, 0, true) {
            Ok(c) => assert_eq!(c.program.to_string_lossy(), "riscv64-linux-gnu-gcc"),
            Err(d) => {
                assert_eq!(d.code, codes::NO_CROSS_CC);
                assert!(d.notes.iter().any(|n| n.contains("riscv64-linux-gnu-gcc")), "{:?}", d.notes);
                assert!(d.help.as_deref().unwrap_or("").contains("apt-get install gcc-riscv64-linux-gnu"), "{:?}", d.help);
                assert!(d.help.as_deref().unwrap_or("").contains("pip install ziglang"), "{:?}", d.help);
            }
        }
        let win = Target::parse("x86_64-windows-gnu").unwrap();
        match retarget(gcc, &win, 0, true) {
            Ok(c) => {
                assert_eq!(c.program.to_string_lossy(), "x86_64-w64-mingw32-gcc");
                assert_eq!(c.exe_name("p"), "p.exe");
            }
            Err(d) => assert!(d.help.as_deref().unwrap_or("").contains("gcc-mingw-w64-x86-64"), "{:?}", d.help),
        }
    }
}
