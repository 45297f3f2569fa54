//! Plain C `+`/`-` where the language's wrapping cannot happen.
//!
//! Signed integer `+` and `-` wrap (LANGUAGE.md §6.2): the emitted C computes them in the
//! unsigned type (`vex_add_i64`, `vex_sub_i64`), which is exact but hides from the C compiler
//! that `n - 1 < n`. gcc relies on that when it inlines a recursive function into itself (it
//! drops the inner `n < 2` tests of `fib` only for a non-wrapping `n - 1`: 4% of fib's time),
//! and when it analyses a loop counter (`i = i + 1` under `i < n`: 1.5% of fannkuch-redux's
//! time). Where a test bounds a local, `v - c` and `v + c` with a constant `c` that stay inside
//! the type are emitted as the plain C operators: signed overflow there is impossible, so the
//! C has no undefined behaviour either way.
//!
//! A *fact* `lo <= v <= hi` about a local `v` of `i32`/`i64` whose address is never taken
//! (so only an assignment naming it changes it) comes from a comparison `v OP e` or `e OP v`
//! (`OP` one of `<`, `<=`, `>`, `>=`, `==`; `e` a constant, or anything of the type, which
//! still gives `v < e` => `v <= MAX - 1`), or from such comparisons joined by `&&`:
//! - an `if` test holds in its `then` block, its negation in the `else` block, and after an
//!   `if` without `else` whose block cannot fall through (return, break, continue, a panic)
//!   for the rest of the enclosing block;
//! - a `while`/`for` test holds at the top of the body, and in the `for` step when the body
//!   never assigns the local (`continue` reaches the step with the value the test saw).
//!
//! Facts are kept in `FnEmitter::facts`, truncated when the block (or match arm) they were
//! proven in ends, and *forgotten* (`forget`) before a statement that assigns their local —
//! after it when the statement is `v = e` / `v op= e` itself, whose right side is computed
//! while the fact still holds (`FnEmitter::stmts`).

use crate::hir::{self, ExprKind, LocalId, StmtKind};
use crate::syntax::ast::BinOp;
use crate::types::{IntTy, Ty};

/// `lo <= local <= hi`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fact {
    local: LocalId,
    lo: i128,
    hi: i128,
}

fn bounded_int(ty: &Ty) -> Option<IntTy> {
    match ty {
        Ty::Int(i @ (IntTy::I32 | IntTy::I64)) => Some(*i),
        _ => None,
    }
}

/// Adds to `out` the facts `cond` (when `holds`) or its negation gives.
pub(super) fn test_facts(cond: &hir::Expr, holds: bool, escaped: &[bool], out: &mut Vec<Fact>) {
    let ExprKind::Binary { op, lhs, rhs } = &cond.kind else { return };
    // `a && b` holding (or `a || b` failing) says what each side says.
    if (*op == BinOp::And && holds) || (*op == BinOp::Or && !holds) {
        test_facts(lhs, holds, escaped, out);
        test_facts(rhs, holds, escaped, out);
        return;
    }
    let Some(ity) = bounded_int(&lhs.ty).or_else(|| bounded_int(&rhs.ty)) else { return };
    let op = if holds {
        *op
    } else {
        match op {
            BinOp::Lt => BinOp::Ge,
            BinOp::Le => BinOp::Gt,
            BinOp::Gt => BinOp::Le,
            BinOp::Ge => BinOp::Lt,
            BinOp::Ne => BinOp::Eq,
            _ => return,
        }
    };
    let flipped = match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    };
    bound_side(lhs, op, rhs, ity, escaped, out);
    bound_side(rhs, flipped, lhs, ity, escaped, out);
}

/// The fact `v op other` gives about `v`, if `v` is a local nothing points at: bounded by
/// `other`'s value when it is a constant, by its type's range otherwise.
fn bound_side(v: &hir::Expr, op: BinOp, other: &hir::Expr, ity: IntTy, escaped: &[bool], out: &mut Vec<Fact>) {
    let ExprKind::Local(local) = v.kind else { return };
    if escaped.get(local as usize).copied().unwrap_or(true) {
        return;
    }
    let (min, max) = (ity.min_value(), ity.max_value());
    let (other_lo, other_hi) = match other.kind {
        ExprKind::Int(k) => (k, k),
        _ => (min, max),
    };
    let (lo, hi) = match op {
        BinOp::Lt => (min, other_hi - 1),
        BinOp::Le => (min, other_hi),
        BinOp::Gt => (other_lo + 1, max),
        BinOp::Ge => (other_lo, max),
        BinOp::Eq => (other_lo, other_hi),
        _ => return,
    };
    if lo > min || hi < max {
        out.push(Fact { local, lo, hi });
    }
}

/// Makes the facts about `locals` say nothing (kept in place: `facts` is truncated by length).
pub(super) fn forget(facts: &mut [Fact], locals: &[LocalId]) {
    for f in facts.iter_mut().filter(|f| locals.contains(&f.local)) {
        f.lo = i128::MIN;
        f.hi = i128::MAX;
    }
}

/// The locals assigned (`v = e`, `v op= e`, `v.f = e`, `v[i] = e`) anywhere in `s`.
pub(super) fn assigned_in_stmt(s: &hir::Stmt) -> Vec<LocalId> {
    let mut a = Assigned(Vec::new());
    hir::walk_stmt(s, &mut a);
    a.0
}

/// The locals assigned anywhere in `e` (a match arm's statements).
pub(super) fn assigned_in_expr(e: &hir::Expr) -> Vec<LocalId> {
    let mut a = Assigned(Vec::new());
    hir::walk_expr(e, &mut a);
    a.0
}

/// The locals assigned anywhere in `b`.
pub(super) fn assigned_in_block(b: &hir::Block) -> Vec<LocalId> {
    let mut a = Assigned(Vec::new());
    hir::walk_block(b, &mut a);
    a.0
}

struct Assigned(Vec<LocalId>);

impl hir::Visit for Assigned {
    fn stmt(&mut self, s: &hir::Stmt) {
        if let StmtKind::Assign { place, .. } | StmtKind::CompoundAssign { place, .. } = &s.kind {
            if let Some(id) = super::loops::root_local(place) {
                if !self.0.contains(&id) {
                    self.0.push(id);
                }
            }
        }
    }
}

/// The C of `l op r` (`+` or `-`) in C type `ty` without the wrapping helpers, where
/// `cannot_wrap` holds.
pub(super) fn plain(op: BinOp, ty: &str, l: &str, r: &str) -> String {
    let c = if op == BinOp::Add { "+" } else { "-" };
    format!("(({ty})({} {c} {}))", super::func::paren(l), super::func::paren(r))
}

/// `lhs op rhs` (`op` being `+` or `-` of `i32`/`i64`) cannot overflow given `facts`: `lhs` is
/// a local bounded by them and `rhs` a constant that keeps the result inside the type.
pub(super) fn cannot_wrap(facts: &[Fact], op: BinOp, lhs: &hir::Expr, rhs: &hir::Expr) -> bool {
    let (ExprKind::Local(v), ExprKind::Int(c), Some(ity)) = (&lhs.kind, &rhs.kind, bounded_int(&lhs.ty)) else {
        return false;
    };
    let (mut lo, mut hi) = (ity.min_value(), ity.max_value());
    for f in facts.iter().filter(|f| f.local == *v) {
        lo = lo.max(f.lo);
        hi = hi.min(f.hi);
    }
    match op {
        BinOp::Add => *c >= 0 && hi + c <= ity.max_value(),
        BinOp::Sub => *c >= 0 && lo - c >= ity.min_value(),
        _ => false,
    }
}
