//! Tasks (§14, design: RUNTIME.md §3.1): which functions suspend, and the shape the C back end
//! needs for them.
//!
//! A function *suspends* if it is `async`, is a `go` block's body, or can wait: it sends or
//! receives on a channel, sleeps, waits for a runtime, or calls a function that suspends
//! (a fixpoint over the call graph). Such functions become state machines in C; the others
//! stay plain C functions. A program that uses tasks or channels runs `main` as a task too.
//!
//! Closures, function values and deferred calls cannot suspend (they are called as plain C
//! functions): waiting there is an error (E0728).
//!
//! After inference, `normalize` rewrites suspending bodies so that every suspension point is
//! a statement of its own (`let x = op;` or `op;`), which is what the emitter turns into a
//! resume point.

mod normalize;

use crate::diag::Diagnostic;
use crate::hir::{self, BuiltinFn, ExprKind, FnId, LibOp, StmtKind};
use crate::span::Span;
use crate::types::{LibTy, Ty};

/// Infers `suspends` and `uses_runtime`, checks where suspension is impossible, and normalizes
/// suspending bodies. Returns the errors.
pub fn lower(program: &mut hir::Program) -> Vec<Diagnostic> {
    let n = program.functions.len();
    let runtime_types = RuntimeTypes::new(program);
    // One walk per body gathers everything inference needs.
    let summaries: Vec<Summary> = program.functions.iter().map(|f| Summary::of(f, &runtime_types)).collect();
    let mut suspends: Vec<bool> = program.functions.iter().zip(&summaries).map(|(f, s)| f.is_async || s.waits).collect();
    loop {
        let mut changed = false;
        for i in 0..n {
            if !suspends[i] && summaries[i].calls.iter().any(|c| suspends.get(*c as usize).copied().unwrap_or(false)) {
                suspends[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut errors = Vec::new();
    // Without a suspending function there is nothing that could wait where it must not.
    if suspends.contains(&true) {
        for (i, f) in program.functions.iter().enumerate() {
            if f.captures.is_some() && suspends[i] {
                // A closure: called through a plain C function pointer.
                let span = first_suspension(&f.body, &suspends).unwrap_or(f.span);
                errors.push(
                    Diagnostic::error("E0728", "a closure cannot wait: this suspends the task", span)
                        .label("suspends")
                        .help("move the waiting into a named function (calls of it suspend the calling task), or into a `go` block"),
                );
                suspends[i] = false;
            }
            check_bodies(f, &suspends, &mut errors);
        }
    }
    let reachable = crate::emit_c::reachable(program);
    let uses_runtime = reachable.iter().any(|&id| {
        let f = &program.functions[id as usize];
        suspends[id as usize] || summaries[id as usize].mentions_runtime || f.locals.iter().any(|l| runtime_types.needs_runtime(&l.ty))
    });
    if let (true, Some(main)) = (uses_runtime, program.main) {
        // `main` is the root task (RUNTIME.md: `vx_main`).
        suspends[main as usize] = true;
    }
    program.suspends = suspends;
    program.uses_runtime = uses_runtime;
    if errors.is_empty() {
        for id in 0..n {
            if program.suspends[id] {
                let susp = program.suspends.clone();
                normalize::function(&mut program.functions[id], &susp, &mut errors);
            }
        }
    }
    errors
}

/// What inference needs from one body, gathered in one walk.
#[derive(Default)]
struct Summary {
    /// Calls by name (free functions and methods); function values do not count.
    calls: Vec<FnId>,
    /// It has a waiting operation.
    waits: bool,
    /// It has a `go` statement, or an expression whose type holds a channel or runtime.
    mentions_runtime: bool,
}

impl Summary {
    fn of(f: &hir::Function, runtime_types: &RuntimeTypes) -> Summary {
        struct Walk<'a> {
            out: Summary,
            runtime_types: &'a RuntimeTypes<'a>,
        }
        impl hir::Visit for Walk<'_> {
            fn stmt(&mut self, s: &hir::Stmt) {
                self.out.mentions_runtime |= matches!(s.kind, StmtKind::Go { .. });
            }
            fn expr(&mut self, e: &hir::Expr) {
                if let ExprKind::Call { func, .. } | ExprKind::MethodCall { func, .. } = &e.kind {
                    self.out.calls.push(*func);
                }
                self.out.waits |= is_wait_op(e);
                if !self.out.mentions_runtime {
                    self.out.mentions_runtime = self.runtime_types.needs_runtime(&e.ty);
                }
            }
        }
        let mut walk = Walk { out: Summary::default(), runtime_types };
        hir::walk_block(&f.body, &mut walk);
        walk.out
    }
}

/// A library operation or builtin that waits (a suspension point inside a task).
pub fn is_wait_op(e: &hir::Expr) -> bool {
    matches!(
        &e.kind,
        ExprKind::Lib { op: LibOp::ChanSend | LibOp::ChanRecv | LibOp::ChanNext, .. }
            | ExprKind::Builtin { func: BuiltinFn::Sleep | BuiltinFn::RuntimeRun, .. }
    )
}

/// A suspension point: a waiting operation or a call of a suspending function.
pub fn is_suspension(e: &hir::Expr, suspends: &[bool]) -> bool {
    is_wait_op(e)
        || matches!(&e.kind, ExprKind::Call { func, .. } | ExprKind::MethodCall { func, .. } if suspends.get(*func as usize).copied().unwrap_or(false))
}

fn first_suspension(b: &hir::Block, suspends: &[bool]) -> Option<Span> {
    let mut found = None;
    hir::visit_block_exprs(b, &mut |e| {
        if found.is_none() && is_suspension(e, suspends) {
            found = Some(e.span);
        }
    });
    found
}

/// Deferred calls and function values cannot suspend.
fn check_bodies(f: &hir::Function, suspends: &[bool], errors: &mut Vec<Diagnostic>) {
    hir::visit_block_stmts(&f.body, &mut |s| {
        if let StmtKind::Defer(call) = &s.kind {
            let mut bad = None;
            hir::visit_expr(call, &mut |e| {
                if bad.is_none() && is_suspension(e, suspends) {
                    bad = Some(e.span);
                }
            });
            if let Some(span) = bad {
                errors.push(
                    Diagnostic::error("E0728", "a deferred call cannot wait", span)
                        .label("suspends")
                        .help("deferred calls run while the function returns, where it cannot be suspended"),
                );
            }
        }
    });
    hir::visit_block_exprs(&f.body, &mut |e| {
        if let ExprKind::FnRef(id) = &e.kind {
            if suspends.get(*id as usize).copied().unwrap_or(false) {
                errors.push(
                    Diagnostic::error("E0728", "a function that suspends cannot be used as a function value", e.span)
                        .label("this function waits (directly or through its calls)")
                        .help("call it directly, or wrap the call in a `go` block"),
                );
            }
        }
    });
}

/// Which types hold a channel or runtime handle by value or through a reference (what makes a
/// program need the async runtime). Every expression's type is asked, so each struct's and
/// enum's answer is computed once, up front.
struct RuntimeTypes<'p> {
    program: &'p hir::Program,
    structs: Vec<bool>,
    enums: Vec<bool>,
}

impl<'p> RuntimeTypes<'p> {
    fn new(program: &'p hir::Program) -> Self {
        let mut t = RuntimeTypes { program, structs: Vec::new(), enums: Vec::new() };
        // Computed without the tables (both empty: nothing is looked up in them yet).
        let structs = (0..program.structs.len() as u32).map(|id| t.needs_runtime(&Ty::Struct(id))).collect();
        let enums = (0..program.enums.len() as u32).map(|id| t.needs_runtime(&Ty::Enum(id))).collect();
        t.structs = structs;
        t.enums = enums;
        t
    }

    fn needs_runtime(&self, ty: &Ty) -> bool {
        self.program.any_component_through_refs(ty, &|t| match t {
            Ty::Lib(LibTy::Channel | LibTy::Runtime, _) => Some(true),
            Ty::Struct(id) => self.structs.get(*id as usize).copied(),
            Ty::Enum(id) => self.enums.get(*id as usize).copied(),
            _ => None,
        })
    }
}
