//! Statements and blocks.

use super::{Checker, FnCx};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind, StmtKind};
use crate::syntax::ast;
use crate::types::Ty;

impl Checker<'_> {
    pub fn block(&mut self, fcx: &mut FnCx, b: &ast::Block) -> hir::Block {
        let stmts = self.stmts(fcx, &b.stmts);
        hir::Block { stmts, span: b.span }
    }

    fn stmts(&mut self, fcx: &mut FnCx, stmts: &[ast::Stmt]) -> Vec<hir::Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            if let Some(h) = self.stmt(fcx, s) {
                out.push(h);
            }
        }
        out
    }

    pub fn stmt(&mut self, fcx: &mut FnCx, s: &ast::Stmt) -> Option<hir::Stmt> {
        let kind = match &s.kind {
            ast::StmtKind::Let(l) => {
                let hinted = self.res.bindings.get(&l.id).and_then(|id| fcx.let_hints.get(id)).cloned();
                let annotated = l.ty.as_ref().map(|t| self.lower_ty(t)).or(hinted);
                let value = self.expr(fcx, &l.value, annotated.as_ref());
                let value = match &annotated {
                    Some(t) => self.coerce(fcx, value, t),
                    None => value,
                };
                let ty = annotated.unwrap_or_else(|| value.ty.clone());
                let local = *self.res.bindings.get(&l.id)?;
                if let Some(slot) = fcx.locals.get_mut(local as usize) {
                    slot.ty = ty;
                }
                StmtKind::Let { local, init: value }
            }
            ast::StmtKind::Assign { place, op, value } => self.assign(fcx, place, *op, value, s.span),
            ast::StmtKind::Expr(e) => StmtKind::Expr(self.expr(fcx, e, None)),
            ast::StmtKind::If { branches, else_block } => {
                // `if a {} elif b {} else {}` becomes nested ifs.
                let mut checked: Vec<(hir::Expr, hir::Block)> = Vec::new();
                for (c, b) in branches {
                    let cond = self.condition(fcx, c, "if");
                    let body = self.block(fcx, b);
                    checked.push((cond, body));
                }
                let mut else_hir = else_block.as_ref().map(|b| self.block(fcx, b));
                let mut result = None;
                while let Some((cond, then_block)) = checked.pop() {
                    let span = cond.span.to(then_block.span);
                    let stmt = hir::Stmt { kind: StmtKind::If { cond, then_block, else_block: else_hir.take() }, span };
                    if checked.is_empty() {
                        result = Some(stmt.kind);
                    } else {
                        else_hir = Some(hir::Block { span: stmt.span, stmts: vec![stmt] });
                    }
                }
                result?
            }
            ast::StmtKind::While { cond, body } => {
                let cond = self.condition(fcx, cond, "while");
                fcx.loop_depth += 1;
                let body = self.block(fcx, body);
                fcx.loop_depth -= 1;
                StmtKind::While { cond, body }
            }
            ast::StmtKind::For { init, cond, post, body } => {
                let init = init.as_ref().and_then(|i| self.stmt(fcx, i)).map(Box::new);
                let cond = cond.as_ref().map(|c| self.condition(fcx, c, "for"));
                let post = post.as_ref().and_then(|p| self.stmt(fcx, p)).map(Box::new);
                fcx.loop_depth += 1;
                let body = self.block(fcx, body);
                fcx.loop_depth -= 1;
                StmtKind::For { init, cond, post, body }
            }
            ast::StmtKind::Return(value) => self.return_stmt(fcx, value.as_ref(), s.span),
            ast::StmtKind::Break | ast::StmtKind::Continue => {
                let word = if matches!(s.kind, ast::StmtKind::Break) { "break" } else { "continue" };
                if fcx.loop_depth == 0 {
                    self.error(
                        Diagnostic::error("E0268", format!("`{word}` outside of a loop"), s.span)
                            .label(format!("cannot `{word}` outside of a loop"))
                            .help("`break` and `continue` may only appear inside `while` or `for`"),
                    );
                }
                if word == "break" {
                    StmtKind::Break
                } else {
                    StmtKind::Continue
                }
            }
            ast::StmtKind::ForIn { .. } => return self.stmt_not_yet("`for ... in` loops", s),
            ast::StmtKind::Switch { .. } => return self.stmt_not_yet("`switch`", s),
            ast::StmtKind::Defer(e) => return self.defer_stmt(fcx, e, s.span),
            ast::StmtKind::Go(e) => return self.go_stmt(fcx, e, s.span),
            ast::StmtKind::Select(arms) => return self.select_stmt(fcx, arms, s.span),
            ast::StmtKind::Unsupported(what) => return self.stmt_not_yet(what, s),
            ast::StmtKind::DestructuringLet { .. } => return self.stmt_not_yet("destructuring `let`", s),
        };
        Some(hir::Stmt { kind, span: s.span })
    }

    /// `defer call;` (§5.10): the operand must be a call; its value is discarded. A `?` inside
    /// would return from the function while its deferred calls are running, so it is refused.
    fn defer_stmt(&mut self, fcx: &mut FnCx, e: &ast::Expr, span: crate::span::Span) -> Option<hir::Stmt> {
        let call = self.expr(fcx, e, None);
        if call.ty.is_error() {
            return None;
        }
        if !matches!(call.kind, ExprKind::Call { .. } | ExprKind::MethodCall { .. } | ExprKind::CallValue { .. }) {
            self.error(
                Diagnostic::error("E0001", "`defer` takes a function or method call", e.span)
                    .label("not a call")
                    .help("write `defer f(args);`; `defer { ... }` blocks are not supported"),
            );
            return None;
        }
        let mut try_span = None;
        hir::visit_expr(&call, &mut |x| {
            if let ExprKind::Try { .. } = x.kind {
                try_span.get_or_insert(x.span);
            }
        });
        if let Some(t) = try_span {
            self.error(
                Diagnostic::error("E0001", "the `?` operator cannot be used in a deferred call", t)
                    .label("would return while the function is already returning")
                    .help("handle the error inside the called function instead"),
            );
            return None;
        }
        Some(hir::Stmt { kind: StmtKind::Defer(call), span })
    }

    fn stmt_not_yet(&mut self, what: &str, s: &ast::Stmt) -> Option<hir::Stmt> {
        self.not_yet(what, s.span);
        None
    }

    fn assign(
        &mut self,
        fcx: &mut FnCx,
        place: &ast::Expr,
        op: ast::AssignOp,
        value: &ast::Expr,
        span: crate::span::Span,
    ) -> StmtKind {
        // `m[k] = v` on a map inserts (§12.4).
        if let (ast::ExprKind::Index { base, index }, None) = (&place.kind, op.bin_op()) {
            let m = super::expr::auto_deref(self.expr(fcx, base, None));
            if let Ty::Lib(crate::types::LibTy::Map, _) = m.ty {
                return StmtKind::Expr(self.map_insert(fcx, m, index, value, span));
            }
        }
        let place = self.expr(fcx, place, None);
        if !place.is_place() && !place.ty.is_error() {
            self.error(
                Diagnostic::error("E0070", "invalid left-hand side of assignment", place.span)
                    .label("cannot assign to this expression")
                    .help("assign to a variable, a field, an array element or `*reference`"),
            );
        }
        let value = self.expr(fcx, value, Some(&place.ty));
        match op.bin_op() {
            None => {
                let value = self.coerce(fcx, value, &place.ty.clone());
                StmtKind::Assign { place, value }
            }
            Some(bin) => {
                let value = self.coerce(fcx, value, &place.ty.clone());
                if bin == ast::BinOp::Add && place.ty == Ty::Str && simple_place(&place) {
                    // `s += t` is `s = s + t` (§6): a new string replaces the old one.
                    let span = place.span.to(value.span);
                    let sum = hir::Expr { kind: ExprKind::Binary { op: bin, lhs: Box::new(place.clone()), rhs: Box::new(value) }, ty: Ty::Str, span };
                    return StmtKind::Assign { place, value: sum };
                }
                if !place.ty.is_numeric() && !place.ty.is_error() {
                    let t = self.ty_name(&place.ty);
                    self.error(
                        Diagnostic::error("E0369", format!("binary assignment operation `{}=` cannot be applied to type `{t}`", bin.symbol()), span)
                            .label(format!("cannot use `{}=` on type `{t}`", bin.symbol())),
                    );
                }
                StmtKind::CompoundAssign { place, op: bin, value }
            }
        }
    }

    /// A condition of `if`/`elif`/`while`/`for` must be `bool` (no truthiness, §5.4).
    fn condition(&mut self, fcx: &mut FnCx, e: &ast::Expr, keyword: &str) -> hir::Expr {
        let cond = self.expr(fcx, e, Some(&Ty::Bool));
        if cond.ty != Ty::Bool && !cond.ty.is_error() && cond.ty != Ty::Never {
            let found = self.ty_name(&cond.ty);
            let mut d = Diagnostic::error("E0308", "mismatched types", cond.span)
                .label(format!("expected `bool`, found `{found}`"))
                .note(format!("the condition of `{keyword}` must be a `bool`"));
            if cond.ty.is_numeric() {
                d = d.help("Vex has no truthiness; compare explicitly, e.g. `n != 0`");
            }
            self.error(d);
            return hir::Expr { ty: Ty::Error, ..cond };
        }
        cond
    }

    fn return_stmt(&mut self, fcx: &mut FnCx, value: Option<&ast::Expr>, span: crate::span::Span) -> StmtKind {
        let ret = fcx.ret.clone();
        match value {
            None => {
                if ret != Ty::Unit && !ret.is_error() {
                    let t = self.ty_name(&ret);
                    self.error(
                        Diagnostic::error("E0308", "mismatched types", span)
                            .label(format!("`return;` in a function whose return type is `{t}`"))
                            .help(format!("return a value of type `{t}`: `return value;`")),
                    );
                }
                StmtKind::Return(None)
            }
            Some(_) if fcx.ret_unknown => {
                self.error(
                    Diagnostic::error("E0282", "type annotations needed: `return` in a closure without a return type", span)
                        .help("annotate the closure's result: `|x: i32|: i32 { ... }`"),
                );
                StmtKind::Return(None)
            }
            Some(v) => {
                let e = self.expr(fcx, v, Some(&ret));
                if ret == Ty::Unit && e.ty != Ty::Unit && !e.ty.is_error() {
                    let found = self.ty_name(&e.ty);
                    self.error(
                        Diagnostic::error("E0308", "mismatched types", e.span)
                            .label(format!("expected `()`, found `{found}`"))
                            .help(if fcx.in_go_block {
                                "a `go` block's task has no result: send the value over a channel"
                            } else {
                                "this function has no return type; add `: T` to the signature to return a value"
                            }),
                    );
                    return StmtKind::Return(Some(e));
                }
                let e = self.coerce(fcx, e, &ret);
                StmtKind::Return(Some(e))
            }
        }
    }
}

/// A place that can be evaluated twice without a difference (no calls in indices).
fn simple_place(e: &hir::Expr) -> bool {
    match &e.kind {
        ExprKind::Local(_) => true,
        ExprKind::Field { base, .. } | ExprKind::Deref(base) => simple_place(base),
        ExprKind::Index { base, index } => simple_place(base) && matches!(index.kind, ExprKind::Int(_) | ExprKind::Local(_)),
        _ => false,
    }
}

/// True if control cannot reach the end of the block (every path returns or loops forever).
pub fn block_diverges(b: &hir::Block) -> bool {
    b.stmts.iter().any(stmt_diverges)
}

fn stmt_diverges(s: &hir::Stmt) -> bool {
    match &s.kind {
        // `break`/`continue` leave the block too (for a match arm: it needs no value).
        StmtKind::Return(_) | StmtKind::Break | StmtKind::Continue => true,
        StmtKind::Expr(e) => e.ty == Ty::Never,
        StmtKind::Let { init, .. } => init.ty == Ty::Never,
        StmtKind::If { then_block, else_block: Some(e), .. } => block_diverges(then_block) && block_diverges(e),
        StmtKind::While { cond, body } => is_true(cond) && !has_break(body),
        StmtKind::For { cond, body, .. } => cond.as_ref().is_none_or(is_true) && !has_break(body),
        // Exactly one arm runs.
        StmtKind::Select { arms } => arms.iter().all(|a| block_diverges(&a.body)),
        _ => false,
    }
}

fn is_true(e: &hir::Expr) -> bool {
    matches!(e.kind, ExprKind::Bool(true))
}

/// A `break` that leaves this loop (not one inside a nested loop).
fn has_break(b: &hir::Block) -> bool {
    b.stmts.iter().any(|s| match &s.kind {
        StmtKind::Break => true,
        StmtKind::If { then_block, else_block, .. } => has_break(then_block) || else_block.as_ref().is_some_and(has_break),
        StmtKind::Select { arms } => arms.iter().any(|a| has_break(&a.body)),
        _ => false,
    })
}
