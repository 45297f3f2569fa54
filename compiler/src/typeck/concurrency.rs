//! Concurrency (§14): `go` statements and the `Option<T>` results of channel operations.
//! `async fn` needs nothing here (it is a flag on the function); `await e` is checked as `e`.
//! Which functions suspend, and how, is decided after type checking (`crate::tasks`).

use super::{Checker, FnCx};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind, LibOp, StmtKind};
use crate::span::Span;
use crate::syntax::ast;
use crate::types::Ty;

impl Checker<'_> {
    /// `go f(args);` spawns a task running the call; `go { ... };` spawns its body, lifted into
    /// a function whose parameters are the locals it captures (copied, or moved, at the `go`).
    pub fn go_stmt(&mut self, fcx: &mut FnCx, body: &ast::Expr, span: Span) -> Option<hir::Stmt> {
        if let ast::ExprKind::Block(b) = &body.kind {
            return self.go_block(fcx, body.id, b, span);
        }
        let call = self.expr(fcx, body, None);
        match call.kind {
            ExprKind::Call { func, args } => Some(hir::Stmt { kind: StmtKind::Go { func, args }, span }),
            _ if call.ty.is_error() => None,
            _ => {
                self.error(
                    Diagnostic::error("E0658", "`go` takes a call of a named function or a block", body.span)
                        .label("not a function call")
                        .help("wrap it in a block: `go { ... };` (the block captures what it uses by value)"),
                );
                None
            }
        }
    }

    fn go_block(&mut self, fcx: &mut FnCx, node: ast::NodeId, b: &ast::BlockExpr, span: Span) -> Option<hir::Stmt> {
        let saved_ret = std::mem::replace(&mut fcx.ret, Ty::Unit);
        let saved_unknown = std::mem::replace(&mut fcx.ret_unknown, false);
        let saved_loops = std::mem::replace(&mut fcx.loop_depth, 0);
        let saved_go = std::mem::replace(&mut fcx.in_go_block, true);
        let mut stmts: Vec<hir::Stmt> = b.stmts.iter().filter_map(|s| self.stmt(fcx, s)).collect();
        if let Some(t) = &b.tail {
            let e = self.expr(fcx, t, None);
            stmts.push(hir::Stmt { span: e.span, kind: StmtKind::Expr(e) });
        }
        fcx.ret = saved_ret;
        fcx.ret_unknown = saved_unknown;
        fcx.loop_depth = saved_loops;
        fcx.in_go_block = saved_go;
        let body = hir::Block { stmts, span };
        let captures = self.captures_of(node, &body);
        let param_tys: Vec<Ty> = captures.iter().map(|&l| fcx.locals[l as usize].ty.clone()).collect();
        if param_tys.iter().any(Ty::is_error) {
            return None;
        }
        let name = format!("{}_go{}", fcx.name, self.next_fn_id());
        let id = self.lift(
            hir::Function {
                name,
                owner: None,
                receiver: None,
                mutating: false,
                params: captures.clone(),
                ret: Ty::Unit,
                locals: fcx.locals.clone(),
                body,
                span,
                captures: None,
                is_async: true,
            },
            param_tys,
        );
        let args = captures.iter().map(|&l| hir::Expr { kind: ExprKind::Local(l), ty: fcx.locals[l as usize].ty.clone(), span }).collect();
        Some(hir::Stmt { kind: StmtKind::Go { func: id, args }, span })
    }

    /// `select { let v = a.recv() => { .. } b.send(x) => { .. } _ => { .. } }` (docs/SPEC.md).
    pub fn select_stmt(&mut self, fcx: &mut FnCx, arms: &[ast::SelectArm], span: Span) -> Option<hir::Stmt> {
        let mut out = Vec::with_capacity(arms.len());
        let mut seen_default = false;
        for arm in arms {
            let op = match &arm.op {
                None => {
                    if std::mem::replace(&mut seen_default, true) {
                        self.error(Diagnostic::error("E0744", "a `select` has at most one default arm `_`", arm.span).label("second default arm"));
                    }
                    None
                }
                Some(e) => {
                    let x = self.expr(fcx, e, None);
                    match &x.kind {
                        ExprKind::Lib { op: LibOp::ChanRecv | LibOp::ChanNext, .. } => {}
                        ExprKind::Lib { op: LibOp::ChanSend, .. } if arm.bind.is_some() => self.error(
                            Diagnostic::error("E0744", "a send arm has no value to bind", e.span).help("write the arm as `ch.send(v) => { ... }`"),
                        ),
                        ExprKind::Lib { op: LibOp::ChanSend, .. } => {}
                        _ if x.ty.is_error() => {}
                        _ => self.error(
                            Diagnostic::error("E0744", "a `select` arm waits on a channel operation", e.span)
                                .label("not `ch.recv()`, `ch.next()` or `ch.send(v)`")
                                .help("arms are `let v = ch.recv() => { }`, `ch.send(v) => { }` or `_ => { }`"),
                        ),
                    }
                    Some(x)
                }
            };
            let bind = arm.bind.as_ref().and_then(|(id, _)| self.res.bindings.get(id).copied());
            if let (Some(l), Some(op)) = (bind, &op) {
                if let Some(slot) = fcx.locals.get_mut(l as usize) {
                    slot.ty = op.ty.clone();
                }
            }
            let body = self.block(fcx, &arm.body);
            out.push(hir::SelectArm { op, bind, body, span: arm.span });
        }
        if out.iter().all(|a| a.op.is_none()) {
            self.error(Diagnostic::error("E0744", "a `select` needs at least one channel operation", span));
            return None;
        }
        Some(hir::Stmt { kind: StmtKind::Select { arms: out }, span })
    }

    /// The builtin `Option<t>` (for `ch.next()` / `ch.try_recv()`), or an error if the program
    /// replaced `Option` with a type of another shape.
    pub fn option_of(&mut self, t: Ty, span: Span) -> Option<Ty> {
        let id = self.res.enum_id(span, "Option").filter(|id| {
            let def = &self.enums[*id as usize];
            def.template && def.variants.len() == 2 && def.variants.iter().any(|v| v.name == "Some") && def.variants.iter().any(|v| v.name == "None")
        });
        let Some(id) = id else {
            self.error(
                Diagnostic::error("E0308", "this channel operation returns `Option<T>`, but `Option` is shadowed by another type", span)
                    .help("rename your `Option` type"),
            );
            return None;
        };
        Some(self.instantiate_enum(id, vec![t], span))
    }
}
