//! C toolchain discovery.
//!
//! `--cc CMD` wins (it may carry arguments, e.g. `zig cc -target aarch64-linux-musl`; it is split
//! on whitespace). Otherwise the `cc` crate picks the compiler for vexc's own target, honouring
//! `CC`, `CFLAGS` and the usual cross-compilation variables.

use super::codes;
use super::runtime::HOST_TARGET;
use crate::diag::Diagnostic;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

/// A C compiler ready to be invoked.
#[derive(Debug, Clone)]
pub struct CCompiler {
    pub program: PathBuf,
    /// Arguments that are part of the compiler command itself (`cc` for `zig cc`, `-target ...`,
    /// flags the `cc` crate adds for the target, `CFLAGS`).
    pub args: Vec<OsString>,
    pub env: Vec<(OsString, OsString)>,
    /// The output of `--version` (part of the runtime cache key).
    pub version: String,
    /// The target triple the compiler produces code for (`-dumpmachine`, else vexc's own target).
    pub target: String,
}

impl CCompiler {
    /// A `Command` for this compiler with its own arguments and environment applied.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// The compiler command as a shell-like string (for messages and cache keys).
    pub fn display(&self) -> String {
        let mut parts = vec![self.program.as_os_str().to_owned()];
        parts.extend(self.args.iter().cloned());
        shell_join(&parts)
    }

    pub fn targets_windows(&self) -> bool {
        self.target.contains("windows") || self.target.contains("mingw") || self.target.contains("msvc")
    }

    /// Libraries every Vex program links against. Windows executables are linked statically
    /// (`-static`), so they need no MinGW DLLs (`libwinpthread-1.dll`) next to them.
    pub fn link_libs(&self) -> Vec<&'static str> {
        if self.targets_windows() {
            vec!["-static", "-lm", "-lws2_32"]
        } else {
            vec!["-lm", "-lpthread"]
        }
    }

    /// File name for an executable named `stem` on this compiler's target.
    pub fn exe_name(&self, stem: &str) -> String {
        if self.targets_windows() {
            format!("{stem}.exe")
        } else {
            stem.to_string()
        }
    }
}

/// Quotes arguments that contain spaces or shell metacharacters.
pub fn shell_join(parts: &[OsString]) -> String {
    parts
        .iter()
        .map(|p| {
            let s = p.to_string_lossy();
            if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:+,@%".contains(c)) {
                s.into_owned()
            } else {
                format!("'{}'", s.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn install_help() -> String {
    "install a C compiler (on Debian/Ubuntu: `apt-get install gcc`, or `apt-get install clang`), \
     or name one with the `CC` environment variable or `--cc CMD`"
        .to_string()
}

/// Finds the C compiler. `cc_override` is the `--cc` value.
pub fn find(cc_override: Option<&str>, opt_level: u32, debug: bool) -> Result<CCompiler, Diagnostic> {
    let compiler = match cc_override {
        Some(cmd) => parse_command(cmd)?,
        None => from_cc_crate(HOST_TARGET, opt_level, debug).map_err(|e| {
            Diagnostic::global(codes::NO_CC, "no C compiler found")
                .note(format!("looking for a C compiler for {HOST_TARGET}: {e}"))
                .help(install_help())
        })??,
    };
    probe(compiler)
}

/// A `--cc CMD` value as a compiler (split on whitespace; not probed yet).
pub fn parse_command(cmd: &str) -> Result<CCompiler, Diagnostic> {
    let mut words = cmd.split_whitespace();
    let Some(program) = words.next() else {
        return Err(Diagnostic::global(codes::NO_CC, "`--cc` was given an empty command")
            .help("example: `--cc gcc`, `--cc clang`, `--cc 'zig cc -target x86_64-linux-musl'`"));
    };
    Ok(CCompiler {
        program: PathBuf::from(program),
        args: words.map(OsString::from).collect(),
        env: Vec::new(),
        version: String::new(),
        target: String::new(),
    })
}

/// The `cc` crate's compiler for `target` (a Rust target triple; not probed yet): it honours
/// `CC`, `CC_<target>`, `TARGET_CC`, `CROSS_COMPILE`, `CFLAGS`, and names `<prefix>-gcc` when
/// `target` is not vexc's own. The outer error: the crate found nothing; the inner one: it found
/// an MSVC-style compiler.
pub fn from_cc_crate(
    target: &str,
    opt_level: u32,
    debug: bool,
) -> Result<Result<CCompiler, Diagnostic>, ::cc::Error> {
    let tool = ::cc::Build::new()
        .cargo_metadata(false)
        .cargo_warnings(false)
        .emit_rerun_if_env_changed(false)
        .warnings(false)
        .extra_warnings(false)
        .opt_level(opt_level)
        .debug(debug)
        .host(HOST_TARGET)
        .target(target)
        .try_get_compiler()?;
    if tool.is_like_msvc() {
        return Ok(Err(unsupported(&tool.path().display().to_string())));
    }
    Ok(Ok(CCompiler {
        program: tool.path().to_path_buf(),
        args: tool.args().to_vec(),
        env: tool.get_envs().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
        version: String::new(),
        target: String::new(),
    }))
}

/// Checks that `compiler` starts (its `--version` output becomes part of the runtime cache key)
/// and asks it for its target (`-dumpmachine`, else vexc's own target).
pub fn probe(mut compiler: CCompiler) -> Result<CCompiler, Diagnostic> {
    let name = compiler.program.file_stem().map(|s| s.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if name == "cl" || name == "clang-cl" {
        return Err(unsupported(&compiler.display()));
    }

    // Probe: the compiler must start. `--version` output identifies it for the cache key.
    let output = compiler.command().arg("--version").output().map_err(|e| {
        let what = if e.kind() == std::io::ErrorKind::NotFound { "was not found" } else { "could not be started" };
        Diagnostic::global(codes::NO_CC, format!("the C compiler `{}` {what}", compiler.program.display()))
            .note(format!("{e}; command: {}", compiler.display()))
            .help(install_help())
    })?;
    compiler.version = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));

    compiler.target = compiler
        .command()
        .arg("-dumpmachine")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|t| !t.is_empty() && !t.contains(char::is_whitespace))
        .unwrap_or_else(|| HOST_TARGET.to_string());
    Ok(compiler)
}

fn unsupported(what: &str) -> Diagnostic {
    Diagnostic::global(codes::UNSUPPORTED_CC, format!("the C compiler `{what}` (MSVC-style) is not supported yet"))
        .help("use a GCC-compatible compiler: gcc, clang, mingw-w64 gcc, or `zig cc` (e.g. `--cc clang`)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_join_quotes() {
        let parts: Vec<OsString> = ["cc", "-O2", "a b.c", "it's"].iter().map(OsString::from).collect();
        assert_eq!(shell_join(&parts), r"cc -O2 'a b.c' 'it'\''s'");
    }

    #[test]
    fn missing_override_is_a_diagnostic() {
        let err = find(Some("definitely-not-a-c-compiler-xyz -v"), 0, true).unwrap_err();
        assert_eq!(err.code, codes::NO_CC);
        assert!(err.message.contains("was not found"), "{}", err.message);
        assert!(err.help.as_deref().unwrap_or("").contains("apt-get install gcc"));
    }

    #[test]
    fn empty_override_is_a_diagnostic() {
        assert_eq!(find(Some("   "), 0, true).unwrap_err().code, codes::NO_CC);
    }
}
