//! The `vexc` command line.
#![allow(clippy::result_large_err)]

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vexc::diag::{self, Diagnostic};
use vexc::driver::{self, codes, guard, BuildOptions};
use vexc::span::{FileId, SourceFile, SourceMap};

/// mimalloc instead of the system allocator: the front end makes millions of small
/// allocations (pest's pair queue, AST and HIR nodes), and mimalloc backs them with transparent
/// huge pages where the kernel allows, so `vexc check` of a 20,000-line program takes ~225 page
/// faults instead of ~17,800 and ~25% less time (benches/RESULTS.md), for about twice the peak
/// memory (117 MB instead of 58 MB at 20,000 lines).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ABOUT: &str = "The Vex compiler: turns a Vex program (.vx) into a native executable.";

const LONG_ABOUT: &str = "The Vex compiler. vexc checks a Vex program (names, types, mutability), translates it \
to portable C11, and builds that C together with the Vex runtime (embedded in vexc) using your system's C \
compiler (gcc, clang, or whatever `CC` or `--cc` names). Errors are printed with the source line they refer \
to and a code such as E0308; exit status is 0 on success, 1 on compile errors, 101 on an internal compiler \
error (a vexc bug).";

const EXAMPLES: &str = "\
Examples:
  vexc hello.vx                   build ./hello from hello.vx
  vexc hello.vx -o bin/hello      choose the output path
  vexc run hello.vx               build and run at once
  vexc run prog.vx -- a b         pass arguments to the program
  vexc check prog.vx              only check for errors, build nothing
  vexc --release prog.vx          optimise (-O2, no debug info)
  vexc prog.vx --emit-c out/      write the C instead; then: cc -std=c11 out/*.c -o prog -lm -lpthread
  vexc --cc clang prog.vx         use another C compiler
  vexc run --sanitize address,undefined prog.vx   build program and runtime with ASan + UBSan, and run
  vexc run --sanitize thread prog.vx              the same with ThreadSanitizer
  vexc --target aarch64-linux-gnu prog.vx                  cross-compile (aarch64-linux-gnu-gcc, clang or zig cc)
  vexc --target x86_64-windows-gnu prog.vx                 build prog.exe (mingw-w64 gcc or zig cc)
  vexc --target aarch64-macos --cc 'python3 -m ziglang cc' prog.vx   cross-compile with zig
  vexc mylib.vx --lib             build libmylib.a and mylib.h (C functions mylib_<f> for each `export fn f`)
  vexc mylib.vx --lib --emit-c out/   the library's C, the runtime's and mylib.h, to build with a C project

Environment: CC picks the C compiler (when --cc is not given); VEXC_CACHE_DIR overrides where compiled
runtime objects are cached (default ~/.cache/vexc); NO_COLOR turns off colours.";

#[derive(Parser, Debug)]
#[command(
    name = "vexc",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,

    /// The Vex source file to build
    #[arg(value_name = "FILE", required = true)]
    file: Option<PathBuf>,

    /// Output executable [default: the file name without `.vx`, in the current directory]
    #[arg(short = 'o', value_name = "OUT")]
    output: Option<PathBuf>,

    /// Write the program's C and the runtime's C files into DIR instead of building
    #[arg(long, value_name = "DIR")]
    emit_c: Option<PathBuf>,

    /// Build a static library (lib<name>.a, or -o) and its C header <name>.h instead of an
    /// executable: every `export fn f` becomes the C function `<name>_f`; no `main` needed
    #[arg(long)]
    lib: bool,

    /// With --lib: where to write the C header [default: <name>.h next to the library, or in the
    /// --emit-c directory]
    #[arg(long, value_name = "PATH", requires = "lib")]
    header: Option<PathBuf>,

    #[command(flatten)]
    opts: CommonOpts,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Build FILE into a temporary directory and run it; exits with the program's exit status
    Run {
        /// The Vex source file to run
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Arguments for the program (after `--`)
        #[arg(last = true, value_name = "ARGS")]
        args: Vec<std::ffi::OsString>,
        #[command(flatten)]
        opts: CommonOpts,
    },
    /// Check FILE for errors without building anything
    Check {
        /// The Vex source file to check
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Check FILE as a library (see `vexc --lib`): no `main` needed, exported signatures must cross to C
        #[arg(long)]
        lib: bool,
        #[command(flatten)]
        diag: DiagOpts,
    },
}

#[derive(Args, Debug, Clone)]
struct CommonOpts {
    /// C compiler command, may include arguments (e.g. "zig cc -target x86_64-windows-gnu") [default: $CC, else cc]
    #[arg(long, value_name = "CMD")]
    cc: Option<String>,

    /// Build for another platform: aarch64-linux-gnu, x86_64-windows-gnu, aarch64-macos,
    /// x86_64-freebsd, ... (the C compiler: --cc with its target flag, else TRIPLE-gcc, clang or zig cc)
    #[arg(long, value_name = "TRIPLE")]
    target: Option<String>,

    /// C optimisation level 0-3 (-O0 .. -O3) [default: 0, or 2 with --release]
    #[arg(short = 'O', value_name = "LEVEL", value_parser = clap::value_parser!(u32).range(0..=3))]
    opt_level: Option<u32>,

    /// Optimised build: -O2 and no debug info
    #[arg(long)]
    release: bool,

    /// Keep the build directory (the C files) and print its path
    #[arg(long)]
    keep_c: bool,

    /// Do not put `#line` directives (C -> .vx line mapping) in the C (default: on, except
    /// with --release)
    #[arg(long)]
    no_line_directives: bool,

    /// Build the program and the runtime with the C compiler's sanitizers (comma-separated):
    /// address, undefined, thread, memory (clang only), leak; e.g. `--sanitize address,undefined`.
    /// Adds -g and -fno-omit-frame-pointer (and -fno-sanitize-recover=all for undefined).
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_sanitizer)]
    sanitize: Vec<driver::Sanitizer>,

    #[command(flatten)]
    diag: DiagOpts,
}

/// How diagnostics are printed (on stderr).
#[derive(Args, Debug, Clone, Copy)]
struct DiagOpts {
    /// Colour diagnostics: auto (when stderr is a terminal and NO_COLOR is unset), always, never
    #[arg(long, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    color: Color,

    /// Print diagnostics as one JSON object, `{"diagnostics":[...]}`, for tools (LANGUAGE.md §16.1)
    #[arg(long)]
    json: bool,
}

fn parse_sanitizer(s: &str) -> Result<driver::Sanitizer, String> {
    driver::Sanitizer::parse(s).ok_or_else(|| {
        let names: Vec<&str> = driver::Sanitizer::ALL.iter().map(|s| s.name()).collect();
        format!("unknown sanitizer `{s}` (known: {})", names.join(", "))
    })
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    fn enabled(self) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

impl CommonOpts {
    fn emit_options(&self) -> vexc::emit_c::EmitOptions {
        vexc::emit_c::EmitOptions { line_directives: !self.release && !self.no_line_directives }
    }

    fn build_options(&self) -> BuildOptions {
        BuildOptions {
            cc: self.cc.clone(),
            opt_level: self.opt_level.unwrap_or(if self.release { 2 } else { 0 }),
            debug: !self.release,
            cache_dir: None,
            target: self.target.clone(),
            sanitize: self.sanitize.clone(),
        }
    }

    /// `--sanitize` problems found before compiling anything (E0913).
    fn check(&self) -> Result<(), Diagnostic> {
        driver::sanitize::check_options(&self.build_options())
    }
}

/// Exit statuses.
const EXIT_OK: u8 = 0;
const EXIT_ERROR: u8 = 1;
const EXIT_ICE: u8 = 101;

/// Where diagnostics go: collected sources plus the colour choice.
struct Session {
    sources: SourceMap,
    color: bool,
    json: bool,
}

impl Session {
    fn new(opts: DiagOpts) -> Session {
        Session { sources: SourceMap::default(), color: opts.color.enabled(), json: opts.json }
    }

    fn report(&self, diags: &[Diagnostic]) {
        if self.json {
            // Also when there is nothing to say: a tool reads one object per run.
            eprintln!("{}", diag::render_json(diags, &self.sources));
        } else if !diags.is_empty() {
            eprint!("{}", diag::render(diags, &self.sources, self.color));
        }
    }

    /// Reports `diags` and picks the exit status (101 if any is an ICE).
    fn fail(&self, diags: &[Diagnostic]) -> u8 {
        self.report(diags);
        if diags.iter().any(|d| d.code == "ICE") {
            EXIT_ICE
        } else {
            EXIT_ERROR
        }
    }
}

/// Reads `path` into the source map, or explains why it cannot.
fn load(sources: &mut SourceMap, path: &Path) -> Result<FileId, Diagnostic> {
    use vexc::span::ReadError;
    let shown = path.display().to_string();
    let text = vexc::span::read_source(path).map_err(|e| match e {
        ReadError::Io(e) => {
            let d = Diagnostic::global(codes::READ, format!("cannot read `{shown}`: {e}"));
            if e.kind() == std::io::ErrorKind::NotFound || path.is_dir() {
                d.help("check the path; vexc takes the path of a `.vx` source file")
            } else {
                d
            }
        }
        ReadError::TooLarge(len) => Diagnostic::global(codes::TOO_LARGE, vexc::span::too_large_message(&shown, len))
            .help("split the program into modules: `import { f } from \"./part\";`"),
        ReadError::NotUtf8 { offset, line, col, byte } => {
            Diagnostic::global(codes::UTF8, format!("`{shown}` is not valid UTF-8"))
                .note(format!("invalid byte 0x{byte:02x} at byte offset {offset} (line {line}, byte column {col})"))
                .help("Vex source files must be UTF-8 encoded")
        }
    })?;
    Ok(sources.add(SourceFile::new(shown, text)))
}

/// Front end + C emission, reporting warnings. `Err(exit status)` when compilation failed.
fn compile(sess: &mut Session, file: FileId, opts: vexc::emit_c::EmitOptions) -> Result<vexc::CompiledC, u8> {
    guard::set_stage("front end");
    let result = vexc::compile_to_c_with(&mut sess.sources, file, opts);
    guard::set_stage("driver");
    match result {
        Ok(c) => {
            sess.report(&c.warnings);
            Ok(c)
        }
        Err(diags) => Err(sess.fail(&diags)),
    }
}

fn default_output(file: &Path, windows: bool) -> PathBuf {
    let stem = file.file_stem().map(|s| s.to_owned()).unwrap_or_else(|| "a.out".into());
    let mut out = PathBuf::from(stem);
    if windows {
        out.set_extension("exe");
    }
    out
}

fn build_dir() -> Result<tempfile::TempDir, Diagnostic> {
    tempfile::Builder::new()
        .prefix("vexc-build-")
        .tempdir()
        .map_err(|e| Diagnostic::global(codes::WRITE, format!("cannot create a build directory: {e}")))
}

/// Keeps the build directory when `--keep-c` is given (and says where it is).
fn finish_build_dir(dir: tempfile::TempDir, keep: bool) {
    if keep {
        let path = dir.keep();
        eprintln!("vexc: build directory kept at {}", path.display());
    }
}

fn cmd_build(cli: &Cli, file: &Path) -> u8 {
    // vexc exits once the C is built: freeing the program's trees node by node would be
    // wasted time. (`vexc run` frees them: the program it then runs may need the memory.)
    vexc::skip_freeing_trees();
    let early = Session::new(cli.opts.diag);
    if let Err(d) = cli.opts.check() {
        return early.fail(&[d]);
    }
    if cli.emit_c.is_some() && !cli.opts.sanitize.is_empty() {
        let mut flags = cli.opts.build_options().cflags();
        flags.retain(|f| f != "-std=c11" && !f.starts_with("-O"));
        return early.fail(&[Diagnostic::global(
            codes::SANITIZE_OPTIONS,
            "`--sanitize` builds, and `--emit-c` builds nothing",
        )
        .help(format!("pass the flags to your C compiler: cc -std=c11 {} DIR/*.c -lm -lpthread", flags.join(" ")))]);
    }
    if cli.lib {
        return cmd_build_lib(cli, file);
    }
    let mut sess = Session::new(cli.opts.diag);
    let id = match load(&mut sess.sources, file) {
        Ok(id) => id,
        Err(d) => return sess.fail(&[d]),
    };
    if let Some(dir) = &cli.emit_c {
        let compiled = match compile(&mut sess, id, cli.opts.emit_options()) {
            Ok(c) => c,
            Err(code) => return code,
        };
        return match driver::emit_c_dir(&compiled, dir) {
            Ok(()) => EXIT_OK,
            Err(d) => sess.fail(&[d]),
        };
    }
    let opts = cli.opts.build_options();
    // The compiler is looked up first for the sources-keyed cache; its error, if any, is only
    // reported once the program compiled (as before).
    let found = driver::find_compiler(&opts);
    let shortcut = found.as_ref().ok().and_then(|c| source_key(&sess, id, &cli.opts, &opts, c));
    if let (Ok(compiler), Some(sc)) = (&found, &shortcut) {
        let out = cli.output.clone().unwrap_or_else(|| default_output(file, compiler.targets_windows()));
        if sc.fetch(&out) {
            return EXIT_OK;
        }
    }
    let compiled = match compile(&mut sess, id, cli.opts.emit_options()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let compiler = match found {
        Ok(c) => c,
        Err(d) => return sess.fail(&[d]),
    };
    let out = cli.output.clone().unwrap_or_else(|| default_output(file, compiler.targets_windows()));
    let dir = match build_dir() {
        Ok(d) => d,
        Err(d) => return sess.fail(&[d]),
    };
    // Build next to nothing user-visible, then move into place so a failed build never leaves a
    // half-written executable (and an unwritable output is reported clearly).
    let tmp_exe = dir.path().join(compiler.exe_name("program"));
    let result = driver::build_program(&compiler, &compiled, &opts, dir.path(), &tmp_exe)
        .and_then(|report| install(&tmp_exe, &out).map(|()| report));
    finish_build_dir(dir, cli.opts.keep_c);
    match result {
        Ok(report) => {
            if let Some(sc) = shortcut {
                sc.record(&sess, &compiled, &report);
            }
            EXIT_OK
        }
        Err(d) => sess.fail(&[d]),
    }
}

/// The sources-keyed cache (`driver::source_cache`) for one build: where, and under which key.
struct Shortcut {
    root: PathBuf,
    key: driver::cache::Fnv64,
}

/// The shortcut of building the loaded file `id`; none with `--keep-c` (the user wants the C).
fn source_key(sess: &Session, id: FileId, opts: &CommonOpts, bopts: &BuildOptions, compiler: &driver::cc::CCompiler) -> Option<Shortcut> {
    if opts.keep_c {
        return None;
    }
    let root = bopts.cache_dir.clone().unwrap_or_else(driver::cache::cache_root);
    let f = sess.sources.get(id);
    let emit = format!("{:?}", opts.emit_options());
    Some(Shortcut { key: driver::source_cache::key(compiler, bopts, &emit, &f.name, &f.text), root })
}

impl Shortcut {
    /// Puts the cached executable of unchanged sources at `out` (through a temporary file
    /// next to it). False when there is none, or on any problem: the caller builds as usual and
    /// reports errors the usual way.
    fn fetch(&self, out: &Path) -> bool {
        let Some(exe_key) = driver::source_cache::lookup(&self.root, &self.key) else { return false };
        if out.is_dir() {
            return false;
        }
        let tmp = driver::cache::temp_sibling(out);
        if driver::exe_cache::fetch(&self.root, &exe_key, &tmp) && std::fs::rename(&tmp, out).is_ok() {
            return true;
        }
        let _ = std::fs::remove_file(&tmp);
        false
    }

    /// After a successful build: records its sources, unless it printed warnings (a hit would
    /// not print them again).
    fn record(&self, sess: &Session, compiled: &vexc::CompiledC, report: &driver::BuildReport) {
        if compiled.warnings.is_empty() && !report.exe_key.is_empty() {
            driver::source_cache::record(&self.root, &self.key, &sess.sources, &report.exe_key);
        }
    }
}

/// `--lib`: the static library and its header, or (with `--emit-c`) their sources.
fn cmd_build_lib(cli: &Cli, file: &Path) -> u8 {
    let mut sess = Session::new(cli.opts.diag);
    let id = match load(&mut sess.sources, file) {
        Ok(id) => id,
        Err(d) => return sess.fail(&[d]),
    };
    guard::set_stage("front end");
    let result = vexc::compile_library(&mut sess.sources, id, cli.opts.emit_options());
    guard::set_stage("driver");
    let lib = match result {
        Ok(lib) => {
            sess.report(&lib.c.warnings);
            lib
        }
        Err(diags) => return sess.fail(&diags),
    };
    if let Some(dir) = &cli.emit_c {
        return match driver::emit_library_dir(&lib, dir, cli.header.as_deref()) {
            Ok(()) => EXIT_OK,
            Err(d) => sess.fail(&[d]),
        };
    }
    let opts = cli.opts.build_options();
    let compiler = match driver::cc::find(opts.cc.as_deref(), opts.opt_level, opts.debug) {
        Ok(c) => c,
        Err(d) => return sess.fail(&[d]),
    };
    let out = cli.output.clone().unwrap_or_else(|| PathBuf::from(format!("lib{}.a", lib.module)));
    let header = cli.header.clone().unwrap_or_else(|| out.with_file_name(&lib.header_name));
    let dir = match build_dir() {
        Ok(d) => d,
        Err(d) => return sess.fail(&[d]),
    };
    let tmp = dir.path().join(format!("lib{}.a", lib.module));
    let result = driver::build_library(&compiler, &lib, &opts, dir.path(), &tmp)
        .and_then(|_| install(&tmp, &out))
        .and_then(|()| driver::library::write_header(&lib, &header));
    finish_build_dir(dir, cli.opts.keep_c);
    match result {
        Ok(()) => EXIT_OK,
        Err(d) => sess.fail(&[d]),
    }
}

/// Copies the built executable to `out` (rename if possible, copy across file systems).
fn install(built: &Path, out: &Path) -> Result<(), Diagnostic> {
    let err = |e: std::io::Error| Diagnostic::global(codes::WRITE, format!("cannot write `{}`: {e}", out.display()));
    if out.is_dir() {
        return Err(Diagnostic::global(codes::WRITE, format!("cannot write `{}`: it is a directory", out.display()))
            .help("name the executable file with `-o DIR/NAME`"));
    }
    if std::fs::rename(built, out).is_ok() {
        return Ok(());
    }
    let _ = std::fs::remove_file(out);
    std::fs::copy(built, out).map(|_| ()).map_err(err)
}

fn cmd_run(file: &Path, args: &[std::ffi::OsString], opts: &CommonOpts) -> u8 {
    if let Err(d) = opts.check() {
        return Session::new(opts.diag).fail(&[d]);
    }
    let mut sess = Session::new(opts.diag);
    let id = match load(&mut sess.sources, file) {
        Ok(id) => id,
        Err(d) => return sess.fail(&[d]),
    };
    let bopts = opts.build_options();
    let found = driver::find_compiler(&bopts);
    let shortcut = found.as_ref().ok().and_then(|c| source_key(&sess, id, opts, &bopts, c));
    let stem = vexc::module_name(&file.to_string_lossy());
    if let (Ok(compiler), Some(sc)) = (&found, &shortcut) {
        if let Ok(dir) = build_dir() {
            let exe = dir.path().join(compiler.exe_name(&stem));
            if sc.fetch(&exe) {
                return run_built(&sess, &exe, args);
            }
        }
    }
    let compiled = match compile(&mut sess, id, opts.emit_options()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let dir = match build_dir() {
        Ok(d) => d,
        Err(d) => return sess.fail(&[d]),
    };
    let compiler = match found {
        Ok(c) => c,
        Err(d) => return sess.fail(&[d]),
    };
    let exe = dir.path().join(compiler.exe_name(&stem));
    match driver::build_program(&compiler, &compiled, &bopts, dir.path(), &exe) {
        Ok(report) => {
            if let Some(sc) = shortcut {
                sc.record(&sess, &compiled, &report);
            }
        }
        Err(d) => {
            finish_build_dir(dir, opts.keep_c);
            return sess.fail(&[d]);
        }
    }
    let code = run_built(&sess, &exe, args);
    finish_build_dir(dir, opts.keep_c);
    code
}

/// Runs the built program with `args`; its exit status becomes vexc's.
fn run_built(sess: &Session, exe: &Path, args: &[std::ffi::OsString]) -> u8 {
    match std::process::Command::new(exe).args(args).status() {
        Ok(status) => exit_code_of(status),
        Err(e) => sess.fail(&[Diagnostic::global(codes::RUN, format!("cannot run `{}`: {e}", exe.display()))]),
    }
}

/// The program's exit status, or 128+signal like a shell when it was killed by a signal.
fn exit_code_of(status: std::process::ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return (code & 0xff) as u8;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return (128 + sig).min(255) as u8;
        }
    }
    EXIT_ERROR
}

fn cmd_check(file: &Path, lib: bool, diag: DiagOpts) -> u8 {
    let mut sess = Session::new(diag);
    let id = match load(&mut sess.sources, file) {
        Ok(id) => id,
        Err(d) => return sess.fail(&[d]),
    };
    // vexc exits right after: freeing the program's trees node by node would be wasted time.
    vexc::skip_freeing_trees();
    guard::set_stage("front end");
    let result = if lib { vexc::check_library(&mut sess.sources, id) } else { vexc::check(&mut sess.sources, id) };
    guard::set_stage("driver");
    match result {
        Ok((program, warnings)) => {
            vexc::release(program);
            sess.report(&warnings);
            EXIT_OK
        }
        Err(diags) => sess.fail(&diags),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let diag_opts = match &cli.command {
        Some(Cmd::Run { opts, .. }) => opts.diag,
        Some(Cmd::Check { diag, .. }) => *diag,
        None => cli.opts.diag,
    };
    let code = guard::run_guarded(move || match &cli.command {
        Some(Cmd::Run { file, args, opts }) => cmd_run(file, args, opts),
        Some(Cmd::Check { file, lib, diag }) => cmd_check(file, *lib, *diag),
        None => match &cli.file {
            Some(file) => cmd_build(&cli, file),
            None => EXIT_ERROR, // clap enforces FILE
        },
    });
    match code {
        Ok(code) => ExitCode::from(code),
        Err(ice) => {
            Session::new(diag_opts).report(&[ice]);
            ExitCode::from(EXIT_ICE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn exit_status_passthrough() {
        let sh = |script: &str| std::process::Command::new("sh").arg("-c").arg(script).status().unwrap();
        assert_eq!(exit_code_of(sh("exit 3")), 3);
        assert_eq!(exit_code_of(sh("exit 0")), 0);
        assert_eq!(exit_code_of(sh("kill -SEGV $$")), 128 + 11);
        assert_eq!(exit_code_of(sh("kill -ABRT $$")), 128 + 6);
    }

    #[test]
    fn cli_parses() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from(["vexc", "a.vx", "-O3", "--release", "-o", "x"]).unwrap();
        let o = cli.opts.build_options();
        assert_eq!((o.opt_level, o.debug), (3, false));
        let cli = Cli::try_parse_from(["vexc", "run", "a.vx", "--cc", "zig cc", "--", "-x", "y"]).unwrap();
        match cli.command {
            Some(Cmd::Run { args, opts, .. }) => {
                assert_eq!(args, vec!["-x", "y"]);
                assert_eq!(opts.cc.as_deref(), Some("zig cc"));
                assert_eq!(opts.build_options().opt_level, 0);
            }
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["vexc", "a.vx", "-O4"]).is_err());
        let cli = Cli::try_parse_from(["vexc", "a.vx", "--target", "aarch64-linux-gnu"]).unwrap();
        assert_eq!(cli.opts.build_options().target.as_deref(), Some("aarch64-linux-gnu"));
        let cli = Cli::try_parse_from(["vexc", "m.vx", "--lib", "--header", "inc/m.h", "-o", "libm.a"]).unwrap();
        assert!(cli.lib && cli.header.as_deref() == Some(Path::new("inc/m.h")));
        assert!(Cli::try_parse_from(["vexc", "m.vx", "--header", "m.h"]).is_err(), "--header needs --lib");
        assert!(matches!(Cli::try_parse_from(["vexc", "check", "--lib", "m.vx"]).unwrap().command, Some(Cmd::Check { lib: true, .. })));
        let cli = Cli::try_parse_from(["vexc", "a.vx", "--sanitize", "undefined,address"]).unwrap();
        assert_eq!(cli.opts.sanitize, [driver::Sanitizer::Undefined, driver::Sanitizer::Address]);
        let flags = cli.opts.build_options().cflags();
        assert!(flags.contains(&"-g".to_string()) && flags.contains(&"-fsanitize=address,undefined".to_string()), "{flags:?}");
        let cli = Cli::try_parse_from(["vexc", "run", "a.vx", "--sanitize", "thread", "--sanitize", "undefined"]).unwrap();
        assert!(matches!(cli.command, Some(Cmd::Run { opts, .. }) if opts.sanitize.len() == 2));
        assert!(Cli::try_parse_from(["vexc", "a.vx", "--sanitize", "adress"]).is_err());
    }

    #[test]
    fn utf8_error_names_offset() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.vx");
        std::fs::write(&p, b"ok\n\xc3(").unwrap();
        let d = load(&mut SourceMap::default(), &p).unwrap_err();
        assert_eq!(d.code, codes::UTF8);
        assert!(d.notes[0].contains("byte offset 3"), "{:?}", d.notes);
    }
}
