//! `match` in C: the scrutinee is evaluated once into a temporary; each arm is an `if` on its
//! pattern's test that binds the pattern's names, checks the guard, runs the arm and jumps to
//! the end (a `goto`, since `break`/`continue` in an arm belong to an enclosing loop).

use super::func::FnEmitter;
use crate::hir::{self, ExprKind, LibOp, Pattern, Receiver, StmtKind};
use crate::types::Ty;

/// Whether a value of type `ty` holds a mutable reference or a raw pointer (anywhere inside,
/// also behind shared references and in struct fields).
fn has_mut_ref_or_ptr(p: &hir::Program, ty: &Ty) -> bool {
    p.any_component_through_refs(ty, &|t| match t {
        Ty::Ref(_, true) | Ty::Ptr(..) => Some(true),
        // Not behind function types: a function value's signature holds no value.
        Ty::Fn(..) => Some(false),
        _ => None,
    })
}

/// The walk of `scrutinee_borrowable`: clears `ok` at anything that could change or release
/// what the scrutinee's place holds.
struct Interference<'a, 'b> {
    em: &'a FnEmitter<'b>,
    root: u32,
    ok: &'a mut bool,
}

impl hir::Visit for Interference<'_, '_> {
    fn stmt(&mut self, s: &hir::Stmt) {
        match &s.kind {
            StmtKind::Assign { place, .. } | StmtKind::CompoundAssign { place, .. } if !self.em.harmless_write(place, self.root) => *self.ok = false,
            // A `defer` registered in an arm runs at the function's exit; `go`/`select` are
            // task business: keep the general path.
            StmtKind::Defer(_) | StmtKind::Select { .. } => *self.ok = false,
            _ => {}
        }
    }

    fn expr(&mut self, e: &hir::Expr) {
        let bad = match &e.kind {
            ExprKind::Local(l) => has_mut_ref_or_ptr(self.em.program, &self.em.f.locals[*l as usize].ty),
            // `&x!` of a harmless place only lets the callee change that place.
            ExprKind::AddrOf { place, mutable: true } => !self.em.harmless_write(place, self.root),
            // Any other value holding a mutable reference or a raw pointer (a call's result, a
            // field, a cast) could reach the scrutinee.
            _ if has_mut_ref_or_ptr(self.em.program, &e.ty) => true,
            ExprKind::MethodCall { func, receiver: Receiver::AddressOf(r) | Receiver::Pointer(r), .. } => {
                self.em.program.functions[*func as usize].mutating && !self.em.harmless_write(r, self.root)
            }
            ExprKind::Lib { op, args } if op.changes_receiver() => args.first().is_some_and(|p| !self.em.harmless_write(p, self.root)),
            ExprKind::ExternCall { .. } => true,
            // A function value may have captured a mutable reference or raw pointer of this
            // function (closures capture by value): then it could reach the scrutinee.
            ExprKind::CallValue { .. } => self.em.f.locals.iter().any(|l| has_mut_ref_or_ptr(self.em.program, &l.ty)),
            _ => false,
        };
        if bad {
            *self.ok = false;
        }
    }
}

impl FnEmitter<'_> {
    pub fn match_expr(&mut self, e: &hir::Expr, scrutinee: &hir::Expr, arms: &[hir::Arm]) -> String {
        // The scrutinee is held with its own reference (the bindings borrow from it, and an arm
        // may overwrite the variable it came from); it is released after the match. A place
        // that no arm can change or release (`scrutinee_borrowable`) is only read: the
        // bindings borrow from the place itself, no reference count moves.
        let borrow = self.scrutinee_borrowable(scrutinee, arms);
        let scrut_text = if borrow { self.expr(scrutinee) } else { self.owned(scrutinee) };
        let scty = self.c_type(&scrutinee.ty);
        let st = self.fresh_temp();
        self.decl_pre(&scty, &st, Some(scrut_text.to_string()));
        self.prelude.push(format!("(void){st};"));
        let has_value = !matches!(e.ty, Ty::Unit | Ty::Never | Ty::Error);
        let result = if has_value {
            let r = self.fresh_temp();
            let cty = self.c_type(&e.ty);
            let zero = match &e.ty {
                Ty::Int(_) | Ty::Float(_) => "0",
                Ty::Bool => "false",
                Ty::Enum(id) if self.program.enums[*id as usize].unit_only() => "0",
                Ty::Ref(..) | Ty::Ptr(..) => "NULL",
                _ => "{0}",
            };
            self.decl_pre(&cty, &r, Some(zero.to_string()));
            Some(r)
        } else {
            None
        };
        self.temps += 1;
        let end = format!("vx_match_end_{}", self.temps);

        // Build the arms as statements into a buffer, then add them to the prelude as one piece.
        let saved_out = std::mem::take(&mut self.out);
        let saved_indent = self.indent;
        let saved_prelude = std::mem::take(&mut self.prelude);
        self.indent = 0;
        // An owned temporary scrutinee is released after the match, or when an arm leaves
        // the function or loop (its scope is open while the arms are emitted). The bindings
        // borrow from it; keeping one past the arm copies (retains) it.
        let temporary = !borrow && self.needs_drop(&scrutinee.ty);
        if temporary {
            self.drop_scopes.push(vec![(st.clone(), scrutinee.ty.clone())]);
        }
        // The arms are statements inside this statement: its pending releases wait outside.
        let outer_pending: Vec<String> = self.postlude.iter().chain(&self.inflight).cloned().collect();
        self.pending_exit.push(outer_pending);
        let saved_post = std::mem::take(&mut self.postlude);
        let saved_inflight = std::mem::take(&mut self.inflight);
        let mut exhausted = false;
        for arm in arms {
            let test = self.pattern_test(&arm.pattern, &st, &scrutinee.ty);
            let mut binds = Vec::new();
            self.pattern_binds(&arm.pattern, &st, &scrutinee.ty, &mut binds);
            self.line(&format!("if ({test}) {{"));
            self.indent += 1;
            for (local, value) in binds {
                let name = self.locals[local as usize].clone();
                let cty = self.local_c_type(local);
                let decl = self.declare(&cty, &name, Some(&value));
                self.line(&decl);
                if !self.read[local as usize] {
                    self.line(&format!("(void){name};"));
                }
            }
            let guarded = arm.guard.is_some();
            if let Some(g) = &arm.guard {
                let t = self.expr(g);
                let t = self.settle(t, &Ty::Bool);
                self.flush_prelude();
                self.flush_postlude();
                self.line(&format!("if ({}) {{", super::func::strip_parens(&t)));
                self.indent += 1;
            }
            self.drop_scopes.push(Vec::new());
            // What the arm's statements prove (`ranges.rs`) holds in the arm only.
            let facts = self.facts.len();
            self.stmts(&arm.stmts);
            if let Some(v) = &arm.value {
                match &result {
                    Some(r) if v.ty != Ty::Never => {
                        let t = self.owned(v);
                        self.flush_prelude();
                        self.line(&format!("{r} = {};", super::func::strip_parens(&t)));
                        self.flush_postlude();
                    }
                    _ => self.expr_stmt(v),
                }
            }
            self.facts.truncate(facts);
            let depth = self.drop_scopes.len() - 1;
            self.emit_drops_from(depth);
            self.drop_scopes.pop();
            self.line(&format!("goto {end};"));
            if guarded {
                self.indent -= 1;
                self.line("}");
            }
            self.indent -= 1;
            self.line("}");
            if !guarded && test == "1" {
                exhausted = true;
                break;
            }
        }
        if !exhausted {
            let line = self.line_of(e.span);
            self.line(&format!("vex_panic_at(VX_SOURCE_FILE, {line}, \"no match arm matched\");"));
        }
        self.pending_exit.pop();
        self.postlude = saved_post;
        self.inflight = saved_inflight;
        if temporary {
            self.drop_scopes.pop();
        }
        let body = std::mem::replace(&mut self.out, saved_out);
        self.indent = saved_indent;
        self.prelude = saved_prelude;
        self.prelude.push(format!("{{\n{}}}", indent_block(&body)));
        self.prelude.push(format!("{end}:;"));
        if temporary {
            let release = self.release(&scrutinee.ty, &st);
            self.prelude.extend(release);
        }
        result.unwrap_or_else(|| "((vex_unit)0)".to_string())
    }

    /// Whether `match scrutinee { arms }` may read the scrutinee in place, without a reference
    /// of its own: the scrutinee is a place rooted at a local (through fields, array elements,
    /// and dereferences of shared references), and nothing in the arms can change or release
    /// what it holds: no assignment, `&x!` borrow, mutating method receiver or `push`/`insert`
    /// on a place rooted at that local or reached through a dereference, no use of a local
    /// holding a mutable reference or a raw pointer, and no other expression of such a type
    /// but `&x!` of a harmless place (it could reach the scrutinee). Conservative otherwise (task frames, closures, deferred calls: owned).
    /// The bindings then borrow from the place, as they borrow from the owned temporary
    /// otherwise; keeping one (a `let`, an argument, a return value) still retains it.
    pub(super) fn scrutinee_borrowable(&self, scrutinee: &hir::Expr, arms: &[hir::Arm]) -> bool {
        if self.in_task() || self.f.captures.is_some() || !self.needs_drop(&scrutinee.ty) || self.hoisted_any() {
            return false;
        }
        let Some(root) = self.read_only_root(scrutinee) else { return false };
        let mut ok = true;
        let mut check = Interference { em: self, root, ok: &mut ok };
        for arm in arms {
            if let Some(g) = &arm.guard {
                hir::walk_expr(g, &mut check);
            }
            for st in &arm.stmts {
                hir::walk_stmt(st, &mut check);
            }
            if let Some(v) = &arm.value {
                hir::walk_expr(v, &mut check);
            }
        }
        ok
    }

    /// The local a place is rooted at, if the path reads through fields, array elements (of a
    /// place) and dereferences of shared references only.
    fn read_only_root(&self, e: &hir::Expr) -> Option<u32> {
        match &e.kind {
            ExprKind::Local(l) => {
                let ty = &self.f.locals[*l as usize].ty;
                (!has_mut_ref_or_ptr(self.program, ty)).then_some(*l)
            }
            ExprKind::Field { base, .. } | ExprKind::Index { base, .. } | ExprKind::ArrayGet { base, .. } => self.read_only_root(base),
            ExprKind::Deref(inner) => match &inner.ty {
                Ty::Ref(_, false) => self.read_only_root(inner),
                _ => None,
            },
            _ => None,
        }
    }

    /// A changed place is harmless to a borrowed scrutinee rooted at `root` if it is rooted at
    /// another local that is not a reference, through no dereference.
    fn harmless_write(&self, place: &hir::Expr, root: u32) -> bool {
        match &place.kind {
            ExprKind::Local(l) => *l != root && !matches!(self.f.locals[*l as usize].ty, Ty::Ref(..) | Ty::Ptr(..)),
            ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => self.harmless_write(base, root),
            _ => false,
        }
    }

    /// `let x = b.get();` where `x` and the box local `b` are both immutable bindings (a `let`
    /// or a pattern binding, not a parameter): `b` holds its box, unchanged, at least as long as
    /// `x` lives (a pattern binding borrows from a match scrutinee that does, see
    /// `scrutinee_borrowable`), so `x` can be a view of the box's value (`b.cell->value`)
    /// instead of a copy retaining everything in it and releasing it at the end of its scope.
    /// Using `x` by value (a `let`, an argument, a return) copies and retains as for any place.
    /// Returns the C lvalue of the box's value; `stmt` declares `x` as a pointer to it (see
    /// `FnEmitter::views`), since a box's value never changes. Not in task frames, closures,
    /// or functions with `defer`.
    pub(super) fn box_view(&mut self, local: u32, init: &hir::Expr) -> Option<String> {
        if !self.immutable_local(local) {
            return None;
        }
        self.box_value_place(init)
    }

    /// `b.get()` read in place: the C lvalue of the value inside the box, when `b` is an
    /// immutable binding (as for `box_view`) and the value owns heap data (else the copy is as
    /// cheap). `b` holds the box for the whole statement and a box's value never changes, so a
    /// use that only reads (a field, `&self` of a method that does not mutate) needs no copy,
    /// no retain and no release. A kept field (`let s = b.get().name;`) is a place and is
    /// retained as any.
    pub(super) fn box_value_place(&mut self, e: &hir::Expr) -> Option<String> {
        let ExprKind::Lib { op: LibOp::BoxGet, args } = &e.kind else { return None };
        let ExprKind::Local(b) = args.first()?.kind else { return None };
        if self.in_task() || self.f.captures.is_some() || self.hoisted_any() {
            return None;
        }
        if !self.immutable_local(b) || !self.needs_drop(&e.ty) {
            return None;
        }
        let text = self.expr(&args[0]);
        Some(format!("{}.cell->value", super::func::paren(&text)))
    }

    fn immutable_local(&self, l: u32) -> bool {
        !self.f.locals[l as usize].mutable && !self.f.params.contains(&l)
    }

    fn hoisted_any(&self) -> bool {
        self.hoisted.iter().any(|h| *h)
    }

    /// A C condition that is true when `value` (a C lvalue of type `ty`) matches `p`.
    fn pattern_test(&mut self, p: &Pattern, value: &str, ty: &Ty) -> String {
        match p {
            Pattern::Wildcard | Pattern::Bind(_) => "1".to_string(),
            Pattern::Literal(lit) => {
                let l = self.expr(lit);
                match ty {
                    Ty::Str => format!("vex_str_eq({value}, {l})"),
                    _ => format!("{value} == {l}"),
                }
            }
            Pattern::Ordinal(n) => format!("{value} == {n}"),
            Pattern::Variant { variant, payload } => {
                let Ty::Enum(id) = ty else { return "0".into() };
                let def = &self.program.enums[*id as usize];
                if def.unit_only() {
                    return format!("{value} == {variant}");
                }
                let tag = super::types::variant_test(self.program, *id, value, *variant);
                match (payload, &def.variants[*variant as usize].payload) {
                    (Some(q), Some(pt)) => {
                        let pt = pt.clone();
                        let inner = self.pattern_test(q, &format!("{value}.u.v{variant}"), &pt);
                        if inner == "1" {
                            tag
                        } else {
                            format!("{tag} && {inner}")
                        }
                    }
                    _ => tag,
                }
            }
            Pattern::Or(ps) => {
                let tests: Vec<String> = ps.iter().map(|q| self.pattern_test(q, value, ty)).collect();
                if tests.iter().any(|t| t == "1") {
                    "1".to_string()
                } else {
                    tests.iter().map(|t| format!("({t})")).collect::<Vec<_>>().join(" || ")
                }
            }
        }
    }

    /// The bindings a matching `p` makes: (local, C expression of its value).
    fn pattern_binds(&mut self, p: &Pattern, value: &str, ty: &Ty, out: &mut Vec<(u32, String)>) {
        match p {
            Pattern::Or(alts) => {
                // A name bound by every alternative takes its value from the one that matched.
                let mut per_alt = Vec::new();
                for alt in alts {
                    let test = self.pattern_test(alt, value, ty);
                    let mut binds = Vec::new();
                    self.pattern_binds(alt, value, ty, &mut binds);
                    per_alt.push((test, binds));
                }
                let Some((_, first)) = per_alt.first() else { return };
                for (local, _) in first.clone() {
                    let mut chain = String::new();
                    let mut closing = 0;
                    for (i, (test, binds)) in per_alt.iter().enumerate() {
                        let v = binds.iter().find(|(l, _)| *l == local).map(|(_, v)| v.clone()).unwrap_or_default();
                        if i + 1 == per_alt.len() {
                            chain.push_str(&v);
                        } else {
                            chain.push_str(&format!("({test}) ? {v} : ("));
                            closing += 1;
                        }
                    }
                    chain.push_str(&")".repeat(closing));
                    out.push((local, chain));
                }
            }
            Pattern::Bind(local) => out.push((*local, value.to_string())),
            Pattern::Variant { variant, payload: Some(q) } => {
                if let Ty::Enum(id) = ty {
                    if let Some(pt) = self.program.enums[*id as usize].variants[*variant as usize].payload.clone() {
                        self.pattern_binds(q, &format!("{value}.u.v{variant}"), &pt, out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn indent_block(body: &str) -> String {
    body.lines().map(|l| format!("    {l}\n")).collect()
}
