//! Puts every suspension point of a suspending function into a statement of its own, so the
//! C back end can give it a resume label: `let x = op;` or `op;`, where `op` is a waiting
//! operation or a call of a suspending function whose operands no longer suspend.
//!
//! A suspension inside a larger expression is bound to a fresh local first. Operands evaluated
//! before it in the same expression are bound too (unless they are constants or immutable
//! locals), so Vex's left-to-right evaluation order survives the split. Short-circuit operators
//! and loop conditions become explicit `if`s so that the suspension happens only when the
//! source would evaluate it. Places (receivers, `&place`, indexed bases) are not copied: they
//! are evaluated where they are used.

use super::is_suspension;
use crate::diag::Diagnostic;
use crate::hir::{self, Block, Expr, ExprKind, LocalId, PrintPart, Receiver, Stmt, StmtKind};
use crate::syntax::ast::{BinOp, UnaryOp};
use crate::types::Ty;

pub fn function(f: &mut hir::Function, suspends: &[bool], errors: &mut Vec<Diagnostic>) {
    let stmts = std::mem::take(&mut f.body.stmts);
    let mut cx = Norm { locals: &mut f.locals, suspends, errors };
    f.body.stmts = cx.stmts(stmts);
}

struct Norm<'a> {
    locals: &'a mut Vec<hir::Local>,
    suspends: &'a [bool],
    errors: &'a mut Vec<Diagnostic>,
}

fn placeholder(e: &Expr) -> Expr {
    Expr { kind: ExprKind::Unit, ty: Ty::Unit, span: e.span }
}

fn stmt(kind: StmtKind, span: crate::span::Span) -> Stmt {
    Stmt { kind, span }
}

fn not(e: Expr) -> Expr {
    let span = e.span;
    Expr { kind: ExprKind::Unary { op: UnaryOp::Not, operand: Box::new(e) }, ty: Ty::Bool, span }
}

impl Norm<'_> {
    /// `e` contains a suspension point anywhere (match arms included).
    fn has(&self, e: &Expr) -> bool {
        let mut found = false;
        hir::visit_expr(e, &mut |x| found |= is_suspension(x, self.suspends));
        found
    }

    fn temp(&mut self, ty: Ty, span: crate::span::Span, mutable: bool) -> LocalId {
        self.locals.push(hir::Local { name: "vx_w".to_string(), ty, mutable, span });
        (self.locals.len() - 1) as LocalId
    }

    /// `let t = e;` appended to `pre`; the read of `t`.
    fn bind(&mut self, e: Expr, pre: &mut Vec<Stmt>) -> Expr {
        let (ty, span) = (e.ty.clone(), e.span);
        let t = self.temp(ty.clone(), span, false);
        pre.push(stmt(StmtKind::Let { local: t, init: e }, span));
        Expr { kind: ExprKind::Local(t), ty, span }
    }

    fn stmts(&mut self, stmts: Vec<Stmt>) -> Vec<Stmt> {
        stmts.into_iter().flat_map(|s| self.stmt(s)).collect()
    }

    fn block(&mut self, b: Block) -> Block {
        Block { stmts: self.stmts(b.stmts), span: b.span }
    }

    /// The loop body `if !(cond) { break; } body` for a condition that suspends.
    fn cond_in_body(&mut self, cond: Expr, body: Block) -> Block {
        let mut stmts = Vec::new();
        let span = cond.span;
        let c = self.value(cond, &mut stmts);
        stmts.push(stmt(StmtKind::If { cond: not(c), then_block: Block { stmts: vec![stmt(StmtKind::Break, span)], span }, else_block: None }, span));
        let body_span = body.span;
        stmts.extend(self.block(body).stmts);
        Block { stmts, span: body_span }
    }

    fn stmt(&mut self, s: Stmt) -> Vec<Stmt> {
        let mut pre = Vec::new();
        let span = s.span;
        let kind = match s.kind {
            StmtKind::Let { local, init } => StmtKind::Let { local, init: self.top(init, &mut pre) },
            StmtKind::Expr(e) => StmtKind::Expr(self.top(e, &mut pre)),
            // The place is evaluated before the value (§6.14).
            StmtKind::Assign { place, value } => {
                let place = self.place(place, &mut pre, self.has(&value));
                StmtKind::Assign { place, value: self.value(value, &mut pre) }
            }
            StmtKind::CompoundAssign { place, op, value } => {
                let place = self.place(place, &mut pre, self.has(&value));
                StmtKind::CompoundAssign { place, op, value: self.value(value, &mut pre) }
            }
            StmtKind::If { cond, then_block, else_block } => StmtKind::If {
                cond: self.value(cond, &mut pre),
                then_block: self.block(then_block),
                else_block: else_block.map(|b| self.block(b)),
            },
            StmtKind::While { cond, body } if self.has(&cond) => {
                let body = self.cond_in_body(cond, body);
                StmtKind::While { cond: Expr { kind: ExprKind::Bool(true), ty: Ty::Bool, span }, body }
            }
            StmtKind::While { cond, body } => StmtKind::While { cond, body: self.block(body) },
            StmtKind::For { init, cond, post, body } => {
                let init = init.map(|i| {
                    let mut v = self.stmt(*i);
                    let last = v.pop();
                    pre.extend(v);
                    last.map(Box::new)
                });
                let post = post.and_then(|p| {
                    let p_span = p.span;
                    let mut v = self.stmt(*p);
                    if v.len() > 1 {
                        self.errors.push(
                            Diagnostic::error("E0658", "not yet implemented: a `for` step that waits inside a larger expression", p_span)
                                .help("move the step into the loop body"),
                        );
                    }
                    v.pop().map(Box::new)
                });
                let (cond, body) = match cond {
                    Some(c) if self.has(&c) => (None, self.cond_in_body(c, body)),
                    c => (c, self.block(body)),
                };
                StmtKind::For { init: init.flatten(), cond, post, body }
            }
            StmtKind::Return(Some(e)) => StmtKind::Return(Some(self.value(e, &mut pre))),
            StmtKind::Select { mut arms } => {
                // The operands of every arm, in order, settle before the wait.
                let mut children = Vec::new();
                for arm in arms.iter_mut() {
                    if let Some(Expr { kind: ExprKind::Lib { args, .. }, .. }) = arm.op.as_mut() {
                        children.extend(args.iter_mut().map(|a| (a, false)));
                    }
                }
                self.operands(children, &mut pre);
                for arm in arms.iter_mut() {
                    let body = std::mem::replace(&mut arm.body, Block { stmts: Vec::new(), span: arm.span });
                    arm.body = self.block(body);
                }
                StmtKind::Select { arms }
            }
            StmtKind::Go { func, args } => {
                let mut args = args;
                self.operands(args.iter_mut().map(|a| (a, false)).collect(), &mut pre);
                StmtKind::Go { func, args }
            }
            other @ (StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue | StmtKind::Defer(_)) => other,
        };
        pre.push(stmt(kind, span));
        pre
    }

    /// `e` at the root of a statement: a suspension stays there (its operands are settled).
    fn top(&mut self, e: Expr, pre: &mut Vec<Stmt>) -> Expr {
        if is_suspension(&e, self.suspends) {
            return self.inside(e, pre);
        }
        self.value(e, pre)
    }

    /// `e` with no suspension left in it: suspensions are bound to temporaries in `pre`.
    fn value(&mut self, e: Expr, pre: &mut Vec<Stmt>) -> Expr {
        if !self.has(&e) {
            return e;
        }
        if is_suspension(&e, self.suspends) {
            let e = self.inside(e, pre);
            return self.bind(e, pre);
        }
        self.inside(e, pre)
    }

    /// `e` itself kept, its parts rewritten so that none suspends.
    fn inside(&mut self, mut e: Expr, pre: &mut Vec<Stmt>) -> Expr {
        if !self.has(&e) {
            return e;
        }
        match e.kind {
            ExprKind::Binary { op: op @ (BinOp::And | BinOp::Or), lhs, rhs } if self.has(&rhs) => {
                // `a && b` as `let! t = a; if t { t = b; }` (`||`: `if !t`).
                let span = e.span;
                let l = self.value(*lhs, pre);
                let t = self.temp(Ty::Bool, span, true);
                pre.push(stmt(StmtKind::Let { local: t, init: l }, span));
                let read = Expr { kind: ExprKind::Local(t), ty: Ty::Bool, span };
                let mut then = Vec::new();
                let r = self.value(*rhs, &mut then);
                then.push(stmt(StmtKind::Assign { place: read.clone(), value: r }, span));
                let cond = if op == BinOp::And { read.clone() } else { not(read.clone()) };
                pre.push(stmt(StmtKind::If { cond, then_block: Block { stmts: then, span }, else_block: None }, span));
                read
            }
            ExprKind::Match { scrutinee, arms } => {
                let scrutinee = Box::new(self.value(*scrutinee, pre));
                let mut out = Vec::with_capacity(arms.len());
                for mut arm in arms {
                    if let Some(g) = &arm.guard {
                        if self.has(g) {
                            self.errors.push(
                                Diagnostic::error("E0658", "not yet implemented: a match guard that waits", g.span)
                                    .help("wait before the `match` and bind the result with `let`"),
                            );
                        }
                    }
                    arm.stmts = self.stmts(std::mem::take(&mut arm.stmts));
                    if let Some(v) = arm.value.take() {
                        let mut stmts = Vec::new();
                        let v = self.value(v, &mut stmts);
                        arm.stmts.extend(stmts);
                        arm.value = Some(v);
                    }
                    out.push(arm);
                }
                e.kind = ExprKind::Match { scrutinee, arms: out };
                e
            }
            _ => {
                self.operands(children(&mut e), pre);
                e
            }
        }
    }

    /// Settles `children` (in evaluation order, with "is a place" flags) so that none suspends:
    /// those evaluated before the last one that suspends are bound to temporaries.
    fn operands(&mut self, children: Vec<(&mut Expr, bool)>, pre: &mut Vec<Stmt>) {
        let Some(last) = children.iter().rposition(|(c, _)| self.has(c)) else { return };
        for (i, (child, place)) in children.into_iter().enumerate().take(last + 1) {
            let taken = std::mem::replace(child, placeholder(child));
            let v = if place { self.place(taken, pre, i < last) } else { self.value(taken, pre) };
            *child = if i < last && !place && !self.stable(&v) { self.bind(v, pre) } else { v };
        }
    }

    /// A place with its waits settled; with `spill` (something later waits), the values it is
    /// computed from (indexes, dereferenced pointers) are bound first, so it denotes the same
    /// location after the wait. The place itself is not copied.
    fn place(&mut self, e: Expr, pre: &mut Vec<Stmt>, spill: bool) -> Expr {
        if !spill && !self.has(&e) {
            return e;
        }
        let Expr { kind, ty, span } = e;
        let kind = match kind {
            ExprKind::Index { base, index } => {
                let base = Box::new(self.place(*base, pre, spill));
                ExprKind::Index { base, index: Box::new(self.settled(*index, pre, spill)) }
            }
            ExprKind::ArrayGet { base, index } => {
                let base = Box::new(self.place(*base, pre, spill));
                ExprKind::ArrayGet { base, index: Box::new(self.settled(*index, pre, spill)) }
            }
            ExprKind::Field { base, field } => ExprKind::Field { base: Box::new(self.place(*base, pre, spill)), field },
            ExprKind::Deref(x) => ExprKind::Deref(Box::new(self.settled(*x, pre, spill))),
            other @ ExprKind::Local(_) => other,
            other => return self.inside(Expr { kind: other, ty, span }, pre),
        };
        Expr { kind, ty, span }
    }

    /// `e` without waits, bound to a temporary when `spill` and its value could change.
    fn settled(&mut self, e: Expr, pre: &mut Vec<Stmt>, spill: bool) -> Expr {
        let v = self.value(e, pre);
        if spill && !self.stable(&v) {
            self.bind(v, pre)
        } else {
            v
        }
    }

    /// Reading `e` later gives the same value: constants, immutable locals, their addresses.
    fn stable(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Unit | ExprKind::FnRef(_) => true,
            ExprKind::Local(id) => self.locals.get(*id as usize).is_some_and(|l| !l.mutable),
            ExprKind::AddrOf { place, .. } => matches!(place.kind, ExprKind::Local(_)),
            _ => false,
        }
    }
}

fn values_of(v: &mut [Expr]) -> Vec<(&mut Expr, bool)> {
    v.iter_mut().map(|x| (x, false)).collect()
}

/// The operands of `e` in evaluation order, each with whether it is used as a place.
fn children(e: &mut Expr) -> Vec<(&mut Expr, bool)> {
    match &mut e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Local(_) | ExprKind::Unit | ExprKind::FnRef(_) => Vec::new(),
        ExprKind::Unary { operand: x, .. } | ExprKind::Cast(x) | ExprKind::Deref(x) | ExprKind::EnumOrdinal(x) => vec![(x.as_mut(), false)],
        ExprKind::Try { inner, .. } => vec![(inner.as_mut(), false)],
        ExprKind::AddrOf { place, .. } => vec![(place.as_mut(), true)],
        ExprKind::ArrayRepeat { value, .. } => vec![(value.as_mut(), false)],
        ExprKind::Field { base, .. } => vec![(base.as_mut(), true)],
        ExprKind::Binary { lhs, rhs, .. } => vec![(lhs.as_mut(), false), (rhs.as_mut(), false)],
        ExprKind::Index { base, index } | ExprKind::ArrayGet { base, index } => vec![(base.as_mut(), true), (index.as_mut(), false)],
        ExprKind::Call { args, .. } | ExprKind::ExternCall { args, .. } | ExprKind::Builtin { args, .. } => values_of(args),
        ExprKind::Lib { op, args } => {
            let receiver_is_place = op.changes_receiver();
            args.iter_mut().enumerate().map(|(i, x)| (x, i == 0 && receiver_is_place)).collect()
        }
        ExprKind::CallValue { callee, args } => {
            let mut out = vec![(callee.as_mut(), false)];
            out.extend(values_of(args));
            out
        }
        ExprKind::Closure { captures, .. } => values_of(captures),
        ExprKind::MethodCall { receiver, args, .. } => {
            let mut out = match receiver {
                Receiver::AddressOf(r) => vec![(r.as_mut(), true)],
                Receiver::Pointer(r) | Receiver::Value(r) => vec![(r.as_mut(), false)],
            };
            out.extend(values_of(args));
            out
        }
        ExprKind::StructLit { fields, .. } => fields.iter_mut().map(|(_, x)| (x, false)).collect(),
        ExprKind::ArrayLit(es) | ExprKind::TupleLit(es) => values_of(es),
        ExprKind::EnumLit { payload, .. } => payload.iter_mut().map(|p| (p.as_mut(), false)).collect(),
        ExprKind::FString(parts) | ExprKind::Print { parts, .. } => parts
            .iter_mut()
            .filter_map(|p| match p {
                PrintPart::Value { expr, .. } => Some((expr, false)),
                _ => None,
            })
            .collect(),
        ExprKind::Abort { message, condition, .. } => {
            let mut out: Vec<(&mut Expr, bool)> = Vec::new();
            if let Some(c) = condition {
                out.push((c.as_mut(), false));
            }
            if let Some(m) = message {
                out.push((m.as_mut(), false));
            }
            out
        }
        // Handled by `inside` (they contain statements).
        ExprKind::Match { .. } => Vec::new(),
    }
}
