//! Enum values and `match` (LANGUAGE.md §4.4, §7): variant paths, patterns, arm typing,
//! exhaustiveness (E0004) and unreachable arms (W0007).

use super::expr::auto_deref;
use super::{Checker, FnCx};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind, Pattern};
use crate::resolve::did_you_mean;
use crate::span::Span;
use crate::syntax::ast::{self, PatternKind};
use crate::types::{EnumId, Ty};

fn mk(kind: ExprKind, ty: Ty, span: Span) -> hir::Expr {
    hir::Expr { kind, ty, span }
}

fn error_expr(span: Span) -> hir::Expr {
    mk(ExprKind::Unit, Ty::Error, span)
}

impl Checker<'_> {
    /// The enum a bare name denotes in expression position (`Color` in `Color.Red`), if the
    /// name is not shadowed by a local or other value.
    pub fn enum_path(&self, base: &ast::Expr) -> Option<EnumId> {
        match &base.kind {
            ast::ExprKind::Ident(name) if self.res.names.get(&base.id).is_none() => self.res.enum_id(name.span, &name.name),
            _ => None,
        }
    }

    /// The enum behind the constructor shorthands `Some`, `None`, `Ok`, `Err` (§6.11): the
    /// builtin `Option`/`Result`, or a user type of that name that has the variant (§3.5).
    pub fn shorthand_enum(&mut self, variant: &ast::Ident) -> Option<EnumId> {
        let owner = match variant.name.as_str() {
            "Some" | "None" => "Option",
            "Ok" | "Err" => "Result",
            _ => return None,
        };
        let found = self.res.enum_id(variant.span, owner).filter(|id| {
            self.enums[*id as usize].variants.iter().any(|v| v.name == variant.name)
        });
        if found.is_none() {
            self.error(
                Diagnostic::error("E0425", format!("cannot find `{}`: `{owner}` is shadowed by a type without this variant", variant.name), variant.span)
                    .help(format!("declare `{}` in your `{owner}`, or rename your type", variant.name)),
            );
        }
        found
    }

    fn variant_index(&mut self, id: EnumId, name: &ast::Ident) -> Option<u32> {
        let def = &self.enums[id as usize];
        if let Some(i) = def.variants.iter().position(|v| v.name == name.name) {
            return Some(i as u32);
        }
        let names: Vec<&str> = def.variants.iter().map(|v| v.name.as_str()).collect();
        let mut d = Diagnostic::error("E0599", format!("no variant named `{}` in enum `{}`", name.name, def.name), name.span)
            .label("variant not found");
        if let Some(h) = did_you_mean(&name.name, names.into_iter()) {
            d = d.help(h);
        }
        self.error(d);
        None
    }

    /// `E.V` (a unit variant).
    pub fn variant_value(&mut self, id: EnumId, variant: &ast::Ident, expected: Option<&Ty>, span: Span) -> hir::Expr {
        let Some(v) = self.variant_index(id, variant) else { return error_expr(span) };
        let id = if self.enums[id as usize].template {
            match self.enum_instance_for(id, v, None, expected, span) {
                Ty::Enum(inst) => inst,
                _ => return error_expr(span),
            }
        } else {
            id
        };
        let def = &self.enums[id as usize];
        if def.variants[v as usize].payload.is_some() {
            let d = Diagnostic::error("E0533", format!("variant `{}.{}` carries a value", def.name, variant.name), span)
                .label("expected a value here")
                .help(format!("construct it with its payload: `{}.{}(value)`", def.name, variant.name));
            self.error(d);
            return error_expr(span);
        }
        mk(ExprKind::EnumLit { id, variant: v, payload: None }, Ty::Enum(id), span)
    }

    /// `E.V(payload)`.
    pub fn variant_call(
        &mut self,
        fcx: &mut FnCx,
        id: EnumId,
        variant: &ast::Ident,
        args: &[ast::Expr],
        expected: Option<&Ty>,
        span: Span,
    ) -> hir::Expr {
        let Some(v) = self.variant_index(id, variant) else { return error_expr(span) };
        let id = if self.enums[id as usize].template {
            // The payload decides the type arguments unless the context already does.
            let inst = match self.enum_instance_of(id, expected.unwrap_or(&Ty::Error)) {
                Some(inst) => Ty::Enum(inst),
                None => {
                    let probe = match args.first() {
                        Some(a) => Some(self.expr(fcx, a, None).ty),
                        None => None,
                    };
                    self.enum_instance_for(id, v, probe.as_ref(), None, span)
                }
            };
            match inst {
                Ty::Enum(inst) => inst,
                _ => return error_expr(span),
            }
        } else {
            id
        };
        let def = self.enums[id as usize].clone();
        let Some(payload_ty) = def.variants[v as usize].payload.clone() else {
            self.error(
                Diagnostic::error("E0618", format!("variant `{}.{}` has no payload", def.name, variant.name), span)
                    .label("called like a function")
                    .help(format!("write `{}.{}` without parentheses", def.name, variant.name)),
            );
            return error_expr(span);
        };
        if args.len() != 1 {
            self.error(
                Diagnostic::error("E0061", format!("variant `{}.{}` takes 1 value but {} were supplied", def.name, variant.name, args.len()), span)
                    .label("expected exactly one payload value")
                    .help("a variant carries exactly one value; use a tuple or a struct for several"),
            );
            return error_expr(span);
        }
        let value = self.expr(fcx, &args[0], Some(&payload_ty));
        let value = self.coerce(fcx, value, &payload_ty);
        mk(ExprKind::EnumLit { id, variant: v, payload: Some(Box::new(value)) }, Ty::Enum(id), span)
    }

    /// `e?` on a `Result`-like (variants `Ok(T)`, `Err(E)`) or `Option`-like (`Some(T)`, `None`)
    /// enum, in a function returning the same kind of enum with the same error payload.
    pub fn try_expr(&mut self, fcx: &mut FnCx, inner: &ast::Expr, span: Span) -> hir::Expr {
        let e = self.expr(fcx, inner, None);
        if e.ty.is_error() {
            return error_expr(span);
        }
        // (enum, ok variant, failure variant, failure payload, ok payload)
        let shape = |this: &Self, ty: &Ty| -> Option<(EnumId, u32, u32, Option<Ty>, Ty)> {
            let Ty::Enum(id) = ty else { return None };
            let def = &this.enums[*id as usize];
            let find = |n: &str| def.variants.iter().position(|v| v.name == n).map(|i| i as u32);
            let (ok, fail) = match (find("Ok"), find("Err"), find("Some"), find("None")) {
                (Some(o), Some(f), _, _) => (o, f),
                (_, _, Some(o), Some(f)) => (o, f),
                _ => return None,
            };
            let ok_ty = def.variants[ok as usize].payload.clone()?;
            Some((*id, ok, fail, def.variants[fail as usize].payload.clone(), ok_ty))
        };
        let Some((eid, ok, fail, fail_payload, ok_ty)) = shape(self, &e.ty) else {
            let t = self.ty_name(&e.ty);
            self.error(
                Diagnostic::error("E0277", format!("the `?` operator can only be applied to `Result` or `Option`, not `{t}`"), span)
                    .label("cannot use `?` here"),
            );
            return error_expr(span);
        };
        let ret = fcx.ret.clone();
        let ret_shape = shape(self, &ret);
        // The function's failure case must be the same kind (`Err`/`None`) with the same payload.
        let fail_name = &self.enums[eid as usize].variants[fail as usize].name;
        let same_failure = ret_shape.as_ref().is_some_and(|(rid, _, rf, rp, _)| {
            &self.enums[*rid as usize].variants[*rf as usize].name == fail_name && *rp == fail_payload
        });
        if !same_failure {
            let (t, r) = (self.ty_name(&e.ty), self.ty_name(&ret));
            self.error(
                Diagnostic::error("E0308", format!("the `?` operator cannot return `{t}`'s failure from a function returning `{r}`"), span)
                    .label("`?` returns early from the function")
                    .help(format!("make the function return a type with the same failure case as `{t}`")),
            );
            return error_expr(span);
        }
        let ret_fail = ret_shape.map(|s| s.2).unwrap_or(0);
        mk(ExprKind::Try { inner: Box::new(e), ok, fail, ret_fail }, ok_ty, span)
    }

    pub fn is_unit_enum(&self, ty: &Ty) -> bool {
        matches!(ty, Ty::Enum(id) if self.enums[*id as usize].unit_only())
    }

    pub fn match_expr(
        &mut self,
        fcx: &mut FnCx,
        scrutinee: &ast::Expr,
        arms: &[ast::MatchArm],
        expected: Option<&Ty>,
        span: Span,
    ) -> hir::Expr {
        let scrut = auto_deref(self.expr(fcx, scrutinee, None));
        let sty = scrut.ty.clone();
        let mut result_ty: Option<Ty> = expected.cloned().filter(|t| !t.is_error());
        let mut out = Vec::with_capacity(arms.len());
        // An arm whose pattern was refused (an error, or not yet implemented) stands for
        // nothing known: no arm is unreachable and no case is missing because of it.
        let mut bad_pattern = false;
        for arm in arms {
            let diags_before = self.diags.len();
            let pattern = self.pattern(fcx, &arm.pattern, &sty);
            bad_pattern |= self.diags[diags_before..].iter().any(|d| d.is_error());
            let guard = arm.guard.as_ref().map(|g| {
                let e = self.expr(fcx, g, Some(&Ty::Bool));
                self.coerce(fcx, e, &Ty::Bool)
            });
            let (stmts, tail) = match &arm.body.kind {
                ast::ExprKind::Block(b) => {
                    let stmts: Vec<hir::Stmt> = b.stmts.iter().filter_map(|s| self.stmt(fcx, s)).collect();
                    (stmts, b.tail.as_deref())
                }
                _ => (Vec::new(), Some(&arm.body)),
            };
            let diverges = super::stmt::block_diverges(&hir::Block { stmts: stmts.clone(), span: arm.span });
            let value = tail.map(|t| {
                let v = self.expr(fcx, t, result_ty.as_ref());
                match &result_ty {
                    Some(rt) if v.ty != Ty::Never => self.coerce(fcx, v, rt),
                    _ => v,
                }
            });
            let arm_ty = match &value {
                Some(v) => v.ty.clone(),
                None if diverges => Ty::Never,
                None => Ty::Unit,
            };
            if result_ty.is_none() && arm_ty != Ty::Never && !arm_ty.is_error() {
                result_ty = Some(arm_ty.clone());
            } else if let (Some(rt), None) = (&result_ty, &value) {
                if !diverges && *rt != Ty::Unit {
                    let want = self.ty_name(rt);
                    self.error(
                        Diagnostic::error("E0308", "mismatched types in match arms", arm.body.span)
                            .label(format!("this arm has no value, the match yields `{want}`"))
                            .help("end the block with the arm's value (without `;`)"),
                    );
                }
            }
            out.push(hir::Arm { pattern, guard, stmts, value, span: arm.span });
        }
        if !bad_pattern {
            self.check_exhaustive(&sty, &out, arms, scrut.span);
        }
        let ty = result_ty.unwrap_or(Ty::Never);
        let ty = if out.is_empty() { Ty::Never } else { ty };
        mk(ExprKind::Match { scrutinee: Box::new(scrut), arms: out }, ty, span)
    }

    fn pattern(&mut self, fcx: &mut FnCx, p: &ast::Pattern, ty: &Ty) -> Pattern {
        let mismatch = |this: &mut Self, what: &str| {
            if !ty.is_error() {
                let t = this.ty_name(ty);
                this.error(
                    Diagnostic::error("E0308", "mismatched types", p.span)
                        .label(format!("expected `{t}`, found {what}"))
                        .help("a pattern must have the type of the value being matched"),
                );
            }
            Pattern::Wildcard
        };
        match &p.kind {
            PatternKind::Wildcard => Pattern::Wildcard,
            PatternKind::Binding(name) => match self.res.bindings.get(&p.id) {
                Some(&local) => {
                    if let Some(l) = fcx.locals.get_mut(local as usize) {
                        // The same name in another or-alternative must have the same type.
                        if l.ty != Ty::Error && l.ty != *ty && !ty.is_error() {
                            let (was, now) = (l.ty.clone(), ty.clone());
                            let (was, now) = (self.ty_name(&was), self.ty_name(&now));
                            self.error(
                                Diagnostic::error("E0308", format!("mismatched types: `{}` is `{was}` in one alternative and `{now}` in another", name.name), p.span)
                                    .label(format!("this binding has type `{now}`")),
                            );
                        } else if let Some(l) = fcx.locals.get_mut(local as usize) {
                            l.ty = ty.clone();
                        }
                    }
                    Pattern::Bind(local)
                }
                None => {
                    // `None` (a builtin name, not a binding).
                    let Some(eid) = self.shorthand_enum(name) else { return Pattern::Wildcard };
                    let Some(v) = self.variant_index(eid, name) else { return Pattern::Wildcard };
                    match self.enum_instance_of(eid, ty) {
                        Some(_) => Pattern::Variant { variant: v, payload: None },
                        None if *ty == Ty::Enum(eid) => Pattern::Variant { variant: v, payload: None },
                        None => mismatch(self, &format!("`{}`", name.name)),
                    }
                }
            },
            PatternKind::Int { value, negative } => match ty {
                Ty::Int(_) => {
                    let e = self.int_lit(*value, *negative, Some(ty), p.span);
                    if e.ty.is_error() {
                        Pattern::Wildcard
                    } else {
                        Pattern::Literal(e)
                    }
                }
                _ => mismatch(self, "an integer"),
            },
            PatternKind::Float(v) => match ty {
                Ty::Float(_) => Pattern::Literal(mk(ExprKind::Float(*v), ty.clone(), p.span)),
                _ => mismatch(self, "a float"),
            },
            PatternKind::Str(s) => match ty {
                Ty::Str => Pattern::Literal(mk(ExprKind::Str(s.clone()), Ty::Str, p.span)),
                _ => mismatch(self, "a string"),
            },
            PatternKind::Bool(b) => match ty {
                Ty::Bool => Pattern::Literal(mk(ExprKind::Bool(*b), Ty::Bool, p.span)),
                _ => mismatch(self, "a `bool`"),
            },
            PatternKind::Variant { enum_name, variant, payload, .. } => {
                let found = match enum_name {
                    Some(ename) => self.res.enum_id(ename.span, &ename.name),
                    None => self.shorthand_enum(variant),
                };
                let ename = enum_name.clone().unwrap_or_else(|| variant.clone());
                let ename = &ename;
                let Some(eid) = found else {
                    if enum_name.is_none() {
                        // `Some`/`None`/`Ok`/`Err` already reported by `shorthand_enum`.
                        if !matches!(variant.name.as_str(), "Some" | "None" | "Ok" | "Err") {
                            self.error(
                                Diagnostic::error("E0531", format!("cannot find variant `{}` in this scope", variant.name), variant.span)
                                    .label("not a variant")
                                    .help("name the enum too: `Enum.Variant(..)`"),
                            );
                        }
                        return Pattern::Wildcard;
                    }
                    self.error(
                        Diagnostic::error("E0412", format!("cannot find enum `{}` in this scope", ename.name), ename.span)
                            .label("not an enum"),
                    );
                    return Pattern::Wildcard;
                };
                let Some(v) = self.variant_index(eid, variant) else { return Pattern::Wildcard };
                // A pattern names the generic enum; the scrutinee is one of its instances.
                let eid = self.enum_instance_of(eid, ty).unwrap_or(eid);
                // An `i32` matched against a unit-only enum's variants compares ordinals (§7.2).
                if *ty == Ty::I32 && self.enums[eid as usize].unit_only() {
                    return Pattern::Ordinal(v as i128);
                }
                if *ty != Ty::Enum(eid) {
                    return mismatch(self, &format!("a variant of `{}`", ename.name));
                }
                let payload_ty = self.enums[eid as usize].variants[v as usize].payload.clone();
                let payload = match (payload, payload_ty) {
                    (Some(q), Some(pt)) => Some(Box::new(self.pattern(fcx, q, &pt))),
                    (Some(q), None) => {
                        self.error(
                            Diagnostic::error("E0023", format!("variant `{}.{}` has no payload", ename.name, variant.name), q.span)
                                .label("unexpected payload pattern")
                                .help(format!("write `{}.{}`", ename.name, variant.name)),
                        );
                        None
                    }
                    (None, _) => None,
                };
                Pattern::Variant { variant: v, payload }
            }
            PatternKind::Or(ps) => {
                let alts: Vec<Pattern> = ps.iter().map(|q| self.pattern(fcx, q, ty)).collect();
                // Every alternative must bind the same names (resolution made them the same
                // locals), with the same types.
                let sets: Vec<Vec<u32>> = alts.iter().map(bound_locals).collect();
                for (alt, set) in ps.iter().zip(&sets) {
                    for local in sets.iter().flatten() {
                        if !set.contains(local) {
                            let name = fcx.locals.get(*local as usize).map(|l| l.name.clone()).unwrap_or_default();
                            self.error(
                                Diagnostic::error("E0408", format!("variable `{name}` is not bound in all patterns"), alt.span)
                                    .label(format!("pattern doesn't bind `{name}`"))
                                    .help("bind the same names in every alternative of an or-pattern"),
                            );
                        }
                    }
                }
                Pattern::Or(alts)
            }
            PatternKind::Tuple(_) => self.pattern_not_yet("tuple patterns", p.span),
            PatternKind::Struct { .. } => self.pattern_not_yet("struct patterns", p.span),
            PatternKind::Range { .. } => self.pattern_not_yet("range patterns", p.span),
        }
    }

    fn pattern_not_yet(&mut self, what: &str, span: Span) -> Pattern {
        self.not_yet(what, span);
        Pattern::Wildcard
    }

    /// E0004 for missing cases, W0007 for arms after a catch-all (§7.3).
    fn check_exhaustive(&mut self, ty: &Ty, arms: &[hir::Arm], ast_arms: &[ast::MatchArm], span: Span) {
        let mut caught_at: Option<usize> = None;
        for (i, arm) in arms.iter().enumerate() {
            if let Some(first) = caught_at {
                let _ = first;
                self.diags.push(
                    Diagnostic::warning("W0007", "unreachable pattern", ast_arms[i].pattern.span)
                        .label("this arm can never match")
                        .help("an earlier arm already matches every value"),
                );
                continue;
            }
            if arm.guard.is_none() && irrefutable(&arm.pattern) {
                caught_at = Some(i);
            }
        }
        if caught_at.is_some() || ty.is_error() {
            return;
        }
        let unguarded: Vec<&Pattern> = arms.iter().filter(|a| a.guard.is_none()).map(|a| &a.pattern).collect();
        let missing = self.missing_cases(&unguarded, ty);
        if missing.is_empty() {
            return;
        }
        let list = if missing.len() > 4 {
            format!("{} and {} more", missing[..3].join(", "), missing.len() - 3)
        } else {
            missing.join(", ")
        };
        let verb = if missing.len() == 1 { "is" } else { "are" };
        self.error(
            Diagnostic::error("E0004", format!("non-exhaustive patterns: {list} not covered"), span)
                .label(format!("{list} {verb} not covered"))
                .help("add an arm for each missing case, or a `_ => ...` arm"),
        );
    }
}

impl Checker<'_> {
    /// The cases of `ty` that none of `pats` matches, spelled as patterns (nested payloads too).
    fn missing_cases(&self, pats: &[&Pattern], ty: &Ty) -> Vec<String> {
        let mut flat: Vec<&Pattern> = Vec::new();
        fn flatten<'p>(p: &'p Pattern, out: &mut Vec<&'p Pattern>) {
            match p {
                Pattern::Or(ps) => ps.iter().for_each(|q| flatten(q, out)),
                other => out.push(other),
            }
        }
        pats.iter().for_each(|p| flatten(p, &mut flat));
        if flat.iter().any(|p| irrefutable(p)) || ty.is_error() {
            return Vec::new();
        }
        match ty {
            Ty::Enum(id) => {
                let def = &self.enums[*id as usize];
                let mut missing = Vec::new();
                for (v, variant) in def.variants.iter().enumerate() {
                    let mut subs: Vec<&Pattern> = Vec::new();
                    let mut whole = false;
                    for p in &flat {
                        if let Pattern::Variant { variant: pv, payload } = p {
                            if *pv as usize == v {
                                match payload {
                                    None => whole = true,
                                    Some(q) => subs.push(q),
                                }
                            }
                        }
                    }
                    let name = format!("{}.{}", def.name, variant.name);
                    match (&variant.payload, whole, subs.is_empty()) {
                        (_, true, _) => {}
                        (_, false, true) => missing.push(format!("`{name}`")),
                        (Some(pt), false, false) => {
                            for inner in self.missing_cases(&subs, pt) {
                                missing.push(format!("`{name}({})`", inner.trim_matches('`')));
                            }
                        }
                        (None, false, false) => {}
                    }
                }
                missing
            }
            Ty::Bool => [true, false]
                .into_iter()
                .filter(|b| !flat.iter().any(|p| covers_bool(p, *b)))
                .map(|b| format!("`{b}`"))
                .collect(),
            _ => vec!["`_`".to_string()],
        }
    }
}

/// The locals a pattern binds, sorted.
fn bound_locals(p: &Pattern) -> Vec<u32> {
    fn walk(p: &Pattern, out: &mut Vec<u32>) {
        match p {
            Pattern::Bind(l) => out.push(*l),
            Pattern::Variant { payload: Some(q), .. } => walk(q, out),
            Pattern::Or(ps) => ps.iter().for_each(|q| walk(q, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(p, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// Matches every value of its type.
pub fn irrefutable(p: &Pattern) -> bool {
    match p {
        Pattern::Wildcard | Pattern::Bind(_) => true,
        Pattern::Or(ps) => ps.iter().any(irrefutable),
        _ => false,
    }
}

fn covers_bool(p: &Pattern, b: bool) -> bool {
    match p {
        Pattern::Literal(hir::Expr { kind: ExprKind::Bool(x), .. }) => *x == b,
        Pattern::Or(ps) => ps.iter().any(|q| covers_bool(q, b)),
        other => irrefutable(other),
    }
}
