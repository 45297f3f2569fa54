//! Driver: finds the C compiler, compiles (and caches) the embedded runtime, builds and links.
//!
//! - [`cc`]: C toolchain discovery (`--cc CMD`, else the `cc` crate, which honours `CC`/`CFLAGS`).
//! - [`cache`]: the on-disk cache of compiled runtime objects (stable FNV-1a keys, atomic writes).
//! - [`build`]: writes the C, compiles the runtime (through the cache) and the program, links.
//! - [`runtime`]: the C runtime embedded at build time (see `compiler/build.rs`).
//! - [`library`]: library mode (`--lib`): the static library and its header, or their sources.
//! - [`guard`]: runs a compilation on a big-stack thread and turns panics into ICE diagnostics.
//! - [`sanitize`]: `--sanitize LIST` (sanitizer flags, their checks and the toolchain probe).
//! - [`target`]: `--target TRIPLE` (spellings per toolchain) and the C compiler for a target.

#![allow(clippy::result_large_err)] // `Diagnostic` is the shared error type of every stage

pub mod build;
pub mod cache;
pub mod cc;
pub mod guard;
pub mod library;
pub mod runtime;
pub mod sanitize;
pub mod target;

pub use build::{
    build_c, build_c_with, build_executable, build_program, emit_c_dir, runtime_files, BuildOptions, BuildReport,
    THREAD_FLAGS,
};
pub use library::{build_library, emit_library_dir};
pub use sanitize::Sanitizer;
pub use runtime::{ASYNC_RUNTIME_FILES, RUNTIME_FILES, STDLIB_FILES};
pub use target::find_compiler;

/// Diagnostic codes of the driver (listed in README.md).
pub mod codes {
    /// A source file (the program or an imported module) is larger than
    /// [`crate::span::MAX_SOURCE_BYTES`].
    pub const TOO_LARGE: &str = "E0008";
    /// The C compiler failed on the generated C or on the runtime.
    pub const CC_FAILED: &str = "E0900";
    /// No usable C compiler was found (or it could not be started).
    pub const NO_CC: &str = "E0901";
    /// The source file could not be read.
    pub const READ: &str = "E0902";
    /// The source file is not valid UTF-8.
    pub const UTF8: &str = "E0903";
    /// An output (executable, `--emit-c` directory, build directory) could not be written.
    pub const WRITE: &str = "E0904";
    /// `vexc run`: the built program could not be started.
    pub const RUN: &str = "E0905";
    /// The C compiler is of an unsupported kind (MSVC `cl`).
    pub const UNSUPPORTED_CC: &str = "E0906";
    /// The program uses concurrency, and the C compiler has no C11 atomics (tcc).
    pub const NO_ATOMICS: &str = "E0907";
    /// `--target`: an unknown or unsupported target (or two different targets asked for).
    pub const UNKNOWN_TARGET: &str = "E0910";
    /// `--target`: no C compiler that builds for the target is installed (or the one named
    /// with `--cc` cannot build for it).
    pub const NO_CROSS_CC: &str = "E0911";
    /// Library mode: no archiver (`ar`) was found, or it failed.
    pub const ARCHIVER: &str = "E0912";
    /// `--sanitize`: sanitizers that cannot be combined (`address` and `thread`), or a cross
    /// target.
    pub const SANITIZE_OPTIONS: &str = "E0913";
    /// `--sanitize`: the C compiler cannot build with the sanitizers (tcc; no sanitizer run-time
    /// library: the probe's link failed).
    pub const NO_SANITIZER: &str = "E0914";
}
