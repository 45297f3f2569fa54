//! Closures and function values (§9): `|x: i32| x + k` becomes a function of its own whose
//! environment holds the captured locals' values at creation (by value, §9.3); a top-level
//! function used as a value has no environment; `f(args)` calls any `fn(..)` value.

use super::{Checker, FnCx, FnSig};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind, FnId, LocalId, StmtKind};
use crate::span::Span;
use crate::syntax::ast;
use crate::types::Ty;

fn mk(kind: ExprKind, ty: Ty, span: Span) -> hir::Expr {
    hir::Expr { kind, ty, span }
}

impl Checker<'_> {
    /// The locals of the enclosing body that a lifted body (closure, `go` block) uses: those
    /// declared before it (`node` is where resolution recorded that boundary), in id order.
    pub fn captures_of(&self, node: ast::NodeId, body: &hir::Block) -> Vec<LocalId> {
        let first = self.res.closure_first_local.get(&node).copied().unwrap_or(LocalId::MAX);
        let mut captures: Vec<LocalId> = Vec::new();
        hir::visit_block_exprs(body, &mut |x| {
            if let ExprKind::Local(id) = x.kind {
                if id < first && !captures.contains(&id) {
                    captures.push(id);
                }
            }
        });
        captures.sort_unstable();
        captures
    }

    /// The id the next lifted function will get.
    pub fn next_fn_id(&self) -> FnId {
        (self.templates + self.instance_bodies.len()) as FnId
    }

    /// Adds a lifted body as a function of its own (with its signature); its id.
    pub fn lift(&mut self, f: hir::Function, param_tys: Vec<Ty>) -> FnId {
        let id = self.next_fn_id();
        self.sigs.push(FnSig {
            name: f.name.clone(),
            owner: None,
            receiver: None,
            mutating: false,
            params: param_tys,
            ret: f.ret.clone(),
            name_span: f.span,
            type_params: Vec::new(),
        });
        self.instance_bodies.push(Some(f));
        id
    }

    pub fn closure(&mut self, fcx: &mut FnCx, node: ast::NodeId, c: &ast::Closure, expected: Option<&Ty>, span: Span) -> hir::Expr {
        let error = mk(ExprKind::Unit, Ty::Error, span);
        let mut params = Vec::with_capacity(c.params.len());
        let mut param_tys = Vec::with_capacity(c.params.len());
        for p in &c.params {
            let Some(&id) = self.res.bindings.get(&p.id) else { return error };
            let ty = self.lower_ty(&p.ty);
            if let Some(l) = fcx.locals.get_mut(id as usize) {
                l.ty = ty.clone();
            }
            params.push(id);
            param_tys.push(ty);
        }
        let annotated = c.ret.as_ref().map(|t| self.lower_ty(t));
        let hint = annotated.clone().or_else(|| match expected {
            Some(Ty::Fn(_, r)) => Some((**r).clone()),
            _ => None,
        });
        // The body is checked as a function of its own: `return` leaves the closure.
        let saved_ret = std::mem::replace(&mut fcx.ret, hint.clone().unwrap_or(Ty::Error));
        let saved_unknown = std::mem::replace(&mut fcx.ret_unknown, hint.is_none());
        let saved_loops = std::mem::replace(&mut fcx.loop_depth, 0);
        let saved_go = std::mem::replace(&mut fcx.in_go_block, false);
        let (mut stmts, tail) = match &c.body.kind {
            ast::ExprKind::Block(b) => {
                let stmts: Vec<hir::Stmt> = b.stmts.iter().filter_map(|s| self.stmt(fcx, s)).collect();
                let tail = b.tail.as_ref().map(|t| self.expr(fcx, t, hint.as_ref()));
                (stmts, tail)
            }
            _ => (Vec::new(), Some(self.expr(fcx, &c.body, hint.as_ref()))),
        };
        fcx.ret = saved_ret;
        fcx.ret_unknown = saved_unknown;
        fcx.loop_depth = saved_loops;
        fcx.in_go_block = saved_go;
        let ret = match (&hint, &tail) {
            (Some(t), _) => t.clone(),
            (None, Some(t)) if t.ty == Ty::Never => Ty::Unit,
            (None, Some(t)) => t.ty.clone(),
            (None, None) => Ty::Unit,
        };
        if ret.is_error() || param_tys.iter().any(Ty::is_error) {
            return error;
        }
        match tail {
            Some(t) => {
                let t = self.coerce(fcx, t, &ret);
                stmts.push(hir::Stmt { span: t.span, kind: StmtKind::Return(Some(t)) });
            }
            None if ret != Ty::Unit && !super::stmt::block_diverges(&hir::Block { stmts: stmts.clone(), span }) => {
                let shown = self.ty_name(&ret);
                self.error(
                    Diagnostic::error("E0308", format!("closure returning `{shown}` may reach the end without a value"), span)
                        .help("end the body with the value, or `return` it"),
                );
            }
            None => {}
        }
        let body = hir::Block { stmts, span };
        let captures = self.captures_of(node, &body);
        let mut locals = fcx.locals.clone();
        for id in &captures {
            // A closure only reads its captures (assigning one is E0594, §9.3).
            if let Some(l) = locals.get_mut(*id as usize) {
                l.mutable = false;
            }
        }
        let name = format!("{}_closure{}", fcx.name, self.next_fn_id());
        let id = self.lift(hir::Function {
            name,
            owner: None,
            receiver: None,
            mutating: false,
            params,
            ret: ret.clone(),
            locals,
            body,
            span,
            captures: Some(captures.clone()),
            is_async: false,
        }, param_tys.clone());
        let capture_exprs = captures
            .iter()
            .map(|&l| mk(ExprKind::Local(l), fcx.locals[l as usize].ty.clone(), span))
            .collect();
        mk(ExprKind::Closure { func: id, captures: capture_exprs }, Ty::Fn(param_tys, Box::new(ret)), span)
    }

    /// A top-level function named as a value (`apply(double, 3)`).
    pub fn fn_value(&mut self, id: FnId, span: Span) -> hir::Expr {
        let sig = self.sigs[id as usize].clone();
        if !sig.type_params.is_empty() {
            self.error(
                Diagnostic::error("E0282", format!("type annotations needed: generic function `{}` used as a value", sig.name), span)
                    .help("wrap it in a closure with typed parameters: `|x: i32| f(x)`"),
            );
            return mk(ExprKind::Unit, Ty::Error, span);
        }
        if sig.owner.is_some() {
            return self.expr_not_yet("methods as values", span);
        }
        mk(ExprKind::FnRef(id), Ty::Fn(sig.params, Box::new(sig.ret)), span)
    }

    /// `f(args)` where `f` holds a function value.
    pub fn call_value(&mut self, fcx: &mut FnCx, callee: hir::Expr, args: &[ast::Expr], span: Span) -> hir::Expr {
        let Ty::Fn(params, ret) = callee.ty.clone() else {
            if !callee.ty.is_error() {
                let shown = self.ty_name(&callee.ty);
                self.error(
                    Diagnostic::error("E0618", format!("expected function, found `{shown}`"), callee.span)
                        .label("not a function value"),
                );
            }
            return mk(ExprKind::Unit, Ty::Error, span);
        };
        if args.len() != params.len() {
            self.error(
                Diagnostic::error("E0061", format!("this function value takes {} argument(s) but {} were supplied", params.len(), args.len()), span)
                    .label(format!("expected {}", params.len())),
            );
            return mk(ExprKind::Unit, Ty::Error, span);
        }
        let mut checked = Vec::with_capacity(args.len());
        for (a, p) in args.iter().zip(&params) {
            let e = self.expr(fcx, a, Some(p));
            checked.push(self.coerce(fcx, e, p));
        }
        mk(ExprKind::CallValue { callee: Box::new(callee), args: checked }, *ret, span)
    }
}
