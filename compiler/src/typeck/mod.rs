//! Type checking: AST + name resolution -> typed HIR (LANGUAGE.md §3, §6, §8, §13).
//!
//! `items.rs` checks declarations (struct fields, signatures, `main`), `expr.rs` and `stmt.rs`
//! check bodies with an expected-type hint (so integer literals take their type from context,
//! §3.7), `print.rs` lowers the print family (§13.2), `coerce.rs` holds the implicit conversions.

mod builtins;
mod closures;
mod collections;
mod concurrency;
mod coerce;
mod consts;
mod generics;
mod expr;
mod externs;
mod items;
mod lower_ty;
mod matching;
mod policies;
mod print;
mod stmt;
pub(crate) use stmt::block_diverges;
mod traits;

use crate::diag::Diagnostic;
use crate::hir::{self, FnId, LocalId, ReceiverKind};
use crate::resolve::Resolved;
use crate::span::{SourceFile, Span};
use crate::syntax::ast;
use crate::types::{StructId, Ty};

/// The checked signature of a function or method.
#[derive(Debug, Clone)]
pub(crate) struct FnSig {
    pub name: String,
    pub owner: Option<StructId>,
    pub receiver: Option<ReceiverKind>,
    pub mutating: bool,
    /// Parameter types, without the receiver.
    pub params: Vec<Ty>,
    pub ret: Ty,
    pub name_span: Span,
    /// Type parameter names of a generic function (its signature is checked per instantiation).
    pub type_params: Vec<String>,
}

pub(crate) struct Checker<'a> {
    pub file: &'a ast::File,
    pub res: &'a Resolved,
    pub source: &'a SourceFile,
    pub structs: Vec<hir::StructDef>,
    pub enums: Vec<hir::EnumDef>,
    pub sigs: Vec<FnSig>,
    pub diags: Vec<Diagnostic>,
    /// Type aliases being expanded (cycle detection) and already reported as cyclic.
    pub alias_stack: Vec<String>,
    pub bad_aliases: rustc_hash::FxHashSet<String>,
    /// Evaluated constants (None: erroneous) and those being evaluated (cycle detection).
    pub const_cache: rustc_hash::FxHashMap<usize, Option<hir::Expr>>,
    pub const_stack: Vec<usize>,
    /// Type parameters of the generic instance being checked, bound to concrete types.
    pub type_env: rustc_hash::FxHashMap<String, Ty>,
    /// Instances of generic functions: (template, type arguments) -> FnId, the template of each
    /// instance, and the checked bodies (ids from `templates` on, in creation order).
    pub instances: rustc_hash::FxHashMap<(FnId, Vec<Ty>), FnId>,
    pub instance_of: rustc_hash::FxHashMap<FnId, FnId>,
    pub instance_bodies: Vec<Option<hir::Function>>,
    pub templates: usize,
    /// Instances of generic structs: (template, type arguments) -> StructId; which instance
    /// comes from which template; templates rejected as infinitely recursive.
    pub struct_instances: rustc_hash::FxHashMap<(StructId, Vec<Ty>), StructId>,
    pub struct_template_of: rustc_hash::FxHashMap<StructId, (StructId, Vec<Ty>)>,
    pub bad_templates: rustc_hash::FxHashSet<StructId>,
    /// Instances of generic enums, as for structs.
    pub enum_instances: rustc_hash::FxHashMap<(crate::types::EnumId, Vec<Ty>), crate::types::EnumId>,
    pub enum_template_of: rustc_hash::FxHashMap<crate::types::EnumId, (crate::types::EnumId, Vec<Ty>)>,
    /// The E0275 (runaway generic instantiation) error, once reported: it must survive the
    /// dropped first pass of a body (`check_body`), as the instances it cut short stay cached.
    pub instance_limit: Option<Diagnostic>,
    /// Every diagnostic reported while creating a cached instance (generic function or method
    /// body, struct or enum instance): a body checked twice (`check_body`) drops its first pass's
    /// diagnostics, but instances created then are not created again, so theirs are put back.
    pub instance_diags: Vec<Diagnostic>,
    /// Generic-struct instances whose trait conformance is still to be checked, with the span
    /// of their first use.
    pub pending_impl_checks: Vec<(StructId, Span)>,
    /// The checked signatures of the `extern "C"` functions.
    pub externs: Vec<hir::ExternFn>,
}

/// Per-body state.
pub(crate) struct FnCx {
    pub locals: Vec<hir::Local>,
    pub ret: Ty,
    /// Inside an unannotated closure: its result type comes from the tail, so `return` needs
    /// an annotation.
    pub ret_unknown: bool,
    /// The function's name (closures are named after it).
    pub name: String,
    /// A `Vec()` whose element type is not known yet was seen (first pass, §3.7).
    pub unknown_elements: bool,
    /// What `push` revealed about such vectors, by local (used by the second pass).
    pub element_hints: rustc_hash::FxHashMap<LocalId, Ty>,
    /// Types for unannotated `let`s, learnt by the first pass.
    pub let_hints: rustc_hash::FxHashMap<LocalId, Ty>,
    pub loop_depth: u32,
    /// The receiver local of a method (always local 0).
    pub self_local: Option<LocalId>,
    /// Inside a `go` block (its `return` ends the task, which has no result).
    pub in_go_block: bool,
}

/// `library`: library mode (`vexc --lib`) with its exported functions: no `main` is needed, and
/// a `fn main` is an ordinary function.
pub fn check(
    file: &ast::File,
    res: &Resolved,
    source: &SourceFile,
    library: Option<Vec<hir::Export>>,
) -> Result<(hir::Program, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut cx = Checker {
        file,
        res,
        source,
        structs: Vec::new(),
        enums: Vec::new(),
        sigs: Vec::new(),
        diags: Vec::new(),
        alias_stack: Vec::new(),
        bad_aliases: Default::default(),
        const_cache: Default::default(),
        const_stack: Vec::new(),
        type_env: Default::default(),
        instances: Default::default(),
        instance_of: Default::default(),
        instance_bodies: Vec::new(),
        templates: res.functions.len(),
        struct_instances: Default::default(),
        struct_template_of: Default::default(),
        bad_templates: Default::default(),
        enum_instances: Default::default(),
        enum_template_of: Default::default(),
        instance_limit: None,
        instance_diags: Vec::new(),
        pending_impl_checks: Vec::new(),
        externs: Vec::new(),
    };
    cx.check_unsupported_items();
    let metadata = cx.check_policies();
    cx.collect_structs();
    cx.collect_signatures();
    cx.externs = cx.collect_externs();
    cx.check_impls();
    cx.check_constants();
    let main = if library.is_some() { None } else { cx.check_main() };
    let mut functions = Vec::with_capacity(cx.sigs.len());
    for id in 0..cx.templates {
        functions.push(cx.check_body(id as FnId));
    }
    cx.check_instance_impls();
    // Instances of generic functions follow the declared functions (their FnIds say so).
    functions.extend(std::mem::take(&mut cx.instance_bodies).into_iter().flatten());
    policies::attach_metadata(&mut cx.structs, &cx.struct_template_of, &metadata);
    if let Some(d) = cx.instance_limit.take() {
        if !cx.diags.iter().any(|x| x.code == "E0275") {
            cx.diags.push(d);
        }
    }
    dedup(&mut cx.diags);
    let module = crate::module_name(&source.name);
    let program = hir::Program { module, structs: cx.structs, enums: cx.enums, functions, externs: cx.externs, main, suspends: Vec::new(), uses_runtime: false, library };
    if cx.diags.iter().any(Diagnostic::is_error) {
        Err(cx.diags)
    } else {
        Ok((program, cx.diags))
    }
}

impl<'a> Checker<'a> {
    pub fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub fn not_yet(&mut self, what: &str, span: Span) {
        self.diags.push(
            Diagnostic::error("E0658", format!("not yet implemented: {what}"), span)
                .label("not supported by this version of vexc"),
        );
    }

    pub fn ty_name(&self, ty: &Ty) -> String {
        struct D<'b>(&'b [hir::StructDef], &'b [hir::EnumDef], &'b Ty);
        impl std::fmt::Display for D<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.2.fmt_named(
                    f,
                    &|id| self.0.get(id as usize).map(|s| s.name.clone()).unwrap_or_default(),
                    &|id| self.1.get(id as usize).map(|s| s.name.clone()).unwrap_or_default(),
                )
            }
        }
        D(&self.structs, &self.enums, ty).to_string()
    }
}

/// Drops exact repeats (an expression checked twice reports its error once).
fn dedup(diags: &mut Vec<Diagnostic>) {
    let mut seen = rustc_hash::FxHashSet::default();
    diags.retain(|d| seen.insert((d.code, d.message.clone(), d.span)));
}
