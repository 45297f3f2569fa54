//! Loop versioning: the array indices of a loop that are provably in bounds once a condition
//! on the loop's entry values holds.
//!
//! A bounds check per `a[i]` costs clang up to ~20% in tight loops (fannkuch-redux's flip
//! loop): it cannot move the check out of the loop itself, since the panic must happen at the
//! iteration that goes out of range. When a loop is
//!
//! ```text
//! while x OP y { prefix; steps }      (or `for init; x OP y; step { prefix; steps }`)
//! ```
//!
//! with `OP` one of `<`, `<=`, `>`, `>=`, `!=` on integer locals or literals, where `x` and `y`
//! are each loop-invariant or changed only by one `+= 1` / `-= 1` step after the prefix (the
//! trailing statements of the body, or the `for` post step), every index `v`, `v + c`, `v - c`
//! of the prefix has bounds that are affine in the entry values of `x` and `y`: e.g. for
//! `lo < hi` with `lo` counting up and `hi` down, `lo_entry <= lo < hi <= hi_entry` at every
//! point of the prefix. The emitter then tests once, before the loop, that those bounds lie
//! inside the arrays, and emits the loop twice: without the proven checks when the test holds,
//! unchanged (the fallback) when it does not. The test only reads locals, so taking either
//! copy has no effect of its own, and an out-of-range loop still panics in the checked copy at
//! the same statement, after the same side effects. A test decided at compile time (constant
//! bounds) leaves one copy.
//!
//! Soundness conditions (anything else keeps the loop as it is):
//! - the bounding locals and the index locals are written nowhere in the loop but by their one
//!   step (no assignment, `let`, pattern binding, `select` binding in the body), and their
//!   address is taken nowhere in the function (`&x!`, a method receiver by address, a library
//!   receiver), so no call can change them;
//! - the steps come after every index they bound, so in the prefix the locals hold the values
//!   the loop condition was just tested on; `continue` may skip a trailing step (the local then
//!   keeps its value, which keeps the bounds);
//! - a step never wraps: `x += 1` under `x < y` cannot, under `x <= y` only if `y` starts
//!   below the type's maximum (part of the test), under `x != y` only if `x` starts at or below
//!   `y` (part of the test: `x` then reaches `y` and stops);
//! - `v + c` is in range mathematically and below the type's maximum, so its wrapping C
//!   computation is exact;
//! - arrays have their length in their type, so nothing resizes them.
//!
//! Only innermost loops of bounded size are versioned (the body is emitted twice) and never in
//! a suspending function (whose loops yield at their back edge).

use crate::hir::{self, ExprKind, LocalId, StmtKind};
use crate::syntax::ast::BinOp;
use crate::types::Ty;
use std::collections::BTreeMap;

/// Statements (at any depth) a versioned loop body may have: the body is emitted twice.
const MAX_BODY_STMTS: usize = 48;

/// What versioning a loop needs: the entry test and the index expressions it makes safe.
pub(super) struct Plan {
    /// The C condition tested before the loop; None when it holds at compile time (then the
    /// loop is emitted once, without the proven checks).
    pub guard: Option<String>,
    /// The `Index` expressions (by address) in bounds whenever the guard holds.
    pub unchecked: Vec<*const hir::Expr>,
}

/// A side of the loop condition.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Local(LocalId),
    Const(i128),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Motion {
    Invariant,
    Up,
    Down,
}

/// The entry value of `base` plus `off`.
#[derive(Clone, Copy)]
struct Affine {
    base: Side,
    off: i128,
}

impl Affine {
    fn entry(base: Side) -> Affine {
        Affine { base, off: 0 }
    }
    fn plus(self, d: i128) -> Affine {
        Affine { base: self.base, off: self.off + d }
    }
}

/// Conditions the entry test collects: a local (entry value) at least / at most a constant,
/// or at most another local of the same type.
#[derive(Default)]
struct Guard {
    /// (local, is_lower) -> the tightest constant bound.
    consts: BTreeMap<(LocalId, bool), i128>,
    /// `a <= b` between locals.
    pairs: Vec<(LocalId, LocalId)>,
}

pub(super) fn plan(
    f: &hir::Function,
    escaped: &[bool],
    locals: &[String],
    init: Option<&hir::Stmt>,
    cond: &hir::Expr,
    body: &hir::Block,
    post: Option<&hir::Stmt>,
) -> Option<Plan> {
    let ExprKind::Binary { op, lhs, rhs } = &cond.kind else { return None };
    // A `for` init giving a local a constant (`let! i = 0`): its entry value is known.
    let known = init.and_then(|s| match &s.kind {
        StmtKind::Let { local, init: hir::Expr { kind: ExprKind::Int(c), .. } } => Some((*local, *c)),
        StmtKind::Assign { place: hir::Expr { kind: ExprKind::Local(l), .. }, value: hir::Expr { kind: ExprKind::Int(c), .. } } => Some((*l, *c)),
        _ => None,
    });
    let at_entry = |s: Side| match (s, known) {
        (Side::Local(id), Some((k, c))) if id == k => Affine::entry(Side::Const(c)),
        _ => Affine::entry(s),
    };
    let (op, x, y) = match op {
        BinOp::Lt | BinOp::Le | BinOp::Ne => (*op, side(lhs)?, side(rhs)?),
        BinOp::Gt => (BinOp::Lt, side(rhs)?, side(lhs)?),
        BinOp::Ge => (BinOp::Le, side(rhs)?, side(lhs)?),
        _ => return None,
    };
    let Ty::Int(cty) = lhs.ty else { return None };
    if x == y || !small_innermost(body) {
        return None;
    }
    let int_ty = |id: LocalId| match f.locals.get(id as usize).map(|l| &l.ty) {
        Some(Ty::Int(t)) => Some(*t),
        _ => None,
    };

    // The trailing steps of the body (and the post step) are the only writes allowed to the
    // locals the bounds rest on.
    let tail_start = body.stmts.iter().rposition(|s| step_of(s).is_none()).map_or(0, |i| i + 1);
    let (prefix, tail) = body.stmts.split_at(tail_start);
    let mut writes = Writes::default();
    for s in prefix {
        hir::walk_stmt(s, &mut writes);
    }
    if writes.reject {
        return None;
    }
    let mut steps: BTreeMap<LocalId, Vec<i128>> = BTreeMap::new();
    for s in tail {
        if let Some((v, d)) = step_of(s) {
            steps.entry(v).or_default().push(d);
        }
    }
    if let Some(p) = post {
        match step_of(p) {
            Some((v, d)) => steps.entry(v).or_default().push(d),
            None => {
                hir::walk_stmt(p, &mut writes);
                if writes.reject {
                    return None;
                }
            }
        }
    }
    let stable = |id: LocalId| {
        !escaped.get(id as usize).copied().unwrap_or(true) && !writes.written.contains(&id) && int_ty(id).is_some()
    };
    let motion = |s: Side| -> Option<Motion> {
        match s {
            Side::Const(_) => Some(Motion::Invariant),
            Side::Local(id) if !stable(id) => None,
            Side::Local(id) => match steps.get(&id).map(Vec::as_slice) {
                None => Some(Motion::Invariant),
                Some([1]) => Some(Motion::Up),
                Some([-1]) => Some(Motion::Down),
                Some(_) => None,
            },
        }
    };
    let (mx, my) = (motion(x)?, motion(y)?);
    let (min, max) = (cty.min_value(), cty.max_value());

    // Bounds of x and y at every point of the prefix, and what they need on entry.
    let mut guard = Guard::default();
    let (mut x_lo, mut x_hi, mut y_lo, mut y_hi) = (None, None, None, None);
    match op {
        BinOp::Lt => {
            // x < y: x only grows (it cannot wrap below y), y only shrinks.
            let xl = matches!(mx, Motion::Invariant | Motion::Up).then(|| at_entry(x));
            let yh = matches!(my, Motion::Invariant | Motion::Down).then(|| at_entry(y));
            (x_lo, x_hi, y_lo, y_hi) = (xl, yh.map(|a| a.plus(-1)), xl.map(|a| a.plus(1)), yh);
        }
        BinOp::Le => {
            // x <= y: `x += 1` wraps only at x == y == max, so y must start below max (and
            // symmetrically x above min for `y -= 1`).
            let xl = match mx {
                Motion::Invariant => Some(at_entry(x)),
                Motion::Up if matches!(my, Motion::Invariant | Motion::Down) => {
                    guard.require(at_entry(y), false, max - 1, f).then(|| at_entry(x))
                }
                _ => None,
            };
            let yh = match my {
                Motion::Invariant => Some(at_entry(y)),
                Motion::Down if matches!(mx, Motion::Invariant | Motion::Up) => {
                    guard.require(at_entry(x), true, min + 1, f).then(|| at_entry(y))
                }
                _ => None,
            };
            (x_lo, x_hi, y_lo, y_hi) = (xl, yh, xl, yh);
        }
        _ => {
            // x != y with one side invariant and the other moving by one toward it: it reaches
            // it (and the loop stops) if it starts on the right side, which the test checks.
            let (mv, inv, m, swap) = match (mx, my) {
                (_, Motion::Invariant) => (x, y, mx, false),
                (Motion::Invariant, _) => (y, x, my, true),
                _ => return None,
            };
            let (lo, hi) = match m {
                Motion::Invariant => (Some(at_entry(mv)), Some(at_entry(mv))),
                Motion::Up if guard.require_le(mv, inv) => (Some(at_entry(mv)), Some(at_entry(inv).plus(-1))),
                Motion::Down if guard.require_le(inv, mv) => (Some(at_entry(inv).plus(1)), Some(at_entry(mv))),
                _ => return None,
            };
            if swap {
                (y_lo, y_hi) = (lo, hi);
            } else {
                (x_lo, x_hi) = (lo, hi);
            }
        }
    }
    let bounds_of = |v: LocalId| -> Option<(Affine, Affine)> {
        let pick = |s: Side, lo: Option<Affine>, hi: Option<Affine>| (s == Side::Local(v)).then_some(()).and(lo.zip(hi));
        if let Some(b) = pick(x, x_lo, x_hi).or_else(|| pick(y, y_lo, y_hi)) {
            return Some(b);
        }
        // Any other local the loop never writes keeps its entry value.
        (x != Side::Local(v) && y != Side::Local(v) && stable(v) && !steps.contains_key(&v))
            .then(|| (Affine::entry(Side::Local(v)), Affine::entry(Side::Local(v))))
    };

    // The array indices of the prefix: (the Index expression, the array length, v, c).
    let mut indices: Vec<(*const hir::Expr, u64, LocalId, i128)> = Vec::new();
    for s in prefix {
        hir::walk_stmt(s, &mut IndexCollector(&mut indices));
    }
    let mut unchecked = Vec::new();
    for (e, len, v, c) in indices {
        let (Some(vty), Some((lo, hi)), true) = (int_ty(v), bounds_of(v), len > 0) else { continue };
        // `v + c` must not wrap in v's type: keep it below the maximum too.
        let cap = if c == 0 { len as i128 - 1 } else { (len as i128 - 1).min(vty.max_value()) };
        let mut trial = guard.clone_terms();
        if trial.require(lo.plus(c), true, 0, f) && trial.require(hi.plus(c), false, cap, f) {
            guard = trial;
            unchecked.push(e);
        }
    }
    if unchecked.is_empty() {
        return None;
    }
    Some(Plan { guard: guard.text(f, locals), unchecked })
}

impl Guard {
    fn clone_terms(&self) -> Guard {
        Guard { consts: self.consts.clone(), pairs: self.pairs.clone() }
    }

    /// Adds "`a` >= bound" (`lower`) or "`a` <= bound"; false if it can never hold.
    fn require(&mut self, a: Affine, lower: bool, bound: i128, f: &hir::Function) -> bool {
        let c = bound - a.off;
        let id = match a.base {
            Side::Const(k) => return if lower { k >= c } else { k <= c },
            Side::Local(id) => id,
        };
        let Some(Ty::Int(t)) = f.locals.get(id as usize).map(|l| &l.ty) else { return false };
        let (min, max) = (t.min_value(), t.max_value());
        // Conditions every value of the type meets are left out (C compilers warn about
        // comparisons that are always true).
        if lower {
            if c <= min {
                return true;
            }
            if c > max {
                return false;
            }
        } else {
            if c >= max {
                return true;
            }
            if c < min {
                return false;
            }
        }
        let slot = self.consts.entry((id, lower)).or_insert(c);
        *slot = if lower { (*slot).max(c) } else { (*slot).min(c) };
        true
    }

    /// Adds "`a` <= `b`" (entry values); false if it can never hold.
    fn require_le(&mut self, a: Side, b: Side) -> bool {
        match (a, b) {
            (Side::Const(p), Side::Const(q)) => p <= q,
            (Side::Local(p), Side::Local(q)) => {
                self.pairs.push((p, q));
                true
            }
            // A constant on one side: a bound on the local (its type's range is checked when
            // the text is made).
            (Side::Local(p), Side::Const(q)) => {
                let slot = self.consts.entry((p, false)).or_insert(q);
                *slot = (*slot).min(q);
                true
            }
            (Side::Const(p), Side::Local(q)) => {
                let slot = self.consts.entry((q, true)).or_insert(p);
                *slot = (*slot).max(p);
                true
            }
        }
    }

    /// The C test, in the locals' own types; None when nothing is left to test.
    fn text(&self, f: &hir::Function, locals: &[String]) -> Option<String> {
        let mut terms = Vec::new();
        // Each local's lower bound before its upper bound.
        let mut consts: Vec<_> = self.consts.iter().collect();
        consts.sort_by_key(|((id, lower), _)| (*id, !*lower));
        for (&(id, lower), &c) in consts {
            let Some(Ty::Int(t)) = f.locals.get(id as usize).map(|l| &l.ty) else { continue };
            // (require_le may have recorded a bound every value meets.)
            if (lower && c <= t.min_value()) || (!lower && c >= t.max_value()) {
                continue;
            }
            // (In range and not the type's minimum: a plain C literal of the right value.)
            let suffix = if t.signed() { "" } else { "u" };
            let name = &locals[id as usize];
            let cmp = if lower { ">=" } else { "<=" };
            terms.push(format!("{name} {cmp} {c}{suffix}"));
        }
        for (a, b) in &self.pairs {
            terms.push(format!("{} <= {}", locals[*a as usize], locals[*b as usize]));
        }
        (!terms.is_empty()).then(|| terms.join(" && "))
    }
}

fn side(e: &hir::Expr) -> Option<Side> {
    match e.kind {
        ExprKind::Local(id) => Some(Side::Local(id)),
        ExprKind::Int(v) => Some(Side::Const(v)),
        _ => None,
    }
}

/// `v += 1`, `v -= 1`, `v = v + 1`, `v = v - 1` (also with -1): the local and its change.
fn step_of(s: &hir::Stmt) -> Option<(LocalId, i128)> {
    let (v, op, d) = match &s.kind {
        StmtKind::CompoundAssign { place, op, value } => match (&place.kind, &value.kind) {
            (ExprKind::Local(v), ExprKind::Int(d)) => (*v, *op, *d),
            _ => return None,
        },
        StmtKind::Assign { place, value } => match (&place.kind, &value.kind) {
            (ExprKind::Local(v), ExprKind::Binary { op, lhs, rhs }) => match (&lhs.kind, &rhs.kind) {
                (ExprKind::Local(w), ExprKind::Int(d)) if w == v => (*v, *op, *d),
                _ => return None,
            },
            _ => return None,
        },
        _ => return None,
    };
    if !matches!(place_ty(s), Some(Ty::Int(_))) {
        return None;
    }
    let d = match op {
        BinOp::Add => d,
        BinOp::Sub => -d,
        _ => return None,
    };
    matches!(d, 1 | -1).then_some((v, d))
}

fn place_ty(s: &hir::Stmt) -> Option<&Ty> {
    match &s.kind {
        StmtKind::CompoundAssign { place, .. } | StmtKind::Assign { place, .. } => Some(&place.ty),
        _ => None,
    }
}

/// An index `v`, `v + c`, `c + v` or `v - c`: the local and the constant offset.
fn offset_index(e: &hir::Expr) -> Option<(LocalId, i128)> {
    match &e.kind {
        ExprKind::Local(v) => Some((*v, 0)),
        ExprKind::Binary { op: BinOp::Add, lhs, rhs } => match (&lhs.kind, &rhs.kind) {
            (ExprKind::Local(v), ExprKind::Int(c)) | (ExprKind::Int(c), ExprKind::Local(v)) => Some((*v, *c)),
            _ => None,
        },
        ExprKind::Binary { op: BinOp::Sub, lhs, rhs } => match (&lhs.kind, &rhs.kind) {
            (ExprKind::Local(v), ExprKind::Int(c)) => Some((*v, -*c)),
            _ => None,
        },
        _ => None,
    }
}

/// A body with no loop inside and at most MAX_BODY_STMTS statements.
fn small_innermost(body: &hir::Block) -> bool {
    let mut count = 0usize;
    let mut nested = false;
    hir::visit_block_stmts(body, &mut |s| {
        count += 1;
        nested |= matches!(s.kind, StmtKind::While { .. } | StmtKind::For { .. });
    });
    !nested && count <= MAX_BODY_STMTS
}

/// The locals a piece of the loop writes; `reject` for constructs the analysis does not model.
#[derive(Default)]
struct Writes {
    written: std::collections::HashSet<LocalId>,
    reject: bool,
}

impl hir::Visit for Writes {
    fn stmt(&mut self, s: &hir::Stmt) {
        match &s.kind {
            StmtKind::Let { local, .. } => {
                self.written.insert(*local);
            }
            StmtKind::Assign { place, .. } | StmtKind::CompoundAssign { place, .. } => {
                if let Some(id) = root_local(place) {
                    self.written.insert(id);
                }
            }
            StmtKind::Select { .. } | StmtKind::Go { .. } => self.reject = true,
            _ => {}
        }
    }
    fn expr(&mut self, e: &hir::Expr) {
        if let ExprKind::Match { arms, .. } = &e.kind {
            for arm in arms {
                pattern_binds(&arm.pattern, &mut self.written);
            }
        }
    }
}

fn pattern_binds(p: &hir::Pattern, out: &mut std::collections::HashSet<LocalId>) {
    match p {
        hir::Pattern::Bind(id) => {
            out.insert(*id);
        }
        hir::Pattern::Variant { payload: Some(p), .. } => pattern_binds(p, out),
        hir::Pattern::Or(ps) => ps.iter().for_each(|p| pattern_binds(p, out)),
        _ => {}
    }
}

/// The local a place expression is part of (`x`, `x.f`, `x[i]`), if any.
pub(super) fn root_local(place: &hir::Expr) -> Option<LocalId> {
    match &place.kind {
        ExprKind::Local(id) => Some(*id),
        ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => root_local(base),
        _ => None,
    }
}

struct IndexCollector<'a>(&'a mut Vec<(*const hir::Expr, u64, LocalId, i128)>);

impl hir::Visit for IndexCollector<'_> {
    fn expr(&mut self, e: &hir::Expr) {
        if let ExprKind::Index { base, index } = &e.kind {
            if let (Ty::Array(_, len), Some((v, c))) = (&base.ty, offset_index(index)) {
                self.0.push((e as *const hir::Expr, *len, v, c));
            }
        }
    }
}

/// Locals whose address is taken somewhere in the function (`&x`, `&x!`, a method receiver
/// passed by address, a library receiver): a call could change them behind the loop's back.
pub(super) fn escaped_locals(f: &hir::Function) -> Vec<bool> {
    let mut out = vec![false; f.locals.len()];
    let mut mark = |place: &hir::Expr| {
        if let Some(id) = root_local(place) {
            if let Some(slot) = out.get_mut(id as usize) {
                *slot = true;
            }
        }
    };
    hir::visit_block_exprs(&f.body, &mut |e| match &e.kind {
        ExprKind::AddrOf { place, .. } => mark(place),
        ExprKind::MethodCall { receiver: hir::Receiver::AddressOf(place), .. } => mark(place),
        ExprKind::Lib { args, .. } => {
            if let Some(a) = args.first() {
                mark(a);
            }
        }
        _ => {}
    });
    out
}
