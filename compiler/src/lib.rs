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
pub mod timing;
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
    let (program, warnings) = check(sources, file)?;
    let c = to_c(&program, warnings, sources, opts);
    release(program);
    Ok(c)
}

fn to_c(program: &hir::Program, warnings: Vec<Diagnostic>, sources: &SourceMap, opts: emit_c::EmitOptions) -> CompiledC {
    let source = timing::stage("emit-c", || emit_c::emit(program, sources, opts));
    let uses_runtime = emit_c::uses_runtime(program);
    // The program's C file lands next to the runtime's: never let it take a runtime file's name.
    let mut file_name = format!("{}.c", program.module);
    if driver::RUNTIME_FILES.iter().chain(driver::ASYNC_RUNTIME_FILES).any(|(name, _)| *name == file_name) {
        file_name = format!("vx_{file_name}");
    }
    let extra_files = emit_c::ffi_file(program).map(|text| (format!("{}_ffi.c", program.module), text)).into_iter().collect();
    CompiledC { file_name, source, extra_files, warnings, uses_runtime }
}

/// The exported free functions of the main file (`export fn`, or listed in `export { .. }`), in
/// declaration order. A generic one cannot become a C function (E0780).
fn library_exports(ast: &syntax::ast::File, resolved: &resolve::Resolved, file: FileId, diags: &mut Vec<Diagnostic>) -> Vec<hir::Export> {
    let mut ids: Vec<hir::FnId> = resolved
        .exports
        .iter()
        .filter(|(f, _)| *f == file)
        .filter_map(|(_, name)| resolved.free_fns.get(&*resolved.key(file, name)).copied())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let decl = resolve::fn_decl(ast, &resolved.functions[id as usize]);
        if let Some(tp) = decl.type_params.first() {
            diags.push(
                Diagnostic::error("E0780", format!("the generic function `{}` cannot be exported from a library", decl.name.name), tp.name.span)
                    .label("a type parameter")
                    .note("each exported function becomes one C function, so its types must be concrete")
                    .help(format!("export a non-generic function that calls `{}` with the types C needs", decl.name.name)),
            );
            continue;
        }
        out.push(hir::Export {
            func: id,
            name_span: decl.name.span,
            param_spans: decl.params.iter().map(|p| p.ty.span).collect(),
            ret_span: decl.ret.as_ref().map(|t| t.span).unwrap_or(decl.name.span),
        });
    }
    out
}

impl CompiledC {
    /// Every C file of the program, the main one first: (file name, text).
    pub fn files(&self) -> Vec<(&str, &str)> {
        std::iter::once((self.file_name.as_str(), self.source.as_str()))
            .chain(self.extra_files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .collect()
    }
}

/// A library (`vexc --lib`, docs/SPEC.md "Library mode"): its C and its C header.
#[derive(Debug, Clone)]
pub struct CompiledLibrary {
    /// The library's name: the prefix of its C API (`<module>_<function>`), the sanitised file stem.
    pub module: String,
    /// The library's C files (no `main`); `uses_runtime` as for programs.
    pub c: CompiledC,
    /// The header's file name (`<module>.h`) and text: self-contained, standard headers only.
    pub header_name: String,
    pub header: String,
}

/// Compiles `file` as a library: every `export fn` of it becomes a C function
/// `<module>_<name>` (see `emit_c::library`); no `main` is needed.
pub fn compile_library(sources: &mut SourceMap, file: FileId, opts: emit_c::EmitOptions) -> Result<CompiledLibrary, Vec<Diagnostic>> {
    let (program, warnings) = check_as(sources, file, true)?;
    let c = to_c(&program, warnings, sources, opts);
    let header = emit_c::library::header(&program, sources);
    let module = program.module.clone();
    release(program);
    let header_name = format!("{module}.h");
    Ok(CompiledLibrary { module, c, header_name, header })
}

/// Runs the front end only: the typed program and its warnings, or the diagnostics.
/// Imported modules are loaded into `sources` (so diagnostics can show them).
pub fn check(sources: &mut SourceMap, file: FileId) -> Result<(hir::Program, Vec<Diagnostic>), Vec<Diagnostic>> {
    check_as(sources, file, false)
}

/// As [`check`], for a library (`library`: no `main`; the exported functions are the roots,
/// and their signatures must cross to C, E0780/E0781).
pub fn check_library(sources: &mut SourceMap, file: FileId) -> Result<(hir::Program, Vec<Diagnostic>), Vec<Diagnostic>> {
    check_as(sources, file, true)
}

fn check_as(sources: &mut SourceMap, file: FileId, library: bool) -> Result<(hir::Program, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut loaded = timing::stage("parse", || modules::load(sources, file))?;
    add_prelude(&mut loaded.ast)?;
    let result = check_loaded(&loaded, sources, file, library);
    // The typed program owns everything it needs: the AST can go.
    timing::stage("free-ast", || release(loaded));
    result
}

fn check_loaded(loaded: &modules::Program, sources: &SourceMap, file: FileId, library: bool) -> Result<(hir::Program, Vec<Diagnostic>), Vec<Diagnostic>> {
    let ast = &loaded.ast;
    // Type checking runs even after name errors: unresolved names have the error type, which
    // silences follow-up errors, so the user sees every independent mistake at once.
    let (resolved, mut resolve_diags) = timing::stage("resolve", || resolve::resolve(ast, file, &loaded.module_names, &loaded.imports));
    // Library mode: exported generic functions (E0780), reported with the other errors.
    let mut lib_errors = Vec::new();
    let exports = library.then(|| library_exports(ast, &resolved, file, &mut lib_errors));
    let checked = timing::stage("typeck", || typeck::check(ast, &resolved, sources.get(file), exports));
    release(resolved);
    if resolve_diags.iter().any(diag::Diagnostic::is_error) {
        let mut all = resolve_diags;
        match checked {
            Ok((_, w)) | Err(w) => all.extend(w),
        }
        all.extend(lib_errors);
        all.sort_by_key(|d| d.span.map(|s| (s.file, s.start)));
        return Err(all);
    }
    let (mut program, mut warnings) = match checked {
        Ok(x) => x,
        Err(mut diags) => {
            diags.extend(lib_errors);
            return Err(diags);
        }
    };
    resolve_diags.append(&mut warnings);
    let mut warnings = resolve_diags;
    if library {
        let (errors, mut w) = emit_c::library::check_exports(&program).into_iter().partition::<Vec<_>, _>(Diagnostic::is_error);
        warnings.append(&mut w);
        lib_errors.extend(errors);
        if !lib_errors.is_empty() {
            lib_errors.sort_by_key(|d| d.span.map(|s| (s.file, s.start)));
            return Err(lib_errors.into_iter().chain(warnings).collect());
        }
    }
    match timing::stage("borrowck", || borrowck::check(&program)) {
        Ok(mut w) => warnings.append(&mut w),
        Err(mut errors) => {
            errors.extend(warnings);
            return Err(errors);
        }
    }
    let errors = timing::stage("tasks", || tasks::lower(&mut program));
    if !errors.is_empty() {
        return Err(errors.into_iter().chain(warnings).collect());
    }
    Ok((program, warnings))
}

/// Set by a process that exits right after compiling (the vexc command line): the front end's
/// big trees (AST, name tables, typed program) are then not freed one node at a time, which
/// costs several percent of `vexc check`; the operating system takes the memory back at exit.
static SKIP_FREEING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Asks the front end not to free its trees (see `SKIP_FREEING`). Only for a process that
/// compiles a bounded number of programs and then exits; a long-lived user must not call it.
pub fn skip_freeing_trees() {
    SKIP_FREEING.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Drops `value`, or leaks it when the process is about to exit anyway (`skip_freeing_trees`).
pub fn release<T>(value: T) {
    if SKIP_FREEING.load(std::sync::atomic::Ordering::Relaxed) {
        std::mem::forget(value);
    } else {
        drop(value);
    }
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
