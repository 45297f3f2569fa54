//! vexc: the Vex compiler. Source text flows one way through the stages below; each stage
//! returns its output or the diagnostics it collected (see ARCHITECTURE.md).

pub mod borrowck;
pub mod diag;
pub mod driver;
pub mod emit_c;
pub mod hir;
pub mod modules;
pub mod resolve;
pub mod span;
pub mod syntax;
pub mod tasks;
pub mod typeck;
pub mod types;

use diag::Diagnostic;
use span::{FileId, SourceMap};

/// The C translation of one Vex program.
#[derive(Debug, Clone)]
pub struct CompiledC {
    /// File name for the program's C source, e.g. `hello.c`.
    pub file_name: String,
    pub source: String,
    /// Further C files of the program (the `extern "C"` call shims, `hello_ffi.c`), which
    /// must be compiled and linked with it.
    pub extra_files: Vec<(String, String)>,
    /// Warnings from all stages (compilation succeeded).
    pub warnings: Vec<Diagnostic>,
    /// The program uses the async runtime (`go`, `async fn`, channels, `sleep`, `runtime_*`):
    /// its C starts with `#define VEX_THREADS 1` and includes `vx_rt.h`, and it must be built
    /// with the async runtime's files, `-DVEX_THREADS`, threads and C11 atomics.
    pub uses_runtime: bool,
}

/// Runs the front end (parse, resolve, type check, borrow check) on `file` and emits C.
/// On failure returns every diagnostic collected (errors and warnings).
pub fn compile_to_c(sources: &mut SourceMap, file: FileId) -> Result<CompiledC, Vec<Diagnostic>> {
    compile_to_c_with(sources, file, emit_c::EmitOptions::default())
}

/// As [`compile_to_c`], with choices about the C (`#line` directives).
pub fn compile_to_c_with(sources: &mut SourceMap, file: FileId, opts: emit_c::EmitOptions) -> Result<CompiledC, Vec<Diagnostic>> {
    let program = check(sources, file)?;
    let source = emit_c::emit(&program.0, sources, opts);
    let uses_runtime = emit_c::uses_runtime(&program.0);
    // The program's C file lands next to the runtime's: never let it take a runtime file's name.
    let mut file_name = format!("{}.c", program.0.module);
    if driver::RUNTIME_FILES.iter().chain(driver::ASYNC_RUNTIME_FILES).any(|(name, _)| *name == file_name) {
        file_name = format!("vx_{file_name}");
    }
    let extra_files = emit_c::ffi_file(&program.0).map(|text| (format!("{}_ffi.c", program.0.module), text)).into_iter().collect();
    Ok(CompiledC { file_name, source, extra_files, warnings: program.1, uses_runtime })
}

impl CompiledC {
    /// Every C file of the program, the main one first: (file name, text).
    pub fn files(&self) -> Vec<(&str, &str)> {
        std::iter::once((self.file_name.as_str(), self.source.as_str()))
            .chain(self.extra_files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .collect()
    }
}

/// Runs the front end only: the typed program and its warnings, or the diagnostics.
/// Imported modules are loaded into `sources` (so diagnostics can show them).
pub fn check(sources: &mut SourceMap, file: FileId) -> Result<(hir::Program, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut loaded = modules::load(sources, file)?;
    add_prelude(&mut loaded.ast)?;
    let ast = &loaded.ast;
    // Type checking runs even after name errors: unresolved names have the error type, which
    // silences follow-up errors, so the user sees every independent mistake at once.
    let (resolved, mut resolve_diags) = resolve::resolve(ast, file, &loaded.module_names, &loaded.imports);
    let ast = &loaded.ast;
    let checked = typeck::check(ast, &resolved, sources.get(file));
    if resolve_diags.iter().any(diag::Diagnostic::is_error) {
        let mut all = resolve_diags;
        match checked {
            Ok((_, w)) | Err(w) => all.extend(w),
        }
        all.sort_by_key(|d| d.span.map(|s| (s.file, s.start)));
        return Err(all);
    }
    let (mut program, mut warnings) = checked?;
    resolve_diags.append(&mut warnings);
    let mut warnings = resolve_diags;
    match borrowck::check(&program) {
        Ok(mut w) => warnings.append(&mut w),
        Err(mut errors) => {
            errors.extend(warnings);
            return Err(errors);
        }
    }
    let errors = tasks::lower(&mut program);
    if !errors.is_empty() {
        return Err(errors.into_iter().chain(warnings).collect());
    }
    Ok((program, warnings))
}

/// The builtin generic enums (§12.1), declared in Vex. A program that declares its own type of
/// the same name shadows the builtin one (§3.5).
const PRELUDE: &str = "enum Option<T> { None, Some(T) }\nenum Result<T, E> { Ok(T), Err(E) }\n";

/// File id of the prelude's spans (it is not part of the user's source map).
pub const PRELUDE_FILE: FileId = FileId::MAX;

fn add_prelude(ast: &mut syntax::ast::File) -> Result<(), Vec<Diagnostic>> {
    use syntax::ast::ItemKind;
    let declared = |name: &str| {
        ast.items.iter().any(|i| match &i.kind {
            ItemKind::Enum(e) => e.name.name == name,
            ItemKind::Struct(s) => s.name.name == name,
            ItemKind::TypeAlias(t) => t.name.name == name,
            ItemKind::Trait(t) => t.name.name == name,
            _ => false,
        })
    };
    let prelude = syntax::parse(PRELUDE_FILE, &span::SourceFile::new("<prelude>", PRELUDE))
        .map_err(|_| vec![Diagnostic::ice("prelude", "the builtin prelude does not parse")])?;
    let keep: Vec<_> = prelude
        .items
        .into_iter()
        .filter(|i| match &i.kind {
            ItemKind::Enum(e) => !declared(&e.name.name),
            _ => false,
        })
        .collect();
    ast.items.extend(keep);
    Ok(())
}

/// Module name used for mangling: the file stem, reduced to `[A-Za-z0-9_]`.
pub fn module_name(path: &str) -> String {
    let stem = std::path::Path::new(path).file_stem().and_then(|s| s.to_str()).unwrap_or("main");
    let mut name: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'm');
    }
    name
}
