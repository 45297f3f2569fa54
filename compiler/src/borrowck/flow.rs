//! The flow-sensitive walk shared by phases 2-4 of §15 (moves, borrows, lifetimes).
//!
//! One `Checker` walks a function body in evaluation order, carrying a `State`: which locals are
//! moved out, which borrows (*loans*) are alive, which locals hold references to which locals
//! (`points_to`), and which hold a reference whose referent has gone out of scope. Branches are
//! walked on copies of the state and joined (a fact on any path holds afterwards); loop bodies
//! are walked until the state at the loop head stops growing, so a move in one iteration is seen
//! by the next. `break`/`continue`/`return` make the state unreachable; no error is reported in
//! unreachable code.
//!
//! Lexical lifetimes (§15.3): a loan stored in a local (`let r = &x;`) lives until that local's
//! block ends (or the local is reassigned); any other loan lives until the end of its statement.
//!
//! The rules themselves live in `moves.rs`, `borrows.rs` and `lifetimes.rs`.

use super::{holds_ref, is_copy};
use crate::diag::Diagnostic;
use crate::hir::{self, Block, Expr, ExprKind, LocalId, Pattern, PrintPart, Receiver, Stmt, StmtKind};
use crate::span::Span;
use crate::syntax::ast::BinOp;
use crate::types::Ty;
use std::collections::{BTreeMap, BTreeSet};

/// Who keeps a loan alive.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Holder {
    /// A local (or a pseudo-local standing for a value being built, see `Checker::pseudo`):
    /// until that local's block ends or it is reassigned.
    Named(LocalId),
    /// Until the end of the statement at this nesting depth.
    Temp(u32),
}

/// A live borrow of (a place rooted at) the local `root`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) struct Loan {
    pub root: LocalId,
    pub mutable: bool,
    pub span: Span,
    pub holder: Holder,
}

/// A local holding a reference to `referent`, which went out of scope at `dropped`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Dangling {
    pub referent: LocalId,
    pub borrow: Span,
    pub dropped: Span,
}

#[derive(Clone, PartialEq, Debug)]
pub(super) struct State {
    pub reachable: bool,
    /// Moved-out locals and where they were moved.
    pub moved: BTreeMap<LocalId, Span>,
    pub loans: BTreeSet<Loan>,
    /// Locals (whose type holds a reference) -> the locals they may point into, with the span of
    /// the borrow.
    pub points_to: BTreeMap<LocalId, BTreeSet<(LocalId, Span)>>,
    pub dangling: BTreeMap<LocalId, Dangling>,
}

impl State {
    fn entry() -> State {
        State { reachable: true, ..State::unreachable() }
    }

    pub(super) fn unreachable() -> State {
        State {
            reachable: false,
            moved: BTreeMap::new(),
            loans: BTreeSet::new(),
            points_to: BTreeMap::new(),
            dangling: BTreeMap::new(),
        }
    }

    /// The state after either `self` or `other` (conservative union).
    pub(super) fn join(&mut self, other: &State) {
        if !other.reachable {
            return;
        }
        if !self.reachable {
            *self = other.clone();
            return;
        }
        for (k, v) in &other.moved {
            self.moved.entry(*k).or_insert(*v);
        }
        self.loans.extend(other.loans.iter().copied());
        for (k, v) in &other.points_to {
            self.points_to.entry(*k).or_default().extend(v.iter().copied());
        }
        for (k, v) in &other.dangling {
            self.dangling.entry(*k).or_insert(*v);
        }
    }

    /// Ends the temporary loans of statements at `depth` and deeper.
    fn end_temps(&mut self, depth: u32) {
        self.loans.retain(|l| !matches!(l.holder, Holder::Temp(d) if d >= depth));
    }
}

struct LoopCx {
    /// `scopes.len()` when the loop started: scopes above it are left by `break`/`continue`.
    scope_depth: usize,
    breaks: State,
    continues: State,
}

pub(super) struct Checker<'a> {
    pub program: &'a hir::Program,
    pub f: &'a hir::Function,
    pub diags: Vec<Diagnostic>,
    /// Locals declared in each open block (index 0: parameters and the function body).
    scopes: Vec<Vec<LocalId>>,
    /// Every local listed in `scopes` (a local is declared in one block only), so that
    /// `declare` is not linear in the number of locals of a block.
    scoped: rustc_hash::FxHashSet<LocalId>,
    loops: Vec<LoopCx>,
    /// Nesting depth of the statement being checked (for temporary loans).
    depth: u32,
    next_pseudo: LocalId,
}

pub fn check_function(program: &hir::Program, f: &hir::Function, out: &mut Vec<Diagnostic>) {
    let mut cx = Checker {
        program,
        f,
        diags: Vec::new(),
        scopes: vec![f.params.clone()],
        scoped: f.params.iter().copied().collect(),
        loops: Vec::new(),
        depth: 0,
        next_pseudo: LocalId::MAX,
    };
    let mut st = State::entry();
    for s in &f.body.stmts {
        cx.stmt(s, &mut st);
    }
    // Loops are walked more than once: keep the first report of each mistake.
    let mut seen = BTreeSet::new();
    for d in cx.diags {
        if seen.insert((d.code, d.span)) {
            out.push(d);
        }
    }
}

/// The local a place is rooted at, and whether the path goes through a dereference (then the
/// storage borrowed is not the local's own but what the local points to).
pub(super) fn place_root(place: &Expr) -> Option<(LocalId, bool)> {
    match &place.kind {
        ExprKind::Local(id) => Some((*id, false)),
        ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => place_root(base),
        ExprKind::Deref(inner) => place_root(inner).map(|(r, _)| (r, true)),
        _ => None,
    }
}

/// The span of a block's closing brace.
fn end_of(span: Span) -> Span {
    Span { file: span.file, start: span.end.saturating_sub(1).max(span.start), end: span.end }
}

impl<'a> Checker<'a> {
    pub(super) fn local(&self, id: LocalId) -> &'a hir::Local {
        &self.f.locals[id as usize]
    }

    pub(super) fn is_real(&self, id: LocalId) -> bool {
        (id as usize) < self.f.locals.len()
    }

    /// A fresh pseudo-local: the holder of the loans made while building a value that is then
    /// stored (in a `let`, an assignment, a `return`).
    fn pseudo(&mut self) -> LocalId {
        self.next_pseudo -= 1;
        self.next_pseudo
    }

    pub(super) fn report(&mut self, st: &State, d: Diagnostic) {
        if st.reachable {
            self.diags.push(d);
        }
    }

    /// A pseudo holder for a value of type `ty` if the value can hold a reference.
    fn carrier(&mut self, ty: &Ty) -> Option<LocalId> {
        holds_ref(ty, self.program).then(|| self.pseudo())
    }

    // ------------------------------------------------------------ statements

    fn stmt(&mut self, s: &Stmt, st: &mut State) {
        self.depth += 1;
        let depth = self.depth;
        match &s.kind {
            StmtKind::Let { local, init } => {
                let carry = self.carrier(&self.local(*local).ty);
                self.operand(init, st, carry);
                self.declare(*local, st);
                if let Some(c) = carry {
                    self.transfer(c, *local, true, st);
                }
            }
            StmtKind::Assign { place, value } => self.assign(place, value, s.span, st),
            StmtKind::CompoundAssign { place, value, .. } => {
                self.expr(value, st, None);
                self.place_uses(place, st);
                if let Some((root, _)) = place_root(place) {
                    self.check_mutation(root, s.span, None, st);
                }
            }
            StmtKind::Expr(e) => self.expr(e, st, None),
            StmtKind::Go { args, .. } => {
                // The task may outlive this frame: its arguments move into it, and none may
                // hold a reference (§14.1).
                for a in args {
                    if holds_ref(&a.ty, self.program) {
                        let label = match a.kind {
                            ExprKind::Local(id) => format!("`{}` holds a reference", self.local(id).name),
                            _ => "holds a reference".to_string(),
                        };
                        self.diags.push(
                            Diagnostic::error("E0373", "a `go` task may outlive the value this argument borrows", a.span)
                                .label(label)
                                .help("pass owned values (they are moved into the task) or handles such as channels"),
                        );
                    }
                    self.operand(a, st, None);
                }
            }
            StmtKind::Select { arms } => {
                // Every operand is evaluated (a send's value moves, sent or not); then one
                // arm runs.
                for arm in arms {
                    if let Some(op) = &arm.op {
                        self.expr(op, st, None);
                    }
                }
                st.end_temps(depth);
                let mut joined: Option<State> = None;
                for arm in arms {
                    let mut branch = st.clone();
                    self.scopes.push(Vec::new());
                    if let Some(b) = arm.bind {
                        self.declare(b, &mut branch);
                    }
                    for s in &arm.body.stmts {
                        self.stmt(s, &mut branch);
                    }
                    let locals = self.pop_scope();
                    self.exit_scope(&locals, end_of(arm.body.span), &mut branch);
                    joined = Some(match joined {
                        None => branch,
                        Some(mut j) => {
                            j.join(&branch);
                            j
                        }
                    });
                }
                if let Some(j) = joined {
                    *st = j;
                }
            }
            StmtKind::Defer(call) => {
                // The call runs when the function returns: its uses are checked against the
                // state here, but its moves and borrows happen then, not now.
                let mut at_exit = st.clone();
                self.expr(call, &mut at_exit, None);
            }
            StmtKind::If { cond, then_block, else_block } => {
                self.expr(cond, st, None);
                st.end_temps(depth);
                let mut then_st = st.clone();
                self.block(then_block, &mut then_st);
                if let Some(b) = else_block {
                    self.block(b, st);
                }
                st.join(&then_st);
            }
            StmtKind::While { cond, body } => self.run_loop(Some(cond), body, None, depth, st),
            StmtKind::For { init, cond, post, body } => {
                self.scopes.push(Vec::new());
                if let Some(i) = init {
                    self.stmt(i, st);
                }
                self.run_loop(cond.as_ref(), body, post.as_deref(), depth, st);
                let locals = self.pop_scope();
                self.exit_scope(&locals, end_of(s.span), st);
            }
            StmtKind::Return(value) => {
                if let Some(e) = value {
                    let carry = self.carrier(&self.f.ret);
                    self.operand(e, st, carry);
                    if let Some(c) = carry {
                        self.check_return(c, e.span, st);
                    }
                }
                st.reachable = false;
            }
            StmtKind::Break | StmtKind::Continue => {
                let mut jump = st.clone();
                if let Some(lp) = self.loops.last() {
                    let from = lp.scope_depth;
                    for i in (from..self.scopes.len()).rev() {
                        let locals = self.scopes[i].clone();
                        self.exit_scope(&locals, s.span, &mut jump);
                    }
                }
                if let Some(lp) = self.loops.last_mut() {
                    if matches!(s.kind, StmtKind::Break) {
                        lp.breaks.join(&jump);
                    } else {
                        lp.continues.join(&jump);
                    }
                }
                st.reachable = false;
            }
        }
        st.end_temps(depth);
        self.depth -= 1;
    }

    fn assign(&mut self, place: &Expr, value: &Expr, span: Span, st: &mut State) {
        let target = match &place.kind {
            ExprKind::Local(id) => Some(*id),
            _ => None,
        };
        // `r = &y;` ends the borrow `r` held before (the usual pattern in loops).
        if let (Some(h), ExprKind::AddrOf { .. }) = (target, &value.kind) {
            st.loans.retain(|l| l.holder != Holder::Named(h));
        }
        let carry = self.carrier(&place.ty);
        self.operand(value, st, carry);
        if target.is_none() {
            self.place_uses(place, st);
        }
        let root = place_root(place);
        if let Some((r, _)) = root {
            self.check_mutation(r, span, None, st);
        }
        if let Some(h) = target {
            st.moved.remove(&h);
        }
        match (carry, target, root) {
            (Some(c), Some(h), _) => self.transfer(c, h, true, st),
            (Some(c), None, Some((r, _))) => self.transfer(c, r, false, st),
            (Some(c), None, None) => self.forget(c, st),
            (None, Some(h), _) => self.forget(h, st),
            _ => {}
        }
    }

    fn block(&mut self, b: &Block, st: &mut State) {
        self.scopes.push(Vec::new());
        for s in &b.stmts {
            self.stmt(s, st);
        }
        let locals = self.pop_scope();
        self.exit_scope(&locals, end_of(b.span), st);
    }

    /// `while` / `for`: walks the body until the state at the loop head is stable.
    fn run_loop(&mut self, cond: Option<&Expr>, body: &Block, post: Option<&Stmt>, depth: u32, st: &mut State) {
        let endless = cond.is_none_or(|c| matches!(c.kind, ExprKind::Bool(true)));
        let mut head = st.clone();
        for round in 0.. {
            let mut s = head.clone();
            if let Some(c) = cond {
                self.expr(c, &mut s, None);
                s.end_temps(depth);
            }
            let exit = if endless { State::unreachable() } else { s.clone() };
            self.loops.push(LoopCx { scope_depth: self.scopes.len(), breaks: State::unreachable(), continues: State::unreachable() });
            self.block(body, &mut s);
            let lp = self.loops.pop().expect("loop context");
            s.join(&lp.continues);
            if let Some(p) = post {
                self.stmt(p, &mut s);
            }
            let mut next = head.clone();
            next.join(&s);
            if next == head || round >= 64 {
                let mut after = exit;
                after.join(&lp.breaks);
                *st = after;
                return;
            }
            head = next;
        }
    }

    // ------------------------------------------------------------ expressions

    /// An expression in a moving position (§15.2): a bare local of a move type is moved.
    fn operand(&mut self, e: &Expr, st: &mut State, carry: Option<LocalId>) {
        if let ExprKind::Local(id) = e.kind {
            if !is_copy(&self.local(id).ty, self.program) {
                self.use_local(id, e.span, st, false);
                self.move_out(id, e.span, st);
                if let Some(c) = carry.filter(|_| holds_ref(&e.ty, self.program)) {
                    self.copy_holdings(id, c, st);
                }
                return;
            }
        }
        self.expr(e, st, carry);
    }

    /// Checks an expression evaluated for its value. `carry`: the value (or the part of it this
    /// expression produces) is stored in that holder, so borrows made here live as long as it.
    pub(super) fn expr(&mut self, e: &Expr, st: &mut State, carry: Option<LocalId>) {
        let carry = carry.filter(|_| holds_ref(&e.ty, self.program));
        match &e.kind {
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Unit => {}
            ExprKind::Local(id) => {
                self.use_local(*id, e.span, st, false);
                if let Some(c) = carry {
                    self.copy_holdings(*id, c, st);
                }
            }
            ExprKind::Unary { operand: x, .. } | ExprKind::EnumOrdinal(x) => self.expr(x, st, None),
            ExprKind::Cast(x) | ExprKind::Deref(x) | ExprKind::Field { base: x, .. } | ExprKind::Try { inner: x, .. } => {
                self.expr(x, st, carry)
            }
            ExprKind::Index { base, index } | ExprKind::ArrayGet { base, index } => {
                self.expr(base, st, carry);
                self.expr(index, st, None);
            }
            ExprKind::Binary { op: BinOp::And | BinOp::Or, lhs, rhs } => {
                self.expr(lhs, st, None);
                let mut taken = st.clone();
                self.expr(rhs, &mut taken, None);
                st.join(&taken);
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs, st, None);
                self.expr(rhs, st, None);
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|a| self.operand(a, st, carry)),
            ExprKind::CallValue { callee, args } => {
                self.expr(callee, st, None);
                args.iter().for_each(|a| self.operand(a, st, carry));
            }
            // Capturing is a moving position (§15.2); the closure's body is its own function.
            // A captured reference lives on in the closure: the closure's holder keeps its loans.
            ExprKind::Closure { captures, .. } => captures.iter().for_each(|c| self.operand(c, st, carry)),
            ExprKind::FnRef(_) => {}
            ExprKind::Lib { op, args } => self.lib_op(*op, args, e.span, st, carry),
            // Builtin function arguments never move (§15.2); C functions only borrow.
            ExprKind::Builtin { args, .. } | ExprKind::ExternCall { args, .. } => args.iter().for_each(|a| self.expr(a, st, None)),
            ExprKind::FString(parts) => {
                for p in parts {
                    if let PrintPart::Value { expr, .. } = p {
                        self.expr(expr, st, None);
                    }
                }
            }
            ExprKind::MethodCall { func, receiver, args, operator } => {
                self.receiver(*func, receiver, e.span, st, carry);
                if *operator {
                    // Operator operands never move (§15.2).
                    args.iter().for_each(|a| self.expr(a, st, None));
                } else if self.program.functions[*func as usize].mutating {
                    // A mutating method may keep its arguments in the receiver.
                    let recv = match receiver {
                        Receiver::AddressOf(x) | Receiver::Pointer(x) | Receiver::Value(x) => x,
                    };
                    self.store_into(Some(recv), args, st);
                } else {
                    args.iter().for_each(|a| self.operand(a, st, carry));
                }
            }
            ExprKind::StructLit { fields, .. } => fields.iter().for_each(|(_, x)| self.operand(x, st, carry)),
            ExprKind::ArrayLit(xs) | ExprKind::TupleLit(xs) => xs.iter().for_each(|x| self.operand(x, st, carry)),
            ExprKind::EnumLit { payload, .. } => {
                if let Some(p) = payload {
                    self.operand(p, st, carry);
                }
            }
            ExprKind::ArrayRepeat { value, .. } => self.operand(value, st, carry),
            ExprKind::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, st, carry),
            ExprKind::AddrOf { place, mutable } => self.borrow(place, *mutable, e.span, st, carry),
            ExprKind::Abort { message, condition, .. } => {
                if let Some(c) = condition {
                    self.expr(c, st, None);
                }
                if let Some(m) = message {
                    self.expr(m, st, None);
                }
            }
            ExprKind::Print { parts, .. } => {
                for p in parts {
                    if let PrintPart::Value { expr, .. } = p {
                        self.expr(expr, st, None);
                    }
                }
            }
        }
        if e.ty == Ty::Never {
            st.reachable = false;
        }
    }

    /// A builtin library operation (§12): `push` changes its receiver and takes its value;
    /// literal elements and `Box(x)` are moving positions; the other operands are only read.
    fn lib_op(&mut self, op: hir::LibOp, args: &[Expr], span: Span, st: &mut State, carry: Option<LocalId>) {
        use hir::LibOp::*;
        match op {
            VecPush | MapInsert | SetInsert | SetRemove | SetClear => {
                if let Some(recv) = args.first() {
                    self.place_uses(recv, st);
                    if let Some((root, _)) = place_root(recv) {
                        let what = match op {
                            VecPush => "push",
                            SetRemove => "remove",
                            SetClear => "clear",
                            _ => "insert",
                        };
                        self.check_mutation(root, span, Some(what), st);
                    }
                }
                if matches!(op, SetRemove | SetClear) {
                    // Nothing is stored: `remove`'s key is only looked up, like `contains`'s.
                    args.iter().skip(1).for_each(|a| self.expr(a, st, None));
                } else {
                    self.store_into(args.first(), args.get(1..).unwrap_or(&[]), st);
                }
            }
            VecLit | BoxNew | MapLit => args.iter().for_each(|a| self.operand(a, st, carry)),
            ChanSend => {
                if let Some(ch) = args.first() {
                    self.expr(ch, st, None);
                }
                args.iter().skip(1).for_each(|a| self.operand(a, st, None));
            }
            ChanNew | ChanRecv | ChanNext | ChanTryRecv | ChanClose | ChanLen => args.iter().for_each(|a| self.expr(a, st, None)),
            VecNew | VecLen | VecGet | VecConcat | BoxGet | MapNew | MapGet | MapLen | SetNew | SetContains | SetLen => {
                args.iter().for_each(|a| self.expr(a, st, None))
            }
        }
    }

    /// Operands handed to an operation that may keep them in `recv` (`v.push(&x!)`, a mutating
    /// method): borrows they carry are held by the receiver's root variable from then on, as if
    /// assigned into it, so a second `v.push(&x!)` conflicts with the first.
    fn store_into(&mut self, recv: Option<&Expr>, values: &[Expr], st: &mut State) {
        let root = recv.filter(|r| holds_ref(&r.ty, self.program)).and_then(place_root).map(|(r, _)| r);
        let carry = root.map(|_| self.pseudo());
        values.iter().for_each(|a| self.operand(a, st, carry));
        if let (Some(c), Some(r)) = (carry, root) {
            self.transfer(c, r, false, st);
        }
    }

    /// The sub-expressions of a place that is borrowed or assigned: its root local is used
    /// (not moved), index expressions are evaluated.
    fn place_uses(&mut self, place: &Expr, st: &mut State) {
        match &place.kind {
            ExprKind::Local(id) => self.use_local(*id, place.span, st, true),
            ExprKind::Field { base, .. } => self.place_uses(base, st),
            ExprKind::Index { base, index } => {
                self.place_uses(base, st);
                self.expr(index, st, None);
            }
            _ => self.expr(place, st, None),
        }
    }

    /// A method receiver: never moved (§15.2). A mutating method assigns to its receiver.
    fn receiver(&mut self, func: hir::FnId, recv: &Receiver, call: Span, st: &mut State, carry: Option<LocalId>) {
        let callee = &self.program.functions[func as usize];
        match recv {
            Receiver::AddressOf(place) if place.is_place() => {
                self.place_uses(place, st);
                if let Some((root, through)) = place_root(place) {
                    if callee.mutating {
                        self.check_mutation(root, call, Some(&callee.name), st);
                    }
                    // The result may point into the receiver (`v.first()` returning `&T`).
                    if let Some(c) = carry {
                        self.add_loan(root, through, callee.mutating, place.span, Some(c), st);
                    }
                }
            }
            Receiver::AddressOf(x) | Receiver::Value(x) => self.expr(x, st, None),
            Receiver::Pointer(r) => {
                self.expr(r, st, carry);
                if callee.mutating {
                    if let Some((root, _)) = place_root(r) {
                        self.check_mutation(root, call, Some(&callee.name), st);
                    }
                }
            }
        }
    }

    fn match_expr(&mut self, scrutinee: &Expr, arms: &[hir::Arm], st: &mut State, carry: Option<LocalId>) {
        // Like an `if` condition: temporary borrows made to compute a scrutinee that holds no
        // reference end once it is computed (`match read(&x) { _ => bump(&x!) }`).
        let before = st.loans.clone();
        self.expr(scrutinee, st, None);
        if !holds_ref(&scrutinee.ty, self.program) {
            st.loans.retain(|l| !matches!(l.holder, Holder::Temp(_)) || before.contains(l));
        }
        let source = match scrutinee.kind {
            ExprKind::Local(id) => Some(id),
            _ => None,
        };
        let mut out = State::unreachable();
        for arm in arms {
            let mut s = st.clone();
            self.scopes.push(Vec::new());
            self.bind_pattern(&arm.pattern, source, &mut s);
            if let Some(g) = &arm.guard {
                self.expr(g, &mut s, None);
            }
            for x in &arm.stmts {
                self.stmt(x, &mut s);
            }
            if let Some(v) = &arm.value {
                self.operand(v, &mut s, carry);
            }
            let locals = self.pop_scope();
            self.exit_scope(&locals, end_of(arm.span), &mut s);
            out.join(&s);
        }
        *st = out;
    }

    fn bind_pattern(&mut self, p: &Pattern, source: Option<LocalId>, st: &mut State) {
        match p {
            Pattern::Bind(l) => {
                self.declare(*l, st);
                // A binding that holds a reference points where the scrutinee points.
                if let Some(src) = source.filter(|_| holds_ref(&self.local(*l).ty, self.program)) {
                    self.copy_holdings(src, *l, st);
                }
            }
            Pattern::Variant { payload: Some(q), .. } => self.bind_pattern(q, source, st),
            Pattern::Or(ps) => ps.iter().for_each(|q| self.bind_pattern(q, source, st)),
            _ => {}
        }
    }

    /// Closes the innermost block: its locals.
    fn pop_scope(&mut self) -> Vec<LocalId> {
        let locals = self.scopes.pop().unwrap_or_default();
        for l in &locals {
            self.scoped.remove(l);
        }
        locals
    }

    /// A `let` (or pattern binding) makes `l` a fresh, valid variable in the current block.
    fn declare(&mut self, l: LocalId, st: &mut State) {
        if let Some(scope) = self.scopes.last_mut() {
            if self.scoped.insert(l) {
                scope.push(l);
            }
        }
        st.moved.remove(&l);
        self.forget(l, st);
    }

    // ------------------------------------------------------------ holders

    /// `l` no longer holds any loan or reference.
    fn forget(&mut self, l: LocalId, st: &mut State) {
        st.loans.retain(|x| x.holder != Holder::Named(l));
        st.points_to.remove(&l);
        st.dangling.remove(&l);
    }

    /// Copies what `src` holds (its loans and referents) to `to`: `let r2 = r;`.
    fn copy_holdings(&mut self, src: LocalId, to: LocalId, st: &mut State) {
        let loans: Vec<Loan> = st.loans.iter().filter(|l| l.holder == Holder::Named(src)).copied().collect();
        st.loans.extend(loans.into_iter().map(|l| Loan { holder: Holder::Named(to), ..l }));
        if let Some(set) = st.points_to.get(&src).cloned() {
            st.points_to.entry(to).or_default().extend(set);
        }
    }

    /// Moves what the pseudo-holder `from` collected to `to` (replacing what `to` held).
    fn transfer(&mut self, from: LocalId, to: LocalId, replace: bool, st: &mut State) {
        if replace {
            self.forget(to, st);
        }
        self.copy_holdings(from, to, st);
        if let Some(d) = st.dangling.get(&from).copied() {
            st.dangling.entry(to).or_insert(d);
        }
        self.forget(from, st);
        st.points_to.retain(|_, set| !set.is_empty());
    }

    /// Records a borrow of `root` (no conflict check), and what the holder now points to.
    pub(super) fn add_loan(&mut self, root: LocalId, through: bool, mutable: bool, span: Span, carry: Option<LocalId>, st: &mut State) {
        let holder = carry.map_or(Holder::Temp(self.depth), Holder::Named);
        st.loans.insert(Loan { root, mutable, span, holder });
        if let Some(c) = carry {
            let refs: Vec<(LocalId, Span)> = if through {
                st.points_to.get(&root).map(|s| s.iter().copied().collect()).unwrap_or_default()
            } else {
                vec![(root, span)]
            };
            if !refs.is_empty() {
                st.points_to.entry(c).or_default().extend(refs);
            }
        }
    }

    /// `&place` / `&place!`.
    fn borrow(&mut self, place: &Expr, mutable: bool, span: Span, st: &mut State, carry: Option<LocalId>) {
        self.place_uses(place, st);
        if let Some((root, through)) = place_root(place) {
            self.check_conflicts(root, mutable, span, st);
            self.add_loan(root, through, mutable, span, carry, st);
        }
    }

    /// A read of local `id` (also a borrow of it, when `borrow`).
    fn use_local(&mut self, id: LocalId, span: Span, st: &mut State, borrow: bool) {
        if !self.is_real(id) {
            return;
        }
        self.check_not_moved(id, span, borrow, st);
        self.check_not_dangling(id, span, st);
    }
}
