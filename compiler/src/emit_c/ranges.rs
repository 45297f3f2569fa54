//! Plain C `+`/`-` where the language's wrapping cannot happen.
//!
//! Signed integer `+` and `-` wrap (LANGUAGE.md §6.2): the emitted C computes them in the
//! unsigned type (`vex_add_i64`, `vex_sub_i64`), which is exact but hides from the C compiler
//! that `n - 1 < n`. gcc relies on that when it inlines a recursive function into itself (it
//! drops the inner `n < 2` tests of `fib` only for a non-wrapping `n - 1`: 4% of fib's time).
//! Where a test that dominates the expression bounds a local that never changes, `v - c` and
//! `v + c` with a constant `c` cannot overflow, and are emitted as the plain C operators:
//! signed overflow there is impossible, so the C has no undefined behaviour either way.
//!
//! A *fact* `lo <= v <= hi` comes from an `if` test `v < K`, `v <= K`, `v > K`, `v >= K`,
//! `v == K` (or the same with `K` first) on a local `v` of `i32`/`i64` that is never assigned
//! after its declaration and whose address is never taken (`fixed_locals`): in the `then` block
//! the test holds, in the `else` block its negation, and after an `if` without `else` whose block
//! cannot fall through (return, break, continue, a panic) the negation holds for the rest of the
//! enclosing block (`FnEmitter::facts`, truncated when a block ends).

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

/// Locals never assigned after their declaration and whose address is never taken: a test
/// of one stays true while it is in scope.
pub(super) fn fixed_locals(f: &hir::Function, escaped: &[bool]) -> Vec<bool> {
    struct Assigned(Vec<bool>);
    impl hir::Visit for Assigned {
        fn stmt(&mut self, s: &hir::Stmt) {
            if let StmtKind::Assign { place, .. } | StmtKind::CompoundAssign { place, .. } = &s.kind {
                if let Some(slot) = super::loops::root_local(place).and_then(|id| self.0.get_mut(id as usize)) {
                    *slot = true;
                }
            }
        }
    }
    let mut assigned = Assigned(vec![false; f.locals.len()]);
    hir::walk_block(&f.body, &mut assigned);
    (0..f.locals.len()).map(|i| !assigned.0[i] && !escaped.get(i).copied().unwrap_or(true)).collect()
}

fn bounded_int(ty: &Ty) -> Option<IntTy> {
    match ty {
        Ty::Int(i @ (IntTy::I32 | IntTy::I64)) => Some(*i),
        _ => None,
    }
}

/// The fact `cond` (when `holds`) or its negation gives, if it is a comparison of a fixed
/// local with a constant.
pub(super) fn test_fact(cond: &hir::Expr, holds: bool, fixed: &[bool]) -> Option<Fact> {
    let ExprKind::Binary { op, lhs, rhs } = &cond.kind else { return None };
    // `v op K`, or `K op v` turned around.
    let (local, op, k) = match (&lhs.kind, &rhs.kind) {
        (ExprKind::Local(v), ExprKind::Int(k)) => (*v, *op, *k),
        (ExprKind::Int(k), ExprKind::Local(v)) => {
            let flipped = match op {
                BinOp::Lt => BinOp::Gt,
                BinOp::Le => BinOp::Ge,
                BinOp::Gt => BinOp::Lt,
                BinOp::Ge => BinOp::Le,
                other => *other,
            };
            (*v, flipped, *k)
        }
        _ => return None,
    };
    let ity = bounded_int(&lhs.ty).or_else(|| bounded_int(&rhs.ty))?;
    if !fixed.get(local as usize).copied().unwrap_or(false) {
        return None;
    }
    let op = if holds {
        op
    } else {
        match op {
            BinOp::Lt => BinOp::Ge,
            BinOp::Le => BinOp::Gt,
            BinOp::Gt => BinOp::Le,
            BinOp::Ge => BinOp::Lt,
            BinOp::Eq => BinOp::Ne,
            BinOp::Ne => BinOp::Eq,
            _ => return None,
        }
    };
    let (min, max) = (ity.min_value(), ity.max_value());
    let (lo, hi) = match op {
        BinOp::Lt => (min, k - 1),
        BinOp::Le => (min, k),
        BinOp::Gt => (k + 1, max),
        BinOp::Ge => (k, max),
        BinOp::Eq => (k, k),
        _ => return None,
    };
    Some(Fact { local, lo, hi })
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
