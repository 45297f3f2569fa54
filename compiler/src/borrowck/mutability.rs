//! Phase 1 of borrow checking: assignments, mutating method calls and `&x!` borrows need a
//! mutable place (E0594, E0596).

use super::place_is_mutable;
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind, Receiver, StmtKind};
use crate::types::Ty;

struct Cx<'a> {
    program: &'a hir::Program,
    f: &'a hir::Function,
    diags: &'a mut Vec<Diagnostic>,
}

pub fn check_function(program: &hir::Program, f: &hir::Function, diags: &mut Vec<Diagnostic>) {
    let mut cx = Cx { program, f, diags };
    hir::visit_block_stmts(&f.body, &mut |s| {
        if let StmtKind::Assign { place, .. } | StmtKind::CompoundAssign { place, .. } = &s.kind {
            cx.assign(place, s.span);
        }
    });
    hir::visit_block_exprs(&f.body, &mut |e| cx.expr(e));
}

/// What a place is rooted at, for messages.
enum Root<'a> {
    Local(&'a hir::Local),
    /// Reached through a reference held in this local (or an unnamed reference).
    ThroughRef(Option<&'a hir::Local>),
    Temporary,
}

impl<'a> Cx<'a> {
    fn root(&self, place: &'a hir::Expr) -> Root<'a> {
        match &place.kind {
            ExprKind::Local(id) => self.f.locals.get(*id as usize).map_or(Root::Temporary, Root::Local),
            ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => self.root(base),
            ExprKind::Deref(r) => match &r.kind {
                ExprKind::Local(id) => Root::ThroughRef(self.f.locals.get(*id as usize)),
                _ => Root::ThroughRef(None),
            },
            _ => Root::Temporary,
        }
    }

    fn is_self(&self, l: &hir::Local) -> bool {
        self.f.owner.is_some() && std::ptr::eq(l, &self.f.locals[0])
    }

    fn describe_place(&self, place: &hir::Expr) -> String {
        match &place.kind {
            ExprKind::Local(id) => format!("variable `{}`", self.f.locals[*id as usize].name),
            ExprKind::Field { base, field } => {
                let name = match &base.ty {
                    Ty::Struct(s) => self.program.structs[*s as usize].fields[*field as usize].name.clone(),
                    _ => field.to_string(),
                };
                format!("field `{name}`")
            }
            ExprKind::Index { .. } => "an array element".into(),
            ExprKind::Deref(_) => "the referenced value".into(),
            _ => "this expression".into(),
        }
    }

    /// Whether the place's root is a local this closure captured.
    fn is_capture(&self, place: &hir::Expr) -> bool {
        let mut p = place;
        loop {
            match &p.kind {
                ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => p = base,
                ExprKind::Local(id) => return self.f.captures.as_ref().is_some_and(|c| c.contains(id)),
                _ => return false,
            }
        }
    }

    /// Reports E0594 for an assignment to an immutable place.
    fn assign(&mut self, place: &hir::Expr, span: crate::span::Span) {
        if place_is_mutable(place, &self.f.locals) || place.ty.is_error() {
            return;
        }
        let what = self.describe_place(place);
        let d = match self.root(place) {
            Root::Local(l) if self.is_capture(place) => Diagnostic::error("E0594", format!("cannot assign to `{}`, a value captured by this closure", l.name), span)
                .label("cannot assign")
                .secondary(l.span, format!("`{}` declared here, outside the closure", l.name))
                .note("closures capture by value and may only read their captures (§9.3)")
                .help("return the new value from the closure and assign it outside"),
            Root::Local(l) => {
                let msg = if matches!(place.kind, ExprKind::Local(_)) {
                    format!("cannot assign to immutable variable `{}`", l.name)
                } else {
                    format!("cannot assign to {what} of immutable variable `{}`", l.name)
                };
                Diagnostic::error("E0594", msg, span)
                    .label("cannot assign")
                    .secondary(l.span, format!("`{}` declared immutable here", l.name))
                    .help(format!("declare it mutable: `let! {}`", l.name))
            }
            Root::ThroughRef(Some(l)) if self.is_self(l) => Diagnostic::error(
                "E0594",
                format!("cannot assign to {what} of immutable `{}`; mark the method with `!`", l.name),
                span,
            )
            .label("cannot assign")
            .help(format!("mark the method mutating: `fn {}(...)!`", self.f.name)),
            Root::ThroughRef(l) => {
                let name = l.map(|l| format!(" `{}`", l.name)).unwrap_or_default();
                Diagnostic::error("E0594", format!("cannot assign to {what} through the shared reference{name}"), span)
                    .label("cannot assign through `&T`")
                    .help("take a mutable reference (`&T!`, created with `&x!`) to write through it")
            }
            Root::Temporary => Diagnostic::error("E0594", format!("cannot assign to {what}, which is a temporary value"), span)
                .label("cannot assign"),
        };
        self.diags.push(d);
    }

    /// Checks one expression (the visitor reaches every sub-expression).
    fn expr(&mut self, e: &hir::Expr) {
        match &e.kind {
            ExprKind::MethodCall { func, receiver, .. } => {
                let callee = &self.program.functions[*func as usize];
                if !callee.mutating {
                    return;
                }
                match receiver {
                    Receiver::AddressOf(r) if !place_is_mutable(r, &self.f.locals) && !r.ty.is_error() => {
                        self.mutating_call_on_immutable(r, &callee.name, e.span)
                    }
                    Receiver::Pointer(r) if !matches!(r.ty, Ty::Ref(_, true)) => {
                        self.mutating_call_on_immutable(r, &callee.name, e.span)
                    }
                    _ => {}
                }
            }
            ExprKind::AddrOf { place, mutable: true } if !place_is_mutable(place, &self.f.locals) && !place.ty.is_error() => {
                let d = match self.root(place) {
                    Root::Local(l) => Diagnostic::error("E0596", format!("cannot borrow `{}` as mutable, as it is not declared as mutable", l.name), e.span)
                        .label("cannot borrow as mutable")
                        .secondary(l.span, format!("`{}` declared immutable here", l.name))
                        .help(format!("declare it mutable: `let! {}`", l.name)),
                    _ => Diagnostic::error("E0596", "cannot borrow this place as mutable", e.span)
                        .label("cannot borrow as mutable")
                        .help("it is reached through a shared reference `&T`"),
                };
                self.diags.push(d);
            }
            _ => {}
        }
    }

    fn mutating_call_on_immutable(&mut self, recv: &hir::Expr, method: &str, span: crate::span::Span) {
        let d = match self.root(recv) {
            Root::Local(l) => Diagnostic::error("E0596", format!("cannot call mutating method `{method}` on immutable binding `{}`", l.name), span)
                .label("needs a mutable receiver")
                .secondary(l.span, format!("`{}` declared immutable here", l.name))
                .help(format!("declare it mutable: `let! {}`", l.name)),
            Root::ThroughRef(Some(l)) if self.is_self(l) => Diagnostic::error(
                "E0596",
                format!("cannot call mutating method `{method}` on immutable `{}`", l.name),
                span,
            )
            .label("needs a mutable receiver")
            .help(format!("mark the method mutating: `fn {}(...)!`", self.f.name)),
            Root::ThroughRef(_) => Diagnostic::error("E0596", format!("cannot call mutating method `{method}` through a shared reference"), span)
                .label("needs a mutable receiver")
                .help("use a mutable reference `&T!`"),
            Root::Temporary => return,
        };
        self.diags.push(d);
    }
}
