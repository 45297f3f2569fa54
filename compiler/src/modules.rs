//! Loading a program's modules (§4.11): the main file and, transitively, every module it
//! imports, parsed into one AST (node ids kept distinct). A module string names a standard
//! module (`"math"`: `stdlib/math.vx`, embedded in vexc; `"io"`: the builtin print family; the
//! other standard names of §4.11 are accepted as empty modules) or a file relative to the
//! importing one (`"./util"`, `"lib/shapes.vx"`; `.vx` is added when missing). A module is
//! loaded once however often it is imported; an import cycle is an error that shows the cycle.

use crate::diag::Diagnostic;
use crate::span::{FileId, SourceFile, SourceMap, Span};
use crate::syntax::{self, ast};
use rustc_hash::FxHashMap as HashMap;

/// What an import's module string denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportTarget {
    /// A loaded module file.
    File(FileId),
    /// `"io"`: the builtin print family.
    Io,
    /// A standard module name with no contents yet (§4.11: accepted while unused).
    EmptyStd,
}

/// The loaded program.
#[derive(Debug, Default)]
pub struct Program {
    pub ast: ast::File,
    /// Every module file except the main one, with its name (for qualified item names).
    pub module_names: HashMap<FileId, String>,
    /// What each `import` refers to: (importing file, module string) -> target.
    pub imports: HashMap<(FileId, String), ImportTarget>,
}

/// Standard module names of §4.11 that have no Vex source (yet): accepted as empty.
const EMPTY_STD: &[&str] = &["fs", "path", "env", "process", "encoding", "crypto"];

fn std_source(name: &str) -> Option<&'static str> {
    crate::driver::STDLIB_FILES.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// Whether a module string is a bare standard-module name (no path syntax).
fn is_bare(module: &str) -> bool {
    !module.contains('/') && !module.contains('\\') && !module.ends_with(".vx")
}

struct Loader<'a> {
    sources: &'a mut SourceMap,
    out: Program,
    /// Loaded module files by identity (canonical path, or `std:NAME`).
    by_key: HashMap<String, FileId>,
    /// Module files being loaded (DFS stack), for cycle detection.
    stack: Vec<FileId>,
    next_id: ast::NodeId,
    diags: Vec<Diagnostic>,
}

pub fn load(sources: &mut SourceMap, main: FileId) -> Result<Program, Vec<Diagnostic>> {
    let ast = syntax::parse(main, sources.get(main))?;
    let mut loader = Loader {
        next_id: ast.node_count,
        sources,
        out: Program::default(),
        by_key: HashMap::default(),
        stack: vec![main],
        diags: Vec::new(),
    };
    let main_key = identity(&loader.sources.get(main).name);
    loader.by_key.insert(main_key, main);
    let imports = imports_of(&ast);
    loader.out.ast = ast;
    for (module, span) in imports {
        loader.import(main, &module, span);
    }
    if loader.diags.is_empty() {
        Ok(loader.out)
    } else {
        Err(loader.diags)
    }
}

/// The module strings a file imports, with their spans.
fn imports_of(file: &ast::File) -> Vec<(String, Span)> {
    file.items
        .iter()
        .filter_map(|i| match &i.kind {
            ast::ItemKind::Import(ast::Import::Named { module, module_span, .. })
            | ast::ItemKind::Import(ast::Import::Module { module, module_span })
            | ast::ItemKind::Import(ast::Import::Namespace { module, module_span, .. }) => Some((module.clone(), *module_span)),
            _ => None,
        })
        .collect()
}

/// A file's identity: its canonical path when it exists, else its name.
fn identity(name: &str) -> String {
    std::fs::canonicalize(name).map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| name.to_string())
}

impl Loader<'_> {
    fn import(&mut self, from: FileId, module: &str, span: Span) {
        let key = (from, module.to_string());
        if self.out.imports.contains_key(&key) {
            return;
        }
        let target = match self.find(from, module, span) {
            Some(t) => t,
            None => return,
        };
        self.out.imports.insert(key, target);
    }

    /// Finds (loading it on first use) the module `module` imported from `from`.
    fn find(&mut self, from: FileId, module: &str, span: Span) -> Option<ImportTarget> {
        if module == "io" {
            return Some(ImportTarget::Io);
        }
        let (identity_key, name, text) = if is_bare(module) {
            match std_source(module) {
                Some(text) => (format!("std:{module}"), format!("<stdlib>/{module}.vx"), Some(text.to_string())),
                None if EMPTY_STD.contains(&module) => return Some(ImportTarget::EmptyStd),
                None => {
                    let mut names: Vec<&str> = crate::driver::STDLIB_FILES.iter().map(|(n, _)| *n).collect();
                    names.push("io");
                    names.extend(EMPTY_STD);
                    names.sort_unstable();
                    self.diags.push(
                        Diagnostic::error("E0432", format!("unresolved module `{module}`"), span)
                            .label("no standard module of this name")
                            .help(format!("standard modules: {}; a file of this program is imported by its path, e.g. `\"./{module}\"`", names.join(", "))),
                    );
                    return None;
                }
            }
        } else {
            let base = std::path::Path::new(&self.sources.get(from).name).parent().map(|p| p.to_path_buf()).unwrap_or_default();
            // `a/./b.vx` reads as `a/b.vx` in diagnostics.
            let mut path: std::path::PathBuf = base.join(module).components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect();
            if path.extension().is_none_or(|e| e != "vx") {
                path.set_extension("vx");
            }
            let shown = path.to_string_lossy().into_owned();
            (identity(&shown), shown, None)
        };
        if let Some(&file) = self.by_key.get(&identity_key) {
            if let Some(pos) = self.stack.iter().position(|f| *f == file) {
                let mut chain: Vec<String> = self.stack[pos..].iter().map(|f| format!("`{}`", self.sources.get(*f).name)).collect();
                chain.push(format!("`{}`", self.sources.get(file).name));
                self.diags.push(
                    Diagnostic::error("E0391", format!("import cycle: `{}` imports itself", self.sources.get(file).name), span)
                        .label("this import closes the cycle")
                        .note(format!("cycle: {}", chain.join(" -> ")))
                        .help("move what the modules share into a module that imports neither"),
                );
                return None;
            }
            return Some(ImportTarget::File(file));
        }
        let text = match text {
            Some(t) => t,
            None => match crate::span::read_source(std::path::Path::new(&name)) {
                Ok(t) => t,
                Err(crate::span::ReadError::NotUtf8 { offset, line, col, byte }) => {
                    self.diags.push(
                        Diagnostic::error("E0432", format!("module `{name}` is not valid UTF-8"), span)
                            .label("imported here")
                            .note(format!("invalid byte 0x{byte:02x} at byte offset {offset} (line {line}, byte column {col})"))
                            .help("Vex source files must be UTF-8 encoded"),
                    );
                    return None;
                }
                Err(crate::span::ReadError::TooLarge(len)) => {
                    self.diags.push(
                        Diagnostic::error(crate::driver::codes::TOO_LARGE, crate::span::too_large_message(&name, len), span)
                            .label("imported here")
                            .help("split the module into smaller modules"),
                    );
                    return None;
                }
                Err(crate::span::ReadError::Io(e)) => {
                    self.diags.push(
                        Diagnostic::error("E0432", format!("cannot find module `{module}`"), span)
                            .label("imported here")
                            .note(format!("looked for `{name}`: {e}"))
                            .help("module paths are relative to the importing file"),
                    );
                    return None;
                }
            },
        };
        let file = self.sources.add(SourceFile::new(name.clone(), text));
        self.by_key.insert(identity_key, file);
        let parsed = match syntax::parse_from(file, self.sources.get(file), self.next_id) {
            Ok(p) => p,
            Err(mut d) => {
                self.diags.append(&mut d);
                return None;
            }
        };
        self.next_id = parsed.node_count;
        self.out.module_names.insert(file, self.unique_module_name(&name));
        let imports = imports_of(&parsed);
        self.out.ast.items.extend(parsed.items);
        self.stack.push(file);
        for (m, s) in imports {
            self.import(file, &m, s);
        }
        self.stack.pop();
        Some(ImportTarget::File(file))
    }

    /// The module's name for qualified item names: its file stem, made unique.
    fn unique_module_name(&self, path: &str) -> String {
        let base = crate::module_name(path);
        let mut name = base.clone();
        let mut n = 1;
        while self.out.module_names.values().any(|v| *v == name) {
            name = format!("{base}{n}");
            n += 1;
        }
        name
    }
}
