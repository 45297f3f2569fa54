//! `match` in C: the scrutinee is evaluated once into a temporary; each arm is an `if` on its
//! pattern's test that binds the pattern's names, checks the guard, runs the arm and jumps to
//! the end (a `goto`, since `break`/`continue` in an arm belong to an enclosing loop).

use super::func::FnEmitter;
use crate::hir::{self, Pattern};
use crate::types::Ty;

impl FnEmitter<'_> {
    pub fn match_expr(&mut self, e: &hir::Expr, scrutinee: &hir::Expr, arms: &[hir::Arm]) -> String {
        // The scrutinee is held with its own reference (the bindings borrow from it, and an arm
        // may overwrite the variable it came from); it is released after the match.
        let scrut_text = self.owned(scrutinee);
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
        let temporary = self.needs_drop(&scrutinee.ty);
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
                let cty = self.c_type(&self.f.locals[local as usize].ty);
                let decl = self.declare(&cty, &name, Some(&value));
                self.line(&decl);
                self.line(&format!("(void){name};"));
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
            for s in &arm.stmts {
                self.stmt(s);
            }
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
