//! Name resolution: collects the items of a file, gives every function body a `FnId`, numbers
//! the locals of each body, and binds every name used in an expression to what it denotes.
//! Unknown names are reported here (E0425 with "did you mean"), duplicate items too (E0428).

mod builtins;
mod scope;

pub use builtins::{Builtin, BUILTIN_NAMES, BUILTIN_TYPE_GENERICS};

use crate::diag::Diagnostic;
use crate::hir::{FnId, LocalId};
use crate::span::Span;
use crate::syntax::ast::{self, NodeId};
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;

/// What a name in an expression denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Res {
    Local(LocalId),
    /// A free function.
    Fn(FnId),
    /// A C function declared in an `extern` block (index into `Resolved::externs`).
    Extern(u32),
    /// The alias of `import * as m from "..."`: the module it names (used as `m.f(..)`, `m.C`).
    Namespace(crate::span::FileId),
    /// A bare call `m(..)` inside a method that means `self.m(..)` (§8.5).
    SelfMethod(FnId),
    Builtin(Builtin),
    /// A struct name (e.g. the callee in `Point(..)`, which is an error).
    Struct(u32),
    /// A top-level constant: index into `ast::File::items`.
    Const(usize),
}

/// A function body to check: a free function, an inline method or a Go-style method.
#[derive(Debug, Clone)]
pub struct FnEntry {
    /// Index into `ast::File::items`.
    pub item: usize,
    /// For inline methods: index into the struct's `methods`.
    pub method: Option<usize>,
    /// The struct this method belongs to (index into `Resolved::structs`).
    pub owner: Option<u32>,
    /// The locals of this body, indexed by `LocalId` (parameters first, receiver/self at 0 for methods).
    pub locals: Vec<LocalDecl>,
    pub name_span: Span,
}

#[derive(Debug, Clone)]
pub struct LocalDecl {
    pub name: String,
    pub span: Span,
    /// `let!`, parameters, receivers; the type checker refines `self`.
    pub mutable: bool,
}

#[derive(Debug, Clone)]
pub struct StructEntry {
    pub name: String,
    /// Index into `ast::File::items`.
    pub item: usize,
}

#[derive(Debug, Default)]
pub struct Resolved {
    pub structs: Vec<StructEntry>,
    pub struct_ids: HashMap<String, u32>,
    pub functions: Vec<FnEntry>,
    /// Free functions by name.
    pub free_fns: HashMap<String, FnId>,
    /// `extern "C"` functions: (item index of the block, index in the block), and by name.
    pub externs: Vec<(usize, usize)>,
    pub extern_fns: HashMap<String, u32>,
    /// Methods by (struct, name): inline and Go-style share one namespace.
    pub methods: HashMap<(u32, String), FnId>,
    /// Names in expressions (keyed by the `Ident` expression's NodeId).
    pub names: HashMap<NodeId, Res>,
    /// Local introduced by a `let`, parameter or pattern binding (keyed by its NodeId).
    pub bindings: HashMap<NodeId, LocalId>,
    /// For each closure expression: the first LocalId declared inside it (its parameters and
    /// body locals are numbered from there on; lower ids used in the body are captures).
    pub closure_first_local: HashMap<NodeId, LocalId>,
    /// Other item kinds by name (enums, traits, ...) — known, so not "unknown type".
    pub other_types: HashMap<String, Span>,
    /// Type aliases by name: index into `ast::File::items`.
    pub aliases: HashMap<String, usize>,
    /// Constants by name: index into `ast::File::items`.
    pub consts: HashMap<String, usize>,
    /// Traits by name: index into `ast::File::items`.
    pub traits: HashMap<String, usize>,
    /// Enums, indexed by `EnumId`, and by name.
    pub enums: Vec<StructEntry>,
    pub enum_ids: HashMap<String, u32>,
    /// Modules (§4.11): items of an imported module are keyed `module::name` in the tables
    /// above (the main file's and the prelude's by their plain names); `visible` maps a name
    /// imported into a module to its key. See [`Resolved::key`].
    pub main: crate::span::FileId,
    pub module_names: HashMap<crate::span::FileId, String>,
    pub visible: HashMap<crate::span::FileId, HashMap<String, String>>,
    /// Names the prelude declares (visible in every module).
    pub prelude_names: rustc_hash::FxHashSet<String>,
    /// `import * as m`: (importing module, alias) -> the module.
    pub namespaces: HashMap<crate::span::FileId, HashMap<String, crate::span::FileId>>,
    /// Exported items: (module, name).
    pub exports: rustc_hash::FxHashSet<(crate::span::FileId, String)>,
    /// Policies (§4.10) by name: index into `ast::File::items` (the first of that name).
    pub policies: HashMap<String, usize>,
}

impl Resolved {
    /// The table key of `name` as written in file `at`: an import, else the module's own item
    /// (`module::name`; plain for the main file), else a prelude name.
    /// Borrowed where it can be (a name of the main file is its own key): name lookups are
    /// the resolver's and type checker's most frequent operation.
    pub fn key<'a>(&'a self, at: crate::span::FileId, name: &'a str) -> Cow<'a, str> {
        if let Some(k) = self.visible.get(&at).and_then(|names| names.get(name)) {
            return Cow::Borrowed(k);
        }
        match self.module_names.get(&at) {
            Some(m) if !self.prelude_names.contains(name) => Cow::Owned(format!("{m}::{name}")),
            _ => Cow::Borrowed(name),
        }
    }

    pub fn struct_id(&self, at: Span, name: &str) -> Option<u32> {
        self.struct_ids.get(&*self.key(at.file, name)).copied()
    }

    pub fn enum_id(&self, at: Span, name: &str) -> Option<u32> {
        self.enum_ids.get(&*self.key(at.file, name)).copied()
    }

    pub fn alias(&self, at: Span, name: &str) -> Option<usize> {
        self.aliases.get(&*self.key(at.file, name)).copied()
    }

    pub fn trait_item(&self, at: Span, name: &str) -> Option<usize> {
        self.traits.get(&*self.key(at.file, name)).copied()
    }

    pub fn other_type(&self, at: Span, name: &str) -> bool {
        self.other_types.contains_key(&*self.key(at.file, name))
    }
}

/// Resolves names. Always returns the tables (unresolved names are simply absent, so the type
/// checker can still report independent errors), plus the diagnostics found.
pub fn resolve(
    file: &ast::File,
    main: crate::span::FileId,
    module_names: &HashMap<crate::span::FileId, String>,
    imports: &HashMap<(crate::span::FileId, String), crate::modules::ImportTarget>,
) -> (Resolved, Vec<Diagnostic>) {
    let mut r = Resolver { out: Resolved::default(), diags: Vec::new(), item_spans: HashMap::default() };
    r.out.main = main;
    r.out.module_names = module_names.clone();
    r.out.prelude_names = file
        .items
        .iter()
        .filter(|i| i.span.file == crate::PRELUDE_FILE)
        .filter_map(|i| match &i.kind {
            ast::ItemKind::Enum(e) => Some(e.name.name.clone()),
            _ => None,
        })
        .collect();
    r.collect_items(file);
    r.resolve_imports(file, imports);
    for f in 0..r.out.functions.len() {
        r.resolve_body(file, f as FnId);
    }
    // Constant initializers may name other constants (and nothing local).
    for item in &file.items {
        if let ast::ItemKind::Const(c) = &item.kind {
            let mut body = scope::BodyResolver::new(&mut r, None);
            body.expr(&c.value);
        }
    }
    (r.out, r.diags)
}

struct Resolver {
    out: Resolved,
    diags: Vec<Diagnostic>,
    /// First definition of every value/type name, for E0428.
    item_spans: HashMap<String, Span>,
}

/// The struct a receiver type names: `S`, `&S`, `&S!`.
pub fn receiver_struct_name(ty: &ast::Type) -> Option<&ast::Ident> {
    match &ty.kind {
        ast::TypeKind::Named { name, .. } => Some(name),
        ast::TypeKind::Ref { inner, .. } => receiver_struct_name(inner),
        _ => None,
    }
}

impl Resolver {
    /// Registers the item `name` of its module; false (after E0428) if the module has one.
    fn define(&mut self, name: &ast::Ident, what: &str) -> bool {
        let key = self.out.key(name.span.file, &name.name);
        if let Some(prev) = self.item_spans.get(&*key) {
            self.diags.push(
                Diagnostic::error("E0428", format!("the name `{}` is defined multiple times", name.name), name.span)
                    .label(format!("`{}` redefined here", name.name))
                    .secondary(*prev, format!("previous definition of the {what} `{}` here", name.name))
                    .help(format!("rename one of the two definitions of `{}`", name.name)),
            );
            return false;
        }
        if builtins::lookup(&name.name).is_some() && what == "function" && !matches!(name.name.as_str(), "eprint" | "eprintln") {
            self.diags.push(
                Diagnostic::error("E0428", format!("the name `{}` is a builtin function and cannot be redefined", name.name), name.span)
                    .help("choose another name for this function"),
            );
            return false;
        }
        let key = key.into_owned();
        self.item_spans.insert(key, name.span);
        true
    }

    /// Makes imported names visible in their importing module (§4.11). Only exported items
    /// (`export fn ...` or listed in `export { ... };`) can be imported (E0603); a name the
    /// module does not have is E0432; an imported name that the importing module also defines
    /// is E0428.
    fn resolve_imports(&mut self, file: &ast::File, imports: &HashMap<(crate::span::FileId, String), crate::modules::ImportTarget>) {
        use crate::modules::ImportTarget;
        // Each module's items: name -> (key, exported, span).
        let mut items: HashMap<crate::span::FileId, Vec<(String, bool, Span)>> = HashMap::default();
        let mut export_lists: HashMap<crate::span::FileId, Vec<String>> = HashMap::default();
        for item in &file.items {
            if let ast::ItemKind::ExportList(names) = &item.kind {
                export_lists.entry(item.span.file).or_default().extend(names.iter().map(|n| n.name.clone()));
            }
        }
        for item in &file.items {
            let names: Vec<&ast::Ident> = match &item.kind {
                ast::ItemKind::Fn(f) if f.receiver.is_none() => vec![&f.name],
                ast::ItemKind::Struct(s) => vec![&s.name],
                ast::ItemKind::Enum(e) => vec![&e.name],
                ast::ItemKind::Trait(t) => vec![&t.name],
                ast::ItemKind::TypeAlias(t) => vec![&t.name],
                ast::ItemKind::Const(c) => vec![&c.name],
                ast::ItemKind::Extern(x) => x.fns.iter().map(|f| &f.name).collect(),
                _ => Vec::new(),
            };
            for n in names {
                let listed = export_lists.get(&item.span.file).is_some_and(|l| l.contains(&n.name));
                if item.exported || listed {
                    self.out.exports.insert((item.span.file, n.name.clone()));
                }
                items.entry(item.span.file).or_default().push((n.name.clone(), item.exported || listed, n.span));
            }
        }
        for item in &file.items {
            let ast::ItemKind::Import(import) = &item.kind else { continue };
            let here = item.span.file;
            let (module, module_span) = match import {
                ast::Import::Named { module, module_span, .. } | ast::Import::Module { module, module_span } => (module, *module_span),
                ast::Import::Namespace { alias, module, .. } => {
                    if let Some(ImportTarget::File(target)) = imports.get(&(here, module.clone())).copied() {
                        self.out.namespaces.entry(here).or_default().insert(alias.name.clone(), target);
                    }
                    continue;
                }
            };
            let Some(ImportTarget::File(target)) = imports.get(&(here, module.clone())).copied() else {
                if let (ast::Import::Named { names, .. }, Some(ImportTarget::EmptyStd)) = (import, imports.get(&(here, module.clone()))) {
                    for n in names {
                        self.diags.push(
                            Diagnostic::error("E0432", format!("unresolved import `{}`", n.name), n.span)
                                .label(format!("module `{module}` provides nothing yet"))
                                .note("the standard modules of this version: io (print family), math, strings"),
                        );
                    }
                }
                continue;
            };
            let provided = items.get(&target).cloned().unwrap_or_default();
            let wanted: Vec<(String, Span, bool)> = match import {
                ast::Import::Named { names, .. } => names.iter().map(|n| (n.name.clone(), n.span, true)).collect(),
                _ => provided.iter().filter(|(_, exported, _)| *exported).map(|(n, _, _)| (n.clone(), module_span, false)).collect(),
            };
            for (name, span, named) in wanted {
                match provided.iter().find(|(n, _, _)| *n == name) {
                    None => {
                        let exported: Vec<&str> = provided.iter().filter(|(_, e, _)| *e).map(|(n, _, _)| n.as_str()).collect();
                        let mut d = Diagnostic::error("E0432", format!("unresolved import `{name}`"), span).label(format!("no `{name}` in module `{module}`"));
                        if let Some(h) = did_you_mean(&name, exported.iter().copied()) {
                            d = d.help(h);
                        }
                        self.diags.push(d);
                    }
                    Some((_, false, decl)) => self.diags.push(
                        Diagnostic::error("E0603", format!("`{name}` is private to module `{module}`"), span)
                            .label("not exported")
                            .secondary(*decl, "declared here without `export`")
                            .help(format!("mark it `export` in `{module}`")),
                    ),
                    Some((_, true, decl)) => {
                        let own = items.get(&here).and_then(|v| v.iter().find(|(n, _, _)| *n == name).map(|(_, _, s)| *s));
                        if let Some(own_span) = own {
                            if named {
                                self.diags.push(
                                    Diagnostic::error("E0428", format!("the name `{name}` is defined multiple times"), span)
                                        .label(format!("`{name}` imported here"))
                                        .secondary(own_span, "and defined in this module here")
                                        .help("rename the module's own item, or do not import this name"),
                                );
                            }
                            continue;
                        }
                        let key = self.out.key(decl.file, &name).into_owned();
                        self.out.visible.entry(here).or_default().insert(name, key);
                    }
                }
            }
        }
    }

    /// The table key of a declared item (see [`Resolved::key`]).
    fn item_key(&self, name: &ast::Ident) -> String {
        self.out.key(name.span.file, &name.name).into_owned()
    }

    fn collect_items(&mut self, file: &ast::File) {
        // Pass 1: type names, so methods can find their struct regardless of order.
        for (i, item) in file.items.iter().enumerate() {
            match &item.kind {
                ast::ItemKind::Struct(s) => {
                    if self.define(&s.name, "struct") {
                        let id = self.out.structs.len() as u32;
                        let key = self.item_key(&s.name);
                        self.out.structs.push(StructEntry { name: key.clone(), item: i });
                        self.out.struct_ids.insert(key, id);
                    }
                }
                ast::ItemKind::Enum(e) => {
                    if self.define(&e.name, "enum") {
                        let id = self.out.enums.len() as u32;
                        let key = self.item_key(&e.name);
                        self.out.enums.push(StructEntry { name: key.clone(), item: i });
                        self.out.enum_ids.insert(key, id);
                    }
                }
                ast::ItemKind::Trait(t) => {
                    if self.define(&t.name, "trait") {
                        let key = self.item_key(&t.name);
                        self.out.other_types.insert(key.clone(), t.name.span);
                        self.out.traits.insert(key, i);
                    }
                }
                ast::ItemKind::TypeAlias(t) => {
                    if self.define(&t.name, "type alias") {
                        let key = self.item_key(&t.name);
                        self.out.aliases.insert(key, i);
                    }
                }
                _ => {}
            }
        }
        // Policies share the type namespace (E0428 against a struct, enum or trait); they are
        // defined after the types, so the clash is reported at the policy. A clashing policy
        // still resolves in `with` lists (no follow-up errors).
        for (i, item) in file.items.iter().enumerate() {
            if let ast::ItemKind::Policy(p) = &item.kind {
                if let Some(&prev) = self.item_spans.get(&p.name.name) {
                    let name = &p.name.name;
                    let d = if prev.file == crate::PRELUDE_FILE {
                        Diagnostic::error("E0428", format!("the name `{name}` is a builtin type and cannot name a policy"), p.name.span)
                            .help("choose another name for this policy")
                    } else {
                        Diagnostic::error("E0428", format!("the name `{name}` is defined multiple times"), p.name.span)
                            .label(format!("policy `{name}` redefines a name"))
                            .secondary(prev, format!("previous definition of `{name}` here"))
                            .note("policies, structs, enums, traits and type aliases share one namespace")
                            .help(format!("rename one of the two definitions of `{name}`"))
                    };
                    self.diags.push(d);
                } else {
                    self.item_spans.insert(p.name.name.clone(), p.name.span);
                }
                self.out.policies.entry(p.name.name.clone()).or_insert(i);
            }
        }
        // Pass 2: functions and methods, numbered in declaration order.
        for (i, item) in file.items.iter().enumerate() {
            match &item.kind {
                ast::ItemKind::Fn(f) => match &f.receiver {
                    None => {
                        if self.define(&f.name, "function") {
                            let id = self.push_fn(i, None, None, f);
                            let key = self.item_key(&f.name);
                            self.out.free_fns.insert(key, id);
                        }
                    }
                    Some(recv) => {
                        let Some(sname) = receiver_struct_name(&recv.ty) else {
                            self.diags.push(
                                Diagnostic::error("E0658", "not yet implemented: methods on types other than structs", recv.ty.span)
                                    .help("a receiver must be a struct `S`, `&S` or `&S!`"),
                            );
                            continue;
                        };
                        let Some(sid) = self.out.struct_id(sname.span, &sname.name) else {
                            let d = if self.out.other_type(sname.span, &sname.name) {
                                Diagnostic::error("E0658", format!("not yet implemented: methods on `{}`", sname.name), sname.span)
                            } else {
                                self.unknown_type(sname)
                            };
                            self.diags.push(d);
                            continue;
                        };
                        self.add_method(i, None, sid, f);
                    }
                },
                ast::ItemKind::Struct(s) => {
                    let Some(sid) = self.out.struct_id(s.name.span, &s.name.name) else { continue };
                    if self.out.structs[sid as usize].item != i {
                        continue; // a duplicate struct, already reported
                    }
                    for (m, f) in s.methods.iter().enumerate() {
                        self.add_method(i, Some(m), sid, f);
                    }
                }
                ast::ItemKind::Extern(block) => {
                    for (k, xf) in block.fns.iter().enumerate() {
                        if self.define(&xf.name, "function") {
                            let id = self.out.externs.len() as u32;
                            self.out.externs.push((i, k));
                            let key = self.item_key(&xf.name);
                            self.out.extern_fns.insert(key, id);
                        }
                    }
                }
                ast::ItemKind::Const(c) => {
                    if self.define(&c.name, "constant") {
                        let key = self.item_key(&c.name);
                        self.out.consts.insert(key, i);
                    }
                }
                _ => {}
            }
        }
    }

    fn add_method(&mut self, item: usize, method: Option<usize>, sid: u32, f: &ast::FnDecl) {
        let key = (sid, f.name.name.clone());
        if let Some(&prev) = self.out.methods.get(&key) {
            let prev_span = self.fn_name_span_hint(prev);
            let mut d = Diagnostic::error(
                "E0428",
                format!("duplicate method `{}` for struct `{}`", f.name.name, self.out.structs[sid as usize].name),
                f.name.span,
            )
            .label("redefined here")
            .help("inline methods and Go-style methods of a struct share one namespace; rename one");
            if let Some(s) = prev_span {
                d = d.secondary(s, "previous definition here");
            }
            self.diags.push(d);
            return;
        }
        let id = self.push_fn(item, method, Some(sid), f);
        self.out.methods.insert(key, id);
    }

    fn fn_name_span_hint(&self, id: FnId) -> Option<Span> {
        self.out.functions.get(id as usize).map(|f| f.name_span)
    }

    fn push_fn(&mut self, item: usize, method: Option<usize>, owner: Option<u32>, f: &ast::FnDecl) -> FnId {
        let id = self.out.functions.len() as FnId;
        self.out.functions.push(FnEntry { item, method, owner, locals: Vec::new(), name_span: f.name.span });
        id
    }

    pub(crate) fn unknown_type(&self, name: &ast::Ident) -> Diagnostic {
        let candidates = self
            .out
            .struct_ids
            .keys()
            .chain(self.out.other_types.keys())
            .chain(self.out.enum_ids.keys())
            .map(String::as_str)
            .chain(builtins::TYPE_NAMES.iter().copied());
        let mut d = Diagnostic::error("E0412", format!("cannot find type `{}` in this scope", name.name), name.span)
            .label("not found in this scope");
        if let Some(help) = did_you_mean(&name.name, candidates) {
            d = d.help(help);
        }
        d
    }

    fn resolve_body(&mut self, file: &ast::File, id: FnId) {
        let entry = self.out.functions[id as usize].clone();
        let f = fn_decl(file, &entry);
        let mut body = scope::BodyResolver::new(self, entry.owner);
        // Methods: the receiver is local 0 (`self` or its declared name).
        if let Some(owner) = entry.owner {
            let _ = owner;
            match &f.receiver {
                Some(p) => body.bind_param(p),
                None => body.bind_implicit_self(f.name.span),
            }
        }
        for p in &f.params {
            body.bind_param(p);
        }
        if let Some(b) = &f.body {
            body.block(b);
        }
        let locals = body.finish();
        self.out.functions[id as usize].locals = locals;
    }
}

/// The declaration behind a function entry.
pub fn fn_decl<'a>(file: &'a ast::File, entry: &FnEntry) -> &'a ast::FnDecl {
    match (&file.items[entry.item].kind, entry.method) {
        (ast::ItemKind::Struct(s), Some(m)) => &s.methods[m],
        (ast::ItemKind::Fn(f), _) => f,
        // resolve only creates entries of these two shapes
        _ => unreachable_fn_decl(),
    }
}

fn unreachable_fn_decl() -> &'static ast::FnDecl {
    // Never reached: entries are created only for functions and struct methods. A static
    // placeholder keeps this total without a panic path.
    static EMPTY: std::sync::OnceLock<ast::FnDecl> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| ast::FnDecl {
        is_async: false,
        name: ast::Ident { name: String::new(), span: Span::default() },
        receiver: None,
        type_params: Vec::new(),
        params: Vec::new(),
        mutating: None,
        ret: None,
        body: None,
        span: Span::default(),
    })
}

/// "did you mean" help for a misspelt name: up to three candidates with Jaro-Winkler
/// similarity above 0.7, best first (LANGUAGE.md §15.6).
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    // Jaro-Winkler takes time quadratic in the length: no guesses for absurdly long names.
    const MAX_LEN: usize = 128;
    if name.len() > MAX_LEN {
        return None;
    }
    let mut scored: Vec<(f64, &str)> = candidates
        .filter(|c| *c != name && c.len() <= MAX_LEN)
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(s, _)| *s > 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.truncate(3);
    match scored.as_slice() {
        [] => None,
        [(_, one)] => Some(format!("did you mean `{one}`?")),
        many => {
            let list: Vec<String> = many.iter().map(|(_, c)| format!("`{c}`")).collect();
            Some(format!("did you mean one of {}?", list.join(", ")))
        }
    }
}
