//! Library mode (`vexc --lib`): a static library `lib<module>.a` holding the library's C and
//! the runtime objects it needs (from the runtime object cache), plus its header; or the same
//! as sources (`--emit-c DIR --lib`).
//!
//! Objects are compiled with `-fPIC` (except for Windows targets), so the archive can also go
//! into a shared library; that flag gives the runtime objects their own cache entry.

use super::build::{is_tcc, no_atomics, run_cc, runtime_files, runtime_objects, write_sources, BuildOptions, BuildReport, THREAD_FLAGS};
use super::cc::CCompiler;
use super::codes;
use crate::diag::Diagnostic;
use crate::CompiledLibrary;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Writes the library's C, the runtime files it needs (flat, as `emit_c_dir` does) and its
/// header into `dir`; the header goes to `header` instead when given. A C project then
/// compiles `DIR/*.c` (with `-lm -lpthread` at link time) and includes `<module>.h`.
pub fn emit_library_dir(lib: &CompiledLibrary, dir: &Path, header: Option<&Path>) -> Result<(), Diagnostic> {
    write_sources(&lib.c.files(), &runtime_files(lib.c.uses_runtime), dir)?;
    let default = dir.join(&lib.header_name);
    write_header(lib, header.unwrap_or(&default))
}

/// Writes the header to `path` (creating its directory).
pub fn write_header(lib: &CompiledLibrary, path: &Path) -> Result<(), Diagnostic> {
    let err = |e: std::io::Error| Diagnostic::global(codes::WRITE, format!("cannot write `{}`: {e}", path.display()));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        super::build::create_dir(parent)?;
    }
    if path.is_dir() {
        return Err(Diagnostic::global(codes::WRITE, format!("cannot write `{}`: it is a directory", path.display()))
            .help("name the header file with `--header DIR/NAME.h`"));
    }
    std::fs::write(path, &lib.header).map_err(err)
}

/// Builds the static library `archive` (inside `build_dir`, which is scratch space; the caller
/// moves it into place): the library's C files compiled here, the runtime objects from the
/// cache, archived with [`archiver`].
pub fn build_library(
    compiler: &CCompiler,
    lib: &CompiledLibrary,
    opts: &BuildOptions,
    build_dir: &Path,
    archive: &Path,
) -> Result<BuildReport, Diagnostic> {
    super::sanitize::check_options(opts)?;
    let threads = lib.c.uses_runtime;
    if threads && is_tcc(compiler) {
        return Err(no_atomics(compiler));
    }
    let runtime = runtime_files(threads);
    let program = lib.c.files();
    write_sources(&program, &runtime, build_dir)?;
    std::fs::write(build_dir.join(&lib.header_name), &lib.header)
        .map_err(|e| Diagnostic::global(codes::WRITE, format!("cannot write `{}`: {e}", build_dir.join(&lib.header_name).display())))?;
    let mut flags = opts.cflags();
    if threads {
        flags.extend(THREAD_FLAGS.iter().map(|f| f.to_string()));
    }
    if !compiler.targets_windows() {
        flags.push("-fPIC".into());
    }
    let mut report = BuildReport { compiler: compiler.display(), ..BuildReport::default() };
    let mut objects = runtime_objects(compiler, &runtime, &flags, threads, opts, build_dir, &mut report)?;
    for (name, _) in &program {
        let obj = build_dir.join(format!("{}.o", name.trim_end_matches(".c")));
        let mut cmd = compiler.command();
        cmd.args(&flags).arg("-I").arg(build_dir).arg("-c").arg(build_dir.join(name)).arg("-o").arg(&obj);
        run_cc(cmd)?;
        objects.push(obj);
    }
    let _ = std::fs::remove_file(archive); // `ar` adds to an existing archive
    let mut cmd = archiver(compiler)?;
    cmd.arg("crs").arg(archive).args(&objects);
    report.link_command = super::build::command_line(&cmd);
    run_archiver(cmd)?;
    Ok(report)
}

/// The archiver for `compiler`'s objects: `$AR` if set; `zig ar` for `zig cc`; the
/// cross-compiler's own (`x86_64-w64-mingw32-gcc` -> `x86_64-w64-mingw32-ar`, next to it or on
/// `PATH`); else the `cc` crate's choice for vexc's own target (`ar` unless `AR_<target>` or
/// `TARGET_AR` say otherwise); then `ar`, then `llvm-ar`.
pub fn archiver(compiler: &CCompiler) -> Result<Command, Diagnostic> {
    if let Some(ar) = std::env::var_os("AR").filter(|a| !a.is_empty()) {
        let ar = ar.to_string_lossy().into_owned();
        let mut words = ar.split_whitespace();
        if let Some(program) = words.next() {
            let mut cmd = Command::new(program);
            cmd.args(words);
            return Ok(cmd);
        }
    }
    let stem = compiler.program.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if stem == "zig" || stem.starts_with("zig-") {
        let mut cmd = Command::new(&compiler.program);
        cmd.arg("ar");
        return Ok(cmd);
    }
    // `<prefix>-gcc`, `<prefix>-cc`, `<prefix>-clang` (optionally versioned: `-gcc-12`)
    let prefix = ["-gcc", "-cc", "-clang"].iter().find_map(|tool| stem.rfind(tool).map(|i| &stem[..i])).filter(|p| !p.is_empty());
    if let Some(prefix) = prefix {
        let name = format!("{prefix}-ar");
        let sibling = compiler.program.parent().map(|d| d.join(&name)).filter(|p| p.is_file());
        if let Some(path) = sibling.or_else(|| on_path(&name)) {
            return Ok(Command::new(path));
        }
    }
    // The `cc` crate's archiver for vexc's own target (`ar`, or what `AR_<target>`/`TARGET_AR`
    // say), if it exists.
    if let Ok(cmd) = ::cc::Build::new()
        .cargo_metadata(false)
        .cargo_warnings(false)
        .emit_rerun_if_env_changed(false)
        .opt_level(0)
        .host(super::runtime::HOST_TARGET)
        .target(super::runtime::HOST_TARGET)
        .try_get_archiver()
    {
        if on_path(&cmd.get_program().to_string_lossy()).is_some() {
            return Ok(cmd);
        }
    }
    for name in ["ar", "llvm-ar"] {
        if let Some(path) = on_path(name) {
            return Ok(Command::new(path));
        }
    }
    Err(Diagnostic::global(codes::ARCHIVER, "no archiver found to build the static library (looked for `ar` and `llvm-ar`)")
        .help("install binutils (`apt-get install binutils`) or LLVM, or name an archiver with the `AR` environment variable"))
}

/// `name` found in a directory of `PATH` (or `name` itself when it is a path).
fn on_path(name: &str) -> Option<PathBuf> {
    let p = Path::new(name);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    let exts: Vec<OsString> = if cfg!(windows) { vec!["".into(), ".exe".into()] } else { vec!["".into()] };
    for dir in std::env::split_paths(&path) {
        for ext in &exts {
            let mut file = name.to_string();
            file.push_str(&ext.to_string_lossy());
            let candidate = dir.join(file);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs the archiver; failure is E0912 with the command and its output.
fn run_archiver(mut cmd: Command) -> Result<(), Diagnostic> {
    let line = super::build::command_line(&cmd);
    let output = cmd.output().map_err(|e| {
        Diagnostic::global(codes::ARCHIVER, format!("the archiver could not be started: {e}"))
            .note(format!("command: {line}"))
            .help("install binutils (`apt-get install binutils`) or LLVM, or name an archiver with the `AR` environment variable")
    })?;
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stdout));
    Err(Diagnostic::global(codes::ARCHIVER, "the archiver failed to build the static library")
        .note(format!("command: {line}"))
        .note(format!("archiver output:\n{}", text.trim_end())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake(program: &str, args: &[&str]) -> CCompiler {
        CCompiler {
            program: PathBuf::from(program),
            args: args.iter().map(OsString::from).collect(),
            env: Vec::new(),
            version: String::new(),
            target: String::new(),
        }
    }

    #[test]
    fn archiver_follows_the_compiler() {
        if std::env::var_os("AR").is_some() {
            return; // $AR wins over everything below
        }
        let zig = archiver(&fake("zig", &["cc", "-target", "aarch64-linux-musl"])).unwrap();
        assert_eq!(zig.get_program(), "zig");
        assert_eq!(zig.get_args().collect::<Vec<_>>(), ["ar"]);
        // a cross compiler's own archiver, when it exists; else a generic one
        let dir = tempfile::tempdir().unwrap();
        let ar = dir.path().join("x86_64-w64-mingw32-ar");
        std::fs::write(&ar, "").unwrap();
        let cmd = archiver(&fake(&dir.path().join("x86_64-w64-mingw32-gcc").to_string_lossy(), &[])).unwrap();
        assert_eq!(Path::new(cmd.get_program()), ar);
        if on_path("ar").is_some() {
            let cmd = archiver(&fake("gcc", &[])).unwrap();
            assert!(cmd.get_program().to_string_lossy().ends_with("ar"), "{cmd:?}");
        }
    }
}
