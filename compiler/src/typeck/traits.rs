//! Traits (§10.2, §10.3, §11): `struct S impl T1, T2<A> { ... }` conformance (E0046, E0053,
//! E0405, E0107), generic traits and their associated-type bindings, bounds on type parameters
//! (E0277), and operators on structs through the operator traits (`a + b` is `a.add(b)` when
//! the left operand's struct implements `Add`).
//!
//! Conformance has two halves: the names (the trait exists, takes that many type arguments,
//! every method and associated type is there) are checked once per declaration, generic or
//! not; the signatures, which need concrete types, are checked for a plain struct once and for
//! a generic struct at each instance (template semantics, §10.3).

use super::{Checker, FnCx};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind, FnId, Receiver, ReceiverKind};
use crate::span::Span;
use crate::syntax::ast::{self, BinOp, UnaryOp};
use crate::types::{StructId, Ty};
use rustc_hash::FxHashMap as HashMap;

/// The trait and method an operator is rewritten to (§11.1).
pub fn operator_trait(op: BinOp) -> Option<(&'static str, &'static str)> {
    Some(match op {
        BinOp::Add => ("Add", "add"),
        BinOp::Sub => ("Sub", "sub"),
        BinOp::Mul => ("Mul", "mul"),
        BinOp::Div => ("Div", "div"),
        BinOp::Rem => ("Rem", "rem"),
        BinOp::Eq => ("Eq", "eq"),
        BinOp::Ne => ("Eq", "eq"),
        BinOp::Lt => ("Ord", "lt"),
        BinOp::Le => ("Ord", "le"),
        BinOp::Gt => ("Ord", "gt"),
        BinOp::Ge => ("Ord", "ge"),
        BinOp::BitAnd => ("BitAnd", "bitand"),
        BinOp::BitOr => ("BitOr", "bitor"),
        BinOp::BitXor => ("BitXor", "bitxor"),
        BinOp::Shl => ("Shl", "shl"),
        BinOp::Shr => ("Shr", "shr"),
        BinOp::And | BinOp::Or => return None,
    })
}

impl<'a> Checker<'a> {
    /// The declaration of struct `sid` (a generic instance's template's) and the instance's
    /// type arguments (none for a plain struct).
    pub fn struct_decl_of(&self, sid: StructId) -> Option<(&'a ast::StructDecl, Vec<Ty>)> {
        let file: &'a ast::File = self.file;
        let (template, targs) = match self.struct_template_of.get(&sid) {
            Some((t, args)) => (*t, args.clone()),
            None => (sid, Vec::new()),
        };
        let entry = self.res.structs.get(template as usize)?;
        match &file.items[entry.item].kind {
            ast::ItemKind::Struct(s) => Some((s, targs)),
            _ => None,
        }
    }

    fn trait_ast(&self, name: &ast::Ident) -> Option<&'a ast::TraitDecl> {
        let file: &'a ast::File = self.file;
        match &file.items[self.res.trait_item(name.span, &name.name)?].kind {
            ast::ItemKind::Trait(t) => Some(t),
            _ => None,
        }
    }

    /// The types a struct's methods see: its type parameters bound (for a generic instance),
    /// `Self`, and its associated-type bindings (`type Item = T;`).
    pub fn struct_env(&mut self, sid: StructId) -> HashMap<String, Ty> {
        let mut env = HashMap::default();
        env.insert("Self".to_string(), Ty::Struct(sid));
        let Some((decl, targs)) = self.struct_decl_of(sid) else { return env };
        env.extend(decl.type_params.iter().map(|p| p.name.name.clone()).zip(targs));
        for (name, ty) in &decl.assoc_types {
            let t = self.with_env(&env, |c| c.lower_ty(ty));
            env.insert(name.name.clone(), t);
        }
        env
    }

    /// The types a trait's signatures see when struct (environment `senv`) implements it as
    /// `tref`: `Self`, the associated types as the struct binds them, the trait's parameters.
    fn trait_env(&mut self, senv: &HashMap<String, Ty>, tr: &ast::TraitDecl, tref: &ast::TraitRef) -> HashMap<String, Ty> {
        let args: Vec<Ty> = self.with_env(senv, |c| tref.args.iter().map(|a| c.lower_ty(a)).collect());
        let mut env = HashMap::default();
        env.insert("Self".to_string(), senv.get("Self").cloned().unwrap_or(Ty::Error));
        for a in &tr.assoc_types {
            // A missing binding is reported by the name check; `Error` keeps it quiet here.
            env.insert(a.name.clone(), senv.get(&a.name).cloned().unwrap_or(Ty::Error));
        }
        env.extend(tr.type_params.iter().map(|p| p.name.name.clone()).zip(args));
        env
    }

    /// Whether `ty` is a struct listing trait `name` after `impl`, with type arguments `args`
    /// when given (`Into<i64>`), or with any arguments when not (operator lookup).
    pub fn implements(&mut self, ty: &Ty, name: &str, args: Option<&[Ty]>) -> bool {
        let Ty::Struct(sid) = ty else { return false };
        let Some((decl, _)) = self.struct_decl_of(*sid) else { return false };
        let listed: Vec<&ast::TraitRef> = decl.impls.iter().filter(|t| t.name.name == name).collect();
        let Some(want) = args else { return !listed.is_empty() };
        if listed.is_empty() {
            return false;
        }
        let senv = self.struct_env(*sid);
        listed.iter().any(|t| {
            t.args.len() == want.len() && self.with_env(&senv, |c| t.args.iter().map(|a| c.lower_ty(a)).collect::<Vec<_>>()) == want
        })
    }

    /// The method `name` of struct `sid`; for a generic instance, its instance (made on first use).
    pub fn struct_method(&mut self, sid: StructId, name: &str, span: Span) -> Option<FnId> {
        match self.struct_template_of.get(&sid) {
            Some((template, _)) => {
                let fid = *self.res.methods.get(&(*template, name.to_string()))?;
                self.method_instance(fid, sid, span)
            }
            None => self.res.methods.get(&(sid, name.to_string())).copied(),
        }
    }

    /// Conformance of every `struct S impl T` (§10.2): names for every declaration, signatures
    /// for the plain structs (generic ones are checked per instance, `check_instance_impls`).
    pub fn check_impls(&mut self) {
        for sid in 0..self.res.structs.len() as StructId {
            let Some((decl, _)) = self.struct_decl_of(sid) else { continue };
            self.check_bound_decls(&decl.type_params);
            self.check_impl_names(decl);
            if decl.type_params.is_empty() {
                self.check_impl_signatures(sid);
            }
        }
    }

    /// Signature conformance of the generic-struct instances made so far (and of those their
    /// checking makes in turn), each error labelled with where the instance was first used.
    pub fn check_instance_impls(&mut self) {
        while let Some((sid, span)) = self.pending_impl_checks.pop() {
            let before = self.diags.len();
            self.check_impl_signatures(sid);
            let shown = self.ty_name(&Ty::Struct(sid));
            for d in &mut self.diags[before..] {
                d.secondary.push((span, format!("in `{shown}` used here")));
            }
        }
    }

    /// Every trait named in the bounds of `params` exists and gets its number of type arguments.
    pub fn check_bound_decls(&mut self, params: &[ast::TypeParam]) {
        for tp in params {
            for b in &tp.bounds {
                match b {
                    ast::Bound::Trait(name, args) => {
                        self.trait_named(name, args.len(), tp.span);
                    }
                    ast::Bound::Callable { kind, .. } if kind.name != "Callable" => {
                        self.not_yet(&format!("`{}` bounds (closures that mutate or consume their captures)", kind.name), tp.span)
                    }
                    ast::Bound::Callable { .. } => {}
                }
            }
        }
    }

    /// The trait `name`, reporting E0405 if there is none and E0107 if it takes a different
    /// number of type arguments than `nargs`.
    fn trait_named(&mut self, name: &ast::Ident, nargs: usize, span: Span) -> Option<&'a ast::TraitDecl> {
        let Some(tr) = self.trait_ast(name) else {
            let mut d = Diagnostic::error("E0405", format!("cannot find trait `{}` in this scope", name.name), name.span)
                .label("not found in this scope");
            if let Some(h) = crate::resolve::did_you_mean(&name.name, self.res.traits.keys().map(String::as_str)) {
                d = d.help(h);
            } else {
                d = d.help(format!("declare it: `trait {} {{ ... }}`", name.name));
            }
            self.error(d);
            return None;
        };
        if tr.type_params.len() != nargs {
            let want = tr.type_params.len();
            let params: Vec<&str> = tr.type_params.iter().map(|p| p.name.name.as_str()).collect();
            let mut d = Diagnostic::error("E0107", format!("trait `{}` takes {want} type argument(s) but {nargs} were supplied", name.name), span)
                .label(format!("expected {want}"))
                .secondary(tr.name.span, "trait declared here");
            if want > 0 {
                d = d.help(format!("write `{}<{}>` with a type for each parameter", name.name, params.join(", ")));
            }
            self.error(d);
            return None;
        }
        Some(tr)
    }

    /// The listed traits exist, and the body has every method and associated type they ask for.
    fn check_impl_names(&mut self, decl: &'a ast::StructDecl) {
        for tref in &decl.impls {
            let Some(tr) = self.trait_named(&tref.name, tref.args.len(), tref.span) else { continue };
            for assoc in &tr.assoc_types {
                if !decl.assoc_types.iter().any(|(n, _)| n.name == assoc.name) {
                    self.error(
                        Diagnostic::error("E0046", format!("missing associated type `{}` in the implementation of `{}`", assoc.name, tr.name.name), tref.span)
                            .secondary(assoc.span, "declared here")
                            .help(format!("add `type {} = ...;` to the body of `{}`", assoc.name, decl.name.name)),
                    );
                }
            }
            for m in &tr.methods {
                if !decl.methods.iter().any(|x| x.name.name == m.name.name) {
                    self.error(
                        Diagnostic::error("E0046", format!("missing method `{}` in the implementation of `{}` for `{}`", m.name.name, tr.name.name, decl.name.name), tref.span)
                            .label(format!("missing `{}`", m.name.name))
                            .secondary(m.name.span, "required by this trait method")
                            .help("trait methods are written inside the struct body (Go-style methods do not count)"),
                    );
                }
            }
        }
    }

    /// Each trait method's parameter and return types, after substituting `Self`, associated
    /// types and the trait's type arguments, equal the struct method's; the `!` markers agree.
    fn check_impl_signatures(&mut self, sid: StructId) {
        let Some((decl, _)) = self.struct_decl_of(sid) else { return };
        let senv = self.struct_env(sid);
        for tref in &decl.impls {
            let Some(tr) = self.trait_ast(&tref.name) else { continue };
            if tr.type_params.len() != tref.args.len() {
                continue;
            }
            let tenv = self.trait_env(&senv, tr, tref);
            for m in &tr.methods {
                let Some(imp) = decl.methods.iter().find(|x| x.name.name == m.name.name) else { continue };
                let lower_sig = |c: &mut Self, f: &ast::FnDecl| {
                    let ps: Vec<Ty> = f.params.iter().map(|p| c.lower_ty(&p.ty)).collect();
                    let r = f.ret.as_ref().map(|t| c.lower_ty(t)).unwrap_or(Ty::Unit);
                    (ps, r)
                };
                let (want_params, want_ret) = self.with_env(&tenv, |c| lower_sig(c, m));
                let (got_params, got_ret) = self.with_env(&senv, |c| lower_sig(c, imp));
                let mut problems = Vec::new();
                if want_params.len() != got_params.len() {
                    problems.push(format!("the trait takes {} parameter(s), the method {}", want_params.len(), got_params.len()));
                } else {
                    for (i, (w, g)) in want_params.iter().zip(&got_params).enumerate() {
                        if w != g && !w.is_error() && !g.is_error() {
                            problems.push(format!("parameter {} is `{}` in the trait but `{}` here", i + 1, self.ty_name(w), self.ty_name(g)));
                        }
                    }
                }
                if want_ret != got_ret && !want_ret.is_error() && !got_ret.is_error() {
                    problems.push(format!("the trait returns `{}`, the method `{}`", self.ty_name(&want_ret), self.ty_name(&got_ret)));
                }
                if m.mutating.is_some() != imp.mutating.is_some() {
                    problems.push(if imp.mutating.is_some() { "the method is marked `!` but the trait's is not".into() } else { "the trait's method is marked `!` but this one is not".into() });
                }
                if !problems.is_empty() {
                    self.error(
                        Diagnostic::error("E0053", format!("method `{}` has an incompatible signature for trait `{}`", m.name.name, tr.name.name), imp.name.span)
                            .label("does not match the trait")
                            .secondary(m.name.span, "trait method declared here")
                            .note(problems.join("; ")),
                    );
                }
            }
        }
    }

    /// Trait bounds of `params` hold for `targs` (E0277); bound arguments may name the
    /// parameters (`<T: Into<U>, U>`).
    pub fn check_bounds(&mut self, params: &[ast::TypeParam], targs: &[Ty], span: Span) -> bool {
        let env: HashMap<String, Ty> = params.iter().map(|p| p.name.name.clone()).zip(targs.iter().cloned()).collect();
        let mut ok = true;
        for (tp, t) in params.iter().zip(targs) {
            for b in &tp.bounds {
                if let ast::Bound::Callable { kind, params: ps, ret } = b {
                    ok &= self.check_callable_bound(t, kind, ps, ret, &env, span);
                    continue;
                }
                let ast::Bound::Trait(name, args) = b else { continue };
                let args: Vec<Ty> = self.with_env(&env, |c| args.iter().map(|a| c.lower_ty(a)).collect());
                if args.iter().any(Ty::is_error) || t.is_error() {
                    ok = false;
                    continue;
                }
                if !self.implements(t, &name.name, Some(&args)) {
                    let shown = self.ty_name(t);
                    let bound = if args.is_empty() {
                        name.name.clone()
                    } else {
                        format!("{}<{}>", name.name, args.iter().map(|a| self.ty_name(a)).collect::<Vec<_>>().join(", "))
                    };
                    let help = match t {
                        Ty::Struct(_) => format!("list the trait on the struct: `struct {shown} impl {bound} {{ ... }}`"),
                        _ => "only structs implement traits (by listing them after `impl`)".to_string(),
                    };
                    self.error(
                        Diagnostic::error("E0277", format!("the trait bound `{shown}: {bound}` is not satisfied"), span)
                            .label(format!("`{shown}` does not implement `{bound}`"))
                            .secondary(name.span, "required by this bound")
                            .help(help),
                    );
                    ok = false;
                }
            }
        }
        ok
    }

    /// `lhs op rhs` on a struct implementing the operator's trait: a call of its method.
    pub fn operator_call(&mut self, fcx: &mut FnCx, op: BinOp, lhs: hir::Expr, rhs: &ast::Expr, span: Span) -> Option<hir::Expr> {
        let (trait_name, method) = operator_trait(op)?;
        let Ty::Struct(sid) = lhs.ty else { return None };
        if !self.implements(&lhs.ty, trait_name, None) {
            return None;
        }
        let (method, negate) = match op {
            // `!=` uses a `Ne` trait's `ne` if the struct has one, else `!eq` (§11.1).
            BinOp::Ne if self.implements(&lhs.ty, "Ne", None) => ("ne", false),
            BinOp::Ne => (method, true),
            _ => (method, false),
        };
        let fid = self.struct_method(sid, method, span)?;
        let sig = self.sigs[fid as usize].clone();
        let param = sig.params.first().cloned().unwrap_or(Ty::Error);
        let arg = self.expr(fcx, rhs, Some(&param));
        let arg = self.coerce(fcx, arg, &param);
        let call = self.operator_method_call(fid, lhs, vec![arg], span);
        Some(if negate {
            hir::Expr { kind: ExprKind::Unary { op: UnaryOp::Not, operand: Box::new(call) }, ty: Ty::Bool, span }
        } else {
            call
        })
    }

    /// The call of operator method `fid` on `operand` (taken by reference or by value, as the
    /// method's receiver says).
    pub fn operator_method_call(&mut self, fid: FnId, operand: hir::Expr, args: Vec<hir::Expr>, span: Span) -> hir::Expr {
        let ret = self.sigs[fid as usize].ret.clone();
        let receiver = match self.sigs[fid as usize].receiver.unwrap_or(ReceiverKind::ByRef) {
            ReceiverKind::ByValue => Receiver::Value(Box::new(operand)),
            ReceiverKind::ByRef => Receiver::AddressOf(Box::new(operand)),
        };
        hir::Expr { kind: ExprKind::MethodCall { func: fid, receiver, args, operator: true }, ty: ret, span }
    }

    /// `F: Callable(P..): R` holds for a function value of exactly that signature (§9.4).
    fn check_callable_bound(&mut self, t: &Ty, kind: &ast::Ident, ps: &[ast::Type], ret: &ast::Type, env: &HashMap<String, Ty>, span: Span) -> bool {
        let (want_ps, want_ret) = self.with_env(env, |c| (ps.iter().map(|p| c.lower_ty(p)).collect::<Vec<_>>(), c.lower_ty(ret)));
        if want_ps.iter().any(Ty::is_error) || want_ret.is_error() || t.is_error() {
            return false;
        }
        let want = Ty::Fn(want_ps, Box::new(want_ret));
        if *t == want {
            return true;
        }
        let (shown, wanted) = (self.ty_name(t), self.ty_name(&want));
        self.error(
            Diagnostic::error("E0277", format!("expected a function `{wanted}`, found `{shown}`"), span)
                .label(format!("`{shown}` does not satisfy this `{}` bound", kind.name))
                .secondary(kind.span, "required by this bound")
                .help(format!("pass a closure or function of type `{wanted}`")),
        );
        false
    }
}
